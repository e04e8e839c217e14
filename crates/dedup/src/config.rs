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

/// Which document of a group of duplicates is kept.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Keep {
    /// The first in input order (files in listing order, records in file order); documents
    /// kept by earlier runs stay kept. One pass over the data. The default.
    #[default]
    First,
    /// The earliest published (the cleaner's `clean.published`, else the record's
    /// `published` or `date` field, compared as ISO 8601 text; undated documents after
    /// dated ones), then the smallest id: the same output for any input order. `pipeline
    /// run` then deduplicates in two passes through files in the state folder (the global
    /// phases), and reads every input on every run, as a new document may be earlier than
    /// a kept one.
    Earliest,
}

/// Settings of the `dedupe` stage (`[[stages]]` with `type = "dedupe"`). Every field is
/// optional; an empty table gives the defaults.
///
/// ```toml
/// [[stages]]
/// type = "dedupe"
/// action = "drop"        # or "mark"
/// keep = "first"         # or "earliest"
/// threshold = 0.8
/// containment = 0.9
/// containment_min_jaccard = 0.5
/// shingle_size = 5
/// bands = 32
/// rows = 4
/// repeated_spans = true
/// min_span_chars = 60
/// remove_repeated = false
/// spill_after_mb = 64
/// ```
///
/// The stage keeps one index for the whole run, so it runs on one worker and sees the
/// documents in input order: of a group of duplicates, the first in the input is kept
/// (`keep = "first"`), or the earliest published (`keep = "earliest"`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DedupConfig {
    /// What to do with exact and near duplicates: `"drop"` or `"mark"`. Default `"drop"`.
    #[serde(default)]
    pub action: Action,
    /// Which document of a group of duplicates is kept: `"first"` (in input order) or
    /// `"earliest"` (published, then id; the same for any input order). Default `"first"`.
    #[serde(default)]
    pub keep: Keep,
    /// Smallest Jaccard similarity of the word-shingle sets at which a document counts as
    /// a near duplicate of an earlier kept one, in (0, 1]. Candidates from the LSH bands
    /// are verified on their exact shingle sets (32-bit hashes), so this is the true
    /// similarity, not an estimate. Default `0.8`.
    #[serde(default = "default_threshold")]
    pub threshold: f64,
    /// A document whose shingles are at least this share of the smaller of the two sets
    /// also counts as a near duplicate (a truncated copy, a copy with boilerplate added
    /// or removed), provided the Jaccard similarity is at least
    /// `containment_min_jaccard`. In (0, 1]; `1` asks for full containment. Default `0.9`.
    #[serde(default = "default_containment")]
    pub containment: f64,
    /// Smallest Jaccard similarity for the `containment` rule, so that a short text is
    /// not a duplicate of a long one merely by being part of it. In [0, 1]; set it to
    /// `threshold` to turn the rule off. Default `0.5`.
    #[serde(default = "default_containment_min_jaccard")]
    pub containment_min_jaccard: f64,
    /// Words per shingle. Texts with fewer words are one shingle of all their words.
    /// Default `5`.
    #[serde(default = "default_shingle_size")]
    pub shingle_size: usize,
    /// Number of LSH bands. Default `32`.
    ///
    /// The signature has `bands × rows` one-permutation MinHash values (128 with the
    /// defaults). A pair of Jaccard similarity `s` becomes a candidate with probability
    /// about `1 − (1 − s^rows)^bands`: with 32 × 4, 99.99 % at s = 0.7, 98.8 % at 0.6,
    /// 87 % at 0.5 and 5 % at 0.2, so pairs for the containment rule (Jaccard ≥ 0.5) are
    /// mostly reached too; every candidate is verified on its exact shingle set, which
    /// keeps precision high. Chosen by measurement against 14 × 8, 20 × 5, 30 × 3 and
    /// 40 × 3 (see `docs/dedup.md`). Each band costs about 18 bytes per kept document.
    #[serde(default = "default_bands")]
    pub bands: usize,
    /// MinHash values per band. Default `4`.
    #[serde(default = "default_rows")]
    pub rows: usize,
    /// Whether to record paragraphs, sentences and quotations already seen in an earlier
    /// kept document as `dedup.repeated_spans` (nothing is removed). Default `true`.
    #[serde(default = "default_true")]
    pub repeated_spans: bool,
    /// Shortest paragraph, sentence or quotation, in characters, that is recorded as a
    /// repeated span. Default `60`.
    #[serde(default = "default_min_span_chars")]
    pub min_span_chars: usize,
    /// Cut repeated paragraphs and sentences out of `text` instead of only marking them;
    /// they are listed under `dedup.removed` (`at`, `text`, `also_in`, `kind`), repeated
    /// quotations stay marked. A document with nothing left is rejected
    /// (`dedup_all_passages_repeated`). As it rewrites the text, the stage must then come
    /// before stages that record offsets (`detect_language`'s segments, `annotate`).
    /// Default `false`.
    #[serde(default)]
    pub remove_repeated: bool,
    /// Megabytes of the index held in memory before its older part moves to files in the
    /// stage's state folder (`<output>/state/dedupe/`): a quarter for shingle sets
    /// (`shingles.bin`, read back only to verify candidates), a quarter each for LSH band
    /// and passage entries and 1/32 for exact keys (sorted runs `bands-N.run`,
    /// `passages-N.run`, `exact-N.run`, with a key filter of 1.75 bytes per entry kept in
    /// memory, so most lookups never read the disk), 1/32 for document ids and records
    /// (`ids.bin`, `documents.bin`, read back only for the documents a finding names),
    /// 1/8 more (at most 6.5 MB) caches the ids and records read back, and 1/64 more (at
    /// most 1 MB) remembers the first document of passages found on disk.
    /// Beyond it the index grows by the key filters alone: 1.75 bytes per band, passage
    /// and exact key, about 90 bytes per kept news article, up to `filter_memory_mb`. The
    /// files are removed when the run ends. `0` keeps everything in memory. Default `64`.
    #[serde(default = "default_spill_after_mb")]
    pub spill_after_mb: usize,
    /// Megabytes the key filters of the runs on disk may hold (see `spill_after_mb`): the
    /// filters of about 1.4 million news articles at the default. Beyond it, the filter
    /// with the most bits per key is folded to half its size, so memory stays bounded
    /// however large the input, and lookups read the disk more often (4 % of absent keys
    /// pass a filter folded once, against 0.2 %): raise it when memory allows and speed
    /// matters on inputs of many GB. `0` lets the filters grow with the input. Default
    /// `128`.
    #[serde(default = "default_filter_memory_mb")]
    pub filter_memory_mb: usize,
}

