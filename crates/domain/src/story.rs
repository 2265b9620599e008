//! Members' stories: what a story may say (lengths), the statuses it goes
//! through, and which change leads where. An edit of a published story is
//! kept as a revision beside the published text until a moderator decides,
//! so readers never lose the story while it is re-reviewed.

use crate::validation::{FieldError, Refusals, text_within};

/// The longest title, in characters.
pub const TITLE_MAX: usize = 120;
/// The longest story, in characters of Markdown.
pub const BODY_MAX: usize = 20_000;
/// The shortest story worth a moderator's time, in characters.
pub const BODY_MIN: usize = 20;

/// Where a story stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StoryStatus {
    /// Waiting for a moderator.
    Pending,
    /// Readable by everyone.
    Published,
    /// A moderator declined it, with a note; the author may edit and
    /// resubmit.
    Declined,
    /// Its author took it back; nobody else sees it.
    Withdrawn,
    /// A moderator hid it (after a report); nobody else sees it.
    Hidden,
}

impl StoryStatus {
    /// The stored and API code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Published => "published",
            Self::Declined => "declined",
            Self::Withdrawn => "withdrawn",
            Self::Hidden => "hidden",
        }
    }

    /// The status a code names.
    pub fn parse(code: &str) -> Option<Self> {
        Some(match code {
            "pending" => Self::Pending,
            "published" => Self::Published,
            "declined" => Self::Declined,
            "withdrawn" => Self::Withdrawn,
            "hidden" => Self::Hidden,
            _ => return None,
        })
    }
}

/// Something that changes a story.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoryChange {
    /// The author saved an edit.
    AuthorEdit,
    /// The author took it back.
    Withdraw,
    /// A moderator published it (or its waiting revision).
    Publish,
    /// A moderator declined it (or its waiting revision), with a note.
    Decline,
}

/// What a change does to a story.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoryStep {
    /// The status afterwards.
    pub status: StoryStatus,
    /// Whether the text goes into (edit) or comes out of (decision) the
    /// revision beside the published text, rather than the story itself.
    pub revision: bool,
}

/// What `change` does to a story in `current` (with a revision waiting or
/// not), or `None` when it does not apply.
pub fn next_status(
    current: StoryStatus,
    revision_waits: bool,
    change: StoryChange,
) -> Option<StoryStep> {
    use StoryChange as C;
    use StoryStatus as S;
    let step = |status, revision| Some(StoryStep { status, revision });
    match (change, current) {
        // A published story stays up while its edit waits for review.
        (C::AuthorEdit, S::Published) => step(S::Published, true),
        // Anything else the author edits goes (back) to review; a hidden
        // story is the moderators' to release, not an edit's.
        (C::AuthorEdit, S::Pending | S::Declined | S::Withdrawn) => step(S::Pending, false),
        (C::Withdraw, S::Pending | S::Published | S::Declined | S::Hidden) => {
            step(S::Withdrawn, false)
        }
        (C::Publish, S::Pending) => step(S::Published, false),
        (C::Decline, S::Pending) => step(S::Declined, false),
        // A decision on a revision keeps the story published either way.
        (C::Publish | C::Decline, S::Published) if revision_waits => step(S::Published, true),
        _ => None,
    }
}

/// Whether a reader other than the author and the moderators may see a
/// story in `status`.
pub fn is_public(status: StoryStatus) -> bool {
    status == StoryStatus::Published
}

/// A story as its author typed it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StoryInput {
    /// The title.
    pub title: String,
    /// The story, in Markdown (the field `story` in forms and JSON).
    pub body: String,
    /// Shown as "anonymous member" rather than under the author's handle.
    pub anonymous: bool,
}

/// A story's text, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoryText {
    /// The title, trimmed.
    pub title: String,
    /// The Markdown, trimmed.
    pub body: String,
    /// Whether it is shown without the author's handle.
    pub anonymous: bool,
}

