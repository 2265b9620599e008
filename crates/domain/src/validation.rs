//! Refused input: which field, and a stable code that the web layer turns
//! into words (HTML) or a problem document (API).

/// One refused field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FieldError {
    /// The field's name, as in the form and the JSON body.
    pub field: &'static str,
    /// The stable error code.
    pub code: &'static str,
}

impl FieldError {
    /// A refusal of `field` with `code`.
    pub const fn new(field: &'static str, code: &'static str) -> Self {
        Self { field, code }
    }
}

/// Collects refusals while a whole input is checked, so a person sees every
/// problem at once rather than one per attempt.
#[derive(Debug, Default)]
pub struct Refusals(Vec<FieldError>);

impl Refusals {
    /// Records a refusal.
    pub fn push(&mut self, field: &'static str, code: &'static str) {
        self.0.push(FieldError::new(field, code));
    }

    /// The value, or records the refusal and answers `None`.
    pub fn check<T>(&mut self, result: Result<T, FieldError>) -> Option<T> {
        result.map_err(|e| self.0.push(e)).ok()
    }

    /// `value` when nothing was refused, else every refusal.
    pub fn finish<T>(self, value: impl FnOnce() -> T) -> Result<T, Vec<FieldError>> {
        if self.0.is_empty() {
            Ok(value())
        } else {
            Err(self.0)
        }
    }

    /// Whether anything was refused.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Checks a text's length in characters, after trimming; answers the trimmed
/// text.
pub fn text_within(
    field: &'static str,
    raw: &str,
    min: usize,
    max: usize,
) -> Result<String, FieldError> {
    let text = raw.trim();
    let chars = text.chars().count();
    if chars == 0 && min > 0 {
        Err(FieldError::new(field, "required"))
    } else if chars < min {
        Err(FieldError::new(field, "too_short"))
    } else if chars > max {
        Err(FieldError::new(field, "too_long"))
    } else if text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        Err(FieldError::new(field, "invalid_characters"))
    } else {
        Ok(text.replace("\r\n", "\n"))
    }
}

/// An optional text: empty becomes `None`.
pub fn optional_text(
    field: &'static str,
    raw: Option<&str>,
    max: usize,
) -> Result<Option<String>, FieldError> {
    match raw.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(text) => text_within(field, text, 1, max).map(Some),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_count_characters_not_bytes() {
        assert_eq!(text_within("name", "  äöü  ", 3, 3), Ok("äöü".to_owned()));
        assert_eq!(
            text_within("name", "ab", 3, 120),
            Err(FieldError::new("name", "too_short"))
        );
        assert_eq!(
            text_within("name", "   ", 3, 120),
            Err(FieldError::new("name", "required"))
        );
        assert_eq!(
            text_within("name", "a\u{0}bc", 3, 120),
            Err(FieldError::new("name", "invalid_characters"))
        );
    }
}
