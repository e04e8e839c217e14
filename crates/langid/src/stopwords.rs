//! Function words ("stop words", from stopwords-iso via the `stop-words` crate) of every
//! compiled-in language that has a list: a cheap test of whether a paragraph is in the
//! document's language, asked before any detector.
//!
//! Counting a paragraph's words in a hash table costs a few microseconds; whatlang's probe on
//! the same paragraph costs about a hundred (it counts and sorts trigrams and compares them
//! with 300 per language). On lingua's test sentences (even half, 8 words or more) the test
//! below confirms 79 % of German sentences as German and no sentence of another language.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use lingua::Language;

use crate::table::{FNV_OFFSET, FNV_PRIME};

/// Share of a paragraph's words that must be function words of the language.
const MIN_SHARE: f64 = 0.3;
/// How many times more of the language's function words than of any other language's.
const MARGIN: usize = 2;
/// Words a paragraph needs before its function words say anything.
const MIN_WORDS: usize = 8;
/// Distinct function words of the language a paragraph must use: a few one- and two-letter
/// entries of the long lists (English has "a", "sg") must not decide alone.
const MIN_DISTINCT: usize = 4;

/// The [`word_hash`] of each word (run of letters) of a text, and whether the word has an
/// uppercase letter; one pass over the text's bytes, without allocating. ASCII bytes and
/// the Latin-1 letters (`À` to `ÿ`) are classified and lowercased by hand, every other
/// character by the standard library (the `simple` iterator in the tests is the reference).
pub(crate) struct WordHashes<'a> {
    text: &'a str,
    /// Byte offset of the next character to read.
    pos: usize,
    /// Whether `pos` is at an ASCII letter: the end of the word before, in the eight bytes
    /// read last, showed where the next word starts.
    at_letter: bool,
}

/// The words of `text` as [`WordHashes`].
pub(crate) fn word_hashes(text: &str) -> WordHashes<'_> {
    WordHashes {
        text,
        pos: 0,
        at_letter: false,
    }
}

/// `char::is_alphabetic`, answered at once for the Latin-1 letters (`À` to `ÿ` but `×` and
/// `÷`) and for the punctuation of news text beyond Latin-1 (`„“–…`, `€`): the standard
/// library's table search costs some hundred and fifty instructions for each of them.
/// General Punctuation (U+2000 to U+206F) and Currency Symbols (U+20A0 to U+20CF) hold no
/// letter.
#[inline(always)]
pub(crate) fn is_alphabetic(c: char) -> bool {
    match u32::from(c) {
        0xC0..=0xFF => !matches!(c, '×' | '÷'),
        0x2000..=0x206F | 0x20A0..=0x20CF => false,
        _ => c.is_alphabetic(),
    }
}

/// One character of a text: `None` when it is not a letter (`char::is_alphabetic`), else
/// whether it is uppercase (`char::is_uppercase`) and the hash after its lowercase form.
#[inline(always)]
fn letter(c: char, hash: u64) -> Option<(bool, u64)> {
    let u = u32::from(c);
    // Latin-1 letters: all of U+00C0..=U+00FF but `×` and `÷`; U+00C0..=U+00DE are
    // uppercase with the lowercase 0x20 above, the rest (`ß` to `ÿ`) lowercase.
    if (0xC0..=0xFF).contains(&u) {
        return match u {
            0xD7 | 0xF7 => None,
            0xC0..=0xDE => Some((true, (hash ^ u64::from(u + 0x20)).wrapping_mul(FNV_PRIME))),
            _ => Some((false, (hash ^ u64::from(u)).wrapping_mul(FNV_PRIME))),
        };
    }
    if !is_alphabetic(c) {
        return None;
    }
    let mut hash = hash;
    for lower in c.to_lowercase() {
        hash = (hash ^ u64::from(lower)).wrapping_mul(FNV_PRIME);
    }
    Some((c.is_uppercase(), hash))
}

/// The top bit of each byte: the lanes of the eight-bytes-at-a-time tests.
pub(crate) const HIGH_BITS: u64 = 0x8080_8080_8080_8080;
/// One in each byte, to spread a byte value over all eight lanes.
const LANES: u64 = 0x0101_0101_0101_0101;
/// Bit 5 of each byte: set, it makes an ASCII letter lowercase.
const CASE_BITS: u64 = 0x20 * LANES;

/// The top bit of each byte of `w` (eight bytes of text, little-endian) that is an ASCII
/// letter.
#[inline(always)]
pub(crate) fn ascii_letter_lanes(w: u64) -> u64 {
    // Setting bit 5 folds both cases onto `a..=z`; with the top bits cleared, adding
    // `0x80 - bound` sets a byte's top bit exactly when the byte reaches `bound`, and no
    // sum carries into the next byte. `!w` leaves out the bytes of non-ASCII characters.
    let folded = (w | CASE_BITS) & !HIGH_BITS;
    let from_a = folded + (0x80 - u64::from(b'a')) * LANES;
    let past_z = folded + (0x80 - u64::from(b'z' + 1)) * LANES;
    from_a & !past_z & !w & HIGH_BITS
}

/// The eight bytes of `bytes` from `at`, if there are as many.
#[inline(always)]
pub(crate) fn eight_bytes_at(bytes: &[u8], at: usize) -> Option<u64> {
    let chunk: [u8; 8] = bytes.get(at..at + 8)?.try_into().ok()?;
    Some(u64::from_le_bytes(chunk))
}

impl Iterator for WordHashes<'_> {
    type Item = (u64, bool);

    /// Reads the text eight bytes at a time while they are ASCII: the letters and the other
    /// bytes are told apart in one test of the eight, and a run of ASCII letters is hashed
    /// without a test per byte; a non-ASCII character, and the last few bytes of the text,
    /// go one character at a time as before (`byte_at_a_time` in the tests). A word that
    /// ends on an ASCII byte within the eight bytes read also skips what follows it there,
    /// so the next call starts on its first letter without testing again
    /// (`one_word_at_a_time` in the tests).
    #[inline]
    fn next(&mut self) -> Option<(u64, bool)> {
        let (text, bytes) = (self.text, self.text.as_bytes());
        let mut i = self.pos;
        // Up to the first letter. `i` is always at the start of a character (the loops step
        // over whole characters, or over ASCII bytes up to the next character), so
        // `text[i..]` never panics.
        while !std::mem::take(&mut self.at_letter) {
            if let Some(w) = eight_bytes_at(bytes, i) {
                let stops = ascii_letter_lanes(w) | (w & HIGH_BITS);
                if stops == 0 {
                    i += 8;
                    continue;
                }
                i += (stops.trailing_zeros() / 8) as usize;
            }
            let Some(&b) = bytes.get(i) else {
                self.pos = i;
                return None;
            };
            if b.is_ascii() {
                if b.is_ascii_alphabetic() {
                    break;
                }
                i += 1;
            } else {
                let c = text[i..].chars().next()?;
                if letter(c, 0).is_some() {
                    break;
                }
                i += c.len_utf8();
            }
        }
        // The word, up to the character after it (read and left behind).
        let (mut hash, mut upper) = (FNV_OFFSET, false);
        loop {
            if let Some(w) = eight_bytes_at(bytes, i) {
                let letters = ascii_letter_lanes(w);
                let run = (!letters & HIGH_BITS).trailing_zeros() / 8;
                let in_run = u64::MAX.checked_shr(64 - 8 * run).unwrap_or(0);
                // An ASCII letter is uppercase when its bit 5 is clear (`<< 2` moves bit 5
                // of each byte to its top bit).
                upper |= letters & !(w << 2) & in_run != 0;
                let mut lower = w | CASE_BITS;
                for _ in 0..run {
                    hash = (hash ^ (lower & 0xFF)).wrapping_mul(FNV_PRIME);
                    lower >>= 8;
                }
                i += run as usize;
                if run == 8 {
                    continue;
                }
                // An ASCII byte ends the word. The ASCII bytes after it that are not
                // letters are skipped here, up to a letter (where the next word starts) or
                // a byte of a non-ASCII character (which may be a letter) or the end of the
                // eight; the next call reads on from there.
                if (w >> (8 * run)) & 0x80 == 0 {
                    let after = 8 * (run + 1);
                    let stops = (letters | (w & HIGH_BITS)).checked_shr(after).unwrap_or(0);
                    if stops == 0 {
                        i += 8 - run as usize;
                    } else {
                        let skipped = stops.trailing_zeros();
                        i += 1 + (skipped / 8) as usize;
                        self.at_letter =
                            (letters.checked_shr(after).unwrap_or(0) >> skipped) & 1 != 0;
                    }
                    self.pos = i;
                    return Some((hash, upper));
                }
            }
            let Some(&b) = bytes.get(i) else {
                break;
            };
            if b.is_ascii() {
                i += 1;
                if !b.is_ascii_alphabetic() {
                    break;
                }
                upper |= b <= b'Z';
                hash = (hash ^ u64::from(b | 0x20)).wrapping_mul(FNV_PRIME);
            } else {
                let Some(c) = text[i..].chars().next() else {
                    break;
                };
                i += c.len_utf8();
                let Some((is_upper, h)) = letter(c, hash) else {
                    break;
                };
                upper |= is_upper;
                hash = h;
            }
        }
        self.pos = i;
        Some((hash, upper))
    }
}

