//! The conflict graph: groups that meet, joined by what makes their overlap costly.
//!
//! An edge between two groups adds up, in both directions, the declared conflicts by
//! class, the must-attend people they share and the chairs they share. The solver reads
//! its cliques (pigeonhole rows); `agenda graph` prints and draws it.

use crate::penalties::CostKind;
use crate::problem::{ConflictClass, GroupIdx, Problem, SessionIdx};
use petgraph::graph::{NodeIndex, UnGraph};
use petgraph::unionfind::UnionFind;
use petgraph::visit::EdgeRef;
use std::collections::BTreeSet;
use std::fmt::Write;

/// What joins two groups.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ConflictEdge {
    /// Chair conflicts declared, counting both directions.
    pub chair: u32,
    pub(crate) technology: u32,
    pub(crate) key_participant: u32,
    /// Must-attend people listed by both groups.
    pub shared_people: u32,
    /// People who chair both groups.
    pub shared_chairs: u32,
    /// What one overlap of one session each would cost at the instance's penalties
    /// (shared chairs are priced as chair conflicts).
    pub weight: u64,
}

impl ConflictEdge {
    /// A chair or key-participant conflict, or a shared chair: the 100,000 class, an
    /// overlap the secretariat treats as "must not".
    pub fn is_severe(&self) -> bool {
        self.chair + self.key_participant + self.shared_chairs > 0
    }
}

/// The conflict graph of a problem.
#[derive(Debug, Clone)]
pub struct ConflictGraph {
    /// One node per group that meets; an edge per pair with declared conflicts.
    pub graph: UnGraph<GroupIdx, ConflictEdge>,
    /// The node of each group that meets.
    pub node: Vec<Option<NodeIndex>>,
}

/// A clique of groups whose sessions must pairwise not overlap.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Clique {
    /// Groups, sorted by acronym.
    pub groups: Vec<GroupIdx>,
    /// Distinct schedulable sessions of those groups: a lower bound on the number of
    /// distinct time blocks a conflict-free agenda needs.
    pub sessions: Vec<SessionIdx>,
}

impl ConflictGraph {
    /// The conflict graph of `p`.
    pub fn build(p: &Problem) -> ConflictGraph {
        let mut graph = UnGraph::default();
        let mut node = vec![None; p.groups.len()];
        for (g, entry) in node.iter_mut().enumerate() {
            if p.group_sessions[g]
                .iter()
                .any(|&s| p.sessions[s].schedulable)
            {
                *entry = Some(graph.add_node(g));
            }
        }
        let mut edges: std::collections::BTreeMap<(GroupIdx, GroupIdx), ConflictEdge> =
            Default::default();
        let key = |a: GroupIdx, b: GroupIdx| (a.min(b), a.max(b));
        for req in &p.requests {
            for &(class, target) in &req.conflicts {
                if node[target].is_none() || node[req.group].is_none() {
                    continue; // a group that does not meet costs nothing
                }
                let e = edges.entry(key(req.group, target)).or_default();
                match class {
                    ConflictClass::Chair => e.chair += 1,
                    ConflictClass::Technology => e.technology += 1,
                    ConflictClass::KeyParticipant => e.key_participant += 1,
                }
            }
        }
        let meeting: Vec<GroupIdx> = (0..p.groups.len()).filter(|&g| node[g].is_some()).collect();
        for (i, &a) in meeting.iter().enumerate() {
            for &b in &meeting[i + 1..] {
                let people = match (p.groups[a].request, p.groups[b].request) {
                    (Some(ra), Some(rb)) => p.requests[ra]
                        .must_attend
                        .iter()
                        .filter(|x| p.requests[rb].must_attend.contains(x))
                        .count() as u32,
                    _ => 0,
                };
                let chairs = p.groups[a]
                    .chairs
                    .iter()
                    .filter(|x| p.groups[b].chairs.contains(x))
                    .count() as u32;
                if people + chairs > 0 {
                    let e = edges.entry(key(a, b)).or_default();
                    e.shared_people += people;
                    e.shared_chairs += chairs;
                }
            }
        }
        let w = |k: CostKind| p.penalties.get(k);
        for ((a, b), mut e) in edges {
            e.weight = u64::from(e.chair + e.shared_chairs) * w(CostKind::ChairConflict)
                + u64::from(e.technology) * w(CostKind::TechOverlap)
                + u64::from(e.key_participant) * w(CostKind::KeyParticipant)
                + u64::from(e.shared_people) * w(CostKind::MustAttend);
            if let (Some(na), Some(nb)) = (node[a], node[b]) {
                graph.add_edge(na, nb, e);
            }
        }
        ConflictGraph { graph, node }
    }

