//! The store contract: every story runs on SQLite and on PostgreSQL.

/// The population and oracle, shared with `directory_property.rs`.
#[path = "support/oracle.rs"]
mod oracle;
mod support;

use jiff::civil::Weekday;
use kith_domain::directory::horizon;
use kith_domain::group::{Attribute, Focus, Format, ListingStatus, Place};
use kith_domain::ids::Slug;
use kith_domain::schedule::Schedule;
use kith_domain::text;
use kith_store::{GroupDraft, StoreError};

use kith_store::mail::NoMail;
use kith_store::testing::{group, insert, now};
use oracle::search;

#[test]
fn the_migrations_of_both_backends_match() {
    let names = |m: &sqlx::migrate::Migrator| {
        m.iter()
            .map(|m| (m.version, m.description.to_string()))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        names(&kith_store::sqlite::MIGRATIONS),
        names(&kith_store::postgres::MIGRATIONS)
    );
    assert!(kith_store::sqlite::MIGRATIONS.iter().next().is_some());
}

contract!(
    a_listed_group_reads_back_with_hosts_and_schedule,
    |store| async move {
        store.ping().await.expect("ping");
        let mut g = group(
            "Tapering Together",
            "Europe/Berlin",
            &[Weekday::Tuesday, Weekday::Thursday],
            "19:00",
        );
        g.profile.place = Place {
            country: Some("DE".into()),
            region: Some("Berlin".into()),
            city: Some("Berlin".into()),
        };
        g.profile.attributes = vec![Attribute::Open, Attribute::CrossTalk];
        let slugs = insert(&store, std::slice::from_ref(&g), ListingStatus::Listed).await;
        let read = store.listed_group(&slugs[0]).await.expect("listed");
        assert_eq!(read.name, "Tapering Together");
        assert_eq!(read.hosts, ["willow"]);
        assert_eq!(read.attributes, [Attribute::Open, Attribute::CrossTalk]);
        assert_eq!(read.place, g.profile.place);
        assert_eq!(read.schedule.zone.name(), "Europe/Berlin");
        assert_eq!(read.schedule.rules.len(), 1);
        assert_eq!(
            read.schedule.rules[0].local_time,
            g.profile.schedule.rules[0].local_time
        );
        assert_eq!(store.count_groups().await.expect("count"), 1);
        let upcoming = store
            .upcoming_occurrences(&slugs[0], now(), 3)
            .await
            .expect("upcoming");
        assert_eq!(upcoming.len(), 3);
        assert!(upcoming.windows(2).all(|w| w[0].starts_at < w[1].starts_at));
    }
);

contract!(
    groups_that_are_not_listed_are_not_found,
    |store| async move {
        for status in [
            ListingStatus::Pending,
            ListingStatus::Rejected,
            ListingStatus::Unlisted,
        ] {
            let slugs = insert(
                &store,
                &[group("Hidden", "UTC", &[Weekday::Monday], "10:00")],
                status,
            )
            .await;
            assert!(matches!(
                store.listed_group(&slugs[0]).await,
                Err(StoreError::NotFound)
            ));
            // Hosts and moderators see such a group's meetings; the
            // caller authorizes (`kith_app::access`), the store does not.
            assert!(
                !store
                    .upcoming_occurrences(&slugs[0], now(), 5)
                    .await
                    .expect("upcoming")
                    .is_empty()
            );
            assert!(
                store
                    .search_directory(&search(&[("q", "hidden")], 1))
                    .await
                    .expect("search")
                    .is_empty()
            );
        }
        let missing = Slug::parse("no-such-group").expect("slug");
        assert!(matches!(
            store.listed_group(&missing).await,
            Err(StoreError::NotFound)
        ));
    }
);

