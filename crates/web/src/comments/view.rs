//! Comments as templates show them: bylines in words, times in the
//! reader's zone, the links each reader may follow.

use kith_app::comments::{Byline, CommentAuthor, ShownComment, permalink};
use kith_domain::comment::CommentStatus;
use kith_domain::ids::CommentId;
use kith_domain::zone::Zone;

use crate::messages::Messages;
use crate::views::local_date_time;

/// One comment in a list.
pub(crate) struct CommentItem {
    pub(crate) id: String,
    pub(crate) permalink: String,
    pub(crate) byline: String,
    /// `member`, `guest`, `author` or `deleted`, for the byline's look.
    pub(crate) byline_kind: &'static str,
    pub(crate) html: String,
    /// Words for a status only some readers see ("Waiting for a
    /// moderator"), or empty.
    pub(crate) status_note: String,
    pub(crate) written: String,
    pub(crate) datetime: String,
    pub(crate) edited: bool,
    pub(crate) indent: u32,
    /// (permalink, name) of the comment it answers, when the indent does
    /// not show it.
    pub(crate) in_reply_to: Option<(String, String)>,
    /// (page, name) of the listed group a host pointed to.
    pub(crate) group: Option<(String, String)>,
    pub(crate) shares_group: bool,
    pub(crate) may_edit: bool,
    pub(crate) may_delete: bool,
    pub(crate) may_reply: bool,
    pub(crate) may_report: bool,
    /// The comment a permalink names.
    pub(crate) focus: bool,
}

/// A byline in words.
pub(crate) fn byline(m: &Messages, byline: &Byline) -> (String, &'static str) {
    match byline {
        Byline::Member(handle) => (handle.clone(), "member"),
        Byline::Guest(name) => (format!("{name} {}", m.t("comments.guest_mark")), "guest"),
        Byline::StoryAuthor => (m.t("comments.story_author").to_owned(), "author"),
        Byline::Deleted => (m.t("comments.deleted_author").to_owned(), "deleted"),
    }
}

/// Who wrote a comment, for moderators (a handle, or a guest's name).
pub(crate) fn author_name(m: &Messages, author: &CommentAuthor) -> String {
    match author {
        CommentAuthor::Member { handle, .. } => handle.clone(),
        CommentAuthor::Guest { name, .. } => format!("{name} {}", m.t("comments.guest_mark")),
        CommentAuthor::Gone => m.t("comments.deleted_author").to_owned(),
    }
}

/// The comments as a list, times in `zone`, `focus` marked.
pub(crate) fn items(
    m: &Messages,
    comments: Vec<ShownComment>,
    zone: &Zone,
    focus: Option<&CommentId>,
) -> Vec<CommentItem> {
    comments
        .into_iter()
        .map(|shown| {
            let c = shown.comment;
            let (name, kind) = byline(m, &c.byline);
            let (written, datetime) = local_date_time(c.created_at, zone);
            CommentItem {
                permalink: permalink(&c.id),
                focus: focus == Some(&c.id),
                id: c.id.to_string(),
                byline: name,
                byline_kind: kind,
                html: c.html,
                status_note: match c.status {
                    CommentStatus::Held => m.t("comments.status.held").to_owned(),
                    CommentStatus::Hidden => m.t("comments.status.hidden").to_owned(),
                    _ => String::new(),
                },
                written,
                datetime,
                edited: c.edited_at.is_some() && c.status != CommentStatus::Deleted,
                indent: shown.indent,
                in_reply_to: shown
                    .in_reply_to
                    .map(|(id, to)| (permalink(&id), byline(m, &to).0)),
                group: c
                    .group
                    .map(|(slug, name)| (format!("/groups/{slug}"), name)),
                shares_group: c.shares_group,
                may_edit: c.may_edit,
                may_delete: c.may_delete,
                may_reply: c.may_reply || c.status == CommentStatus::Published,
                may_report: c.may_report,
            }
        })
        .collect()
}
