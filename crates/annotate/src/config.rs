//! The `annotate` stage's configuration.

use pipeline_core::{BuildContext, ConfigError, Stage, StageConfig};
use serde::{Deserialize, Serialize};

use crate::dates::Ymd;
use crate::error::{Error, Result};
use crate::stage::Annotate;

/// Configuration of the `annotate` stage (`type = "annotate"`); every field is optional.
///
/// ```toml
/// [[stages]]
/// type = "annotate"
/// tokens = false
/// quote_min_words = 4
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnnotateConfig {
    /// Write sentence spans under `annotations.sentences`. Default: `true`.
    #[serde(default = "yes")]
    pub sentences: bool,
    /// Write token spans under `annotations.tokens`. Tokens are always computed for the
    /// other annotators; this only controls whether they are written, which makes the
    /// output several times larger. Default: `false`.
    #[serde(default)]
    pub tokens: bool,
    /// Write normalised dates under `annotations.dates`. Default: `true`.
    #[serde(default = "yes")]
    pub dates: bool,
    /// Write named entities under `annotations.entities`. Default: `true`.
    #[serde(default = "yes")]
    pub entities: bool,
    /// Write direct quotations under `annotations.quotes`. Default: `true`.
    #[serde(default = "yes")]
    pub quotes: bool,
    /// A single line break ends a sentence too (a paragraph break always does). Turn off
    /// for hard-wrapped text. Default: `true`.
    #[serde(default = "yes")]
    pub line_breaks: bool,
    /// Quotes with fewer words than this are kept only when something marks them as
    /// quotations: a speech verb or a colon that attributes them (`„Großartig“, sagte
    /// Trump`), a sentence that reports someone's words (`Merkel nannte den Plan „völlig
    /// unrealistisch“`), a verb of naming or judging (`bezeichnete die Pläne als
    /// „Wortbruch“`) or a noun of saying (`Parolen wie „…“`). This leaves out scare quotes
    /// in sentences that report nothing (`eine Politik der „strategischen Geduld“`); titles,
    /// names and terms are never quotations, however long (the full rules are in the crate
    /// docs of `quotes`). Default: `4`.
    #[serde(default = "default_quote_min_words")]
    pub quote_min_words: usize,
    /// Publication date (`YYYY-MM-DD`) used to resolve relative dates (`am Montag`) in
    /// documents that state none (`clean.published`, or metadata `published`/`date`).
    /// Default: none, so such dates stay unresolved.
    #[serde(default)]
    pub reference_date: Option<String>,
    /// At the end of a run, give a person a document names only by a family name
    /// (`Merkel`) the full name other documents of the output give (`Angela Merkel`), in
    /// `canonical` and the quotes' `speaker`, where the output makes it likely (the rules
    /// are in `docs/SCHEMA.md`); carried-over documents of earlier runs take part. Costs
    /// two reads of `documents.jsonl` after the run and a rewrite when anything changes.
    /// Default: `true`.
    #[serde(default = "yes")]
    pub link_across_documents: bool,
    /// Memory, in MB, that linking across documents may hold for the full names of the
    /// output (about 29 bytes each, as hashes). When they outgrow it, the names of the
    /// fewest documents are forgotten and may stay unlinked, and `report.json` says below
    /// how many documents (`output.names_linked.forgotten_below`). The default holds the
    /// names of at least 200,000 news articles (at the rate 10kGNAD brings new ones, as if
    /// none repeated), and more as names repeat. Default: `64`.
    #[serde(default = "default_link_memory_mb")]
    pub link_memory_mb: usize,
}

fn default_link_memory_mb() -> usize {
    crate::corpus::DEFAULT_MEMORY_BYTES >> 20
}

fn yes() -> bool {
    true
}

fn default_quote_min_words() -> usize {
    4
}

impl Default for AnnotateConfig {
    fn default() -> Self {
        AnnotateConfig {
            sentences: true,
            tokens: false,
            dates: true,
            entities: true,
            quotes: true,
            line_breaks: true,
            quote_min_words: default_quote_min_words(),
            reference_date: None,
            link_across_documents: true,
            link_memory_mb: default_link_memory_mb(),
        }
    }
}

impl AnnotateConfig {
    /// Checks the settings; the first problem found.
    pub fn check(&self) -> Result<()> {
        if self.link_memory_mb == 0 {
            return Err(Error::InvalidLinkMemory);
        }
        self.reference_ymd().map(|_| ())
    }

    /// The bytes of `link_memory_mb`.
    pub fn link_memory_bytes(&self) -> usize {
        self.link_memory_mb.saturating_mul(1 << 20)
    }

    /// The parsed `reference_date`.
    pub(crate) fn reference_ymd(&self) -> Result<Option<Ymd>> {
        match &self.reference_date {
            None => Ok(None),
            Some(s) if s.len() == 10 => Ymd::parse_iso(s)
                .map(Some)
                .ok_or_else(|| Error::InvalidReferenceDate { value: s.clone() }),
            Some(s) => Err(Error::InvalidReferenceDate { value: s.clone() }),
        }
    }

    /// Builds the stage directly, for use outside the runtime.
    pub fn build_stage(&self) -> Result<Annotate> {
        Annotate::new(self)
    }

    /// Builds the stage with the rule-based entity recogniser alone (no statistical
    /// tagger), for comparison.
    pub fn build_stage_rules_only(&self) -> Result<Annotate> {
        Annotate::new_rules_only(self)
    }
}

impl StageConfig for AnnotateConfig {
    fn validate(&self) -> Vec<String> {
        match self.check() {
            Ok(()) => Vec::new(),
            Err(e) => vec![e.to_string()],
        }
    }

    fn build(&self, _cx: &BuildContext) -> Result<Box<dyn Stage>, ConfigError> {
        let stage = Annotate::new(self).map_err(|e| ConfigError::new(e.to_string()))?;
        Ok(Box::new(stage))
    }

    fn records_offsets(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_table_gives_defaults() {
        let c: AnnotateConfig = serde_json::from_str("{}").unwrap();
        assert_eq!(c, AnnotateConfig::default());
        assert!(c.sentences && c.dates && c.entities && c.quotes && !c.tokens);
        assert!(c.records_offsets());
        assert!(c.validate().is_empty());
    }

    #[test]
    fn unknown_fields_are_rejected() {
        let e = serde_json::from_str::<AnnotateConfig>(r#"{"sentence": true}"#).unwrap_err();
        assert!(e.to_string().contains("unknown field `sentence`"), "{e}");
    }

    #[test]
    fn reference_date_is_validated() {
        let c = AnnotateConfig {
            reference_date: Some("2025-02-30".into()),
            ..AnnotateConfig::default()
        };
        assert_eq!(c.validate().len(), 1);
        assert!(c.build(&BuildContext::default()).is_err());
        let c = AnnotateConfig {
            reference_date: Some("2025-02-28".into()),
            ..AnnotateConfig::default()
        };
        assert!(c.build(&BuildContext::default()).is_ok());
    }

    #[test]
    fn link_memory_must_hold_something() {
        let c: AnnotateConfig = serde_json::from_str(r#"{"link_memory_mb": 0}"#).unwrap();
        let problems = c.validate();
        assert_eq!(problems.len(), 1);
        assert!(problems[0].contains("link_memory_mb"), "{problems:?}");
        let c: AnnotateConfig = serde_json::from_str(r#"{"link_memory_mb": 8}"#).unwrap();
        assert!(c.validate().is_empty());
        assert_eq!(c.link_memory_bytes(), 8 << 20);
        assert_eq!(AnnotateConfig::default().link_memory_bytes(), 64 << 20);
    }
}
