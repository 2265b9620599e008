//! Comments under resources and stories: what a comment may say, how deep
//! replies nest, who may edit or delete one and for how long, and how a
//! page's flat list of comments becomes the thread a reader sees.

use jiff::{SignedDuration, Timestamp};

use crate::validation::{FieldError, text_within};

/// The longest comment, in characters.
pub const BODY_MAX: usize = 5_000;
/// The longest name a guest may give.
pub const GUEST_NAME_MAX: usize = 60;
/// Replies nest visibly this deep (0 is a comment on the page); deeper
/// replies are shown at the last level, "in reply to" whom they answer.
pub const SHOWN_DEPTH: u32 = 4;
/// No reply deeper than this: a thread that long is a conversation for
/// somewhere else, and a reader could no longer follow it.
pub const DEPTH_LIMIT: u32 = 24;
/// How long after writing a comment its author may still change it.
pub const EDIT_WINDOW: SignedDuration = SignedDuration::from_secs(60 * 60);

/// Checks a comment's text (Markdown): 1–5,000 characters.
pub fn parse_body(raw: &str) -> Result<String, FieldError> {
    text_within("body", raw, 1, BODY_MAX)
}

/// Checks the name a guest comments under: 1–60 characters.
pub fn parse_guest_name(raw: &str) -> Result<String, FieldError> {
    text_within("guest_name", raw, 1, GUEST_NAME_MAX)
}

/// Where a comment is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CommentStatus {
    /// A guest's, until they confirm their address: nobody else sees it.
    Unconfirmed,
    /// Waiting for a moderator (a guest's first comments).
    Held,
    /// Shown to everyone who may see the page.
    Published,
    /// Hidden by a moderator: only its author and moderators see it.
    Hidden,
    /// Deleted by its author while it had replies: a blank placeholder.
    Deleted,
}

impl CommentStatus {
    /// The stable code, as stored.
    pub fn code(self) -> &'static str {
        match self {
            Self::Unconfirmed => "unconfirmed",
            Self::Held => "held",
            Self::Published => "published",
            Self::Hidden => "hidden",
            Self::Deleted => "deleted",
        }
    }

    /// The status of a stored code.
    pub fn parse(code: &str) -> Option<Self> {
        [
            Self::Unconfirmed,
            Self::Held,
            Self::Published,
            Self::Hidden,
            Self::Deleted,
        ]
        .into_iter()
        .find(|s| s.code() == code)
    }

    /// Whether a reply may be written to a comment in this status.
    pub fn takes_replies(self) -> bool {
        self == Self::Published
    }
}

/// Why a reply cannot be written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplyRefusal {
    /// The comment answered is deleted, hidden or not yet shown.
    ParentUnavailable,
    /// The thread is already as deep as threads go.
    TooDeep,
}

/// The depth of a reply to a comment at `parent_depth` in `parent_status`.
pub fn reply_depth(parent_depth: u32, parent_status: CommentStatus) -> Result<u32, ReplyRefusal> {
    if !parent_status.takes_replies() {
        return Err(ReplyRefusal::ParentUnavailable);
    }
    if parent_depth + 1 > DEPTH_LIMIT {
        return Err(ReplyRefusal::TooDeep);
    }
    Ok(parent_depth + 1)
}

/// Whether the author may still change a comment written at `created_at`:
/// within the edit window, and only while it is not deleted or hidden.
pub fn editable(status: CommentStatus, created_at: Timestamp, now: Timestamp) -> bool {
    !matches!(status, CommentStatus::Deleted | CommentStatus::Hidden)
        && now.duration_since(created_at) <= EDIT_WINDOW
}

/// What deleting a comment leaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Deletion {
    /// Nothing: the row goes.
    Remove,
    /// A "deleted" placeholder that keeps its replies in their place.
    Placeholder,
}

/// What deleting a comment with `replies` replies leaves.
pub fn deletion(replies: u64) -> Deletion {
    if replies == 0 {
        Deletion::Remove
    } else {
        Deletion::Placeholder
    }
}

