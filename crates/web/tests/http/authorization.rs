//! The authorization matrix: every role against every route that shows or
//! changes a group, or the moderation and admin pages. A person who may not
//! see a thing gets 404, exactly as for a thing that does not exist.

use std::fmt;

use axum::http::StatusCode;
use kith_app::access::Person;
use kith_domain::account::Role;
use kith_domain::group::ListingStatus;
use serde_json::json;

use crate::support::{Browser, TestApp, TestResponse, group_pairs};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Anonymous,
    Stranger,
    Host,
    Cohost,
    Moderator,
    Admin,
}

const EVERYONE: [Who; 6] = [
    Who::Anonymous,
    Who::Stranger,
    Who::Host,
    Who::Cohost,
    Who::Moderator,
    Who::Admin,
];

/// What a person sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Seen {
    /// The page or the change.
    Allowed,
    /// Sent to log in (HTML) or 401 (API).
    Login,
    /// 404, as for nothing at all.
    Missing,
}

impl fmt::Display for Seen {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self:?}")
    }
}

fn seen(r: &TestResponse) -> Seen {
    match r.status {
        StatusCode::NOT_FOUND => Seen::Missing,
        StatusCode::UNAUTHORIZED => Seen::Login,
        StatusCode::SEE_OTHER if r.header("location").starts_with("/login") => Seen::Login,
        s if s.is_success() || s == StatusCode::SEE_OTHER => Seen::Allowed,
        other => panic!("unexpected {other}: {}", r.body),
    }
}

