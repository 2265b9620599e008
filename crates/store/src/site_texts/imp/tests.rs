//! The operator's texts on both backends: safety texts and site pages
//! are upserted, each save with its audit row.

use std::sync::Arc;

use crate::Store;
use crate::testing::{audit_by, now};

crate::on_both_backends!(
    safety_texts_and_site_pages_round_trip_with_audit_rows,
    |store: Arc<dyn Store>| async move {
        let admin = store
            .ensure_account("keeper", now())
            .await
            .expect("account");
        assert!(store.safety_texts().await.expect("texts").is_empty());
        for (country, body) in [
            ("default", "Call 112."),
            ("DE", "Ruf 112 an."),
            ("DE", "Ruf 112 oder 110 an."),
        ] {
            store
                .save_safety_text(
                    country,
                    body,
                    &audit_by(admin, "keeper", "safety.edit", country),
                    now(),
                )
                .await
                .expect("save");
        }
        assert_eq!(
            store.safety_texts().await.expect("texts"),
            [
                ("DE".to_owned(), "Ruf 112 oder 110 an.".to_owned()),
                ("default".to_owned(), "Call 112.".to_owned()),
            ]
        );

        assert_eq!(store.site_page("about").await.expect("page"), None);
        for body in ["Run by a collective.", "Run by Ana and Joe."] {
            store
                .save_site_page(
                    "about",
                    body,
                    &audit_by(admin, "keeper", "about.edit", "page:about"),
                    now(),
                )
                .await
                .expect("save");
        }
        assert_eq!(
            store.site_page("about").await.expect("page").as_deref(),
            Some("Run by Ana and Joe.")
        );
        assert_eq!(store.site_page("terms").await.expect("page"), None);

        let log = store.audit_log(3).await.expect("audit");
        assert_eq!(log.len(), 3, "the limit holds");
        assert_eq!(log[0].action, "about.edit");
        assert_eq!(log[0].at, now());
        let all = store.audit_log(10).await.expect("audit");
        assert_eq!(all.iter().filter(|r| r.action == "safety.edit").count(), 3);
    }
);
