//! The `detect_language` stage: whatlang first, lingua as second opinion.

use std::collections::{BTreeSet, HashMap};

use lingua::{Language, LanguageDetector, LanguageDetectorBuilder};
use pipeline_core::text::byte_to_char_offsets;
use pipeline_core::{keys, ConfigError, Document, Stage, StageError, Verdict};
use serde::{Deserialize, Serialize};

use crate::config::{Accuracy, LangIdConfig, OnMismatch, SegmentMode};

/// Whatlang answers at or above this confidence are taken without asking lingua
/// (whatlang's own "reliable" threshold).
const WHATLANG_RELIABLE: f64 = 0.9;

/// Drop reason: no language could be determined (empty, too short, no detector decided).
pub const REASON_UNDETERMINED: &str = "langid_undetermined";
/// Drop reason: the best guess is below `min_confidence`.
pub const REASON_LOW_CONFIDENCE: &str = "langid_low_confidence";
/// Drop reason: the language is not in `expected`.
pub const REASON_UNEXPECTED: &str = "langid_unexpected_language";

/// `reason` when the text has no non-whitespace character.
pub const WHY_EMPTY: &str = "empty";
/// `reason` when the text has fewer letters than `min_chars`.
pub const WHY_TOO_SHORT: &str = "too_short";
/// `reason` when the best guess is below `min_confidence`.
pub const WHY_LOW_CONFIDENCE: &str = "low_confidence";
/// `reason` when neither detector gave an answer.
pub const WHY_UNDETERMINED: &str = "undetermined";

/// The detector that made a decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Detector {
    /// whatlang (trigram, fast), trusted when reliable and within `languages`.
    Whatlang,
    /// lingua (n-gram models), asked when whatlang is unsure or answers outside `languages`.
    Lingua,
}

/// The value stored under [`keys::LANGID_LANG`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LangAnnotation {
    /// ISO 639-1 code of the document language, `None` when undetermined.
    pub code: Option<String>,
    /// Confidence of `code` in 0..1 (rounded to 3 decimals), `None` when undetermined.
    pub confidence: Option<f64>,
    /// The detector that decided `code`, `None` when undetermined.
    pub detector: Option<Detector>,
    /// Why `code` is `None`: `empty`, `too_short`, `low_confidence` or `undetermined`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// With `reason: low_confidence`, the guess that was not good enough.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub best_guess: Option<Guess>,
    /// Language spans covering the whole text in order (character offsets), empty when
    /// `code` is `None`. Paragraph separators belong to the span before them.
    pub segments: Vec<Segment>,
}

/// A language decision with its confidence and detector.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Guess {
    /// ISO 639-1 code.
    pub code: String,
    /// Confidence in 0..1.
    pub confidence: f64,
    /// Who decided.
    pub detector: Detector,
}

/// One span of the text in one language.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Segment {
    /// First character (Unicode scalar value) of the span.
    pub start: usize,
    /// One past the last character of the span.
    pub end: usize,
    /// ISO 639-1 code.
    pub code: String,
    /// Confidence in 0..1 (character-weighted mean over merged paragraphs).
    pub confidence: f64,
}

/// An internal decision, before it becomes JSON.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Decision {
    lang: Language,
    confidence: f64,
    detector: Detector,
}

/// The `detect_language` stage, built from a [`LangIdConfig`] once per worker.
pub struct DetectLanguage {
    /// Whatlang over all its languages, for the document language.
    whatlang: whatlang::Detector,
    /// Whatlang restricted to the configured languages, for paragraphs (its cost grows with
    /// the number of languages, and any disagreement goes to lingua anyway).
    whatlang_paragraphs: whatlang::Detector,
    lingua: LanguageDetector,
    /// whatlang languages that are among the configured ones, mapped to lingua's.
    from_whatlang: HashMap<whatlang::Lang, Language>,
    /// ISO 639-1 code of each configured language.
    codes: HashMap<Language, String>,
    expected: Option<BTreeSet<Language>>,
    min_chars: usize,
    min_confidence: f64,
    sample_chars: usize,
    segments: SegmentMode,
    min_segment_chars: usize,
    on_mismatch: OnMismatch,
}

