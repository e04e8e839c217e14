//! Quality signals of the cleaned text (Gopher-style), written to `clean.quality`.

use serde::Serialize;

use crate::chars::{self, push_lower};
use crate::lexicon::Lexicon;
use crate::lines::trim_token;

/// Quality signals of one cleaned text. Ratios are rounded to four decimals so that the
/// output stays byte-stable.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Quality {
    /// Characters (Unicode scalar values) of the cleaned text.
    pub chars: usize,
    /// Whitespace-separated words.
    pub words: usize,
    /// Mean length in characters of the words, punctuation trimmed.
    pub mean_word_length: f64,
    /// Share of non-space characters that are neither letters, digits nor ordinary
    /// punctuation (`# * | @ = < > ~ _`, emoji, …).
    pub symbol_ratio: f64,
    /// Share of non-space characters that are digits.
    pub digit_ratio: f64,
    /// Share of letters that are uppercase.
    pub uppercase_ratio: f64,
    /// Share of words that are German or English stop words.
    pub stopword_ratio: f64,
    /// Share of paragraphs that repeat an earlier paragraph (Gopher `dup_line_frac`).
    pub duplicate_line_ratio: f64,
    /// Share of characters in repeated paragraphs (Gopher `dup_line_char_frac`).
    pub duplicate_line_char_ratio: f64,
    /// Share of paragraphs that start with a list marker.
    pub bullet_line_ratio: f64,
    /// Share of paragraphs that end with an ellipsis.
    pub ellipsis_line_ratio: f64,
    /// Paragraphs of the cleaned text.
    pub paragraphs: usize,
    /// Non-blank lines of the input.
    pub lines: usize,
    /// Input lines the cleaner removed.
    pub lines_removed: usize,
    /// Share of the input's characters (after normalisation, blank lines aside) that
    /// the cleaner removed.
    pub removed_char_ratio: f64,
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        ((a as f64 / b as f64) * 10_000.0).round() / 10_000.0
    }
}

const fn is_ordinary_punct(c: char) -> bool {
    matches!(
        c,
        '.' | ','
            | ';'
            | ':'
            | '!'
            | '?'
            | '\''
            | '"'
            | '„'
            | '“'
            | '”'
            | '‚'
            | '‘'
            | '’'
            | '«'
            | '»'
            | '‹'
            | '›'
            | '('
            | ')'
            | '['
            | ']'
            | '-'
            | '–'
            | '—'
            | '/'
            | '…'
            | '%'
            | '&'
            | '€'
            | '$'
            | '£'
            | '§'
            | '°'
    )
}

/// Classes of an ASCII character for the signals (bit flags).
const SPACE: u8 = 1;
const LETTER: u8 = 2;
const UPPER: u8 = 4;
const DIGIT: u8 = 8;
const PUNCT: u8 = 16;

/// The classes of each ASCII character, as `char`'s `is_whitespace`, `is_alphabetic`,
/// `is_uppercase`, `is_numeric` and [`is_ordinary_punct`] tell them.
const ASCII_CLASSES: [u8; 128] = {
    let mut t = [0u8; 128];
    let mut i = 0;
    while i < 128 {
        let c = i as u8;
        t[i] = if c == b' ' || (c >= 9 && c <= 13) {
            SPACE
        } else if c.is_ascii_uppercase() {
            LETTER | UPPER
        } else if c.is_ascii_lowercase() {
            LETTER
        } else if c.is_ascii_digit() {
            DIGIT
        } else if is_ordinary_punct(c as char) {
            PUNCT
        } else {
            0
        };
        i += 1;
    }
    t
};

/// Word counts of [`Quality::measure`].
#[derive(Default)]
struct Words {
    /// Whitespace-separated words.
    words: usize,
    /// Words left after trimming punctuation, and their characters.
    counted: usize,
    word_chars: usize,
    /// Stop words among them.
    stop: usize,
    /// The longest stop word in characters.
    max_stop: usize,
    /// Room for a lowercase word.
    lower: String,
}

