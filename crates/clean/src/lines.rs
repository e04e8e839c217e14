//! Per-line features the boilerplate classifier decides on: length, terminal punctuation,
//! stop-word density, sentence count, whether the line addresses the reader.

use std::ops::Range;

use crate::chars::{self, piece_ranges};
use crate::lexicon::{Lexicon, READER, STOP};
use crate::quality::WordCounts;

/// How a line ends, after closing quotes and brackets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum End {
    /// `.` or `…`
    Period,
    /// `?`
    Question,
    /// `!`
    Exclaim,
    /// `:`
    Colon,
    /// `;`
    Semicolon,
    /// Anything else (a letter, a digit, a bracket without punctuation before it).
    Open,
}

/// One non-blank line of the normalised input and its features.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Line<'a> {
    /// Line number in the input, from 1.
    pub no: usize,
    /// The line as normalised (trimmed, spaces collapsed).
    pub text: &'a str,
    /// The line in lowercase (`text.to_lowercase()`).
    pub lower: &'a str,
    /// Where the line's tokens are in the page's token list (see [`Line::new`]): each
    /// space-separated piece of `lower`, trimmed of leading and trailing punctuation;
    /// empty tokens are left out.
    toks: Range<usize>,
    /// Number of whitespace-separated words.
    pub words: usize,
    /// Number of tokens that are stop words.
    pub stop: usize,
    /// How the line ends.
    pub end: End,
    /// Approximate number of sentences.
    pub sentences: usize,
    /// Whether some word starts with a lowercase letter.
    pub has_lower_word: bool,
    /// Whether the line addresses the reader ("Sie", "Ihr", "du", "you").
    pub reader: bool,
    /// Whether it uses informal German reader pronouns ("du", "dein").
    pub informal: bool,
    /// Whether it starts with a list marker ("- ", "• ", "1. ").
    pub bullet: bool,
    /// The quality signals' word counts of the line.
    pub counts: WordCounts,
    /// Characters (Unicode scalar values).
    pub chars: usize,
    /// ASCII digits.
    pub digits: usize,
    /// Space-separated pieces that start with an uppercase letter.
    pub capitalised: usize,
    /// Whether a separator (`|`, `»`, `›`, `•`, `·`, `>`) occurs.
    pub separators: bool,
}

fn is_closing(c: char) -> bool {
    matches!(
        c,
        '"' | '\'' | '“' | '”' | '‘' | '’' | '«' | '»' | '‹' | '›' | ')' | ']' | '„' | '*'
    )
}

fn is_opening_quote(c: char) -> bool {
    matches!(c, '"' | '„' | '“' | '«' | '»' | '‚' | '\'' | '(')
}

/// Han ideographs, hiragana and katakana: scripts written without spaces.
fn is_cjk(c: char) -> bool {
    matches!(c, '\u{3040}'..='\u{30FF}' | '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}')
}

/// Trims punctuation from both ends of a token, keeping inner hyphens and apostrophes.
#[inline]
pub(crate) fn trim_token(t: &str) -> &str {
    // A token that starts and ends with an ASCII letter or digit has nothing to trim.
    let b = t.as_bytes();
    if let (Some(first), Some(last)) = (b.first(), b.last()) {
        if first.is_ascii_alphanumeric() && last.is_ascii_alphanumeric() {
            return t;
        }
    }
    trim_token_slow(t)
}

/// [`trim_token`] of a token that starts or ends with something else than an ASCII
/// letter or digit: what `t.trim_matches(|c| !c.is_alphanumeric() && c != '#' && c !=
/// '@')` keeps, then without leading `@`, scanned from both ends.
#[inline(never)]
fn trim_token_slow(t: &str) -> &str {
    let b = t.as_bytes();
    let kept = |c: char| c == '#' || c == '@' || chars::is_alphanumeric(c);
    let mut start = 0;
    while start < b.len() {
        let x = b[start];
        if x.is_ascii() {
            if x.is_ascii_alphanumeric() || x == b'#' || x == b'@' {
                break;
            }
            start += 1;
        } else {
            // `start` is on a character boundary: every byte before it was taken whole.
            let Some(c) = t[start..].chars().next() else {
                break;
            };
            if kept(c) {
                break;
            }
            start += c.len_utf8();
        }
    }
    let mut end = b.len();
    while end > start {
        let x = b[end - 1];
        if x.is_ascii() {
            if x.is_ascii_alphanumeric() || x == b'#' || x == b'@' {
                break;
            }
            end -= 1;
        } else {
            // `end` is on a character boundary, and the character before it is kept
            // or past `start`.
            let Some(c) = t[..end].chars().next_back() else {
                break;
            };
            if kept(c) {
                break;
            }
            end -= c.len_utf8();
        }
    }
    while start < end && b[start] == b'@' {
        start += 1;
    }
    &t[start..end]
}

/// The range of an ASCII token that [`trim_token`] keeps.
#[inline]
fn trim_ascii_token(t: &[u8]) -> Range<usize> {
    let kept = |b: &u8| b.is_ascii_alphanumeric() || *b == b'#' || *b == b'@';
    let start = t.iter().position(kept).unwrap_or(t.len());
    let end = t.iter().rposition(kept).map_or(start, |i| i + 1);
    let ats = t[start..end].iter().take_while(|b| **b == b'@').count();
    start + ats..end
}

fn ending(text: &str) -> End {
    let trimmed = text.trim_end_matches(is_closing);
    match trimmed.chars().last() {
        Some('.') | Some('…') | Some('。') | Some('．') => End::Period,
        Some('?') | Some('？') => End::Question,
        Some('!') | Some('！') => End::Exclaim,
        Some(':') | Some('：') => End::Colon,
        Some(';') | Some('；') => End::Semicolon,
        _ => End::Open,
    }
}

