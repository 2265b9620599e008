//! What hosts do: list a group (pending until a moderator approves it),
//! edit it, unlist and relist it, add co-hosts, and see their own listings.

use jiff::Timestamp;
use kith_domain::account::Handle;
use kith_domain::directory::horizon;
use kith_domain::group::{GroupProfile, ListingStatus, NewGroup};
use kith_domain::group_input::{GroupInput, RuleInput};
use kith_domain::ids::Slug;
use kith_domain::listing::{ListingChange, next_status};
use kith_domain::schedule::{MonthWeeks, Recurrence, Schedule};
use kith_domain::validation::FieldError;
use kith_store::StoreError;
use kith_store::hosting::{GroupUpdate, HostedGroup, ManagedGroup};
use kith_store::mail::Audience;
use kith_store::moderation::StatusChange;
use kith_store::occurrences::MeetingTimes;
use kith_store::rooms::AccessChange;

use crate::access::{GroupAction, Person, authorize};
use crate::groups::insert_with_fresh_slugs;
use crate::mail::Tell;
use crate::mail::time::MailTime;
use crate::moderation::notices::listing_waiting;
use crate::{App, AppError, AppResult, Conflict};

/// Lists a new group with `person` as its host; it is pending until a
/// moderator approves it. Needs a verified email (`email_unverified`).
pub async fn submit_group(
    app: &App,
    person: &Person,
    input: &GroupInput,
    now: Timestamp,
) -> AppResult<Slug> {
    if !person.email_verified {
        return Err(AppError::Conflict(Conflict::EmailUnverified));
    }
    let group = input.parse().map_err(AppError::Invalid)?;
    let waiting = listing_waiting(app, &group.profile.name, person.id, true).await?;
    let slugs = insert_with_fresh_slugs(
        app,
        vec![group],
        &[(ListingStatus::Pending, vec![person.id])],
        &waiting,
        now,
    )
    .await?;
    app.mailed();
    let slug = slugs.into_iter().next().ok_or(AppError::NotFound)?;
    Ok(slug)
}

/// A group with its private fields, for its hosts and the moderators.
pub async fn managed_group(app: &App, person: &Person, slug: &Slug) -> AppResult<ManagedGroup> {
    let store = app.store();
    authorize(store, Some(person), slug, GroupAction::ViewPrivate).await?;
    Ok(store.managed_group(slug).await?)
}

/// A group with its private fields, for its hosts to edit.
pub async fn editable_group(app: &App, person: &Person, slug: &Slug) -> AppResult<ManagedGroup> {
    let store = app.store();
    authorize(store, Some(person), slug, GroupAction::Edit).await?;
    Ok(store.managed_group(slug).await?)
}

/// Saves a host's edit. A rejected listing goes back to review; a listed
/// group stays listed and its public text changes go to the moderators'
/// change log. A changed schedule gets new occurrences. Answers the
/// listing's status after the edit.
pub async fn edit_group(
    app: &App,
    person: &Person,
    slug: &Slug,
    input: &GroupInput,
    now: Timestamp,
) -> AppResult<ListingStatus> {
    let store = app.store();
    let access = authorize(store, Some(person), slug, GroupAction::Edit).await?;
    let edited = input.parse().map_err(AppError::Invalid)?;
    let current = store.managed_group(slug).await?;
    let status = next_status(
        access.status,
        access.review_note.is_some(),
        ListingChange::HostEdit,
    )
    .ok_or(AppError::Conflict(Conflict::InvalidStatus))?;
    let review_note = match status {
        // Resubmitted: the old reason no longer applies.
        ListingStatus::Pending => None,
        _ => access.review_note.as_deref(),
    };
    let until = horizon(now);
    let occurrences = (!same_schedule(&current.profile.schedule, &edited.profile.schedule))
        .then(|| edited.profile.schedule.occurrences_between(now, until));
    let change_log = (access.status == ListingStatus::Listed)
        .then(|| text_changes(&current.profile, &edited))
        .flatten()
        .map(|changes| (person.id, changes));
    let back_to_review =
        status == ListingStatus::Pending && access.status != ListingStatus::Pending;
    let waiting = listing_waiting(app, &edited.profile.name, person.id, back_to_review).await?;
    store
        .update_group(
            access.id,
            &GroupUpdate {
                group: &edited,
                status,
                review_note,
                occurrences: occurrences.as_deref(),
                occurrences_until: until,
                change_log,
            },
            &waiting,
            now,
        )
        .await?;
    app.public_changed();
    app.mailed();
    Ok(status)
}