impl std::fmt::Debug for DetectLanguage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DetectLanguage")
            .field("languages", &self.codes.len())
            .field("min_chars", &self.min_chars)
            .field("min_confidence", &self.min_confidence)
            .finish_non_exhaustive()
    }
}

/// Maps a whatlang language to lingua's by ISO 639-3 code (whatlang names a few macro
/// languages by a member).
fn lingua_of(lang: whatlang::Lang) -> Option<Language> {
    let code = match lang.code() {
        "cmn" => "zho",
        "pes" => "fas",
        other => other,
    };
    code.parse::<lingua::IsoCode639_3>()
        .ok()
        .map(|iso| Language::from_iso_code_639_3(&iso))
}

/// The first `max_chars` characters of `text`, cut back to the last whitespace when there is
/// one in the second half of the sample.
fn sample(text: &str, max_chars: usize) -> &str {
    let Some((cut, _)) = text.char_indices().nth(max_chars) else {
        return text;
    };
    let head = &text[..cut];
    match head.rfind(char::is_whitespace) {
        Some(ws) if ws >= cut / 2 => &head[..ws],
        _ => head,
    }
}

/// Counts letters in `text`, stopping once `enough` are found.
fn letters_at_least(text: &str, enough: usize) -> usize {
    text.chars()
        .filter(|c| c.is_alphabetic())
        .take(enough)
        .count()
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

impl DetectLanguage {
    /// Builds the stage: checks the config and builds both detectors.
    pub fn new(config: &LangIdConfig) -> Result<Self, ConfigError> {
        let resolved = config.resolve().map_err(|errors| {
            ConfigError::new(
                errors
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("; "),
            )
        })?;
        let languages: Vec<Language> = resolved.languages.iter().copied().collect();
        let mut builder = LanguageDetectorBuilder::from_languages(&languages);
        if config.accuracy == Accuracy::Low {
            builder.with_low_accuracy_mode();
        }
        let from_whatlang: HashMap<whatlang::Lang, Language> = whatlang::Lang::all()
            .iter()
            .filter_map(|&w| {
                lingua_of(w)
                    .filter(|l| resolved.languages.contains(l))
                    .map(|l| (w, l))
            })
            .collect();
        let codes = languages
            .iter()
            .map(|l| (*l, l.iso_code_639_1().to_string()))
            .collect();
        let whatlang_paragraphs = if from_whatlang.len() >= 2 {
            whatlang::Detector::with_allowlist(from_whatlang.keys().copied().collect())
        } else {
            whatlang::Detector::new()
        };
        Ok(DetectLanguage {
            whatlang: whatlang::Detector::new(),
            whatlang_paragraphs,
            lingua: builder.build(),
            from_whatlang,
            codes,
            expected: resolved.expected,
            min_chars: config.min_chars,
            min_confidence: config.min_confidence,
            sample_chars: config.sample_chars,
            segments: config.segments,
            min_segment_chars: config.min_segment_chars,
            on_mismatch: config.on_mismatch,
        })
    }

    fn code(&self, lang: Language) -> String {
        self.codes
            .get(&lang)
            .cloned()
            .unwrap_or_else(|| lang.iso_code_639_1().to_string())
    }

    /// Lingua's best answer for `text`, if any.
    fn ask_lingua(&self, text: &str) -> Option<Decision> {
        let values = self.lingua.compute_language_confidence_values(text);
        let &(lang, confidence) = values.first()?;
        (confidence > 0.0).then_some(Decision {
            lang,
            confidence,
            detector: Detector::Lingua,
        })
    }

    /// Whatlang's answer for `text` when reliable and among the configured languages, else
    /// lingua's.
    fn decide(&self, text: &str) -> Option<Decision> {
        if let Some(info) = self.whatlang.detect(text) {
            if info.confidence() >= WHATLANG_RELIABLE {
                if let Some(&lang) = self.from_whatlang.get(&info.lang()) {
                    return Some(Decision {
                        lang,
                        confidence: info.confidence(),
                        detector: Detector::Whatlang,
                    });
                }
            }
        }
        self.ask_lingua(text)
    }

    /// The language of one paragraph of a document in `doc` language: whatlang when it
    /// agrees with the document, lingua when it does not; the document language when lingua
    /// finds no other language with at least `min_confidence`.
    fn decide_paragraph(&self, para: &str, doc: &Decision) -> Decision {
        let para = sample(para, self.sample_chars);
        if let Some(info) = self.whatlang_paragraphs.detect(para) {
            if self.from_whatlang.get(&info.lang()) == Some(&doc.lang) {
                return Decision {
                    lang: doc.lang,
                    confidence: info.confidence(),
                    detector: Detector::Whatlang,
                };
            }
        }
        match self.ask_lingua(para) {
            Some(d) if d.lang == doc.lang || d.confidence >= self.min_confidence => d,
            _ => *doc,
        }
    }

    /// Segments of `text` (document language `doc`) in byte offsets.
    fn segment(
        &self,
        text: &str,
        doc: &Decision,
        per_paragraph: bool,
    ) -> Vec<(usize, usize, Decision)> {
        let mut out: Vec<(usize, usize, Decision)> = Vec::new();
        if !per_paragraph || !text.contains("\n\n") {
            out.push((0, text.len(), *doc));
            return out;
        }
        let mut start = 0;
        let mut pieces = text.split("\n\n").peekable();
        while let Some(para) = pieces.next() {
            let end = if pieces.peek().is_some() {
                start + para.len() + 2
            } else {
                text.len()
            };
            let decision =
                if letters_at_least(para, self.min_segment_chars) >= self.min_segment_chars {
                    self.decide_paragraph(para, doc)
                } else {
                    *doc
                };
            match out.last_mut() {
                Some((s, e, prev)) if prev.lang == decision.lang => {
                    let (a, b) = ((*e - *s) as f64, (end - start) as f64);
                    prev.confidence = (prev.confidence * a + decision.confidence * b) / (a + b);
                    *e = end;
                }
                _ => out.push((start, end, decision)),
            }
            start = end;
        }
        out
    }

    /// Detects the language of `text` and its segments; what [`Stage::process`] stores.
    pub fn detect(&self, text: &str) -> LangAnnotation {
        let undetermined = |reason: &str, best_guess: Option<Guess>| LangAnnotation {
            code: None,
            confidence: None,
            detector: None,
            reason: Some(reason.to_owned()),
            best_guess,
            segments: Vec::new(),
        };
        if text.trim().is_empty() {
            return undetermined(WHY_EMPTY, None);
        }
        if letters_at_least(text, self.min_chars) < self.min_chars {
            return undetermined(WHY_TOO_SHORT, None);
        }
        let Some(doc) = self.decide(sample(text, self.sample_chars)) else {
            return undetermined(WHY_UNDETERMINED, None);
        };
        if doc.confidence < self.min_confidence {
            let guess = Guess {
                code: self.code(doc.lang),
                confidence: round3(doc.confidence),
                detector: doc.detector,
            };
            return undetermined(WHY_LOW_CONFIDENCE, Some(guess));
        }
        let per_paragraph = match self.segments {
            SegmentMode::Off => false,
            SegmentMode::Uncertain => doc.detector != Detector::Whatlang,
            SegmentMode::Always => true,
        };
        let spans = self.segment(text, &doc, per_paragraph);
        let bytes: Vec<usize> = spans.iter().flat_map(|(s, e, _)| [*s, *e]).collect();
        let chars = byte_to_char_offsets(text, &bytes);
        let segments = spans
            .iter()
            .zip(chars.chunks(2))
            .map(|((_, _, d), se)| Segment {
                start: se[0],
                end: se[1],
                code: self.code(d.lang),
                confidence: round3(d.confidence),
            })
            .collect();
        LangAnnotation {
            code: Some(self.code(doc.lang)),
            confidence: Some(round3(doc.confidence)),
            detector: Some(doc.detector),
            reason: None,
            best_guess: None,
            segments,
        }
    }

    /// The drop reason and detail for `ann` in reject mode, or `None` to keep.
    fn mismatch(&self, ann: &LangAnnotation, text: &str) -> Option<(&'static str, String)> {
        const KEEP: &str = "or set `on_mismatch = \"keep\"` to keep such documents";
        if let Some(guess) = &ann.best_guess {
            return Some((
                REASON_LOW_CONFIDENCE,
                format!(
                    "best guess `{}` (by {}) has confidence {:.3}, below `min_confidence` {}; \
                     lower `min_confidence` {KEEP}",
                    guess.code,
                    guess.detector.name(),
                    guess.confidence,
                    self.min_confidence
                ),
            ));
        }
        let Some(code) = &ann.code else {
            let detail = match ann.reason.as_deref() {
                Some(WHY_EMPTY) => format!("the text is empty; nothing to detect a language in ({KEEP})"),
                Some(WHY_TOO_SHORT) => format!(
                    "the text has {} letters, fewer than `min_chars` = {}; lower `min_chars` {KEEP}",
                    letters_at_least(text, self.min_chars),
                    self.min_chars
                ),
                _ => format!("neither whatlang nor lingua could name a language among `languages`; widen `languages` {KEEP}"),
            };
            return Some((REASON_UNDETERMINED, detail));
        };
        let expected = self.expected.as_ref()?;
        if expected.iter().any(|l| self.codes.get(l) == Some(code)) {
            return None;
        }
        let list = expected
            .iter()
            .map(|l| self.code(*l))
            .collect::<Vec<_>>()
            .join(", ");
        Some((
            REASON_UNEXPECTED,
            format!(
                "detected `{code}` (confidence {:.3}, by {}), but `expected` is [{list}]; \
                 add `{code}` to `expected` {KEEP}",
                ann.confidence.unwrap_or(0.0),
                ann.detector.map_or("none", Detector::name),
            ),
        ))
    }
}

impl Detector {
    /// The name written to the annotation (`whatlang`, `lingua`).
    pub fn name(self) -> &'static str {
        match self {
            Detector::Whatlang => "whatlang",
            Detector::Lingua => "lingua",
        }
    }
}

