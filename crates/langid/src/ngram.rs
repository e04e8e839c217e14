//! The `ngram` scorer: lingua's n-gram models and decision rules, scored with two tables for
//! all languages.
//!
//! Lingua (high accuracy) scores a text by looking up each of its distinct n-grams (1 to 5
//! characters; trigrams only from 120 characters on) in every candidate language's model,
//! backing off to shorter prefixes where a model lacks the n-gram, so each n-gram costs one
//! lookup per language. This module reads the same models (`ngrams.fst` of lingua's model
//! crates) as tables that map an n-gram to the (language, log-probability) pairs of every
//! language knowing it: one lookup per n-gram and prefix, whatever the number of
//! candidates. The decision rules around the model (letters a single language writes,
//! characters that narrow the candidates) follow lingua 1.8, so the answers and confidences
//! are lingua's, up to the rounding of the stored log-probabilities (steps of 1.5e-8) and a
//! softmax that does not underflow on long texts.
//!
//! One table holds the uni-, bi- and trigrams of every compiled-in language (1.3 million
//! entries for all 75, 9.5 MB, see `table.rs`), two the four- and five-grams (19.8 million
//! entries: 92 MB for the 49 languages written in Latin letters, 43 MB for the other 26),
//! looked up for short texts only (lingua uses them below 120 letters), and only the
//! one(s) of the text's candidate languages. The build script builds them of the models of
//! this crate's language features and they are compiled in. The short table is read in
//! memory, all of a text's buckets first (so that the cache misses overlap), then once more
//! to sum them up; the long ones, which few texts read, with one `pread` per lookup from the
//! executable (see `table::Grouped`), so that they never become resident.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::OnceLock;

use lingua::Language;
use regex::Regex;

use crate::table::{self, finish, fnv, Grouped, Table, FNV_OFFSET, SCALE};

/// The uni- to trigram table built from the compiled-in models by the build script.
/// (Returned by functions never inlined, not held in statics, so that the bytes are in the
/// object code only, not in the crate's metadata as well.)
#[inline(never)]
fn compiled_table() -> &'static [u8] {
    include_bytes!(concat!(env!("OUT_DIR"), "/ngram-table.bin"))
}

/// The four- and five-gram table of the languages written in Latin letters, built from the
/// compiled-in models by the build script.
#[inline(never)]
fn compiled_long_latin_table() -> &'static [u8] {
    include_bytes!(concat!(env!("OUT_DIR"), "/ngram-table-45-latin.bin"))
}

/// The four- and five-gram table of the other languages, built by the build script.
#[inline(never)]
fn compiled_long_other_table() -> &'static [u8] {
    include_bytes!(concat!(env!("OUT_DIR"), "/ngram-table-45-other.bin"))
}

/// A set of languages, as bits over [`Scorer::languages`] (at most 128 languages).
pub(crate) type LangSet = u128;

/// Texts with at least this many letters are scored on trigrams alone (lingua's rule).
const TRIGRAMS_ONLY_FROM: usize = 120;

/// The scripts lingua tells apart (its `Alphabet`), in lingua's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Alphabet {
    Arabic,
    Armenian,
    Bengali,
    Cyrillic,
    Devanagari,
    Georgian,
    Greek,
    Gujarati,
    Gurmukhi,
    Han,
    Hangul,
    Hebrew,
    Hiragana,
    Katakana,
    Latin,
    Tamil,
    Telugu,
    Thai,
}

const ALPHABETS: [(Alphabet, &str); 18] = [
    (Alphabet::Arabic, "Arabic"),
    (Alphabet::Armenian, "Armenian"),
    (Alphabet::Bengali, "Bengali"),
    (Alphabet::Cyrillic, "Cyrillic"),
    (Alphabet::Devanagari, "Devanagari"),
    (Alphabet::Georgian, "Georgian"),
    (Alphabet::Greek, "Greek"),
    (Alphabet::Gujarati, "Gujarati"),
    (Alphabet::Gurmukhi, "Gurmukhi"),
    (Alphabet::Han, "Han"),
    (Alphabet::Hangul, "Hangul"),
    (Alphabet::Hebrew, "Hebrew"),
    (Alphabet::Hiragana, "Hiragana"),
    (Alphabet::Katakana, "Katakana"),
    (Alphabet::Latin, "Latin"),
    (Alphabet::Tamil, "Tamil"),
    (Alphabet::Telugu, "Telugu"),
    (Alphabet::Thai, "Thai"),
];

/// The scripts of the languages that do not write Latin, Cyrillic, Arabic or Devanagari.
const OTHER_SCRIPTS: &[(&str, &[Alphabet])] = &[
    ("bn", &[Alphabet::Bengali]),
    ("el", &[Alphabet::Greek]),
    ("gu", &[Alphabet::Gujarati]),
    ("he", &[Alphabet::Hebrew]),
    ("hy", &[Alphabet::Armenian]),
    (
        "ja",
        &[Alphabet::Hiragana, Alphabet::Katakana, Alphabet::Han],
    ),
    ("ka", &[Alphabet::Georgian]),
    ("ko", &[Alphabet::Hangul]),
    ("pa", &[Alphabet::Gurmukhi]),
    ("ta", &[Alphabet::Tamil]),
    ("te", &[Alphabet::Telugu]),
    ("th", &[Alphabet::Thai]),
    ("zh", &[Alphabet::Han]),
];