    /// Sum of the weights of a group's edges.
    pub fn weighted_degree(&self, g: GroupIdx) -> u64 {
        self.node[g].map_or(0, |n| self.graph.edges(n).map(|e| e.weight().weight).sum())
    }

    /// Groups by weighted degree, highest first (ties by acronym).
    pub fn most_constrained(&self, p: &Problem) -> Vec<(GroupIdx, u64, usize)> {
        let mut out: Vec<(GroupIdx, u64, usize)> = self
            .graph
            .node_indices()
            .map(|n| {
                let g = self.graph[n];
                (g, self.weighted_degree(g), self.graph.edges(n).count())
            })
            .collect();
        out.sort_by(|a, b| {
            b.1.cmp(&a.1)
                .then_with(|| p.acronym(a.0).cmp(p.acronym(b.0)))
        });
        out
    }

    /// Connected components with more than one group, largest first; then the count of
    /// isolated groups.
    pub fn components(&self, p: &Problem) -> (Vec<Vec<GroupIdx>>, usize) {
        let mut uf = UnionFind::new(self.graph.node_count());
        for e in self.graph.edge_references() {
            uf.union(e.source().index(), e.target().index());
        }
        let mut by_root: std::collections::BTreeMap<usize, Vec<GroupIdx>> = Default::default();
        for n in self.graph.node_indices() {
            by_root
                .entry(uf.find(n.index()))
                .or_default()
                .push(self.graph[n]);
        }
        let mut comps: Vec<Vec<GroupIdx>> = by_root.into_values().collect();
        for c in &mut comps {
            c.sort_by(|a, b| p.acronym(*a).cmp(p.acronym(*b)));
        }
        let isolated = comps.iter().filter(|c| c.len() == 1).count();
        comps.retain(|c| c.len() > 1);
        comps.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        (comps, isolated)
    }

    /// The clique of groups, over the edges `keep` accepts, with the most distinct
    /// sessions (ties: more groups, then the smallest acronym list).
    pub fn largest_clique(&self, p: &Problem, keep: impl Fn(&ConflictEdge) -> bool) -> Clique {
        let filtered = self
            .graph
            .filter_map(|_, &g| Some(g), |_, e| keep(e).then_some(*e));
        let mut best: Option<Clique> = None;
        for members in petgraph::algo::maximal_cliques(&filtered) {
            let mut groups: Vec<GroupIdx> = members.iter().map(|&n| filtered[n]).collect();
            groups.sort_by(|a, b| p.acronym(*a).cmp(p.acronym(*b)));
            let sessions: BTreeSet<SessionIdx> = groups
                .iter()
                .flat_map(|&g| p.group_sessions[g].iter().copied())
                .filter(|&s| p.sessions[s].schedulable)
                .collect();
            let candidate = Clique {
                groups,
                sessions: sessions.into_iter().collect(),
            };
            let better = match &best {
                None => true,
                Some(b) => {
                    let k = |c: &Clique| (c.sessions.len(), c.groups.len());
                    k(&candidate) > k(b)
                        || (k(&candidate) == k(b) && acronyms(p, &candidate) < acronyms(p, b))
                }
            };
            if better {
                best = Some(candidate);
            }
        }
        best.unwrap_or(Clique {
            groups: Vec::new(),
            sessions: Vec::new(),
        })
    }

