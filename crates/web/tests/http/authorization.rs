//! The authorization matrix, on both databases: every role — anonymous, a
//! stranger, host, co-host, moderator, admin, a member, someone waiting for
//! an answer — against every route that shows or changes a group, its
//! requests and threads, or the moderation and admin pages. A person who
//! may not see a thing gets 404, exactly as for a thing that does not exist.
//! Every answer's caching headers are checked too (`caching`): no one in
//! between keeps what one person was shown.

use std::fmt;

use axum::http::StatusCode;
use kith_app::access::Person;
use kith_domain::account::Role;
use kith_domain::group::ListingStatus;
use serde_json::json;

use kith_domain::comment::CommentStatus;
use kith_domain::ids::StoryId;
use kith_domain::membership::{Occupancy, RequestState};
use kith_domain::story::{StoryStatus, StoryText};

use crate::support::{Browser, TestApp, TestResponse, group_pairs, now};
use kith_domain::reports::{Reason, TargetKind};
use kith_store::comments::{NewAuthor, NewComment};
use kith_store::mail::NoMail;
use kith_store::moderation::StatusChange;
use kith_store::reports::NewReport;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Anonymous,
    Stranger,
    Host,
    Cohost,
    Moderator,
    Admin,
    /// An approved member of the group.
    Member,
    /// Someone whose request to join waits for the hosts.
    Waiting,
    /// Writes the resource library.
    Editor,
}

const EVERYONE: [Who; 9] = [
    Who::Anonymous,
    Who::Stranger,
    Who::Host,
    Who::Cohost,
    Who::Moderator,
    Who::Admin,
    Who::Member,
    Who::Waiting,
    Who::Editor,
];

/// What a person sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Seen {
    /// The page or the change (or the form, refusing one's own content
    /// with a 422, as a report form does).
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
        StatusCode::UNPROCESSABLE_ENTITY => Seen::Allowed,
        // One's own journal, locked in this session: the API's answer where
        // a page sends the member to `/journal` to open it.
        StatusCode::CONFLICT if r.body.contains("\"journal_locked\"") => Seen::Allowed,
        other => panic!("unexpected {other}: {}", r.body),
    }
}

/// A file the resource rows upload.
const PDF: &[u8] = b"%PDF-1.7\n%%EOF\n";

