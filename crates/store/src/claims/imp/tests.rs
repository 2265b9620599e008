//! Claims on both backends: asking once, approving adds the host after
//! the others, rejecting does not, and each decision leaves its audit row.

use std::sync::Arc;

use jiff::SignedDuration;
use kith_domain::group::ListingStatus;

use crate::testing::{audit_by, now, two_groups};
use crate::{Store, StoreError};

crate::on_both_backends!(
    a_claim_approved_adds_a_host_and_one_rejected_does_not,
    |store: Arc<dyn Store>| async move {
        let (groups, ids) = two_groups(&store, ListingStatus::Listed).await;
        let slug = &groups[0].profile.slug;
        let moderator = store
            .ensure_account("keeper", now())
            .await
            .expect("account");
        let rowan = store.ensure_account("rowan", now()).await.expect("account");
        let ash = store.ensure_account("ash", now()).await.expect("account");
        store
            .create_claim(ids[0], rowan, "I run it.", now())
            .await
            .expect("claim");
        store
            .create_claim(ids[0], ash, "Me too.", now() + SignedDuration::from_secs(1))
            .await
            .expect("claim");
        assert!(
            matches!(
                store.create_claim(ids[0], rowan, "Again.", now()).await,
                Err(StoreError::Conflict { .. })
            ),
            "one claim per person and group"
        );

        let claims = store.claims(10).await.expect("claims");
        let who: Vec<&str> = claims.iter().map(|c| c.handle.as_str()).collect();
        assert_eq!(who, ["rowan", "ash"], "oldest first");
        assert_eq!(claims[0].slug, *slug);
        assert_eq!(claims[0].message, "I run it.");
        assert_eq!(claims[0].created_at, now());

        let decided = store
            .decide_claim(
                claims[0].id,
                true,
                &audit_by(moderator, "keeper", "claim.approve", "claim:1"),
                now(),
            )
            .await
            .expect("approve");
        assert_eq!(decided, *slug);
        store
            .decide_claim(
                claims[1].id,
                false,
                &audit_by(moderator, "keeper", "claim.reject", "claim:2"),
                now(),
            )
            .await
            .expect("reject");

        let hosts = store.group_access(slug).await.expect("access").hosts;
        assert_eq!(hosts.len(), 2, "{hosts:?}");
        assert_eq!(hosts[1], rowan, "the approved claimant, after willow");
        assert!(!hosts.contains(&ash));
        assert!(store.claims(10).await.expect("claims").is_empty());
        assert!(matches!(
            store
                .decide_claim(
                    claims[0].id,
                    true,
                    &audit_by(moderator, "keeper", "claim.approve", "claim:1"),
                    now(),
                )
                .await,
            Err(StoreError::NotFound)
        ));
        let actions: Vec<String> = store
            .audit_log(10)
            .await
            .expect("audit")
            .into_iter()
            .map(|r| r.action)
            .collect();
        assert_eq!(actions, ["claim.reject", "claim.approve"], "newest first");
    }
);
