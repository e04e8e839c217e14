//! The `detect_language` stage: whatlang first, lingua's n-gram models (scored by
//! [`crate::ngram`]) as second opinion.

use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap, HashSet};

use lingua::Language;
use pipeline_core::text::byte_to_char_offsets;
use pipeline_core::{keys, ConfigError, Document, Stage, StageError, Verdict};
use serde::{Deserialize, Serialize};

use crate::config::{compiled_languages, Accuracy, LangIdConfig, OnMismatch, SegmentMode};
use crate::ngram::{self, LangSet, Scorer};
use crate::stopwords::{
    ascii_letter_lanes, eight_bytes_at, is_alphabetic, Evidence, StopWords, TextWords, HIGH_BITS,
};

/// Whatlang answers at or above this confidence are taken without asking lingua, on texts
/// long enough ([`WHATLANG_ALONE_LETTERS`]) and when whatlang knows every language of the
/// answer's family (whatlang's own "reliable" threshold).
const WHATLANG_RELIABLE: f64 = 0.9;

/// Letters a text needs before whatlang is asked at all. Tuned on the even half of lingua's
/// test data: below this, whatlang's confident answers lose against lingua (loan words and
/// names), and its family shortcut loses against the n-gram scorer over all languages, which
/// is as fast on such short texts.
const WHATLANG_ALONE_LETTERS: usize = 200;

/// Characters of a text (cut back to a word boundary) that whatlang reads first when the
/// function words lead with a language but do not decide it. Whatlang's cost grows with
/// the length (it counts and sorts every trigram): 22 µs on 300 characters of German
/// against 45 on 1,000, over seven Germanic languages. On the bench corpus about one document in
/// eleven reaches it. Its answer on the head is taken only when it names the leader
/// reliably; taken alone on a head, whatlang would be reliable and wrong more often (Welsh,
/// Irish, Yoruba as Spanish, Portuguese, Italian in lingua's joined test sentences). With
/// the leader's agreement, no language changed on lingua's test data (both halves, and
/// sentences joined to 250, 600 and 1,000 characters) nor on the first 100 MB of the bench
/// corpus, where 10 of 36,071 documents changed confidence or detector.
const WHATLANG_HEAD_CHARS: usize = 300;

/// Whatlang answers that are never taken alone: on the even half of lingua's test data,
/// whatlang gives these (confidently, even on texts of 150+ characters) to languages it does
/// not know: Xhosa, Tsonga, Ganda as Zulu; Malay as Indonesian; Bosnian as Croatian; Kazakh
/// and Mongolian as Russian or Belarusian; Nynorsk as Bokmål; Somali as Tagalog; Yoruba as
/// Vietnamese; Albanian as French; Icelandic as Swedish; Maori as Latvian or English.
const WHATLANG_ABSORBS: &[&str] = &[
    "zu", "sn", "id", "hr", "sr", "ru", "be", "uk", "bg", "tl", "nb", "da", "vi", "fr", "sv", "lv",
    "en",
];

/// Languages whose function words never decide alone: they have close relatives without a
/// list (stopwords-iso has none for Bosnian, Serbian, Norwegian, Icelandic, Macedonian,
/// Belarusian, Kazakh, Mongolian), whose texts use the same function words, so no margin
/// over the listed languages covers those. On lingua's test data (sentences joined to 250
/// to 1000 characters) they would take Bosnian as Croatian, Norwegian as Danish and
/// Macedonian as Bulgarian, even under [`crate::stopwords::DECISIVE`] (Bosnian and
/// Norwegian once each on the odd half). Slovene, Swedish, Russian and Ukrainian share
/// function words with the same relatives.
const FUNCTION_WORDS_BLIND: &[&str] = &["hr", "sl", "da", "sv", "bg", "ru", "uk"];

/// Characters of a text (or paragraph) the n-gram scorer reads: its cost grows with the
/// length, and a few sentences settle the language.
const LINGUA_SAMPLE_CHARS: usize = 400;

/// Languages that are easily confused with one another (observed on the even half of
/// lingua's test data, and by family). A paragraph of a document in a language whatlang does
/// not know (Bosnian) agrees with the document when whatlang places it in the document
/// language's family: the union of the groups holding it.
const GROUPS: &[&[&str]] = &[
    // Germanic
    &["de", "nl", "af", "en", "da", "sv", "cy", "is"],
    &["nl", "af", "eu", "de"],
    &["da", "nb", "nn", "sv", "is", "de"],
    &["en", "cy", "ga", "mi", "ca", "de", "fr", "nl"],
    // Romance
    &["es", "ca", "pt", "it", "la", "eo", "ga", "cy"],
    &["fr", "ca", "it", "sq", "es", "en"],
    &["it", "yo", "sw", "la", "es", "eo", "ro"],
    &["ro", "it", "la", "sq"],
    &["la", "ur", "it", "es", "eo"],
    &["eo", "eu", "es", "it", "ca"],
    &["ca", "cy", "yo", "es", "fr"],
    // Slavic, Baltic, Finnic, Turkic, Hungarian, Albanian
    &["cs", "sk", "pl", "sl"],
    &["hr", "bs", "sr", "sl", "eu"],
    &["lt", "lv", "mi"],
    &["fi", "et"],
    &["tr", "az", "so"],
    &["hu", "et"],
    &["sq", "fr", "it"],
    // Austronesian, Vietnamese, African languages
    &["id", "ms", "tl", "eu", "mi", "sw"],
    &["tl", "so", "lg", "is", "mi", "tn", "id", "ms"],
    &["vi", "yo"],
    &["zu", "xh", "ts", "lg", "st", "tn", "sw", "sn", "so", "mi"],
    &["sn", "sw", "mi", "ts", "lg", "tn", "zu", "xh"],
    // Cyrillic, Arabic, Devanagari, CJK
    &["ru", "uk", "be", "bg", "mk", "sr", "kk", "mn"],
    &["ar", "fa", "ur"],
    &["hi", "mr"],
    &["ja", "zh", "ko"],
];

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
/// `reason` when the text is in a language outside `languages` (named in `best_guess`).
pub const WHY_OTHER_LANGUAGE: &str = "other_language";
/// `reason` when neither detector gave an answer.
pub const WHY_UNDETERMINED: &str = "undetermined";

/// The detector that made a decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Detector {
    /// whatlang (trigram, fast), trusted when reliable and within `languages`.
    Whatlang,
    /// The lingua library; no longer produced (kept so that older annotations parse).
    Lingua,
    /// lingua's n-gram models and rules, scored by this crate over all candidate languages
    /// at once; asked when whatlang is unsure or answers outside `languages`.
    Ngram,
    /// The text's function words alone (stopwords-iso lists), on texts long enough for
    /// whatlang whose function words are decisive (see [`DetectLanguage::decide`]). Its
    /// confidence is `1 - rival_only / leader_only` for the nearest rival language: of the
    /// function words only one of the two lists holds, how few are the rival's (0.93 or
    /// more, as the test asks).
    FunctionWords,
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

impl Decision {
    /// The answer for a paragraph confirmed in this document's language (by whatlang's
    /// probe, or by function words where the probe would agree): the document's.
    fn confirmed(&self) -> Decision {
        Decision {
            detector: Detector::Whatlang,
            ..*self
        }
    }
}

/// Whatlang languages every paragraph is compared with besides the document language: a
/// paragraph whatlang (restricted to these) places in the document language needs no other
/// detector.
const PROBES: &[whatlang::Lang] = &[
    whatlang::Lang::Eng,
    whatlang::Lang::Fra,
    whatlang::Lang::Spa,
    whatlang::Lang::Ita,
    whatlang::Lang::Por,
    whatlang::Lang::Nld,
    whatlang::Lang::Deu,
    whatlang::Lang::Pol,
    whatlang::Lang::Tur,
    whatlang::Lang::Rus,
];

/// A paragraph whose words are at least this share of the document's common words (see
/// [`common_words`]) is taken to be in the document language without asking a detector.
const AGREEING_SHARE: f64 = 0.2;