enum Call {
    Get(&'static str),
    Form(&'static str, &'static [(&'static str, &'static str)]),
    GroupForm(&'static str),
    Json(&'static str, &'static str, serde_json::Value),
    /// A resource form with its fields, as `multipart/form-data`.
    ResourceForm(&'static str),
    /// Raw bytes (a PDF) with a method.
    Bytes(&'static str, &'static str),
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
    member: Person,
    pending: Person,
    editor: Person,
    /// A check-in, a medicine and its dose change in the host's journal.
    journal: (String, String, String),
    /// Numbers each placement's resource.
    resources: std::sync::atomic::AtomicUsize,
}

/// A group made for one check, with the requests of its member and of the
/// person waiting.
struct Placed {
    slug: String,
    /// An open report of the listing, by its member.
    report: String,
    member_request: String,
    pending_request: String,
    meeting: String,
    /// A story by the host, waiting for review.
    story: String,
    /// A story by the host, published.
    published_story: String,
    /// A draft resource with a PDF, which only editors and admins see.
    resource: String,
    /// The member's comment on the published story.
    comment: String,
    /// The member's comment on the published story, held for review.
    held_comment: String,
    /// A check-in in the host's journal.
    checkin: String,
    /// A medicine in the host's taper log.
    medicine: String,
    /// A dose change of that medicine.
    dose: String,
}

impl World {
    async fn new() -> Self {
        Self::on(TestApp::empty().await).await
    }

    async fn on(app: TestApp) -> Self {
        let host = app.account("Willow", Role::Member).await;
        let cohost = app.account("Alder", Role::Member).await;
        let stranger = app.account("Passerby", Role::Member).await;
        let moderator = app.account("Warden", Role::Moderator).await;
        let admin = app.account("Keeper", Role::Admin).await;
        app.account("Newcomer", Role::Member).await;
        let editor = app.account("Scribe", Role::Editor).await;
        // An editor whose role the admin's "take" takes.
        app.account("Quill", Role::Editor).await;
        let member = app.account("Belonging", Role::Member).await;
        let pending = app.account("Waiting", Role::Member).await;
        let journal = journal_entries(&app, &host).await;
        let people = vec![
            (Who::Anonymous, None),
            (Who::Stranger, Some(stranger)),
            (Who::Host, Some(host.clone())),
            (Who::Cohost, Some(cohost.clone())),
            (Who::Moderator, Some(moderator)),
            (Who::Admin, Some(admin)),
            (Who::Member, Some(member.clone())),
            (Who::Waiting, Some(pending.clone())),
            (Who::Editor, Some(editor.clone())),
        ];
        Self {
            app,
            people,
            host,
            cohost,
            member,
            pending,
            editor,
            journal,
            resources: std::sync::atomic::AtomicUsize::new(0),
        }
    }

    /// A group in `status`, with its co-host, a member (who joined while it
    /// was listed) and someone waiting.
    async fn group(&self, status: ListingStatus) -> Placed {
        let store = self.app.db.store.as_ref();
        let slug = self
            .app
            .group_hosted_by(&self.host, "Matrix Circle", ListingStatus::Listed)
            .await;
        let access = store.group_access(&slug).await.expect("access");
        store
            .add_host(access.id, self.cohost.id)
            .await
            .expect("cohost");
        let mut requests = Vec::new();
        for (person, state) in [
            (&self.member, RequestState::Approved),
            (&self.pending, RequestState::Pending),
        ] {
            let step = move |_: Option<RequestState>, _: Occupancy| Ok(state);
            let asked = store
                .ask_to_join(access.id, person.id, "", &step, &NoMail, now())
                .await
                .expect("ask")
                .expect("asked");
            requests.push(asked.request.id.to_string());
        }
        if status != ListingStatus::Listed {
            let note = matches!(status, ListingStatus::Rejected).then_some("Please say more.");
            store
                .set_group_status(
                    access.id,
                    StatusChange::new(ListingStatus::Listed, status),
                    note,
                    None,
                    &NoMail,
                    now(),
                )
                .await
                .expect("status");
        }
        let report = NewReport {
            reporter: Some(self.member.id),
            kind: TargetKind::Group,
            target_id: access.id.0,
            target_ref: "",
            author: Some(self.host.id),
            excerpt: "Matrix Circle",
            reason: Reason::Spam,
            details: "",
        };
        let (report, _) = store.create_report(&report, now()).await.expect("report");
        let meeting = store
            .upcoming_occurrences(&slug, now(), 1)
            .await
            .expect("meetings")[0]
            .id
            .to_string();
        let n = self
            .resources
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let input = kith_domain::resource::ResourceInput {
            title: format!("Matrix draft {n}"),
            summary: "A draft.".into(),
            body: "Not yet.".into(),
            status: "draft".into(),
            ..Default::default()
        };
        let upload = kith_app::resources::Upload {
            name: "draft.pdf".into(),
            bytes: PDF.to_vec(),
            max_bytes: 1024,
        };
        let resource = kith_app::resources::create(
            &self.app.context,
            &self.editor,
            &input,
            Some(upload),
            now(),
        )
        .await
        .expect("resource")
        .slug;
        let mut stories = Vec::new();
        for status in [StoryStatus::Pending, StoryStatus::Published] {
            let id = StoryId::random();
            let text = StoryText {
                title: "Matrix story".to_owned(),
                body: "What the group gave me, week by week.".to_owned(),
                anonymous: true,
            };
            store
                .create_story(&id, self.host.id, &text, status, &NoMail, now())
                .await
                .expect("story");
            stories.push(id.to_string());
        }
        let on_story = store
            .story_subject(&StoryId::parse(&stories[1]).expect("story id"))
            .await
            .expect("story")
            .subject;
        // Written two hours ago: the member's own comments in the rows
        // must not meet a new account's hourly limit.
        let earlier = now() - jiff::SignedDuration::from_hours(2);
        let mut comments = Vec::new();
        for status in [CommentStatus::Published, CommentStatus::Held] {
            let comment = NewComment {
                subject: on_story,
                parent: None,
                author: NewAuthor::Member(self.member.id),
                group: None,
                body: "What helped me too.",
                status,
            };
            let posted = store
                .post_comment(&comment, &NoMail, &NoMail, earlier)
                .await
                .expect("comment")
                .expect("allowed");
            comments.push(posted.id.to_string());
        }
        Placed {
            checkin: self.journal.0.clone(),
            medicine: self.journal.1.clone(),
            dose: self.journal.2.clone(),
            comment: comments.remove(0),
            held_comment: comments.remove(0),
            report: report.to_string(),
            resource,
            meeting,
            story: stories.remove(0),
            published_story: stories.remove(0),
            slug: slug.to_string(),
            member_request: requests.remove(0),
            pending_request: requests.remove(0),
        }
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

async fn perform(client: &mut Browser, call: &Call, placed: &Placed) -> TestResponse {
    let path = |p: &str| {
        p.replace("{slug}", &placed.slug)
            .replace("{request}", &placed.member_request)
            .replace("{pending}", &placed.pending_request)
            .replace("{meeting}", &placed.meeting)
            .replace("{report}", &placed.report)
            .replace("{story}", &placed.story)
            .replace("{published}", &placed.published_story)
            .replace("{resource}", &placed.resource)
            .replace("{comment}", &placed.comment)
            .replace("{held}", &placed.held_comment)
            .replace("{checkin}", &placed.checkin)
            .replace("{medicine}", &placed.medicine)
            .replace("{dose}", &placed.dose)
    };
    match call {
        Call::Get(p) => client.get(&path(p)).await,
        Call::Form(p, fields) => client.post_form(&path(p), fields).await,
        Call::GroupForm(p) => {
            let owned = group_pairs("Matrix Circle Edited");
            let fields: Vec<(&str, &str)> = owned.iter().map(|(k, v)| (*k, v.as_str())).collect();
            client.post_form(&path(p), &fields).await
        }
        Call::Json(method, p, body) => {
            let body = serde_json::from_str(&path(&body.to_string())).expect("json");
            client.json(method, &path(p), body).await
        }
        Call::ResourceForm(p) => {
            let title = format!("Form {}", placed.resource);
            let fields = [
                ("title", title.as_str()),
                ("summary", "Edited."),
                ("body", "Text."),
                ("status", "draft"),
            ];
            client
                .post_multipart(&path(p), &fields, Some(("a.pdf", PDF)))
                .await
        }
        Call::Bytes(method, p) => {
            client
                .send_bytes(method, &path(p), "application/pdf", PDF.to_vec())
                .await
        }
    }
}

fn rows() -> Vec<Row> {
    use ListingStatus::{Listed, Pending, Rejected, Unlisted};
    use Who::*;
    let hosts: &'static [Who] = &[Host, Cohost];
    // Members keep their group when it is unlisted or back in review.
    let readers: &'static [Who] = &[Host, Cohost, Moderator, Admin, Member];
    let thread: &'static [Who] = &[Host, Cohost, Member];
    let moderators: &'static [Who] = &[Moderator, Admin];
    let logged_in: &'static [Who] = &[
        Stranger, Host, Cohost, Moderator, Admin, Member, Waiting, Editor,
    ];
    // The host writes the matrix's stories.
    let author: &'static [Who] = &[Host];
    let story_readers: &'static [Who] = &[Host, Moderator, Admin];
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
            name: "a newcomer's join (API), for a group in review",
            status: Pending,
            call: Call::Json(
                "POST",
                "/api/v1/groups/{slug}/newcomers",
                json!({"handle": "Matrix-Newcomer", "email": "matrix-newcomer@example.org",
                       "password": "a long and quiet river walk", "answer": "Yes."}),
            ),
            allowed: &[],
            anonymous: Seen::Missing,
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
            name: "moderator unlist page",
            status: Listed,
            call: Call::Get("/moderation/groups/{slug}/unlist"),
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
            name: "reports queue",
            status: Listed,
            call: Call::Get("/moderation/reports"),
            allowed: moderators,
            anonymous: Seen::Login,
        },
        Row {
            name: "reports queue (API)",
            status: Listed,
            call: Call::Get("/api/v1/moderation/reports"),
            allowed: moderators,
            anonymous: Seen::Login,
        },
        // Anyone reports what they may see, visitors too (the API is for
        // members); hosts and authors get the form refusing their own.
        Row {
            name: "report form of a listed group",
            status: Listed,
            call: Call::Get("/report?kind=group&target={slug}"),
            allowed: &EVERYONE,
            anonymous: Seen::Allowed,
        },
        Row {
            name: "report form of an unlisted group",
            status: Unlisted,
            call: Call::Get("/report?kind=group&target={slug}"),
            allowed: readers,
            anonymous: Seen::Missing,
        },
        Row {
            name: "report form of a published story",
            status: Listed,
            call: Call::Get("/report?kind=story&target={published}"),
            allowed: &EVERYONE,
            anonymous: Seen::Allowed,
        },
        Row {
            name: "report form of a story waiting for review",
            status: Listed,
            call: Call::Get("/report?kind=story&target={story}"),
            allowed: story_readers,
            anonymous: Seen::Missing,
        },
        Row {
            name: "report a person",
            status: Listed,
            call: Call::Form(
                "/report",
                &[
                    ("kind", "person"),
                    ("target", "Newcomer"),
                    ("reason", "spam"),
                    ("shown_at", "0"),
                ],
            ),
            allowed: &EVERYONE,
            anonymous: Seen::Allowed,
        },
        Row {
            name: "report a person (API)",
            status: Listed,
            call: Call::Json(
                "POST",
                "/api/v1/reports",
                json!({"kind": "person", "target": "Newcomer", "reason": "spam"}),
            ),
            allowed: logged_in,
            anonymous: Seen::Login,
        },
        Row {
            name: "decide a report",
            status: Listed,
            call: Call::Form(
                "/moderation/reports/{report}",
                &[("action", "dismiss"), ("why", "Nothing to act on.")],
            ),
            allowed: moderators,
            anonymous: Seen::Login,
        },
        Row {
            name: "decide a report (API)",
            status: Listed,
            call: Call::Json(
                "POST",
                "/api/v1/moderation/reports/{report}/decision",
                json!({"action": "dismiss", "why": "Nothing to act on."}),
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
            name: "held comments",
            status: Listed,
            call: Call::Get("/moderation/comments"),
            allowed: moderators,
            anonymous: Seen::Login,
        },
        Row {
            name: "held comments (API)",
            status: Listed,
            call: Call::Get("/api/v1/moderation/comments"),
            allowed: moderators,
            anonymous: Seen::Login,
        },
        // The member wrote both comments: an author decides nothing.
        Row {
            name: "hide a comment",
            status: Listed,
            call: Call::Form("/moderation/comments/{comment}/hide", &[]),
            allowed: moderators,
            anonymous: Seen::Login,
        },
        Row {
            name: "publish a held comment (API)",
            status: Listed,
            call: Call::Json(
                "POST",
                "/api/v1/moderation/comments/{held}/publish",
                json!({}),
            ),
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
            name: "about page editor",
            status: Listed,
            call: Call::Get("/admin/about"),
            allowed: &[Admin],
            anonymous: Seen::Login,
        },
        Row {
            name: "about page (form)",
            status: Listed,
            call: Call::Form("/admin/about", &[("body", "Run by Ana.")]),
            allowed: &[Admin],
            anonymous: Seen::Login,
        },
        Row {
            name: "about page (API)",
            status: Listed,
            call: Call::Json("PUT", "/api/v1/admin/about", json!({"body": "Run by Ana."})),
            allowed: &[Admin],
            anonymous: Seen::Login,
        },
        Row {
            name: "a story waiting for review",
            status: Listed,
            call: Call::Get("/stories/{story}"),
            allowed: story_readers,
            anonymous: Seen::Missing,
        },
        Row {
            name: "a story waiting for review (API)",
            status: Listed,
            call: Call::Get("/api/v1/stories/{story}"),
            allowed: story_readers,
            anonymous: Seen::Missing,
        },
        Row {
            name: "a published story",
            status: Listed,
            call: Call::Get("/stories/{published}"),
            allowed: &EVERYONE,
            anonymous: Seen::Allowed,
        },
        Row {
            name: "a published story's comments (API)",
            status: Listed,
            call: Call::Get("/api/v1/stories/{published}/comments"),
            allowed: &EVERYONE,
            anonymous: Seen::Allowed,
        },
        Row {
            name: "a waiting story's comments (API)",
            status: Listed,
            call: Call::Get("/api/v1/stories/{story}/comments"),
            allowed: story_readers,
            anonymous: Seen::Missing,
        },
        Row {
            name: "commenting on a published story (API)",
            status: Listed,
            call: Call::Json(
                "POST",
                "/api/v1/stories/{published}/comments",
                json!({"body": "Thank you for this."}),
            ),
            allowed: logged_in,
            anonymous: Seen::Login,
        },
        Row {
            name: "commenting on a waiting story",
            status: Listed,
            call: Call::Form("/stories/{story}/comments", &[("body", "Thank you.")]),
            allowed: &[],
            anonymous: Seen::Missing,
        },
        Row {
            name: "commenting on a published story (a guest's form reads like success)",
            status: Listed,
            call: Call::Form("/stories/{published}/comments", &[("body", "Thank you.")]),
            allowed: &EVERYONE,
            anonymous: Seen::Allowed,
        },
        Row {
            name: "a draft resource's comments (API)",
            status: Listed,
            call: Call::Get("/api/v1/resources/{resource}/comments"),
            allowed: &[Admin, Editor],
            anonymous: Seen::Missing,
        },
        Row {
            name: "commenting on a draft resource",
            status: Listed,
            call: Call::Form(
                "/resources/{resource}/comments",
                &[("body", "Early words.")],
            ),
            allowed: &[],
            anonymous: Seen::Missing,
        },
        Row {
            name: "commenting on a draft resource (API)",
            status: Listed,
            call: Call::Json(
                "POST",
                "/api/v1/resources/{resource}/comments",
                json!({"body": "Early words."}),
            ),
            allowed: &[],
            anonymous: Seen::Login,
        },
        Row {
            name: "a published story (API)",
            status: Listed,
            call: Call::Get("/api/v1/stories/{published}"),
            allowed: &EVERYONE,
            anonymous: Seen::Allowed,
        },
        Row {
            name: "a story's edit page",
            status: Listed,
            call: Call::Get("/stories/{published}/edit"),
            allowed: author,
            anonymous: Seen::Login,
        },
        Row {
            name: "a story's edit form",
            status: Listed,
            call: Call::Form(
                "/stories/{story}/edit",
                &[
                    ("title", "Edited"),
                    ("story", "What the group gave me, again."),
                ],
            ),
            allowed: author,
            anonymous: Seen::Login,
        },
        Row {
            name: "a story's edit (API)",
            status: Listed,
            call: Call::Json(
                "PATCH",
                "/api/v1/stories/{published}",
                json!({"title": "Edited"}),
            ),
            allowed: author,
            anonymous: Seen::Login,
        },
        Row {
            name: "withdrawing a story: the question",
            status: Listed,
            call: Call::Get("/stories/{published}/withdraw"),
            allowed: author,
            anonymous: Seen::Login,
        },
        Row {
            name: "withdrawing a story",
            status: Listed,
            call: Call::Form("/stories/{published}/withdraw", &[("confirm", "on")]),
            allowed: author,
            anonymous: Seen::Login,
        },
        Row {
            name: "withdrawing a story (API)",
            status: Listed,
            call: Call::Json("DELETE", "/api/v1/stories/{story}", json!({})),
            allowed: author,
            anonymous: Seen::Login,
        },
        Row {
            name: "publish a story",
            status: Listed,
            call: Call::Form("/moderation/stories/{story}/publish", &[]),
            allowed: moderators,
            anonymous: Seen::Login,
        },
        Row {
            name: "publish a story (API)",
            status: Listed,
            call: Call::Json(
                "POST",
                "/api/v1/moderation/stories/{story}/publish",
                json!({}),
            ),
            allowed: moderators,
            anonymous: Seen::Login,
        },
        Row {
            name: "decline a story (API)",
            status: Listed,
            call: Call::Json(
                "POST",
                "/api/v1/moderation/stories/{story}/decline",
                json!({"review_note": "Please leave out the clinic's name."}),
            ),
            allowed: moderators,
            anonymous: Seen::Login,
        },
        Row {
            name: "stories waiting for review (API)",
            status: Listed,
            call: Call::Get("/api/v1/moderation/stories"),
            allowed: moderators,
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
        Row {
            name: "a member's request",
            status: Listed,
            call: Call::Get("/requests/{request}"),
            allowed: thread,
            anonymous: Seen::Login,
        },
        Row {
            name: "a member's request (API)",
            status: Listed,
            call: Call::Get("/api/v1/join-requests/{request}"),
            allowed: thread,
            anonymous: Seen::Login,
        },
        Row {
            name: "its thread (API)",
            status: Listed,
            call: Call::Get("/api/v1/join-requests/{request}/messages"),
            allowed: thread,
            anonymous: Seen::Login,
        },
        Row {
            name: "writing in it (API)",
            status: Listed,
            call: Call::Json(
                "POST",
                "/api/v1/join-requests/{request}/messages",
                json!({"text": "Hello."}),
            ),
            allowed: thread,
            anonymous: Seen::Login,
        },
        Row {
            name: "writing in it",
            status: Listed,
            call: Call::Form("/requests/{request}/messages", &[("text", "Hello.")]),
            allowed: thread,
            anonymous: Seen::Login,
        },
        Row {
            name: "approving a waiting request (API)",
            status: Listed,
            call: Call::Json("POST", "/api/v1/join-requests/{pending}/approve", json!({})),
            allowed: hosts,
            anonymous: Seen::Login,
        },
        Row {
            name: "declining a waiting request",
            status: Listed,
            call: Call::Form("/requests/{pending}/decline", &[("confirmed", "yes")]),
            allowed: hosts,
            anonymous: Seen::Login,
        },
        Row {
            name: "asking before declining a waiting request",
            status: Listed,
            call: Call::Form("/requests/{pending}/decline", &[]),
            allowed: hosts,
            anonymous: Seen::Login,
        },
        Row {
            name: "removing a member (API)",
            status: Listed,
            call: Call::Json("POST", "/api/v1/join-requests/{request}/remove", json!({})),
            allowed: hosts,
            anonymous: Seen::Login,
        },
        Row {
            name: "blocking someone",
            status: Listed,
            call: Call::Form("/requests/{pending}/block", &[("confirmed", "yes")]),
            allowed: hosts,
            anonymous: Seen::Login,
        },
        Row {
            name: "asking before blocking someone",
            status: Listed,
            call: Call::Form("/requests/{pending}/block", &[]),
            allowed: hosts,
            anonymous: Seen::Login,
        },
        Row {
            name: "withdrawing a waiting request (API)",
            status: Listed,
            call: Call::Json(
                "POST",
                "/api/v1/join-requests/{pending}/withdraw",
                json!({}),
            ),
            allowed: &[Waiting],
            anonymous: Seen::Login,
        },
        Row {
            name: "leaving the group",
            status: Listed,
            call: Call::Form("/requests/{request}/withdraw", &[("confirmed", "yes")]),
            allowed: &[Member],
            anonymous: Seen::Login,
        },
        Row {
            name: "asking before leaving the group",
            status: Listed,
            call: Call::Form("/requests/{request}/withdraw", &[]),
            allowed: &[Member],
            anonymous: Seen::Login,
        },
        Row {
            name: "a meeting's room",
            status: Listed,
            call: Call::Get("/meetings/{meeting}/room"),
            allowed: thread,
            anonymous: Seen::Login,
        },
        Row {
            name: "the room settings",
            status: Listed,
            call: Call::Form(
                "/groups/{slug}/room-settings",
                &[
                    ("turn_minutes", "4"),
                    ("opens_minutes", "10"),
                    ("closes_minutes", "20"),
                ],
            ),
            allowed: hosts,
            anonymous: Seen::Login,
        },
        Row {
            name: "the close page",
            status: Listed,
            call: Call::Get("/groups/{slug}/close"),
            allowed: hosts,
            anonymous: Seen::Login,
        },
        Row {
            name: "closing (API)",
            status: Listed,
            call: Call::Json("DELETE", "/api/v1/groups/{slug}", json!({})),
            allowed: hosts,
            anonymous: Seen::Login,
        },
        Row {
            name: "announcing",
            status: Listed,
            call: Call::Form(
                "/groups/{slug}/announcements",
                &[("text", "Hello, members.")],
            ),
            allowed: hosts,
            anonymous: Seen::Login,
        },
        Row {
            name: "will you come",
            status: Listed,
            call: Call::Form("/meetings/{meeting}/rsvp", &[("attending", "yes")]),
            allowed: readers,
            anonymous: Seen::Login,
        },
        Row {
            name: "will you come (API)",
            status: Listed,
            call: Call::Json(
                "PUT",
                "/api/v1/meetings/{meeting}/rsvp",
                json!({"attending": true}),
            ),
            allowed: readers,
            anonymous: Seen::Login,
        },
        Row {
            name: "cancelling one meeting",
            status: Listed,
            call: Call::Form("/groups/{slug}/meetings/{meeting}/cancel", &[("note", "")]),
            allowed: hosts,
            anonymous: Seen::Login,
        },
        Row {
            name: "cancelling one meeting (API)",
            status: Listed,
            call: Call::Json(
                "POST",
                "/api/v1/groups/{slug}/meetings/{meeting}/cancel",
                json!({}),
            ),
            allowed: hosts,
            anonymous: Seen::Login,
        },
        Row {
            name: "relisting (API)",
            status: Unlisted,
            call: Call::Json("POST", "/api/v1/groups/{slug}/relist", json!({})),
            allowed: hosts,
            anonymous: Seen::Login,
        },
        Row {
            name: "announcing (API)",
            status: Listed,
            call: Call::Json(
                "POST",
                "/api/v1/groups/{slug}/announcements",
                json!({"text": "Hello, members."}),
            ),
            allowed: hosts,
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
    rows.extend(resource_rows());
    rows.extend(journal_rows());
    rows
}

/// The host's journal, started in a session of its own, with one
/// check-in and one medicine with a dose change; answers their ids. The matrix's sessions
/// begin without the password, so even the host's find it locked.
async fn journal_entries(app: &TestApp, host: &Person) -> (String, String, String) {
    use kith_app::accounts;
    use kith_domain::journal::CheckinInput;
    use kith_store::accounts::SessionKind;
    let session =
        accounts::start_session(&app.context, host.id, SessionKind::Browser, false, now())
            .await
            .expect("session");
    kith_app::journal::create(
        &app.context,
        host,
        crate::support::PASSWORD,
        &session.token,
        now(),
    )
    .await
    .expect("journal");
    let input = CheckinInput {
        day: "2026-05-30".into(),
        mood: "3".into(),
        ..CheckinInput::default()
    };
    let zone = kith_domain::zone::Zone::utc();
    let checkin =
        kith_app::journal::add_checkin(&app.context, host, &session.token, &input, &zone, now())
            .await
            .expect("check-in");
    let medicine =
        kith_app::journal::add_medicine(&app.context, host, &session.token, "Matrixol", now())
            .await
            .expect("medicine");
    let dose = kith_domain::journal::DoseInput {
        day: "2026-05-30".into(),
        amount: "10".into(),
        unit: "mg".into(),
        note: String::new(),
    };
    let dose = kith_app::journal::add_dose(
        &app.context,
        host,
        &session.token,
        &medicine,
        &dose,
        &zone,
        now(),
    )
    .await
    .expect("dose");
    (checkin.to_string(), medicine.to_string(), dose.to_string())
}

/// The journal: one's own for every member; a check-in's pages for its
/// writer only (whose locked session is sent to `/journal`), 404 for
/// everyone else. Starting, opening and recovering it count against the
/// login limits, so they are proved in `journal.rs`, not eight times here.
fn journal_rows() -> Vec<Row> {
    use Who::*;
    let logged_in: &'static [Who] = &[
        Stranger, Host, Cohost, Moderator, Admin, Member, Waiting, Editor,
    ];
    let writer: &'static [Who] = &[Host];
    let row = |name, call, allowed| Row {
        name,
        status: ListingStatus::Listed,
        call,
        allowed,
        anonymous: Seen::Login,
    };
    const CHECKIN: &[(&str, &str)] = &[("day", "2026-05-30"), ("mood", "4")];
    vec![
        row("one's journal", Call::Get("/journal"), logged_in),
        row(
            "adding a check-in",
            Call::Form("/journal/checkins", CHECKIN),
            logged_in,
        ),
        row(
            "locking one's journal",
            Call::Form("/journal/lock", &[]),
            logged_in,
        ),
        row(
            "saying the recovery code is saved",
            Call::Form("/journal/recovery-saved", &[]),
            logged_in,
        ),
        row(
            "a check-in's edit form",
            Call::Get("/journal/checkins/{checkin}/edit"),
            writer,
        ),
        row(
            "editing a check-in",
            Call::Form("/journal/checkins/{checkin}/edit", CHECKIN),
            writer,
        ),
        row(
            "a check-in's delete page",
            Call::Get("/journal/checkins/{checkin}/delete"),
            writer,
        ),
        row(
            "deleting a check-in",
            Call::Form("/journal/checkins/{checkin}/delete", &[]),
            writer,
        ),
        row(
            "a check-in's share page",
            Call::Get("/journal/checkins/{checkin}/share"),
            writer,
        ),
        row(
            "sharing a check-in into a room",
            Call::Form(
                "/journal/checkins/{checkin}/share",
                &[("room", "0123456789abcdef0123456789abcdef")],
            ),
            writer,
        ),
        row(
            "choosing the daily journal reminder",
            Call::Form(
                "/journal/reminder",
                &[("reminder", "on"), ("reminder_time", "08:00")],
            ),
            logged_in,
        ),
        row("one's taper log", Call::Get("/journal/taper"), logged_in),
        row("one's charts", Call::Get("/journal/charts"), logged_in),
        row(
            "one's charts, everything",
            Call::Get("/journal/charts?range=all"),
            logged_in,
        ),
        row(
            "adding a medicine",
            Call::Form("/journal/taper", &[("name", "Another")]),
            logged_in,
        ),
        row(
            "a medicine's doses",
            Call::Get("/journal/taper/{medicine}"),
            writer,
        ),
        row(
            "adding a dose change",
            Call::Form(
                "/journal/taper/{medicine}/doses",
                &[("day", "2026-05-30"), ("amount", "10"), ("unit", "mg")],
            ),
            writer,
        ),
        // Changing the taper log, exporting, importing and the recovery
        // code (issue 22's last pages).
        row(
            "a medicine's rename form",
            Call::Get("/journal/taper/{medicine}/edit"),
            writer,
        ),
        row(
            "renaming a medicine",
            Call::Form("/journal/taper/{medicine}/edit", &[("name", "Renamed")]),
            writer,
        ),
        row(
            "a medicine's delete page",
            Call::Get("/journal/taper/{medicine}/delete"),
            writer,
        ),
        row(
            "deleting a medicine",
            Call::Form("/journal/taper/{medicine}/delete", &[]),
            writer,
        ),
        row(
            "a dose change's edit form",
            Call::Get("/journal/taper/{medicine}/doses/{dose}/edit"),
            writer,
        ),
        row(
            "editing a dose change",
            Call::Form(
                "/journal/taper/{medicine}/doses/{dose}/edit",
                &[("day", "2026-05-30"), ("amount", "9"), ("unit", "mg")],
            ),
            writer,
        ),
        row(
            "a dose change's delete page",
            Call::Get("/journal/taper/{medicine}/doses/{dose}/delete"),
            writer,
        ),
        row(
            "deleting a dose change",
            Call::Form("/journal/taper/{medicine}/doses/{dose}/delete", &[]),
            writer,
        ),
        row("one's export page", Call::Get("/journal/export"), logged_in),
        row(
            "downloading one's journal",
            Call::Get("/journal/export/journal.json"),
            logged_in,
        ),
        row(
            "downloading one's dose changes",
            Call::Get("/journal/export/doses.csv"),
            logged_in,
        ),
        row("one's import page", Call::Get("/journal/import"), logged_in),
        row(
            "importing into one's journal",
            Call::ResourceForm("/journal/import"),
            logged_in,
        ),
        row(
            "the new recovery code page",
            Call::Get("/journal/recovery-code"),
            logged_in,
        ),
    ]
    .into_iter()
    .chain(journal_api_rows())
    .collect()
}

/// The journal's API: its state for every member; everything in it for
/// its writer only (whose locked session is 409 `journal_locked`). Others
/// have no journal, so even their own lists are 404 `no_journal`, and
/// the writer's ids are 404 to them as to anyone.
fn journal_api_rows() -> Vec<Row> {
    use Who::*;
    let logged_in: &'static [Who] = &[
        Stranger, Host, Cohost, Moderator, Admin, Member, Waiting, Editor,
    ];
    let writer: &'static [Who] = &[Host];
    let row = |name, call, allowed| Row {
        name,
        status: ListingStatus::Listed,
        call,
        allowed,
        anonymous: Seen::Login,
    };
    vec![
        row(
            "the journal's state in the API",
            Call::Get("/api/v1/me/journal"),
            logged_in,
        ),
        row(
            "one's check-ins in the API",
            Call::Get("/api/v1/me/journal/checkins"),
            writer,
        ),
        row(
            "a check-in in the API",
            Call::Get("/api/v1/me/journal/checkins/{checkin}"),
            writer,
        ),
        row(
            "replacing a check-in in the API",
            Call::Json(
                "PUT",
                "/api/v1/me/journal/checkins/{checkin}",
                json!({"day": "2026-05-30", "mood": 4}),
            ),
            writer,
        ),
        row(
            "deleting a check-in in the API",
            Call::Json("DELETE", "/api/v1/me/journal/checkins/{checkin}", json!({})),
            writer,
        ),
        row(
            "a medicine in the API",
            Call::Get("/api/v1/me/journal/medicines/{medicine}"),
            writer,
        ),
        row(
            "renaming a medicine in the API",
            Call::Json(
                "PUT",
                "/api/v1/me/journal/medicines/{medicine}",
                json!({"name": "Renamed"}),
            ),
            writer,
        ),
        row(
            "a medicine's doses in the API",
            Call::Get("/api/v1/me/journal/doses?medicine={medicine}"),
            writer,
        ),
        row(
            "noting a dose in the API",
            Call::Json(
                "POST",
                "/api/v1/me/journal/doses",
                json!({"medicine": "{medicine}", "day": "2026-05-30", "amount": 10, "unit": "mg"}),
            ),
            writer,
        ),
        row(
            "the journal's export in the API",
            Call::Get("/api/v1/me/journal/export"),
            writer,
        ),
    ]
}

/// The resource library: drafts and every change for editors and admins
/// only; the editor list for admins only.
fn resource_rows() -> Vec<Row> {
    use Who::*;
    let everyone: &'static [Who] = &EVERYONE;
    let editors: &'static [Who] = &[Editor, Admin];
    let row = |name, call, allowed, anonymous| Row {
        name,
        status: ListingStatus::Listed,
        call,
        allowed,
        anonymous,
    };
    vec![
        row(
            "the resource index",
            Call::Get("/resources"),
            everyone,
            Seen::Allowed,
        ),
        row(
            "the resource feed",
            Call::Get("/resources/feed.atom"),
            everyone,
            Seen::Allowed,
        ),
        row(
            "a draft resource",
            Call::Get("/resources/{resource}"),
            editors,
            Seen::Missing,
        ),
        row(
            "a draft's file",
            Call::Get("/resources/{resource}/file"),
            editors,
            Seen::Missing,
        ),
        row(
            "the new resource form",
            Call::Get("/resources/new"),
            editors,
            Seen::Login,
        ),
        row(
            "writing a resource (form)",
            Call::ResourceForm("/resources/new"),
            editors,
            Seen::Login,
        ),
        row(
            "the resource edit form",
            Call::Get("/resources/{resource}/edit"),
            editors,
            Seen::Login,
        ),
        row(
            "editing a resource (form)",
            Call::ResourceForm("/resources/{resource}/edit"),
            editors,
            Seen::Login,
        ),
        row(
            "deleting a resource (form)",
            Call::Form("/resources/{resource}/delete", &[]),
            editors,
            Seen::Login,
        ),
        row(
            "the editors page",
            Call::Get("/admin/editors"),
            &[Admin],
            Seen::Login,
        ),
        // The mailing list's admin side: 404 for anyone but an admin,
        // visitors too; its API for an admin's bearer token only.
        row(
            "the mailing list (admin)",
            Call::Get("/admin/newsletter"),
            &[Admin],
            Seen::Missing,
        ),
        row(
            "the mailing list's interests (admin)",
            Call::Get("/admin/newsletter/interests"),
            &[Admin],
            Seen::Missing,
        ),
        row(
            "adding an interest (form)",
            Call::Form("/admin/newsletter/interests", &[("label", "Matrix")]),
            &[Admin],
            Seen::Missing,
        ),
        row(
            "moving an interest (form)",
            Call::Form("/admin/newsletter/interests/events", &[("action", "up")]),
            &[Admin],
            Seen::Missing,
        ),
        row(
            "the signup forms (admin)",
            Call::Get("/admin/newsletter/forms"),
            &[Admin],
            Seen::Missing,
        ),
        row(
            "saving a signup form (form)",
            Call::Form(
                "/admin/newsletter/forms/home",
                &[("heading", "Hear from us"), ("consent", "I agree.")],
            ),
            &[Admin],
            Seen::Missing,
        ),
        row(
            "exporting subscribers (form)",
            Call::Form("/admin/newsletter/export", &[]),
            &[Admin],
            Seen::Missing,
        ),
        row(
            "the import page (admin)",
            Call::Get("/admin/newsletter/import"),
            &[Admin],
            Seen::Missing,
        ),
        row(
            "importing subscribers (form)",
            Call::ResourceForm("/admin/newsletter/import"),
            &[Admin],
            Seen::Missing,
        ),
        row(
            "the mailing list's interests (API)",
            Call::Get("/api/v1/admin/newsletter/interests"),
            &[Admin],
            Seen::Login,
        ),
        row(
            "adding an interest (API)",
            Call::Json(
                "POST",
                "/api/v1/admin/newsletter/interests",
                json!({"label": "Matrix"}),
            ),
            &[Admin],
            Seen::Login,
        ),
        row(
            "changing an interest (API)",
            Call::Json(
                "PUT",
                "/api/v1/admin/newsletter/interests/events",
                json!({"position": 2}),
            ),
            &[Admin],
            Seen::Login,
        ),
        row(
            "a signup form (API)",
            Call::Get("/api/v1/admin/newsletter/forms/home"),
            &[Admin],
            Seen::Login,
        ),
        row(
            "saving a signup form (API)",
            Call::Json(
                "PUT",
                "/api/v1/admin/newsletter/forms/home",
                json!({"heading": "Hear from us", "consent": "I agree."}),
            ),
            &[Admin],
            Seen::Login,
        ),
        row(
            "subscriber counts (API)",
            Call::Get("/api/v1/admin/newsletter/subscribers/counts"),
            &[Admin],
            Seen::Login,
        ),
        row(
            "exporting subscribers (API)",
            Call::Get("/api/v1/admin/newsletter/subscribers.csv"),
            &[Admin],
            Seen::Login,
        ),
        row(
            "importing subscribers (API)",
            Call::Bytes("POST", "/api/v1/admin/newsletter/subscribers/import"),
            &[Admin],
            Seen::Login,
        ),
        row(
            "giving the editor role (form)",
            Call::Form("/admin/editors", &[("handle", "Newcomer")]),
            &[Admin],
            Seen::Login,
        ),
        row(
            "taking the editor role (form)",
            Call::Form("/admin/editors/take", &[("handle", "Quill")]),
            &[Admin],
            Seen::Login,
        ),
        row(
            "the letters",
            Call::Get("/admin/letters"),
            editors,
            Seen::Login,
        ),
        row(
            "writing a letter",
            Call::Get("/admin/letters/new"),
            editors,
            Seen::Login,
        ),
        row(
            "saving a letter (form)",
            Call::Form(
                "/admin/letters",
                &[
                    ("subject", "Matrix"),
                    ("body", "Hello"),
                    ("mode", "any"),
                    ("action", "save"),
                ],
            ),
            editors,
            Seen::Login,
        ),
        // Letter 1 exists from here: the row above wrote it.
        row(
            "a letter",
            Call::Get("/admin/letters/1"),
            editors,
            Seen::Login,
        ),
        row(
            "a letter's preview",
            Call::Get("/admin/letters/1/preview"),
            editors,
            Seen::Login,
        ),
        row(
            "changing a letter (form)",
            Call::Form(
                "/admin/letters/1",
                &[
                    ("subject", "Matrix"),
                    ("body", "Hello"),
                    ("mode", "any"),
                    ("action", "count"),
                ],
            ),
            editors,
            Seen::Login,
        ),
        row(
            "a letter's test (form)",
            Call::Form("/admin/letters/1/test", &[]),
            editors,
            Seen::Login,
        ),
        row(
            "cancelling a letter's schedule (form)",
            Call::Form("/admin/letters/1/cancel", &[]),
            editors,
            Seen::Login,
        ),
        row(
            "sending a letter (form, a time past: refused)",
            Call::Form(
                "/admin/letters/1/send",
                &[("when", "later"), ("date", "2000-01-01"), ("time", "09:00")],
            ),
            editors,
            Seen::Login,
        ),
        // The last row of letter 1: it goes here.
        row(
            "deleting a draft letter (form)",
            Call::Form("/admin/letters/1/delete", &[]),
            editors,
            Seen::Login,
        ),
        row(
            "resources (API)",
            Call::Get("/api/v1/resources"),
            everyone,
            Seen::Allowed,
        ),
        row(
            "a draft resource (API)",
            Call::Get("/api/v1/resources/{resource}"),
            editors,
            Seen::Missing,
        ),
        row(
            "writing a resource (API)",
            Call::Json(
                "POST",
                "/api/v1/resources",
                json!({"title": "API {resource}", "summary": "s", "body": "b"}),
            ),
            editors,
            Seen::Login,
        ),
        row(
            "changing a resource (API)",
            Call::Json(
                "PATCH",
                "/api/v1/resources/{resource}",
                json!({"summary": "Changed."}),
            ),
            editors,
            Seen::Login,
        ),
        row(
            "deleting a resource (API)",
            Call::Json("DELETE", "/api/v1/resources/{resource}", json!({})),
            editors,
            Seen::Login,
        ),
        row(
            "a resource's file (API)",
            Call::Bytes("PUT", "/api/v1/resources/{resource}/file"),
            editors,
            Seen::Login,
        ),
    ]
}

kith_store::on_both_backends!(
    every_role_sees_and_changes_only_what_it_may,
    |store| async move {
        every_role_on(World::on(TestApp::on(store)).await).await;
    }
);

async fn every_role_on(world: World) {
    let mut failures = Vec::new();
    let mut checked = 0;
    for row in rows() {
        let api = row.name.contains("API") || row.name == "PATCH";
        for (who, person) in &world.people {
            let placed = world.group(row.status).await;
            let mut client = world.client(person, api).await;
            let response = perform(&mut client, &row.call, &placed).await;
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
            // A listed group's public calendar is the same for everyone.
            let shared = matches!(row.call, Call::Get(p) if p.ends_with("/calendar.ics") || p.ends_with("/feed.atom"))
                && response.status.is_success();
            if let Some(wrong) = crate::caching::wrong_in_matrix(&response, shared) {
                failures.push(format!(
                    "{} ({:?}) as {who:?}: {wrong}",
                    row.name, row.status
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
    let hidden = world.group(ListingStatus::Pending).await.slug;
    for (who, person) in &world.people {
        if matches!(
            who,
            Who::Host | Who::Cohost | Who::Moderator | Who::Admin | Who::Member
        ) {
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
async fn private_fields_reach_only_members_hosts_and_moderators() {
    let world = World::new().await;
    let slug = world.group(ListingStatus::Listed).await.slug;
    for (who, person) in &world.people {
        for path in [format!("/groups/{slug}"), format!("/api/v1/groups/{slug}")] {
            let mut client = world.client(person, path.contains("/api/")).await;
            let body = client.get(&path).await.body;
            let entitled = matches!(
                who,
                Who::Host | Who::Cohost | Who::Moderator | Who::Admin | Who::Member
            );
            assert_eq!(body.contains("PRIVATE-CANARY"), entitled, "{who:?} {path}");
            assert_eq!(body.contains("4242#"), entitled, "{who:?} {path}");
        }
    }
}

/// The HTML routes' paths, read from the web crate's sources (axum's router
/// cannot list them), and the API's from its OpenAPI document.
async fn every_route_path() -> Vec<String> {
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut pending = vec![src];
    let mut paths = Vec::new();
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).expect("src") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                pending.push(path);
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("source");
            for (at, _) in text.match_indices(".route(") {
                let rest = text[at..].trim_start_matches(".route(").trim_start();
                if let Some(literal) = rest.strip_prefix('"') {
                    paths.push(literal[..literal.find('"').expect("a path")].to_owned());
                }
            }
        }
    }
    let doc = TestApp::empty().await.json("/api/openapi.json").await;
    paths.extend(
        doc["paths"]
            .as_object()
            .expect("paths")
            .keys()
            .map(|p| p.to_owned()),
    );
    paths
}

/// Whether a route's answer depends on who asks about a group, a request,
/// a meeting, a story, or the moderators' and admins' work — the matrix's
/// scope.
fn in_matrix_scope(path: &str) -> bool {
    const SCOPED: [&str; 14] = [
        "/groups/{",
        "/requests/",
        "/meetings/",
        "/moderation",
        "/admin",
        "/api/v1/groups/{",
        "/api/v1/join-requests",
        "/api/v1/meetings",
        "/api/v1/moderation",
        "/api/v1/admin",
        "/stories/{",
        "/api/v1/stories/{",
        "/resources/",
        "/api/v1/resources",
    ];
    SCOPED.iter().any(|prefix| path.starts_with(prefix))
}

/// Segment by segment, a `{parameter}` matching anything.
fn route_matches(route: &str, row: &str) -> bool {
    let (route, row): (Vec<&str>, Vec<&str>) =
        (route.split('/').collect(), row.split('/').collect());
    route.len() == row.len()
        && route
            .iter()
            .zip(&row)
            .all(|(a, b)| a == b || a.starts_with('{') || b.starts_with('{'))
}

/// Routes in scope that the matrix does not try yet, each checked by its
/// own capability's tests instead; issue 19 gives each a row. The list may
/// only shrink: a new route needs a row.
const NOT_IN_THE_MATRIX_YET: [&str; 12] = [
    "/meetings/{id}/room/ws",
    "/moderation/claims/{id}/{decision}",
    "/groups/{slug}/join",
    "/groups/{slug}/invitations/{id}/revoke",
    "/groups/{slug}/hand-over",
    "/groups/{slug}/claim",
    "/api/v1/groups/{slug}/claims",
    "/api/v1/groups/{slug}/hand-over",
    "/api/v1/groups/{slug}/meetings/{id}/move",
    "/api/v1/groups/{slug}/meetings/{id}/restore",
    "/api/v1/moderation/claims",
    "/api/v1/moderation/claims/{id}/{decision}",
];

#[tokio::test]
async fn every_route_in_scope_has_a_row_in_the_matrix() {
    let rows = rows();
    let row_paths: Vec<&str> = rows
        .iter()
        .map(|r| match &r.call {
            Call::Get(p)
            | Call::Form(p, _)
            | Call::GroupForm(p)
            | Call::Json(_, p, _)
            | Call::ResourceForm(p)
            | Call::Bytes(_, p) => *p,
        })
        .collect();
    let routes = every_route_path().await;
    assert!(routes.len() > 60, "found only {} routes", routes.len());
    let missing: Vec<&String> = routes
        .iter()
        .filter(|route| in_matrix_scope(route))
        .filter(|route| !row_paths.iter().any(|row| route_matches(route, row)))
        .filter(|route| !NOT_IN_THE_MATRIX_YET.contains(&route.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "routes without a row in the matrix: {missing:#?}"
    );
    for gap in NOT_IN_THE_MATRIX_YET {
        assert!(
            routes.iter().any(|r| r == gap),
            "{gap} is gone: take it off the list"
        );
        assert!(
            !row_paths.iter().any(|row| route_matches(gap, row)),
            "{gap} has a row now: take it off the list"
        );
    }
}
