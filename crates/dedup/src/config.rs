//! The `dedupe` stage's configuration.

use pipeline_core::{BuildContext, ConfigError, Stage, StageConfig};
use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::Dedupe;

/// What happens to a document found to be a duplicate.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Drop it (to `rejected.jsonl`, reason `dedup_exact_duplicate` or
    /// `dedup_near_duplicate`). The default.
    #[default]
    Drop,
    /// Keep it, with `dedup.status` saying what it duplicates.
    Mark,
}

/// Settings of the `dedupe` stage (`[[stages]]` with `type = "dedupe"`). Every field is
/// optional; an empty table gives the defaults.
///
/// ```toml
/// [[stages]]
/// type = "dedupe"
/// action = "drop"        # or "mark"
/// threshold = 0.8
/// shingle_size = 5
/// bands = 14
/// rows = 8
/// repeated_spans = true
/// min_span_chars = 60
/// ```
///
/// The stage keeps one index for the whole run, so it runs on one worker and sees the
/// documents in input order: of a group of duplicates, the first in the input is kept.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DedupConfig {
    /// What to do with exact and near duplicates: `"drop"` or `"mark"`. Default `"drop"`.
    #[serde(default)]
    pub action: Action,
    /// Smallest estimated Jaccard similarity of word shingles at which a document counts as
    /// a near duplicate of an earlier kept one, in (0, 1]. Default `0.8`.
    #[serde(default = "default_threshold")]
    pub threshold: f64,
    /// Words per shingle. Texts with fewer words are one shingle of all their words.
    /// Default `5`.
    #[serde(default = "default_shingle_size")]
    pub shingle_size: usize,
    /// Number of LSH bands. Default `14`.
    ///
    /// With `rows = 8`, 14 bands give 112 MinHash permutations (datatrove's default). A
    /// pair of similarity `s` becomes a candidate with probability `1 − (1 − s⁸)¹⁴`: 5 % at
    /// s = 0.5, 92 % at 0.8, 99 % at 0.85, 99.96 % at 0.9; candidates are then checked on
    /// all 112 values (standard error of the estimate ≈ 0.04 at 0.8), which keeps
    /// precision high. More bands raise recall near the threshold at the cost of memory
    /// (about 18 bytes per band per kept document) and time.
    #[serde(default = "default_bands")]
    pub bands: usize,
    /// MinHash values per band. Default `8`.
    #[serde(default = "default_rows")]
    pub rows: usize,
    /// Whether to record paragraphs and sentences already seen in an earlier kept document
    /// as `dedup.repeated_spans` (nothing is removed). Default `true`.
    #[serde(default = "default_true")]
    pub repeated_spans: bool,
    /// Shortest paragraph or sentence, in characters, that is recorded as a repeated span.
    /// Default `60`.
    #[serde(default = "default_min_span_chars")]
    pub min_span_chars: usize,
}

fn default_threshold() -> f64 {
    0.8
}
fn default_shingle_size() -> usize {
    5
}
fn default_bands() -> usize {
    14
}
fn default_rows() -> usize {
    8
}
fn default_true() -> bool {
    true
}
fn default_min_span_chars() -> usize {
    60
}

impl Default for DedupConfig {
    fn default() -> Self {
        DedupConfig {
            action: Action::default(),
            threshold: default_threshold(),
            shingle_size: default_shingle_size(),
            bands: default_bands(),
            rows: default_rows(),
            repeated_spans: default_true(),
            min_span_chars: default_min_span_chars(),
        }
    }
}

/// Most permutations a signature may have (`bands × rows`).
pub const MAX_PERMUTATIONS: usize = 1024;

impl DedupConfig {
    /// Every setting that is out of range.
    pub fn check(&self) -> Vec<Error> {
        let mut errors = Vec::new();
        let mut bad =
            |field, problem: String| errors.push(Error::InvalidSetting { field, problem });
        if !(self.threshold > 0.0 && self.threshold <= 1.0) {
            bad(
                "threshold",
                format!("must be in (0, 1], not {}", self.threshold),
            );
        }
        if self.shingle_size == 0 {
            bad("shingle_size", "must be at least 1".into());
        }
        if self.bands == 0 {
            bad("bands", "must be at least 1".into());
        }
        if self.rows == 0 {
            bad("rows", "must be at least 1".into());
        }
        if self.bands.saturating_mul(self.rows) > MAX_PERMUTATIONS {
            bad(
                "bands",
                format!(
                    "× rows must be at most {MAX_PERMUTATIONS}, not {} × {}",
                    self.bands, self.rows
                ),
            );
        }
        if self.min_span_chars == 0 {
            bad("min_span_chars", "must be at least 1".into());
        }
        errors
    }
}

impl StageConfig for DedupConfig {
    fn validate(&self) -> Vec<String> {
        self.check().iter().map(ToString::to_string).collect()
    }

    fn build(&self, _cx: &BuildContext) -> Result<Box<dyn Stage>, ConfigError> {
        Ok(Box::new(Dedupe::new(self)?))
    }

    /// One shared index: never more than one worker.
    fn parallel(&self) -> bool {
        false
    }

    /// "First seen wins" is only deterministic in input order.
    fn needs_ordered_input(&self) -> bool {
        true
    }

    /// `repeated_spans` holds character offsets into `text`.
    fn records_offsets(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_table_gives_the_defaults() {
        let cfg: DedupConfig = toml::from_str("").unwrap();
        assert_eq!(cfg, DedupConfig::default());
        assert_eq!(cfg.action, Action::Drop);
        assert_eq!((cfg.bands, cfg.rows, cfg.shingle_size), (14, 8, 5));
        assert!(cfg.check().is_empty());
        assert!(!cfg.parallel());
        assert!(cfg.needs_ordered_input());
        assert!(cfg.records_offsets());
        assert!(!cfg.edits_text());
    }

    #[test]
    fn parses_every_field() {
        let cfg: DedupConfig = toml::from_str(
            "action = \"mark\"\nthreshold = 0.9\nshingle_size = 3\nbands = 20\nrows = 5\n\
             repeated_spans = false\nmin_span_chars = 80\n",
        )
        .unwrap();
        assert_eq!(cfg.action, Action::Mark);
        assert_eq!(cfg.threshold, 0.9);
        assert_eq!((cfg.shingle_size, cfg.bands, cfg.rows), (3, 20, 5));
        assert!(!cfg.repeated_spans);
        assert_eq!(cfg.min_span_chars, 80);
    }

    #[test]
    fn unknown_key_is_rejected_by_name() {
        let err = toml::from_str::<DedupConfig>("treshold = 0.9").unwrap_err();
        assert!(
            err.to_string().contains("unknown field `treshold`"),
            "{err}"
        );
        let err = toml::from_str::<DedupConfig>("action = \"delete\"").unwrap_err();
        assert!(
            err.to_string().contains("unknown variant `delete`"),
            "{err}"
        );
    }

    #[test]
    fn out_of_range_settings_are_all_reported() {
        let cfg = DedupConfig {
            threshold: 1.5,
            shingle_size: 0,
            bands: 0,
            ..DedupConfig::default()
        };
        let problems = cfg.validate();
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert!(problems[0].contains("`threshold` must be in (0, 1], not 1.5"));
        let err = cfg.build(&BuildContext::default()).err().unwrap();
        assert!(err.message.contains("threshold"), "{}", err.message);
    }
}
