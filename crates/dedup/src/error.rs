//! Errors of the deduplication stage.

use pipeline_core::{ConfigError, StageError};

/// What can go wrong when building or running the `dedupe` stage. Messages do not name
/// the stage: the runtime prefixes them with it (`stages[2] (dedupe): …`).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A setting is out of its allowed range.
    #[error("`{field}` {problem}")]
    InvalidSetting {
        /// The config field, as spelled in the config file.
        field: &'static str,
        /// What is wrong with it, as a lowercase phrase (`must be between 0 and 1`).
        problem: String,
    },
    /// The file that holds shingle sets moved out of memory cannot be written or read.
    #[error("cannot use the spill file {}: {source}", path.display())]
    Spill {
        /// The file (or the folder that should hold it).
        path: std::path::PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// The persistent index in the state folder cannot be read or written.
    #[error("cannot use the dedup index {}: {message}; if the disk is fine, delete it and the next run rebuilds it from the output", path.display())]
    Store {
        /// The database file (or its folder).
        path: std::path::PathBuf,
        /// What went wrong.
        message: String,
    },
    /// A fingerprint or group of the global deduplication does not fit the config or the
    /// other phase files (made with other `bands`/`rows`, or a group names an unknown
    /// document).
    #[error("{0}; run every phase with the same config and the files of one run")]
    Inconsistent(String),
    /// The index holds as many documents as its `u32` document numbers can name.
    #[error("the index is full after {docs} documents")]
    IndexFull {
        /// Documents indexed so far.
        docs: u64,
    },
}

/// The result type of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl From<Error> for ConfigError {
    fn from(err: Error) -> Self {
        ConfigError::new(err.to_string())
    }
}

impl From<Error> for StageError {
    fn from(err: Error) -> Self {
        StageError::Fatal {
            message: err.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_lowercase_and_name_the_field() {
        let err = Error::InvalidSetting {
            field: "threshold",
            problem: "must be in (0, 1], not 1.5".into(),
        };
        assert_eq!(
            ConfigError::from(err).message,
            "`threshold` must be in (0, 1], not 1.5"
        );
        let fatal = StageError::from(Error::IndexFull { docs: 7 });
        assert_eq!(fatal.to_string(), "the index is full after 7 documents");
    }
}
