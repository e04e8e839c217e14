//! The `clean` stage's configuration: a `[[stages]]` table with `type = "clean"`.

use pipeline_core::{BuildContext, ConfigError, Stage, StageConfig};
use serde::Deserialize;

use crate::error::Error;
use crate::Clean;

fn default_true() -> bool {
    true
}

/// Settings of the `clean` stage. Every field is optional; an empty table gives the
/// defaults below.
///
/// ```toml
/// [[stages]]
/// type = "clean"
/// boilerplate = true
/// min_words = 50
/// max_symbol_ratio = 0.1
/// ```
///
/// Quality filters are off unless set; a document whose text is empty after cleaning is
/// always dropped (`clean_empty`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CleanConfig {
    /// Remove boilerplate lines (navigation, teasers, captions, credits, newsletter and
    /// consent blocks, …) and record each in `clean.removed`. Default: `true`. When
    /// `false`, only normalisation and title/date extraction run.
    #[serde(default = "default_true")]
    pub boilerplate: bool,
    /// Move the title (the first headline-shaped line before the first paragraph) out of
    /// the text into `clean.title`. Skipped when the input's metadata has a `title`.
    /// Default: `true`.
    #[serde(default = "default_true")]
    pub extract_title: bool,
    /// Move a date line of the header (with the time line after it, if any) out of the
    /// text into `clean.published`. Skipped when the input's metadata has `published` or
    /// `date`. Default: `true`.
    #[serde(default = "default_true")]
    pub extract_published: bool,
    /// Write the list of removed lines to `clean.removed`. Default: `true`.
    #[serde(default = "default_true")]
    pub record_removed: bool,
    /// Drop documents with fewer words after cleaning (`clean_too_short`). Default: off.
    #[serde(default)]
    pub min_words: Option<usize>,
    /// Drop documents with more words after cleaning (`clean_too_long`). Default: off.
    #[serde(default)]
    pub max_words: Option<usize>,
    /// Drop documents whose mean word length is below this (`clean_word_length`).
    /// Gopher uses 3. Default: off.
    #[serde(default)]
    pub min_mean_word_length: Option<f64>,
    /// Drop documents whose mean word length is above this (`clean_word_length`).
    /// Gopher uses 10. Default: off.
    #[serde(default)]
    pub max_mean_word_length: Option<f64>,
    /// Drop documents whose symbol ratio is above this (`clean_symbol_ratio`), 0.0–1.0.
    /// Default: off.
    #[serde(default)]
    pub max_symbol_ratio: Option<f64>,
    /// Drop documents whose digit ratio is above this (`clean_digit_ratio`), 0.0–1.0.
    /// Default: off.
    #[serde(default)]
    pub max_digit_ratio: Option<f64>,
    /// Drop documents whose share of uppercase letters is above this
    /// (`clean_uppercase_ratio`), 0.0–1.0. Default: off.
    #[serde(default)]
    pub max_uppercase_ratio: Option<f64>,
    /// Drop documents whose share of stop words is below this (`clean_few_stopwords`),
    /// 0.0–1.0; running German or English text is above 0.3. Default: off.
    #[serde(default)]
    pub min_stopword_ratio: Option<f64>,
    /// Drop documents whose share of repeated paragraphs is above this
    /// (`clean_duplicate_lines`), 0.0–1.0. Gopher uses 0.3. Default: off.
    #[serde(default)]
    pub max_duplicate_line_ratio: Option<f64>,
    /// Drop documents whose share of list-item paragraphs is above this
    /// (`clean_bullet_lines`), 0.0–1.0. Gopher uses 0.9. Default: off.
    #[serde(default)]
    pub max_bullet_line_ratio: Option<f64>,
}

