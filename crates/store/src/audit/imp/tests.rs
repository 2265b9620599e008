//! The audit log on both backends: newest first, each row as written, and
//! the actor's handle kept after their account is gone.

use std::sync::Arc;

use jiff::SignedDuration;

use crate::Store;
use crate::audit::AuditRecord;
use crate::model::AuditEntry;
use crate::testing::{account, audit_by, now};

crate::on_both_backends!(
    the_audit_log_is_newest_first_and_keeps_what_each_row_says,
    |store: Arc<dyn Store>| async move {
        let keeper = account(&store, "keeper").await;
        let later = now() + SignedDuration::from_hours(1);
        let by_operator = AuditEntry {
            actor: None,
            actor_handle: "operator",
            action: "safety.edit",
            target: "safety:default".to_owned(),
            reason: "Yearly review.",
        };
        store
            .save_safety_text("default", "Call 112.", &by_operator, now())
            .await
            .expect("save");
        store
            .save_safety_text(
                "DE",
                "Ruf 112 an.",
                &audit_by(keeper, "keeper", "safety.edit", "safety:DE"),
                later,
            )
            .await
            .expect("save");
        // At the same second as the one before: the later row first.
        store
            .save_site_page(
                "about",
                "Run by Ana.",
                &audit_by(keeper, "keeper", "about.edit", "page:about"),
                later,
            )
            .await
            .expect("save");

        let log = store.audit_log(10).await.expect("audit");
        let targets: Vec<&str> = log.iter().map(|r| r.target.as_str()).collect();
        assert_eq!(targets, ["page:about", "safety:DE", "safety:default"]);
        assert_eq!(
            log[2],
            AuditRecord {
                at: now(),
                actor_handle: "operator".to_owned(),
                action: "safety.edit".to_owned(),
                target: "safety:default".to_owned(),
                reason: "Yearly review.".to_owned(),
            }
        );
        assert_eq!(log[0].at, later);
        let first: Vec<String> = store
            .audit_log(2)
            .await
            .expect("audit")
            .into_iter()
            .map(|r| r.target)
            .collect();
        assert_eq!(first, ["page:about", "safety:DE"], "the limit holds");

        // The record outlives the account that acted.
        store
            .delete_account(keeper)
            .await
            .expect("delete")
            .expect("deleted");
        let log = store.audit_log(10).await.expect("audit");
        assert_eq!(log.len(), 3);
        assert_eq!(log[0].actor_handle, "keeper");
    }
);
