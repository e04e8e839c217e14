//! The annotation stage of the document pipeline (`type = "annotate"`).
//!
//! [`AnnotateConfig`] (deserialised from a `[[stages]]` table) builds [`Annotate`], a
//! [`pipeline_core::Stage`] that never drops a document. It tokenizes the text once and
//! writes, as JSON arrays with character offsets into `text` (end exclusive):
//!
//! - `annotate.sentences`: `[{"start", "end"}]` from a German-aware rule-based splitter;
//! - `annotate.tokens` (only with `tokens = true`): `[{"start", "end", "text"}]`;
//! - `annotate.dates`: `[{"start", "end", "text", "value", "resolved"}]`, values in ISO 8601
//!   (`2025-09-22`, `2025-09-22T06:11`, `2025-02`, `2025-W38`, `2019`), relative dates
//!   resolved against the publication date;
//! - `annotate.entities`: `[{"start", "end", "text", "label", "canonical"}]` with labels
//!   `PER`, `LOC`, `ORG`, `MISC` from a statistical tagger ([`ner`]) stacked on a
//!   rule-based recogniser;
//! - `annotate.quotes`: `[{"start", "end", "speaker", "speaker_mention"}]`, direct
//!   quotations with the canonical name of the attributed person (or organisation) or
//!   `null`, and the words that name the speaker (`{"start", "end", "text"}`: a name, a
//!   pronoun, a description such as `ein Polizeisprecher`) or `null`.
//!
//! [`export`] converts output lines to spaCy's JSON and CoNLL-U.
//!
//! ```
//! use pipeline_annotate::AnnotateConfig;
//! use pipeline_core::{keys, BuildContext, Document, StageConfig, Verdict};
//!
//! let config: AnnotateConfig = serde_json::from_str("{}").unwrap();
//! let mut stage = config.build(&BuildContext::default()).unwrap();
//!
//! let mut first = Document::new("a", "US-Präsident Donald Trump traf Kim Jong Un am 22.09.2025. \
//!     „Wir werden Beziehungen haben“, sagte Trump.");
//! first.metadata.insert("published".into(), serde_json::json!("2025-09-23"));
//! let second = Document::new("b", "Am Sonntag sprach Kim. Nordkoreas Machthaber schwieg.");
//!
//! let Verdict::Keep(first) = stage.process(first).unwrap() else { panic!("never drops") };
//! let Verdict::Keep(second) = stage.process(second).unwrap() else { panic!("never drops") };
//!
//! let ents = first.annotations[keys::ANNOTATE_ENTITIES].as_array().unwrap();
//! assert_eq!(ents[0]["text"], "Donald Trump");
//! assert_eq!(ents[0]["label"], "PER");
//! assert_eq!(first.annotations[keys::ANNOTATE_DATES][0]["value"], "2025-09-22");
//! assert_eq!(first.annotations[keys::ANNOTATE_QUOTES][0]["speaker"], "Donald Trump");
//! assert_eq!(first.annotations[keys::ANNOTATE_SENTENCES].as_array().unwrap().len(), 2);
//!
//! // No publication date: the weekday stays unresolved.
//! let date = &second.annotations[keys::ANNOTATE_DATES][0];
//! assert_eq!(date["text"], "Sonntag");
//! assert_eq!(date["resolved"], false);
//! assert!(date["value"].is_null());
//! ```
#![deny(missing_docs)]

mod config;
mod dates;
mod entities;
mod error;
pub mod export;
mod lexicon;
pub mod ner;
mod quotes;
mod sentences;
mod stage;
mod tokenize;

pub use config::AnnotateConfig;
pub use error::{Error, Result};
pub use stage::Annotate;