/// Paragraphs a detector must have placed in the document language before its words are
/// used to recognise further ones.
const CONFIRMED_BEFORE_SHORTCUT: usize = 3;

/// How many of the most widespread lowercase words of the confirmed paragraphs are the
/// document's common words: the function words of its language.
const COMMON_WORDS: usize = 32;

/// A hash of each word (run of letters) of `text`, without allocating; `None` for words
/// with an uppercase letter (names, German nouns, sentence starts), which say little about
/// the language and much about the topic.
fn word_hashes(text: &str) -> impl Iterator<Item = Option<u64>> + '_ {
    crate::stopwords::word_hashes(text).map(|(hash, upper)| (!upper).then_some(hash))
}

/// The lowercase words of the paragraphs a detector placed in the document language, to
/// recognise further paragraphs in that language without asking a detector.
#[derive(Default)]
struct CommonWords {
    /// Word -> number of confirmed paragraphs using it.
    spread: HashMap<u64, usize>,
    /// Paragraphs confirmed so far.
    paragraphs: usize,
    /// The [`COMMON_WORDS`] most widespread words, each in two confirmed paragraphs or more.
    top: HashSet<u64>,
}

impl CommonWords {
    /// Adds a paragraph a detector placed in the document language.
    fn confirm(&mut self, para: &str) {
        let words: HashSet<u64> = word_hashes(para).flatten().collect();
        for w in words {
            *self.spread.entry(w).or_default() += 1;
        }
        self.paragraphs += 1;
        let mut ranked: Vec<(usize, u64)> = self
            .spread
            .iter()
            .filter(|&(_, &n)| n >= 2)
            .map(|(&w, &n)| (n, w))
            .collect();
        ranked.sort_unstable_by(|a, b| b.cmp(a));
        self.top = ranked
            .into_iter()
            .take(COMMON_WORDS)
            .map(|(_, w)| w)
            .collect();
    }

    /// Whether `para` is in the document language by its words alone: after
    /// [`CONFIRMED_BEFORE_SHORTCUT`] confirmed paragraphs, [`AGREEING_SHARE`] of its words or
    /// more are common words.
    fn agrees(&self, para: &str) -> bool {
        self.paragraphs >= CONFIRMED_BEFORE_SHORTCUT
            && common_share(para, &self.top) >= AGREEING_SHARE
    }
}

/// The share of the words of `para` that are in `common`.
fn common_share(para: &str, common: &HashSet<u64>) -> f64 {
    let (mut all, mut hits) = (0usize, 0usize);
    for w in word_hashes(para) {
        all += 1;
        hits += usize::from(w.is_some_and(|w| common.contains(&w)));
    }
    if all == 0 {
        0.0
    } else {
        hits as f64 / all as f64
    }
}

/// Bytes of paragraph text [`ParagraphAnswers`] holds at most (then it starts afresh):
/// nearly all the distinct paragraphs that needed a detector on the first 20 MB of the
/// bench corpus (1,397 of 1,918, 278 KB), where 521 repeat one seen before (373 of them
/// one boilerplate line, "Alle Rechte vorbehalten. ..."), and little memory per worker.
const REMEMBERED_PARAGRAPH_BYTES: usize = 256 * 1024;

/// What detection found for a paragraph, apart from the document's own decision (which
/// [`DetectLanguage::decide_paragraph`] applies after): the same for the same paragraph
/// text in documents of the same language.
#[derive(Debug, Clone, Copy, PartialEq)]
enum ParagraphAnswer {
    /// The probe placed it in the document language.
    Agrees,
    /// The probe did not; the paragraph's own [`DetectLanguage::decide`].
    Decided(Option<Decision>),
}

/// The answers for the paragraphs (sampled as detection reads them) that needed a detector,
/// by document language, so that a paragraph repeated across documents (boilerplate) is
/// detected once. Bounded by [`REMEMBERED_PARAGRAPH_BYTES`] of text.
#[derive(Default)]
struct ParagraphAnswers {
    by_lang: HashMap<Language, HashMap<Box<str>, ParagraphAnswer>>,
    bytes: usize,
}

impl ParagraphAnswers {
    fn get(&self, lang: Language, para: &str) -> Option<ParagraphAnswer> {
        self.by_lang.get(&lang)?.get(para).copied()
    }

    fn insert(&mut self, lang: Language, para: &str, answer: ParagraphAnswer) {
        if self.bytes + para.len() > REMEMBERED_PARAGRAPH_BYTES {
            self.by_lang.clear();
            self.bytes = 0;
        }
        self.bytes += para.len();
        self.by_lang
            .entry(lang)
            .or_default()
            .insert(para.into(), answer);
    }
}

/// One family of confusable languages.
struct Family {
    /// The whatlang languages of the family.
    whatlang_langs: Vec<whatlang::Lang>,
    /// Whatlang restricted to `whatlang_langs`: asked for texts whose function words place
    /// them in the family (see [`DetectLanguage::decide`]).
    narrowed: whatlang::Detector,
}

/// The `detect_language` stage, built from a [`LangIdConfig`] once per worker.
pub struct DetectLanguage {
    /// Whatlang over all its languages: the fast first answer, and the family to ask lingua in.
    whatlang: whatlang::Detector,
    /// The n-gram scorer (shared by all stages of the process).
    scorer: &'static Scorer,
    /// Function words of the compiled-in languages: paragraphs full of the document
    /// language's need no detector.
    stop_words: StopWords,
    /// Every compiled-in language: short texts are scored among them all, so that one in a
    /// language outside `languages` is reported as such, not as the nearest configured one.
    all: LangSet,
    /// Trigrams only (`accuracy = "low"`).
    trigrams_only: bool,
    /// Families of confusable languages (over the compiled-in languages).
    families: Vec<Family>,
    /// Compiled-in language -> index into `families`.
    family_of: HashMap<Language, usize>,
    /// The configured languages.
    configured: BTreeSet<Language>,
    /// whatlang languages mapped to lingua's (compiled-in ones only).
    from_whatlang: HashMap<whatlang::Lang, Language>,
    /// lingua languages mapped to whatlang's.
    to_whatlang: HashMap<Language, whatlang::Lang>,
    /// ISO 639-1 code of each compiled-in language.
    codes: HashMap<Language, String>,
    expected: Option<BTreeSet<Language>>,
    min_chars: usize,
    min_confidence: f64,
    sample_chars: usize,
    segments: SegmentMode,
    min_segment_chars: usize,
    on_mismatch: OnMismatch,
    /// Answers for paragraphs already detected (`detect` takes `&self`; one stage per
    /// worker thread, so no lock).
    paragraph_answers: RefCell<ParagraphAnswers>,
}

impl std::fmt::Debug for DetectLanguage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DetectLanguage")
            .field("languages", &self.configured.len())
            .field("families", &self.families.len())
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

/// Whether whatlang decides `script` by the script alone (one language writes it).
fn single_language_script(script: whatlang::Script) -> bool {
    use whatlang::Script as S;
    !matches!(
        script,
        S::Latin | S::Cyrillic | S::Arabic | S::Devanagari | S::Hebrew | S::Mandarin
    )
}

/// The byte offset of character `n` (counted from 0) of `text`, `None` when it has `n`
/// characters or fewer: `text.char_indices().nth(n)`, counting the bytes that start a
/// character (all but `0b10xx_xxxx`) 32 at a time, a loop the compiler vectorises.
fn nth_char_start(text: &str, n: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let starts = |chunk: &[u8]| chunk.iter().filter(|&&b| (b as i8) >= -0x40).count();
    let (mut seen, mut at) = (0, 0);
    for chunk in bytes.chunks_exact(32) {
        let k = starts(chunk);
        if seen + k > n {
            break;
        }
        seen += k;
        at += 32;
    }
    for (i, &b) in bytes[at..].iter().enumerate() {
        if (b as i8) >= -0x40 {
            if seen == n {
                return Some(at + i);
            }
            seen += 1;
        }
    }
    None
}

