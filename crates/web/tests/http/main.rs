//! HTTP tests of every route, through the real router.

mod accounts;
mod authorization;
mod caching;
mod canary;
mod csrf;
mod directory;
mod feeds;
mod groups;
mod hygiene;
mod lifecycle;
mod member_mail;
mod membership;
mod review;
mod rooms;
mod safety;
mod support;
mod xss;
