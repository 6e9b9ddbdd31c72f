//! RFC 9400 section 3.1: which region's night an online meeting uses, chosen from the
//! meetings before it, and the UTC window of that night (northern summer or winter).

use chrono::{NaiveDate, NaiveTime, Offset, TimeZone};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The three regions of RFC 8179 that RFC 9400 rotates through.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "kebab-case")]
pub enum Region {
    /// North America.
    NorthAmerica,
    /// Europe.
    Europe,
    /// Asia.
    Asia,
}

impl Region {
    /// The three regions, in RFC 9400's order.
    pub const ALL: [Region; 3] = [Region::NorthAmerica, Region::Europe, Region::Asia];

    /// The region's key in documents (`north-america`).
    pub fn key(self) -> &'static str {
        match self {
            Region::NorthAmerica => "north-america",
            Region::Europe => "europe",
            Region::Asia => "asia",
        }
    }

    /// The region of a key, or `None` for an unknown one.
    pub fn parse(text: &str) -> Option<Region> {
        Region::ALL.into_iter().find(|r| r.key() == text)
    }

    /// The region that is neither `a` nor `b` (`a` != `b`).
    fn third(a: Region, b: Region) -> Region {
        Region::ALL
            .into_iter()
            .find(|&r| r != a && r != b)
            .unwrap_or(a)
    }

    /// The night window in UTC: (start hour, end hour) of RFC 9400's table.
    pub fn night_hours(self, summer: bool) -> (u32, u32) {
        match (self, summer) {
            (Region::NorthAmerica, true) => (5, 11),
            (Region::NorthAmerica, false) => (6, 12),
            (Region::Asia, true) => (13, 19),
            (Region::Asia, false) => (14, 20),
            (Region::Europe, _) => (22, 4),
        }
    }

    /// Whether a UTC hour lies in this region's night (the window it would pay).
    pub fn in_night(self, utc_hour: u32, summer: bool) -> bool {
        let (a, b) = self.night_hours(summer);
        if a < b {
            (a..b).contains(&utc_hour)
        } else {
            utc_hour >= a || utc_hour < b
        }
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Region::NorthAmerica => "North America",
            Region::Europe => "Europe",
            Region::Asia => "Asia",
        })
    }
}

/// An earlier meeting: held in person in a region, or online in a region's night.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Past {
    /// An in-person meeting held in the region.
    InPerson(Region),
    /// An online meeting in the region's night.
    Online(Region),
}

impl Past {
    fn region(self) -> Region {
        match self {
            Past::InPerson(r) | Past::Online(r) => r,
        }
    }
}

impl fmt::Display for Past {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Past::InPerson(r) => write!(f, "in person in {r}"),
            Past::Online(r) => write!(f, "online in the {r} night"),
        }
    }
}

/// The chosen night, and why, in words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    /// The region whose night the window is in.
    pub night: Region,
    /// Why, in a sentence (RFC 9400's rotation).
    pub reason: String,
}

/// RFC 9400's selection from `history` (oldest first). `None` when the history is empty.
pub fn select(history: &[Past]) -> Option<Choice> {
    let n = history.len();
    let last = *history.last()?;
    let ago = |k: usize| (n >= k).then(|| history[n - k]);
    let choice = |night: Region, why: String| Some(Choice { night, reason: why });
    let Past::Online(x) = last else {
        let a = last.region();
        return choice(a, format!(
            "the last meeting was {last}, so this one disadvantages that region's participants most: the {a} night (RFC 9400 section 3.1, first row)"
        ));
    };
    match ago(2) {
        Some(Past::Online(y)) if y != x => {
            let c = Region::third(x, y);
            choice(c, format!(
                "the last two meetings were online in the {y} night and then the {x} night, so the rotation goes on to the {c} night (RFC 9400 section 3.1, rows 2 and 6)"
            ))
        }
        Some(Past::InPerson(b)) if b == x => match ago(3) {
            Some(Past::Online(a)) if a != b => {
                let c = Region::third(a, b);
                choice(c, format!(
                    "3 meetings ago online in the {a} night, then in person in {b}, then online in the {b} night: the {c} night comes next (RFC 9400 section 3.1, row 3)"
                ))
            }
            Some(Past::InPerson(a)) if a != b => choice(a, format!(
                "3 meetings ago in person in {a}, then in person in {b}, then online in the {b} night: back to the {a} night (RFC 9400 section 3.1, row 4)"
            )),
            _ => special_case(history, x),
        },
        Some(Past::InPerson(b)) => {
            // Not in RFC 9400's table (the last online meeting did not follow its own
            // first row): the region used by neither of the last two.
            let c = Region::third(b, x);
            choice(c, format!(
                "in person in {b}, then online in the {x} night (a case RFC 9400's table leaves out): the region neither used, the {c} night"
            ))
        }
        _ => special_case(history, x),
    }
}