impl Default for CleanConfig {
    fn default() -> Self {
        CleanConfig {
            boilerplate: true,
            extract_title: true,
            extract_published: true,
            record_removed: true,
            min_words: None,
            max_words: None,
            min_mean_word_length: None,
            max_mean_word_length: None,
            max_symbol_ratio: None,
            max_digit_ratio: None,
            max_uppercase_ratio: None,
            min_stopword_ratio: None,
            max_duplicate_line_ratio: None,
            max_bullet_line_ratio: None,
        }
    }
}

impl CleanConfig {
    /// Every problem with the settings, as typed errors.
    pub fn check(&self) -> Vec<Error> {
        let mut errors = Vec::new();
        let ratios = [
            ("max_symbol_ratio", self.max_symbol_ratio),
            ("max_digit_ratio", self.max_digit_ratio),
            ("max_uppercase_ratio", self.max_uppercase_ratio),
            ("min_stopword_ratio", self.min_stopword_ratio),
            ("max_duplicate_line_ratio", self.max_duplicate_line_ratio),
            ("max_bullet_line_ratio", self.max_bullet_line_ratio),
        ];
        for (setting, value) in ratios {
            if let Some(value) = value {
                if !(0.0..=1.0).contains(&value) {
                    errors.push(Error::RatioOutOfRange { setting, value });
                }
            }
        }
        for (setting, value) in [
            ("min_mean_word_length", self.min_mean_word_length),
            ("max_mean_word_length", self.max_mean_word_length),
        ] {
            if let Some(value) = value {
                if value.is_nan() || value < 0.0 {
                    errors.push(Error::Negative { setting, value });
                }
            }
        }
        if let (Some(min), Some(max)) = (self.min_words, self.max_words) {
            if min > max {
                errors.push(Error::MinAboveMax {
                    min_setting: "min_words",
                    min: min as f64,
                    max_setting: "max_words",
                    max: max as f64,
                });
            }
        }
        if let (Some(min), Some(max)) = (self.min_mean_word_length, self.max_mean_word_length) {
            if min > max {
                errors.push(Error::MinAboveMax {
                    min_setting: "min_mean_word_length",
                    min,
                    max_setting: "max_mean_word_length",
                    max,
                });
            }
        }
        errors
    }
}

impl StageConfig for CleanConfig {
    fn validate(&self) -> Vec<String> {
        self.check().iter().map(ToString::to_string).collect()
    }

    fn build(&self, _cx: &BuildContext) -> Result<Box<dyn Stage>, ConfigError> {
        let problems = self.validate();
        if !problems.is_empty() {
            return Err(ConfigError::new(problems.join("; ")));
        }
        Ok(Box::new(Clean::new(self.clone())))
    }

    fn edits_text(&self) -> bool {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_table_gives_defaults() {
        let cfg: CleanConfig = toml::from_str("").unwrap();
        assert_eq!(cfg, CleanConfig::default());
        assert!(cfg.boilerplate && cfg.extract_title && cfg.extract_published);
        assert!(cfg.min_words.is_none());
        assert!(cfg.edits_text());
    }

    #[test]
    fn unknown_key_is_rejected() {
        let err = toml::from_str::<CleanConfig>("min_wrds = 5").unwrap_err();
        assert!(
            err.to_string().contains("unknown field `min_wrds`"),
            "{err}"
        );
    }

    #[test]
    fn parses_filters() {
        let cfg: CleanConfig =
            toml::from_str("min_words = 50\nmax_symbol_ratio = 0.1\nboilerplate = false").unwrap();
        assert_eq!(cfg.min_words, Some(50));
        assert_eq!(cfg.max_symbol_ratio, Some(0.1));
        assert!(!cfg.boilerplate);
    }

    #[test]
    fn validation_reports_every_problem() {
        let cfg = CleanConfig {
            max_symbol_ratio: Some(1.5),
            min_words: Some(10),
            max_words: Some(5),
            ..CleanConfig::default()
        };
        let problems = cfg.validate();
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems[0].contains("max_symbol_ratio"));
        assert!(cfg.build(&BuildContext::default()).is_err());
        assert!(CleanConfig::default()
            .build(&BuildContext::default())
            .is_ok());
    }
}
