//! A post-meeting scenario: every group of an in-person instance asks one interim over
//! the weeks after the meeting (what happened after IETF 107 went online), with the
//! instance's conflicts and participant zones drawn from the default regions.

use super::request::*;
use crate::instance::Instance;
use crate::rng::Rng;
use chrono::{Datelike, Days, NaiveDate, Weekday};
use serde_json::{json, Value};

/// What to generate.
#[derive(Debug, Clone)]
pub struct AfterMeetingOptions {
    /// The interims fall within this many weeks after the meeting's last day.
    pub weeks: u32,
    /// At most this many interims at any instant.
    pub max_parallel: u32,
    /// Seed of the generator: same options, same requests.
    pub seed: u64,
}

impl Default for AfterMeetingOptions {
    fn default() -> Self {
        AfterMeetingOptions {
            weeks: 6,
            max_parallel: 6,
            seed: 1,
        }
    }
}

/// Zones of each default region (ONLINE.md: Americas 0.47, Europe/Africa/Middle East
/// 0.36, Asia/Oceania 0.17).
const REGIONS: [(f64, &[&str]); 3] = [
    (
        0.47,
        &[
            "America/New_York",
            "America/Chicago",
            "America/Los_Angeles",
            "America/Toronto",
            "America/Sao_Paulo",
        ],
    ),
    (
        0.36,
        &[
            "Europe/London",
            "Europe/Paris",
            "Europe/Berlin",
            "Europe/Helsinki",
            "Africa/Johannesburg",
        ],
    ),
    (
        0.17,
        &[
            "Asia/Shanghai",
            "Asia/Tokyo",
            "Asia/Singapore",
            "Asia/Kolkata",
            "Australia/Sydney",
        ],
    ),
];

/// Why an instance cannot seed a scenario.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GenerateError {
    /// No slot of the instance has a start date.
    #[error(
        "the instance has no slot with a date (slots[].start), so the meeting's dates are unknown"
    )]
    NoDates,
    /// The instance has no session requests.
    #[error("the instance has no requests")]
    NoRequests,
}

/// The scenario for `instance`: one request per requesting group.
pub fn after_meeting(
    instance: &Instance,
    options: &AfterMeetingOptions,
) -> Result<InterimRequestFile, GenerateError> {
    let days: Vec<NaiveDate> = instance
        .slots
        .iter()
        .filter_map(|s| s.start.get(..10))
        .filter_map(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        .collect();
    let (Some(&first), Some(&last)) = (days.iter().min(), days.iter().max()) else {
        return Err(GenerateError::NoDates);
    };
    if instance.requests.is_empty() {
        return Err(GenerateError::NoRequests);
    }
    let mut rng = Rng(options.seed ^ 0x1e7f_2020);
    let earliest = last + Days::new(1);
    let latest = last + Days::new(7 * options.weeks as u64);
    let telechats = telechats_after(last);
    let groups = groups_of(instance);
    let weights: Vec<f64> = REGIONS.iter().map(|r| r.0).collect();
    let mut requests = Vec::new();
    for r in &instance.requests {
        let minutes = [60, 90, 120][rng.below(3)];
        let regions = 1 + rng.weighted(&[0.3, 0.45, 0.25]);
        let mut participants = Vec::new();
        let mut used = Vec::new();
        while used.len() < regions {
            let region = rng.weighted(&weights);
            if used.contains(&region) {
                continue;
            }
            used.push(region);
            let zones = REGIONS[region].1;
            participants.push(ParticipantSpec {
                time_zone: zones[rng.below(zones.len())].to_string(),
                count: Some(Value::from(1 + rng.below(20) as u64)),
            });
        }
        requests.push(InterimRequestSpec {
            group: r.group.clone(),
            kind: Some("single".into()),
            minutes: Some(Value::from(minutes)),
            earliest: Some(earliest.to_string()),
            latest: Some(latest.to_string()),
            participants: Some(participants),
            ..Default::default()
        });
    }
    let number = instance.meeting.number.clone();
    Ok(InterimRequestFile {
        format: INTERIM_REQUEST_FORMAT.to_string(),
        now: Some(format!("{}T12:00:00Z", first)),
        calendar: CalendarSpec {
            ietf_meetings: vec![IetfMeetingSpec {
                number: Value::String(number),
                first_day: first.to_string(),
                last_day: last.to_string(),
            }],
            blackout_weeks: BlackoutSpec {
                before: Some(1),
                after: Some(1),
            },
            telechats: Some(telechats),
            existing: Vec::new(),
        },
        groups,
        instance: None,
        requests,
        rules: RulesSpec {
            max_parallel: Some(options.max_parallel as i64),
            ..Default::default()
        },
    })
}

/// Telechats from the first Thursday a week after `last`: formal ones every 14 days at
/// 07:00 Los Angeles (150 minutes), informal calls in the weeks between (90 minutes).
pub(crate) fn telechats_after(last: NaiveDate) -> Value {
    let mut thursday = last + Days::new(7);
    while thursday.weekday() != Weekday::Thu {
        thursday = thursday + Days::new(1);
    }
    json!([
        {"first": thursday.to_string(), "time": "07:00", "time_zone": "America/Los_Angeles",
         "every_days": 14, "minutes": 150},
        {"first": (thursday + Days::new(7)).to_string(), "time": "07:00",
         "time_zone": "America/Los_Angeles", "every_days": 14, "minutes": 90}
    ])
}

/// Every group of an instance with its request's conflicts.
pub(crate) fn groups_of(instance: &Instance) -> Vec<InterimGroup> {
    instance
        .groups
        .iter()
        .map(|g| InterimGroup {
            acronym: g.acronym.clone(),
            name: g.name.clone(),
            area: g.area.clone(),
            group_type: g.group_type.clone(),
            state: g.state.clone(),
            conflicts: instance
                .requests
                .iter()
                .find(|r| r.group == g.acronym)
                .map(|r| r.conflicts.clone())
                .unwrap_or_default(),
        })
        .collect()
}
