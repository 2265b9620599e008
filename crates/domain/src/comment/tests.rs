use super::*;

#[derive(Debug, Clone, PartialEq, Eq)]
struct C(i64, Option<i64>);

impl Threaded for C {
    fn id(&self) -> i64 {
        self.0
    }
    fn parent(&self) -> Option<i64> {
        self.1
    }
}

fn shape(placed: &[Placed<C>]) -> Vec<(i64, u32, Option<i64>)> {
    placed
        .iter()
        .map(|p| (p.comment.0, p.indent, p.in_reply_to))
        .collect()
}

#[test]
fn replies_follow_their_parent_oldest_first() {
    // 1 ─ 3 ─ 5
    //   └ 4
    // 2
    let placed = thread(vec![
        C(5, Some(3)),
        C(2, None),
        C(4, Some(1)),
        C(1, None),
        C(3, Some(1)),
    ]);
    assert_eq!(
        shape(&placed),
        vec![
            (1, 0, None),
            (3, 1, None),
            (5, 2, None),
            (4, 1, None),
            (2, 0, None)
        ]
    );
}

#[test]
fn deep_replies_flatten_and_say_whom_they_answer() {
    let chain: Vec<C> = (1..=7).map(|i| C(i, (i > 1).then(|| i - 1))).collect();
    let placed = thread(chain);
    assert_eq!(
        shape(&placed),
        vec![
            (1, 0, None),
            (2, 1, None),
            (3, 2, None),
            (4, 3, None),
            (5, 3, Some(4)),
            (6, 3, Some(5)),
            (7, 3, Some(6)),
        ]
    );
}

#[test]
fn a_reply_whose_parent_is_not_shown_starts_its_own_thread() {
    let placed = thread(vec![C(1, None), C(3, Some(2)), C(4, Some(3))]);
    assert_eq!(
        shape(&placed),
        vec![(1, 0, None), (3, 0, Some(2)), (4, 1, None)]
    );
}

#[test]
fn a_very_deep_thread_needs_no_recursion() {
    let chain: Vec<C> = (1..=100_000)
        .map(|i| C(i, (i > 1).then(|| i - 1)))
        .collect();
    let placed = thread(chain);
    assert_eq!(placed.len(), 100_000);
    assert_eq!(placed.last().map(|p| p.indent), Some(SHOWN_DEPTH - 1));
}

#[test]
fn replies_are_refused_to_unavailable_comments_and_past_the_limit() {
    assert_eq!(reply_depth(0, CommentStatus::Published), Ok(1));
    assert_eq!(
        reply_depth(DEPTH_LIMIT - 1, CommentStatus::Published),
        Ok(DEPTH_LIMIT)
    );
    assert_eq!(
        reply_depth(DEPTH_LIMIT, CommentStatus::Published),
        Err(ReplyRefusal::TooDeep)
    );
    for status in [
        CommentStatus::Deleted,
        CommentStatus::Hidden,
        CommentStatus::Held,
        CommentStatus::Unconfirmed,
    ] {
        assert_eq!(reply_depth(0, status), Err(ReplyRefusal::ParentUnavailable));
    }
}

#[test]
fn comments_are_editable_only_within_the_window() {
    let written: Timestamp = "2026-12-01T10:00:00Z".parse().expect("present");
    let within = written + EDIT_WINDOW;
    let after = within + SignedDuration::from_secs(1);
    assert!(editable(CommentStatus::Published, written, within));
    assert!(!editable(CommentStatus::Published, written, after));
    assert!(!editable(CommentStatus::Hidden, written, written));
    assert!(!editable(CommentStatus::Deleted, written, written));
}

#[test]
fn deleting_leaves_a_placeholder_only_when_there_are_replies() {
    assert_eq!(deletion(0), Deletion::Remove);
    assert_eq!(deletion(2), Deletion::Placeholder);
}

#[test]
fn bodies_and_names_are_checked() {
    assert_eq!(parse_body("  hi  "), Ok("hi".to_owned()));
    assert_eq!(parse_body("   ").expect_err("refused").code, "required");
    assert_eq!(
        parse_body(&"x".repeat(BODY_MAX + 1))
            .expect_err("refused")
            .code,
        "too_long"
    );
    assert_eq!(
        parse_guest_name("").expect_err("refused").field,
        "guest_name"
    );
}

#[test]
fn statuses_round_trip() {
    for code in ["unconfirmed", "held", "published", "hidden", "deleted"] {
        assert_eq!(
            CommentStatus::parse(code).map(CommentStatus::code),
            Some(code)
        );
    }
    assert_eq!(CommentStatus::parse("Published"), None);
}

#[test]
fn a_comment_that_shares_a_group_is_noticed() {
    assert!(shares_a_group(
        "We meet every Tuesday at 7pm in the library, all welcome"
    ));
    assert!(shares_a_group("Thursdays (thursday) 19:30 CET by phone"));
    assert!(shares_a_group("Join us: https://zoom.us/j/123"));
    assert!(!shares_a_group("On Monday I felt better than in weeks."));
    assert!(!shares_a_group(
        "My experience wasn't the same: 3 years and 2 tapers."
    ));
}
