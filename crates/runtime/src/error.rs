use std::path::PathBuf;

/// Why a run could not start or did not finish.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The config file could not be read.
    #[error("cannot read config `{}`", path.display())]
    ReadConfig {
        /// The config file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The config is invalid; every problem found, one per entry.
    #[error("invalid config `{}`:\n  - {}", path.display(), problems.join("\n  - "))]
    InvalidConfig {
        /// The config file.
        path: PathBuf,
        /// Each problem, prefixed with where it is (`stages[2] (clean): …`).
        problems: Vec<String>,
    },
    /// The inputs could not be listed.
    #[error(transparent)]
    Source(#[from] pipeline_read::Error),
    /// A stage could not be built from its config.
    #[error("stages[{index}] ({stage}): {message}")]
    Build {
        /// Position in `[[stages]]`.
        index: usize,
        /// The stage type.
        stage: String,
        /// What went wrong.
        message: String,
    },
    /// A stage reported an error it cannot go on from.
    #[error("stage `{stage}` failed: {message}")]
    StageFailed {
        /// The stage type.
        stage: String,
        /// What went wrong.
        message: String,
    },
    /// A stage's thread panicked.
    #[error("stage `{stage}` panicked{}: {message}; this is a bug, please report it with the input", doc.as_ref().map(|d| format!(" on document `{d}`")).unwrap_or_default())]
    StagePanicked {
        /// The stage type (or `read`, `sink`).
        stage: String,
        /// The document being processed, when known.
        doc: Option<String>,
        /// The panic message.
        message: String,
    },
    /// The state of incremental runs could not be read or written.
    #[error("cannot use the run state `{}`: {message}; remove the folder `state` beside the output (or run with --full) to start afresh", path.display())]
    State {
        /// The state file.
        path: PathBuf,
        /// What went wrong.
        message: String,
    },
    /// A file given to read (other than an input of the pipeline) could not be read.
    #[error("cannot read `{}`", path.display())]
    ReadInput {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The reader of the output stream went away (`pipeline stream … | head`); not a
    /// failure of the pipeline, the command ends quietly.
    #[error("the output stream was closed")]
    BrokenPipe,
    /// Writing the output failed.
    #[error("cannot write `{}`", path.display())]
    Write {
        /// The file being written.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
}

impl Error {
    /// A file given to read holds something it should not (`message` says where and what).
    pub(crate) fn invalid_data(path: &std::path::Path, message: String) -> Error {
        Error::ReadInput {
            path: path.to_owned(),
            source: std::io::Error::new(std::io::ErrorKind::InvalidData, message),
        }
    }
}

/// The runtime's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
