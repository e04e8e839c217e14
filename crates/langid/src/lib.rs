//! The `detect_language` stage: the language of each document, with a confidence, the
//! detector that decided, and language segments over its paragraphs.
//!
//! - [`LangIdConfig`] is the `[[stages]] type = "detect_language"` table; every field is
//!   optional and documents its default. It builds [`DetectLanguage`], the [`Stage`].
//! - Detection reads a bounded sample of the text (`sample_chars`). Texts under 200 letters
//!   go to lingua's n-gram models (detector `ngram`: lingua 1.8's models and rules, scored
//!   by this crate with one table for all languages, 15 to 20 times faster than lingua with
//!   the same answers on 99.9% of lingua's test texts) over all compiled-in languages.
//!   Longer texts ask [whatlang] first: its answer stands alone for scripts one language
//!   writes, and for reliable answers (≥ 0.9) unless whatlang is known to give that answer
//!   to languages it does not know (Bosnian as Croatian, Malay as Indonesian, ...);
//!   otherwise the n-gram scorer decides.
//! - Paragraphs (split at `"\n\n"`) with at least `min_segment_chars` letters get their own
//!   language: those made mostly of the common lowercase words of paragraphs already placed
//!   in the document language need no detector; the others ask whatlang restricted to the
//!   document language and a few probes, and the full detection only when that disagrees.
//!   Adjacent paragraphs in the same language merge into one segment.
//! - Texts with fewer than `min_chars` letters get `code: null` and a `reason`; a text in a
//!   compiled-in language outside `languages` gets `code: null`, `reason: "other_language"`
//!   and the language under `best_guess`, never a confident answer from the wrong set.
//!
//! The result is stored under [`pipeline_core::keys::LANGID_LANG`] as a [`LangAnnotation`]:
//!
//! ```json
//! {"code": "de", "confidence": 0.99, "detector": "whatlang",
//!  "segments": [{"start": 0, "end": 1520, "code": "de", "confidence": 0.99}]}
//! ```
//!
//! With `code: null` the object has `"reason"` (`empty`, `too_short`, `low_confidence`,
//! `other_language`, `undetermined`), `confidence`/`detector` are null, `segments` is empty,
//! and for `low_confidence` and `other_language` a `best_guess` `{code, confidence,
//! detector}` says what was found.
//!
//! Lingua's language models are compiled in: the default feature `all-languages` has all 75
//! of lingua's languages; `common-languages` alone (without default features) has 26. The
//! scorer's table of their uni- to trigrams is built from them by the build script and
//! compiled in, so no process spends time on it at start.
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
// The models, for the tests only: the library reads the tables built of them (referring to
// the model crates' `Dir` constants would copy all their files into every binary once more).
#[cfg(test)]
mod models;
mod ngram;
mod stopwords;
mod table;

pub use config::{compiled_codes, Accuracy, LangIdConfig, OnMismatch, SegmentMode};
pub use detect::{
    DetectLanguage, Detector, Guess, LangAnnotation, Segment, REASON_LOW_CONFIDENCE,
    REASON_UNDETERMINED, REASON_UNEXPECTED, WHY_EMPTY, WHY_LOW_CONFIDENCE, WHY_OTHER_LANGUAGE,
    WHY_TOO_SHORT, WHY_UNDETERMINED,
};
pub use error::{Error, Result};
