//! The demo's resource library: the site's founding post, "Do It In a
//! Group" (the seed's post, without its sign-up form and comments, in
//! Markdown), and two short guides, all published, so a newcomer finds
//! the library living too. Written by the demo's own author account, with
//! an audit row each, as the operator's command line writes them.

use jiff::Timestamp;
use kith_store::AuditEntry;
use kith_store::resources::ResourceFields;

use crate::{App, AppResult};

/// (slug, title, summary, tags, Markdown), oldest first.
const RESOURCES: [(&str, &str, &str, &[&str], &str); 3] = [
    (
        "do-it-in-a-group",
        "Do It In a Group",
        "If you’re coming off psych drugs, hoping to someday, or staying off: find people on a similar journey and meet regularly to check in.",
        &["groups", "coming-off", "staying-off", "peer-support"],
        include_str!("do-it-in-a-group.md"),
    ),
    (
        "facilitating-a-peer-support-group",
        "Facilitating a peer support group",
        "Fair turns, a check-in round where passing is always fine, and a few agreements read at the start.",
        &["groups", "facilitation"],
        include_str!("facilitation.md"),
    ),
    (
        "starting-a-group-of-your-own",
        "Starting a group of your own",
        "Pick a rhythm you can keep, write your agreements, list it here, and expect small beginnings.",
        &["groups", "hosting"],
        include_str!("starting-a-group.md"),
    ),
];

/// The account the demo's resources are written by: a reserved handle,
/// so no person can register as it, and it cannot log in.
const AUTHOR: &str = "kith";

/// Writes the demo resources, a minute apart so the newest comes first.
pub(super) async fn seed(app: &App, now: Timestamp) -> AppResult<usize> {
    let store = app.store();
    let author = store.ensure_account(AUTHOR, now).await?;
    for (i, (slug, title, summary, tags, body)) in RESOURCES.into_iter().enumerate() {
        let tags: Vec<String> = tags.iter().map(|t| (*t).to_owned()).collect();
        let fields = ResourceFields {
            slug,
            title,
            summary,
            body,
            tags: &tags,
            published: true,
        };
        let audit = AuditEntry {
            actor: None,
            actor_handle: "operator",
            action: "resource.publish",
            target: format!("resource:{slug}"),
            reason: "kith serve --demo",
        };
        let minutes = i64::try_from(RESOURCES.len() - i).unwrap_or_default();
        let at = now - jiff::SignedDuration::from_mins(minutes);
        store
            .create_resource(author, &fields, None, &audit, at)
            .await?;
    }
    app.public_changed();
    Ok(RESOURCES.len())
}