/// The sentences of a line: one, and one more for each mark that [`ends_sentence`].
/// `other_marks` must be true if the line may have a mark other than ASCII (see
/// [`byte_counts`]); most lines have none, and their scan for one is left out.
fn count_sentences(text: &str, other_marks: bool) -> usize {
    let bytes = text.as_bytes();
    // What a mark adds depends only on the characters around it, so the marks are
    // taken in any order: `.`, `!` and `?`, then the first bytes of `…` (E2), `。` (E3)
    // and `！`/`？` (EF), each found with `memchr`.
    let ascii = memchr::memchr3_iter(b'.', b'!', b'?', bytes)
        .filter(|&i| ends_sentence(text, i))
        .count();
    let other = if other_marks {
        memchr::memchr3_iter(0xE2, 0xE3, 0xEF, bytes)
            .filter(|&i| ends_sentence(text, i))
            .count()
    } else {
        0
    };
    1 + ascii + other
}

/// Whether the character at `i` of `text` (a character boundary) is a sentence mark that
/// starts a new sentence: `。`, `！` or `？` before more text, or `.`, `!`, `?` or `…`
/// before a space and an uppercase letter, an opening quote or a dash (closing quotes
/// between them aside), where a `.` must follow a lowercase letter or a closing quote
/// (not a number).
#[inline]
fn ends_sentence(text: &str, i: usize) -> bool {
    let b = text.as_bytes();
    // Most marks are ASCII with ASCII around them, answered from the bytes: a mark
    // at the end of the line, a `.` after a digit or a capital, a mark before a letter
    // or a digit, or one before a space and an ASCII letter. Closing quotes and
    // characters other than ASCII around the mark take the general path.
    if let Some(&mark @ (b'.' | b'!' | b'?')) = b.get(i) {
        let Some(&next) = b.get(i + 1) else {
            return false;
        };
        let prev = i.checked_sub(1).and_then(|k| b.get(k));
        // A `.` must follow a lowercase letter or a closing quote: here, an ASCII one.
        let after_lower = prev.is_some_and(|&p| p.is_ascii_lowercase() || is_closing_byte(p));
        if mark == b'.' && prev.is_some_and(u8::is_ascii) && !after_lower {
            return false;
        }
        if next.is_ascii_alphanumeric() {
            return false;
        }
        if next == b' ' && (mark != b'.' || after_lower) {
            if let Some(&d) = b.get(i + 2).filter(|d| d.is_ascii_alphabetic()) {
                return d.is_ascii_uppercase();
            }
        }
    }
    ends_sentence_chars(text, i)
}

/// An ASCII closing quote or bracket ([`is_closing`]).
#[inline]
fn is_closing_byte(b: u8) -> bool {
    matches!(b, b'"' | b'\'' | b')' | b']' | b'*')
}

/// [`ends_sentence`] over the characters around the mark.
fn ends_sentence_chars(text: &str, i: usize) -> bool {
    let Some(c) = text.get(i..).and_then(|t| t.chars().next()) else {
        return false;
    };
    let after = &text[i + c.len_utf8()..];
    if matches!(c, '。' | '！' | '？') {
        return !after.is_empty();
    }
    if !matches!(c, '.' | '!' | '?' | '…')
        || (c == '.'
            && !text[..i]
                .chars()
                .next_back()
                .is_some_and(|b| b.is_lowercase() || is_closing(b)))
    {
        return false;
    }
    // Skip closing quotes right after the punctuation.
    let mut rest = after.trim_start_matches(is_closing).chars();
    rest.next() == Some(' ')
        && rest
            .next()
            .is_some_and(|d| d.is_uppercase() || is_opening_quote(d) || d == '–')
}

/// The characters of `text`, its ASCII digits, whether it has a separator (`|`, `»`,
/// `›`, `•`, `·`, `>`), and whether a byte could start a CJK character (E3 to E9; no
/// character there has a lowercase of its own, so the same holds of the lowercase
/// text) or belong to a sentence mark other than ASCII (`。` starts with E3, `！` and
/// `？` with EF, `…` ends with A6). The bytes are counted in runs of at most 255 into
/// byte counters, so that the loop is vectorised; a separator is looked for only where
/// a byte that one ends with occurs.
fn byte_counts(text: &str) -> (usize, usize, bool, bool) {
    let (mut chars, mut digits, mut maybe_separator, mut maybe_wide) = (0, 0, 0u8, 0u8);
    for run in text.as_bytes().chunks(255) {
        let (mut c, mut d) = (0u8, 0u8);
        for &b in run {
            maybe_wide |= u8::from((b.wrapping_sub(0xE3) < 13) | (b == 0xA6));
            // Every byte but a UTF-8 continuation byte starts a character.
            c += u8::from((b as i8) >= -0x40);
            d += u8::from(b.wrapping_sub(b'0') < 10);
            // Comparisons joined without branches, which the vectoriser takes.
            let sep = (b == b'|') | (b == b'>') | (b == 0xBB) | (b == 0xB7) | (b == 0xBA);
            maybe_separator |= u8::from(sep | (b == 0xA2));
        }
        chars += usize::from(c);
        digits += usize::from(d);
    }
    let separators = maybe_separator != 0 && text.contains(['|', '»', '›', '•', '·', '>']);
    (chars, digits, separators, maybe_wide != 0)
}

/// The tokens of a page's lines, which [`Line::new`] appends to, and room for its work.
#[derive(Debug, Default)]
pub(crate) struct Tokens<'a> {
    /// The lowercase tokens of every line, in order.
    words: Vec<&'a str>,
    /// Their flags ([`Lexicon::token_flags`]).
    flags: Vec<u8>,
    /// Room for a lowercase word.
    lower: String,
}

impl Tokens<'_> {
    /// Room for the tokens of a page of `bytes` bytes: words of running text take
    /// about seven bytes with their space, so the lists rarely grow (each growth
    /// copied them).
    pub(crate) fn for_page(bytes: usize) -> Self {
        let n = bytes / 6;
        Tokens {
            words: Vec::with_capacity(n),
            flags: Vec::with_capacity(n),
            lower: String::new(),
        }
    }
}

