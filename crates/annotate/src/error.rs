//! Errors of the annotation stage.

/// What can go wrong when the annotation stage is configured or built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// `reference_date` is not a valid `YYYY-MM-DD` date.
    #[error("reference_date {value:?} is not a valid YYYY-MM-DD date")]
    InvalidReferenceDate {
        /// The value as configured.
        value: String,
    },
    /// `link_memory_mb` is 0.
    #[error("link_memory_mb must be at least 1 (MB); leave it out for the default of 64, or set link_across_documents = false to turn linking off")]
    InvalidLinkMemory,
}

/// Result with the crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_lowercase_without_period() {
        let e = Error::InvalidReferenceDate {
            value: "2025-13-01".into(),
        };
        let msg = e.to_string();
        assert!(msg.starts_with("reference_date"));
        assert!(!msg.ends_with('.'));
    }
}
