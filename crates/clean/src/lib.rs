//! The `clean` stage of the document pipeline: it turns pasted web text into the clean
//! main text of an article.
//!
//! - [`normalize`]: Unicode NFC, `\n` line breaks, no control or invisible characters,
//!   plain spaces, trimmed lines. Quotes and dashes are kept as written.
//! - A line-level boilerplate classifier removes navigation, shop banners, newsletter
//!   and consent blocks, teaser sections, video teasers, photo captions and credits,
//!   agency credits, author boxes, editorial notes, calls to action, bare dates, times
//!   and URLs, comment sections, and everything outside the main content (the densest
//!   run of prose paragraphs, refined by a learned line scorer). Each removed line is
//!   recorded under [`keys::CLEAN_REMOVED`] with a [`Reason`], and a score where a
//!   score decided.
//! - The title and the publication date of the header are moved out of the text into
//!   [`keys::CLEAN_TITLE`] and [`keys::CLEAN_PUBLISHED`]; URLs and bylines go to
//!   [`keys::CLEAN_METADATA`].
//! - [`Quality`] signals go to [`keys::CLEAN_QUALITY`]; optional filters in
//!   [`CleanConfig`] drop documents that fail them, and an empty result is always
//!   dropped (`clean_empty`).
//!
//! [`CleanConfig`] (the `type = "clean"` table) builds [`Clean`], the
//! [`pipeline_core::Stage`].
//!
//! ```
//! use pipeline_clean::CleanConfig;
//! use pipeline_core::{keys, BuildContext, Document, StageConfig, Verdict};
//!
//! let config: CleanConfig = toml::from_str("min_words = 5").unwrap();
//! let mut stage = config.build(&BuildContext::default()).unwrap();
//!
//! let article = "Startseite\nMenü\n\
//!     Kim bietet den USA Gespräche an\n\
//!     22.09.2025\n\
//!     Nordkoreas Machthaber Kim Jong Un hat der US-Regierung neue Gespräche angeboten, \
//!     wenn sie auf die Forderung nach Abrüstung verzichtet.\n\
//!     Quelle: dpa, AFP";
//! let Verdict::Keep(doc) = stage.process(Document::new("a", article)).unwrap() else {
//!     panic!("the article is kept");
//! };
//! assert!(doc.text.starts_with("Nordkoreas Machthaber"));
//! assert_eq!(doc.annotations[keys::CLEAN_TITLE], "Kim bietet den USA Gespräche an");
//! assert_eq!(doc.annotations[keys::CLEAN_PUBLISHED], "2025-09-22");
//! assert_eq!(doc.annotations[keys::CLEAN_REMOVED][0]["reason"], "navigation");
//!
//! let Verdict::Drop(dropped) = stage.process(Document::new("b", "Menü\nTeilen")).unwrap() else {
//!     panic!("nothing is left of a menu");
//! };
//! assert_eq!(dropped.reason, "clean_empty");
//! ```
#![deny(missing_docs)]

mod boilerplate;
mod chars;
mod config;
mod dates;
mod error;
mod lexicon;
mod lines;
mod normalize;
mod quality;
mod region;
mod scorer;
mod scorer_weights;
mod stage;

pub use boilerplate::{Reason, Removal};
pub use config::CleanConfig;
pub use error::{Error, Result};
pub use normalize::normalize;
pub use quality::Quality;
pub use stage::{
    Clean, DROP_BULLET_LINES, DROP_DIGIT_RATIO, DROP_DUPLICATE_LINES, DROP_EMPTY,
    DROP_FEW_STOPWORDS, DROP_SYMBOL_RATIO, DROP_TOO_LONG, DROP_TOO_SHORT, DROP_UPPERCASE_RATIO,
    DROP_WORD_LENGTH,
};

/// Training data for the line scorer (used by the `train_scorer` example; not a stable
/// API).
#[doc(hidden)]
pub mod training {
    pub use crate::scorer::{CONTEXT_FEATURES, FEATURES, M, N};

    /// Computes the scorer's features of pages; built once (it compiles the word lists).
    #[derive(Debug)]
    pub struct Extractor(crate::boilerplate::Classifier);

    impl Default for Extractor {
        fn default() -> Self {
            Extractor(crate::boilerplate::Classifier::new())
        }
    }

    impl Extractor {
        /// The stage-one features of each line of `text` (`None` for lines a detector
        /// removed; index `i` is the `i`-th non-blank line of the normalised text).
        /// `text` is normalised first, as the stage does.
        pub fn rows(&self, text: &str) -> Vec<Option<[f64; N]>> {
            let opts = crate::boilerplate::Options {
                boilerplate: true,
                extract_title: true,
                extract_published: true,
                record_features: true,
                ..Default::default()
            };
            self.0.clean(&crate::normalize(text), &opts).features
        }
    }

    /// The stage-two features of the lines of a page from its stage-one `rows` and
    /// stage-one weights `w`.
    pub fn context(rows: &[Option<[f64; N]>], w: &[f64; N]) -> Vec<Option<[f64; M]>> {
        crate::scorer::context(rows, w)
    }
}

/// The stage's `type` name in the configuration.
pub const STAGE_TYPE: &str = "clean";

#[doc(no_inline)]
pub use pipeline_core::keys;