    /// The graph (or the part `only` selects) as Graphviz DOT, laid out for `neato`:
    /// nodes filled by area and shaped by kind (box for a BoF, double octagon for an
    /// area meeting), edges coloured by their worst class and as thick as their weight,
    /// and a legend that says so.
    pub fn to_dot(&self, p: &Problem, only: &Selection) -> String {
        let mut out = String::from("graph conflicts {\n  graph [overlap=false, splines=false, outputorder=edgesfirst, sep=\"+8\", fontname=\"Helvetica\", labelloc=b];\n  node [shape=ellipse, style=filled, fontname=\"Helvetica\"];\n");
        let _ = writeln!(out, "  label=<{}>;", legend(p, only));
        let mut nodes: Vec<NodeIndex> = self
            .graph
            .node_indices()
            .filter(|&n| only.keeps(self.graph[n]))
            .collect();
        nodes.sort_by(|a, b| p.acronym(self.graph[*a]).cmp(p.acronym(self.graph[*b])));
        for n in nodes {
            let g = &p.groups[self.graph[n]];
            let shape = if g.is_bof {
                "box"
            } else if g.is_area_meeting {
                "doubleoctagon"
            } else {
                "ellipse"
            };
            let _ = writeln!(
                out,
                "  \"{}\" [label=\"{}\\n{}\", shape={shape}, fillcolor=\"{}\"];",
                dot_escape(&g.acronym),
                dot_escape(&g.acronym),
                dot_escape(g.area.as_deref().unwrap_or("-")),
                area_colour(g.area.as_deref())
            );
        }
        let mut edges: Vec<(String, String, ConflictEdge)> = self
            .graph
            .edge_references()
            .filter(|e| only.keeps_edge(self.graph[e.source()], self.graph[e.target()]))
            .map(|e| {
                let (a, b) = (
                    p.acronym(self.graph[e.source()]),
                    p.acronym(self.graph[e.target()]),
                );
                let (a, b) = if a <= b { (a, b) } else { (b, a) };
                (a.to_string(), b.to_string(), *e.weight())
            })
            .collect();
        edges.sort_by(|x, y| (&x.0, &x.1).cmp(&(&y.0, &y.1)));
        for (a, b, e) in edges {
            let width = 1.0 + (e.weight as f64 / 100_000.0).min(4.0);
            let _ = writeln!(
                out,
                "  \"{}\" -- \"{}\" [color={}, penwidth={width:.1}, tooltip=\"{}\"];",
                dot_escape(&a),
                dot_escape(&b),
                edge_colour(&e),
                describe(&e)
            );
        }
        out.push_str("}\n");
        out
    }
}

/// What a drawing shows: everything, or the groups of some areas with the edges among
/// them, and some groups with their edges and the groups at their other ends.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// `None` keeps every group and edge.
    keep: Option<BTreeSet<GroupIdx>>,
    /// The groups of the areas asked for.
    in_areas: BTreeSet<GroupIdx>,
    /// The groups asked for by acronym.
    centres: BTreeSet<GroupIdx>,
    /// What was asked for, for the legend.
    asked: Vec<String>,
}

/// An area or group a [`Selection`] names that the meeting lacks.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SelectionError {
    /// No group of the meeting is in this area.
    #[error("--area {area}: no group of this meeting is in that area; its areas are {known}")]
    UnknownArea {
        /// The area asked for.
        area: String,
        /// The meeting's areas, comma-separated.
        known: String,
    },
    /// No group of the meeting has this acronym.
    #[error("--group {group}: this meeting has no group of that acronym (`agenda graph INSTANCE` lists the most constrained)")]
    UnknownGroup {
        /// The acronym asked for.
        group: String,
    },
}

impl Selection {
    /// Every group.
    pub fn all() -> Selection {
        Selection::default()
    }

