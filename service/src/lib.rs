//! The gRPC service over `agenda-solver` (`agenda serve`).
//!
//! Not built yet: it is the subject of the gRPC service issue (session request intake,
//! persistence, solving and reports). This crate exists so the workspace has its final
//! shape; it exports nothing.
