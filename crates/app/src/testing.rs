//! Fixture builders for tests (feature `testing`):
//! [`app`], an [`App`] over a test's store; [`now`], the moment tests happen
//! at; [`registered`] and [`person`], accounts as use cases see them;
//! `GroupBuilder::new("Name").weekly(&[Weekday::Tuesday], "19:00", "Europe/Berlin")`,
//! and [`smtp`], a real SMTP server on 127.0.0.1 for mail tests.

pub mod smtp;

use std::sync::Arc;

use jiff::Timestamp;
use jiff::civil::Weekday;
use kith_domain::account::Handle;
use kith_domain::group::{
    Attribute, Facilitation, FacilitationStyle, Focus, Format, GroupProfile, ListingStatus,
    NewGroup, Place, PrivateDetails,
};
use kith_domain::ids::Slug;
use kith_domain::schedule::{MeetingDuration, Rule, Schedule, WeekdaySet, parse_local_time};
use kith_domain::zone::Zone;

use kith_store::Store;

use crate::App;
use crate::access::Person;
use crate::accounts::{self, Registration};
use crate::groups::GroupSubmission;
use crate::passwords::PasswordHasher;
use crate::site_url::SiteUrl;

/// Where a test app's mail links start.
pub const SITE: &str = "https://kith.example";

/// An app over `store` for tests: the cheapest password hashing, mail
/// links at [`SITE`], no public cache, the system clock (use cases take
/// `now` explicitly, so tests fix the time there).
pub fn app(store: Arc<dyn Store>) -> App {
    app_at(store, SITE)
}

/// As [`app`], with mail links at `site`.
pub fn app_at(store: Arc<dyn Store>, site: &str) -> App {
    App::new(
        store,
        PasswordHasher::insecure_fast_for_tests(),
        SiteUrl::new(site),
    )
}

/// The moment tests happen at: use cases take `now` explicitly.
pub fn now() -> Timestamp {
    "2026-06-01T10:00:00Z".parse().expect("timestamp")
}

/// The password test accounts register with.
pub const PASSWORD: &str = "correct horse battery";

/// A registration of `handle` at `<handle>@example.org`, with [`PASSWORD`].
pub fn registration(handle: &str) -> Registration {
    Registration {
        handle: handle.to_owned(),
        email: format!("{}@example.org", handle.to_lowercase()),
        password: PASSWORD.to_owned(),
    }
}

/// Registers `handle` as a member (address not yet confirmed) at [`now`].
pub async fn registered(app: &App, handle: &str) -> Person {
    accounts::register(app, &registration(handle), now())
        .await
        .expect("register");
    person(app, handle).await
}

/// The person the account with `handle` is, as use cases see them.
pub async fn person(app: &App, handle: &str) -> Person {
    let record = app
        .store()
        .account_by_handle(&Handle::parse(handle).expect("handle"))
        .await
        .expect("lookup")
        .expect("exists");
    Person {
        id: record.id,
        handle: record.handle,
        role: record.role,
        email_verified: record.email_verified,
    }
}

/// Builds a [`GroupSubmission`] with sensible defaults: a listed video group
/// meeting Mondays at 10:00 UTC for an hour, hosted by `willow`.
#[derive(Debug, Clone)]
pub struct GroupBuilder {
    submission: GroupSubmission,
}

impl GroupBuilder {
    /// A group with this name and the defaults.
    pub fn new(name: &str) -> Self {
        let rule = Rule::weekly(
            WeekdaySet::of([Weekday::Monday]),
            parse_local_time("10:00").expect("valid time"),
            MeetingDuration::from_minutes(60).expect("valid duration"),
        )
        .expect("valid rule");
        Self {
            submission: GroupSubmission {
                group: NewGroup {
                    profile: GroupProfile {
                        slug: Slug::for_name(name),
                        name: name.to_owned(),
                        description: format!("About {name}."),
                        agreements: "- What is shared here stays here.".to_owned(),
                        facilitation: Facilitation {
                            style: FacilitationStyle::CheckInRound,
                            description: "Everyone gets three minutes.".to_owned(),
                        },
                        focus: vec![Focus::Tapering],
                        attributes: vec![Attribute::Open],
                        format: Format::Video,
                        language: "en".to_owned(),
                        place: Place::default(),
                        capacity: None,
                        schedule: Schedule {
                            zone: Zone::utc(),
                            rules: vec![rule],
                        },
                        hosts: vec!["willow".to_owned()],
                        status: ListingStatus::Listed,
                        source: None,
                        join: Default::default(),
                    },
                    private: PrivateDetails::default(),
                },
                hosts: vec!["willow".to_owned()],
                status: ListingStatus::Listed,
            },
        }
    }