/// The paragraphs of `text` (split at `"\n\n"`, as `str::split` splits) with their byte
/// spans: each span holds the separator after its paragraph, the last one ends the text.
/// Line breaks are found with the standard library's `memchr` (one pass over the text, a
/// word at a time) instead of `str::split`'s two-way search for the two-byte pattern.
fn paragraphs(text: &str) -> Vec<(usize, usize, &str)> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let (mut start, mut from) = (0, 0);
    // `from` follows a `\n`, so it is a character boundary; `str::find` of a `char` runs the
    // standard library's `memchr` (a word at a time).
    while let Some(found) = text[from..].find('\n') {
        let at = from + found;
        if bytes.get(at + 1) == Some(&b'\n') {
            out.push((start, at + 2, &text[start..at]));
            start = at + 2;
            from = at + 2;
        } else {
            from = at + 1;
        }
    }
    out.push((start, text.len(), &text[start..]));
    out
}

/// The first `max_chars` characters of `text`, cut back to the last whitespace when there is
/// one in the second half of the sample.
fn sample(text: &str, max_chars: usize) -> &str {
    // A text has at most as many characters as bytes.
    if text.len() <= max_chars {
        return text;
    }
    let Some(cut) = nth_char_start(text, max_chars) else {
        return text;
    };
    let head = &text[..cut];
    match head.rfind(char::is_whitespace) {
        Some(ws) if ws >= cut / 2 => &head[..ws],
        _ => head,
    }
}