/// FNV-1a over the lowercase characters of `word`.
pub(crate) fn word_hash(word: &str) -> u64 {
    word.chars()
        .flat_map(char::to_lowercase)
        .fold(FNV_OFFSET, |hash, c| {
            (hash ^ u64::from(c)).wrapping_mul(FNV_PRIME)
        })
}

/// The table's keys are [`word_hash`]es already: hashing them again (SipHash) cost more than
/// the rest of a paragraph's test.
#[derive(Default)]
struct WordHashHasher(u64);

impl Hasher for WordHashHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(FNV_PRIME);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

type WordTable = HashMap<u64, u64, BuildHasherDefault<WordHashHasher>>;

/// Bits of [`StopWords::filter`]: 2^17 bits (16 KB), so that it stays in the L1 cache;
/// with all 53 lists (17,922 words) an eighth of them are set.
const FILTER_BITS: u32 = 17;

/// The bit of [`StopWords::filter`] for a word hash (from its high bits: the table's buckets
/// come from the low ones).
#[inline]
fn filter_bit(hash: u64) -> usize {
    (hash >> (64 - FILTER_BITS)) as usize
}

/// The function words of up to 64 languages, as one table of word -> languages.
pub(crate) struct StopWords {
    /// Word hash -> bit set of the languages (indices into `langs`) listing it.
    words: WordTable,
    /// A bit per [`filter_bit`] of every word hash in `words`: a word whose bit is clear is
    /// in no list, which one cached load tells. Most words of a text are in no list, and
    /// the table (half a megabyte) is mostly out of the cache when they are looked up.
    filter: Vec<u64>,
    langs: Vec<Language>,
}

impl StopWords {
    /// The lists of those of `langs` that have one (the first 64).
    pub(crate) fn new(langs: impl IntoIterator<Item = Language>) -> Self {
        let mut words = WordTable::default();
        let mut listed = Vec::new();
        for lang in langs {
            let code = lang.iso_code_639_1().to_string();
            let Some(list) = stop_words::lookup(&code) else {
                continue;
            };
            if listed.len() == 64 {
                break;
            }
            let bit = 1u64 << listed.len();
            listed.push(lang);
            for word in list {
                *words.entry(word_hash(word)).or_default() |= bit;
            }
        }
        let mut filter = vec![0u64; (1 << FILTER_BITS) / 64];
        for &hash in words.keys() {
            let bit = filter_bit(hash);
            filter[bit / 64] |= 1 << (bit % 64);
        }
        StopWords {
            words,
            filter,
            langs: listed,
        }
    }

    /// Whether `para` reads as `lang` by its function words: its [`Self::leader`] is `lang`.
    /// `false` says nothing (ask a detector), and so does a language without a list. (The
    /// stage asks the same of each paragraph through [`TextWords::evidence`].)
    #[cfg(test)]
    pub(crate) fn confirms(&self, para: &str, lang: Language) -> bool {
        self.langs.contains(&lang) && self.leader(para) == Some(lang)
    }

    /// The language `text` reads as by its function words, if one stands out (see
    /// [`Evidence::leader`]). `None` says nothing (ask a detector).
    #[cfg(test)]
    pub(crate) fn leader(&self, text: &str) -> Option<Language> {
        self.evidence(text).leader()
    }

    /// Counts the function words of `text`: one pass over its words, one table lookup each.
    pub(crate) fn evidence(&self, text: &str) -> Evidence {
        // About one word in six bytes, and under half of them function words: one
        // allocation instead of a growing vector.
        let mut hits: Vec<(u64, u64)> = Vec::with_capacity(text.len() / 12 + 4);
        let words = self.read_into(text, &mut hits);
        self.summarise(words, hits)
    }

    /// Whether `lang` has a list (else its function words say nothing).
    pub(crate) fn lists(&self, lang: Language) -> bool {
        self.langs.contains(&lang)
    }

    /// Appends each function word of `text` to `hits`, in order, with the languages listing
    /// it; returns the number of words of `text`.
    fn read_into(&self, text: &str, hits: &mut Vec<(u64, u64)>) -> usize {
        let mut words = 0usize;
        for (hash, _) in word_hashes(text) {
            words += 1;
            let bit = filter_bit(hash);
            if self.filter[bit / 64] & (1 << (bit % 64)) == 0 {
                continue;
            }
            if let Some(&set) = self.words.get(&hash) {
                hits.push((hash, set));
            }
        }
        words
    }

    /// The evidence of a text of `words` words whose function words are `hits` (in order,
    /// with the languages listing each).
    fn summarise(&self, words: usize, hits: Vec<(u64, u64)>) -> Evidence {
        let mut counts = [0usize; 64];
        for &(_, set) in &hits {
            let mut rest = set;
            while rest != 0 {
                counts[rest.trailing_zeros() as usize] += 1;
                rest &= rest - 1;
            }
        }
        let mut evidence = Evidence {
            words,
            lead: None,
            lead_index: 0,
            lead_count: 0,
            runner_up: 0,
            distinct: 0,
            counts,
            hits,
        };
        // The other counts are 0: languages without a list.
        let (lead, lead_count, runner_up) = lead_and_runner_up(&counts[..self.langs.len()]);
        let Some(&lang) = self.langs.get(lead).filter(|_| lead_count > 0) else {
            return evidence;
        };
        evidence.lead = Some(lang);
        evidence.lead_index = lead;
        evidence.lead_count = lead_count;
        evidence.runner_up = runner_up;
        let of_lead = evidence
            .hits
            .iter()
            .filter(|&&(_, set)| set & (1 << lead) != 0);
        evidence.distinct = count_distinct(of_lead.map(|&(hash, _)| hash), DISTINCT_COUNTED);
        evidence
    }
}

impl StopWords {
    /// `lang`'s bit in a word's set of languages, and how many of the function words `hits`
    /// are `lang`'s; `None` when `lang` has no list.
    fn hits_of(&self, hits: &[(u64, u64)], lang: Language) -> Option<(u64, usize)> {
        let index = self.langs.iter().position(|&l| l == lang)?;
        let bit = 1u64 << index;
        Some((bit, hits.iter().filter(|&&(_, set)| set & bit != 0).count()))
    }

    /// Whether `lang` is the [`Evidence::leader`] of a text of `words` words whose function
    /// words are `hits`, tested without building the evidence, and the counts of the other
    /// languages only when `lang`'s share of the words passes: `lang`'s function words pass
    /// [`LEADER`]'s tests of words and share, are at least [`LEADER`]'s margin times as many
    /// as any other language's (so `lang` leads: more than any other, or the only one with
    /// any), and [`LEADER`]'s distinct ones.
    fn leads(&self, words: usize, hits: &[(u64, u64)], lang: Language) -> bool {
        let Some((bit, count)) = self.hits_of(hits, lang) else {
            return false;
        };
        if count == 0 || words < LEADER.words || (count as f64) < LEADER.share * words as f64 {
            return false;
        }
        let mut counts = [0usize; 64];
        for &(_, set) in hits {
            let mut rest = set & !bit;
            while rest != 0 {
                counts[rest.trailing_zeros() as usize] += 1;
                rest &= rest - 1;
            }
        }
        let runner_up = counts.iter().copied().max().unwrap_or(0);
        if (count as f64) < LEADER.margin * runner_up as f64 {
            return false;
        }
        let of_lang = hits.iter().filter(|&&(_, set)| set & bit != 0);
        count_distinct(of_lang.map(|&(hash, _)| hash), DISTINCT_COUNTED) >= LEADER.distinct
    }
}

