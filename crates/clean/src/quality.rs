//! Quality signals of the cleaned text (Gopher-style), written to `clean.quality`.

use std::collections::HashSet;

use serde::Serialize;

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

fn is_ordinary_punct(c: char) -> bool {
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
        let mut chars = 0;
        let mut non_space = 0;
        let mut symbols = 0;
        let mut digits = 0;
        let mut letters = 0;
        let mut upper = 0;
        for c in text.chars() {
            chars += 1;
            if c.is_whitespace() {
                continue;
            }
            non_space += 1;
            if c.is_alphabetic() {
                letters += 1;
                if c.is_uppercase() {
                    upper += 1;
                }
            } else if c.is_numeric() {
                digits += 1;
            } else if !is_ordinary_punct(c) {
                symbols += 1;
            }
        }
        let mut words = 0;
        let mut word_chars = 0;
        let mut counted = 0;
        let mut stop = 0;
        let mut lower_buf = String::new();
        for w in text.split_whitespace() {
            words += 1;
            let t = trim_token(w);
            if t.is_empty() {
                continue;
            }
            counted += 1;
            word_chars += t.chars().count();
            lower_buf.clear();
            lower_buf.extend(t.chars().flat_map(char::to_lowercase));
            if lex.is_stop(&lower_buf) {
                stop += 1;
            }
        }
        let mut seen = HashSet::new();
        let (mut paragraphs, mut dup, mut dup_chars, mut bullets, mut ellipsis) = (0, 0, 0, 0, 0);
        let mut para_chars = 0;
        for p in text.split("\n\n").filter(|p| !p.is_empty()) {
            paragraphs += 1;
            let n = p.chars().count();
            para_chars += n;
            if !seen.insert(p) {
                dup += 1;
                dup_chars += n;
            }
            if p.starts_with(['-', '•', '*', '–', '·', '▪']) {
                bullets += 1;
            }
            if p.ends_with("...") || p.ends_with('…') {
                ellipsis += 1;
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
    fn empty_text_has_zero_ratios() {
        let q = Quality::measure("", &Lexicon::new(), 0, 0, 0);
        assert_eq!(q, Quality::default());
    }
}