/// Letters only one language writes (lingua's `Language::unique_characters`).
const UNIQUE_CHARACTERS: &[(&str, &str)] = &[
    ("az", "Əə"),
    ("ca", "Ïï"),
    ("cs", "ĚěŘřŮů"),
    ("eo", "ĈĉĜĝĤĥĴĵŜŝŬŭ"),
    ("de", "ß"),
    ("hu", "ŐőŰű"),
    ("kk", "ӘәҒғҚқҢңҰұ"),
    ("lv", "ĢģĶķĻļŅņ"),
    ("lt", "ĖėĮįŲų"),
    ("mk", "ЃѓЅѕЌќЏџ"),
    ("mr", "ळ"),
    ("pl", "ŁłŃńŚśŹź"),
    ("ro", "Țţ"),
    ("sr", "ЂђЋћ"),
    ("sk", "ĹĺĽľŔŕ"),
    ("es", "¿¡"),
    ("uk", "ҐґЄєЇї"),
    (
        "vi",
        "ẰằẦầẲẳẨẩẴẵẪẫẮắẤấẠạẶặẬậỀềẺẻỂểẼẽỄễẾếỆệỈỉĨĩỊịƠơỒồỜờỎỏỔổỞởỖỗỠỡỐốỚớỘộỢợƯưỪừỦủỬửŨũỮữỨứỤụỰựỲỳỶỷỸỹỴỵ",
    ),
    ("yo", "Ṣṣ"),
];

/// Letters shared by a few languages: when half the words or more have one, the
/// candidates narrow to those languages (lingua's `CHARS_TO_LANGUAGES_MAPPING`).
const SHARED_CHARACTERS: &[(&str, &str)] = &[
    ("Ãã", "pt vi"),
    ("ĄąĘę", "lt pl"),
    ("Żż", "pl ro"),
    ("Îî", "fr ro"),
    ("Ññ", "eu es"),
    ("ŇňŤť", "cs sk"),
    ("Ăă", "ro vi"),
    ("İıĞğ", "az tr"),
    ("ЈјЉљЊњ", "mk sr"),
    ("ẸẹỌọ", "vi yo"),
    ("ÐðÞþ", "is tr"),
    ("Ûû", "fr hu"),
    ("Ōō", "mi yo"),
    ("ӨөҮү", "kk mn"),
    ("ĀāĒēĪī", "lv mi yo"),
    ("Şş", "az ro tr"),
    ("Ďď", "cs ro sk"),
    ("Ćć", "bs hr pl"),
    ("Đđ", "bs hr vi"),
    ("Іі", "be kk uk"),
    ("Ìì", "it vi yo"),
    ("Øø", "nb da nn"),
    ("Ūū", "lv lt mi yo"),
    ("Ëë", "af sq nl fr"),
    ("ÈèÙù", "fr it vi yo"),
    ("Êê", "af fr pt vi"),
    ("Õõ", "et hu pt vi"),
    ("Ôô", "fr pt sk vi"),
    ("ЁёЫыЭэ", "be kk mn ru"),
    ("ЩщЪъ", "bg kk mn ru"),
    ("Òò", "ca it vi yo"),
    ("Ââ", "fr pt ro tr vi"),
    ("Ææ", "nb da is nn"),
    ("Åå", "nb da nn sv"),
    ("Ýý", "cs is sk tr vi"),
    ("Ää", "et fi de sk sv"),
    ("Àà", "ca fr it pt vi"),
    ("Üü", "az ca et de hu es tr"),
    ("ČčŠšŽž", "bs cs hr lv lt sk sl"),
    ("Çç", "sq az eu ca fr pt tr"),
    ("Öö", "az et fi de hu is sv tr"),
    ("Óó", "ca hu is ga pl pt sk es vi yo"),
    ("ÁáÍíÚú", "ca cs is ga hu pt sk es vi yo"),
    ("Éé", "ca cs fr hu is ga it pt sk es vi yo"),
];

/// Lingua's word pattern: runs of letters, with each Han, Hiragana and Katakana character a
/// word of its own.
const WORD_PATTERN: &str = "\\p{Bengali}+|\\p{Devanagari}+|\\p{Gujarati}+|\\p{Gurmukhi}+|\\p{Han}|\\p{Hangul}+|\\p{Hiragana}|\\p{Katakana}|\\p{Tamil}+|\\p{Telugu}+|\\p{Thai}+|\\p{L}+";

/// The n-grams of one start position: the hashes of its 1- to 5-letter n-grams.
#[derive(Clone, Copy)]
struct Start {
    /// The hash of each n-gram.
    hashes: [u64; 5],
    /// How many of `hashes` exist (the word may end sooner).
    len: u8,
}

/// Lingua's models and rules over all compiled-in languages, built once per process.
pub(crate) struct Scorer {
    /// Language of each index (compiled-in languages, sorted by ISO 639-1 code).
    languages: Vec<Language>,
    index: HashMap<Language, usize>,
    /// Uni- to trigrams of all languages (compiled in, or built on first use).
    table: OnceLock<Table>,
    /// Four- and five-grams of the languages written in Latin letters (compiled in).
    long_latin: OnceLock<Grouped>,
    /// Four- and five-grams of the other languages (compiled in).
    long_other: OnceLock<Grouped>,
    /// The languages whose four- and five-grams are in `long_latin`.
    latin: LangSet,
    words: Regex,
    /// Sorted, disjoint code point ranges of each alphabet.
    ranges: Vec<(u32, u32, Alphabet)>,
    /// Languages writing each alphabet.
    by_alphabet: [LangSet; 18],
    /// The language of alphabets only one compiled-in language writes.
    single: [Option<usize>; 18],
    /// Letter -> the one language writing it.
    unique: HashMap<char, usize>,
    /// Letters shared by a few languages, and those languages.
    shared: Vec<(Vec<char>, LangSet)>,
    chinese: Option<usize>,
    japanese: Option<usize>,
}

