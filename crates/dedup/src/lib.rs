//! The `dedupe` stage: finds documents that repeat an earlier one, exactly or nearly, and
//! passages (paragraphs, sentences) that an earlier document already had.
//!
//! - [`DedupConfig`] is the stage's `[[stages]]` table (`type = "dedupe"`, see
//!   [`STAGE_TYPE`]); it builds a [`Dedupe`].
//! - [`Dedupe`] keeps one [`DedupIndex`] of the kept documents: a 128-bit hash of each
//!   normalised text for exact duplicates, MinHash signatures in LSH band tables for near
//!   duplicates, and hashes of long paragraphs and sentences for repeated passages.
//! - Every document gets a [`pipeline_core::keys::DEDUP`] annotation:
//!   `{"status": "unique" | "exact_duplicate" | "near_duplicate", "duplicate_of": id | null,
//!   "similarity": number | null, "repeated_spans": [{"start", "end", "also_in"}]}`, with
//!   offsets in characters of `text`.
//!
//! The first document of a group of duplicates is kept; the runtime feeds this stage on
//! one worker in input order, so the result is the same on every run. Fed in the order of
//! [`rank_key`] (earliest published, then smallest id), the result is the same for any
//! input order.
//!
//! ```
//! use pipeline_core::{keys, BuildContext, Document, StageConfig, Verdict};
//! use pipeline_dedup::DedupConfig;
//!
//! let config: DedupConfig = toml::from_str(r#"action = "drop""#).unwrap();
//! let mut stage = config.build(&BuildContext::default()).unwrap();
//!
//! let first = stage
//!     .process(Document::new("a", "Kim Jong Un will reden, aber nur zu seinen Bedingungen."))
//!     .unwrap();
//! let Verdict::Keep(first) = first else { panic!("the first document is kept") };
//! assert_eq!(first.annotations[keys::DEDUP]["status"], "unique");
//!
//! // Same words, other case and punctuation: an exact duplicate, dropped.
//! let second = stage
//!     .process(Document::new("b", "KIM JONG UN will reden – aber nur zu seinen Bedingungen!"))
//!     .unwrap();
//! let Verdict::Drop(dropped) = second else { panic!("the copy is dropped") };
//! assert_eq!(dropped.reason, "dedup_exact_duplicate");
//! assert_eq!(dropped.detail, "same text as a");
//! assert_eq!(dropped.doc.annotations[keys::DEDUP]["duplicate_of"], "a");
//! ```
#![deny(missing_docs)]

mod config;
mod error;
mod filter;
pub mod global;
mod heads;
mod index;
mod minhash;
mod normalize;
mod records;
mod spans;
mod stage;
mod store;
mod table;
#[cfg(test)]
mod test_rng;

pub use config::{Action, DedupConfig, Keep, MAX_PERMUTATIONS};
pub use error::{Error, Result};
pub use index::DedupIndex;
pub use index::{Near, NearRule};
pub use minhash::PERMUTATION_SEED;
pub use normalize::normalize;
pub use stage::{
    fields, rank_key, remove_repeated, Dedupe, Fingerprint, Passage, PassageKind, RankKey, Status,
    REASON_ALL_REPEATED, REASON_EXACT, REASON_NEAR,
};

/// The stage's `type` in `[[stages]]`.
pub const STAGE_TYPE: &str = "dedupe";