impl StopWords {
    /// Whether a text of `words` words whose function words are `hits` reads as `lang`
    /// by [`PREVAILS`]: `lang`'s function words are [`Prevails::share`] of its words
    /// ([`Prevails::distinct`] different ones at least), and against every other listed
    /// language with function words in the text, the words only `lang`'s list holds
    /// outnumber those only the rival's holds, [`Prevails::apart`] to 1 at least (so
    /// `lang` has more function words in the text than any other language).
    fn prevails(&self, words: usize, hits: &[(u64, u64)], lang: Language) -> bool {
        let Some((bit, count)) = self.hits_of(hits, lang) else {
            return false;
        };
        if count == 0 || (count as f64) < PREVAILS.share * words as f64 {
            return false;
        }
        // Only the languages with a word in the text can fall short.
        let mut rivals = hits.iter().fold(0, |all, &(_, set)| all | set) & !bit;
        while rivals != 0 {
            let rival = 1u64 << rivals.trailing_zeros();
            rivals &= rivals - 1;
            let only = |mine: u64, theirs: u64| {
                hits.iter()
                    .filter(|&&(_, set)| set & mine != 0 && set & theirs == 0)
                    .count()
            };
            let (lang_only, rival_only) = (only(bit, rival), only(rival, bit));
            if lang_only <= rival_only || (lang_only as f64) < PREVAILS.apart * rival_only as f64 {
                return false;
            }
        }
        let of_lang = hits.iter().filter(|&&(_, set)| set & bit != 0);
        count_distinct(of_lang.map(|&(hash, _)| hash), DISTINCT_COUNTED) >= PREVAILS.distinct
    }
}

/// The index of the largest of `counts` (the last of a tie; 0 for none), its count, and the
/// largest count at any other index (0 for none), in one pass.
fn lead_and_runner_up(counts: &[usize]) -> (usize, usize, usize) {
    let (mut lead, mut lead_count, mut runner_up) = (0, 0, 0);
    for (i, &n) in counts.iter().enumerate() {
        if n >= lead_count {
            // The lead so far becomes one of the others.
            runner_up = runner_up.max(lead_count);
            (lead, lead_count) = (i, n);
        } else {
            runner_up = runner_up.max(n);
        }
    }
    (lead, lead_count, runner_up)
}

/// Slots of [`count_distinct`]'s set: twice the most values it counts, so that a probe
/// mostly finds its slot at once.
const DISTINCT_SLOTS: usize = 64;

/// How many different values `hashes` (word hashes) has, counted up to `limit` (at most
/// half of [`DISTINCT_SLOTS`]): a small open-addressing set on the hashes' top bits
/// instead of searching the list of those found for each word (the same count).
fn count_distinct(hashes: impl Iterator<Item = u64>, limit: usize) -> usize {
    debug_assert!(limit <= DISTINCT_SLOTS / 2);
    let mut slots = [0u64; DISTINCT_SLOTS];
    let mut used = 0u64;
    let mut count = 0;
    for hash in hashes {
        let mut i = (hash >> (64 - DISTINCT_SLOTS.trailing_zeros())) as usize;
        loop {
            if used & (1 << i) == 0 {
                used |= 1 << i;
                slots[i] = hash;
                count += 1;
                if count == limit {
                    return count;
                }
                break;
            }
            if slots[i] == hash {
                break;
            }
            i = (i + 1) % DISTINCT_SLOTS;
        }
    }
    count
}

/// The function words of one text, read once and kept by span, so that the evidence of
/// several spans of it costs one reading of the text: the document's sample is the start
/// of its first paragraphs, whose evidence is asked next.
pub(crate) struct TextWords<'a> {
    text: &'a str,
    /// Where the reading stops to place a mark on its way (the ends of the paragraphs):
    /// positions no word crosses.
    breaks: Vec<usize>,
    /// The positions read up to (ascending, from 0), with what was found before each.
    marks: Vec<Mark>,
    /// Each function word read so far, in order, with the set of languages listing it.
    hits: Vec<(u64, u64)>,
}

/// A position of a [`TextWords`] reading, and how many words and function words (of
/// [`TextWords::hits`]) come before it.
#[derive(Debug, Clone, Copy)]
struct Mark {
    at: usize,
    words: usize,
    hits: usize,
}

/// Whether no word (run of letters) of `text` crosses byte `at`: a span that starts or
/// ends there has the same words alone as within the text.
fn is_word_boundary(text: &str, at: usize) -> bool {
    let is_letter = |c: Option<char>| c.is_some_and(|c| letter(c, 0).is_some());
    text.is_char_boundary(at)
        && !(is_letter(text[..at].chars().next_back()) && is_letter(text[at..].chars().next()))
}

impl<'a> TextWords<'a> {
    /// Nothing read yet; the reading will place marks at `breaks` (byte offsets; those that
    /// a word crosses are left out).
    pub(crate) fn new(text: &'a str, breaks: impl IntoIterator<Item = usize>) -> Self {
        let mut breaks: Vec<usize> = breaks
            .into_iter()
            .filter(|&at| at <= text.len() && is_word_boundary(text, at))
            .collect();
        breaks.sort_unstable();
        TextWords {
            text,
            breaks,
            marks: vec![Mark {
                at: 0,
                words: 0,
                hits: 0,
            }],
            hits: Vec::with_capacity(text.len() / 12 + 4),
        }
    }

    /// `StopWords::evidence(&text[start..end])`. From the words read before when `start`
    /// is a mark, reading on to `end` when it lies beyond (and no word crosses it); a span
    /// that does not start at a mark or ends inside the part read but not at a mark is read
    /// on its own.
    pub(crate) fn evidence(&mut self, lists: &StopWords, start: usize, end: usize) -> Evidence {
        match self.span(lists, start, end) {
            Some((words, a, b)) => lists.summarise(words, self.hits[a..b].to_vec()),
            None => lists.evidence(&self.text[start..end]),
        }
    }

    /// `self.evidence(lists, start, end).leader() == Some(lang)` (see
    /// [`StopWords::leads`]), asked of every paragraph: no evidence is built.
    pub(crate) fn leads(
        &mut self,
        lists: &StopWords,
        start: usize,
        end: usize,
        lang: Language,
    ) -> bool {
        match self.span(lists, start, end) {
            Some((words, a, b)) => lists.leads(words, &self.hits[a..b], lang),
            None => lists.evidence(&self.text[start..end]).leader() == Some(lang),
        }
    }

    /// `StopWords::prevails` for the span `start..end` (see [`PREVAILS`]), asked of the
    /// paragraphs that [`Self::leads`] does not settle.
    pub(crate) fn prevails(
        &mut self,
        lists: &StopWords,
        start: usize,
        end: usize,
        lang: Language,
    ) -> bool {
        match self.span(lists, start, end) {
            Some((words, a, b)) => lists.prevails(words, &self.hits[a..b], lang),
            None => {
                let mut hits = Vec::new();
                let words = lists.read_into(&self.text[start..end], &mut hits);
                lists.prevails(words, &hits, lang)
            }
        }
    }

    /// The words of `start..end` and the range of its function words in `hits`, when the
    /// reading has (or now places) marks at both ends (see [`Self::evidence`]).
    fn span(
        &mut self,
        lists: &StopWords,
        start: usize,
        end: usize,
    ) -> Option<(usize, usize, usize)> {
        let read_to = self.marks.last().map_or(0, |m| m.at);
        let from = self.mark_at(start);
        if from.is_some() && end > read_to && is_word_boundary(self.text, end) {
            self.read_to(lists, end);
        }
        match (from, self.mark_at(end)) {
            (Some(a), Some(b)) if a.at <= b.at => Some((b.words - a.words, a.hits, b.hits)),
            _ => None,
        }
    }

