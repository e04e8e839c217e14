//! Text normalisation for hashing: Unicode NFC, case folding, and every run of punctuation
//! and whitespace collapsed to one space, so that texts differing only in those compare
//! equal.

use unicode_normalization::char::canonical_combining_class;
use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};

/// Writes the normalised form of `text` into `out` (cleared first): the words of the text
/// (runs of alphanumeric characters), case-folded and separated by single spaces, with no
/// space at either end. Word byte ranges in `out` are pushed to `words` (cleared first).
///
/// Case folding is `char::to_lowercase` plus `ß`/`ẞ` → `ss`, which is what full Unicode
/// case folding adds for German text.
pub fn normalize_into(text: &str, out: &mut String, words: &mut Vec<(u32, u32)>) {
    out.clear();
    words.clear();
    normalize_append(text, out, words);
}

/// Like [`normalize_into`], but appends to `out` and `words` (with a space before the first
/// new word when `out` is not empty). Normalising the whitespace-separated pieces of a text
/// one after another gives the same result as normalising the whole text.
pub fn normalize_append(text: &str, out: &mut String, words: &mut Vec<(u32, u32)>) {
    let (out_len, words_len) = (out.len(), words.len());
    if append_if_nfc(text, out, words) {
        return;
    }
    // Rare: the text may not be in NFC, so it is composed first and folded character by
    // character.
    out.truncate(out_len);
    words.truncate(words_len);
    let mut folder = WordFolder::new(out, words);
    for c in text.nfc() {
        folder.push(c);
    }
    folder.finish();
}

/// Folds `text`, taken to be in NFC, onto `out` and `words`, checking on the way what
/// `is_nfc_quick` checks; returns `false` (with `out` and `words` partly written) as soon
/// as that check would not answer "yes". One pass instead of a check pass and a folding
/// pass, and runs of ASCII letters and digits are copied and lowercased in bulk.
fn append_if_nfc(text: &str, out: &mut String, words: &mut Vec<(u32, u32)>) -> bool {
    let bytes = text.as_bytes();
    out.reserve(text.len() + 1);
    let mut folder = WordFolder::new(out, words);
    // The combining class of the last character, as `is_nfc_quick` tracks it: a
    // non-starter may not follow one of a higher class.
    let mut last_class = 0u8;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b.is_ascii_alphanumeric() {
            let run = bytes[i..]
                .iter()
                .position(|b| !b.is_ascii_alphanumeric())
                .unwrap_or(bytes.len() - i);
            folder.push_ascii_word_part(&text[i..i + run]);
            last_class = 0;
            i += run;
        } else if b.is_ascii() {
            folder.end_word();
            last_class = 0;
            i += 1;
        } else {
            let c = char_at(text, i);
            if is_nfc_starter(c) {
                last_class = 0;
            } else {
                let class = canonical_combining_class(c);
                if (last_class > class && class != 0)
                    || is_nfc_quick(std::iter::once(c)) != IsNormalized::Yes
                {
                    return false;
                }
                last_class = class;
            }
            folder.push(c);
            i += c.len_utf8();
        }
    }
    folder.finish();
    true
}

/// Whether `c` is a starter (combining class 0) that NFC keeps whatever surrounds it
/// (quick check "yes"), decided without a table lookup for the characters of German
/// text: everything below U+0300 (where the combining marks begin), the general
/// punctuation from the dashes to the per mille sign, and the euro sign. A test checks
/// every character listed here against the Unicode tables.
fn is_nfc_starter(c: char) -> bool {
    matches!(c, '\0'..='\u{2ff}' | '\u{2010}'..='\u{2030}' | '€')
}

/// The character starting at byte `i` of `text` (a character boundary below its length).
fn char_at(text: &str, i: usize) -> char {
    // Invariant: callers pass character boundaries below `text.len()`.
    text[i..].chars().next().unwrap_or('\0')
}

/// Appends case-folded words to a normalised text, opening and closing word ranges.
struct WordFolder<'a> {
    out: &'a mut String,
    words: &'a mut Vec<(u32, u32)>,
    word_start: Option<usize>,
}

impl<'a> WordFolder<'a> {
    fn new(out: &'a mut String, words: &'a mut Vec<(u32, u32)>) -> Self {
        WordFolder {
            out,
            words,
            word_start: None,
        }
    }

    fn start_word(&mut self) {
        if self.word_start.is_none() {
            if !self.out.is_empty() {
                self.out.push(' ');
            }
            self.word_start = Some(self.out.len());
        }
    }

    fn end_word(&mut self) {
        if let Some(start) = self.word_start.take() {
            self.words.push((start as u32, self.out.len() as u32));
        }
    }

    /// Appends `part`, ASCII letters and digits only, lowercased.
    fn push_ascii_word_part(&mut self, part: &str) {
        self.start_word();
        let at = self.out.len();
        self.out.push_str(part);
        self.out[at..].make_ascii_lowercase();
    }

    /// Appends the next character of the text: folded if alphanumeric, else it ends the
    /// word.
    fn push(&mut self, c: char) {
        // Latin-1 letters skip the Unicode tables; the rest take the general rule.
        match c {
            'ß' => {
                self.start_word();
                self.out.push_str("ss");
            }
            '\u{c0}'..='\u{de}' if c != '×' => {
                self.start_word();
                // Latin-1 capitals lie 0x20 below their small letters.
                self.out.push(char::from(c as u8 + 0x20));
            }
            '\u{e0}'..='\u{ff}' if c != '÷' => {
                self.start_word();
                self.out.push(c);
            }
            '\u{2000}'..='\u{206f}' => self.end_word(),
            _ if c.is_alphanumeric() => {
                self.start_word();
                if c.is_ascii() {
                    self.out.push(c.to_ascii_lowercase());
                } else if c == 'ẞ' {
                    self.out.push_str("ss");
                } else {
                    self.out.extend(c.to_lowercase());
                }
            }
            _ => self.end_word(),
        }
    }