impl std::fmt::Debug for Scorer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scorer")
            .field("languages", &self.languages.len())
            .field("entries", &self.table.get().map(Table::entries))
            .finish_non_exhaustive()
    }
}

static SCORER: OnceLock<Scorer> = OnceLock::new();

/// The scorer shared by every stage of the process, built on first use.
pub(crate) fn shared() -> &'static Scorer {
    SCORER.get_or_init(Scorer::build)
}

/// The start positions of `starts` with a distinct n-gram of `order` letters, into `out`.
fn distinct(starts: &[Start], order: usize, out: &mut Vec<Start>) {
    out.clear();
    out.extend(starts.iter().filter(|s| usize::from(s.len) >= order));
    out.sort_unstable_by_key(|s| s.hashes[order - 1]);
    out.dedup_by_key(|s| s.hashes[order - 1]);
}

/// The indices of the languages in `set`.
fn members(set: LangSet) -> impl Iterator<Item = usize> {
    (0..128).filter(move |i| set & (1u128 << i) != 0)
}

impl Scorer {
    fn build() -> Scorer {
        // The languages of the compiled-in tables (the build script's, by this crate's
        // features; lingua may know more should another crate turn on more of its own).
        let in_tables = table::codes(compiled_table()).unwrap_or_default();
        let languages: Vec<Language> = crate::config::compiled_languages()
            .into_iter()
            .filter(|l| in_tables.contains(&l.iso_code_639_1().to_string().as_str()))
            .collect();
        let index: HashMap<Language, usize> =
            languages.iter().enumerate().map(|(i, l)| (*l, i)).collect();
        let by_code: HashMap<String, usize> = languages
            .iter()
            .enumerate()
            .map(|(i, l)| (l.iso_code_639_1().to_string(), i))
            .collect();
        let set_of = |codes: &str| -> LangSet {
            codes
                .split_whitespace()
                .filter_map(|c| by_code.get(c))
                .fold(0, |s, &i| s | 1u128 << i)
        };

        let mut ranges = Vec::new();
        for (alphabet, name) in ALPHABETS {
            let Ok(hir) = regex_syntax::Parser::new().parse(&format!("\\p{{{name}}}")) else {
                continue;
            };
            if let regex_syntax::hir::HirKind::Class(regex_syntax::hir::Class::Unicode(class)) =
                hir.kind()
            {
                for r in class.ranges() {
                    ranges.push((u32::from(r.start()), u32::from(r.end()), alphabet));
                }
            }
        }
        ranges.sort_unstable();

        let mut by_alphabet = [0; 18];
        let scripts = [
            (Language::all_with_latin_script(), Alphabet::Latin),
            (Language::all_with_cyrillic_script(), Alphabet::Cyrillic),
            (Language::all_with_arabic_script(), Alphabet::Arabic),
            (Language::all_with_devanagari_script(), Alphabet::Devanagari),
        ];
        for (langs, alphabet) in scripts {
            for l in langs {
                if let Some(&i) = index.get(&l) {
                    by_alphabet[alphabet as usize] |= 1u128 << i;
                }
            }
        }
        for (code, alphabets) in OTHER_SCRIPTS {
            for a in *alphabets {
                by_alphabet[*a as usize] |= set_of(code);
            }
        }
        let mut single = [None; 18];
        for (a, set) in by_alphabet.iter().enumerate() {
            if set.count_ones() == 1 {
                single[a] = Some(set.trailing_zeros() as usize);
            }
        }
        let mut unique = HashMap::new();
        for (code, letters) in UNIQUE_CHARACTERS {
            if let Some(&i) = by_code.get(*code) {
                unique.extend(letters.chars().map(|c| (c, i)));
            }
        }
        let shared = SHARED_CHARACTERS
            .iter()
            .map(|(letters, codes)| (letters.chars().collect(), set_of(codes)))
            .filter(|(_, set)| *set != 0)
            .collect();
        let latin = (0..languages.len())
            .filter(|&i| table::in_latin_table(&languages[i].iso_code_639_1().to_string()))
            .fold(0, |s, i| s | 1u128 << i);
        // An invariant: the pattern is a constant that compiles.
        let words = Regex::new(WORD_PATTERN).expect("lingua's word pattern compiles");
        Scorer {
            chinese: by_code.get("zh").copied(),
            japanese: by_code.get("ja").copied(),
            languages,
            index,
            table: OnceLock::new(),
            long_latin: OnceLock::new(),
            long_other: OnceLock::new(),
            latin,
            words,
            ranges,
            by_alphabet,
            single,
            unique,
            shared,
        }
    }

