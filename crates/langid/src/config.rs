//! The configuration of the `detect_language` stage.

use std::collections::BTreeSet;
use std::str::FromStr;

use lingua::{IsoCode639_1, Language};
use pipeline_core::{BuildContext, ConfigError, Stage, StageConfig};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::DetectLanguage;

/// Every ISO 639-1 code lingua 1.8 supports, whether compiled in or not (to tell a typo from
/// a language that needs the `all-languages` feature).
const LINGUA_CODES: &[&str] = &[
    "af", "ar", "az", "be", "bg", "bn", "bs", "ca", "cs", "cy", "da", "de", "el", "en", "eo", "es",
    "et", "eu", "fa", "fi", "fr", "ga", "gu", "he", "hi", "hr", "hu", "hy", "id", "is", "it", "ja",
    "ka", "kk", "ko", "la", "lg", "lt", "lv", "mi", "mk", "mn", "mr", "ms", "nb", "nl", "nn", "pa",
    "pl", "pt", "ro", "ru", "sk", "sl", "sn", "so", "sq", "sr", "st", "sv", "sw", "ta", "te", "th",
    "tl", "tn", "tr", "ts", "uk", "ur", "vi", "xh", "yo", "zh", "zu",
];

/// Settings of the `detect_language` stage (`[[stages]] type = "detect_language"`).
///
/// Every field is optional; an empty table gives the defaults stated on each field.
///
/// ```toml
/// [[stages]]
/// type = "detect_language"
/// expected = ["de"]
/// on_mismatch = "reject"
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LangIdConfig {
    /// ISO 639-1 codes of the languages to choose between (`["de", "en", "fr"]`); at least
    /// two. A text in another compiled-in language gets `code: null`, `reason:
    /// "other_language"` and the language under `best_guess`. Default: every language
    /// compiled into this build (all 75 of lingua with the default `all-languages` feature,
    /// 26 common ones with `common-languages` alone).
    #[serde(default)]
    pub languages: Option<Vec<String>>,

    /// Fewer letters than this in the whole text and the language is left undetermined
    /// (`code: null`, `reason: "too_short"`). Default: `20`.
    #[serde(default = "default_min_chars")]
    pub min_chars: usize,

    /// Below this confidence (0..1) the document language is left undetermined
    /// (`code: null`, `reason: "low_confidence"`, the guess under `best_guess`).
    /// Default: `0.5`.
    #[serde(default = "default_min_confidence")]
    pub min_confidence: f64,

    /// How many characters from the start of the text the document-level detection reads
    /// (cut back to a word boundary), so its cost is bounded however long the text is; the
    /// same bound applies to each paragraph, and lingua reads at most 400 of them. Paragraph
    /// detection confirms the document language over the rest. Default: `1000`.
    #[serde(default = "default_sample_chars")]
    pub sample_chars: usize,

    /// When paragraphs (split at blank lines) get their own detection: `"off"` (one
    /// segment with the document language), `"uncertain"` (only for documents neither whatlang
    /// nor their function words decided alone) or `"always"`. Paragraphs whose words are mostly the common words of
    /// paragraphs already placed in the document language need no detector. Default:
    /// `"always"`.
    #[serde(default)]
    pub segments: SegmentMode,

    /// Paragraphs with fewer letters than this inherit the document language instead of
    /// getting their own detection. Default: `40`.
    #[serde(default = "default_min_segment_chars")]
    pub min_segment_chars: usize,

    /// ISO 639-1 codes the documents should be in (`["de"]`); documents in another language
    /// are marked, or dropped with `on_mismatch = "reject"`. Default: none (any language).
    #[serde(default)]
    pub expected: Option<Vec<String>>,

    /// What to do with a document whose language is undetermined, below `min_confidence` or
    /// not in `expected`: `"keep"` it (the annotation says what was found) or `"reject"` it
    /// (`langid_undetermined`, `langid_low_confidence`, `langid_unexpected_language`).
    /// Default: `"keep"`.
    #[serde(default)]
    pub on_mismatch: OnMismatch,

    /// Accuracy mode of lingua, the second opinion: `"high"` (all n-gram models; best on
    /// short paragraphs) or `"low"` (trigrams only; weaker under ~120 characters).
    /// Default: `"high"`.
    #[serde(default)]
    pub accuracy: Accuracy,
}