impl Words {
    fn add(&mut self, w: &str, lex: &Lexicon) {
        self.words += 1;
        let t = trim_token(w);
        if t.is_empty() {
            return;
        }
        self.counted += 1;
        let ascii = t.is_ascii();
        let n = if ascii { t.len() } else { t.chars().count() };
        self.word_chars += n;
        // Lowercasing never shortens a word in characters.
        if n > self.max_stop {
            return;
        }
        if ascii {
            let lower = if t.bytes().any(|b| b.is_ascii_uppercase()) {
                self.lower.clear();
                self.lower.push_str(t);
                self.lower.make_ascii_lowercase();
                self.lower.as_str()
            } else {
                t
            };
            if lex.is_stop(lower) {
                self.stop += 1;
            }
            return;
        }
        self.lower.clear();
        for c in t.chars() {
            push_lower(c, &mut self.lower);
        }
        if lex.is_stop(&self.lower) {
            self.stop += 1;
        }
    }
}

/// The length of the UTF-8 sequence that starts with `b`.
fn utf8_len(b: u8) -> usize {
    match b {
        0xF0.. => 4,
        0xE0.. => 3,
        0xC0.. => 2,
        _ => 1,
    }
}

/// The paragraphs of `text`: `text.split("\n\n")`, finding each `\n` with `memchr`.
fn paragraphs(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = Some(text);
    std::iter::from_fn(move || {
        let r = rest?;
        let mut from = 0;
        while let Some(k) = r[from..].find('\n') {
            let at = from + k;
            if r.as_bytes().get(at + 1) == Some(&b'\n') {
                rest = Some(&r[at + 2..]);
                return Some(&r[..at]);
            }
            from = at + 1;
        }
        rest = None;
        Some(r)
    })
}

