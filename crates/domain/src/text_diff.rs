//! What changed in a text, sentence by sentence, with its paragraphs kept:
//! the moderators' change log shows a host's edit as a reader would compare
//! two versions, not as two whole blocks of text.

use similar::{Algorithm, DiffOp, capture_diff_slices};

/// Whether a piece of text stayed, went or came.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// In both versions.
    Same,
    /// Only in the old version.
    Removed,
    /// Only in the new version.
    Added,
}

/// One sentence (with the space after it) and what happened to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Piece {
    /// What happened to it.
    pub change: Change,
    /// The sentence as written.
    pub text: String,
}

/// A paragraph of the comparison.
pub type Paragraph = Vec<Piece>;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Token<'a> {
    Sentence(&'a str),
    Break,
}

/// Splits after `.`, `!`, `?` or `…` (and any closing quotes or brackets)
/// followed by a space, keeping that space with the sentence.
fn sentences(paragraph: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut chars = paragraph.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if !matches!(c, '.' | '!' | '?' | '…') {
            continue;
        }
        let mut end = i + c.len_utf8();
        while let Some(&(j, next)) = chars.peek() {
            if matches!(next, '"' | '\'' | '”' | '’' | ')' | ']' | '.' | '!' | '?') {
                end = j + next.len_utf8();
                chars.next();
            } else {
                break;
            }
        }
        if let Some(&(j, next)) = chars.peek()
            && next.is_whitespace()
        {
            out.push(&paragraph[start..j + next.len_utf8()]);
            start = j + next.len_utf8();
            chars.next();
        } else if chars.peek().is_none() {
            out.push(&paragraph[start..end]);
            start = end;
        }
    }
    if start < paragraph.len() {
        out.push(&paragraph[start..]);
    }
    out
}

fn tokens(text: &str) -> Vec<Token<'_>> {
    let mut out = Vec::new();
    for paragraph in text.split("\n\n").map(str::trim).filter(|p| !p.is_empty()) {
        if !out.is_empty() {
            out.push(Token::Break);
        }
        out.extend(sentences(paragraph).into_iter().map(Token::Sentence));
    }
    out
}

/// The comparison of `before` and `after`: paragraphs of sentences, each
/// kept, removed or added. A paragraph break counts as a change when only
/// one version has it.
pub fn sentence_diff(before: &str, after: &str) -> Vec<Paragraph> {
    let old = tokens(before);
    let new = tokens(after);
    let mut paragraphs: Vec<Paragraph> = vec![Vec::new()];
    let mut push = |change: Change, token: &Token<'_>| match token {
        Token::Sentence(text) => paragraphs.last_mut().expect("never empty").push(Piece {
            change,
            text: (*text).to_owned(),
        }),
        Token::Break => paragraphs.push(Vec::new()),
    };
    for op in capture_diff_slices(Algorithm::Myers, &old, &new) {
        match op {
            DiffOp::Equal { old_index, len, .. } => {
                for t in &old[old_index..old_index + len] {
                    push(Change::Same, t);
                }
            }
            DiffOp::Delete {
                old_index, old_len, ..
            } => {
                for t in &old[old_index..old_index + old_len] {
                    push(Change::Removed, t);
                }
            }
            DiffOp::Insert {
                new_index, new_len, ..
            } => {
                for t in &new[new_index..new_index + new_len] {
                    push(Change::Added, t);
                }
            }
            DiffOp::Replace {
                old_index,
                old_len,
                new_index,
                new_len,
            } => {
                for t in &old[old_index..old_index + old_len] {
                    push(Change::Removed, t);
                }
                for t in &new[new_index..new_index + new_len] {
                    push(Change::Added, t);
                }
            }
        }
    }
    paragraphs.retain(|p| !p.is_empty());
    paragraphs
}

#[cfg(test)]
mod tests {
    use super::*;

    fn show(paragraphs: &[Paragraph]) -> Vec<String> {
        paragraphs
            .iter()
            .map(|p| {
                p.iter()
                    .map(|piece| match piece.change {
                        Change::Same => piece.text.clone(),
                        Change::Removed => format!("[-{}-]", piece.text),
                        Change::Added => format!("{{+{}+}}", piece.text),
                    })
                    .collect::<String>()
            })
            .collect()
    }

    #[test]
    fn one_changed_sentence_is_marked_and_the_rest_kept() {
        let before = "We meet weekly. Bring tea. Newcomers welcome.";
        let after = "We meet weekly. Bring coffee. Newcomers welcome.";
        assert_eq!(
            show(&sentence_diff(before, after)),
            vec!["We meet weekly. [-Bring tea. -]{+Bring coffee. +}Newcomers welcome."]
        );
    }

    #[test]
    fn paragraphs_stay_paragraphs() {
        let before = "First para. Still first.\n\nSecond para.";
        let after = "First para. Still first.\n\nSecond para! Added here.\n\nA third.";
        assert_eq!(
            show(&sentence_diff(before, after)),
            vec![
                "First para. Still first.",
                "[-Second para.-]{+Second para! +}{+Added here.+}",
                "{+A third.+}",
            ]
        );
    }

    #[test]
    fn unchanged_text_has_no_marks_and_empty_text_no_paragraphs() {
        let text = "Dr. Who? Quoted \"end.\" Then more…";
        let diff = sentence_diff(text, text);
        assert!(
            diff.iter()
                .flatten()
                .all(|piece| piece.change == Change::Same)
        );
        let joined: String = diff.iter().flatten().map(|p| p.text.as_str()).collect();
        assert_eq!(joined, text);
        assert!(sentence_diff("", "").is_empty());
        assert_eq!(show(&sentence_diff("", "New.")), vec!["{+New.+}"]);
    }
}