    fn mark_at(&self, at: usize) -> Option<Mark> {
        let i = self.marks.binary_search_by_key(&at, |m| m.at).ok()?;
        Some(self.marks[i])
    }

    /// Reads on from the last mark to `end` (a word boundary beyond it), placing a mark at
    /// each break passed and at `end`.
    fn read_to(&mut self, lists: &StopWords, end: usize) {
        let Some(mut last) = self.marks.last().copied() else {
            return;
        };
        while last.at < end {
            let next = self
                .breaks
                .iter()
                .copied()
                .find(|&b| b > last.at)
                .map_or(end, |b| b.min(end));
            let words = lists.read_into(&self.text[last.at..next], &mut self.hits);
            last = Mark {
                at: next,
                words: last.words + words,
                hits: self.hits.len(),
            };
            self.marks.push(last);
        }
    }
}

/// What the function words of a text say: how many words it has, the listed language with
/// the most function words among them, and how far it is ahead.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Evidence {
    /// Words (runs of letters) of the text.
    pub(crate) words: usize,
    /// The listed language with the most function words in the text (the last of a tie).
    pub(crate) lead: Option<Language>,
    /// `lead`'s index into the lists' languages (bit in a word's set).
    lead_index: usize,
    /// Words of the text in `lead`'s list.
    pub(crate) lead_count: usize,
    /// The most words of the text in any other listed language's list (words several lists
    /// hold count for each).
    pub(crate) runner_up: usize,
    /// Different words of `lead`'s list in the text, counted up to [`DISTINCT_COUNTED`].
    pub(crate) distinct: usize,
    /// Words of the text in each listed language's list.
    counts: [usize; 64],
    /// Each function word of the text, in order, with the set of languages listing it.
    hits: Vec<(u64, u64)>,
}

/// How strict a function-word test is: see [`Evidence::passes`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Thresholds {
    /// Words the text needs.
    pub(crate) words: usize,
    /// Share of its words that must be the leader's function words.
    pub(crate) share: f64,
    /// How many times as many of the leader's function words as of any other language's.
    pub(crate) margin: f64,
    /// Different function words of the leader the text must use.
    pub(crate) distinct: usize,
    /// The least [`Evidence::confidence`]: how far the words only the leader's list holds
    /// outnumber those only a rival's holds.
    pub(crate) apart: f64,
}

/// The test [`Evidence::leader`] applies: a paragraph full of the document language's
/// function words needs no detector, and whatlang may be narrowed to the leader's family.
const LEADER: Thresholds = Thresholds {
    words: MIN_WORDS,
    share: MIN_SHARE,
    margin: MARGIN as f64,
    distinct: MIN_DISTINCT,
    apart: 0.0,
};

/// The stricter test [`Evidence::decisive`] applies before the function words alone name a
/// text's language: more words, a larger share of function words and more different ones
/// than [`LEADER`], the same raw margin (French's articles are in the Spanish, Romanian and
/// English lists, so a raw margin of 3 leaves nearly every French text to whatlang), and a
/// margin over every other listed language on the words that tell the two apart:
/// [`Evidence::confidence`] 0.93 or more, i.e. the words only the leader's list holds
/// outnumber those only the rival's holds 14 to 1, for the closest relative too. Tuned
/// on lingua's test sentences (even half, by line index) joined to 250 to 1000 characters:
/// 1,916 of 21,178 texts decided, none wrongly (raw margin 2 without the confidence test:
/// Catalan and Maori as English; 0.85 instead of 0.93: Maori as English). On the odd half,
/// 1,977 decided, one wrongly (a "Catalan" text that is mostly an English sentence). See
/// the `decisive_thresholds` test.
pub(crate) const DECISIVE: Thresholds = Thresholds {
    words: 30,
    share: 0.4,
    margin: 2.0,
    distinct: 10,
    apart: 0.93,
};

/// How far a paragraph's function words must favour the document language before it is
/// taken to be in that language without whatlang's probe ([`TextWords::prevails`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Prevails {
    /// Share of the paragraph's words that must be the language's function words.
    pub(crate) share: f64,
    /// Different function words of the language the paragraph must use.
    pub(crate) distinct: usize,
    /// How many times the words only the language's list holds must outnumber those only
    /// a rival's list holds (and they must be more).
    pub(crate) apart: f64,
}

/// [`Prevails`] for German news paragraphs that failed [`LEADER`] (names, results,
/// quotes): a lower share and fewer distinct words than [`LEADER`], but a margin against
/// every other listed language on the words that tell the two apart. Tuned on the
/// paragraphs of the first 20 MB of the bench corpus that reach whatlang's probe: it takes
/// 1,506 of the 1,860 the probe places in German and 9 of the 58 it does not, all German
/// (names and results the probe calls Dutch or French); on 100 MB 7,715 of 9,603 and 45
/// of 282, again all German (repeated paragraphs counted each time).
pub(crate) const PREVAILS: Prevails = Prevails {
    share: 0.2,
    distinct: 3,
    apart: 2.0,
};

/// Different function words of the leader [`StopWords::evidence`] counts at most (more
/// than any threshold on them needs).
const DISTINCT_COUNTED: usize = 16;

impl Evidence {
    /// Whether the leader stands out by `t`: [`Thresholds::words`] words or more,
    /// [`Thresholds::share`] of them the leader's function words ([`Thresholds::distinct`]
    /// different ones at least), [`Thresholds::margin`] times as many as any other listed
    /// language's, and a [`Self::confidence`] of [`Thresholds::apart`] or more.
    pub(crate) fn passes(&self, t: &Thresholds) -> bool {
        self.lead.is_some()
            && self.words >= t.words
            && self.lead_count as f64 >= t.share * self.words as f64
            && self.lead_count as f64 >= t.margin * self.runner_up as f64
            && self.distinct >= t.distinct
            && (t.apart <= 0.0 || self.confidence() >= t.apart)
    }

    /// The language the text reads as by its function words, if one stands out: the text
    /// has [`MIN_WORDS`] words or more, [`MIN_SHARE`] of them are the language's function
    /// words ([`MIN_DISTINCT`] different ones at least), and [`MARGIN`] times as many as
    /// any other listed language's.
    pub(crate) fn leader(&self) -> Option<Language> {
        self.lead.filter(|_| self.passes(&LEADER))
    }

    /// The leader when the function words decide the language alone ([`DECISIVE`]), with
    /// its confidence ([`Self::confidence`]), which is computed once: for the test of
    /// [`Thresholds::apart`] and for the answer.
    pub(crate) fn decisive(&self) -> Option<(Language, f64)> {
        let all_but_apart = Thresholds {
            apart: 0.0,
            ..DECISIVE
        };
        let lang = self.lead.filter(|_| self.passes(&all_but_apart))?;
        let confidence = self.confidence();
        (confidence >= DECISIVE.apart).then_some((lang, confidence))
    }