/// A host takes a listed group out of the directory, or asks for an
/// unlisted one to be listed again (straight back when they unlisted it
/// themselves; through review when a moderator did).
pub async fn change_listing(
    app: &App,
    person: &Person,
    slug: &Slug,
    change: ListingChange,
    now: Timestamp,
) -> AppResult<ListingStatus> {
    let store = app.store();
    if !matches!(
        change,
        ListingChange::HostUnlist | ListingChange::HostRelist
    ) {
        return Err(AppError::Conflict(Conflict::InvalidStatus));
    }
    let access = authorize(store, Some(person), slug, GroupAction::ChangeListing).await?;
    let status = next_status(access.status, access.review_note.is_some(), change)
        .ok_or(AppError::Conflict(Conflict::InvalidStatus))?;
    // Back to review keeps the moderator's note for them to read.
    let note = (status == ListingStatus::Pending)
        .then_some(access.review_note.as_deref())
        .flatten();
    let name = store.managed_group(slug).await?.profile.name;
    let back_to_review = status == ListingStatus::Pending;
    let waiting = listing_waiting(app, &name, person.id, back_to_review).await?;
    store
        .set_group_status(
            access.id,
            StatusChange::new(access.status, status),
            note,
            None,
            &waiting,
            now,
        )
        .await?;
    app.public_changed();
    app.mailed();
    // An unlisted group's rooms close.
    app.access_changed(AccessChange::Group(access.id)).await;
    Ok(status)
}

/// A host closes their group for good: each member is told by mail, then
/// the group and everything that hangs on it are deleted. Answers how many
/// members were told.
pub async fn close_group(
    app: &App,
    person: &Person,
    slug: &Slug,
    now: Timestamp,
) -> AppResult<usize> {
    let store = app.store();
    let site = app.site_url();
    let access = authorize(store, Some(person), slug, GroupAction::Edit).await?;
    let name = store.managed_group(slug).await?.profile.name;
    let closed = crate::mail::kinds::GroupClosed {
        group_name: name,
        directory_url: site.link("/groups"),
    };
    // The store writes the mail first, in the deleting transaction: it
    // hangs on no group, so it survives the deletion.
    let members = Tell::fixed(site, Audience::MembersOf(access.id), closed);
    let told = store.close_group(access.id, &members, now).await?;
    app.public_changed();
    app.mailed();
    app.access_changed(AccessChange::Group(access.id)).await;
    Ok(told)
}

/// Adds a co-host by handle.
pub async fn add_cohost(app: &App, person: &Person, slug: &Slug, handle: &str) -> AppResult<()> {
    let store = app.store();
    let access = authorize(store, Some(person), slug, GroupAction::AddHost).await?;
    let handle = Handle::parse(handle).map_err(|e| AppError::Invalid(vec![e]))?;
    let account = store
        .account_by_handle(&handle)
        .await?
        .filter(|a| a.password_hash.is_some())
        .ok_or_else(|| AppError::Invalid(vec![FieldError::new("handle", "unknown_handle")]))?;
    match store.add_host(access.id, account.id).await {
        Err(StoreError::Conflict { .. }) => Err(AppError::Invalid(vec![FieldError::new(
            "handle",
            "already_host",
        )])),
        other => {
            other?;
            // The group's page names its hosts.
            app.public_changed();
            Ok(())
        }
    }
}

/// The longest note a host may give about a cancelled meeting.
pub const NOTE_MAX: usize = 500;

/// What a host does to one meeting.
#[derive(Debug, Clone, Copy)]
pub enum MeetingChange<'a> {
    /// Cancel it, with a note members and calendars show (may be empty).
    Cancel {
        /// The note.
        note: &'a str,
    },
    /// Move it to another local date and time in the group's zone.
    Move {
        /// `YYYY-MM-DD`.
        date: &'a str,
        /// `HH:MM`.
        time: &'a str,
    },
    /// Put it back as its rule has it: not cancelled, not moved.
    Restore,
}