contract!(
    a_taken_slug_is_a_conflict_and_nothing_is_written,
    |store| async move {
        let a = group("Same", "UTC", &[Weekday::Monday], "10:00");
        let mut b = group("Other", "UTC", &[Weekday::Monday], "11:00");
        b.profile.slug = a.profile.slug.clone();
        insert(&store, std::slice::from_ref(&a), ListingStatus::Listed).await;
        let host = store
            .ensure_account("willow", now())
            .await
            .expect("account");
        let drafts = [
            GroupDraft {
                group: &group("Fresh", "UTC", &[Weekday::Monday], "09:00"),
                status: ListingStatus::Listed,
                hosts: vec![host],
                occurrences: vec![],
                occurrences_until: now(),
            },
            GroupDraft {
                group: &b,
                status: ListingStatus::Listed,
                hosts: vec![host],
                occurrences: vec![],
                occurrences_until: now(),
            },
        ];
        assert!(matches!(
            store.insert_groups(&drafts, &NoMail, now()).await,
            Err(StoreError::Conflict { .. })
        ));
        assert_eq!(
            store.count_groups().await.expect("count"),
            1,
            "the batch is one transaction"
        );
    }
);

contract!(
    refreshing_occurrences_keeps_ids_and_drops_stale_ones,
    |store| async move {
        let g = group("Refresh", "America/New_York", &[Weekday::Monday], "19:00");
        let other = group("Other", "Asia/Kathmandu", &[Weekday::Friday], "07:15");
        let slugs = insert(&store, &[g.clone(), other.clone()], ListingStatus::Listed).await;
        let before = store
            .upcoming_occurrences(&slugs[0], now(), 10)
            .await
            .expect("upcoming");
        let due = store
            .groups_due_for_occurrences(horizon(now()) + jiff::SignedDuration::from_hours(1), 10)
            .await
            .expect("due");
        assert_eq!(due.len(), 2);
        let (id, schedule) = due
            .iter()
            .find(|(_, schedule)| schedule.zone.name() == "America/New_York")
            .expect("the first group is due");
        assert_eq!(
            schedule,
            &g.profile.schedule.clone().with_rule_ids(schedule)
        );
        // A week later, the same rules, both groups in one call: the
        // overlapping meetings keep their ids.
        let later = now() + jiff::SignedDuration::from_hours(24 * 7);
        let planned: Vec<_> = due
            .iter()
            .map(|(id, schedule)| (*id, schedule.occurrences_between(later, horizon(later))))
            .collect();
        store
            .save_occurrences(&planned, later, horizon(later))
            .await
            .expect("save");
        let after = store
            .upcoming_occurrences(&slugs[0], later, 10)
            .await
            .expect("upcoming");
        assert_eq!(after[0].id, before[1].id);
        assert_eq!(after[0].starts_at, before[1].starts_at);
        assert_eq!(after.len(), 6, "six weeks of Mondays from a week later");
        let others = store
            .upcoming_occurrences(&slugs[1], later, 10)
            .await
            .expect("upcoming");
        assert_eq!(others.len(), 6, "six weeks of Fridays");
        assert!(
            store
                .groups_due_for_occurrences(horizon(later), 10)
                .await
                .expect("due")
                .is_empty()
        );
        // No meetings planned any more for one group: its future ones go,
        // the other group's stay.
        store
            .save_occurrences(&[(*id, Vec::new())], later, horizon(later))
            .await
            .expect("save");
        assert!(
            store
                .upcoming_occurrences(&slugs[0], later, 10)
                .await
                .expect("upcoming")
                .is_empty()
        );
        assert_eq!(
            store
                .upcoming_occurrences(&slugs[1], later, 10)
                .await
                .expect("upcoming")
                .len(),
            6
        );
        assert_eq!(store.prune_occurrences(later).await.expect("prune"), 2);
    }
);

trait WithRuleIds {
    fn with_rule_ids(self, stored: &Schedule) -> Schedule;
}

impl WithRuleIds for Schedule {
    fn with_rule_ids(mut self, stored: &Schedule) -> Schedule {
        for (rule, saved) in self.rules.iter_mut().zip(&stored.rules) {
            rule.id = saved.id;
        }
        self
    }
}