    /// How clearly the function words set the leader apart from its nearest rival, in 0..1:
    /// for each other listed language with function words in the text, the words that
    /// tell the two apart are those only one of the two lists holds; of these, the share
    /// of the rival's against the leader's, `1 - rival_only / leader_only`; the lowest over
    /// all rivals (0 when a rival has as many, 1 when every other language's function words
    /// in the text are also the leader's). Words both lists hold (German and Dutch `die`,
    /// `in`) say nothing either way. [`DECISIVE`] asks for 0.93 or more, well above the
    /// default `min_confidence` (0.5), so a decisive answer is never rejected as unsure;
    /// on the bench corpus' German documents it is 0.93 to 1 (median 0.98) where whatlang
    /// said 1.
    pub(crate) fn confidence(&self) -> f64 {
        if self.lead.is_none() {
            return 0.0;
        }
        let lead_bit = 1u64 << self.lead_index;
        // Words of each other language's list that the leader's list also holds.
        let mut shared = [0usize; 64];
        for &(_, set) in self.hits.iter().filter(|&&(_, set)| set & lead_bit != 0) {
            let mut rest = set & !lead_bit;
            while rest != 0 {
                shared[rest.trailing_zeros() as usize] += 1;
                rest &= rest - 1;
            }
        }
        let mut confidence: f64 = 1.0;
        for (rival, &count) in self.counts.iter().enumerate() {
            if rival == self.lead_index || count == 0 {
                continue;
            }
            let leader_only = (self.lead_count - shared[rival]) as f64;
            let rival_only = (count - shared[rival]) as f64;
            let apart = if leader_only > 0.0 {
                1.0 - rival_only / leader_only
            } else {
                0.0
            };
            confidence = confidence.min(apart.max(0.0));
        }
        confidence
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lists() -> StopWords {
        StopWords::new([
            Language::German,
            Language::English,
            Language::Dutch,
            Language::French,
            Language::Bosnian,
        ])
    }

    #[test]
    fn german_paragraph_is_confirmed_as_german_only() {
        let para = "Die Streiks sollen zunächst bis zum Ende der Woche dauern, teilte die \
                    Gewerkschaft am Montag mit. Danach werde man über weitere Schritte beraten.";
        let lists = lists();
        assert!(lists.confirms(para, Language::German));
        assert!(!lists.confirms(para, Language::English));
        assert!(!lists.confirms(para, Language::Dutch));
    }

    #[test]
    fn english_paragraph_is_not_german() {
        let para = "The government said on Monday that it would not change its plans for the \
                    new airport, despite protests from residents who fear the noise.";
        let lists = lists();
        assert!(lists.confirms(para, Language::English));
        assert!(!lists.confirms(para, Language::German));
    }

    #[test]
    fn a_few_short_list_entries_do_not_decide() {
        // Bosnian has no list; "a" and "sg" are in the English one.
        let para = "Najveći prečnik je 0,20 (25 hiljada sg) a najmanji 0,1 uglovnih minuta \
                    (13 hiljade sg).";
        let lists = lists();
        assert!(!lists.confirms(para, Language::English));
        assert!(!lists.confirms(para, Language::Bosnian));
    }

    #[test]
    fn the_leader_is_the_language_whose_function_words_stand_out() {
        let lists = lists();
        let german = "Die Streiks sollen zunächst bis zum Ende der Woche dauern, teilte die \
                      Gewerkschaft am Montag mit.";
        assert_eq!(lists.leader(german), Some(Language::German));
        let dutch = "De regering heeft maandag gezegd dat zij de plannen voor het nieuwe \
                     vliegveld niet zal wijzigen, ondanks de protesten van de bewoners.";
        assert_eq!(lists.leader(dutch), Some(Language::Dutch));
        // Half German, half English: neither has twice the other's function words.
        let mixed = "Die Regierung hat am Montag gesagt, dass sie nicht will. The government \
                     said on Monday that it would not change its plans for the airport.";
        assert_eq!(lists.leader(mixed), None);
        assert_eq!(
            lists.leader("Berlin, München, Hamburg, Köln, Frankfurt, Stuttgart"),
            None
        );
    }

    #[test]
    fn confidence_weighs_only_the_words_that_tell_languages_apart() {
        let lists = lists();
        // "die", "in", "der" are Dutch words too: they do not lower the confidence.
        let german = "Die Streiks sollen zunächst bis zum Ende der Woche dauern, teilte die \
                      Gewerkschaft am Montag in Berlin mit.";
        let e = lists.evidence(german);
        assert_eq!(e.lead, Some(Language::German));
        assert!(e.runner_up > 0, "{e:?}");
        assert!(e.confidence() > 0.9, "{e:?}");
        // Half German, half English: each has as many words of its own.
        let mixed = "Die Regierung hat am Montag gesagt, dass sie nicht will. The government \
                     said on Monday that it would not change its plans for the airport.";
        assert!(lists.evidence(mixed).confidence() < 0.5);
        for text in ["", "Berlin München", german, mixed] {
            let c = lists.evidence(text).confidence();
            assert!((0.0..=1.0).contains(&c), "{c} for {text:?}");
        }
        assert_eq!(lists.evidence("Berlin München").confidence(), 0.0);
    }

    #[test]
    fn short_paragraphs_say_nothing() {
        assert!(!lists().confirms("Die Lage ist und bleibt ernst.", Language::German));
    }

    #[test]
    fn sentence_starts_count_like_lowercase_words() {
        assert_eq!(word_hash("Die"), word_hash("die"));
        assert_eq!(word_hash("ÜBER"), word_hash("über"));
    }

    /// The reference for [`WordHashes`]: the same words, one `char` at a time with the
    /// standard library's classification and lowercasing.
    fn simple(text: &str) -> Vec<(u64, bool)> {
        let mut out = Vec::new();
        let mut chars = text.chars();
        loop {
            let (mut hash, mut started, mut upper) = (FNV_OFFSET, false, false);
            let mut ended = true;
            for c in chars.by_ref() {
                if c.is_alphabetic() {
                    upper |= c.is_uppercase();
                    for lower in c.to_lowercase() {
                        hash = (hash ^ u64::from(lower)).wrapping_mul(FNV_PRIME);
                    }
                    started = true;
                } else if started {
                    ended = false;
                    break;
                }
            }
            if started {
                out.push((hash, upper));
            }
            if ended {
                return out;
            }
        }
    }

    #[test]
    fn word_hashes_match_the_simple_version() {
        // Every character up to U+0600 (Latin, Greek, Cyrillic, Armenian, Hebrew), and a few
        // beyond, each alone between two letters and spaces, and runs of them.
        let mut chars: Vec<char> = (0..0x600u32).filter_map(char::from_u32).collect();
        chars.extend([
            'İ',
            'ẞ',
            'Ω',
            'ǅ',
            'ﬃ',
            '中',
            '文',
            '\u{10400}',
            '\u{1F600}',
            '\u{200B}',
        ]);
        let mut text = String::new();
        for &c in &chars {
            text.push('a');
            text.push(c);
            text.push_str("b x");
            text.push(c);
            text.push(' ');
            text.push(c);
            text.push_str("Q ");
        }
        let runs: String = chars.iter().collect();
        for t in [
            text.as_str(),
            runs.as_str(),
            "",
            "é",
            "ÄÖÜ äöü ß×÷ÿ",
            "x",
            "×",
            "a1b2c",
        ] {
            assert_eq!(word_hashes(t).collect::<Vec<_>>(), simple(t), "{t:?}");
        }
        // Every Latin-1 letter by itself, against `word_hash` and `char::is_uppercase`.
        for c in (0xC0..=0xFFu32).filter_map(char::from_u32) {
            let got: Vec<(u64, bool)> = word_hashes(&c.to_string()).collect();
            if c.is_alphabetic() {
                assert_eq!(got, [(word_hash(&c.to_string()), c.is_uppercase())], "{c}");
            } else {
                assert!(got.is_empty(), "{c}");
            }
        }
        for t in [
            SEED_LIKE,
            "Über 3 Straßen, ÉTÉ-Pläne und İstanbul; der Bund.",
        ] {
            assert_eq!(word_hashes(t).collect::<Vec<_>>(), simple(t), "{t:?}");
        }
    }

    /// The iterator before it read eight ASCII bytes at a time: one byte (or non-ASCII
    /// character) at a time, with the same classification.
    fn byte_at_a_time(text: &str) -> Vec<(u64, bool)> {
        let bytes = text.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        loop {
            loop {
                let Some(&b) = bytes.get(i) else {
                    return out;
                };
                if b.is_ascii() {
                    if b.is_ascii_alphabetic() {
                        break;
                    }
                    i += 1;
                } else {
                    let c = text[i..].chars().next().unwrap();
                    if letter(c, 0).is_some() {
                        break;
                    }
                    i += c.len_utf8();
                }
            }
            let (mut hash, mut upper) = (FNV_OFFSET, false);
            while let Some(&b) = bytes.get(i) {
                if b.is_ascii() {
                    i += 1;
                    if !b.is_ascii_alphabetic() {
                        break;
                    }
                    upper |= b <= b'Z';
                    hash = (hash ^ u64::from(b | 0x20)).wrapping_mul(FNV_PRIME);
                } else {
                    let c = text[i..].chars().next().unwrap();
                    i += c.len_utf8();
                    let Some((is_upper, h)) = letter(c, hash) else {
                        break;
                    };
                    upper |= is_upper;
                    hash = h;
                }
            }
            out.push((hash, upper));
        }
    }

    /// The iterator before a word's last eight bytes also told where the next word starts:
    /// each word read from the next character on, the word's end found again.
    fn one_word_at_a_time(text: &str) -> Vec<(u64, bool)> {
        let mut pos = 0;
        let mut out = Vec::new();
        while let Some(word) = next_of_one_word(text, &mut pos) {
            out.push(word);
        }
        out
    }

    fn next_of_one_word(text: &str, pos: &mut usize) -> Option<(u64, bool)> {
        let bytes = text.as_bytes();
        let mut i = *pos;
        // Up to the first letter. `i` is always at the start of a character (the loops step
        // over whole characters, or over ASCII bytes up to the next character), so
        // `text[i..]` never panics.
        loop {
            if let Some(w) = eight_bytes_at(bytes, i) {
                let stops = ascii_letter_lanes(w) | (w & HIGH_BITS);
                if stops == 0 {
                    i += 8;
                    continue;
                }
                i += (stops.trailing_zeros() / 8) as usize;
            }
            let Some(&b) = bytes.get(i) else {
                *pos = i;
                return None;
            };
            if b.is_ascii() {
                if b.is_ascii_alphabetic() {
                    break;
                }
                i += 1;
            } else {
                let c = text[i..].chars().next()?;
                if letter(c, 0).is_some() {
                    break;
                }
                i += c.len_utf8();
            }
        }
        // The word, up to the character after it (read and left behind).
        let (mut hash, mut upper) = (FNV_OFFSET, false);
        loop {
            if let Some(w) = eight_bytes_at(bytes, i) {
                let letters = ascii_letter_lanes(w);
                let run = (!letters & HIGH_BITS).trailing_zeros() / 8;
                let in_run = u64::MAX.checked_shr(64 - 8 * run).unwrap_or(0);
                // An ASCII letter is uppercase when its bit 5 is clear (`<< 2` moves bit 5
                // of each byte to its top bit).
                upper |= letters & !(w << 2) & in_run != 0;
                let mut lower = w | CASE_BITS;
                for _ in 0..run {
                    hash = (hash ^ (lower & 0xFF)).wrapping_mul(FNV_PRIME);
                    lower >>= 8;
                }
                i += run as usize;
                if run == 8 {
                    continue;
                }
            }
            let Some(&b) = bytes.get(i) else {
                break;
            };
            if b.is_ascii() {
                i += 1;
                if !b.is_ascii_alphabetic() {
                    break;
                }
                upper |= b <= b'Z';
                hash = (hash ^ u64::from(b | 0x20)).wrapping_mul(FNV_PRIME);
            } else {
                let Some(c) = text[i..].chars().next() else {
                    break;
                };
                i += c.len_utf8();
                let Some((is_upper, h)) = letter(c, hash) else {
                    break;
                };
                upper |= is_upper;
                hash = h;
            }
        }
        *pos = i;
        Some((hash, upper))
    }

    #[test]
    fn words_found_from_the_word_before_as_one_at_a_time() {
        // Words of several languages and scripts, capitalised, with punctuation, digits,
        // very long words and empty paragraphs, so that words end at every offset of the
        // eight bytes read and the next one starts in them, after them, or on a non-ASCII
        // letter.
        let alphabet = [
            "der ",
            "Die ",
            "und",
            " ",
            "  ",
            ", ",
            ". ",
            "-",
            "\n\n",
            "\n\n\n\n",
            "42",
            "3,5 ",
            "THE ",
            "of",
            "été ",
            "Ärger",
            "ß",
            "über ",
            "İ",
            "Дума ",
            "Ελλάδα",
            "中文",
            "😀",
            "«",
            "»",
            "„",
            "“",
            "—",
            "\u{200B}",
            "a",
            "Z",
            "Donaudampfschifffahrtsgesellschaftskapitänsmütze",
            "abcdefghijklmnopqrstuvwxyz",
        ];
        let mut texts = random_texts(&alphabet, 60, 2000);
        texts.extend(random_texts(&alphabet[..12], 300, 200));
        for pad in 0..16 {
            for word in 1..10 {
                texts.push(format!("{}{} x", " ".repeat(pad), "a".repeat(word)));
                texts.push(format!("{}{}.ü", " ".repeat(pad), "B".repeat(word)));
                texts.push(format!(
                    "{}{}-{}",
                    "x".repeat(pad),
                    "c".repeat(word),
                    "d".repeat(pad)
                ));
            }
        }
        let mut words = 0;
        for t in &texts {
            let fast: Vec<(u64, bool)> = word_hashes(t).collect();
            assert_eq!(fast, one_word_at_a_time(t), "{t:?}");
            words += fast.len();
        }
        assert!(words > 50_000, "{words}");
    }

    #[test]
    fn is_alphabetic_as_the_standard_library() {
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            assert_eq!(is_alphabetic(c), c.is_alphabetic(), "{c:?}");
        }
    }