/// Whether a comment looks like it shares a group (the seed's "share the
/// info below"): it names a weekday and a time, or carries a video call's
/// link. Such a comment gets a gentle pointer to listing the group.
pub fn shares_a_group(body: &str) -> bool {
    const DAYS: [&str; 7] = [
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
    ];
    const CALLS: [&str; 5] = [
        "zoom.us/",
        "meet.google.com/",
        "teams.microsoft.com/",
        "meet.jit.si/",
        "whereby.com/",
    ];
    let text = body.to_lowercase();
    let names_a_day = DAYS.iter().any(|d| text.contains(d));
    let names_a_time = text
        .split(|c: char| c.is_whitespace() || c == ',' || c == '(' || c == ')')
        .any(|word| {
            let word = word.trim_end_matches(['.', ';']);
            let clock = word.split_once(':').is_some_and(|(h, m)| {
                !h.is_empty()
                    && h.len() <= 2
                    && h.bytes().all(|b| b.is_ascii_digit())
                    && m.len() >= 2
                    && m.as_bytes()[..2].iter().all(u8::is_ascii_digit)
            });
            let meridiem = ["am", "pm"].iter().any(|suffix| {
                word.strip_suffix(suffix).is_some_and(|n| {
                    !n.is_empty()
                        && n.split(':')
                            .next()
                            .is_some_and(|h| h.len() <= 2 && h.bytes().all(|b| b.is_ascii_digit()))
                })
            });
            clock || meridiem
        });
    (names_a_day && names_a_time) || CALLS.iter().any(|c| text.contains(c))
}

/// A comment as [`thread`] needs it: its place and its parent.
pub trait Threaded {
    /// Its internal row id.
    fn id(&self) -> i64;
    /// The comment it answers, if any.
    fn parent(&self) -> Option<i64>;
}

/// One comment in a thread as shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placed<T> {
    /// The comment.
    pub comment: T,
    /// How far it is indented: its depth, at most `SHOWN_DEPTH - 1`.
    pub indent: u32,
    /// The comment it answers when the indent no longer shows it (the
    /// reply was flattened), or when that comment is not in the list.
    pub in_reply_to: Option<i64>,
}

/// Orders `comments` (any order; each parent before or after its replies)
/// as a reader goes through them: each comment followed by its replies,
/// oldest first, depth-first. A reply whose parent is missing from the
/// list (hidden from this reader) starts a thread of its own and says whom
/// it answers.
pub fn thread<T: Threaded>(mut comments: Vec<T>) -> Vec<Placed<T>> {
    use std::collections::{HashMap, HashSet};

    comments.sort_by_key(Threaded::id);
    let present: HashSet<i64> = comments.iter().map(Threaded::id).collect();
    let mut children: HashMap<Option<i64>, Vec<usize>> = HashMap::new();
    for (index, comment) in comments.iter().enumerate() {
        let parent = comment.parent().filter(|p| present.contains(p));
        children.entry(parent).or_default().push(index);
    }
    // Depth-first from the roots, with an explicit stack: threads may be
    // deeper than a recursion should go.
    let mut order: Vec<(usize, u32)> = Vec::with_capacity(comments.len());
    let mut stack: Vec<(usize, u32)> = children
        .get(&None)
        .map(|roots| roots.iter().rev().map(|&i| (i, 0)).collect())
        .unwrap_or_default();
    while let Some((index, depth)) = stack.pop() {
        order.push((index, depth));
        if let Some(replies) = children.get(&Some(comments[index].id())) {
            stack.extend(replies.iter().rev().map(|&i| (i, depth + 1)));
        }
    }
    let mut slots: Vec<Option<T>> = comments.into_iter().map(Some).collect();
    order
        .into_iter()
        .filter_map(|(index, depth)| {
            let comment = slots[index].take()?;
            let parent = comment.parent();
            let orphan = depth == 0 && parent.is_some();
            let flattened = depth >= SHOWN_DEPTH;
            Some(Placed {
                indent: depth.min(SHOWN_DEPTH - 1),
                in_reply_to: if orphan || flattened { parent } else { None },
                comment,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests;
