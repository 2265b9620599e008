//! kith's domain: the types and rules of peer support groups, with no I/O.
//!
//! - [`group`]: a group's public profile, its private details, focus kinds,
//!   attributes, formats and listing status.
//! - [`zone`]: IANA time zones, parsed once at the edge.
//! - [`schedule`]: schedule rules in a group's own zone and their expansion
//!   into occurrences.
//! - [`directory`]: the directory's filters, parsed from untrusted input, and
//!   the UTC windows that the time filters become.
//! - [`text`]: search-text normalisation and slugs, identical for every
//!   database backend.
//! - [`ids`]: identifiers; public ones are random, never sequential.
//! - [`meeting_guide`]: the Meeting Guide format's type codes.
//! - [`membership`]: join policies and the life of a request to join.
//! - [`answer_time`]: how long a group's hosts usually take to answer.
//! - [`room`]: the live facilitation room's rules, as a state machine.

pub mod account;
pub mod answer_time;
pub mod directory;
pub mod group;
pub mod group_input;
pub mod ids;
pub mod listing;
pub mod meeting_guide;
pub mod membership;
pub mod room;
pub mod schedule;
pub mod text;
pub mod validation;
pub mod zone;