contract!(
    free_text_matches_word_prefixes_without_stemming,
    |store| async move {
        let mut a = group("Hearing Voices Circle", "UTC", &[Weekday::Monday], "10:00");
        a.profile.description = "Voices are welcome here.".into();
        let mut b = group("Café Zürich", "Europe/Zurich", &[Weekday::Tuesday], "10:00");
        b.profile.place.city = Some("Zürich".into());
        insert(&store, &[a, b], ListingStatus::Listed).await;
        let names = |hits: Vec<kith_store::DirectoryHit>| {
            hits.into_iter().map(|h| h.name).collect::<Vec<_>>()
        };
        assert_eq!(
            names(
                store
                    .search_directory(&search(&[("q", "hear voi")], 1))
                    .await
                    .expect("s")
            ),
            ["Hearing Voices Circle"]
        );
        assert_eq!(
            names(
                store
                    .search_directory(&search(&[("q", "ZURICH cafe")], 1))
                    .await
                    .expect("s")
            ),
            ["Café Zürich"]
        );
        assert!(
            store
                .search_directory(&search(&[("q", "voice hearings")], 1))
                .await
                .expect("s")
                .is_empty()
        );
        assert!(
            store
                .search_directory(&search(&[("q", "ircle")], 1))
                .await
                .expect("s")
                .is_empty(),
            "prefixes, not infixes"
        );
    }
);

contract!(
    every_word_a_name_is_split_into_finds_it,
    |store| async move {
        // Words with vowel signs (Devanagari, Thai), a circled letter, a
        // superscript digit and CJK: each is one word to domain::text, and
        // must be one word to the index too (SQLite's index keeps no
        // positions, so it refuses a quoted word it would split in two).
        let name = "नमस्ते ผู้คน Ⓐlpha x² 会議 Tapering";
        insert(
            &store,
            &[group(name, "UTC", &[Weekday::Monday], "10:00")],
            ListingStatus::Listed,
        )
        .await;
        let words = text::tokens(name);
        assert_eq!(words.len(), 6, "{words:?}");
        for word in &words {
            let prefix: String = word.chars().take(2).collect();
            for q in [word.as_str(), prefix.as_str()] {
                let hits = store
                    .search_directory(&search(&[("q", q)], 1))
                    .await
                    .unwrap_or_else(|e| panic!("searching {q:?}: {e}"));
                assert_eq!(hits.len(), 1, "searching {q:?}");
            }
        }
    }
);