    fn profile(&mut self) -> &mut GroupProfile {
        &mut self.submission.group.profile
    }

    /// Meets weekly on `days` at `at` (`HH:MM`) in `zone`.
    pub fn weekly(mut self, days: &[Weekday], at: &str, zone: &str) -> Self {
        let duration = self.profile().schedule.rules[0].duration();
        let rule = Rule::weekly(
            WeekdaySet::of(days.iter().copied()),
            parse_local_time(at).expect("valid time"),
            duration,
        )
        .expect("valid rule");
        self.profile().schedule = Schedule {
            zone: Zone::parse(zone).expect("known zone"),
            rules: vec![rule],
        };
        self
    }

    /// Meetings last `minutes`.
    pub fn minutes(mut self, minutes: u16) -> Self {
        let duration = MeetingDuration::from_minutes(minutes).expect("valid duration");
        for rule in &mut self.profile().schedule.rules {
            rule.duration = duration;
        }
        self
    }

    /// Meets in this format.
    pub fn format(mut self, format: Format) -> Self {
        self.profile().format = format;
        self
    }

    /// Has these focus kinds.
    pub fn focus(mut self, focus: &[Focus]) -> Self {
        self.profile().focus = focus.to_vec();
        self
    }

    /// Has these attributes.
    pub fn attributes(mut self, attributes: &[Attribute]) -> Self {
        self.profile().attributes = attributes.to_vec();
        self
    }

    /// Speaks this language.
    pub fn language(mut self, tag: &str) -> Self {
        self.profile().language = tag.to_owned();
        self
    }

    /// Meets at this place.
    pub fn place(mut self, country: &str, region: Option<&str>, city: &str) -> Self {
        self.profile().place = Place {
            country: Some(country.to_owned()),
            region: region.map(str::to_owned),
            city: Some(city.to_owned()),
        };
        self
    }

    /// Has this slug.
    pub fn slug(mut self, slug: &str) -> Self {
        self.profile().slug = Slug::parse(slug).expect("a valid slug");
        self
    }

    /// Has this description (Markdown).
    pub fn description(mut self, markdown: &str) -> Self {
        self.profile().description = markdown.to_owned();
        self
    }

    /// Has this listing status.
    pub fn status(mut self, status: ListingStatus) -> Self {
        self.submission.status = status;
        self.profile().status = status;
        self
    }

    /// Joins this way (policy, question, a published call link).
    pub fn join(mut self, join: kith_domain::membership::JoinSettings) -> Self {
        self.profile().join = join;
        self
    }

    /// Has these private details.
    pub fn private(mut self, private: PrivateDetails) -> Self {
        self.submission.group.private = private;
        self
    }

    /// The submission.
    pub fn build(self) -> GroupSubmission {
        self.submission
    }
}

/// The token of the newest mail due at `at` whose text links to `path`
/// (`/verify-email/`), read as the person does, from the mail; marks every
/// due mail sent.
pub async fn token_from_mail(app: &App, path: &str, at: Timestamp) -> Option<String> {
    let store = app.store();
    let lease = at + jiff::SignedDuration::from_hours(1);
    let claimed = store.claim_mail(at, lease, 100).await.expect("claim");
    let mut token = None;
    for mail in &claimed {
        if let Some(start) = mail.text.find(path) {
            token = Some(mail.text[start + path.len()..][..32].to_owned());
        }
        store.mark_mail_sent(mail.id, at).await.expect("sent");
    }
    token
}