    /// A fixed xorshift sequence from `seed` (not 0), for test inputs.
    fn xorshift(mut state: u64) -> impl FnMut() -> u64 {
        move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        }
    }

    /// Texts of `n` characters drawn from `alphabet` by a fixed xorshift sequence.
    fn random_texts(alphabet: &[&str], n: usize, count: usize) -> Vec<String> {
        let mut next = xorshift(0x9E37_79B9_7F4A_7C15);
        (0..count)
            .map(|_| {
                (0..n)
                    .map(|_| alphabet[(next() % alphabet.len() as u64) as usize])
                    .collect()
            })
            .collect()
    }

    #[test]
    fn eight_bytes_at_a_time_hash_as_one_at_a_time() {
        // Every byte value below 0x80 and the Latin-1 letters, alone and in runs that cross
        // the eight-byte steps at every offset, and long ASCII words.
        let ascii: String = (0u8..0x80).map(char::from).collect();
        let long_word = "Donaudampfschifffahrtsgesellschaftskapitänsmütze".repeat(3);
        let mut texts = vec![
            String::new(),
            ascii.clone(),
            ascii.repeat(3),
            long_word.clone(),
            "abcdefgh".to_owned(),
            "ABCDEFGH ijklmnop QRSTUVWX".to_owned(),
            "abcdefg@[`{ ZYXWVUT".to_owned(),
            "Über 3 Straßen, ÉTÉ-Pläne und İstanbul; der Bund. 😀 emoji😀mitten drin".to_owned(),
            SEED_LIKE.to_owned(),
        ];
        for offset in 0..9 {
            let pad = " ".repeat(offset);
            texts.push(format!("{pad}{long_word} x{pad}Ab"));
            texts.push(format!("{pad}abcdefgh{pad}äbcdefgh{pad}abcdefgä"));
        }
        let alphabet = [
            "a", "b", "Z", "Q", "e", "n", " ", " ", ",", ".", "-", "\n", "1", "@", "[", "`", "{",
            "ä", "Ö", "ß", "é", "×", "İ", "ẞ", "Ω", "д", "中", "😀", "\u{200B}", "ﬃ",
        ];
        texts.extend(random_texts(&alphabet, 40, 400));
        texts.extend(random_texts(&alphabet[..12], 200, 100));
        for t in &texts {
            let fast: Vec<(u64, bool)> = word_hashes(t).collect();
            assert_eq!(fast, one_word_at_a_time(t), "{t:?}");
            assert_eq!(fast, byte_at_a_time(t), "{t:?}");
            assert_eq!(fast, simple(t), "{t:?}");
        }
        // The words are really there: the comparison is not of empty lists.
        assert_eq!(word_hashes(&long_word).count(), 1);
        assert!(word_hashes(&long_word).next().unwrap().1);
        assert_eq!(
            word_hashes("abcdefgh").next(),
            Some((word_hash("ABCDEFGH"), false))
        );
        assert_eq!(word_hashes(&ascii).count(), 2);
    }

    #[test]
    fn text_words_give_the_evidence_of_each_span_read_alone() {
        let all = StopWords::new(crate::config::compiled_languages());
        let german = "Die Streiks sollen zunächst bis zum Ende der Woche dauern, teilte die \
                      Gewerkschaft am Montag mit. Danach werde man über weitere Schritte beraten.";
        let english = "The government said on Monday that it would not change its plans for \
                       the new airport, despite protests from residents who fear the noise.";
        let texts = [
            format!("{german}\n\n{english}\n\nKurz.\n\n{german} {german}"),
            format!("{german} {english}"),
            format!("Straße\n\nÜber{german}\n\n😀 ÄÖÜ\n\n"),
            "\n\n\n\nund die der".to_owned(),
            String::new(),
        ];
        let mut compared = 0;
        for text in &texts {
            let breaks: Vec<usize> = text.match_indices("\n\n").map(|(at, _)| at + 2).collect();
            let mut edges: Vec<usize> = vec![0, text.len()];
            edges.extend(&breaks);
            // Cuts inside words and after them, as a document's sample makes.
            for cut in [5, 17, 60, 100, 101, 150, 233] {
                if cut < text.len() && text.is_char_boundary(cut) {
                    edges.push(cut);
                }
            }
            // The stage's order (a sample from the start, then the paragraphs in order),
            // then spans that reach back, skip ahead, or start where no reading stopped.
            for &cut in &edges {
                let mut words = TextWords::new(text, breaks.iter().copied());
                let mut spans = vec![(0, cut)];
                let mut start = 0;
                for &end in breaks.iter().chain([&text.len()]) {
                    spans.push((start, end));
                    start = end;
                }
                for &a in &edges {
                    for &b in edges.iter().filter(|&&b| b >= a) {
                        spans.push((a, b));
                    }
                }
                for (a, b) in spans {
                    let shared = words.evidence(&all, a, b);
                    assert_eq!(shared, all.evidence(&text[a..b]), "{a}..{b} of {text:?}");
                    compared += usize::from(shared.lead.is_some());
                }
            }
        }
        assert!(compared > 100, "{compared}");
        // A span read through the shared reading is not its part of a longer word.
        let mut words = TextWords::new("abc def", []);
        assert_eq!(words.evidence(&all, 0, 2).words, 1);
        assert_eq!(words.evidence(&all, 0, 7).words, 2);
        assert_eq!(words.evidence(&all, 2, 7).words, 2);
        // Read once: the cut inside a word placed no mark, the end of the text did.
        let read: Vec<usize> = words.marks.iter().map(|m| m.at).collect();
        assert_eq!(read, [0, 7]);
        assert!(!is_word_boundary("abc", 1));
        assert!(is_word_boundary("abc def", 3) && is_word_boundary("abc", 3));
        assert!(is_word_boundary("ab ü", 3) && !is_word_boundary("üü", 2));
    }

    /// The count [`count_distinct`] replaced: a list of the values found, searched for each.
    fn distinct_by_list(hashes: &[u64], limit: usize) -> usize {
        let mut found: Vec<u64> = Vec::new();
        for &hash in hashes {
            if !found.contains(&hash) {
                found.push(hash);
                if found.len() == limit {
                    break;
                }
            }
        }
        found.len()
    }

    #[test]
    fn distinct_counts_as_a_searched_list() {
        let mut next = xorshift(0x2545_F491_4F6C_DD1D);
        let mut seen_limit = 0;
        for round in 0..2000 {
            let len = round % 97;
            // Few distinct values (many repeats), values that share their top bits (the
            // same slot), and words' real hashes.
            let pool: Vec<u64> = match round % 3 {
                0 => (0..1 + round % 23).map(|_| next()).collect(),
                1 => (0..40).map(|k| (round as u64 % 4) << 58 | k).collect(),
                _ => [
                    "der", "die", "das", "und", "in", "zu", "den", "mit", "über", "ß",
                ]
                .iter()
                .map(|w| word_hash(w))
                .collect(),
            };
            let hashes: Vec<u64> = (0..len)
                .map(|_| pool[(next() % pool.len() as u64) as usize])
                .collect();
            for limit in [1, 4, DISTINCT_COUNTED, DISTINCT_SLOTS / 2] {
                let expected = distinct_by_list(&hashes, limit);
                seen_limit += usize::from(expected == limit && limit > 4);
                assert_eq!(
                    count_distinct(hashes.iter().copied(), limit),
                    expected,
                    "{hashes:?} up to {limit}"
                );
            }
        }
        assert!(seen_limit > 100, "{seen_limit}");
        assert_eq!(count_distinct([].into_iter(), 16), 0);
    }

    #[test]
    fn lead_and_runner_up_as_two_searches() {
        let mut next = xorshift(0x1234_5678_9ABC_DEF1);
        let mut led = 0;
        for round in 0..3000 {
            // Counts of the listed languages (the rest stay 0), small so that ties are common.
            let listed = round % 65;
            let mut counts = [0usize; 64];
            for n in counts.iter_mut().take(listed) {
                *n = (next() % (1 + round as u64 % 5)) as usize;
            }
            // What `summarise` did before: the last largest of all 64, then the largest of
            // the others.
            let (old_lead, &old_count) =
                counts.iter().enumerate().max_by_key(|&(_, n)| *n).unwrap();
            let old_runner_up = counts
                .iter()
                .enumerate()
                .filter(|&(i, _)| i != old_lead)
                .map(|(_, &n)| n)
                .max()
                .unwrap_or(0);
            let (lead, count, runner_up) = lead_and_runner_up(&counts[..listed]);
            assert_eq!((count, runner_up), (old_count, old_runner_up), "{counts:?}");
            if count > 0 {
                assert_eq!(lead, old_lead, "{counts:?}");
                led += usize::from(runner_up == count);
            }
        }
        assert!(led > 100, "ties compared: {led}");
        assert_eq!(lead_and_runner_up(&[]), (0, 0, 0));
        assert_eq!(lead_and_runner_up(&[3, 5, 5, 1]), (2, 5, 5));
        assert_eq!(lead_and_runner_up(&[7, 2, 4]), (0, 7, 4));
    }

    const SEED_LIKE: &str = "Die Streiks sollen zunächst bis zum Ende der Woche dauern.\n\n\
        «Ça va», dit-il — l’été à Zürich: 42 °C, µ-Wellen, naïve Façade; Ærø og Ø. \
        Дума приняла закон. Ελλάδα. İstanbul'da ılık.";

    #[test]
    fn leads_as_the_leader_of_the_evidence() {
        let all = StopWords::new(crate::config::compiled_languages());
        // Function words of German, Dutch, English and Danish (several in more than one
        // list), other words and paragraph breaks; texts with more of one language's.
        let mixed = [
            "der ",
            "die ",
            "in ",
            "de ",
            "het ",
            "the ",
            "and ",
            "og ",
            "er ",
            "Haus ",
            "Straße, ",
            "Zug. ",
            "x ",
            "\n\n",
        ];
        let by_lang: [(Language, &[&str]); 5] = [
            (
                Language::German,
                &["und ", "nicht ", "auch ", "sich ", "mit ", "über "],
            ),
            (
                Language::Dutch,
                &["een ", "van ", "niet ", "ook ", "zijn ", "maar "],
            ),
            (
                Language::English,
                &["of ", "not ", "also ", "with ", "but ", "which "],
            ),
            (
                Language::Danish,
                &["ikke ", "også ", "med ", "men ", "af ", "jeg "],
            ),
            (Language::Bosnian, &["nije ", "ali ", "sa ", "koji "]),
        ];
        let (mut led, mut not_led) = (0, 0);
        for (lang, own) in by_lang {
            let mut alphabet = mixed.to_vec();
            for _ in 0..3 {
                alphabet.extend(own);
            }
            for text in random_texts(&alphabet, 80, 100) {
                let breaks: Vec<usize> = text.match_indices("\n\n").map(|(at, _)| at + 2).collect();
                let mut words = TextWords::new(&text, breaks.iter().copied());
                let mut spans = vec![(0, text.len() / 2)];
                let mut start = 0;
                for &end in breaks.iter().chain([&text.len()]) {
                    spans.push((start, end));
                    start = end;
                }
                for (a, b) in spans.into_iter().filter(|&(_, b)| text.is_char_boundary(b)) {
                    let expected = all.evidence(&text[a..b]).leader() == Some(lang);
                    let got = words.leads(&all, a, b, lang);
                    assert_eq!(got, expected, "{lang:?} {a}..{b} of {text:?}");
                    led += usize::from(expected);
                    not_led += usize::from(!expected);
                }
            }
        }
        assert!(led > 100 && not_led > 100, "{led} {not_led}");
    }

    /// [`StopWords::prevails`] of a paragraph read alone, as German.
    fn prevails_alone(lists: &StopWords, para: &str) -> bool {
        let mut hits = Vec::new();
        let words = lists.read_into(para, &mut hits);
        lists.prevails(words, &hits, Language::German)
    }

    #[test]
    fn german_paragraphs_with_few_function_words_prevail() {
        let all = StopWords::new(crate::config::compiled_languages());
        // Paragraphs of the bench corpus that the function-word leader test leaves to
        // whatlang's probe (too few words, or too small a share of function words).
        let german = [
            "Der Beschluss, dem nun das Exekutivdirektorium des",
            "Warrington Mavs am 24. Dezember 2007 im Alter von 55 Jahren im Morristown \
             Memorial Hospital.",
            "Grand-Slam-Tunier. Er trat im Finale gegen den russischen Tennisspieler Daniil \
             Medvedev an.",
        ];
        for para in german {
            assert!(all.evidence(para).leader().is_none(), "{para}");
            assert!(prevails_alone(&all, para), "{para}");
        }
    }

    #[test]
    fn other_languages_and_mixed_paragraphs_do_not_prevail_as_german() {
        let all = StopWords::new(crate::config::compiled_languages());
        let others = [
            "The government said on Monday that it would not change its plans for the new \
             airport, despite protests from residents who fear the noise.",
            "Le gouvernement a présenté mercredi un projet de loi visant à réformer le \
             système des retraites.",
            "De regering heeft maandag gezegd dat zij de plannen voor het nieuwe vliegveld \
             niet zal wijzigen, ondanks de protesten van de bewoners.",
            "Regeringen sagde mandag, at den ikke vil ændre sine planer for den nye lufthavn.",
            "Die Regierung hat am Montag gesagt, dass sie nicht will. The government said on \
             Monday that it would not change its plans for the airport.",
            "Phelps. Er bekam den Preis „for his analysis of intertemporal tradeoffs in \
             macroeconomic policy“.",
            "Otmar Striedinger wurde Vincent Kriechmayr 13. und",
        ];
        for para in others {
            assert!(!prevails_alone(&all, para), "{para}");
        }
    }

    #[test]
    fn text_words_prevail_as_each_span_read_alone() {
        let all = StopWords::new(crate::config::compiled_languages());
        let alphabet = [
            "der ", "die ", "und ", "nicht ", "mit ", "in ", "de ", "het ", "een ", "the ", "of ",
            "le ", "et ", "Haus ", "Zug. ", "x ", "\n\n",
        ];
        let (mut yes, mut no) = (0, 0);
        for text in random_texts(&alphabet, 30, 300) {
            let breaks: Vec<usize> = text.match_indices("\n\n").map(|(at, _)| at + 2).collect();
            let mut words = TextWords::new(&text, breaks.iter().copied());
            let mut start = 0;
            for &end in breaks.iter().chain([&text.len()]) {
                let mut hits = Vec::new();
                let n = all.read_into(&text[start..end], &mut hits);
                let expected = all.prevails(n, &hits, Language::German);
                let got = words.prevails(&all, start, end, Language::German);
                assert_eq!(got, expected, "{start}..{end} of {text:?}");
                yes += usize::from(expected);
                no += usize::from(!expected);
                start = end;
            }
        }
        assert!(yes > 20 && no > 20, "{yes} {no}");
    }

    /// [`Evidence::decisive`] before it computed the confidence once: in the test of
    /// [`Thresholds::apart`], then again for the answer.
    fn decisive_by_passes(e: &Evidence) -> Option<(Language, f64)> {
        e.lead
            .filter(|_| e.passes(&DECISIVE))
            .map(|lang| (lang, e.confidence()))
    }

    #[test]
    fn decisive_as_by_passes() {
        let all = StopWords::new(crate::config::compiled_languages());
        // German function words with a few of Dutch, English and Danish (some also in the
        // German list), and other words: texts the decisive test takes, and texts it
        // rejects on the confidence alone.
        let german = [
            "der ",
            "die ",
            "und ",
            "nicht ",
            "auch ",
            "sich ",
            "mit ",
            "ist ",
            "ein ",
            "zu ",
            "von ",
            "dem ",
            "wird ",
            "über ",
            "noch ",
            "Haus ",
            "Bund ",
            "Straße, ",
        ];
        let others = [
            "het ", "een ", "van ", "the ", "and ", "of ", "og ", "er ", "Zug. ",
        ];
        let (mut decided, mut apart_only) = (0, 0);
        for share in 0..6 {
            let mut alphabet: Vec<&str> = german.to_vec();
            for _ in 0..share {
                alphabet.extend(others);
            }
            for text in random_texts(&alphabet, 40, 300) {
                let e = all.evidence(&text);
                let expected = decisive_by_passes(&e);
                assert_eq!(e.decisive(), expected, "{text:?}");
                decided += usize::from(expected.is_some());
                let all_but_apart = Thresholds {
                    apart: 0.0,
                    ..DECISIVE
                };
                apart_only += usize::from(expected.is_none() && e.passes(&all_but_apart));
            }
        }
        assert!(decided > 100 && apart_only > 100, "{decided} {apart_only}");
    }

    #[test]
    fn the_filter_passes_every_listed_word() {
        let all = StopWords::new(crate::config::compiled_languages());
        for (&hash, _) in all.words.iter() {
            let bit = filter_bit(hash);
            assert_ne!(all.filter[bit / 64] & (1 << (bit % 64)), 0);
        }
        // And it is selective: most bits are clear.
        let set: u32 = all.filter.iter().map(|w| w.count_ones()).sum();
        assert!(set as usize * 4 < all.filter.len() * 64, "{set}");
        // Evidence with the filter counts as a lookup of every word would.
        let text = "Die Streiks sollen zunächst bis zum Ende der Woche dauern, teilte die \
                    Gewerkschaft am Montag mit. The government said on Monday that it would \
                    not change its plans. Le gouvernement a présenté mercredi un projet.";
        let e = all.evidence(text);
        let mut counts = [0usize; 64];
        let mut words = 0;
        for (hash, _) in word_hashes(text) {
            words += 1;
            let mut rest = all.words.get(&hash).copied().unwrap_or(0);
            while rest != 0 {
                counts[rest.trailing_zeros() as usize] += 1;
                rest &= rest - 1;
            }
        }
        assert_eq!((e.words, e.counts), (words, counts));
        assert!(counts.iter().sum::<usize>() > 10);
    }

    #[test]
    fn words_of_a_text_hash_like_the_words_alone() {
        let text = "Über 3 Straßen, ÉTÉ-Pläne und İstanbul; der Bund.";
        let words: Vec<&str> = text
            .split(|c: char| !c.is_alphabetic())
            .filter(|w| !w.is_empty())
            .collect();
        let expected: Vec<(u64, bool)> = words
            .iter()
            .map(|w| (word_hash(w), w.chars().any(char::is_uppercase)))
            .collect();
        assert_eq!(words.len(), 8);
        assert_eq!(word_hashes(text).collect::<Vec<_>>(), expected);
        assert_eq!(word_hashes("").next(), None);
        assert_eq!(word_hashes(" -- 42 ").next(), None);
    }
}