contract!(
    every_directory_query_agrees_with_the_oracle,
    |store| async move {
        let groups = oracle::population();
        insert(&store, &groups, ListingStatus::Listed).await;
        let queries: Vec<Vec<(&str, &str)>> = vec![
            vec![],
            vec![("q", "circle")],
            vec![("q", "circ riv")],
            vec![("q", "rare7")],
            vec![("q", "rare1")],
            vec![("q", "shared")],
            vec![("format", "video")],
            vec![("format", "phone"), ("format", "hybrid")],
            vec![("day", "2"), ("time", "evening"), ("tz", "Europe/Berlin")],
            vec![
                ("day", "0"),
                ("time", "night"),
                ("tz", "Australia/Lord_Howe"),
            ],
            vec![
                ("time", "morning"),
                ("tz", "America/St_Johns"),
                ("format", "in_person"),
            ],
            vec![("starts_within", "180")],
            vec![("in_progress", "true")],
            vec![("in_progress", "true"), ("starts_within", "60")],
            vec![("focus", "considering")],
            vec![("focus", "hearing_voices"), ("focus", "family_friends")],
            vec![("attribute", "women"), ("attribute", "wheelchair")],
            vec![("language", "pt")],
            vec![("language", "pt-BR")],
            vec![("country", "de")],
            vec![("country", "DE"), ("city", "koln")],
            vec![("q", "meadow"), ("language", "ja"), ("format", "video")],
            // Words with filters: on SQLite the filters are words of the
            // full-text index too (migration 0013), every kind of them.
            vec![("q", "circle"), ("format", "phone")],
            vec![("q", "circ"), ("format", "phone"), ("format", "hybrid")],
            vec![("q", "circle"), ("focus", "considering")],
            vec![
                ("q", "circle"),
                ("focus", "hearing_voices"),
                ("focus", "family_friends"),
            ],
            vec![
                ("q", "circle"),
                ("attribute", "women"),
                ("attribute", "wheelchair"),
            ],
            vec![("q", "circle"), ("language", "pt")],
            vec![("q", "circle"), ("language", "pt-BR")],
            vec![("q", "circle"), ("country", "DE"), ("city", "koln")],
            vec![("q", "circle"), ("country", "US"), ("city", "New York")],
            vec![("q", "rare3"), ("format", "video")],
            vec![("q", "lantern"), ("language", "de"), ("focus", "tapering")],
            vec![("q", "nothing-matches-this")],
        ];
        for pairs in &queries {
            for page in [1, 2, 4] {
                let s = search(pairs, page);
                oracle::assert_agrees(&store, &groups, &s, &format!("{pairs:?} page {page}")).await;
            }
        }
        // The common word fills several pages; the unfiltered directory too.
        assert_eq!(
            oracle::expected(&groups, &search(&[("q", "circle")], 4)).len(),
            21
        );
    }
);

contract!(
    a_group_is_found_by_its_changed_filter_values_with_words,
    |store| async move {
        let mut groups = oracle::population();
        let slugs = insert(&store, &groups, ListingStatus::Listed).await;
        // Every filter value of a few groups changes (on SQLite the
        // full-text index holds them too, and must follow).
        let until = horizon(now());
        for i in [0, 7, 13, 21] {
            let p = &mut groups[i].profile;
            p.format = Format::Phone;
            p.focus = vec![Focus::FamilyFriends];
            p.attributes = vec![Attribute::Captions];
            p.language = "ja".into();
            p.place = Place {
                country: Some("NP".into()),
                region: None,
                city: Some("Kathmandu".into()),
            };
            let id = store
                .managed_group(&slugs[i])
                .await
                .expect("read")
                .access
                .id;
            let update = kith_store::hosting::GroupUpdate {
                group: &groups[i],
                status: ListingStatus::Listed,
                review_note: None,
                occurrences: None,
                occurrences_until: until,
                change_log: None,
            };
            store
                .update_group(id, &update, &NoMail, now())
                .await
                .expect("update");
        }
        for pairs in [
            vec![("q", "circle"), ("format", "phone")],
            vec![("q", "circle"), ("format", "video")],
            vec![("q", "circle"), ("focus", "family_friends")],
            vec![("q", "circle"), ("attribute", "captions")],
            vec![("q", "circle"), ("language", "ja")],
            vec![("q", "circle"), ("country", "NP")],
            vec![("q", "circle"), ("country", "NP"), ("language", "ja")],
        ] {
            let s = search(&pairs, 1);
            oracle::assert_agrees(&store, &groups, &s, &format!("{pairs:?}")).await;
        }
        // Only the changed groups have all their new values: all four found.
        let all_new = search(
            &[
                ("q", "circ"),
                ("format", "phone"),
                ("focus", "family_friends"),
                ("attribute", "captions"),
                ("language", "ja"),
                ("country", "NP"),
            ],
            1,
        );
        assert!(oracle::expected(&groups, &all_new).len() >= 4);
        oracle::assert_agrees(&store, &groups, &all_new, "every new value").await;
    }
);

