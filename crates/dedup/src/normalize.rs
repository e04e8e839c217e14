//! Text normalisation for hashing: Unicode NFC, case folding, and every run of punctuation
//! and whitespace collapsed to one space, so that texts differing only in those compare
//! equal.

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

/// The normalised form of `text`, for tests and callers outside the hot path.
pub fn normalize(text: &str) -> String {
    let mut out = String::new();
    normalize_into(text, &mut out, &mut Vec::new());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

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
