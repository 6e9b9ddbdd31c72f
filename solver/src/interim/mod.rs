//! Interim meetings (ONLINE.md sections 1 and 2): online meetings of working groups
//! between IETF meetings, fair to every time zone, clear of IESG telechats and of the
//! weeks around IETF meetings, announced in time and named as the datatracker names
//! them.
//!
//! Data flows one way, as for agendas: parse ([`parse_request`]) → validate
//! ([`validate`], giving an [`InterimProblem`]) → candidates on the calendar → plan
//! ([`plan`]: greedy, then exact rounds on HiGHS with a proven bound) → document
//! ([`build_plan`]) → check ([`check_plan`], the evaluator, the single source of truth)
//! / render ([`render`]).

mod calendar;
mod evaluate;
mod explain;
pub(crate) mod generate;
mod model;
mod plan;
mod planner;
pub mod render;
mod request;
#[cfg(test)]
mod testing;

pub use calendar::{hour_pain, interim_name, parse_name, session_pain, Interval};
pub use evaluate::{
    assign_names, check_plan, evaluate, HardError, HardRule, InterimEvaluation, Placement,
};
pub use explain::{build_plan, Proof};
pub use generate::{after_meeting, AfterMeetingOptions, GenerateError};
pub use model::{
    default_zones, validate, ConflictClass, Existing, Group, InterimCostKind, InterimPenalties,
    InterimProblem, InterimValidation, Kind, MeetingRef, Request, Rules, Zone,
};
pub use plan::*;
pub use planner::{plan, PlanOptions, Planned};
pub use request::*;

use crate::load::LoadError;

/// Parses an `interim-request/1` document; `origin` names the source in errors.
pub fn parse_request(text: &str, origin: &str) -> Result<InterimRequestFile, LoadError> {
    crate::load::check_format(
        text,
        origin,
        INTERIM_REQUEST_FORMAT,
        "is this an interim plan? `agenda interim check REQUEST PLAN` takes the request first",
    )?;
    crate::load::parse(text, origin)
}

/// Parses an `interim-plan/1` document; `origin` names the source in errors.
pub fn parse_plan(text: &str, origin: &str) -> Result<InterimPlan, LoadError> {
    crate::load::check_format(
        text,
        origin,
        INTERIM_PLAN_FORMAT,
        "is this an interim request? `agenda interim check REQUEST PLAN` takes the plan second",
    )?;
    crate::load::parse(text, origin)
}

/// Plans a problem and builds its document: the plan's cost is the evaluator's.
pub fn plan_document(problem: &InterimProblem, options: &PlanOptions) -> InterimPlan {
    let planned = plan(problem, options);
    let proof = Proof {
        lower_bound: Some(planned.lower_bound),
        optimal: planned.optimal,
        notes: planned.notes.clone(),
    };
    build_plan(
        problem,
        &planned.placement,
        &planned.evaluation,
        &planned.candidates,
        &proof,
    )
}