    fn finish(mut self) {
        self.end_word();
    }
}

/// The normalised form of `text`, for tests and callers outside the hot path.
pub fn normalize(text: &str) -> String {
    let mut out = String::new();
    normalize_into(text, &mut out, &mut Vec::new());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `normalize_append` as it was: an NFC quick-check pass, then every character
    /// folded through the general rule.
    fn normalize_append_char_by_char(text: &str, out: &mut String, words: &mut Vec<(u32, u32)>) {
        let mut word_start: Option<usize> = None;
        let mut push = |c: char, out: &mut String, word_start: &mut Option<usize>| {
            if c.is_alphanumeric() {
                if word_start.is_none() {
                    if !out.is_empty() {
                        out.push(' ');
                    }
                    *word_start = Some(out.len());
                }
                if c.is_ascii() {
                    out.push(c.to_ascii_lowercase());
                } else if c == 'ß' || c == 'ẞ' {
                    out.push_str("ss");
                } else {
                    out.extend(c.to_lowercase());
                }
            } else if let Some(start) = word_start.take() {
                words.push((start as u32, out.len() as u32));
            }
        };
        if is_nfc_quick(text.chars()) == IsNormalized::Yes {
            for c in text.chars() {
                push(c, out, &mut word_start);
            }
        } else {
            for c in text.nfc() {
                push(c, out, &mut word_start);
            }
        }
        if let Some(start) = word_start {
            words.push((start as u32, out.len() as u32));
        }
    }

    /// Appends each of `pieces` with `append`, from a fixed non-empty start.
    fn append_all(
        pieces: &[&str],
        append: fn(&str, &mut String, &mut Vec<(u32, u32)>),
    ) -> (String, Vec<(u32, u32)>) {
        let (mut out, mut words) = (String::from("vorher"), vec![(0, 6)]);
        for piece in pieces {
            append(piece, &mut out, &mut words);
        }
        (out, words)
    }

    #[test]
    fn every_character_folds_as_the_general_rule_folds_it() {
        for c in (0..=0x10ffff).filter_map(char::from_u32) {
            for text in [format!("A{c}b"), format!("{c}{c} 1"), c.to_string()] {
                let mut pieces = vec![""];
                pieces.push(&text);
                assert_eq!(
                    append_all(&pieces, normalize_append),
                    append_all(&pieces, normalize_append_char_by_char),
                    "{c:?} (U+{:04X})",
                    c as u32
                );
            }
        }
    }

    #[test]
    fn the_characters_taken_for_nfc_starters_are_starters_nfc_keeps() {
        let starters = (0..=0x10ffff)
            .filter_map(char::from_u32)
            .filter(|&c| is_nfc_starter(c));
        for c in starters {
            assert_eq!(canonical_combining_class(c), 0, "{c:?}");
            assert_eq!(is_nfc_quick(std::iter::once(c)), IsNormalized::Yes, "{c:?}");
        }
    }

    #[test]
    fn folding_in_one_pass_matches_checking_then_folding() {
        let pieces = [
            "Wort",
            "WORT",
            "wort",
            "x",
            "Ä",
            "ä",
            "Ö",
            "ü",
            "ß",
            "ẞ",
            "É",
            "×",
            "÷",
            "ÿ",
            "µ",
            "ª",
            "²",
            "½",
            "١",
            "İ",
            "Σ",
            "ǅ",
            "Ω",
            "\u{2126}",
            "\u{212b}",
            "\u{2000}",
            "e\u{301}",
            "\u{301}",
            "\u{327}",
            "\u{301}\u{327}",
            "\u{1100}\u{1161}",
            "가",
            "😀",
            "„",
            "“",
            "”",
            "–",
            "…",
            "€",
            "\u{a0}",
            " ",
            "  ",
            "\n",
            "\n\n",
            ".",
            ",",
            "-",
            "'",
            "3",
            "2025",
            "AbcDefGhiJklMnoPqrStuVwxYz0123456789",
            "",
        ];
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        for _ in 0..30_000 {
            let mut texts = Vec::new();
            for _ in 0..1 + state % 4 {
                let mut text = String::new();
                for _ in 0..state % 30 {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    text.push_str(pieces[(state % pieces.len() as u64) as usize]);
                }
                texts.push(text);
            }
            let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
            assert_eq!(
                append_all(&texts, normalize_append),
                append_all(&texts, normalize_append_char_by_char),
                "{texts:?}"
            );
        }
    }

    #[test]
    fn folds_case_punctuation_and_whitespace() {
        assert_eq!(
            normalize("  Die GROSSE Straße,\n\n sagte er:  „Nein!“ "),
            "die grosse strasse sagte er nein"
        );
        assert_eq!(normalize(""), "");
        assert_eq!(normalize(" ,.;! "), "");
    }

    #[test]
    fn composes_to_nfc_first() {
        // "Grüße" with a combining diaeresis.
        assert_eq!(normalize("Gru\u{0308}ße"), normalize("Grüße"));
    }

    #[test]
    fn records_word_ranges() {
        let mut out = String::new();
        let mut words = Vec::new();
        normalize_into("Ein Über-Test.", &mut out, &mut words);
        assert_eq!(out, "ein über test");
        let got: Vec<&str> = words
            .iter()
            .map(|&(s, e)| &out[s as usize..e as usize])
            .collect();
        assert_eq!(got, ["ein", "über", "test"]);
        normalize_append(" Noch eins", &mut out, &mut words);
        assert_eq!(out, "ein über test noch eins");
        assert_eq!(words.len(), 5);
        assert_eq!(words[3], (15, 19));
    }
}