/// RFC 9400's final case: back-to-back meetings in region A. The most recent meeting
/// that was neither in person in A nor online in the A night decides: in person in B
/// gives the B night, online in the B night gives the third region's night. With no
/// such meeting, the region after A in the order North America, Europe, Asia.
fn special_case(history: &[Past], a: Region) -> Option<Choice> {
    let found = history.iter().rev().copied().find(|p| p.region() != a);
    let (night, why) = match found {
        Some(Past::InPerson(b)) => (
            b,
            format!("the most recent meeting outside {a} was in person in {b}"),
        ),
        Some(Past::Online(b)) => {
            let c = Region::third(a, b);
            (c, format!("the most recent meeting outside {a} was online in the {b} night, so the {c} night"))
        }
        None => {
            let i = Region::ALL.iter().position(|&r| r == a).unwrap_or(0);
            let next = Region::ALL[(i + 1) % 3];
            (
                next,
                format!("no earlier meeting outside {a}: the next region in turn, {next}"),
            )
        }
    };
    Some(Choice {
        night,
        reason: format!(
            "the last meetings stayed in {a} (RFC 9400 section 3.1's final case): {why} night is used"
        )
        .replace(" night night", " night"),
    })
}

/// Northern summer: the first day is in US daylight saving time (America/New_York).
pub fn northern_summer(first_day: NaiveDate) -> bool {
    let noon = first_day.and_time(NaiveTime::from_hms_opt(12, 0, 0).unwrap_or_default());
    chrono_tz::America::New_York
        .from_local_datetime(&noon)
        .earliest()
        .is_some_and(|t| t.offset().fix().local_minus_utc() == -4 * 3600)
}

#[cfg(test)]
mod tests {
    use super::*;
    use Past::{InPerson as P, Online as O};
    use Region::{Asia as C, Europe as B, NorthAmerica as A};

    fn night(history: &[Past]) -> Region {
        select(history).unwrap().night
    }

    #[test]
    fn every_row_of_rfc9400_table() {
        // Row 1: any, any, in person in A -> A night.
        for r in Region::ALL {
            assert_eq!(night(&[P(r)]), r);
            assert_eq!(night(&[O(B), O(C), P(r)]), r);
        }
        // Row 2: any, online A night, online B night -> C night.
        assert_eq!(night(&[P(B), O(A), O(B)]), C);
        assert_eq!(night(&[O(A), O(B)]), C);
        assert_eq!(night(&[P(A), O(C), O(A)]), B);
        // Row 3: online A night, in person B, online B night -> C night.
        assert_eq!(night(&[O(A), P(B), O(B)]), C);
        assert_eq!(night(&[O(C), P(A), O(A)]), B);
        // Row 4: in person A, in person B, online B night -> A night.
        assert_eq!(night(&[P(A), P(B), O(B)]), A);
        assert_eq!(night(&[P(C), P(A), O(A)]), C);
        // Row 6: online A, online B, online C -> A night.
        assert_eq!(night(&[O(A), O(B), O(C)]), A);
        assert_eq!(night(&[O(B), O(C), O(A)]), B);
    }

    #[test]
    fn the_final_case_of_back_to_back_meetings_in_one_region() {
        // In person A, in person A, online A night: the last meeting outside A decides.
        assert_eq!(night(&[P(B), P(A), P(A), O(A)]), B);
        assert_eq!(night(&[O(B), P(A), P(A), O(A)]), C);
        let choice = select(&[P(B), P(A), P(A), O(A)]).unwrap();
        assert!(choice.reason.contains("final case"), "{}", choice.reason);
        // Nothing outside A: the next region in turn.
        assert_eq!(night(&[P(A), P(A), O(A)]), B);
        assert!(select(&[]).is_none());
    }

    #[test]
    fn windows_follow_us_daylight_saving() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert!(northern_summer(d("2020-03-23")));
        assert!(!northern_summer(d("2020-11-16")));
        assert!(!northern_summer(d("2021-03-08")));
        assert!(northern_summer(d("2021-07-26")));
        assert_eq!(A.night_hours(true), (5, 11));
        assert_eq!(A.night_hours(false), (6, 12));
        assert_eq!(C.night_hours(true), (13, 19));
        assert_eq!(C.night_hours(false), (14, 20));
        assert_eq!(B.night_hours(true), (22, 4));
        assert_eq!(B.night_hours(false), (22, 4));
        assert!(B.in_night(23, true) && B.in_night(3, false) && !B.in_night(4, false));
        assert!(A.in_night(11, false) && !A.in_night(11, true));
    }
}