    /// The set of `langs` (those compiled in).
    pub(crate) fn set_of<'a>(&self, langs: impl IntoIterator<Item = &'a Language>) -> LangSet {
        langs
            .into_iter()
            .filter_map(|l| self.index.get(l))
            .fold(0, |s, &i| s | 1u128 << i)
    }

    /// The uni- to trigram table.
    fn table(&self) -> &Table {
        self.table
            .get_or_init(|| self.compiled(table::SHORT, compiled_table()))
    }

    /// The four- and five-gram tables holding the entries of `candidates`: a text whose
    /// candidates all write Latin letters never reads (so never pages in) the other one.
    fn long_tables(&self, candidates: LangSet) -> [Option<&Grouped>; 2] {
        [
            (candidates & self.latin != 0).then(|| {
                self.long_latin.get_or_init(|| {
                    self.compiled_grouped(table::LONG_LATIN, compiled_long_latin_table())
                        .read_from_file()
                })
            }),
            (candidates & !self.latin != 0).then(|| {
                self.long_other.get_or_init(|| {
                    self.compiled_grouped(table::LONG_OTHER, compiled_long_other_table())
                        .read_from_file()
                })
            }),
        ]
    }

    /// The ISO 639-1 codes of the scorer's languages, in index order.
    fn codes(&self) -> Vec<String> {
        self.languages
            .iter()
            .map(|l| l.iso_code_639_1().to_string())
            .collect()
    }

    /// The compiled-in table `spec`.
    fn compiled(&self, spec: table::Spec, compiled: &'static [u8]) -> Table {
        // An invariant: the build script builds the tables of the same models, and the
        // scorer's languages are theirs (`Scorer::build`).
        let codes = self.codes();
        let codes: Vec<&str> = codes.iter().map(String::as_str).collect();
        Table::new(spec, Cow::Borrowed(compiled), &codes)
            .expect("the compiled-in tables are of the scorer's languages")
    }

    /// The compiled-in grouped table `spec`.
    fn compiled_grouped(&self, spec: table::Spec, compiled: &'static [u8]) -> Grouped {
        let codes = self.codes();
        let codes: Vec<&str> = codes.iter().map(String::as_str).collect();
        Grouped::new(spec, Cow::Borrowed(compiled), &codes)
            .expect("the compiled-in tables are of the scorer's languages")
    }

    /// How many (language, n-gram) entries the table holds.
    #[cfg(test)]
    pub(crate) fn entries(&self) -> usize {
        self.table().entries()
    }

    fn alphabet_of(&self, c: char) -> Option<Alphabet> {
        if c.is_ascii() {
            return c.is_ascii_alphabetic().then_some(Alphabet::Latin);
        }
        let c = u32::from(c);
        let i = self.ranges.partition_point(|r| r.1 < c);
        self.ranges
            .get(i)
            .filter(|r| r.0 <= c)
            .map(|&(_, _, alphabet)| alphabet)
    }

    /// The alphabet all letters of `word` are in, if one.
    fn word_alphabet(&self, word: &str) -> Option<Alphabet> {
        let mut chars = word.chars();
        let first = self.alphabet_of(chars.next()?)?;
        chars
            .all(|c| self.alphabet_of(c) == Some(first))
            .then_some(first)
    }

    /// Lingua's rule engine: the language most words are written in by their letters
    /// alone (an alphabet one language writes, a letter one language uses), if any.
    fn by_rules(&self, words: &[&str], candidates: LangSet) -> Option<usize> {
        let n = self.languages.len();
        let mut totals = vec![0usize; n];
        let mut unknown = 0usize;
        let mut counts: Vec<(usize, usize)> = Vec::new();
        for word in words {
            counts.clear();
            let mut add = |lang: usize| match counts.iter_mut().find(|(l, _)| *l == lang) {
                Some((_, c)) => *c += 1,
                None => counts.push((lang, 1)),
            };
            for c in word.chars() {
                let alphabet = self.alphabet_of(c);
                if let Some(lang) = alphabet
                    .and_then(|a| self.single[a as usize])
                    .filter(|l| candidates & (1u128 << l) != 0)
                {
                    add(lang);
                    continue;
                }
                match alphabet {
                    Some(Alphabet::Han) if self.chinese.is_some() => {
                        add(self.chinese.unwrap_or_default())
                    }
                    Some(Alphabet::Hiragana | Alphabet::Katakana) if self.japanese.is_some() => {
                        add(self.japanese.unwrap_or_default())
                    }
                    Some(Alphabet::Latin | Alphabet::Cyrillic | Alphabet::Devanagari) => {
                        if let Some(&lang) = self.unique.get(&c) {
                            if candidates & (1u128 << lang) != 0 {
                                add(lang);
                            }
                        }
                    }
                    _ => {}
                }
            }
            let has = |lang: Option<usize>| lang.is_some_and(|l| counts.iter().any(|c| c.0 == l));
            match counts.len() {
                0 => unknown += 1,
                1 if candidates & (1u128 << counts[0].0) != 0 => totals[counts[0].0] += 1,
                1 => unknown += 1,
                _ if has(self.chinese) && has(self.japanese) => {
                    totals[self.japanese.unwrap_or_default()] += 1
                }
                _ => {
                    counts.sort_unstable_by_key(|c| std::cmp::Reverse(c.1));
                    if counts[0].1 > counts[1].1 && candidates & (1u128 << counts[0].0) != 0 {
                        totals[counts[0].0] += 1;
                    } else {
                        unknown += 1;
                    }
                }
            }
        }
        // (language or none, words)
        let mut counter: Vec<(Option<usize>, usize)> = totals
            .iter()
            .enumerate()
            .filter(|(_, &c)| c > 0)
            .map(|(l, &c)| (Some(l), c))
            .collect();
        if unknown > 0 && (unknown as f64) >= words.len() as f64 * 0.5 {
            counter.push((None, unknown));
        }
        match counter.len() {
            0 => None,
            1 => counter[0].0,
            _ => {
                counter.sort_by_key(|c| std::cmp::Reverse(c.1));
                let (first, second) = (counter[0], counter[1]);
                let pair = [first.0, second.0];
                if self.chinese.is_some()
                    && self.japanese.is_some()
                    && pair.contains(&self.chinese)
                    && pair.contains(&self.japanese)
                {
                    return self.japanese;
                }
                if first.1 == second.1 {
                    None
                } else {
                    first.0
                }
            }
        }
    }

    /// Lingua's candidate filter: the languages writing the most used alphabet, narrowed
    /// to the languages of shared letters that half the words or more have.
    fn filter(&self, words: &[&str], candidates: LangSet) -> LangSet {
        let mut letters = [0usize; 18];
        for word in words {
            if let Some(a) = self.word_alphabet(word) {
                letters[a as usize] += word.chars().count();
            }
        }
        let used: Vec<usize> = letters.iter().copied().filter(|&c| c > 0).collect();
        if used.is_empty() || (used.len() > 1 && used.iter().all(|&c| c == used[0])) {
            return candidates;
        }
        let top = (0..18).max_by_key(|&a| (letters[a], std::cmp::Reverse(a)));
        let filtered = candidates & top.map_or(0, |a| self.by_alphabet[a]);
        let half = words.len() as f64 * 0.5;
        let mut hits = vec![0usize; self.languages.len()];
        let special: Vec<&str> = words.iter().copied().filter(|w| !w.is_ascii()).collect();
        if !special.is_empty() {
            for (chars, langs) in &self.shared {
                let relevant = filtered & langs;
                if relevant == 0 {
                    continue;
                }
                for word in &special {
                    let k = chars.iter().filter(|c| word.contains(**c)).count();
                    if k > 0 {
                        for l in members(relevant) {
                            hits[l] += k;
                        }
                    }
                }
            }
        }
        let subset = hits
            .iter()
            .enumerate()
            .filter(|(_, &h)| h > 0 && h as f64 >= half)
            .fold(0, |s, (l, _)| s | 1u128 << l);
        if subset != 0 {
            subset
        } else {
            filtered
        }
    }

    /// The languages among `candidates` with their confidence (0..1, summing to 1), best
    /// first; empty when the text has no letters or no candidate fits its script.
    /// `trigrams_only` is lingua's low accuracy mode.
    pub(crate) fn confidences(
        &self,
        text: &str,
        candidates: LangSet,
        trigrams_only: bool,
    ) -> Vec<(Language, f64)> {
        let mut scores = self.scores(text, candidates, trigrams_only);
        let Some(&(_, max)) = scores.first() else {
            return scores;
        };
        // Softmax, shifted by the best score so long texts do not underflow.
        let sum: f64 = scores.iter().map(|s| (s.1 - max).exp()).sum();
        for s in &mut scores {
            s.1 = (s.1 - max).exp() / sum;
        }
        scores
    }

    /// The languages among `candidates` with their scores (lingua's mean log-probability
    /// per letter; 0 for an answer by the rules alone), best first.
    fn scores(&self, text: &str, candidates: LangSet, trigrams_only: bool) -> Vec<(Language, f64)> {
        let lower = text.trim().to_lowercase();
        let words: Vec<&str> = self.words.find_iter(&lower).map(|m| m.as_str()).collect();
        if words.is_empty() || candidates == 0 {
            return Vec::new();
        }
        if let Some(lang) = self.by_rules(&words, candidates) {
            return vec![(self.languages[lang], 0.0)];
        }
        let filtered = self.filter(&words, candidates);
        if filtered.count_ones() == 1 {
            return vec![(self.languages[filtered.trailing_zeros() as usize], 0.0)];
        }
        if filtered == 0 {
            return Vec::new();
        }
        let letters: usize = words.iter().map(|w| w.chars().count()).sum();
        if trigrams_only && letters < 3 {
            return Vec::new();
        }
        // Lingua scores long texts on trigrams, short ones on uni- to five-grams.
        let short = !trigrams_only && letters < TRIGRAMS_ONLY_FROM;
        let (orders, max_order) = if short { (1..=5, 5) } else { (3..=3, 3) };
        // The hashes of the n-grams at each start position, all orders at once: the hash
        // of an n-gram's prefix is the state after the prefix's bytes.
        let mut starts: Vec<Start> = Vec::with_capacity(letters);
        for word in &words {
            let bytes = word.as_bytes();
            for (i, _) in word.char_indices() {
                let mut start = Start {
                    hashes: [0; 5],
                    len: 0,
                };
                let mut h = FNV_OFFSET;
                let mut chars = 0;
                for (j, &b) in bytes.iter().enumerate().skip(i) {
                    // A character ends where the next one begins (UTF-8 continuation
                    // bytes are 0b10xx_xxxx).
                    if j > i && b & 0xc0 != 0x80 {
                        start.hashes[chars] = finish(h);
                        chars += 1;
                        if chars == max_order {
                            break;
                        }
                    }
                    h = fnv(h, b);
                }
                if chars < max_order {
                    start.hashes[chars] = finish(h);
                    chars += 1;
                }
                start.len = chars as u8;
                starts.push(start);
            }
        }
        let short_table = self.table();
        let long_tables = if short {
            self.long_tables(filtered)
        } else {
            [None, None]
        };
        // Whether the n-grams of `k + 1` letters are in the long tables.
        let long = |k: usize| k + 1 >= table::LONG_MIN_ORDER;
        // Each n-gram's bucket of the short table read once first, all reads independent of
        // each other, so that they overlap; the lookups below then find them in the caches.
        // (The long tables are read from a file, one read per lookup.)
        let mut touched = 0u8;
        for start in &starts {
            let in_short = usize::from(start.len).min(table::LONG_MIN_ORDER - 1);
            for &h in &start.hashes[..in_short] {
                touched ^= short_table.touch(h);
            }
        }
        std::hint::black_box(touched);
        let n = self.languages.len();
        let mut totals = vec![0u64; n];
        let mut unigrams = vec![0u32; n];
        let mut sums = vec![0u64; n];
        let mut chains: Vec<Start> = Vec::with_capacity(starts.len());
        for order in orders {
            if letters < order {
                continue;
            }
            // Distinct n-grams of this order (as lingua scores a set), each backing off to
            // its prefixes in the languages that lack it.
            distinct(&starts, order, &mut chains);
            sums.iter_mut().for_each(|s| *s = 0);
            // Unigrams are counted for lingua's normalisation.
            let first = u32::from(order == 1);
            for chain in &chains {
                let mut done = !filtered;
                for k in (0..order).rev() {
                    let mut add = |lang: usize, q: u32| {
                        // Without branches: most entries are of languages done already.
                        let bit = 1u128 << lang;
                        let new = u32::from(done & bit == 0);
                        done |= bit;
                        sums[lang] += u64::from(q * new);
                        unigrams[lang] += new & first;
                    };
                    let h = chain.hashes[k];
                    if long(k) {
                        for table in long_tables.iter().flatten() {
                            table.lookup(h, k + 1, &mut add);
                        }
                    } else {
                        short_table.lookup(h, k + 1, &mut add);
                    }
                    if done == u128::MAX {
                        break;
                    }
                }
            }
            for l in members(filtered) {
                // Lingua keeps a language's sum for an order only when it is below zero.
                totals[l] += sums[l];
            }
        }
        let mut scores: Vec<(Language, f64)> = members(filtered)
            .filter(|&l| totals[l] > 0)
            .map(|l| {
                let mut log_p = -(totals[l] as f64) / SCALE;
                if unigrams[l] > 0 {
                    log_p /= f64::from(unigrams[l]);
                }
                (self.languages[l], log_p)
            })
            .collect();
        scores.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        scores
    }

    /// The best language among `candidates` with its confidence, if any.
    pub(crate) fn best(
        &self,
        text: &str,
        candidates: LangSet,
        trigrams_only: bool,
    ) -> Option<(Language, f64)> {
        self.confidences(text, candidates, trigrams_only)
            .first()
            .copied()
            .filter(|(_, c)| *c > 0.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::table::hash_of;
    use lingua::LanguageDetectorBuilder;

    fn all(scorer: &Scorer) -> LangSet {
        scorer.set_of(&scorer.languages)
    }

    #[test]
    fn hashes_of_prefixes_match_whole_ngrams() {
        // The scorer hashes n-grams incrementally; the table hashes them whole.
        let word = "größe";
        let mut h = FNV_OFFSET;
        for (i, c) in word.char_indices() {
            for &b in &word.as_bytes()[i..i + c.len_utf8()] {
                h = fnv(h, b);
            }
            assert_eq!(finish(h), hash_of(&word.as_bytes()[..i + c.len_utf8()]));
        }
        assert_ne!(hash_of(b"ab"), hash_of(b"ba"));
    }

    #[test]
    fn table_holds_every_model_entry_and_finds_them() {
        let scorer = shared();
        let de = scorer.index[&Language::German];
        let model = fst::Map::new(crate::models::model_bytes(Language::German).unwrap()).unwrap();
        assert!(scorer.entries() > 100_000, "{}", scorer.entries());
        let [Some(long_latin), Some(long_other)] = scorer.long_tables(u128::MAX) else {
            panic!("every language has a four- and five-gram table");
        };
        assert!(long_latin.entries() > 1_000_000);
        assert!(long_other.entries() > 1_000_000);
        let cases = [
            ("e", true),
            ("sch", true),
            ("ß", true),
            ("qqq", false),
            ("sche", true),
            ("schen", true),
            ("straß", true),
            ("qqqq", false),
            ("xqzvw", false),
        ];
        for (ngram, expected) in cases {
            let mut found = None;
            let add = |lang, q| {
                if lang == de {
                    found = Some(q);
                }
            };
            let (h, order) = (hash_of(ngram.as_bytes()), ngram.chars().count());
            if order >= table::LONG_MIN_ORDER {
                long_latin.lookup(h, order, add);
            } else {
                scorer.table().lookup(h, order, add);
            }
            assert_eq!(found.is_some(), expected, "{ngram}");
            if let Some(q) = found {
                let lp = f64::from_bits(model.get(ngram).unwrap());
                assert!((-f64::from(q) / SCALE - lp).abs() <= 0.5 / SCALE, "{ngram}");
            }
        }
    }

    #[test]
    fn long_tables_read_through_the_executable_answer_as_in_memory() {
        let scorer = shared();
        let [Some(latin), Some(other)] = scorer.long_tables(u128::MAX) else {
            panic!("every language has a four- and five-gram table");
        };
        if cfg!(target_os = "linux") {
            assert!(latin.reads_from_file() && other.reads_from_file());
        }
        let in_memory = [
            scorer.compiled_grouped(table::LONG_LATIN, compiled_long_latin_table()),
            scorer.compiled_grouped(table::LONG_OTHER, compiled_long_other_table()),
        ];
        assert!(!in_memory[0].reads_from_file() && !in_memory[1].reads_from_file());
        let text = "die straßenbahn fährt über die brücke the quick brown fox jumps \
                    быстрая лиса прыгает 東京都庁舎 qxqzv wvwvwv";
        let (mut lookups, mut known) = (0, [0, 0]);
        // The second time round, this thread's cache of groups answers.
        for word in text.split_whitespace().chain(text.split_whitespace()) {
            let chars: Vec<char> = word.chars().collect();
            for start in 0..chars.len() {
                // Orders 3 and 6 are in neither table.
                for order in 3..=6.min(chars.len() - start) {
                    let ngram: String = chars[start..start + order].iter().collect();
                    let h = hash_of(ngram.as_bytes());
                    for (t, (file, memory)) in [(latin, &in_memory[0]), (other, &in_memory[1])]
                        .into_iter()
                        .enumerate()
                    {
                        let (mut a, mut b) = (Vec::new(), Vec::new());
                        file.lookup(h, order, |l, q| a.push((l, q)));
                        memory.lookup(h, order, |l, q| b.push((l, q)));
                        assert_eq!(a, b, "{ngram}");
                        lookups += 1;
                        known[t] += usize::from(!a.is_empty());
                    }
                }
            }
        }
        // German and English four- and five-grams, Russian and Japanese ones.
        assert!(
            lookups > 400 && known[0] > 60 && known[1] > 10,
            "{lookups} lookups, {known:?} known"
        );
    }

    #[test]
    fn compiled_table_is_the_one_the_models_give() {
        let scorer = shared();
        let codes: Vec<String> = scorer
            .languages
            .iter()
            .map(|l| l.iso_code_639_1().to_string())
            .collect();
        let models: Vec<(&str, &[u8])> = codes
            .iter()
            .zip(&scorer.languages)
            .filter_map(|(c, l)| Some((c.as_str(), crate::models::model_bytes(*l)?)))
            .collect();
        assert_eq!(models.len(), scorer.languages.len());
        let codes: Vec<&str> = codes.iter().map(String::as_str).collect();
        let every: fn(&str) -> bool = |_| true;
        let latin: fn(&str) -> bool = table::in_latin_table;
        let not_latin: fn(&str) -> bool = |code| !table::in_latin_table(code);
        let short = compiled_table();
        assert!(table::build(table::SHORT, &models, every) == short);
        assert!(Table::new(table::SHORT, Cow::Borrowed(short), &codes).is_some());
        assert!(Table::new(table::SHORT, Cow::Borrowed(short), &codes[1..]).is_none());
        assert!(Table::new(table::SHORT, Cow::Borrowed(&short[..1000]), &codes).is_none());
        for (spec, compiled, holds) in [
            (table::LONG_LATIN, compiled_long_latin_table(), latin),
            (table::LONG_OTHER, compiled_long_other_table(), not_latin),
        ] {
            assert!(table::group(spec, table::build(spec, &models, holds)) == compiled);
            assert!(Grouped::new(spec, Cow::Borrowed(compiled), &codes).is_some());
            assert!(Grouped::new(spec, Cow::Borrowed(compiled), &codes[1..]).is_none());
            assert!(Grouped::new(spec, Cow::Borrowed(&compiled[..1000]), &codes).is_none());
            assert!(Table::new(spec, Cow::Borrowed(compiled), &codes).is_none());
        }
        assert!(Grouped::new(table::LONG_LATIN, Cow::Borrowed(short), &codes).is_none());
    }

    #[test]
    fn the_latin_table_holds_the_languages_lingua_writes_in_latin_letters() {
        // A text of Latin letters reads only the Latin table: every language that could be
        // its candidate must be there, and no other.
        let scorer = shared();
        let latin = Language::all_with_latin_script();
        for (i, language) in scorer.languages.iter().enumerate() {
            let in_table = scorer.latin & 1u128 << i != 0;
            assert_eq!(in_table, latin.contains(language), "{language:?}");
            assert_eq!(
                in_table,
                scorer.by_alphabet[Alphabet::Latin as usize] & 1u128 << i != 0
            );
        }
        let [Some(_), None] = scorer.long_tables(scorer.set_of(&[Language::German])) else {
            panic!("a German candidate reads the Latin table alone");
        };
        let [None, Some(_)] = scorer.long_tables(scorer.set_of(&[Language::Russian])) else {
            panic!("a Russian candidate reads the other table alone");
        };
    }

    #[test]
    fn alphabets_are_found() {
        let scorer = shared();
        assert_eq!(scorer.alphabet_of('a'), Some(Alphabet::Latin));
        assert_eq!(scorer.alphabet_of('ß'), Some(Alphabet::Latin));
        assert_eq!(scorer.alphabet_of('ж'), Some(Alphabet::Cyrillic));
        assert_eq!(scorer.alphabet_of('λ'), Some(Alphabet::Greek));
        assert_eq!(scorer.alphabet_of('漢'), Some(Alphabet::Han));
        assert_eq!(scorer.alphabet_of('か'), Some(Alphabet::Hiragana));
        assert_eq!(scorer.alphabet_of('1'), None);
        assert_eq!(scorer.word_alphabet("straße"), Some(Alphabet::Latin));
        assert_eq!(scorer.word_alphabet("abcж"), None);
    }

    /// Texts in many languages and scripts, from one word to a paragraph.
    const TEXTS: &[&str] = &[
        "Die Bundesregierung hat am Mittwoch neue Regeln für den Ausbau der Windkraft beschlossen.",
        "The government decided on Wednesday to speed up the expansion of wind power.",
        "Le gouvernement a présenté mercredi un projet de loi.",
        "El gobierno aprobó ayer una nueva ley de vivienda.",
        "Il governo ha approvato ieri una nuova legge.",
        "De regering heeft gisteren een nieuwe wet aangenomen.",
        "Regeringen har i dag lagt fram ett nytt förslag.",
        "Hallitus esitti tänään uuden lakiehdotuksen.",
        "Rząd przedstawił dziś nowy projekt ustawy.",
        "Vláda dnes představila nový návrh zákona.",
        "Правительство сегодня представило новый законопроект.",
        "Уряд сьогодні представив новий законопроект.",
        "Η κυβέρνηση παρουσίασε σήμερα νέο νομοσχέδιο.",
        "הממשלה הציגה היום הצעת חוק חדשה.",
        "政府今天提出了一项新法案。",
        "政府は今日、新しい法案を提出した。",
        "정부는 오늘 새로운 법안을 제출했다.",
        "سرکار نے آج ایک نیا بل پیش کیا۔",
        "الحكومة قدمت اليوم مشروع قانون جديد.",
        "सरकार ने आज एक नया विधेयक पेश किया।",
        "Straße",
        "Windkraft",
        "gisteren",
        "hallitus",
        "Hotel Restaurant Bar",
        "kuchyně",
        "Bosnia i Hercegovina",
        "selamat pagi semua",
        "Mfumo wa elimu nchini",
    ];

    #[test]
    fn answers_are_lingua_answers() {
        let scorer = shared();
        let lingua = LanguageDetectorBuilder::from_all_languages().build();
        for text in TEXTS {
            let ours = scorer.best(text, all(scorer), false).map(|(l, _)| l);
            assert_eq!(ours, lingua.detect_language_of(*text), "{text}");
            let theirs = lingua.compute_language_confidence_values(*text);
            let mine = scorer.confidences(text, all(scorer), false);
            // Lingua's confidences, up to the rounding of the stored log-probabilities.
            // (No answer, as for a script no compiled-in language writes: no values.)
            if let Some(best) = mine.first() {
                assert!(
                    (best.1 - theirs[0].1).abs() < 1e-6,
                    "{text}: {mine:?} {theirs:?}"
                );
            }
        }
    }

    #[test]
    fn candidates_restrict_the_answer() {
        let scorer = shared();
        let de_nl = scorer.set_of(&[Language::German, Language::Dutch]);
        let (lang, confidence) = scorer.best(TEXTS[6], de_nl, false).unwrap();
        assert!(lang == Language::German || lang == Language::Dutch);
        assert!(confidence > 0.0 && confidence <= 1.0);
        // Greek text among Latin-script languages: no answer.
        assert_eq!(scorer.best(TEXTS[12], de_nl, false), None);
        assert_eq!(scorer.best("", de_nl, false), None);
        assert_eq!(scorer.best("123 !!", de_nl, false), None);
        let values = scorer.confidences(TEXTS[0], all(scorer), true);
        assert_eq!(values[0].0, Language::German);
        let sum: f64 = values.iter().map(|v| v.1).sum();
        assert!((sum - 1.0).abs() < 1e-9);
    }

    /// Agreement with lingua over lingua's test data (the even half; `cargo test --release
    /// -p pipeline-langid -- --ignored agreement`).
    #[test]
    #[ignore]
    fn agreement_with_lingua_on_test_data() {
        use std::io::BufRead;
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../../shared/data/lingua-langid/testdata.jsonl.gz"
        );
        let file = std::fs::File::open(path).unwrap();
        let lines = std::io::BufReader::new(flate2::read::GzDecoder::new(file)).lines();
        let scorer = shared();
        let lingua = LanguageDetectorBuilder::from_all_languages().build();
        let (mut same, mut n) = (0, 0);
        let mut ours_ok = 0;
        let mut theirs_ok = 0;
        let (mut dev_sum, mut dev_n, mut far) = (0.0, 0usize, 0usize);
        for (i, line) in lines.enumerate() {
            if i % 20 != 0 {
                continue;
            }
            let rec: serde_json::Value = serde_json::from_str(&line.unwrap()).unwrap();
            let text = rec["text"].as_str().unwrap();
            let truth = rec["lang"].as_str().unwrap();
            let ours_c = scorer.best(text, all(scorer), false);
            let ours = ours_c.map(|l| l.0);
            let theirs = lingua.detect_language_of(text);
            if let (Some((l, c)), Some(t)) = (ours_c, theirs) {
                if l == t {
                    let tc = lingua.compute_language_confidence(text, t);
                    let d = (c - tc).abs();
                    dev_sum += d;
                    dev_n += 1;
                    far += usize::from(d > 0.1);
                }
            }
            n += 1;
            same += usize::from(ours == theirs);
            ours_ok += usize::from(ours.is_some_and(|l| l.iso_code_639_1().to_string() == truth));
            theirs_ok +=
                usize::from(theirs.is_some_and(|l| l.iso_code_639_1().to_string() == truth));
            if ours != theirs && n < 20 {
                eprintln!("{text:?}: ours {ours:?} lingua {theirs:?} truth {truth}");
            }
        }
        eprintln!("agree {same}/{n}; correct ours {ours_ok} lingua {theirs_ok}");
        eprintln!(
            "confidence of the common answer: mean deviation {:.4}, {far}/{dev_n} more than 0.1 off",
            dev_sum / dev_n as f64
        );
        // Lingua's sums of log-probabilities, to the rounding of the stored ones.
        assert!(same as f64 >= 0.9999 * n as f64);
        assert!(dev_sum / (dev_n as f64) < 0.001);
    }
}
