//! How long a group's hosts usually take to answer a request to join,
//! measured from the group's own past answers, so a person waiting can be
//! told "usually within 2 days" — or nothing, when there is too little to
//! go on.

use jiff::SignedDuration;

/// How many of the latest answers the measure reads.
pub const RECENT_ANSWERS: u32 = 20;
/// Fewer answers than this say nothing about a group.
pub const ENOUGH_ANSWERS: usize = 3;

/// A group's usual answer time, rounded up to words a person reads
/// ("usually within a day"); the web layer holds the words per [`code`].
///
/// [`code`]: UsualAnswer::code
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum UsualAnswer {
    /// Within an hour.
    Hour,
    /// Within a few (six) hours.
    FewHours,
    /// Within a day.
    Day,
    /// Within two days.
    TwoDays,
    /// Within three days.
    ThreeDays,
    /// Within a week.
    Week,
    /// Within two weeks.
    TwoWeeks,
    /// More than two weeks.
    Longer,
}

impl UsualAnswer {
    /// A stable code for the words: `hour`, `few_hours`, `day`, `two_days`,
    /// `three_days`, `week`, `two_weeks`, `longer`.
    pub fn code(self) -> &'static str {
        match self {
            Self::Hour => "hour",
            Self::FewHours => "few_hours",
            Self::Day => "day",
            Self::TwoDays => "two_days",
            Self::ThreeDays => "three_days",
            Self::Week => "week",
            Self::TwoWeeks => "two_weeks",
            Self::Longer => "longer",
        }
    }

    /// The smallest bucket that holds `wait`.
    fn holding(wait: SignedDuration) -> Self {
        const HOUR: i64 = 3_600;
        const DAY: i64 = 24 * HOUR;
        let seconds = wait.as_secs();
        match seconds {
            s if s <= HOUR => Self::Hour,
            s if s <= 6 * HOUR => Self::FewHours,
            s if s <= DAY => Self::Day,
            s if s <= 2 * DAY => Self::TwoDays,
            s if s <= 3 * DAY => Self::ThreeDays,
            s if s <= 7 * DAY => Self::Week,
            s if s <= 14 * DAY => Self::TwoWeeks,
            _ => Self::Longer,
        }
    }
}

/// The median of the waits (newest first, at most [`RECENT_ANSWERS`] read)
/// from a request to its hosts' answer, in words; `None` with fewer than
/// [`ENOUGH_ANSWERS`]. The median, so that one answer forgotten for a month
/// does not make every host look slow. A negative wait (a clock moved) counts
/// as none.
pub fn usual_answer(waits: &[SignedDuration]) -> Option<UsualAnswer> {
    let mut recent: Vec<SignedDuration> = waits
        .iter()
        .take(RECENT_ANSWERS as usize)
        .map(|w| (*w).max(SignedDuration::ZERO))
        .collect();
    if recent.len() < ENOUGH_ANSWERS {
        return None;
    }
    recent.sort();
    // For an even count, the upper of the two middle waits: a promise kept
    // rather than a hope.
    let median = recent[recent.len() / 2];
    Some(UsualAnswer::holding(median))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hours(h: &[i64]) -> Vec<SignedDuration> {
        h.iter().map(|h| SignedDuration::from_hours(*h)).collect()
    }

    #[test]
    fn fewer_than_three_answers_say_nothing() {
        assert_eq!(usual_answer(&[]), None);
        assert_eq!(usual_answer(&hours(&[1, 2])), None);
        assert_eq!(
            usual_answer(&hours(&[1, 2, 3])),
            Some(UsualAnswer::FewHours)
        );
    }

    #[test]
    fn one_forgotten_request_does_not_make_the_hosts_look_slow() {
        assert_eq!(
            usual_answer(&hours(&[20, 30, 40, 24 * 30, 10])),
            Some(UsualAnswer::TwoDays)
        );
    }

    #[test]
    fn an_even_count_takes_the_upper_middle_answer() {
        // 1 h, 5 h | 30 h, 80 h: the upper middle is 30 h.
        assert_eq!(
            usual_answer(&hours(&[80, 1, 30, 5])),
            Some(UsualAnswer::TwoDays)
        );
    }

    #[test]
    fn each_bucket_holds_its_upper_bound() {
        let cases = [
            (1, UsualAnswer::Hour),
            (2, UsualAnswer::FewHours),
            (6, UsualAnswer::FewHours),
            (7, UsualAnswer::Day),
            (24, UsualAnswer::Day),
            (25, UsualAnswer::TwoDays),
            (48, UsualAnswer::TwoDays),
            (72, UsualAnswer::ThreeDays),
            (73, UsualAnswer::Week),
            (24 * 7, UsualAnswer::Week),
            (24 * 14, UsualAnswer::TwoWeeks),
            (24 * 14 + 1, UsualAnswer::Longer),
        ];
        for (h, expected) in cases {
            assert_eq!(usual_answer(&hours(&[h, h, h])), Some(expected), "{h} h");
        }
    }

    #[test]
    fn only_the_latest_twenty_answers_count() {
        // The newest twenty came within the hour; thirty old ones took weeks.
        let mut waits = hours(&[0; 20]);
        waits.extend(hours(&[24 * 20; 30]));
        assert_eq!(usual_answer(&waits), Some(UsualAnswer::Hour));
    }

    #[test]
    fn a_wait_below_zero_counts_as_none() {
        assert_eq!(usual_answer(&hours(&[-5, -5, -5])), Some(UsualAnswer::Hour));
    }

    #[test]
    fn every_code_is_distinct() {
        let all = [
            UsualAnswer::Hour,
            UsualAnswer::FewHours,
            UsualAnswer::Day,
            UsualAnswer::TwoDays,
            UsualAnswer::ThreeDays,
            UsualAnswer::Week,
            UsualAnswer::TwoWeeks,
            UsualAnswer::Longer,
        ];
        let codes: std::collections::HashSet<_> = all.iter().map(|a| a.code()).collect();
        assert_eq!(codes.len(), all.len());
    }
}