/// When paragraphs get their own language detection (the `segments` setting).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SegmentMode {
    /// One segment over the whole text, with the document language.
    Off,
    /// Paragraph detection only for documents neither whatlang nor their function words
    /// decided alone.
    Uncertain,
    /// Paragraph detection for every document.
    #[default]
    Always,
}

/// What happens to documents that do not match (the `on_mismatch` setting).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OnMismatch {
    /// Keep the document; the annotation records what was found.
    #[default]
    Keep,
    /// Drop the document with a `langid_*` reason.
    Reject,
}

/// Lingua's accuracy mode (the `accuracy` setting).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Accuracy {
    /// Uni- to five-gram models.
    #[default]
    High,
    /// Trigram models only.
    Low,
}

fn default_min_chars() -> usize {
    20
}
fn default_min_confidence() -> f64 {
    0.5
}
fn default_sample_chars() -> usize {
    1000
}
fn default_min_segment_chars() -> usize {
    40
}

impl Default for LangIdConfig {
    fn default() -> Self {
        LangIdConfig {
            languages: None,
            min_chars: default_min_chars(),
            min_confidence: default_min_confidence(),
            sample_chars: default_sample_chars(),
            segments: SegmentMode::default(),
            min_segment_chars: default_min_segment_chars(),
            expected: None,
            on_mismatch: OnMismatch::default(),
            accuracy: Accuracy::default(),
        }
    }
}

/// ISO 639-1 codes of the languages compiled into this build, sorted (the default of
/// `languages`).
pub fn compiled_codes() -> Vec<String> {
    compiled_languages()
        .iter()
        .map(|l| l.iso_code_639_1().to_string())
        .collect()
}

/// The languages compiled into this build, sorted by ISO 639-1 code.
pub(crate) fn compiled_languages() -> Vec<Language> {
    let mut all: Vec<Language> = Language::all().into_iter().collect();
    all.sort_by_key(|l| l.iso_code_639_1().to_string());
    all
}

fn known_codes() -> String {
    compiled_codes().join(", ")
}

/// Parses one ISO 639-1 code of `setting` into a compiled-in language.
fn parse_code(setting: &'static str, code: &str) -> Result<Language> {
    let trimmed = code.trim();
    // Only two-letter codes: strum's parser would also accept other spellings.
    if trimmed.len() == 2 {
        if let Ok(iso) = IsoCode639_1::from_str(trimmed) {
            return Ok(Language::from_iso_code_639_1(&iso));
        }
    }
    let lower = trimmed.to_ascii_lowercase();
    if LINGUA_CODES.contains(&lower.as_str()) {
        Err(Error::LanguageNotCompiled {
            setting,
            code: code.to_owned(),
        })
    } else {
        Err(Error::UnknownLanguage {
            setting,
            code: code.to_owned(),
            known: known_codes(),
        })
    }
}

/// The settings checked and turned into lingua values, shared by `validate` and `build`.
#[derive(Debug, Clone)]
pub(crate) struct Resolved {
    pub(crate) languages: BTreeSet<Language>,
    pub(crate) expected: Option<BTreeSet<Language>>,
}

impl LangIdConfig {
    /// Checks every setting; returns the resolved languages or every problem found.
    pub(crate) fn resolve(&self) -> std::result::Result<Resolved, Vec<Error>> {
        let mut errors = Vec::new();
        let mut languages = BTreeSet::new();
        match &self.languages {
            None => languages.extend(compiled_languages()),
            Some(codes) => {
                for code in codes {
                    match parse_code("languages", code) {
                        Ok(lang) => {
                            languages.insert(lang);
                        }
                        Err(e) => errors.push(e),
                    }
                }
                if errors.is_empty() && languages.len() < 2 {
                    errors.push(Error::TooFewLanguages {
                        count: languages.len(),
                    });
                }
            }
        }
        let expected = self.expected.as_ref().map(|codes| {
            let mut set = BTreeSet::new();
            for code in codes {
                match parse_code("expected", code) {
                    Ok(lang) if languages.contains(&lang) => {
                        set.insert(lang);
                    }
                    Ok(_) if self.languages.is_some() => {
                        errors.push(Error::ExpectedNotConsidered { code: code.clone() })
                    }
                    Ok(_) => {}
                    Err(e) => errors.push(e),
                }
            }
            set
        });
        if !(0.0..=1.0).contains(&self.min_confidence) {
            errors.push(Error::OutOfRange {
                setting: "min_confidence",
                value: self.min_confidence.to_string(),
                range: "0.0..=1.0",
            });
        }
        if self.sample_chars < 100 {
            errors.push(Error::OutOfRange {
                setting: "sample_chars",
                value: self.sample_chars.to_string(),
                range: "100 or more",
            });
        }
        if errors.is_empty() {
            Ok(Resolved {
                languages,
                expected,
            })
        } else {
            Err(errors)
        }
    }
}

