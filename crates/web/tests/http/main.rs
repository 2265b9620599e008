//! HTTP tests of every route, through the real router.

mod accounts;
mod authorization;
mod block_reads_as_decline;
mod caching;
mod calendars;
mod canary;
mod csrf;
mod directory;
mod feeds;
mod groups;
mod held_requests;
mod hygiene;
mod lifecycle;
mod login;
mod member_mail;
mod membership;
mod openapi;
mod review;
mod room_access;
mod room_hardening;
mod rooms;
mod safety;
mod support;
mod waiting;
mod xss;