impl<'a> Line<'a> {
    /// Computes the features of one line (`text` must be non-empty, trimmed and
    /// normalised; `lower` must be `text.to_lowercase()`, and `aligned` may be true only
    /// if each character of `text` lowercases to one of its own length, see
    /// [`chars::Lowercase::aligned`]). The line's tokens are appended to `toks`, the
    /// page's tokens, where [`Line::tokens`] finds them.
    ///
    /// Two passes: the first cuts the line into tokens and counts what their bytes
    /// tell; the second looks the tokens up in the word lists. Apart, each loop keeps
    /// its few values in registers, where one loop doing both spilled them around the
    /// lookup's call.
    pub(crate) fn new(
        no: usize,
        text: &'a str,
        lower: &'a str,
        aligned: bool,
        lex: &Lexicon,
        toks: &mut Tokens<'a>,
    ) -> Self {
        let (chars, digits, separators, maybe_wide) = byte_counts(text);
        let first_tok = toks.words.len();
        let mut words = 0;
        let mut has_lower_word = false;
        let mut reader = false;
        let mut informal = false;
        let mut counts = WordCounts::default();
        let mut capitalised = 0;
        // Stop words among the tokens of pieces whose quality count was taken apart
        // (those with an 'İ'): the second pass counts them again.
        let mut stop_counted_apart = 0;
        // What the ASCII pieces add to the counts: the tokens they left are those not
        // left by the others, and the rest is summed once after the loop, so that the
        // common path updates two counters.
        let (mut ascii_token_bytes, mut ascii_without_token, mut other_tokens) = (0, 0, 0);
        let bytes = text.as_bytes();
        // Where the next piece of `lower` starts. Lowercasing neither adds nor removes
        // spaces, so the pieces of `text` and `lower` correspond one to one, and an ASCII
        // piece's lowercase is as long as the piece (any piece's, when `aligned`).
        let mut low_at = 0;
        for (piece, ascii) in piece_ranges(text) {
            let low_start = low_at;
            let low_end = if ascii || aligned {
                low_start + piece.len()
            } else {
                let rest = lower.as_bytes().get(low_start..).unwrap_or_default();
                memchr::memchr(b' ', rest).map_or(lower.len(), |k| low_start + k)
            };
            low_at = low_end + 1;
            if piece.is_empty() {
                continue;
            }
            let Some(lpiece) = lower.get(low_start..low_end) else {
                continue;
            };
            // Most words: an ASCII piece's lowercase is the piece lowercased byte by
            // byte, so trimming keeps the same range of both, and its bytes answer
            // what the general path below asks of characters.
            if ascii {
                let (Some(&first), Some(&last)) =
                    (bytes.get(piece.start), bytes.get(piece.end - 1))
                else {
                    continue;
                };
                capitalised += usize::from(first.is_ascii_uppercase());
                // Most words have nothing to trim: the piece is the token. `t_start` is
                // where the token starts in `text`.
                let (lt, t_start) = if first.is_ascii_alphanumeric() && last.is_ascii_alphanumeric()
                {
                    (lpiece, piece.start)
                } else {
                    let kept = trim_ascii_token(lpiece.as_bytes());
                    let t_start = piece.start + kept.start;
                    match lpiece.get(kept) {
                        Some(lt) if !lt.is_empty() => (lt, t_start),
                        _ => {
                            ascii_without_token += 1;
                            continue;
                        }
                    }
                };
                toks.words.push(lt);
                ascii_token_bytes += lt.len();
                has_lower_word |= bytes.get(t_start).is_some_and(u8::is_ascii_lowercase);
                // (On an aligned line the second pass finds the reader pronouns.)
                if !aligned {
                    let t = text.get(t_start..t_start + lt.len()).unwrap_or_default();
                    if lex.is_reader_pronoun(t) {
                        reader = true;
                        informal |= lex.is_informal(lt);
                    }
                }
                continue;
            }
            let piece_start = piece.start;
            let Some(piece) = text.get(piece) else {
                continue;
            };
            words += 1;
            capitalised += usize::from(piece.chars().next().is_some_and(char::is_uppercase));
            // Chinese and Japanese write without spaces: two ideographs or kana
            // count as one more word.
            // (Their UTF-8 starts with E3 to E9.)
            if maybe_wide && lpiece.bytes().any(|b| (0xE3..=0xE9).contains(&b)) {
                words += lpiece.chars().filter(|&c| is_cjk(c)).count() / 2;
            }
            let lt = trim_token(lpiece);
            if !lt.is_empty() {
                toks.words.push(lt);
                other_tokens += 1;
            }
            // The quality counts ask whether the trimmed piece's lowercase is a stop
            // word: trimming and lowercasing commute (see `kept_characters_lowercase_
            // to_kept_characters`) but for 'İ', so that is the lowercase piece trimmed,
            // which the second pass looks up. On an aligned line (which has no 'İ': its
            // lowercase is longer) the trimmed piece is where `lt` is, and has as many
            // characters, so it is not trimmed again.
            let t = if aligned {
                let at = piece_start + (lt.as_ptr() as usize - lpiece.as_ptr() as usize);
                let t = text.get(at..at + lt.len()).unwrap_or_default();
                counts.words += 1;
                if !t.is_empty() {
                    counts.counted += 1;
                    counts.chars += lt.chars().count();
                }
                t
            } else {
                let dotted_capital_i = piece.contains('İ');
                if dotted_capital_i {
                    stop_counted_apart += usize::from(lex.token_flags(lt) & STOP != 0);
                }
                let known = (!dotted_capital_i).then_some(false);
                counts.add(piece, known, lex, &mut toks.lower)
            };
            // Lowercase, or a letter of a script without case (CJK, Arabic, Hebrew, …).
            if !has_lower_word
                && t.chars()
                    .next()
                    .is_some_and(|c| c.is_lowercase() || (c.is_alphabetic() && !c.is_uppercase()))
            {
                has_lower_word = true;
            }
            if !aligned && lex.is_reader_pronoun(t) {
                reader = true;
                if lex.is_informal(&t.to_lowercase()) {
                    informal = true;
                }
            }
        }
        let line_toks = &toks.words[first_tok..];
        let ascii_tokens = line_toks.len() - other_tokens;
        words += ascii_tokens + ascii_without_token;
        counts.words += ascii_tokens + ascii_without_token;
        counts.counted += ascii_tokens;
        counts.chars += ascii_token_bytes;
        toks.flags
            .extend(line_toks.iter().map(|w| lex.token_flags(w)));
        // Summed over the flags afterwards, in loops that are vectorised, rather than
        // in memory from the lookup loop.
        let line_flags = &toks.flags[first_tok..];
        let stop = line_flags.iter().filter(|&&f| f & STOP != 0).count();
        let maybe_reader = line_flags.iter().fold(0, |all, f| all | f) & READER != 0;
        counts.stop += stop - stop_counted_apart;
        // On an aligned line the trimmed word a token was cut from is at the token's
        // place in `text` (every token is a slice of `lower`), and only a token flagged
        // READER can be cut from a reader pronoun.
        if aligned && maybe_reader {
            for (lt, flags) in line_toks.iter().zip(&toks.flags[first_tok..]) {
                if flags & READER == 0 {
                    continue;
                }
                let at = lt.as_ptr() as usize - lower.as_ptr() as usize;
                if text
                    .get(at..at + lt.len())
                    .is_some_and(|t| lex.is_reader_pronoun(t))
                {
                    reader = true;
                    informal |= lex.is_informal(lt);
                }
            }
        }
        let bullet = {
            let mut it = text.splitn(2, ' ');
            let first = it.next().unwrap_or("");
            matches!(first, "-" | "•" | "*" | "–" | "·" | "▪" | "►" | "»")
                || (first.len() <= 3
                    && first.ends_with('.')
                    && first[..first.len() - 1].bytes().all(|b| b.is_ascii_digit())
                    && first.len() > 1)
        };
        Line {
            no,
            text,
            lower,
            toks: first_tok..toks.words.len(),
            words,
            stop,
            end: ending(text),
            sentences: count_sentences(text, maybe_wide),
            has_lower_word,
            reader,
            informal,
            bullet,
            counts,
            chars,
            digits,
            capitalised,
            separators,
        }
    }