impl StageConfig for LangIdConfig {
    fn validate(&self) -> Vec<String> {
        match self.resolve() {
            Ok(_) => Vec::new(),
            Err(errors) => errors.iter().map(ToString::to_string).collect(),
        }
    }

    fn build(&self, _cx: &BuildContext) -> std::result::Result<Box<dyn Stage>, ConfigError> {
        Ok(Box::new(DetectLanguage::new(self)?))
    }

    fn records_offsets(&self) -> bool {
        true
    }
}

/// Helpers for the tests of other modules.
#[cfg(test)]
pub(crate) mod tests_support {
    /// Whether `code` is an ISO 639-1 code lingua supports.
    pub(crate) fn is_lingua_code(code: &str) -> bool {
        super::LINGUA_CODES.contains(&code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lingua_codes_are_the_75_languages() {
        assert_eq!(LINGUA_CODES.len(), 75);
        assert!(LINGUA_CODES.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn empty_table_gives_defaults() {
        let config: LangIdConfig = toml::from_str("").unwrap();
        assert_eq!(config, LangIdConfig::default());
        assert!(config.validate().is_empty());
        assert!(config.records_offsets());
    }

    #[test]
    fn full_table_parses() {
        let config: LangIdConfig = toml::from_str(
            r#"
            languages = ["de", "en", "fr"]
            min_chars = 10
            min_confidence = 0.7
            sample_chars = 2000
            segments = "uncertain"
            min_segment_chars = 60
            expected = ["de"]
            on_mismatch = "reject"
            accuracy = "low"
            "#,
        )
        .unwrap();
        assert_eq!(config.segments, SegmentMode::Uncertain);
        assert_eq!(config.on_mismatch, OnMismatch::Reject);
        assert_eq!(config.accuracy, Accuracy::Low);
        assert!(config.validate().is_empty(), "{:?}", config.validate());
    }

    #[test]
    fn unknown_key_is_rejected() {
        let err = toml::from_str::<LangIdConfig>("min_chras = 3").unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("unknown field `min_chras`"), "{msg}");
        assert!(msg.contains("min_chars"), "{msg}");
    }

    #[test]
    fn unknown_language_code_is_named_with_its_setting() {
        let config: LangIdConfig = toml::from_str(r#"languages = ["de", "xx"]"#).unwrap();
        let errors = config.validate();
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert!(
            errors[0].starts_with("languages: unknown language code `xx`"),
            "{errors:?}"
        );
        assert!(errors[0].contains("de, "), "{errors:?}");
        let config: LangIdConfig = toml::from_str(r#"expected = ["deu"]"#).unwrap();
        let errors = config.validate();
        assert!(
            errors[0].starts_with("expected: unknown language code `deu`"),
            "{errors:?}"
        );
        assert!(config.build(&BuildContext::default()).is_err());
    }

    #[test]
    fn other_problems_are_all_reported() {
        let config: LangIdConfig = toml::from_str(
            r#"
            languages = ["de"]
            min_confidence = 1.5
            sample_chars = 10
            "#,
        )
        .unwrap();
        let errors = config.validate();
        assert_eq!(errors.len(), 3, "{errors:?}");
        assert!(errors[0].contains("at least two languages"));
        assert!(errors[1].starts_with("min_confidence: 1.5"));
        assert!(errors[2].starts_with("sample_chars: 10"));

        let config: LangIdConfig = toml::from_str(
            r#"languages = ["de", "en"]
expected = ["fr"]"#,
        )
        .unwrap();
        assert_eq!(
            config.validate(),
            vec!["expected: `fr` is not among `languages`, so it can never be detected; add it to `languages`"]
        );
    }

    #[cfg(not(feature = "all-languages"))]
    #[test]
    fn language_outside_the_build_names_the_feature() {
        let config: LangIdConfig = toml::from_str(r#"languages = ["de", "cy"]"#).unwrap();
        let errors = config.validate();
        assert!(errors[0].contains("`all-languages` feature"), "{errors:?}");
    }
}
