//! Blocks between members: the one rule that needs no database.

use crate::ids::AccountId;
use crate::validation::FieldError;

/// Whether `blocker` may block `blocked`: anyone but oneself. The refusal
/// names the `handle` field the form and the API take.
pub fn may_block(blocker: AccountId, blocked: AccountId) -> Result<(), FieldError> {
    if blocker == blocked {
        Err(FieldError::new("handle", "self_block"))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nobody_blocks_themselves() {
        assert_eq!(
            may_block(AccountId(3), AccountId(3)),
            Err(FieldError::new("handle", "self_block"))
        );
        assert_eq!(may_block(AccountId(3), AccountId(4)), Ok(()));
    }
}
