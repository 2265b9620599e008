//! HTTP tests of every route, through the real router.

mod accounts;
mod csrf;
mod directory;
mod groups;
mod hygiene;
mod support;