    /// The groups of `areas` (case-insensitive), and each of `groups` with the groups it
    /// shares an edge with; every group when both are empty.
    pub fn of(
        p: &Problem,
        graph: &ConflictGraph,
        areas: &[String],
        groups: &[String],
    ) -> Result<Selection, SelectionError> {
        if areas.is_empty() && groups.is_empty() {
            return Ok(Selection::all());
        }
        let mut in_areas = BTreeSet::new();
        for area in areas {
            let before = in_areas.len();
            in_areas.extend((0..p.groups.len()).filter(|&g| {
                p.groups[g]
                    .area
                    .as_deref()
                    .is_some_and(|a| a.eq_ignore_ascii_case(area))
            }));
            if in_areas.len() == before {
                let known: BTreeSet<&str> =
                    p.groups.iter().filter_map(|g| g.area.as_deref()).collect();
                return Err(SelectionError::UnknownArea {
                    area: area.clone(),
                    known: known.into_iter().collect::<Vec<_>>().join(", "),
                });
            }
        }
        let mut keep = in_areas.clone();
        let mut centres = BTreeSet::new();
        for group in groups {
            let g = (0..p.groups.len())
                .find(|&g| p.acronym(g).eq_ignore_ascii_case(group))
                .ok_or_else(|| SelectionError::UnknownGroup {
                    group: group.clone(),
                })?;
            keep.insert(g);
            centres.insert(g);
            if let Some(n) = graph.node[g] {
                keep.extend(graph.graph.neighbors(n).map(|m| graph.graph[m]));
            }
        }
        let asked = areas
            .iter()
            .map(|a| format!("area {}", a.to_lowercase()))
            .chain(
                centres
                    .iter()
                    .map(|&g| format!("{} and its neighbours", p.acronym(g))),
            )
            .collect();
        Ok(Selection {
            keep: Some(keep),
            in_areas,
            centres,
            asked,
        })
    }

    /// Whether group `g` is drawn.
    pub fn keeps(&self, g: GroupIdx) -> bool {
        self.keep.as_ref().is_none_or(|k| k.contains(&g))
    }

    /// Whether the edge between `a` and `b` is drawn: one inside the areas asked for, or
    /// one at a group asked for (not those among its neighbours, which would hide it).
    pub fn keeps_edge(&self, a: GroupIdx, b: GroupIdx) -> bool {
        self.keep.is_none()
            || (self.in_areas.contains(&a) && self.in_areas.contains(&b))
            || self.centres.contains(&a)
            || self.centres.contains(&b)
    }
}

/// The legend, a Graphviz HTML-like table: what the edge colours, node shapes and fills
/// mean, and what the drawing was limited to.
fn legend(p: &Problem, only: &Selection) -> String {
    let mut rows = String::new();
    let title = if only.asked.is_empty() {
        format!("Conflict graph of meeting {}", p.meeting)
    } else {
        format!(
            "Conflict graph of meeting {}: {}",
            p.meeting,
            only.asked.join(", ")
        )
    };
    let _ = write!(
        rows,
        "<tr><td colspan=\"4\"><b>{}</b></td></tr>",
        html_escape(&title)
    );
    rows.push_str("<tr><td>edge</td><td><font color=\"red\">chair or shared chair</font></td><td><font color=\"darkorange\">key participant</font></td><td><font color=\"blue\">technology</font></td></tr>");
    rows.push_str("<tr><td></td><td><font color=\"gray50\">shared people only</font></td><td colspan=\"2\">thicker: dearer overlap</td></tr>");
    rows.push_str("<tr><td>node</td><td>ellipse: WG or RG</td><td>box: BoF</td><td>double octagon: area meeting</td></tr>");
    let areas: BTreeSet<&str> = p.groups.iter().filter_map(|g| g.area.as_deref()).collect();
    if !areas.is_empty() {
        rows.push_str("<tr><td>area</td><td colspan=\"3\"><table border=\"0\"><tr>");
        for a in areas {
            let _ = write!(
                rows,
                "<td bgcolor=\"{}\">{}</td>",
                area_colour(Some(a)),
                html_escape(a)
            );
        }
        rows.push_str("</tr></table></td></tr>");
    }
    format!(
        "<table border=\"0\" cellborder=\"1\" cellspacing=\"0\" cellpadding=\"4\">{rows}</table>"
    )
}

