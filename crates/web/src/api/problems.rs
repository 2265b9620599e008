//! The error answers every operation can give, added to the OpenAPI
//! document after the routes are gathered: what the shared layers answer
//! (a body or parameter that cannot be read, a missing login, a cross-site
//! request, a database that is down) is the same everywhere, so it is
//! written once here rather than on each handler. Handlers document their
//! own (404, 409, 422, 429).

use utoipa::openapi::path::{Operation, PathItem};
use utoipa::openapi::{ContentBuilder, OpenApi, Ref, ResponseBuilder};

/// Adds the shared problem answers to every operation that lacks them.
pub fn add_shared_problems(doc: &mut OpenApi) {
    for item in doc.paths.paths.values_mut() {
        for (changes_state, operation) in operations(item) {
            let readable = operation.request_body.is_some()
                || operation.parameters.as_ref().is_some_and(|p| !p.is_empty());
            let needs_login = operation.security.as_ref().is_some_and(|s| !s.is_empty());
            let shared = [
                (
                    readable,
                    "400",
                    "A body, path or filter that cannot be read (`malformed_body`, `invalid_filter`)",
                ),
                (needs_login, "401", "Not logged in (`unauthenticated`)"),
                (
                    changes_state,
                    "403",
                    "A browser's request from another site, or without the CSRF token (`cross_site_request`)",
                ),
                (
                    true,
                    "500",
                    "Something went wrong on kith's side (`internal`)",
                ),
                (true, "503", "The database does not answer (`unavailable`)"),
            ];
            for (applies, status, description) in shared {
                if applies && !operation.responses.responses.contains_key(status) {
                    operation
                        .responses
                        .responses
                        .insert(status.to_owned(), problem(description).into());
                }
            }
        }
    }
}

fn operations(item: &mut PathItem) -> Vec<(bool, &mut Operation)> {
    [
        (false, item.get.as_mut()),
        (true, item.post.as_mut()),
        (true, item.put.as_mut()),
        (true, item.patch.as_mut()),
        (true, item.delete.as_mut()),
    ]
    .into_iter()
    .filter_map(|(changes, op)| op.map(|op| (changes, op)))
    .collect()
}

fn problem(description: &str) -> utoipa::openapi::Response {
    ResponseBuilder::new()
        .description(description)
        .content(
            "application/problem+json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("Problem")))
                .build(),
        )
        .build()
}