    /// The lowercase tokens, from the page's tokens `all` that [`Line::new`] filled.
    pub(crate) fn tokens<'t>(&self, all: &'t Tokens<'a>) -> &'t [&'a str] {
        &all.words[self.toks.clone()]
    }

    /// The flags of the tokens ([`Lexicon::token_flags`]), from the page's tokens `all`.
    pub(crate) fn token_flags<'t>(&self, all: &'t Tokens<'a>) -> &'t [u8] {
        &all.flags[self.toks.clone()]
    }

    /// Whether the line ends like a sentence (`.`, `…`, `?`, `!`).
    pub(crate) fn terminal(&self) -> bool {
        matches!(self.end, End::Period | End::Question | End::Exclaim)
    }

    /// Share of tokens that are stop words.
    pub(crate) fn stop_ratio(&self) -> f64 {
        if self.toks.is_empty() {
            0.0
        } else {
            self.stop as f64 / self.toks.len() as f64
        }
    }

    /// Lowercase content words: alphanumeric runs (split at any punctuation, hyphens
    /// included) of at least three characters that are not stop words.
    pub(crate) fn content_words(&self, lex: &Lexicon) -> Vec<&'a str> {
        content_words(self.lower, lex)
    }

    /// A paragraph of running text: ends like a sentence, has at least ten words and
    /// some function words. A lone question needs more words (titles are often questions).
    pub(crate) fn body_like(&self) -> bool {
        let ends = self.terminal() || (self.end == End::Colon && self.words >= 15);
        if !ends || self.words < 10 || self.stop == 0 {
            return false;
        }
        !(self.end == End::Question && self.sentences == 1 && self.words < 16)
    }

    /// Body text that can only be article text: long, or several sentences.
    pub(crate) fn strong_body(&self) -> bool {
        self.body_like()
            && ((self.words >= 30 && self.sentences >= 2) || self.words >= 45)
            && self.stop_ratio() >= 0.15
    }

    /// Looks like a headline: a few words with at least one lowercase word, not ending
    /// in a period or colon, not a list item.
    pub(crate) fn heading_like(&self) -> bool {
        (3..=25).contains(&self.words)
            && self.chars <= 250
            && !matches!(self.end, End::Period | End::Colon | End::Semicolon)
            && self.has_lower_word
            && !self.bullet
    }
}

/// The content words of a lowercase text, sorted and without repeats (see
/// [`Line::content_words`]).
pub(crate) fn content_words<'s>(lower: &'s str, lex: &Lexicon) -> Vec<&'s str> {
    let mut out: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 3 && !lex.is_stop(w))
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// Whether two lowercase words are the same up to an inflection ending.
pub(crate) fn fuzzy_eq(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    let common = a.chars().zip(b.chars()).take_while(|(x, y)| x == y).count();
    let min = a.chars().count().min(b.chars().count());
    common >= 5 && common * 4 >= min * 3
}

