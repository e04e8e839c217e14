//! Errors of the `clean` stage.

/// What can go wrong in the `clean` stage.
///
/// The stage itself never fails on a document (every text can be cleaned); errors come
/// from settings that make no sense.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A ratio setting lies outside `0.0..=1.0`.
    #[error("`{setting}` = {value} is not a ratio between 0.0 and 1.0")]
    RatioOutOfRange {
        /// The setting's name.
        setting: &'static str,
        /// The value given.
        value: f64,
    },
    /// A lower bound is above its upper bound.
    #[error("`{min_setting}` = {min} is above `{max_setting}` = {max}")]
    MinAboveMax {
        /// The lower bound's setting.
        min_setting: &'static str,
        /// Its value.
        min: f64,
        /// The upper bound's setting.
        max_setting: &'static str,
        /// Its value.
        max: f64,
    },
    /// A numeric setting is negative or not a number.
    #[error("`{setting}` = {value} must be a non-negative number")]
    Negative {
        /// The setting's name.
        setting: &'static str,
        /// The value given.
        value: f64,
    },
}

/// A result whose error is this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_lowercase_without_period() {
        let e = Error::RatioOutOfRange {
            setting: "max_symbol_ratio",
            value: 1.5,
        };
        let msg = e.to_string();
        assert_eq!(
            msg,
            "`max_symbol_ratio` = 1.5 is not a ratio between 0.0 and 1.0"
        );
        assert!(!msg.ends_with('.'));
    }
}