/// The colour of an edge's worst class (red for the 100,000 classes but key
/// participants, which get their own).
fn edge_colour(e: &ConflictEdge) -> &'static str {
    if e.chair + e.shared_chairs > 0 {
        "red"
    } else if e.key_participant > 0 {
        "darkorange"
    } else if e.technology > 0 {
        "blue"
    } else {
        "gray50"
    }
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// `chair 1, technology 2, people 3` for an edge.
pub fn describe(e: &ConflictEdge) -> String {
    let parts = [
        ("chair", e.chair),
        ("technology", e.technology),
        ("key participant", e.key_participant),
        ("shared people", e.shared_people),
        ("shared chairs", e.shared_chairs),
    ];
    parts
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(k, n)| format!("{k} {n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn acronyms<'a>(p: &'a Problem, c: &Clique) -> Vec<&'a str> {
    c.groups.iter().map(|&g| p.acronym(g)).collect()
}

fn dot_escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

fn area_colour(area: Option<&str>) -> &'static str {
    match area {
        Some("art") => "#fde2e4",
        Some("gen") => "#e2ece9",
        Some("int") => "#dfe7fd",
        Some("ops") => "#fff1e6",
        Some("rtg") => "#e9f5db",
        Some("sec") => "#f0efeb",
        Some("tsv") => "#e8e8ff",
        Some("irtf") => "#fae1dd",
        _ => "#ffffff",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cost::testing::{problem, request, wgs};
    use serde_json::json;

    fn sample() -> Problem {
        problem(
            wgs(&["a", "b", "c", "d", "e", "quiet"]),
            json!([
                request(
                    "a",
                    json!({"conflicts": {"chair": ["b", "c"]}, "sessions": [{"minutes": 60}, {"minutes": 60}]})
                ),
                request(
                    "b",
                    json!({"conflicts": {"key_participant": ["c"], "chair": ["a"]}})
                ),
                request("c", json!({"conflicts": {"technology": ["d"]}})),
                request("d", json!({"must_attend": ["p1"]})),
                request("e", json!({"must_attend": ["p1"]})),
                request("quiet", json!({}))
            ]),
        )
    }

    #[test]
    fn edges_add_both_directions_and_shared_people() {
        let p = sample();
        let g = ConflictGraph::build(&p);
        let edge = |x: &str, y: &str| {
            let (nx, ny) = (
                g.node[p.group_index(x).unwrap()].unwrap(),
                g.node[p.group_index(y).unwrap()].unwrap(),
            );
            *g.graph
                .edge_weight(g.graph.find_edge(nx, ny).unwrap())
                .unwrap()
        };
        let ab = edge("a", "b");
        assert_eq!((ab.chair, ab.weight), (2, 200_000));
        assert_eq!(edge("d", "e").shared_people, 1);
        assert_eq!(edge("d", "e").weight, 10_000);
        assert_eq!(g.graph.edge_count(), 5); // ab, ac, bc, cd, de
    }

    #[test]
    fn severe_clique_and_components() {
        let p = sample();
        let g = ConflictGraph::build(&p);
        let clique = g.largest_clique(&p, ConflictEdge::is_severe);
        let names: Vec<&str> = clique.groups.iter().map(|&x| p.acronym(x)).collect();
        assert_eq!(names, ["a", "b", "c"]);
        // a has two sessions: four distinct sessions need four blocks.
        assert_eq!(clique.sessions.len(), 4);
        let (comps, isolated) = g.components(&p);
        assert_eq!(comps.len(), 1);
        assert_eq!(comps[0].len(), 5);
        assert_eq!(isolated, 1);
        assert_eq!(p.acronym(g.most_constrained(&p)[0].0), "a");
    }

    /// `sample` with d and e moved to the sec area.
    fn two_areas() -> Problem {
        let mut groups = wgs(&["a", "b", "c", "d", "e", "quiet"]);
        for g in groups.as_array_mut().unwrap() {
            if ["d", "e"].contains(&g["acronym"].as_str().unwrap()) {
                g["area"] = json!("sec");
            }
        }
        problem(
            groups,
            json!([
                request("a", json!({"conflicts": {"chair": ["b", "c"]}})),
                request("b", json!({"conflicts": {"key_participant": ["c"]}})),
                request("c", json!({"conflicts": {"technology": ["d"]}})),
                request("d", json!({"must_attend": ["p1"]})),
                request("e", json!({"must_attend": ["p1"]})),
                request("quiet", json!({}))
            ]),
        )
    }

    /// The quoted acronyms of a DOT text's nodes and its edges as `x--y`.
    fn drawn(dot: &str) -> (Vec<String>, Vec<String>) {
        let mut nodes = Vec::new();
        let mut edges = Vec::new();
        for line in dot.lines().map(str::trim) {
            let quoted: Vec<&str> = line.split('"').collect();
            if line.contains(" -- ") {
                edges.push(format!("{}--{}", quoted[1], quoted[3]));
            } else if line.starts_with('"') {
                nodes.push(quoted[1].to_string());
            }
        }
        (nodes, edges)
    }

    #[test]
    fn a_group_is_drawn_with_its_own_edges_and_its_neighbours() {
        let p = two_areas();
        let g = ConflictGraph::build(&p);
        let only = Selection::of(&p, &g, &[], &["C".to_string()]).unwrap();
        let dot = g.to_dot(&p, &only);
        let (nodes, edges) = drawn(&dot);
        assert_eq!(nodes, ["a", "b", "c", "d"]);
        // a--b joins two neighbours of c: left out, so the picture is c's.
        assert_eq!(edges, ["a--c", "b--c", "c--d"]);
        assert!(dot.contains("c and its neighbours"));
    }

    #[test]
    fn an_area_is_drawn_with_the_edges_inside_it() {
        let p = two_areas();
        let g = ConflictGraph::build(&p);
        let only = Selection::of(&p, &g, &["SEC".to_string()], &[]).unwrap();
        let (nodes, edges) = drawn(&g.to_dot(&p, &only));
        assert_eq!(nodes, ["d", "e"]);
        assert_eq!(edges, ["d--e"]);
        let all = drawn(&g.to_dot(&p, &Selection::all()));
        assert_eq!(all.0.len(), 6);
        assert_eq!(all.1.len(), 5);
    }

    #[test]
    fn an_unknown_area_or_group_is_named_with_the_fix() {
        let p = two_areas();
        let g = ConflictGraph::build(&p);
        let err = Selection::of(&p, &g, &["art".into()], &[]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "--area art: no group of this meeting is in that area; its areas are rtg, sec"
        );
        let err = Selection::of(&p, &g, &[], &["zz".into()]).unwrap_err();
        assert!(matches!(err, SelectionError::UnknownGroup { .. }));
    }

    #[test]
    fn the_legend_says_what_colours_and_shapes_mean() {
        let p = two_areas();
        let dot = ConflictGraph::build(&p).to_dot(&p, &Selection::all());
        let label = dot
            .lines()
            .find(|l| l.trim().starts_with("label=<"))
            .unwrap();
        for words in [
            "chair or shared chair",
            "key participant",
            "technology",
            "box: BoF",
            ">rtg<",
            ">sec<",
        ] {
            assert!(label.contains(words), "{words}: {label}");
        }
    }

    #[test]
    fn dot_is_deterministic_and_names_every_group() {
        let p = sample();
        let g = ConflictGraph::build(&p);
        let dot = g.to_dot(&p, &Selection::all());
        assert_eq!(dot, ConflictGraph::build(&p).to_dot(&p, &Selection::all()));
        assert!(dot.starts_with("graph conflicts {"));
        assert!(dot.contains("\"a\" -- \"b\" [color=red"));
        assert!(dot.contains("\"quiet\""));
    }
}