/// Cancels, moves or restores one upcoming meeting. The meeting keeps its
/// id, so whatever hangs on it (the room, RSVPs) follows. Members who want
/// meeting changes are told, each in their own zone beside the group's.
pub async fn change_meeting(
    app: &App,
    person: &Person,
    slug: &Slug,
    occurrence: &kith_domain::ids::OccurrenceId,
    change: MeetingChange<'_>,
    now: Timestamp,
) -> AppResult<()> {
    let store = app.store();
    let site = app.site_url();
    let access = authorize(store, Some(person), slug, GroupAction::Edit).await?;
    let (rule_id, local_start) = store.occurrence_rule(access.id, occurrence, now).await?;
    // What members are told, in the group's local times.
    let (what, moved_to, cancel_note, times) = match change {
        MeetingChange::Cancel { note } => {
            let note = kith_domain::validation::optional_text("note", Some(note), NOTE_MAX)
                .map_err(|e| AppError::Invalid(vec![e]))?;
            ("cancelled", None, note, None)
        }
        MeetingChange::Move { date, time } => {
            let moved = moved_start(date, time)?;
            let (starts_at, ends_at) = times(app, slug, rule_id, moved).await?;
            if starts_at <= now {
                return Err(AppError::Invalid(vec![FieldError::new(
                    "date",
                    "in_the_past",
                )]));
            }
            let moved_to = Some(moved);
            let set = MeetingTimes {
                moved_to,
                starts_at,
                ends_at,
            };
            ("moved", moved_to, None, Some(set))
        }
        MeetingChange::Restore => {
            let (starts_at, ends_at) = times(app, slug, rule_id, local_start).await?;
            let set = MeetingTimes {
                moved_to: None,
                starts_at,
                ends_at,
            };
            ("restored", Some(local_start), None, Some(set))
        }
    };
    let group = store.managed_group(slug).await?.profile;
    let zone = group.schedule.zone.clone();
    let was = kith_domain::schedule::resolve_local(&zone, local_start);
    let moved_to = moved_to.map(|local| kith_domain::schedule::resolve_local(&zone, local));
    let group_url = site.link(&format!("/groups/{slug}"));
    let stored_note = cancel_note.clone();
    let members = Tell::new(
        site,
        move |_: &()| Audience::MembersOf(access.id),
        move |_: &(), _, reader| {
            Some(crate::mail::kinds::MeetingChanged {
                group_name: group.name.clone(),
                what,
                was: MailTime::new(was, &zone, reader),
                now: moved_to.map(|at| MailTime::new(at, &zone, reader)),
                note: cancel_note.clone(),
                group_url: group_url.clone(),
            })
        },
    );
    match times {
        None => {
            store
                .cancel_occurrence(access.id, occurrence, stored_note.as_deref(), &members, now)
                .await?;
        }
        Some(set) => {
            store
                .set_occurrence_time(access.id, occurrence, set, &members, now)
                .await?;
        }
    }
    app.public_changed();
    app.mailed();
    Ok(())
}

/// The local date and time a host moves a meeting to; each field refused
/// on its own.
fn moved_start(date: &str, time: &str) -> AppResult<jiff::civil::DateTime> {
    let mut refusals = kith_domain::validation::Refusals::default();
    let date = refusals.check(
        date.trim()
            .parse::<jiff::civil::Date>()
            .map_err(|_| FieldError::new("date", "invalid_date")),
    );
    let time = refusals.check(
        kith_domain::schedule::parse_local_time(time.trim())
            .map_err(|_| FieldError::new("time", "invalid_time")),
    );
    refusals.finish(|| ()).map_err(AppError::Invalid)?;
    let (Some(date), Some(time)) = (date, time) else {
        return Err(AppError::Invalid(Vec::new()));
    };
    Ok(date.to_datetime(time))
}

/// When a meeting of this rule starting at `local` begins and ends.
async fn times(
    app: &App,
    slug: &Slug,
    rule_id: kith_domain::ids::RuleId,
    local: jiff::civil::DateTime,
) -> AppResult<(Timestamp, Timestamp)> {
    let store = app.store();
    let group = store.managed_group(slug).await?;
    let schedule = &group.profile.schedule;
    let rule = schedule
        .rules
        .iter()
        .find(|r| r.id == Some(rule_id))
        .ok_or(AppError::NotFound)?;
    let starts_at = kith_domain::schedule::resolve_local(&schedule.zone, local);
    let length = jiff::SignedDuration::from_mins(i64::from(rule.duration().minutes()));
    Ok((
        starts_at,
        starts_at.saturating_add(length).unwrap_or(starts_at),
    ))
}

/// The groups a person hosts, in any status.
pub async fn my_groups(app: &App, person: &Person) -> AppResult<Vec<HostedGroup>> {
    let store = app.store();
    Ok(store.groups_hosted_by(person.id).await?)
}