contract!(
    statistics_can_be_refreshed_and_searches_still_agree,
    |store| async move {
        let groups = oracle::population();
        insert(&store, &groups, ListingStatus::Listed).await;
        store.optimize().await.expect("optimize");
        for pairs in [
            vec![],
            vec![("q", "circle")],
            vec![("q", "rare3")],
            vec![("country", "NP")],
        ] {
            let s = search(&pairs, 1);
            oracle::assert_agrees(&store, &groups, &s, &format!("{pairs:?}")).await;
        }
    }
);

contract!(
    an_accounts_zone_is_remembered_once_and_changed_only_when_chosen,
    |store| async move {
        use kith_domain::account::{Email, Handle, Role};
        use kith_store::accounts::{NewAccount, NewSession, SessionKind};

        let handle = Handle::parse("Wren").expect("handle");
        let email = Email::parse("wren@example.org").expect("email");
        let id = store
            .create_account(
                &NewAccount {
                    handle: &handle,
                    email: &email,
                    password_hash: "$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaA",
                    role: Role::Member,
                    email_verified: true,
                },
                None,
                now(),
            )
            .await
            .expect("account");
        assert_eq!(store.account_zone(id).await.expect("zone"), None);
        // The browser's zone at the first login is kept …
        assert!(
            store
                .remember_account_zone(id, "Australia/Melbourne")
                .await
                .expect("remember")
        );
        // … and a later login elsewhere does not replace it.
        assert!(
            !store
                .remember_account_zone(id, "Europe/Berlin")
                .await
                .expect("remember again")
        );
        assert_eq!(
            store.account_zone(id).await.expect("zone").as_deref(),
            Some("Australia/Melbourne")
        );
        // The account and its sessions carry it.
        let record = store
            .account_by_handle(&handle)
            .await
            .expect("lookup")
            .expect("exists");
        assert_eq!(record.time_zone.as_deref(), Some("Australia/Melbourne"));
        store
            .create_session(
                &NewSession {
                    token_hash: "f".repeat(64),
                    account: id,
                    kind: SessionKind::Browser,
                    csrf_token: "csrf".into(),
                    idle_seconds: 3600,
                    expires_at: now() + jiff::SignedDuration::from_hours(2),
                },
                now(),
            )
            .await
            .expect("session");
        let session = store
            .session(&"f".repeat(64), now())
            .await
            .expect("session")
            .expect("live");
        assert_eq!(
            session.account.time_zone.as_deref(),
            Some("Australia/Melbourne")
        );
        // Choosing one replaces it; choosing none forgets it.
        store
            .set_account_zone(id, Some("America/New_York"))
            .await
            .expect("set");
        assert_eq!(
            store.account_zone(id).await.expect("zone").as_deref(),
            Some("America/New_York")
        );
        store.set_account_zone(id, None).await.expect("forget");
        assert_eq!(store.account_zone(id).await.expect("zone"), None);
        assert_eq!(
            store
                .account_details(id)
                .await
                .expect("details")
                .record
                .time_zone,
            None
        );
    }
);

contract!(
    a_site_page_is_kiths_until_an_admin_saves_one_with_an_audit_row,
    |store| async move {
        assert_eq!(store.site_page("about").await.expect("read"), None);
        let admin = store.ensure_account("keeper", now()).await.expect("admin");
        let audit = kith_store::AuditEntry {
            actor: Some(admin),
            actor_handle: "keeper",
            action: "about.edit",
            target: "page:about".to_owned(),
            reason: "",
        };
        for body in ["Run by the Quiet River collective.", "Run by Ana and Joe."] {
            store
                .save_site_page("about", body, &audit, now())
                .await
                .expect("save");
            assert_eq!(
                store.site_page("about").await.expect("read").as_deref(),
                Some(body)
            );
        }
        assert_eq!(store.site_page("other").await.expect("read"), None);
        let audit_log = store.audit_log(10).await.expect("audit");
        assert_eq!(
            audit_log
                .iter()
                .filter(|r| r.action == "about.edit" && r.target == "page:about")
                .count(),
            2
        );
    }
);