impl StoryInput {
    /// The checked text, or every refused field at once.
    pub fn parse(&self) -> Result<StoryText, Vec<FieldError>> {
        let mut refusals = Refusals::default();
        let title = refusals.check(text_within("title", &self.title, 1, TITLE_MAX));
        let body = refusals.check(text_within("story", &self.body, BODY_MIN, BODY_MAX));
        refusals.finish(|| StoryText {
            title: title.unwrap_or_default(),
            body: body.unwrap_or_default(),
            anonymous: self.anonymous,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use StoryChange as C;
    use StoryStatus as S;

    fn to(status: StoryStatus, revision: bool) -> Option<StoryStep> {
        Some(StoryStep { status, revision })
    }

    #[test]
    fn a_story_is_reviewed_before_anyone_reads_it() {
        assert_eq!(
            next_status(S::Pending, false, C::Publish),
            to(S::Published, false)
        );
        assert_eq!(
            next_status(S::Pending, false, C::Decline),
            to(S::Declined, false)
        );
        assert_eq!(next_status(S::Published, false, C::Publish), None);
        assert_eq!(next_status(S::Declined, false, C::Publish), None);
        assert_eq!(next_status(S::Withdrawn, false, C::Publish), None);
        assert!(is_public(S::Published));
        for hidden in [S::Pending, S::Declined, S::Withdrawn, S::Hidden] {
            assert!(!is_public(hidden), "{hidden:?}");
        }
    }

    #[test]
    fn an_edit_of_a_published_story_waits_beside_it() {
        assert_eq!(
            next_status(S::Published, false, C::AuthorEdit),
            to(S::Published, true)
        );
        assert_eq!(
            next_status(S::Published, true, C::Publish),
            to(S::Published, true)
        );
        assert_eq!(
            next_status(S::Published, true, C::Decline),
            to(S::Published, true)
        );
    }

    #[test]
    fn other_edits_go_back_to_review_but_a_hidden_story_stays_hidden() {
        for status in [S::Pending, S::Declined, S::Withdrawn] {
            assert_eq!(
                next_status(status, false, C::AuthorEdit),
                to(S::Pending, false)
            );
        }
        assert_eq!(next_status(S::Hidden, false, C::AuthorEdit), None);
    }

    #[test]
    fn the_author_may_withdraw_at_any_time_but_only_once() {
        for status in [S::Pending, S::Published, S::Declined, S::Hidden] {
            assert_eq!(
                next_status(status, false, C::Withdraw),
                to(S::Withdrawn, false)
            );
        }
        assert_eq!(next_status(S::Withdrawn, false, C::Withdraw), None);
    }

    #[test]
    fn statuses_round_trip_through_their_codes() {
        for status in [
            S::Pending,
            S::Published,
            S::Declined,
            S::Withdrawn,
            S::Hidden,
        ] {
            assert_eq!(StoryStatus::parse(status.code()), Some(status));
        }
        assert_eq!(StoryStatus::parse("listed"), None);
    }

    #[test]
    fn a_story_needs_a_title_and_a_few_words_and_says_every_problem_at_once() {
        let refused = StoryInput::default().parse().expect_err("empty");
        assert_eq!(
            refused,
            vec![
                FieldError::new("title", "required"),
                FieldError::new("story", "required")
            ]
        );
        let long = StoryInput {
            title: "t".repeat(TITLE_MAX + 1),
            body: "too short".into(),
            anonymous: false,
        };
        assert_eq!(
            long.parse().expect_err("refused"),
            vec![
                FieldError::new("title", "too_long"),
                FieldError::new("story", "too_short")
            ]
        );
        let fine = StoryInput {
            title: "  Two years off  ".into(),
            body: "The group kept me going through the worst weeks.".into(),
            anonymous: true,
        };
        let text = fine.parse().expect("valid");
        assert_eq!(text.title, "Two years off");
        assert!(text.anonymous);
    }
}