impl Stage for DetectLanguage {
    /// Annotates `doc` under `langid.lang`; in reject mode, drops documents that are
    /// undetermined, below `min_confidence` or outside `expected`.
    fn process(&mut self, mut doc: Document) -> Result<Verdict, StageError> {
        let ann = self.detect(&doc.text);
        let drop = match self.on_mismatch {
            OnMismatch::Keep => None,
            OnMismatch::Reject => self.mismatch(&ann, &doc.text),
        };
        let value = serde_json::to_value(&ann).map_err(|e| StageError::Fatal {
            message: format!("cannot serialise the language annotation: {e}"),
        })?;
        doc.annotations.insert(keys::LANGID_LANG.to_owned(), value);
        Ok(match drop {
            Some((reason, detail)) => Verdict::drop(doc, reason, detail),
            None => Verdict::Keep(doc),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use pipeline_core::{BuildContext, StageConfig};

    const DE: &str = "Die Bundesregierung hat am Mittwoch in Berlin ein umfangreiches Paket zur \
        Entlastung der Bürger beschlossen. Nach Angaben des Finanzministeriums sollen vor allem \
        Familien mit kleinen Einkommen von den Maßnahmen profitieren.";
    const EN: &str = "The committee published its final report on Tuesday, arguing that the \
        country's energy policy had failed to keep pace with rising demand and that \
        investment in the grid was long overdue.";
    const FR: &str = "Le gouvernement a présenté mercredi un projet de loi visant à réformer \
        le système des retraites, une mesure qui suscite déjà de vives critiques de la part \
        des syndicats et de l'opposition.";

    fn stage(toml_src: &str) -> DetectLanguage {
        let config: LangIdConfig = toml::from_str(toml_src).unwrap();
        DetectLanguage::new(&config).unwrap()
    }

    fn chars(text: &str, start: usize, end: usize) -> String {
        text.chars().skip(start).take(end - start).collect()
    }

    #[test]
    fn detects_german_english_french_paragraphs() {
        let s = stage("");
        for (text, code) in [(DE, "de"), (EN, "en"), (FR, "fr")] {
            let ann = s.detect(text);
            assert_eq!(ann.code.as_deref(), Some(code), "{ann:?}");
            assert!(ann.confidence.unwrap() >= 0.9, "{ann:?}");
            assert!(ann.reason.is_none());
            let n = text.chars().count();
            assert_eq!(ann.segments.len(), 1);
            assert_eq!((ann.segments[0].start, ann.segments[0].end), (0, n));
        }
    }

    #[test]
    fn german_article_with_english_paragraph_has_segments_with_char_offsets() {
        let text = format!("Überschrift: Grüße aus Köln\n\n{DE}\n\n{EN}\n\n{DE}");
        let s = stage("");
        let ann = s.detect(&text);
        assert_eq!(ann.code.as_deref(), Some("de"), "{ann:?}");
        let codes: Vec<&str> = ann.segments.iter().map(|s| s.code.as_str()).collect();
        assert_eq!(codes, ["de", "en", "de"], "{ann:?}");
        // The segments cover the text without gap or overlap.
        assert_eq!(ann.segments[0].start, 0);
        assert_eq!(ann.segments[2].end, text.chars().count());
        assert_eq!(ann.segments[0].end, ann.segments[1].start);
        assert_eq!(ann.segments[1].end, ann.segments[2].start);
        let en = &ann.segments[1];
        assert_eq!(chars(&text, en.start, en.end).trim(), EN);
        assert!(chars(&text, ann.segments[0].start, ann.segments[0].end).starts_with("Überschrift"));
        assert!(en.confidence >= 0.5);
    }

    #[test]
    fn segments_off_gives_one_segment() {
        let text = format!("{DE}\n\n{EN}\n\n{DE}");
        let ann = stage(r#"segments = "off""#).detect(&text);
        assert_eq!(ann.segments.len(), 1);
        assert_eq!(ann.segments[0].end, text.chars().count());
        // Whatlang decides this one alone, so "uncertain" does not look at paragraphs.
        let ann = stage(r#"segments = "uncertain""#).detect(&text);
        assert_eq!(ann.detector, Some(Detector::Whatlang));
        assert_eq!(ann.segments.len(), 1);
    }

    #[test]
    fn short_paragraphs_inherit_the_document_language() {
        let text = format!("{DE}\n\nOK, thanks.\n\n{DE}");
        let ann = stage("").detect(&text);
        assert_eq!(ann.segments.len(), 1, "{ann:?}");
        assert_eq!(ann.segments[0].code, "de");
    }

    #[test]
    fn empty_and_short_texts_are_undetermined_with_a_reason() {
        let s = stage("");
        for (text, reason) in [
            ("", "empty"),
            ("  \n\n ", "empty"),
            ("Hallo Welt", "too_short"),
            ("12345 67890 12345 67890 !!", "too_short"),
        ] {
            let ann = s.detect(text);
            assert_eq!(ann.code, None);
            assert_eq!(ann.confidence, None);
            assert_eq!(ann.detector, None);
            assert_eq!(ann.reason.as_deref(), Some(reason), "{text:?}");
            assert!(ann.segments.is_empty());
        }
        let json = serde_json::to_value(s.detect("kurz")).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"code": null, "confidence": null, "detector": null,
                               "reason": "too_short", "segments": []})
        );
    }

    #[test]
    fn annotation_json_shape() {
        let mut s = stage("");
        let Verdict::Keep(doc) = s.process(Document::new("a", DE)).unwrap() else {
            panic!("dropped");
        };
        let v = &doc.annotations[keys::LANGID_LANG];
        let obj = v.as_object().unwrap();
        let fields: Vec<&str> = obj.keys().map(String::as_str).collect();
        assert_eq!(fields, ["code", "confidence", "detector", "segments"]);
        assert_eq!(v["code"], "de");
        assert_eq!(v["detector"], "whatlang");
        assert_eq!(v["segments"][0]["start"], 0);
        assert_eq!(v["segments"][0]["end"], DE.chars().count());
    }

    fn reject(s: &mut DetectLanguage, text: &str) -> Option<(&'static str, String)> {
        match s.process(Document::new("x", text)).unwrap() {
            Verdict::Keep(_) => None,
            Verdict::Drop(d) => {
                assert!(d.doc.annotations.contains_key(keys::LANGID_LANG));
                Some((d.reason, d.detail))
            }
        }
    }

    #[test]
    fn reject_mode_drops_with_the_right_reasons() {
        let mut s = stage(
            r#"
            expected = ["de"]
            on_mismatch = "reject"
            "#,
        );
        assert_eq!(reject(&mut s, DE), None);
        let (reason, detail) = reject(&mut s, EN).unwrap();
        assert_eq!(reason, REASON_UNEXPECTED);
        assert!(
            detail.contains("detected `en`") && detail.contains("`expected` is [de]"),
            "{detail}"
        );
        let (reason, detail) = reject(&mut s, "Kurz.").unwrap();
        assert_eq!(reason, REASON_UNDETERMINED);
        assert!(detail.contains("`min_chars` = 20"), "{detail}");
        let (reason, detail) = reject(&mut s, "").unwrap();
        assert_eq!(reason, REASON_UNDETERMINED);
        assert!(detail.contains("empty"), "{detail}");

        // A bar of 1.0 cannot be met by lingua's relative confidences on mixed text.
        let mut strict = stage(
            r#"
            min_confidence = 1.0
            on_mismatch = "reject"
            "#,
        );
        let mixed = "Hotel Restaurant Bar Café Pizza Pasta Musik Radio Taxi Bus";
        let (reason, detail) = reject(&mut strict, mixed).unwrap();
        assert_eq!(reason, REASON_LOW_CONFIDENCE);
        assert!(detail.contains("below `min_confidence` 1"), "{detail}");
    }

    #[test]
    fn keep_mode_marks_only() {
        let mut s = stage(r#"expected = ["de"]"#);
        assert!(matches!(
            s.process(Document::new("x", EN)).unwrap(),
            Verdict::Keep(_)
        ));
        assert!(matches!(
            s.process(Document::new("x", "")).unwrap(),
            Verdict::Keep(_)
        ));
        let mut s = stage("min_confidence = 1.0");
        let mixed = "Hotel Restaurant Bar Café Pizza Pasta Musik Radio Taxi Bus";
        let Verdict::Keep(doc) = s.process(Document::new("x", mixed)).unwrap() else {
            panic!("dropped");
        };
        let v = &doc.annotations[keys::LANGID_LANG];
        assert_eq!(v["code"], serde_json::Value::Null);
        assert_eq!(v["reason"], "low_confidence");
        assert!(v["best_guess"]["code"].is_string(), "{v}");
    }

    #[test]
    fn restricted_languages_go_to_lingua_when_whatlang_is_outside() {
        // Whatlang answers French, which is not considered: lingua picks among de/en.
        let ann = stage(r#"languages = ["de", "en"]"#).detect(FR);
        assert_eq!(ann.detector, Some(Detector::Lingua));
        assert!(matches!(ann.code.as_deref(), Some("de" | "en")));
    }

    #[test]
    fn low_accuracy_mode_builds_and_detects() {
        let ann = stage(r#"accuracy = "low""#).detect(&format!("{DE}\n\n{EN}"));
        assert_eq!(ann.code.as_deref(), Some("de"));
        assert_eq!(ann.segments.len(), 2, "{ann:?}");
    }

    #[test]
    fn sample_cuts_at_a_word_boundary() {
        assert_eq!(sample("abc", 10), "abc");
        assert_eq!(sample("Grüße aus Köln", 12), "Grüße aus");
        assert_eq!(sample("äääääää", 3), "äää");
    }

    #[test]
    fn whatlang_languages_map_to_lingua() {
        assert_eq!(lingua_of(whatlang::Lang::Deu), Some(Language::German));
        assert_eq!(lingua_of(whatlang::Lang::Cmn), Some(Language::Chinese));
        assert_eq!(lingua_of(whatlang::Lang::Nob), Some(Language::Bokmal));
    }

    #[test]
    fn seeds_are_german() {
        let seeds = [
            include_str!("../../../seeds/000_4cc634fd74ce4d48.txt"),
            include_str!("../../../seeds/001_71e4d82f6747df7e.txt"),
            include_str!("../../../seeds/002_1a67b9573dd5dde7.txt"),
            include_str!("../../../seeds/003_b6e55cbff507565a.txt"),
            include_str!("../../../seeds/004_c9c43821286cbbc7.txt"),
        ];
        let config = LangIdConfig::default();
        let mut s = config.build(&BuildContext::default()).unwrap();
        for (i, text) in seeds.iter().enumerate() {
            let Verdict::Keep(doc) = s.process(Document::new(i.to_string(), *text)).unwrap() else {
                panic!("dropped");
            };
            let v = &doc.annotations[keys::LANGID_LANG];
            assert_eq!(v["code"], "de", "seed {i}: {v}");
            assert!(v["confidence"].as_f64().unwrap() >= 0.9, "seed {i}: {v}");
            let segs = v["segments"].as_array().unwrap();
            assert_eq!(
                segs.last().unwrap()["end"],
                text.chars().count(),
                "seed {i}"
            );
        }
    }
}