impl Quality {
    /// Measures `text` (paragraphs separated by blank lines). `lines` and
    /// `lines_removed` count input lines, `removed_chars` the characters of removed lines.
    pub(crate) fn measure(
        text: &str,
        lex: &Lexicon,
        lines: usize,
        lines_removed: usize,
        removed_chars: usize,
    ) -> Self {
        // Non-ASCII characters by class; ASCII ones are counted by their class bits in
        // `ascii` and summed up after the loop.
        let mut chars = 0;
        let mut non_space = 0;
        let mut symbols = 0;
        let mut digits = 0;
        let mut letters = 0;
        let mut upper = 0;
        let mut ascii = [0usize; 32];
        let mut w = Words {
            max_stop: lex.stop_max_chars(),
            ..Words::default()
        };
        // One pass over the characters: their classes, and the whitespace-separated
        // words (as `split_whitespace` gives them). Each turn of the outer loop takes
        // one whitespace character, or one word in a tight inner loop.
        let bytes = text.as_bytes();
        let mut i = 0;
        // Counts a non-ASCII character, and tells whether it is whitespace.
        let mut other = |c: char| {
            chars += 1;
            if c.is_whitespace() {
                return true;
            }
            non_space += 1;
            if chars::is_alphabetic(c) {
                letters += 1;
                if c.is_uppercase() {
                    upper += 1;
                }
            } else if c.is_numeric() {
                digits += 1;
            } else if !is_ordinary_punct(c) {
                symbols += 1;
            }
            false
        };
        while i < bytes.len() {
            let start = i;
            loop {
                // ASCII bytes of the word.
                while let Some(&b) = bytes.get(i) {
                    if !b.is_ascii() {
                        break;
                    }
                    let k = ASCII_CLASSES[usize::from(b)];
                    if k == SPACE {
                        break;
                    }
                    ascii[usize::from(k)] += 1;
                    i += 1;
                }
                match bytes.get(i) {
                    None => break,
                    Some(&b) if b.is_ascii() => {
                        // An ASCII space ends the word.
                        ascii[usize::from(SPACE)] += 1;
                        break;
                    }
                    Some(_) => {
                        // `i` is on a character boundary: every byte before it was
                        // taken whole.
                        let Some(c) = text[i..].chars().next() else {
                            break;
                        };
                        let space = other(c);
                        if space {
                            break;
                        }
                        i += c.len_utf8();
                    }
                }
            }
            if i > start {
                w.add(&text[start..i], lex);
            }
            // Past the whitespace character that ended the word (counted above).
            i += bytes.get(i).map_or(0, |&b| utf8_len(b));
        }
        for (k, &count) in ascii.iter().enumerate() {
            let k = k as u8;
            chars += count;
            if k & SPACE != 0 {
                continue;
            }
            non_space += count;
            if k & LETTER != 0 {
                letters += count;
                if k & UPPER != 0 {
                    upper += count;
                }
            } else if k & DIGIT != 0 {
                digits += count;
            } else if k & PUNCT == 0 {
                symbols += count;
            }
        }
        let Words {
            words,
            word_chars,
            counted,
            stop,
            ..
        } = w;
        // Paragraphs sorted, so that equal ones are neighbours: each paragraph after the
        // first of its group repeats an earlier one.
        let mut paras: Vec<(&str, usize)> = Vec::new();
        let (mut bullets, mut ellipsis) = (0, 0);
        let mut para_chars = 0;
        for p in paragraphs(text).filter(|p| !p.is_empty()) {
            let n = p.chars().count();
            para_chars += n;
            paras.push((p, n));
            if p.starts_with(['-', '•', '*', '–', '·', '▪']) {
                bullets += 1;
            }
            if p.ends_with("...") || p.ends_with('…') {
                ellipsis += 1;
            }
        }
        let paragraphs = paras.len();
        paras.sort_unstable_by(|a, b| a.0.cmp(b.0));
        let (mut dup, mut dup_chars) = (0, 0);
        for pair in paras.windows(2) {
            if pair[0].0 == pair[1].0 {
                dup += 1;
                dup_chars += pair[1].1;
            }
        }
        Quality {
            chars,
            words,
            mean_word_length: if counted == 0 {
                0.0
            } else {
                ((word_chars as f64 / counted as f64) * 100.0).round() / 100.0
            },
            symbol_ratio: ratio(symbols, non_space),
            digit_ratio: ratio(digits, non_space),
            uppercase_ratio: ratio(upper, letters),
            stopword_ratio: ratio(stop, words),
            duplicate_line_ratio: ratio(dup, paragraphs),
            duplicate_line_char_ratio: ratio(dup_chars, para_chars),
            bullet_line_ratio: ratio(bullets, paragraphs),
            ellipsis_line_ratio: ratio(ellipsis, paragraphs),
            paragraphs,
            lines,
            lines_removed,
            removed_char_ratio: ratio(removed_chars, removed_chars + para_chars),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measures_simple_text() {
        let lex = Lexicon::new();
        let q = Quality::measure(
            "Das ist gut.\n\nDas ist gut.\n\n- 2025 #Tag",
            &lex,
            4,
            1,
            10,
        );
        assert_eq!(q.words, 9);
        assert_eq!(q.paragraphs, 3);
        assert_eq!(q.lines, 4);
        assert_eq!(q.lines_removed, 1);
        assert!((q.duplicate_line_ratio - 0.3333).abs() < 1e-9);
        assert!((q.bullet_line_ratio - 0.3333).abs() < 1e-9);
        // "das", "ist" twice each.
        assert!((q.stopword_ratio - 4.0 / 9.0).abs() < 1e-3);
        // One '#' among the non-space characters.
        assert!(q.symbol_ratio > 0.0);
        assert!(q.digit_ratio > 0.0);
    }

    #[test]
    fn ascii_classes_agree_with_char() {
        for b in 0u8..128 {
            let c = char::from(b);
            let k = ASCII_CLASSES[usize::from(b)];
            assert_eq!(k & SPACE != 0, c.is_whitespace(), "{c:?}");
            assert_eq!(k & LETTER != 0, c.is_alphabetic(), "{c:?}");
            assert_eq!(k & UPPER != 0, c.is_uppercase(), "{c:?}");
            assert_eq!(k & DIGIT != 0, c.is_numeric(), "{c:?}");
            if k & (SPACE | LETTER | DIGIT) == 0 {
                assert_eq!(k & PUNCT != 0, is_ordinary_punct(c), "{c:?}");
            }
        }
    }

    /// The signals as first written: from the standard library's character classes,
    /// `split_whitespace`, `to_lowercase` and `split("\n\n")`.
    fn measure_reference(text: &str, lex: &Lexicon) -> Quality {
        let ns: Vec<char> = text.chars().filter(|c| !c.is_whitespace()).collect();
        let letters: Vec<char> = ns.iter().copied().filter(|c| c.is_alphabetic()).collect();
        let upper = letters.iter().filter(|c| c.is_uppercase()).count();
        let other = || ns.iter().filter(|c| !c.is_alphabetic());
        let digits = other().filter(|c| c.is_numeric()).count();
        let symbols = other()
            .filter(|c| !c.is_numeric() && !is_ordinary_punct(**c))
            .count();
        let words: Vec<&str> = text.split_whitespace().collect();
        let toks: Vec<&str> = words
            .iter()
            .map(|w| trim_token(w))
            .filter(|t| !t.is_empty())
            .collect();
        let word_chars: usize = toks.iter().map(|t| t.chars().count()).sum();
        let stop = toks
            .iter()
            .filter(|t| lex.is_stop(&t.to_lowercase()))
            .count();
        let paras: Vec<&str> = text.split("\n\n").filter(|p| !p.is_empty()).collect();
        let para_chars: usize = paras.iter().map(|p| p.chars().count()).sum();
        let mut sorted = paras.clone();
        sorted.sort_unstable();
        let dups: Vec<&str> = sorted
            .windows(2)
            .filter(|w| w[0] == w[1])
            .map(|w| w[1])
            .collect();
        let dup_chars: usize = dups.iter().map(|p| p.chars().count()).sum();
        let bullets = paras
            .iter()
            .filter(|p| p.starts_with(['-', '•', '*', '–', '·', '▪']))
            .count();
        let ellipsis = paras
            .iter()
            .filter(|p| p.ends_with("...") || p.ends_with('…'))
            .count();
        Quality {
            chars: text.chars().count(),
            words: words.len(),
            mean_word_length: if toks.is_empty() {
                0.0
            } else {
                ((word_chars as f64 / toks.len() as f64) * 100.0).round() / 100.0
            },
            symbol_ratio: ratio(symbols, ns.len()),
            digit_ratio: ratio(digits, ns.len()),
            uppercase_ratio: ratio(upper, letters.len()),
            stopword_ratio: ratio(stop, words.len()),
            duplicate_line_ratio: ratio(dups.len(), paras.len()),
            duplicate_line_char_ratio: ratio(dup_chars, para_chars),
            bullet_line_ratio: ratio(bullets, paras.len()),
            ellipsis_line_ratio: ratio(ellipsis, paras.len()),
            paragraphs: paras.len(),
            lines: 3,
            lines_removed: 1,
            removed_char_ratio: ratio(7, 7 + para_chars),
        }
    }

    #[test]
    fn measure_matches_the_reference() {
        let lex = Lexicon::new();
        let mut texts: Vec<String> = [
            "",
            "\n\n",
            "a\n\n\nb\n\nb\n\n\n\n",
            "Das ist gut.\n\nDas ist gut.\n\n- 2025 #Tag",
            "ÜBER Über über FÜR für İ İch DIE Die\u{A0}der\u{2003}ΣΑΣ ½ ² 中文 😀 ™ — „Zitat“ …",
            "THE The the AND BECAUSE Because zwischen ZWISCHEN Zwischenzeit x y\tz\r\nw",
            "• eins\n\n· zwei\n\nDrei...\n\nVier…\n\n• eins",
            "\u{3000}ab\u{85}\u{85}Ü \u{2028}",
            " x ",
            "ü",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        for seed in [
            include_str!("../../../seeds/000_4cc634fd74ce4d48.txt"),
            include_str!("../../../seeds/001_71e4d82f6747df7e.txt"),
            include_str!("../../../seeds/003_b6e55cbff507565a.txt"),
        ] {
            texts.push(seed.to_owned());
            texts.push(seed.replace('\n', "\n\n"));
        }
        for t in &texts {
            assert_eq!(
                Quality::measure(t, &lex, 3, 1, 7),
                measure_reference(t, &lex),
                "{t:?}"
            );
        }
    }

    #[test]
    fn empty_text_has_zero_ratios() {
        let q = Quality::measure("", &Lexicon::new(), 0, 0, 0);
        assert_eq!(q, Quality::default());
    }
}
