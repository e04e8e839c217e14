//! The vocabulary every pipeline crate shares: the [`Document`] that flows through the
//! pipeline, the [`Stage`] trait a transform implements, the [`StageConfig`] trait its
//! configuration implements, the [`Verdict`] a stage returns, the [`Rejected`] record that
//! keeps every dropped input accountable, and the per-stage [`Counters`].
//!
//! Stage crates depend on this crate only; the runtime wires them together.
//!
//! ```
//! use pipeline_core::{Document, Stage, StageError, Verdict};
//!
//! /// Drops documents without any letter.
//! struct RequireLetters;
//!
//! impl Stage for RequireLetters {
//!     fn process(&mut self, doc: Document) -> Result<Verdict, StageError> {
//!         if doc.text.chars().any(char::is_alphabetic) {
//!             Ok(Verdict::Keep(doc))
//!         } else {
//!             Ok(Verdict::drop(doc, "example_no_letters", "the text has no letter"))
//!         }
//!     }
//! }
//!
//! let mut stage = RequireLetters;
//! let kept = stage.process(Document::new("a", "Guten Tag.")).unwrap();
//! let dropped = stage.process(Document::new("b", "1234")).unwrap();
//! assert!(matches!(kept, Verdict::Keep(_)));
//! assert!(matches!(dropped, Verdict::Drop(_)));
//! ```
#![deny(missing_docs)]

mod counters;
mod document;
mod error;
pub mod keys;
pub mod spans;
mod stage;
pub mod text;

pub use counters::{thread_cpu_ns, Counters};
pub use document::{DocRef, Document, Prepared, Rejected, SourceInfo};
pub use error::{ConfigError, StageError};
pub use stage::{BuildContext, Dropped, RunLink, Stage, StageConfig, Verdict};