/// The form's fields for a stored group, so an edit starts from what is
/// there.
pub fn input_of(group: &ManagedGroup) -> GroupInput {
    let p = &group.profile;
    let optional = |v: &Option<String>| v.clone().unwrap_or_default();
    GroupInput {
        name: p.name.clone(),
        description: p.description.clone(),
        agreements: p.agreements.clone(),
        facilitation_style: p.facilitation.style.code().to_owned(),
        facilitation_description: p.facilitation.description.clone(),
        focus: p.focus.iter().map(|f| f.code().to_owned()).collect(),
        attributes: p.attributes.iter().map(|a| a.code().to_owned()).collect(),
        format: p.format.code().to_owned(),
        language: p.language.clone(),
        country: optional(&p.place.country),
        region: optional(&p.place.region),
        city: optional(&p.place.city),
        capacity: p.capacity.map(|c| c.to_string()).unwrap_or_default(),
        time_zone: p.schedule.zone.name().to_owned(),
        rules: p.schedule.rules.iter().map(rule_input).collect(),
        call_link: optional(&group.private.call_link),
        dial_in: optional(&group.private.dial_in),
        street_address: optional(&group.private.street_address),
        join_policy: p.join.policy.code().to_owned(),
        join_question: p.join.question.clone(),
        publish_call_link: switch(p.join.publish_call_link),
        members_visible: switch(p.join.members_visible),
    }
}

/// A stored switch as a form sends it.
fn switch(on: bool) -> String {
    if on { "on" } else { "" }.to_owned()
}

/// The form's fields for a stored rule.
fn rule_input(rule: &kith_domain::schedule::Rule) -> RuleInput {
    let codes = |days: Vec<jiff::civil::Weekday>| {
        days.iter()
            .map(|d| d.to_sunday_zero_offset().to_string())
            .collect()
    };
    let mut input = RuleInput {
        start: rule.local_time.strftime("%H:%M").to_string(),
        duration_minutes: rule.duration().minutes().to_string(),
        first_date: rule.first_date.map(|d| d.to_string()).unwrap_or_default(),
        last_date: rule.last_date.map(|d| d.to_string()).unwrap_or_default(),
        ..RuleInput::default()
    };
    match rule.recurrence {
        Recurrence::Weekly { weekdays } => {
            input.kind = "weekly".to_owned();
            input.weekdays = codes(weekdays.days());
        }
        Recurrence::EveryNWeeks {
            weekdays,
            interval,
            anchor,
        } => {
            input.kind = "every_n_weeks".to_owned();
            input.weekdays = codes(weekdays.days());
            input.interval_weeks = interval.to_string();
            input.anchor_date = anchor.to_string();
        }
        Recurrence::Monthly { weekday, weeks } => {
            input.kind = "monthly".to_owned();
            input.weekdays = codes(vec![weekday]);
            input.month_weeks = weeks
                .positions()
                .iter()
                .map(|p| match *p {
                    MonthWeeks::LAST => "last".to_owned(),
                    n => n.to_string(),
                })
                .collect();
        }
        Recurrence::Once { date } => {
            input.kind = "once".to_owned();
            input.date = date.to_string();
        }
    }
    input
}

/// Whether two schedules describe the same meetings (stored rules carry ids;
/// edited ones do not yet).
fn same_schedule(a: &Schedule, b: &Schedule) -> bool {
    let strip = |s: &Schedule| {
        s.rules
            .iter()
            .map(|r| kith_domain::schedule::Rule {
                id: None,
                ..r.clone()
            })
            .collect::<Vec<_>>()
    };
    a.zone.name() == b.zone.name() && strip(a) == strip(b)
}

/// The public text fields that an edit changed, as JSON
/// `{field: {"before": …, "after": …}}`; `None` when none did.
fn text_changes(before: &GroupProfile, after: &NewGroup) -> Option<String> {
    let a = &after.profile;
    let pairs = [
        ("name", before.name.as_str(), a.name.as_str()),
        ("description", &before.description, &a.description),
        ("agreements", &before.agreements, &a.agreements),
        (
            "facilitation_description",
            &before.facilitation.description,
            &a.facilitation.description,
        ),
        (
            "region",
            before.place.region.as_deref().unwrap_or_default(),
            a.place.region.as_deref().unwrap_or_default(),
        ),
        (
            "city",
            before.place.city.as_deref().unwrap_or_default(),
            a.place.city.as_deref().unwrap_or_default(),
        ),
    ];
    let changes: serde_json::Map<String, serde_json::Value> = pairs
        .into_iter()
        .filter(|(_, old, new)| old != new)
        .map(|(field, old, new)| {
            (
                field.to_owned(),
                serde_json::json!({ "before": old, "after": new }),
            )
        })
        .collect();
    (!changes.is_empty()).then(|| serde_json::Value::Object(changes).to_string())
}