enum Call {
    Get(&'static str),
    Form(&'static str, &'static [(&'static str, &'static str)]),
    GroupForm(&'static str),
    Json(&'static str, &'static str, serde_json::Value),
}

struct Row {
    name: &'static str,
    status: ListingStatus,
    call: Call,
    /// Who is allowed; `Login` for the anonymous where the route needs one.
    allowed: &'static [Who],
    anonymous: Seen,
}

struct World {
    app: TestApp,
    people: Vec<(Who, Option<Person>)>,
    host: Person,
    cohost: Person,
}

impl World {
    async fn new() -> Self {
        let app = TestApp::empty().await;
        let host = app.account("Willow", Role::Member).await;
        let cohost = app.account("Alder", Role::Member).await;
        let stranger = app.account("Passerby", Role::Member).await;
        let moderator = app.account("Warden", Role::Moderator).await;
        let admin = app.account("Keeper", Role::Admin).await;
        app.account("Newcomer", Role::Member).await;
        let people = vec![
            (Who::Anonymous, None),
            (Who::Stranger, Some(stranger)),
            (Who::Host, Some(host.clone())),
            (Who::Cohost, Some(cohost.clone())),
            (Who::Moderator, Some(moderator)),
            (Who::Admin, Some(admin)),
        ];
        Self {
            app,
            people,
            host,
            cohost,
        }
    }

    async fn group(&self, status: ListingStatus) -> String {
        let slug = self
            .app
            .group_hosted_by(&self.host, "Matrix Circle", status)
            .await;
        let access = self.app.db.store.group_access(&slug).await.expect("access");
        self.app
            .db
            .store
            .add_host(access.id, self.cohost.id)
            .await
            .expect("cohost");
        slug.to_string()
    }

    async fn client(&self, person: &Option<Person>, api: bool) -> Browser {
        match person {
            None => {
                let mut browser = self.app.browser();
                browser.get("/login").await; // the anonymous CSRF cookie
                browser
            }
            Some(p) if api => self.app.api_as(p).await,
            Some(p) => {
                let mut browser = self.app.browser_as(p).await;
                browser.get("/").await;
                browser
            }
        }
    }
}

async fn perform(client: &mut Browser, call: &Call, slug: &str) -> TestResponse {
    let path = |p: &str| p.replace("{slug}", slug);
    match call {
        Call::Get(p) => client.get(&path(p)).await,
        Call::Form(p, fields) => client.post_form(&path(p), fields).await,
        Call::GroupForm(p) => {
            let owned = group_pairs("Matrix Circle Edited");
            let fields: Vec<(&str, &str)> = owned.iter().map(|(k, v)| (*k, v.as_str())).collect();
            client.post_form(&path(p), &fields).await
        }
        Call::Json(method, p, body) => client.json(method, &path(p), body.clone()).await,
    }
}

fn rows() -> Vec<Row> {
    use ListingStatus::{Listed, Pending, Rejected, Unlisted};
    use Who::*;
    let hosts: &'static [Who] = &[Host, Cohost];
    let readers: &'static [Who] = &[Host, Cohost, Moderator, Admin];
    let moderators: &'static [Who] = &[Moderator, Admin];
    let logged_in: &'static [Who] = &[Stranger, Host, Cohost, Moderator, Admin];
    let mut rows = vec![
        Row {
            name: "a listed group's page",
            status: Listed,
            call: Call::Get("/groups/{slug}"),
            allowed: &EVERYONE,
            anonymous: Seen::Allowed,
        },
        Row {
            name: "a listed group in the API",
            status: Listed,
            call: Call::Get("/api/v1/groups/{slug}"),
            allowed: &EVERYONE,
            anonymous: Seen::Allowed,
        },
        Row {
            name: "a listed group's calendar",
            status: Listed,
            call: Call::Get("/groups/{slug}/calendar.ics"),
            allowed: &EVERYONE,
            anonymous: Seen::Allowed,
        },
        Row {
            name: "edit page",
            status: Listed,
            call: Call::Get("/groups/{slug}/edit"),
            allowed: hosts,
            anonymous: Seen::Login,
        },
        Row {
            name: "edit form",
            status: Listed,
            call: Call::GroupForm("/groups/{slug}/edit"),
            allowed: hosts,
            anonymous: Seen::Login,
        },
        Row {
            name: "PATCH",
            status: Listed,
            call: Call::Json(
                "PATCH",
                "/api/v1/groups/{slug}",
                json!({"name": "Matrix Circle Patched"}),
            ),
            allowed: hosts,
            anonymous: Seen::Login,
        },
        Row {
            name: "unlist",
            status: Listed,
            call: Call::Form("/groups/{slug}/unlist", &[]),
            allowed: hosts,
            anonymous: Seen::Login,
        },
        Row {
            name: "unlist (API)",
            status: Listed,
            call: Call::Json("POST", "/api/v1/groups/{slug}/unlist", json!({})),
            allowed: hosts,
            anonymous: Seen::Login,
        },
        Row {
            name: "relist",
            status: Unlisted,
            call: Call::Form("/groups/{slug}/relist", &[]),
            allowed: hosts,
            anonymous: Seen::Login,
        },
        Row {
            name: "add a co-host",
            status: Listed,
            call: Call::Form("/groups/{slug}/cohosts", &[("handle", "Newcomer")]),
            allowed: hosts,
            anonymous: Seen::Login,
        },
        Row {
            name: "add a co-host (API)",
            status: Pending,
            call: Call::Json(
                "POST",
                "/api/v1/groups/{slug}/cohosts",
                json!({"handle": "Newcomer"}),
            ),
            allowed: hosts,
            anonymous: Seen::Login,
        },
        Row {
            name: "approve",
            status: Pending,
            call: Call::Form("/moderation/groups/{slug}/approve", &[]),
            allowed: moderators,
            anonymous: Seen::Login,
        },
        Row {
            name: "reject (API)",
            status: Pending,
            call: Call::Json(
                "POST",
                "/api/v1/moderation/groups/{slug}/reject",
                json!({"reason": "Say more."}),
            ),
            allowed: moderators,
            anonymous: Seen::Login,
        },
        Row {
            name: "approve (API)",
            status: Pending,
            call: Call::Json(
                "POST",
                "/api/v1/moderation/groups/{slug}/approve",
                json!({}),
            ),
            allowed: moderators,
            anonymous: Seen::Login,
        },
        Row {
            name: "moderator unlist",
            status: Listed,
            call: Call::Form(
                "/moderation/groups/{slug}/unlist",
                &[("reason", "Reports.")],
            ),
            allowed: moderators,
            anonymous: Seen::Login,
        },
        Row {
            name: "moderator unlist (API)",
            status: Listed,
            call: Call::Json(
                "POST",
                "/api/v1/moderation/groups/{slug}/unlist",
                json!({"reason": "Reports."}),
            ),
            allowed: moderators,
            anonymous: Seen::Login,
        },
        Row {
            name: "moderation queue",
            status: Pending,
            call: Call::Get("/moderation"),
            allowed: moderators,
            anonymous: Seen::Login,
        },
        Row {
            name: "moderation queue (API)",
            status: Pending,
            call: Call::Get("/api/v1/moderation/queue"),
            allowed: moderators,
            anonymous: Seen::Login,
        },
        Row {
            name: "change log (API)",
            status: Listed,
            call: Call::Get("/api/v1/moderation/changes"),
            allowed: moderators,
            anonymous: Seen::Login,
        },
        Row {
            name: "audit log",
            status: Listed,
            call: Call::Get("/admin"),
            allowed: &[Admin],
            anonymous: Seen::Login,
        },
        Row {
            name: "audit log (API)",
            status: Listed,
            call: Call::Get("/api/v1/admin/audit"),
            allowed: &[Admin],
            anonymous: Seen::Login,
        },
        Row {
            name: "safety text editor",
            status: Listed,
            call: Call::Get("/admin/safety"),
            allowed: &[Admin],
            anonymous: Seen::Login,
        },
        Row {
            name: "safety text (API)",
            status: Listed,
            call: Call::Json(
                "PUT",
                "/api/v1/admin/safety/GB",
                json!({"body": "Lines near you."}),
            ),
            allowed: &[Admin],
            anonymous: Seen::Login,
        },
        Row {
            name: "requests and members",
            status: Listed,
            call: Call::Get("/groups/{slug}/people"),
            allowed: hosts,
            anonymous: Seen::Login,
        },
        Row {
            name: "requests and members (API)",
            status: Listed,
            call: Call::Get("/api/v1/groups/{slug}/join-requests"),
            allowed: hosts,
            anonymous: Seen::Login,
        },
        Row {
            name: "member list (API)",
            status: Listed,
            call: Call::Get("/api/v1/groups/{slug}/members"),
            allowed: hosts,
            anonymous: Seen::Login,
        },
        Row {
            name: "make an invitation link",
            status: Listed,
            call: Call::Form("/groups/{slug}/invitations", &[("days", "7")]),
            allowed: hosts,
            anonymous: Seen::Login,
        },
        Row {
            name: "make an invitation link (API)",
            status: Listed,
            call: Call::Json("POST", "/api/v1/groups/{slug}/invitations", json!({})),
            allowed: hosts,
            anonymous: Seen::Login,
        },
        Row {
            name: "one's sessions page",
            status: Listed,
            call: Call::Get("/me/sessions"),
            allowed: logged_in,
            anonymous: Seen::Login,
        },
        Row {
            name: "one's notification preferences",
            status: Listed,
            call: Call::Get("/me/notifications"),
            allowed: logged_in,
            anonymous: Seen::Login,
        },
        Row {
            name: "the email change form",
            status: Listed,
            call: Call::Get("/me/email"),
            allowed: logged_in,
            anonymous: Seen::Login,
        },
        Row {
            name: "the password change form",
            status: Listed,
            call: Call::Get("/me/password"),
            allowed: logged_in,
            anonymous: Seen::Login,
        },
        Row {
            name: "the delete form",
            status: Listed,
            call: Call::Get("/me/delete"),
            allowed: logged_in,
            anonymous: Seen::Login,
        },
        Row {
            name: "one's export",
            status: Listed,
            call: Call::Get("/api/v1/me/export"),
            allowed: logged_in,
            anonymous: Seen::Login,
        },
        Row {
            name: "one's sessions in the API",
            status: Listed,
            call: Call::Get("/api/v1/me/sessions"),
            allowed: logged_in,
            anonymous: Seen::Login,
        },
        Row {
            name: "one's preferences in the API",
            status: Listed,
            call: Call::Get("/api/v1/me/notifications"),
            allowed: logged_in,
            anonymous: Seen::Login,
        },
        Row {
            name: "a session that is not one's own",
            status: Listed,
            call: Call::Json("DELETE", "/api/v1/me/sessions/0123456789abcdef", json!({})),
            allowed: &[],
            anonymous: Seen::Login,
        },
    ];
    for status in [Pending, Rejected, Unlisted] {
        rows.push(Row {
            name: "an unlisted, pending or rejected group's page",
            status,
            call: Call::Get("/groups/{slug}"),
            allowed: readers,
            anonymous: Seen::Missing,
        });
        rows.push(Row {
            name: "the same in the API",
            status,
            call: Call::Get("/api/v1/groups/{slug}"),
            allowed: readers,
            anonymous: Seen::Missing,
        });
        // The public calendar is for listed groups only, whoever asks.
        rows.push(Row {
            name: "its public calendar",
            status,
            call: Call::Get("/groups/{slug}/calendar.ics"),
            allowed: &[],
            anonymous: Seen::Missing,
        });
    }
    rows
}

#[tokio::test]
async fn every_role_sees_and_changes_only_what_it_may() {
    let world = World::new().await;
    let mut failures = Vec::new();
    let mut checked = 0;
    for row in rows() {
        let api = row.name.contains("API") || row.name == "PATCH";
        for (who, person) in &world.people {
            let slug = world.group(row.status).await;
            let mut client = world.client(person, api).await;
            let response = perform(&mut client, &row.call, &slug).await;
            let expected = match who {
                Who::Anonymous => row.anonymous,
                w if row.allowed.contains(w) => Seen::Allowed,
                _ => Seen::Missing,
            };
            let got = seen(&response);
            checked += 1;
            if got != expected {
                failures.push(format!(
                    "{} ({:?}) as {who:?}: expected {expected}, got {got} ({})",
                    row.name, row.status, response.status
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {checked}:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(checked >= 180, "{checked}");
}

#[tokio::test]
async fn a_group_that_does_not_exist_looks_the_same_to_everyone() {
    let world = World::new().await;
    let hidden = world.group(ListingStatus::Pending).await;
    for (who, person) in &world.people {
        if matches!(who, Who::Host | Who::Cohost | Who::Moderator | Who::Admin) {
            continue;
        }
        let mut client = world.client(person, false).await;
        let missing = client.get("/groups/no-such-group-zzzzz").await;
        let pending = client.get(&format!("/groups/{hidden}")).await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND);
        assert_eq!(
            (pending.status, pending.body.replace(&hidden, "")),
            (
                missing.status,
                missing.body.replace("no-such-group-zzzzz", "")
            ),
            "{who:?}"
        );
        let missing = client.get("/api/v1/groups/no-such-group-zzzzz").await;
        let pending = client.get(&format!("/api/v1/groups/{hidden}")).await;
        assert_eq!(
            (pending.status, pending.body),
            (missing.status, missing.body),
            "{who:?}"
        );
    }
}

#[tokio::test]
async fn private_fields_reach_only_hosts_and_moderators() {
    let world = World::new().await;
    let slug = world.group(ListingStatus::Listed).await;
    for (who, person) in &world.people {
        for path in [format!("/groups/{slug}"), format!("/api/v1/groups/{slug}")] {
            let mut client = world.client(person, path.contains("/api/")).await;
            let body = client.get(&path).await.body;
            let entitled = matches!(who, Who::Host | Who::Cohost | Who::Moderator | Who::Admin);
            assert_eq!(body.contains("PRIVATE-CANARY"), entitled, "{who:?} {path}");
            assert_eq!(body.contains("4242#"), entitled, "{who:?} {path}");
        }
    }
}
