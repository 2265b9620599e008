//! The time. Real in production; fixed in tests and browser journeys so that
//! results do not depend on the hour they run.

use jiff::Timestamp;

/// Where "now" comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Clock {
    /// The system clock.
    #[default]
    System,
    /// Always the same instant.
    Fixed(Timestamp),
}

impl Clock {
    /// The current instant, truncated to whole seconds as the store keeps it.
    pub fn now(self) -> Timestamp {
        let now = match self {
            Self::System => Timestamp::now(),
            Self::Fixed(at) => at,
        };
        Timestamp::from_second(now.as_second()).unwrap_or(now)
    }
}
