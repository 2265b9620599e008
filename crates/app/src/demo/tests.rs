use std::collections::HashSet;

use kith_domain::directory::horizon;

use super::*;

fn now() -> Timestamp {
    "2026-11-29T09:00:00Z".parse().expect("timestamp")
}

#[test]
fn the_demo_has_at_least_sixty_valid_groups_of_every_focus_and_format() {
    let groups = demo_groups(now()).expect("demo groups parse");
    assert!(groups.len() >= 60, "{}", groups.len());
    let focus: HashSet<Focus> = groups
        .iter()
        .flat_map(|g| g.group.profile.focus.clone())
        .collect();
    assert_eq!(focus.len(), Focus::ALL.len());
    let formats: HashSet<Format> = groups.iter().map(|g| g.group.profile.format).collect();
    assert_eq!(formats.len(), Format::ALL.len());
    let languages: HashSet<&str> = groups
        .iter()
        .map(|g| g.group.profile.language.as_str())
        .collect();
    assert!(languages.len() >= 5);
}

#[test]
fn the_demo_spans_every_inhabited_continent_and_odd_offsets() {
    let groups = demo_groups(now()).expect("demo groups parse");
    let zones: HashSet<String> = groups
        .iter()
        .map(|g| g.group.profile.schedule.zone.name().to_owned())
        .collect();
    for prefix in ["Europe/", "America/", "Africa/", "Asia/", "Australia/"] {
        assert!(zones.iter().any(|z| z.starts_with(prefix)), "{prefix}");
    }
    for odd in [
        "Asia/Kathmandu",
        "Asia/Kolkata",
        "America/St_Johns",
        "Australia/Lord_Howe",
    ] {
        assert!(zones.contains(odd), "{odd}");
    }
}

#[test]
fn some_demo_meetings_start_soon_and_some_are_in_progress_whenever_it_runs() {
    for now in [
        "2026-11-29T09:00:00Z",
        "2027-03-28T01:30:00Z",
        "2027-07-04T23:55:00Z",
    ] {
        let now: Timestamp = now.parse().expect("timestamp");
        let groups = demo_groups(now).expect("demo groups parse");
        let firsts: Vec<Timestamp> = groups
            .iter()
            .filter_map(|g| {
                g.group
                    .profile
                    .schedule
                    .occurrences_between(now, horizon(now))
                    .first()
                    .map(|o| o.starts_at)
            })
            .collect();
        let soon = firsts
            .iter()
            .filter(|s| **s > now && s.duration_since(now) < SignedDuration::from_hours(4))
            .count();
        let running = firsts.iter().filter(|s| **s <= now).count();
        assert!(soon >= 5, "{now}: {soon} starting within 4 hours");
        assert!(running >= 2, "{now}: {running} in progress");
    }
}

#[test]
fn synthetic_groups_are_distinct_and_valid() {
    let groups = synthetic_groups(500, now()).expect("synthetic");
    let slugs: HashSet<&str> = groups
        .iter()
        .map(|g| g.group.profile.slug.as_str())
        .collect();
    assert_eq!(slugs.len(), 500);
    assert!(
        groups
            .iter()
            .all(|g| g.group.profile.description.contains("quill"))
    );
}
