//! HTTP tests of every route, through the real router.

mod accounts;
mod authorization;
mod csrf;
mod directory;
mod feeds;
mod groups;
mod hygiene;
mod lifecycle;
mod review;
mod safety;
mod support;
mod xss;