/// How many words of `a` occur (fuzzily) in `b`.
pub(crate) fn shared(a: &[&str], b: &[&str]) -> usize {
    a.iter()
        .filter(|x| b.iter().any(|y| fuzzy_eq(x, y)))
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(s: &str) -> Line<'static> {
        // Leaked once per test: the lexicon, the text, its lowercase and the token list
        // have to outlive the line.
        let lex: &'static Lexicon = Box::leak(Box::new(Lexicon::new()));
        let text: &'static str = Box::leak(s.to_owned().into_boxed_str());
        let lower = chars::to_lowercase(s);
        let aligned = lower.aligned;
        let lower: &'static str = Box::leak(lower.text.into_boxed_str());
        let toks: &'static mut Tokens = Box::leak(Box::default());
        Line::new(1, text, lower, aligned, lex, toks)
    }

    /// `trim_token` as first written.
    fn trim_token_reference(t: &str) -> &str {
        t.trim_matches(|c: char| !c.is_alphanumeric() && c != '#' && c != '@')
            .trim_start_matches(['@'])
    }

    #[test]
    fn trim_token_matches_the_reference() {
        let marks = [
            "a", "Z", "9", ".", ",", "#", "@", "-", "'", "„", "“", "…", "ä", "Ü", "ß", "²", "中",
            "İ", "\u{301}", "–", "(", ")", "@@", "😀", "ª", "×",
        ];
        let texts = crate::chars::strings_of(&marks, 4);
        for t in &texts {
            assert_eq!(trim_token(t), trim_token_reference(t), "{t:?}");
        }
        // Every character, alone and around a word.
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            for t in [format!("{c}"), format!("{c}ab{c}"), format!("@{c}x.{c}")] {
                assert_eq!(trim_token(&t), trim_token_reference(&t), "{t:?}");
            }
        }
    }

    /// The sentence count as it was before lines without marks other than ASCII left out
    /// their scan, and before the bytes around ASCII marks answered for most of them.
    fn count_sentences_memchr(text: &str) -> usize {
        let bytes = text.as_bytes();
        // What a mark adds depends only on the characters around it, so the marks are
        // taken in any order: `.`, `!` and `?`, then the first bytes of `…` (E2), `。` (E3)
        // and `！`/`？` (EF), each found with `memchr`.
        let ascii = memchr::memchr3_iter(b'.', b'!', b'?', bytes);
        let other = memchr::memchr3_iter(0xE2, 0xE3, 0xEF, bytes);
        1 + ascii
            .chain(other)
            .filter(|&i| ends_sentence_at(text, i))
            .count()
    }

    /// Whether the character at `i` of `text` (a character boundary) is a sentence mark that
    /// starts a new sentence: `。`, `！` or `？` before more text, or `.`, `!`, `?` or `…`
    /// before a space and an uppercase letter, an opening quote or a dash (closing quotes
    /// between them aside), where a `.` must follow a lowercase letter or a closing quote
    /// (not a number).
    #[inline]
    fn ends_sentence_at(text: &str, i: usize) -> bool {
        let Some(c) = text.get(i..).and_then(|t| t.chars().next()) else {
            return false;
        };
        let after = &text[i + c.len_utf8()..];
        if matches!(c, '。' | '！' | '？') {
            return !after.is_empty();
        }
        if !matches!(c, '.' | '!' | '?' | '…')
            || (c == '.'
                && !text[..i]
                    .chars()
                    .next_back()
                    .is_some_and(|b| b.is_lowercase() || is_closing(b)))
        {
            return false;
        }
        // Skip closing quotes right after the punctuation.
        let mut rest = after.trim_start_matches(is_closing).chars();
        rest.next() == Some(' ')
            && rest
                .next()
                .is_some_and(|d| d.is_uppercase() || is_opening_quote(d) || d == '–')
    }

    /// `Line::new` as it was before its two passes, in one loop over the pieces.
    fn line_one_pass<'a>(
        no: usize,
        text: &'a str,
        lower: &'a str,
        lex: &Lexicon,
        toks: &mut Tokens<'a>,
    ) -> Line<'a> {
        let (chars, digits, separators, maybe_wide) = byte_counts(text);
        let first_tok = toks.words.len();
        let mut stop = 0;
        let mut words = 0;
        let mut has_lower_word = false;
        let mut reader = false;
        let mut informal = false;
        let mut counts = WordCounts::default();
        let mut capitalised = 0;
        // Where the next piece of `lower` starts. Lowercasing neither adds nor removes
        // spaces, so the pieces of `text` and `lower` correspond one to one, and an ASCII
        // piece's lowercase is as long as the piece.
        let mut low_at = 0;
        for (piece, ascii) in piece_ranges(text).map(|(r, a)| (&text[r], a)) {
            let low_start = low_at;
            let low_end = if ascii {
                low_start + piece.len()
            } else {
                let rest = lower.as_bytes().get(low_start..).unwrap_or_default();
                memchr::memchr(b' ', rest).map_or(lower.len(), |k| low_start + k)
            };
            low_at = low_end + 1;
            if piece.is_empty() {
                continue;
            }
            let Some(lpiece) = lower.get(low_start..low_end) else {
                continue;
            };
            words += 1;
            // Most words: an ASCII piece's lowercase is the piece lowercased byte by
            // byte, so trimming keeps the same range of both, and what the general path
            // below finds from the piece and from its lowercase is found once.
            if ascii {
                let b = piece.as_bytes();
                capitalised += usize::from(b.first().is_some_and(u8::is_ascii_uppercase));
                // Most words have nothing to trim: the piece is the token, without
                // slicing (and checking) both again.
                let (t, lt) = match (b.first(), b.last()) {
                    (Some(f), Some(l))
                        if f.is_ascii_alphanumeric() && l.is_ascii_alphanumeric() =>
                    {
                        (piece, lpiece)
                    }
                    _ => {
                        let kept = trim_ascii_token(b);
                        let (Some(t), Some(lt)) = (piece.get(kept.clone()), lpiece.get(kept))
                        else {
                            continue;
                        };
                        (t, lt)
                    }
                };
                let Some(&first) = t.as_bytes().first() else {
                    counts.add_ascii(0, false);
                    continue;
                };
                let flags = lex.token_flags(lt);
                let lt_stop = flags & STOP != 0;
                stop += usize::from(lt_stop);
                toks.words.push(lt);
                toks.flags.push(flags);
                counts.add_ascii(t.len(), lt_stop);
                has_lower_word |= first.is_ascii_lowercase();
                if lex.is_reader_pronoun(t) {
                    reader = true;
                    informal |= lex.is_informal(lt);
                }
                continue;
            }
            capitalised += usize::from(piece.chars().next().is_some_and(char::is_uppercase));
            // Chinese and Japanese write without spaces: two ideographs or kana
            // count as one more word.
            // (Their UTF-8 starts with E3 to E9.)
            if maybe_wide && lpiece.bytes().any(|b| (0xE3..=0xE9).contains(&b)) {
                words += lpiece.chars().filter(|&c| is_cjk(c)).count() / 2;
            }
            let lt = trim_token(lpiece);
            let mut lt_stop = false;
            if !lt.is_empty() {
                let flags = lex.token_flags(lt);
                lt_stop = flags & STOP != 0;
                stop += usize::from(lt_stop);
                toks.words.push(lt);
                toks.flags.push(flags);
            }
            // The quality counts ask whether the trimmed piece's lowercase is a stop
            // word: trimming and lowercasing commute (see `kept_characters_lowercase_
            // to_kept_characters`) but for 'İ', so that is the lowercase piece trimmed,
            // whose answer is known.
            let known = (!piece.contains('İ')).then_some(lt_stop);
            let t = counts.add(piece, known, lex, &mut toks.lower);
            // Lowercase, or a letter of a script without case (CJK, Arabic, Hebrew, …).
            if !has_lower_word
                && t.chars()
                    .next()
                    .is_some_and(|c| c.is_lowercase() || (c.is_alphabetic() && !c.is_uppercase()))
            {
                has_lower_word = true;
            }
            if lex.is_reader_pronoun(t) {
                reader = true;
                if lex.is_informal(&t.to_lowercase()) {
                    informal = true;
                }
            }
        }
        let bullet = {
            let mut it = text.splitn(2, ' ');
            let first = it.next().unwrap_or("");
            matches!(first, "-" | "•" | "*" | "–" | "·" | "▪" | "►" | "»")
                || (first.len() <= 3
                    && first.ends_with('.')
                    && first[..first.len() - 1].bytes().all(|b| b.is_ascii_digit())
                    && first.len() > 1)
        };
        Line {
            no,
            text,
            lower,
            toks: first_tok..toks.words.len(),
            words,
            stop,
            end: ending(text),
            sentences: count_sentences_memchr(text),
            has_lower_word,
            reader,
            informal,
            bullet,
            counts,
            chars,
            digits,
            capitalised,
            separators,
        }
    }

    /// `Line::new` as it was before ASCII words took a path of their own.
    fn line_reference<'a>(
        no: usize,
        text: &'a str,
        lower: &'a str,
        lex: &Lexicon,
        toks: &mut Tokens<'a>,
    ) -> Line<'a> {
        let first_tok = toks.words.len();
        let mut stop = 0;
        let mut words = 0;
        let mut has_lower_word = false;
        let mut reader = false;
        let mut informal = false;
        let mut counts = WordCounts::default();
        // Whether some byte of the line could start a CJK character: one pass over the
        // line (without an early exit, so that it is vectorised) spares most lines the
        // test of each piece.
        let maybe_cjk = lower
            .bytes()
            .fold(false, |a, b| a | (b.wrapping_sub(0xE3) < 7));
        // Lowercasing neither adds nor removes spaces, so the pieces of `text` and
        // `lower` correspond one to one, and a piece of one is empty where the other's is.
        for (piece, lpiece) in text.split(' ').zip(lower.split(' ')) {
            if piece.is_empty() {
                continue;
            }
            words += 1;
            // Chinese and Japanese write without spaces: two ideographs or kana
            // count as one more word.
            // (Their UTF-8 starts with E3 to E9.)
            if maybe_cjk && lpiece.bytes().any(|b| (0xE3..=0xE9).contains(&b)) {
                words += lpiece.chars().filter(|&c| is_cjk(c)).count() / 2;
            }
            let lt = trim_token(lpiece);
            let mut lt_stop = false;
            if !lt.is_empty() {
                let flags = lex.token_flags(lt);
                lt_stop = flags & STOP != 0;
                stop += usize::from(lt_stop);
                toks.words.push(lt);
                toks.flags.push(flags);
            }
            // The quality signals' stop word test lowercases the trimmed piece: for an
            // ASCII piece that is the trimmed lowercase piece, whose answer is known.
            let known = piece.is_ascii().then_some(lt_stop);
            counts.add(piece, known, lex, &mut toks.lower);
            let t = trim_token(piece);
            // Lowercase, or a letter of a script without case (CJK, Arabic, Hebrew, …).
            if !has_lower_word
                && t.chars()
                    .next()
                    .is_some_and(|c| c.is_lowercase() || (c.is_alphabetic() && !c.is_uppercase()))
            {
                has_lower_word = true;
            }
            if lex.is_reader_pronoun(t) {
                reader = true;
                if lex.is_informal(&t.to_lowercase()) {
                    informal = true;
                }
            }
        }
        let bullet = {
            let mut it = text.splitn(2, ' ');
            let first = it.next().unwrap_or("");
            matches!(first, "-" | "•" | "*" | "–" | "·" | "▪" | "►" | "»")
                || (first.len() <= 3
                    && first.ends_with('.')
                    && first[..first.len() - 1].bytes().all(|b| b.is_ascii_digit())
                    && first.len() > 1)
        };
        let (chars, digits, capitalised, _, separators) = char_counts_reference(text);
        Line {
            no,
            text,
            lower,
            toks: first_tok..toks.words.len(),
            words,
            stop,
            end: ending(text),
            sentences: count_sentences_memchr(text),
            has_lower_word,
            reader,
            informal,
            bullet,
            counts,
            chars,
            digits,
            capitalised,
            separators,
        }
    }

    /// The scorer's character counts of a line as first written, over its characters:
    /// characters, ASCII digits, pieces that start with a capital, pieces, separators.
    fn char_counts_reference(text: &str) -> (usize, usize, usize, usize, bool) {
        let (mut nchars, mut ndigits, mut ncaps, mut ntoks) = (0, 0, 0, 0);
        let mut separators = false;
        let mut token_start = true;
        for c in text.chars() {
            nchars += 1;
            if c == ' ' {
                token_start = true;
                continue;
            }
            if token_start {
                ntoks += 1;
                ncaps += usize::from(c.is_uppercase());
                token_start = false;
            }
            if c.is_ascii_digit() {
                ndigits += 1;
            } else if matches!(c, '|' | '»' | '›' | '•' | '·' | '>') {
                separators = true;
            }
        }
        (nchars, ndigits, ncaps, ntoks, separators)
    }

    /// Texts for the character counts: separators, capitals of every kind, digits.
    fn count_texts() -> Vec<String> {
        let marks = [
            "a",
            "Ä",
            "ä",
            "B",
            "1",
            " ",
            "|",
            "»",
            "›",
            "•",
            "·",
            ">",
            "«",
            "‹",
            "Σ",
            "中",
            "😀",
            "\u{2022}x",
            "Ǆ",
            "ǅ",
            "\u{BB}\u{BB}",
            "¢",
        ];
        let mut texts = crate::chars::strings_of(&marks, 3);
        // Runs longer than the 255 bytes of a counting step.
        texts.push(format!("{}|", "Ä1 ".repeat(120)));
        texts.push(format!("{}•", "9".repeat(600)));
        let seed = include_str!("../../../seeds/000_4cc634fd74ce4d48.txt");
        texts.extend(seed.lines().map(str::to_owned));
        texts
    }

    #[test]
    fn byte_counts_match_the_reference() {
        let mut texts = count_texts();
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            texts.push(format!("{c} x{c}"));
            texts.push(format!("  ab{c}cd {c}efgh{c} Ä{c}"));
        }
        for t in &texts {
            let (chars, digits, _, _, separators) = char_counts_reference(t);
            let maybe_wide = t.bytes().any(|b| (0xE3..=0xEF).contains(&b) || b == 0xA6);
            let want = (chars, digits, separators, maybe_wide);
            assert_eq!(byte_counts(t), want, "{t:?}");
        }
    }

    #[test]
    fn line_char_counts_match_the_reference() {
        let lex = Lexicon::new();
        let mut texts = count_texts();
        // Every character at the start of a piece, and after an ASCII one.
        for c in (0..=0x10FFFF).step_by(7).filter_map(char::from_u32) {
            texts.push(format!("{c}x y{c} A{c}"));
        }
        for t in &texts {
            let lower = chars::to_lowercase(t);
            let l = Line::new(
                1,
                t,
                &lower.text,
                lower.aligned,
                &lex,
                &mut Tokens::default(),
            );
            let got = (
                l.chars,
                l.digits,
                l.capitalised,
                l.counts.words,
                l.separators,
            );
            assert_eq!(got, char_counts_reference(t), "{t:?}");
        }
    }

    #[test]
    fn line_matches_the_reference() {
        let lex = Lexicon::new();
        let marks = [
            "Sie",
            "du",
            "Dein",
            "DU",
            "ÜBER",
            "für",
            "a",
            " ",
            "  ",
            ".",
            "„",
            "@",
            "#x",
            "中文字",
            "ß",
            "😀",
            "İ",
            "ΣΑ",
            "-",
            "1.",
            "Die",
            "THE",
            "x,",
            "(ẞ)",
            "@@Ihr",
        ];
        let mut texts = crate::chars::strings_of(&marks, 3);
        texts.push(format!(
            "{} Ende.",
            "Lange ASCII Zeile ohne Umlaute, die weitergeht ".repeat(20)
        ));
        for seed in [
            include_str!("../../../seeds/000_4cc634fd74ce4d48.txt"),
            include_str!("../../../seeds/003_b6e55cbff507565a.txt"),
        ] {
            texts.extend(seed.split('\n').map(str::to_owned));
        }
        for t in &texts {
            let lower = t.to_lowercase();
            let mut want_toks = Tokens::default();
            let want = line_reference(3, t, &lower, &lex, &mut want_toks);
            assert_same_line(t, &lex, &want, &want_toks);
        }
    }

    /// [`Line::new`] gives `want` and its tokens `want_toks`, with the lowercase said
    /// to be aligned where it is and not said to be, and so does [`line_one_pass`].
    fn assert_same_line(t: &str, lex: &Lexicon, want: &Line<'_>, want_toks: &Tokens<'_>) {
        let lower = chars::to_lowercase(t);
        for aligned in [lower.aligned, false] {
            let mut got_toks = Tokens::default();
            let got = Line::new(want.no, t, &lower.text, aligned, lex, &mut got_toks);
            assert_eq!(&got, want, "{t:?} aligned {aligned}");
            assert_eq!(got_toks.words, want_toks.words, "{t:?} aligned {aligned}");
            assert_eq!(got_toks.flags, want_toks.flags, "{t:?} aligned {aligned}");
        }
        let mut one_pass_toks = Tokens::default();
        let one_pass = line_one_pass(want.no, t, &lower.text, lex, &mut one_pass_toks);
        assert_eq!(&one_pass, want, "{t:?}");
        assert_eq!(one_pass_toks.words, want_toks.words, "{t:?}");
        assert_eq!(one_pass_toks.flags, want_toks.flags, "{t:?}");
    }

    /// A page of generated lines: words of random letters (ASCII, umlauts, other
    /// scripts, capitals), reader pronouns and stop words, digits, punctuation around
    /// and inside words, very long tokens, runs of spaces and empty lines.
    fn generated_page(seed: u64) -> String {
        // xorshift64*: enough for varied inputs, reproducible by seed.
        let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        let mut next = move |n: usize| {
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            (state.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 33) as usize % n
        };
        let letters = [
            "a", "e", "n", "s", "t", "r", "B", "K", "Z", "ä", "ö", "ü", "ß", "Ä", "Ü", "é", "ñ",
            "İ", "ı", "Σ", "σ", "ω", "Ж", "ж", "中", "文", "か", "ا", "\u{212A}", "ẞ", "ǅ",
        ];
        let words = [
            "Sie",
            "sie",
            "SIE",
            "Ihr",
            "ihre",
            "Ihnen",
            "du",
            "Du",
            "dein",
            "Deinen",
            "euch",
            "You",
            "your",
            "der",
            "Die",
            "und",
            "für",
            "über",
            "Über",
            "the",
            "THE",
            "cookies",
            "Startseite",
            "mehr",
            "zum",
            "Artikel",
            "@Ihr",
            "#tag",
            "x@y",
            "e-mail",
            "O'Neil",
        ];
        let marks = [
            ".", ",", "!", "?", ":", ";", "\"", "„", "“", "«", "»", "(", ")", "-", "–", "…", "'",
            "’", "@", "#", "/", "|", "•", "*", "1.",
        ];
        let mut page = String::new();
        for _ in 0..40 {
            let n_words = match next(6) {
                0 => 0,
                1 => 1 + next(3),
                _ => 3 + next(40),
            };
            for w in 0..n_words {
                if w > 0 {
                    page.push_str(if next(20) == 0 { "  " } else { " " });
                }
                if next(4) == 0 {
                    page.push_str(marks[next(marks.len())]);
                }
                match next(10) {
                    0..=3 => page.push_str(words[next(words.len())]),
                    4 => page.push_str(&next(100_000).to_string()),
                    5 if next(8) == 0 => {
                        let long = next(3) * 100 + 20;
                        for _ in 0..long {
                            page.push_str(letters[next(letters.len())]);
                        }
                    }
                    _ => {
                        for _ in 0..1 + next(12) {
                            // Mostly ASCII, as in German news.
                            let l = if next(3) == 0 {
                                letters[next(letters.len())]
                            } else {
                                letters[next(9)]
                            };
                            page.push_str(l);
                        }
                    }
                }
                if next(3) == 0 {
                    page.push_str(marks[next(marks.len())]);
                }
            }
            page.push('\n');
        }
        page
    }

    #[test]
    fn line_matches_the_one_pass_line_on_generated_pages() {
        let lex = Lexicon::new();
        for seed in 0..3000 {
            let page = generated_page(seed);
            for (i, t) in page.split('\n').enumerate().filter(|(_, t)| !t.is_empty()) {
                let lower = t.to_lowercase();
                let mut want_toks = Tokens::default();
                let want = line_one_pass(i + 1, t, &lower, &lex, &mut want_toks);
                assert_same_line(t, &lex, &want, &want_toks);
            }
        }
    }

    /// Trimming and lowercasing commute: a character [`trim_token`] keeps lowercases to
    /// characters it keeps, and one it takes off to characters it takes off; but 'İ',
    /// whose lowercase ends in a combining dot.
    #[test]
    fn kept_characters_lowercase_to_kept_characters() {
        let kept = |c: char| c == '#' || c == '@' || c.is_alphanumeric();
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            if c == 'İ' {
                continue;
            }
            for l in c.to_lowercase() {
                assert_eq!(kept(l), kept(c), "{c:?} → {l:?}");
            }
        }
        assert!(!kept('İ'.to_lowercase().last().unwrap()));
    }

    #[test]
    fn ascii_tokens_are_trimmed_like_any_token() {
        let marks = ["a", "Z", "9", ".", ",", "#", "@", "-", "'", "(", "@@", "_"];
        for t in crate::chars::strings_of(&marks, 5) {
            let want = trim_token_reference(&t);
            assert_eq!(&t[trim_ascii_token(t.as_bytes())], want, "{t:?}");
        }
    }

    #[test]
    fn endings_see_through_closing_quotes() {
        assert_eq!(line("Er sagte: „Das ist gut.“").end, End::Period);
        assert_eq!(line("Warum nicht?\"").end, End::Question);
        assert_eq!(line("Atomwaffen als Druckmittel").end, End::Open);
    }

    /// The sentence count as first written: over a vector of the characters.
    fn count_sentences_reference(text: &str) -> usize {
        let chars: Vec<char> = text.chars().collect();
        let mut n = 1;
        for i in 0..chars.len() {
            let c = chars[i];
            if matches!(c, '。' | '！' | '？') {
                if i + 1 < chars.len() {
                    n += 1;
                }
                continue;
            }
            if !matches!(c, '.' | '!' | '?' | '…') {
                continue;
            }
            if c == '.' && !(i > 0 && (chars[i - 1].is_lowercase() || is_closing(chars[i - 1]))) {
                continue;
            }
            let mut j = i + 1;
            while j < chars.len() && is_closing(chars[j]) {
                j += 1;
            }
            if j + 1 < chars.len()
                && chars[j] == ' '
                && (chars[j + 1].is_uppercase()
                    || is_opening_quote(chars[j + 1])
                    || chars[j + 1] == '–')
            {
                n += 1;
            }
        }
        n
    }

    #[test]
    fn sentence_count_matches_the_reference() {
        let marks = [
            ".", "!", "?", "…", "。", "！", "？", "“", "\"", ")", " ", "a", "B", "„", "–", "1",
            "ä", "Ä", "中", "’", "»", "'", "(", "*", "]",
        ];
        // Every string of up to four marks.
        let mut texts = crate::chars::strings_of(&marks, 4);
        texts.push("Er sagte: „Das ist gut.“ Dann ging er. … Und? Ja! 中文。好".to_owned());
        for t in &texts {
            let want = count_sentences_reference(t);
            assert_eq!(count_sentences_memchr(t), want, "{t:?}");
            let (_, _, _, other_marks) = byte_counts(t);
            assert_eq!(count_sentences(t, other_marks), want, "{t:?}");
            assert_eq!(count_sentences(t, true), want, "{t:?}");
        }
    }

    #[test]
    fn counts_sentences_but_not_ordinals() {
        assert_eq!(line("Das ist eins. Das ist zwei. Und drei!").sentences, 3);
        assert_eq!(line("Am 80. Jahrestag sprach Kim.").sentences, 1);
    }

    #[test]
    fn body_and_heading_shapes() {
        let body = line("Nordkoreas Machthaber Kim Jong Un will den Ausbau der Atomstreitkräfte weiter vorantreiben.");
        assert!(body.body_like());
        assert!(!body.heading_like());
        let head = line("Trump und Kim – eine merkwürdige Männerfreundschaft");
        assert!(head.heading_like());
        assert!(!head.body_like());
    }

    #[test]
    fn reader_pronouns_and_bullets() {
        assert!(line("Dann melden Sie sich hier an.").reader);
        assert!(line("Willst du Teil unserer Erfolgsstory sein?").informal);
        assert!(!line("Sie sagte nichts.").informal);
        assert!(line("- Ein Punkt der Liste").bullet);
        assert!(line("1. Zum Inhalt springen").bullet);
    }

    #[test]
    fn fuzzy_matching_handles_inflection() {
        assert!(fuzzy_eq("nordkoreanische", "nordkoreanischen"));
        assert!(fuzzy_eq("nordkoreas", "nordkoreanischen"));
        assert!(!fuzzy_eq("kim", "kimchi"));
    }
}