fn default_threshold() -> f64 {
    0.8
}
fn default_containment() -> f64 {
    0.9
}
fn default_containment_min_jaccard() -> f64 {
    0.5
}
fn default_spill_after_mb() -> usize {
    // 64 MB hold the sets of the last ~40,000 documents of news length; older ones are
    // read back only for the few candidates that reach verification.
    64
}
fn default_filter_memory_mb() -> usize {
    128
}
fn default_shingle_size() -> usize {
    5
}
fn default_bands() -> usize {
    32
}
fn default_rows() -> usize {
    4
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
            keep: Keep::default(),
            threshold: default_threshold(),
            containment: default_containment(),
            containment_min_jaccard: default_containment_min_jaccard(),
            shingle_size: default_shingle_size(),
            bands: default_bands(),
            rows: default_rows(),
            repeated_spans: default_true(),
            min_span_chars: default_min_span_chars(),
            remove_repeated: false,
            spill_after_mb: default_spill_after_mb(),
            filter_memory_mb: default_filter_memory_mb(),
        }
    }
}

/// Most values a signature may have (`bands × rows`).
pub const MAX_PERMUTATIONS: usize = 1024;

impl DedupConfig {
    /// What shapes the keys the persistent index stores: a database written under other
    /// settings (or by another version of this crate) is rebuilt, not used.
    fn index_settings(&self) -> String {
        format!(
            "pipeline-dedup {} shingle_size={} bands={} rows={} repeated_spans={} min_span_chars={}",
            env!("CARGO_PKG_VERSION"),
            self.shingle_size,
            self.bands,
            self.rows,
            self.repeated_spans,
            self.min_span_chars
        )
    }

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
        if !(self.containment > 0.0 && self.containment <= 1.0) {
            bad(
                "containment",
                format!("must be in (0, 1], not {}", self.containment),
            );
        }
        if !(0.0..=1.0).contains(&self.containment_min_jaccard) {
            bad(
                "containment_min_jaccard",
                format!("must be in [0, 1], not {}", self.containment_min_jaccard),
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

    /// Builds the stage; shingle sets beyond `spill_after_mb` go to
    /// `cx.state_dir/shingles.bin` (no spilling when `state_dir` is empty).
    fn build(&self, cx: &BuildContext) -> Result<Box<dyn Stage>, ConfigError> {
        let mut stage = Dedupe::new(self)?;
        if self.spill_after_mb > 0 && !cx.state_dir.as_os_str().is_empty() {
            stage.spill_to(
                &cx.state_dir.join("shingles.bin"),
                self.spill_after_mb.saturating_mul(1 << 20),
            );
            if self.filter_memory_mb > 0 {
                stage.limit_filters(self.filter_memory_mb.saturating_mul(1 << 20));
            }
        }
        if let Some(link) = cx
            .run
            .as_ref()
            .filter(|_| !cx.state_dir.as_os_str().is_empty())
        {
            stage.persist_in(&cx.state_dir, link, self.index_settings())?;
        }
        Ok(Box::new(stage))
    }

    /// One shared index: never more than one worker.
    fn parallel(&self) -> bool {
        false
    }

    /// Normalising, shingling, MinHash and passage hashes need no index: they run on the
    /// stage's `workers` before the one worker that looks them up.
    fn preparation(&self) -> Option<Box<dyn StageConfig>> {
        Some(Box::new(crate::stage::Sketching(self.clone())))
    }

    /// "First seen wins" is only deterministic in input order.
    fn needs_ordered_input(&self) -> bool {
        true
    }

    /// `repeated_spans` holds character offsets into `text`.
    fn records_offsets(&self) -> bool {
        true
    }

    fn edits_text(&self) -> bool {
        self.remove_repeated
    }

    fn remembers(&self) -> bool {
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
        assert_eq!((cfg.bands, cfg.rows, cfg.shingle_size), (32, 4, 5));
        assert_eq!(cfg.keep, Keep::First);
        assert!(!cfg.edits_text(), "marks only, by default");
        let removing: DedupConfig = toml::from_str("remove_repeated = true").unwrap();
        assert!(removing.edits_text());
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
             repeated_spans = false\nmin_span_chars = 80\ncontainment = 0.95\n\
             containment_min_jaccard = 0.6\nspill_after_mb = 0\n",
        )
        .unwrap();
        assert_eq!(cfg.action, Action::Mark);
        assert_eq!(cfg.threshold, 0.9);
        assert_eq!((cfg.shingle_size, cfg.bands, cfg.rows), (3, 20, 5));
        assert!(!cfg.repeated_spans);
        assert_eq!(cfg.min_span_chars, 80);
        assert_eq!((cfg.containment, cfg.containment_min_jaccard), (0.95, 0.6));
        assert_eq!(cfg.spill_after_mb, 0);
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
