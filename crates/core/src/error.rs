use crate::Document;

/// Why a stage could not process a document, or could not go on at all.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StageError {
    /// One document could not be processed. It is written to `rejected.jsonl` under
    /// `error_type`, and the run goes on.
    #[error("document {}: {message}", doc.id)]
    Document {
        /// The document, handed back so that nothing is lost.
        doc: Box<Document>,
        /// A snake_case label from a fixed set, used in the report's counters.
        error_type: &'static str,
        /// What went wrong, for a person.
        message: String,
    },
    /// The stage cannot go on; the run stops with this error.
    #[error("{message}")]
    Fatal {
        /// What went wrong, for a person.
        message: String,
    },
}

/// A stage's configuration is invalid, or the stage could not be built from it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ConfigError {
    /// What is wrong and how to fix it.
    pub message: String,
}

impl ConfigError {
    /// A configuration error with the given message.
    pub fn new(message: impl Into<String>) -> Self {
        ConfigError {
            message: message.into(),
        }
    }
}