/// Counts letters in `text`, stopping once `enough` are found. Asked of every paragraph;
/// eight ASCII bytes are counted in one test, other characters decoded one at a time
/// (`letters_by_chars` in the tests is the reference).
fn letters_at_least(text: &str, enough: usize) -> usize {
    let bytes = text.as_bytes();
    let (mut found, mut i) = (0, 0);
    while found < enough {
        if let Some(w) = eight_bytes_at(bytes, i).filter(|w| w & HIGH_BITS == 0) {
            found += ascii_letter_lanes(w).count_ones() as usize;
            i += 8;
            continue;
        }
        let Some(&b) = bytes.get(i) else {
            break;
        };
        if b.is_ascii() {
            found += usize::from(b.is_ascii_alphabetic());
            i += 1;
        } else {
            // `i` is at the start of a character: the loop steps over ASCII bytes and
            // whole characters.
            let Some(c) = text[i..].chars().next() else {
                break;
            };
            found += usize::from(is_alphabetic(c));
            i += c.len_utf8();
        }
    }
    found.min(enough)
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// The families of `compiled`: each language gets the union of the [`GROUPS`] holding it;
/// languages with the same union share one family. Returns the families' languages and the
/// index of each language's family.
fn families_of(compiled: &BTreeSet<Language>) -> (Vec<Vec<Language>>, HashMap<Language, usize>) {
    let by_code: HashMap<String, Language> = compiled
        .iter()
        .map(|l| (l.iso_code_639_1().to_string(), *l))
        .collect();
    let mut families: Vec<Vec<Language>> = Vec::new();
    let mut family_of = HashMap::new();
    for lang in compiled {
        let code = lang.iso_code_639_1().to_string();
        let mut members: BTreeSet<Language> = BTreeSet::from([*lang]);
        for group in GROUPS.iter().filter(|g| g.contains(&code.as_str())) {
            members.extend(group.iter().filter_map(|c| by_code.get(*c)));
        }
        let members: Vec<Language> = members.into_iter().collect();
        let index = match families.iter().position(|f| *f == members) {
            Some(i) => i,
            None => {
                families.push(members);
                families.len() - 1
            }
        };
        family_of.insert(*lang, index);
    }
    (families, family_of)
}

impl DetectLanguage {
    /// Builds the stage: checks the config and builds whatlang and lingua (one lingua
    /// detector per family of confusable languages; the models are shared by all).
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
        let scorer = ngram::shared();
        let compiled: BTreeSet<Language> = compiled_languages().into_iter().collect();
        let from_whatlang: HashMap<whatlang::Lang, Language> = whatlang::Lang::all()
            .iter()
            .filter_map(|&w| {
                lingua_of(w)
                    .filter(|l| compiled.contains(l))
                    .map(|l| (w, l))
            })
            .collect();
        let to_whatlang: HashMap<Language, whatlang::Lang> =
            from_whatlang.iter().map(|(w, l)| (*l, *w)).collect();
        let (family_langs, family_of) = families_of(&compiled);
        let families = family_langs
            .iter()
            .map(|langs| {
                let whatlang_langs: Vec<whatlang::Lang> = langs
                    .iter()
                    .filter_map(|l| to_whatlang.get(l).copied())
                    .collect();
                Family {
                    narrowed: whatlang::Detector::with_allowlist(whatlang_langs.clone()),
                    whatlang_langs,
                }
            })
            .collect();
        let codes = compiled
            .iter()
            .map(|l| (*l, l.iso_code_639_1().to_string()))
            .collect();
        Ok(DetectLanguage {
            whatlang: whatlang::Detector::new(),
            scorer,
            stop_words: StopWords::new(compiled.iter().copied()),
            all: scorer.set_of(&compiled),
            trigrams_only: config.accuracy == Accuracy::Low,
            families,
            family_of,
            configured: resolved.languages,
            from_whatlang,
            to_whatlang,
            codes,
            expected: resolved.expected,
            min_chars: config.min_chars,
            min_confidence: config.min_confidence,
            sample_chars: config.sample_chars,
            segments: config.segments,
            min_segment_chars: config.min_segment_chars,
            on_mismatch: config.on_mismatch,
            paragraph_answers: RefCell::default(),
        })
    }

    /// The n-gram scorer's best answer among `candidates`, if any.
    fn best_of(&self, candidates: LangSet, text: &str) -> Option<Decision> {
        self.scorer
            .best(text, candidates, self.trigrams_only)
            .map(|(lang, confidence)| Decision {
                lang,
                confidence,
                detector: Detector::Ngram,
            })
    }

    fn code(&self, lang: Language) -> String {
        self.codes
            .get(&lang)
            .cloned()
            .unwrap_or_else(|| lang.iso_code_639_1().to_string())
    }

    /// Whatlang for `text`: restricted to a family of confusable languages when `text` is
    /// full of the function words of one of them ([`StopWords::leader`]), else over every
    /// language (see [`Self::whatlang_by`]). Whatlang compares a text with each candidate
    /// language's 300 trigrams, so the family (15 or so languages instead of every one of
    /// the script) costs a fraction; its answer can only differ when the text's function words point outside what whatlang
    /// finds, and the confusable languages stay in, so the runner-up that sets whatlang's
    /// confidence is nearly always the same.
    #[cfg(test)]
    fn whatlang_for(&self, text: &str) -> &whatlang::Detector {
        self.whatlang_by(&self.stop_words.evidence(text))
    }

    /// Whatlang for a text with function words `evidence`: restricted to the family of the
    /// language they point to ([`Evidence::leader`]), else over every language.
    fn whatlang_by(&self, evidence: &Evidence) -> &whatlang::Detector {
        evidence
            .leader()
            .and_then(|lang| self.family_of.get(&lang))
            .map_or(&self.whatlang, |&f| &self.families[f].narrowed)
    }

    /// The function words' answer for a text of [`WHATLANG_ALONE_LETTERS`] letters or more,
    /// when they are decisive ([`Evidence::decisive`]: far stricter than the leader that
    /// narrows whatlang) and the language they point to has no close relative they cannot
    /// tell it from ([`FUNCTION_WORDS_BLIND`]). Whatlang would nearly always confirm it: on
    /// the first 20 MB of the bench corpus it decides 91 % of the documents, all as whatlang
    /// did, and on lingua's test sentences joined to 600+ characters (odd half) no answer
    /// changes.
    fn by_function_words(&self, evidence: &Evidence) -> Option<Decision> {
        let (lang, confidence) = evidence.decisive()?;
        if FUNCTION_WORDS_BLIND.contains(&self.code(lang).as_str()) {
            return None;
        }
        Some(Decision {
            lang,
            confidence,
            detector: Detector::FunctionWords,
        })
    }

    /// The language of `text` (already sampled to `sample_chars`), possibly outside the
    /// configured languages (the caller checks). On texts of [`WHATLANG_ALONE_LETTERS`]
    /// letters or more, decisive function words answer alone
    /// ([`Self::by_function_words`]). Otherwise whatlang answers alone for such texts in a
    /// script one language writes, or when it is reliable and its answer is not one it gives to languages it does not know
    /// ([`WHATLANG_ABSORBS`]). Otherwise the n-gram scorer decides among all compiled-in
    /// languages, on at most [`LINGUA_SAMPLE_CHARS`] characters: below
    /// [`WHATLANG_ALONE_LETTERS`] letters whatlang's answer is too weak, and costs as much as
    /// the scorer.
    fn decide(&self, text: &str) -> Option<Decision> {
        self.decide_with(text, || self.stop_words.evidence(text))
    }

    /// [`Self::decide`] with the function words of `text` from `evidence` (asked only for
    /// texts long enough for whatlang), so that a document's sample can take them from the
    /// reading its paragraphs share.
    fn decide_with(&self, text: &str, evidence: impl FnOnce() -> Evidence) -> Option<Decision> {
        // Cut only where the scorer is asked (most texts are decided before).
        let short = || sample(text, LINGUA_SAMPLE_CHARS);
        if letters_at_least(text, WHATLANG_ALONE_LETTERS) < WHATLANG_ALONE_LETTERS {
            return self.best_of(self.all, short());
        }
        let evidence = evidence();
        if let Some(decision) = self.by_function_words(&evidence) {
            return Some(decision);
        }
        let narrowed = self.whatlang_by(&evidence);
        if let Some(decision) = self.whatlang_confirms_leader(narrowed, &evidence, text) {
            return Some(decision);
        }
        let info = narrowed.detect(text);
        let known = info
            .as_ref()
            .and_then(|i| self.from_whatlang.get(&i.lang()).map(|l| (i, *l)));
        let Some((info, lang)) = known else {
            return self.best_of(self.all, short());
        };
        let whatlang = Decision {
            lang,
            confidence: info.confidence(),
            detector: Detector::Whatlang,
        };
        if single_language_script(info.script()) {
            return Some(whatlang);
        }
        if info.confidence() >= WHATLANG_RELIABLE && !self.absorbed_by_whatlang(lang) {
            return Some(whatlang);
        }
        self.best_of(self.all, short()).or(Some(whatlang))
    }

    /// Whether whatlang's answer `lang` is one it also gives to languages it does not know
    /// ([`WHATLANG_ABSORBS`]), so never taken alone.
    fn absorbed_by_whatlang(&self, lang: Language) -> bool {
        WHATLANG_ABSORBS.contains(&self.code(lang).as_str())
    }

    /// Whatlang's answer on the first [`WHATLANG_HEAD_CHARS`] of `text` (longer than that),
    /// when it is the language the function words lead with ([`Evidence::leader`]),
    /// reliable, and one whatlang does not give to languages it does not know: the answer
    /// [`Self::decide_with`] would nearly always reach on the whole sample, at a fraction of
    /// the cost. `None` sends the text the whole way.
    fn whatlang_confirms_leader(
        &self,
        whatlang: &whatlang::Detector,
        evidence: &Evidence,
        text: &str,
    ) -> Option<Decision> {
        let leader = evidence.leader()?;
        let head = sample(text, WHATLANG_HEAD_CHARS);
        if head.len() == text.len() || self.absorbed_by_whatlang(leader) {
            return None;
        }
        let info = whatlang.detect(head)?;
        let lang = *self.from_whatlang.get(&info.lang())?;
        (lang == leader && info.confidence() >= WHATLANG_RELIABLE).then_some(Decision {
            lang,
            confidence: info.confidence(),
            detector: Detector::Whatlang,
        })
    }

    /// The language of one paragraph of a document in `doc` language. Whatlang restricted
    /// to the document language and a few [`PROBES`] is cheap; when it places the paragraph
    /// in the document language, that is the answer. Otherwise the paragraph gets a full
    /// [`Self::decide`], and keeps the document language unless another configured language
    /// reaches `min_confidence`. Answers are remembered ([`ParagraphAnswers`]): the probe
    /// depends on the document language alone.
    fn decide_paragraph(
        &self,
        para: &str,
        doc: &Decision,
        probe: &whatlang::Detector,
        agree: &[whatlang::Lang],
    ) -> Decision {
        let para = sample(para, self.sample_chars);
        let remembered = self.paragraph_answers.borrow().get(doc.lang, para);
        let answer = remembered.unwrap_or_else(|| {
            let agrees = probe
                .detect(para)
                .is_some_and(|info| agree.contains(&info.lang()));
            let answer = if agrees {
                ParagraphAnswer::Agrees
            } else {
                ParagraphAnswer::Decided(self.decide(para))
            };
            self.paragraph_answers
                .borrow_mut()
                .insert(doc.lang, para, answer);
            answer
        });
        let decided = match answer {
            ParagraphAnswer::Agrees => return doc.confirmed(),
            ParagraphAnswer::Decided(decided) => decided,
        };
        match decided {
            Some(d)
                if d.lang == doc.lang
                    || (d.confidence >= self.min_confidence
                        && self.configured.contains(&d.lang)) =>
            {
                d
            }
            _ => *doc,
        }
    }

    /// Segments of `text` (document language `doc`) in byte offsets, over its `paragraphs`
    /// (with their byte spans, see [`paragraphs`]) when `per_paragraph`, their function
    /// words from `words`.
    fn segment(
        &self,
        text: &str,
        doc: &Decision,
        paragraphs: Vec<(usize, usize, &str)>,
        per_paragraph: bool,
        words: &mut TextWords,
    ) -> Vec<(usize, usize, Decision)> {
        let mut out: Vec<(usize, usize, Decision)> = Vec::new();
        if !per_paragraph || paragraphs.len() < 2 {
            out.push((0, text.len(), *doc));
            return out;
        }
        // Whatlang answers that mean "the document language": its own name for it, or the
        // whatlang languages of its family when whatlang does not know it (Bosnian).
        let agree: Vec<whatlang::Lang> = match self.to_whatlang.get(&doc.lang) {
            Some(w) => vec![*w],
            None => self
                .family_of
                .get(&doc.lang)
                .map(|&f| self.families[f].whatlang_langs.clone())
                .unwrap_or_default(),
        };
        let mut allow = agree.clone();
        allow.extend(PROBES.iter().filter(|p| !agree.contains(p)));
        let probe = whatlang::Detector::with_allowlist(allow);
        let mut common = CommonWords::default();
        for (start, end, para) in paragraphs {
            let decision =
                // Short paragraphs inherit the document language, and so do paragraphs
                // full of its function words or of the document's common words.
                if letters_at_least(para, self.min_segment_chars) < self.min_segment_chars
                    || (self.stop_words.lists(doc.lang)
                        && words.leads(&self.stop_words, start, end, doc.lang))
                    || common.agrees(para)
                {
                    *doc
                } else {
                    // Function words that clearly favour the document language over every
                    // other listed language answer as the probe nearly always would (where
                    // not, rightly so on the bench corpus), for a fraction of its cost; the
                    // paragraph then counts as confirmed, as with the probe's agreement.
                    let d = if words.prevails(&self.stop_words, start, end, doc.lang) {
                        doc.confirmed()
                    } else {
                        self.decide_paragraph(para, doc, &probe, &agree)
                    };
                    if d.lang == doc.lang {
                        common.confirm(para);
                    }
                    d
                };
            match out.last_mut() {
                Some((s, e, prev)) if prev.lang == decision.lang => {
                    let (a, b) = ((*e - *s) as f64, (end - start) as f64);
                    prev.confidence = (prev.confidence * a + decision.confidence * b) / (a + b);
                    *e = end;
                }
                _ => out.push((start, end, decision)),
            }
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
        // Paragraphs with their byte spans; separators belong to the span before them. The
        // sample and the paragraphs read their function words from one reading of the text.
        let paragraphs = match self.segments {
            SegmentMode::Off => Vec::new(),
            SegmentMode::Uncertain | SegmentMode::Always => paragraphs(text),
        };
        let mut words = TextWords::new(text, paragraphs.iter().map(|&(_, end, _)| end));
        let sampled = sample(text, self.sample_chars);
        let evidence = || words.evidence(&self.stop_words, 0, sampled.len());
        let Some(doc) = self.decide_with(sampled, evidence) else {
            return undetermined(WHY_UNDETERMINED, None);
        };
        if !self.configured.contains(&doc.lang) {
            let guess = Guess {
                code: self.code(doc.lang),
                confidence: round3(doc.confidence),
                detector: doc.detector,
            };
            return undetermined(WHY_OTHER_LANGUAGE, Some(guess));
        }
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
            // A function-word decision is at least as certain as whatlang's: it needs the
            // same 200 letters, and a far stricter test than the one that lets a paragraph
            // skip detection (and whatlang narrow its candidates); on lingua's joined test
            // sentences it changed no answer, and the bench corpus' documents it decides
            // are the ones whatlang decided alone, with the same language.
            SegmentMode::Uncertain => {
                !matches!(doc.detector, Detector::Whatlang | Detector::FunctionWords)
            }
            SegmentMode::Always => true,
        };
        let spans = self.segment(text, &doc, paragraphs, per_paragraph, &mut words);
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
        if let (Some(guess), Some(WHY_OTHER_LANGUAGE)) = (&ann.best_guess, ann.reason.as_deref()) {
            return Some((
                REASON_UNEXPECTED,
                format!(
                    "the text looks like `{}` (confidence {:.3}, by {}), which is not among \
                     `languages`; add `{}` to `languages` {KEEP}",
                    guess.code,
                    guess.confidence,
                    guess.detector.name(),
                    guess.code
                ),
            ));
        }
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
    /// The name written to the annotation (`whatlang`, `ngram`, `function_words`; `lingua`
    /// is no longer produced).
    pub fn name(self) -> &'static str {
        match self {
            Detector::Whatlang => "whatlang",
            Detector::Lingua => "lingua",
            Detector::Ngram => "ngram",
            Detector::FunctionWords => "function_words",
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

    #[test]
    fn whatlang_narrowed_by_function_words_answers_as_over_every_language() {
        let s = stage("");
        let text = "Die Bundesregierung will die Förderung für Wärmepumpen im kommenden Jahr \
                    deutlich kürzen. Das geht aus einem Entwurf des Wirtschaftsministeriums \
                    hervor, der am Dienstag bekannt wurde. Verbände kritisierten die Pläne, \
                    weil sie die Wärmewende in den Städten und auf dem Land bremsen würden.";
        let narrowed = s.whatlang_for(text);
        assert!(
            !std::ptr::eq(narrowed, &s.whatlang),
            "the family detector is used"
        );
        let (a, b) = (
            narrowed.detect(text).expect("narrowed answers"),
            s.whatlang.detect(text).expect("whatlang answers"),
        );
        assert_eq!((a.lang(), a.confidence()), (b.lang(), b.confidence()));
        let names = "Berlin München Hamburg Köln Frankfurt Stuttgart Düsseldorf Leipzig";
        assert!(std::ptr::eq(s.whatlang_for(names), &s.whatlang));
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
    fn paragraphs_whose_function_words_prevail_skip_the_probe() {
        // Whatlang's probe calls the first Dutch (a name and a date); its function words
        // are German's alone. The Dutch and French paragraphs still get their languages.
        let names = "Valérien Ismaël für Bayern. Beim Achtelfinal-Hinspiel am 21.";
        let nl = "De regering heeft maandag gezegd dat zij de plannen voor het nieuwe \
                  vliegveld niet zal wijzigen, ondanks de protesten van de bewoners.";
        let text = format!("{DE}\n\n{names}\n\n{nl}\n\n{DE}\n\n{FR}");
        let s = stage("segments = \"always\"");
        let ann = s.detect(&text);
        let codes: Vec<&str> = ann.segments.iter().map(|s| s.code.as_str()).collect();
        assert_eq!(codes, ["de", "nl", "de", "fr"], "{ann:?}");
        let answers = s.paragraph_answers.borrow();
        assert_eq!(
            answers.get(Language::German, names),
            None,
            "probe not asked"
        );
        assert!(answers.get(Language::German, nl).is_some(), "probe asked");
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
    fn paragraph_answers_are_remembered_by_document_language() {
        let s = stage("");
        let text = format!("{DE}\n\n{EN}\n\n{DE}");
        let first = s.detect(&text);
        let codes = |ann: &LangAnnotation| -> Vec<String> {
            ann.segments.iter().map(|s| s.code.clone()).collect()
        };
        assert_eq!(codes(&first), ["de", "en", "de"], "{first:?}");
        let en = sample(EN, s.sample_chars);
        let remembered = s.paragraph_answers.borrow().get(Language::German, en);
        assert!(
            matches!(remembered, Some(ParagraphAnswer::Decided(Some(d))) if d.lang == Language::English),
            "{remembered:?}"
        );
        // Answered from memory: the same annotation as the first time.
        assert_eq!(s.detect(&text), first);
        // The memory is what the second detection read: an answer planted under the
        // document language is taken, one under another language is not.
        let plant = |lang| {
            s.paragraph_answers
                .borrow_mut()
                .insert(lang, en, ParagraphAnswer::Agrees)
        };
        plant(Language::French);
        assert_eq!(s.detect(&text), first);
        plant(Language::German);
        assert_eq!(codes(&s.detect(&text)), ["de"]);
    }

    #[test]
    fn paragraph_answers_stay_within_their_bytes() {
        let mut answers = ParagraphAnswers::default();
        let para = "Alle Rechte vorbehalten. ".repeat(40);
        for i in 0..1000 {
            let para = format!("{i} {para}");
            answers.insert(Language::German, &para, ParagraphAnswer::Agrees);
            let held: usize = answers
                .by_lang
                .values()
                .flat_map(|m| m.keys())
                .map(|k| k.len())
                .sum();
            assert_eq!(held, answers.bytes);
            assert!(
                answers.bytes <= REMEMBERED_PARAGRAPH_BYTES,
                "{}",
                answers.bytes
            );
            assert_eq!(
                answers.get(Language::German, &para),
                Some(ParagraphAnswer::Agrees)
            );
        }
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
        // Fewer than WHATLANG_ALONE_LETTERS letters: the n-gram scorer decides.
        assert_eq!(v["detector"], "ngram");
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
    fn text_outside_the_configured_languages_is_not_a_confident_wrong_answer() {
        // French among de/en: never reported as German or English.
        let s = stage(r#"languages = ["de", "en"]"#);
        let ann = s.detect(FR);
        assert_eq!(ann.code, None, "{ann:?}");
        assert_eq!(ann.reason.as_deref(), Some(WHY_OTHER_LANGUAGE));
        assert!(ann.segments.is_empty());
        let guess = ann.best_guess.as_ref().unwrap();
        assert_eq!(guess.code, "fr", "{ann:?}");
        // The configured languages themselves are still found.
        assert_eq!(s.detect(DE).code.as_deref(), Some("de"));
        assert_eq!(s.detect(EN).code.as_deref(), Some("en"));
        // Reject mode names the language and the setting.
        let mut s = stage(
            r#"
            languages = ["de", "en"]
            on_mismatch = "reject"
            "#,
        );
        let (reason, detail) = reject(&mut s, FR).unwrap();
        assert_eq!(reason, REASON_UNEXPECTED);
        assert!(
            detail.contains("`fr`") && detail.contains("not among `languages`"),
            "{detail}"
        );
        // A French paragraph inside a German document of a de/en config stays German.
        let text = format!("{DE}\n\n{FR}\n\n{DE}");
        let ann = stage(r#"languages = ["de", "en"]"#).detect(&text);
        assert_eq!(ann.code.as_deref(), Some("de"));
        assert!(ann.segments.iter().all(|s| s.code == "de"), "{ann:?}");
    }

    #[test]
    fn common_words_do_not_swallow_other_language_paragraphs() {
        // Enough German paragraphs to build the common words, then English ones that share
        // none of them; and a German paragraph recognised by its words alone.
        let de2 = "Die Opposition kritisierte den Plan und forderte, dass die Regierung die \
            Kosten für die Länder offenlegt, bevor der Bundestag in der kommenden Woche darüber \
            abstimmt.";
        let text = format!("{DE}\n\n{de2}\n\n{DE}\n\n{de2}\n\n{EN}\n\n{de2}\n\n{EN}");
        let ann = stage("").detect(&text);
        let codes: Vec<&str> = ann.segments.iter().map(|s| s.code.as_str()).collect();
        assert_eq!(codes, ["de", "en", "de", "en"], "{ann:?}");
        let en = &ann.segments[3];
        assert_eq!(chars(&text, en.start, en.end), EN);
        assert_eq!(en.end, text.chars().count());

        let mut common = CommonWords::default();
        assert!(
            !common.agrees(de2),
            "no shortcut before paragraphs are confirmed"
        );
        for _ in 0..CONFIRMED_BEFORE_SHORTCUT {
            common.confirm(DE);
            common.confirm(de2);
        }
        assert!(common.agrees(de2));
        assert!(!common.agrees(EN));
        assert!(!common.agrees(FR));
    }

    #[test]
    fn groups_name_lingua_languages_and_every_language_has_a_family() {
        for group in GROUPS {
            for code in *group {
                assert!(
                    crate::config::tests_support::is_lingua_code(code),
                    "{code} in GROUPS"
                );
            }
        }
        for code in WHATLANG_ABSORBS {
            assert!(crate::config::tests_support::is_lingua_code(code), "{code}");
        }
        let compiled: BTreeSet<Language> = compiled_languages().into_iter().collect();
        let (families, family_of) = families_of(&compiled);
        assert_eq!(family_of.len(), compiled.len());
        for (lang, &i) in &family_of {
            assert!(families[i].contains(lang));
        }
        let de = &families[family_of[&Language::German]];
        assert!(de.contains(&Language::English) && de.contains(&Language::Dutch));
        assert!(!de.contains(&Language::Japanese));
    }

    /// Paragraphs of news long enough for whatlang ([`WHATLANG_ALONE_LETTERS`] letters).
    const DE_LONG: &str = "Die Bundesregierung will die Förderung für Wärmepumpen im kommenden \
        Jahr deutlich kürzen. Das geht aus einem Entwurf des Wirtschaftsministeriums hervor, der \
        am Dienstag bekannt wurde. Verbände kritisierten die Pläne, weil sie die Wärmewende in \
        den Städten und auf dem Land bremsen würden. Nach Angaben des Ministeriums sollen die \
        Mittel aber schon im Herbst wieder steigen, wenn der Haushalt beschlossen ist.";
    const EN_LONG: &str = "The government said on Tuesday that it would cut the subsidy for heat \
        pumps next year, according to a draft that was seen by several newspapers. Industry \
        groups said the plan would slow down the switch to clean heating in the cities, and \
        they asked the minister to explain how the country could still meet its targets if \
        there was less money for the households that need it most.";
    const FR_LONG: &str = "Le gouvernement veut réduire dès l'an prochain ses aides aux pompes \
        à chaleur, selon un projet qui a été publié mardi. Les associations estiment que ce \
        plan est une erreur, car il pourrait freiner une transition dont nous avons besoin \
        dans nos villes comme dans nos campagnes. Le ministre leur a répondu que ces aides \
        seraient à nouveau plus élevées cet automne, si son budget est adopté avant l'été, \
        mais il n'a donné aucun chiffre.";

    #[test]
    fn news_paragraphs_are_decided_by_their_function_words() {
        let s = stage("");
        for (text, code) in [(DE_LONG, "de"), (EN_LONG, "en"), (FR_LONG, "fr")] {
            assert!(letters_at_least(text, WHATLANG_ALONE_LETTERS) >= WHATLANG_ALONE_LETTERS);
            let d = s.decide(text).expect("decided");
            assert_eq!(d.detector, Detector::FunctionWords, "{code}: {d:?}");
            assert_eq!(s.code(d.lang), code);
            let ann = s.detect(text);
            assert_eq!(ann.code.as_deref(), Some(code));
            assert_eq!(ann.detector, Some(Detector::FunctionWords));
            // Whatlang agrees where it is asked.
            let info = s.whatlang.detect(text).expect("whatlang answers");
            assert_eq!(s.from_whatlang.get(&info.lang()), Some(&d.lang));
        }
    }

    #[test]
    fn function_word_confidence_is_in_range_and_keeps_clear_german() {
        let s = stage("");
        let min_confidence = LangIdConfig::default().min_confidence;
        for text in [DE_LONG, EN_LONG, FR_LONG, DE, EN, "kurz", ""] {
            let c = s.stop_words.evidence(text).confidence();
            assert!((0.0..=1.0).contains(&c), "{c} for {text:?}");
        }
        let d = s.decide(DE_LONG).expect("decided");
        assert_eq!(d.detector, Detector::FunctionWords);
        assert!(d.confidence >= min_confidence, "{d:?}");
        // At least the confidence DECISIVE asks for.
        assert!(d.confidence >= crate::stopwords::DECISIVE.apart, "{d:?}");
    }

    #[test]
    fn close_relatives_are_not_decided_by_function_words() {
        let s = stage("");
        // Croatian's function words are Bosnian's and Serbian's, which have no list.
        let hr = "Vlada je u utorak predstavila prijedlog zakona o mirovinskoj reformi, koji \
            je već izazvao oštre kritike sindikata i oporbe. Prema riječima ministra rada, \
            tekst bi trebao biti u saboru prije kraja mjeseca, ali socijalni partneri traže \
            više vremena kako bi mogli raspraviti sve pojedinosti i predložiti izmjene.";
        let bs = "Vijeće ministara je u utorak usvojilo prijedlog budžeta za narednu godinu, \
            koji je već izazvao kritike opozicije i sindikata. Prema riječima ministra \
            finansija, dokument bi trebao biti pred parlamentom prije kraja mjeseca, ali \
            mnogi zastupnici traže više vremena kako bi mogli razmotriti sve pojedinosti.";
        for text in [hr, bs] {
            assert!(letters_at_least(text, WHATLANG_ALONE_LETTERS) >= WHATLANG_ALONE_LETTERS);
            let evidence = s.stop_words.evidence(text);
            assert_eq!(s.by_function_words(&evidence), None, "{evidence:?}");
            let d = s.decide(text).expect("decided");
            assert_ne!(d.detector, Detector::FunctionWords, "{d:?}");
        }
        // Norwegian (no list) reads as Danish by its function words; Danish never decides.
        let nb = "Regjeringen la onsdag fram et forslag om å endre pensjonssystemet, og det \
            har allerede møtt sterk kritikk fra fagforeningene og opposisjonen. Ifølge \
            arbeidsministeren skal forslaget behandles i Stortinget før utgangen av måneden, \
            men partene i arbeidslivet ber om mer tid til å diskutere detaljene i det.";
        assert_ne!(
            s.decide(nb).map(|d| d.detector),
            Some(Detector::FunctionWords)
        );
    }

    #[test]
    fn a_language_without_a_list_goes_to_whatlang() {
        let s = stage("");
        // Welsh has no function-word list; English's must not claim it.
        let cy = "Mae'r llywodraeth wedi cyhoeddi cynllun newydd i wella'r gwasanaeth iechyd \
            yng Nghymru, ond mae'r gwrthbleidiau yn dweud nad oes digon o arian ar gael i \
            dalu am y newidiadau. Yn ôl y gweinidog, bydd y cynllun yn cael ei drafod yn y \
            Senedd cyn diwedd y mis, ac mae disgwyl i'r byrddau iechyd ymateb yn fuan.";
        assert!(letters_at_least(cy, WHATLANG_ALONE_LETTERS) >= WHATLANG_ALONE_LETTERS);
        assert_eq!(s.stop_words.evidence(cy).decisive(), None);
        let d = s.decide(cy).expect("decided");
        assert!(
            matches!(d.detector, Detector::Whatlang | Detector::Ngram),
            "{d:?}"
        );
        assert_eq!(s.code(d.lang), "cy", "{d:?}");
    }

    #[test]
    fn whatlang_reads_a_head_only_to_confirm_the_leader() {
        let s = stage("");
        // German function words lead but do not decide (too few different ones), over
        // more than a head's length.
        let sentence = "Die Bahn wird auch nicht pünktlich sein und die Stadt wird sich auch \
            nicht wehren, und die Kunden werden sich nicht freuen. ";
        let text = sentence.repeat(8);
        let text = sample(&text, s.sample_chars);
        assert!(text.chars().count() > WHATLANG_HEAD_CHARS);
        let evidence = s.stop_words.evidence(text);
        assert_eq!(evidence.leader(), Some(Language::German), "{evidence:?}");
        assert_eq!(evidence.decisive(), None, "{evidence:?}");
        let narrowed = s.whatlang_by(&evidence);
        let head = s
            .whatlang_confirms_leader(narrowed, &evidence, text)
            .expect("the head confirms German");
        assert_eq!(
            (head.lang, head.detector),
            (Language::German, Detector::Whatlang)
        );
        // The whole sample gives the same language, and so does the decision.
        let whole = narrowed.detect(text).expect("whatlang answers");
        assert_eq!(s.from_whatlang[&whole.lang()], Language::German);
        assert_eq!(s.decide(text), Some(head));
        // A text no longer than the head goes the whole way at once.
        let short = sample(text, WHATLANG_HEAD_CHARS - 100);
        assert_eq!(s.whatlang_confirms_leader(narrowed, &evidence, short), None);
        // A head in another language than the leader is no answer.
        let french = format!("{FR} {FR} {FR} {FR}");
        assert_eq!(
            s.whatlang_confirms_leader(&s.whatlang, &evidence, &french),
            None
        );
        // Nor is a leader whatlang gives to languages it does not know (English).
        let english = format!("{EN} {EN} {EN} {EN}");
        let evidence = s.stop_words.evidence(&english);
        assert_eq!(evidence.leader(), Some(Language::English), "{evidence:?}");
        assert_eq!(
            s.whatlang_confirms_leader(&s.whatlang, &evidence, &english),
            None
        );
    }

    #[test]
    fn few_distinct_function_words_do_not_decide() {
        use crate::stopwords::{Thresholds, DECISIVE};
        let s = stage("");
        // Eight different German function words, over 70 % of the words, four times as
        // many as any other language's: everything the decisive test asks but the variety.
        let text = "Die Bahn wird auch nicht pünktlich sein und die Stadt wird sich auch nicht \
            wehren, und die Kunden werden sich nicht freuen. Die Region wird auch nicht helfen \
            und die Pendler wird sich nicht ärgern, und die Politik wird auch nicht handeln \
            und die Bürger wird sich nicht beschweren und die Zeitung wird auch nicht berichten.";
        assert!(letters_at_least(text, WHATLANG_ALONE_LETTERS) >= WHATLANG_ALONE_LETTERS);
        let evidence = s.stop_words.evidence(text);
        assert_eq!(evidence.leader(), Some(Language::German), "{evidence:?}");
        let but_variety = Thresholds {
            distinct: 1,
            ..DECISIVE
        };
        assert!(evidence.passes(&but_variety), "{evidence:?}");
        assert!(evidence.distinct < DECISIVE.distinct, "{evidence:?}");
        assert_eq!(evidence.decisive(), None);
        assert_ne!(
            s.decide(text).map(|d| d.detector),
            Some(Detector::FunctionWords)
        );
    }

    #[test]
    fn uncertain_segments_trust_function_words_like_whatlang() {
        // The sample (the first `sample_chars`) is German; the English paragraph after it
        // is only found when paragraphs are looked at.
        let text = format!("{DE_LONG}\n\n{DE_LONG}\n\n{DE_LONG}\n\n{EN_LONG}");
        let ann = stage(r#"segments = "uncertain""#).detect(&text);
        assert_eq!(ann.detector, Some(Detector::FunctionWords), "{ann:?}");
        assert_eq!(ann.segments.len(), 1, "{ann:?}");
        let ann = stage("").detect(&text);
        let codes: Vec<&str> = ann.segments.iter().map(|s| s.code.as_str()).collect();
        assert_eq!(codes, ["de", "en"], "{ann:?}");
    }

    /// Lingua's test sentences of one half (`LANGID_HALF`, default `even`: the tuning half)
    /// joined per language to 250, 600 and 1000 characters and sampled as [`DetectLanguage::detect`]
    /// samples them, those with [`WHATLANG_ALONE_LETTERS`] letters or more, with their
    /// language and function-word evidence.
    fn joined_test_texts(s: &DetectLanguage) -> Vec<(String, Evidence, String)> {
        use std::io::BufRead;
        let half = std::env::var("LANGID_HALF").unwrap_or_else(|_| "even".to_owned());
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/data/lingua-langid/testdata.jsonl.gz"
        );
        let file = std::fs::File::open(path).expect("test data opens");
        let lines = std::io::BufReader::new(flate2::read::GzDecoder::new(file)).lines();
        let mut sentences: std::collections::BTreeMap<String, Vec<String>> = Default::default();
        for (i, line) in lines.enumerate() {
            if (i % 2 == 0) != (half == "even") {
                continue;
            }
            let rec: serde_json::Value = serde_json::from_str(&line.unwrap()).unwrap();
            if rec["kind"] == "sentences" {
                let lang = rec["lang"].as_str().unwrap().to_owned();
                let text = rec["text"].as_str().unwrap().to_owned();
                sentences.entry(lang).or_default().push(text);
            }
        }
        let mut texts = Vec::new();
        for len in [250, 600, 1000] {
            for (lang, list) in &sentences {
                let mut joined = String::new();
                for sentence in list {
                    if !joined.is_empty() {
                        joined.push(' ');
                    }
                    joined.push_str(sentence);
                    if joined.chars().count() >= len {
                        let text = sample(&joined, 1000);
                        if letters_at_least(text, WHATLANG_ALONE_LETTERS) >= WHATLANG_ALONE_LETTERS
                        {
                            texts.push((
                                lang.clone(),
                                s.stop_words.evidence(text),
                                text.to_owned(),
                            ));
                        }
                        joined.clear();
                    }
                }
            }
        }
        texts
    }

    /// How [`crate::stopwords::DECISIVE`] and [`FUNCTION_WORDS_BLIND`] were chosen: for a
    /// grid of thresholds, how many joined test texts (see [`joined_test_texts`]) the
    /// function words decide and which of those answers are wrong (true -> answer), the
    /// leaders in [`FUNCTION_WORDS_BLIND`] counted apart; then, for the chosen thresholds,
    /// the texts decided per language and each wrong answer with what the detectors say.
    /// The chosen thresholds must make no wrong answer on the even half. `LANGID_HALF=odd cargo test --release -p pipeline-langid -- --ignored
    /// decisive_thresholds --nocapture` reports on the other half.
    #[test]
    #[ignore]
    fn decisive_thresholds() {
        use crate::stopwords::{Thresholds, DECISIVE};
        let s = stage("");
        let texts = joined_test_texts(&s);
        let code = |l: Language| l.iso_code_639_1().to_string();
        let mut chosen_wrong = usize::MAX;
        let mut grid = vec![DECISIVE];
        for share in [0.35, 0.4] {
            for margin in [1.5, 2.0, 2.5, 3.0] {
                for distinct in [8, 10] {
                    for apart in [0.0, 0.85, 0.9, 0.93, 0.95] {
                        grid.push(Thresholds {
                            words: 30,
                            share,
                            margin,
                            distinct,
                            apart,
                        });
                    }
                }
            }
        }
        for t in grid {
            let (mut decided, mut blind) = (0, 0);
            let mut wrong: std::collections::BTreeMap<String, usize> = Default::default();
            let mut blind_wrong: std::collections::BTreeMap<String, usize> = Default::default();
            let mut right: std::collections::BTreeMap<String, usize> = Default::default();
            for (lang, e, _) in &texts {
                let Some(lead) = e.lead.filter(|_| e.passes(&t)) else {
                    continue;
                };
                let lead = code(lead);
                let (count, wrong) = if FUNCTION_WORDS_BLIND.contains(&lead.as_str()) {
                    (&mut blind, &mut blind_wrong)
                } else {
                    (&mut decided, &mut wrong)
                };
                *count += 1;
                if lead != *lang {
                    *wrong.entry(format!("{lang}->{lead}")).or_default() += 1;
                } else {
                    *right.entry(lead).or_default() += 1;
                }
            }
            let some: Vec<String> = ["de", "en", "fr", "es", "it", "nl", "pt", "pl"]
                .iter()
                .map(|l| format!("{l} {}", right.get(*l).unwrap_or(&0)))
                .collect();
            let n_wrong: usize = wrong.values().sum();
            if t == DECISIVE {
                chosen_wrong = n_wrong;
            }
            println!(
                "{t:?}{}: {decided} of {} decided ({}), {n_wrong} wrong {wrong:?}; blind \
                 leaders would decide {blind}, wrong {blind_wrong:?}",
                if t == DECISIVE { " (chosen)" } else { "" },
                texts.len(),
                some.join(", "),
            );
        }
        // The chosen thresholds per language, and the answers of the blind leaders.
        let mut per_lang: std::collections::BTreeMap<&str, (usize, usize)> = Default::default();
        let mut blind: std::collections::BTreeMap<String, usize> = Default::default();
        for (lang, e, text) in &texts {
            let row = per_lang.entry(lang).or_default();
            row.1 += 1;
            if let Some(lead) = e.lead.filter(|_| e.passes(&DECISIVE)) {
                if FUNCTION_WORDS_BLIND.contains(&code(lead).as_str()) {
                    *blind.entry(format!("{lang}->{}", code(lead))).or_default() += 1;
                } else {
                    row.0 += 1;
                    if code(lead) != *lang {
                        // What the detectors say without the function words.
                        let short = sample(text, LINGUA_SAMPLE_CHARS);
                        let ngram = s.best_of(s.all, short).map(|d| s.code(d.lang));
                        let what = s.whatlang_by(e).detect(text).map(|i| i.lang());
                        println!("wrong: {lang} as {} (n-gram {ngram:?}, whatlang {what:?}, {e:?}): {text}", code(lead));
                    }
                }
            }
        }
        let rows: Vec<String> = per_lang
            .iter()
            .filter(|(_, (d, _))| *d > 0)
            .map(|(l, (d, n))| format!("{l} {d}/{n}"))
            .collect();
        println!("decided per language: {}", rows.join(", "));
        println!("left to whatlang (blind leaders): {blind:?}");
        // Tuned on the even half: no wrong answer there. The odd half is the report (one
        // wrong answer of 1,977: a "Catalan" text that is mostly an English sentence).
        if std::env::var("LANGID_HALF").map_or(true, |h| h == "even") {
            assert_eq!(chosen_wrong, 0, "the chosen thresholds answer wrongly");
        }
    }

    #[test]
    fn word_hashes_skip_capitalised_words() {
        let words: Vec<Option<u64>> = word_hashes("der Bund und die Länder, 2025!").collect();
        assert_eq!(words.len(), 5);
        assert!(words[1].is_none() && words[4].is_none());
        assert_eq!(words[0], word_hashes("der").next().unwrap());
        assert_ne!(words[0], words[2]);
        assert_eq!(common_share("", &HashSet::new()), 0.0);
    }

    #[test]
    fn low_accuracy_mode_builds_and_detects() {
        let ann = stage(r#"accuracy = "low""#).detect(&format!("{DE}\n\n{EN}"));
        assert_eq!(ann.code.as_deref(), Some("de"));
        assert_eq!(ann.segments.len(), 2, "{ann:?}");
    }

    /// The paragraphs as `segment` found them before [`paragraphs`]: `str::split`.
    fn paragraphs_by_split(text: &str) -> Vec<(usize, usize, &str)> {
        let mut out = Vec::new();
        let mut start = 0;
        let mut pieces = text.split("\n\n").peekable();
        while let Some(para) = pieces.next() {
            let end = if pieces.peek().is_some() {
                start + para.len() + 2
            } else {
                text.len()
            };
            out.push((start, end, para));
            start = end;
        }
        out
    }

    #[test]
    fn paragraphs_split_like_str_split() {
        for text in [
            "",
            "\n",
            "\n\n",
            "\n\n\n",
            "\n\n\n\n\n",
            "a\nb",
            "a\n\nb",
            "a\n\n\nb\n",
            "Grüße\n\n\n\nKöln\n \n\nx\n\n",
            "\n\nä\n\n",
        ] {
            assert_eq!(paragraphs(text), paragraphs_by_split(text), "{text:?}");
        }
        let long = format!("{DE}\n\n{EN}\n\n\n{FR}\n{DE}\n\n");
        assert_eq!(paragraphs(&long), paragraphs_by_split(&long));
        assert_eq!(paragraphs(&long).len(), 4);
    }

    #[test]
    fn nth_char_start_is_char_indices_nth() {
        let mixed = "Grüße aus Köln – ein Text mit Umlauten, Ελληνικά, 中文 und \u{1F600}. ";
        let texts = [
            String::new(),
            "abc".to_owned(),
            mixed.repeat(7),
            "ä".repeat(100),
            "\u{1F600}".repeat(40),
            "x".repeat(70),
        ];
        for text in &texts {
            let n_chars = text.chars().count();
            for n in 0..n_chars + 3 {
                assert_eq!(
                    nth_char_start(text, n),
                    text.char_indices().nth(n).map(|(i, _)| i),
                    "{n} in {text:?}"
                );
            }
        }
    }

    fn letters_by_chars(text: &str, enough: usize) -> usize {
        text.chars()
            .filter(|c| c.is_alphabetic())
            .take(enough)
            .count()
    }

    #[test]
    fn letters_at_least_counts_like_chars() {
        let texts = [
            String::new(),
            "   \n\n\t".to_owned(),
            "Grüße aus Köln, STRASSE und straße: ÄÖÜ äöü ẞ!".to_owned(),
            "🎉 emoji 🎉🎉 und Zahlen 1234 — ½ ² Ⅻ ǅ".to_owned(),
            "Привет мир, Γειά σου κόσμε, 你好世界, مرحبا".to_owned(),
            "MiXeD CaSe, punctuation!?;:()[]{}@#$%^&*_+=|\\/<>~`'\"".to_owned(),
            "long ascii text ".repeat(300),
            DE_LONG.to_owned(),
        ];
        for text in &texts {
            for enough in [0, 1, 5, 20, 40, 200, 10_000] {
                assert_eq!(
                    letters_at_least(text, enough),
                    letters_by_chars(text, enough),
                    "{text:?} {enough}"
                );
            }
            for end in (0..=text.len()).filter(|&e| text.is_char_boundary(e)) {
                let part = &text[..end];
                assert_eq!(letters_at_least(part, 40), letters_by_chars(part, 40));
            }
        }
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
