//! Errors of the language detection stage.

use pipeline_core::ConfigError;

/// What can be wrong with a [`crate::LangIdConfig`].
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A setting names a code that is not an ISO 639-1 code lingua knows.
    #[error(
        "{setting}: unknown language code `{code}`; use ISO 639-1 codes, this build knows: {known}"
    )]
    UnknownLanguage {
        /// The setting (`languages`, `expected`).
        setting: &'static str,
        /// The code as written.
        code: String,
        /// The codes this build accepts, comma separated.
        known: String,
    },
    /// The code is a lingua language whose model is not compiled into this build.
    #[error(
        "{setting}: language `{code}` is not compiled into this build; enable the \
         `all-languages` feature of pipeline-langid, or remove `{code}` from `{setting}`"
    )]
    LanguageNotCompiled {
        /// The setting (`languages`, `expected`).
        setting: &'static str,
        /// The code as written.
        code: String,
    },
    /// An `expected` language the detector would never answer.
    #[error("expected: `{code}` is not among `languages`, so it can never be detected; add it to `languages`")]
    ExpectedNotConsidered {
        /// The code as written.
        code: String,
    },
    /// Fewer than two languages to choose between.
    #[error("languages: at least two languages are needed to choose between, got {count}")]
    TooFewLanguages {
        /// How many were given.
        count: usize,
    },
    /// A number outside its range.
    #[error("{setting}: {value} is outside the allowed range {range}")]
    OutOfRange {
        /// The setting.
        setting: &'static str,
        /// The value as given.
        value: String,
        /// The allowed range, for a person (`0.0..=1.0`).
        range: &'static str,
    },
}

/// A result whose error is this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl From<Error> for ConfigError {
    fn from(err: Error) -> Self {
        ConfigError::new(err.to_string())
    }
}
