//! The annotation stage of the document pipeline (`type = "annotate"`).
//!
//! [`AnnotateConfig`] (deserialised from a `[[stages]]` table) builds [`Annotate`], a
//! [`pipeline_core::Stage`] that never drops a document. It tokenizes the text once and
//! fills [`Document::spans`](pipeline_core::Document::spans) (written as the output's
//! `annotations`), with character offsets into `text` (end exclusive):
//!
//! - `sentences`: from a German-aware rule-based splitter;
//! - `tokens` (only with `tokens = true`): with their text;
//! - `dates`: values in ISO 8601 (`2025-09-22`, `2025-09-22T06:11`, `2025-02`, `2025-W38`,
//!   `2019`), relative dates resolved against the publication date;
//! - `entities`: labels `PER`, `LOC`, `ORG`, `MISC` from a statistical tagger ([`ner`])
//!   stacked on a rule-based recogniser, and the `canonical` name every mention of the
//!   entity shares;
//! - `quotes`: direct quotations with the canonical name of the attributed person (or
//!   organisation) or `None`, and the words that name the speaker (a name, a pronoun, a
//!   description such as `ein Polizeisprecher`) or `None`.
//!
//! [`export`] converts output lines to spaCy's JSON and CoNLL-U.
//!
//! ```
//! use pipeline_annotate::AnnotateConfig;
//! use pipeline_core::spans::Label;
//! use pipeline_core::{BuildContext, Document, StageConfig, Verdict};
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
//! let ents = first.spans.entities.as_ref().unwrap();
//! assert_eq!(ents[0].text, "Donald Trump");
//! assert_eq!(ents[0].label, Label::Per);
//! assert_eq!(first.spans.dates.as_ref().unwrap()[0].value.as_deref(), Some("2025-09-22"));
//! let quote = &first.spans.quotes.as_ref().unwrap()[0];
//! assert_eq!(quote.speaker.as_deref(), Some("Donald Trump"));
//! assert_eq!(first.spans.sentences.as_ref().unwrap().len(), 2);
//!
//! // No publication date: the weekday stays unresolved.
//! let date = &second.spans.dates.as_ref().unwrap()[0];
//! assert_eq!(date.text, "Sonntag");
//! assert!(!date.resolved);
//! assert!(date.value.is_none());
//! ```
#![deny(missing_docs)]

mod config;
mod corpus;
mod dates;
mod entities;
mod error;
pub mod export;
mod lexicon;
pub mod ner;
mod quotes;
mod sentences;
mod stage;
#[cfg(test)]
mod test_texts;
mod tokenize;

pub use config::AnnotateConfig;
pub use corpus::{CorpusNames, DocEntities, DEFAULT_MEMORY_BYTES};
pub use error::{Error, Result};
pub use stage::Annotate;
