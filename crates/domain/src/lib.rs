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
//! - [`text_diff`]: what changed in a text, sentence by sentence.
//! - [`ids`]: identifiers; public ones are random, never sequential.
//! - [`meeting_guide`]: the Meeting Guide format's type codes.
//! - [`membership`]: join policies and the life of a request to join.
//! - [`mail_category`]: the kinds of optional mail one may turn off.
//! - [`answer_time`]: how long a group's hosts usually take to answer.
//! - [`room`]: the live facilitation room's rules, as a state machine.
//! - [`helpline`]: the crisis page's lines, their kinds and opening hours.
//! - [`reader_country`]: the country a reader is probably in.
//! - [`reports`]: reports, their reasons, moderators' decisions, appeals.
//! - [`blocks`]: one member blocking another.
//! - [`story`]: members' stories — lengths, statuses, what leads where.
//! - [`resource`]: the resource library's pages, tags and files (PDF or
//!   EPUB, told by their bytes).
//! - [`journal`]: the private journal and taper log — check-ins,
//!   medicines, dose changes and the step between two doses.
//! - [`journal_reminder`]: the daily journal reminder's local time and
//!   when a day's reminder is due.
//! - [`newsletter`]: the mailing list's signup rules — address, first
//!   name, interests among those offered, how consent was given.
//! - [`newsletter_list`]: the mailing list as admins keep it: interests'
//!   labels and codes, the signup forms' words, the CSV import's rules.
//! - [`letter`]: letters to the mailing list — subject, body, audience,
//!   when one may be sent.

pub mod account;
pub mod answer_time;
pub mod blocks;
pub mod comment;
pub mod directory;
pub mod group;
pub mod group_input;
pub mod helpline;
pub mod ids;
pub mod journal;
pub mod journal_reminder;
pub mod letter;
pub mod listing;
pub mod mail_category;
pub mod meeting_guide;
pub mod membership;
pub mod newsletter;
pub mod newsletter_list;
pub mod reader_country;
pub mod reports;
pub mod resource;
pub mod room;
pub mod schedule;
pub mod story;
pub mod text;
pub mod text_diff;
pub mod validation;
pub mod zone;
