use std::path::PathBuf;

/// Why the source could not be set up. Problems with single files or records are not
/// errors: they become [`pipeline_core::Rejected`] records and the run goes on.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An input path given in the config or on the command line does not exist.
    #[error("input `{}` does not exist; check [source].paths or --input", path.display())]
    MissingInput {
        /// The path as given.
        path: PathBuf,
    },
    /// A glob pattern is malformed.
    #[error("input pattern `{pattern}` is not a valid glob: {message}")]
    BadPattern {
        /// The pattern as given.
        pattern: String,
        /// What is wrong with it.
        message: String,
    },
    /// No input file was found.
    #[error(
        "no input files found in {paths}; add files or point [source].paths / --input elsewhere"
    )]
    NoInput {
        /// The paths searched, joined for display.
        paths: String,
    },
}

/// The read crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
