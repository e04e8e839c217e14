//! The `detect_language` stage: the language of each document, with a confidence, the
//! detector that decided, and language segments over its paragraphs.
//!
//! - [`LangIdConfig`] is the `[[stages]] type = "detect_language"` table; every field is
//!   optional and documents its default. It builds [`DetectLanguage`], the [`Stage`].
//! - Detection runs [whatlang] on a bounded sample of the text (`sample_chars`) and takes its
//!   answer when it is reliable (confidence ≥ 0.9) and among `languages`; otherwise lingua,
//!   built once per worker from `languages`, decides.
//! - Paragraphs (split at `"\n\n"`) with at least `min_segment_chars` letters get their own
//!   detection; lingua confirms any paragraph whatlang places outside the document language.
//!   Adjacent paragraphs in the same language merge into one segment.
//! - Texts with fewer than `min_chars` letters get `code: null` and a `reason`.
//!
//! The result is stored under [`pipeline_core::keys::LANGID_LANG`] as a [`LangAnnotation`]:
//!
//! ```json
//! {"code": "de", "confidence": 0.99, "detector": "whatlang",
//!  "segments": [{"start": 0, "end": 1520, "code": "de", "confidence": 0.99}]}
//! ```
//!
//! With `code: null` the object has `"reason"` (`empty`, `too_short`, `low_confidence`,
//! `undetermined`), `confidence`/`detector` are null, `segments` is empty, and for
//! `low_confidence` a `best_guess` `{code, confidence, detector}` says what was not good
//! enough.
//!
//! Lingua's language models are compiled in: the default feature `common-languages` has 26
//! common languages; the feature `all-languages` adds the rest of lingua's 75.
//!
//! ```
//! use pipeline_core::{keys, BuildContext, Document, StageConfig, Verdict};
//! use pipeline_langid::LangIdConfig;
//!
//! let config: LangIdConfig = toml::from_str(r#"
//!     expected = ["de"]
//!     on_mismatch = "reject"
//! "#).unwrap();
//! let mut stage = config.build(&BuildContext::default()).unwrap();
//!
//! let de = Document::new("a", "Die Bundesregierung hat am Mittwoch neue Regeln für den \
//!     Ausbau der Windkraft beschlossen.");
//! let Verdict::Keep(doc) = stage.process(de).unwrap() else { panic!("dropped") };
//! assert_eq!(doc.annotations[keys::LANGID_LANG]["code"], "de");
//!
//! let en = Document::new("b", "The government decided on Wednesday to speed up the \
//!     expansion of wind power across the country.");
//! let Verdict::Drop(dropped) = stage.process(en).unwrap() else { panic!("kept") };
//! assert_eq!(dropped.reason, "langid_unexpected_language");
//! assert_eq!(dropped.doc.annotations[keys::LANGID_LANG]["code"], "en");
//! ```
//!
//! [whatlang]: https://docs.rs/whatlang
//! [`Stage`]: pipeline_core::Stage
#![deny(missing_docs)]

mod config;
mod detect;
mod error;

pub use config::{compiled_codes, Accuracy, LangIdConfig, OnMismatch, SegmentMode};
pub use detect::{
    DetectLanguage, Detector, Guess, LangAnnotation, Segment, REASON_LOW_CONFIDENCE,
    REASON_UNDETERMINED, REASON_UNEXPECTED, WHY_EMPTY, WHY_LOW_CONFIDENCE, WHY_TOO_SHORT,
    WHY_UNDETERMINED,
};
pub use error::{Error, Result};
