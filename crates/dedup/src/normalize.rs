//! Text normalisation for hashing: Unicode NFC, case folding, and every run of punctuation
//! and whitespace collapsed to one space, so that texts differing only in those compare
//! equal.
//!
//! The normalised text is built as bytes (always UTF-8): it is only ever hashed, and bytes
//! let eight ASCII letters be appended with one store.

use unicode_normalization::char::canonical_combining_class;
use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};

/// Writes the normalised form of `text` into `out` (cleared first): the words of the text
/// (runs of alphanumeric characters), case-folded and separated by single spaces, with no
/// space at either end, in UTF-8. Word byte ranges in `out` are pushed to `words` (cleared
/// first).
///
/// Case folding is `char::to_lowercase` plus `ß`/`ẞ` → `ss`, which is what full Unicode
/// case folding adds for German text.
pub fn normalize_into(text: &str, out: &mut Vec<u8>, words: &mut Vec<(u32, u32)>) {
    out.clear();
    words.clear();
    normalize_append(text, out, words);
}

/// Like [`normalize_into`], but appends to `out` and `words` (with a space before the first
/// new word when `out` is not empty). Normalising the whitespace-separated pieces of a text
/// one after another gives the same result as normalising the whole text.
pub fn normalize_append(text: &str, out: &mut Vec<u8>, words: &mut Vec<(u32, u32)>) {
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
/// pass; ASCII is classified and lowercased eight bytes at a time ([`AsciiChunk`]).
fn append_if_nfc(text: &str, out: &mut Vec<u8>, words: &mut Vec<(u32, u32)>) -> bool {
    let bytes = text.as_bytes();
    // Room for the text, a space before it and the overhang of the last eight-byte store.
    out.reserve(text.len() + 8);
    let mut folder = WordFolder::new(out, words);
    // The combining class of the last character, as `is_nfc_quick` tracks it: a
    // non-starter may not follow one of a higher class.
    let mut last_class = 0u8;
    let mut i = 0;
    while i < bytes.len() {
        // A word part and the punctuation or spaces after it, from one chunk.
        let chunk = AsciiChunk::at(bytes, i);
        let letters = chunk.leading_letters_and_digits();
        if letters > 0 {
            folder.push_ascii_lowercase(chunk.lowercased(), letters);
            last_class = 0;
            i += letters;
            if letters == 8 {
                continue;
            }
        }
        let others = chunk.other_ascii_from(letters);
        if others > 0 {
            folder.end_word();
            last_class = 0;
            i += others;
            continue;
        }
        // Past the ASCII, at a non-ASCII character or the end.
        if i == bytes.len() {
            break;
        }
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
    folder.finish();
    true
}

/// The high bit of each byte of a `u64`.
const HIGH_BITS: u64 = 0x8080_8080_8080_8080;
/// The low bit of each byte of a `u64`.
const LOW_BITS: u64 = 0x0101_0101_0101_0101;

/// Eight bytes of a text, classified all at once (SWAR): ASCII letters and digits, other
/// ASCII, and the rest (bytes of non-ASCII characters, and padding past the end of the
/// text). Bit 7 of each byte of a mask says whether that byte is in the class; byte 0 is
/// the first of the text.
struct AsciiChunk {
    bytes: u64,
    /// ASCII letters.
    letters: u64,
    /// ASCII letters and digits.
    letters_and_digits: u64,
    /// All ASCII bytes.
    ascii: u64,
}

impl AsciiChunk {
    /// The eight bytes of `bytes` from `i` on (`i` below its length), padded with 0x80,
    /// which is not ASCII, so that nothing runs past the end.
    fn at(bytes: &[u8], i: usize) -> Self {
        let eight = match bytes[i..].first_chunk::<8>() {
            Some(eight) => *eight,
            None => {
                let mut eight = [0x80; 8];
                eight[..bytes.len() - i].copy_from_slice(&bytes[i..]);
                eight
            }
        };
        let bytes = u64::from_le_bytes(eight);
        let ascii = !bytes & HIGH_BITS;
        // With bit 7 cleared no byte carries into the next in `in_range`.
        let low7 = bytes & !HIGH_BITS;
        // Setting bit 5 maps `A`..=`Z` onto `a`..=`z` and nothing else onto them.
        let letters = in_range(low7 | (LOW_BITS * 0x20), b'a', b'z') & ascii;
        let letters_and_digits = letters | (in_range(low7, b'0', b'9') & ascii);
        AsciiChunk {
            bytes,
            letters,
            letters_and_digits,
            ascii,
        }
    }

    /// How many bytes from the first are ASCII letters or digits.
    fn leading_letters_and_digits(&self) -> usize {
        leading_set(self.letters_and_digits)
    }

    /// How many bytes from byte `from` (below 8) on are ASCII but neither letters nor
    /// digits.
    fn other_ascii_from(&self, from: usize) -> usize {
        leading_set((self.ascii & !self.letters_and_digits) >> (8 * from))
    }

    /// The eight bytes with the letters lowercased (bit 5 set, 0x80 >> 2).
    fn lowercased(&self) -> [u8; 8] {
        (self.bytes | (self.letters >> 2)).to_le_bytes()
    }
}

/// Bit 7 set in each byte of `low7` (whose bytes are all below 0x80) that lies in
/// `lo..=hi`: adding `0x80 - lo` reaches bit 7 from `lo` up, adding `0x7f - hi` from
/// `hi + 1` up, and neither sum overflows a byte.
fn in_range(low7: u64, lo: u8, hi: u8) -> u64 {
    let from_lo = low7 + LOW_BITS * u64::from(0x80 - lo);
    let past_hi = low7 + LOW_BITS * u64::from(0x7f - hi);
    from_lo & !past_hi & HIGH_BITS
}

/// How many bytes from the first (the lowest) have bit 7 set in `mask`.
fn leading_set(mask: u64) -> usize {
    ((!mask & HIGH_BITS).trailing_zeros() / 8) as usize
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
    out: &'a mut Vec<u8>,
    words: &'a mut Vec<(u32, u32)>,
    word_start: Option<usize>,
}

impl<'a> WordFolder<'a> {
    fn new(out: &'a mut Vec<u8>, words: &'a mut Vec<(u32, u32)>) -> Self {
        WordFolder {
            out,
            words,
            word_start: None,
        }
    }

    fn start_word(&mut self) {
        if self.word_start.is_none() {
            if !self.out.is_empty() {
                self.out.push(b' ');
            }
            self.word_start = Some(self.out.len());
        }
    }

    fn end_word(&mut self) {
        if let Some(start) = self.word_start.take() {
            self.words.push((start as u32, self.out.len() as u32));
        }
    }

    /// Appends the first `len` of `eight` (lowercase ASCII letters and digits) to the
    /// current word. All eight are stored and the rest cut off again: one store instead
    /// of one per byte.
    fn push_ascii_lowercase(&mut self, eight: [u8; 8], len: usize) {
        self.start_word();
        let end = self.out.len() + len;
        self.out.extend_from_slice(&eight);
        self.out.truncate(end);
    }

    fn push_char(&mut self, c: char) {
        self.out
            .extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
    }

    /// Appends the next character of the text: folded if alphanumeric, else it ends the
    /// word.
    fn push(&mut self, c: char) {
        // Latin-1 letters skip the Unicode tables; the rest take the general rule.
        match c {
            'ß' => {
                self.start_word();
                self.out.extend_from_slice(b"ss");
            }
            '\u{c0}'..='\u{de}' if c != '×' => {
                self.start_word();
                // Latin-1 capitals lie 0x20 below their small letters.
                self.push_char(char::from(c as u8 + 0x20));
            }
            '\u{e0}'..='\u{ff}' if c != '÷' => {
                self.start_word();
                self.push_char(c);
            }
            '\u{2000}'..='\u{206f}' => self.end_word(),
            _ if c.is_alphanumeric() => {
                self.start_word();
                if c.is_ascii() {
                    self.out.push(c.to_ascii_lowercase() as u8);
                } else if c == 'ẞ' {
                    self.out.extend_from_slice(b"ss");
                } else {
                    for lower in c.to_lowercase() {
                        self.push_char(lower);
                    }
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
    let mut out = Vec::new();
    normalize_into(text, &mut out, &mut Vec::new());
    // Lossless: the normalised text is UTF-8 by construction.
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_rng::XorShift;

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

    /// Appends each of `pieces` with `normalize_append`, from a fixed non-empty start.
    fn append_all(pieces: &[&str]) -> (String, Vec<(u32, u32)>) {
        let (mut out, mut words) = (b"vorher".to_vec(), vec![(0, 6)]);
        for piece in pieces {
            normalize_append(piece, &mut out, &mut words);
        }
        (String::from_utf8(out).unwrap(), words)
    }

    /// Like [`append_all`], with [`normalize_append_char_by_char`].
    fn append_all_char_by_char(pieces: &[&str]) -> (String, Vec<(u32, u32)>) {
        let (mut out, mut words) = (String::from("vorher"), vec![(0, 6)]);
        for piece in pieces {
            normalize_append_char_by_char(piece, &mut out, &mut words);
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
                    append_all(&pieces),
                    append_all_char_by_char(&pieces),
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
        let mut rng = XorShift(0x2545_f491_4f6c_dd1d);
        for _ in 0..30_000 {
            let mut texts = Vec::new();
            for _ in 0..1 + rng.0 % 4 {
                let mut text = String::new();
                for _ in 0..rng.0 % 30 {
                    text.push_str(pieces[(rng.next() % pieces.len() as u64) as usize]);
                }
                texts.push(text);
            }
            let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
            assert_eq!(
                append_all(&texts),
                append_all_char_by_char(&texts),
                "{texts:?}"
            );
        }
    }

    #[test]
    fn chunks_classify_every_byte_as_the_byte_methods_do() {
        let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
        for round in 0..200_000 {
            let mut bytes = rng.next().to_le_bytes();
            // Half the rounds keep to the bytes near the class edges.
            if round % 2 == 0 {
                let edges = b"@AZ[`az{/09:\x7f\x80 \xc3\xe2";
                for b in &mut bytes {
                    *b = edges[usize::from(*b) % edges.len()];
                }
            }
            let len = round % 9;
            let text = &bytes[..len.max(1)];
            let chunk = AsciiChunk::at(text, 0);
            let count = |keep: fn(&u8) -> bool| text.iter().take_while(|b| keep(b)).count();
            assert_eq!(
                chunk.leading_letters_and_digits(),
                count(u8::is_ascii_alphanumeric),
                "{text:?}"
            );
            assert_eq!(
                chunk.other_ascii_from(0),
                count(|b| b.is_ascii() && !b.is_ascii_alphanumeric()),
                "{text:?}"
            );
            let n = chunk.leading_letters_and_digits();
            assert_eq!(
                chunk.lowercased()[..n],
                text[..n].to_ascii_lowercase(),
                "{text:?}"
            );
            for from in 0..8 {
                assert_eq!(
                    chunk.other_ascii_from(from),
                    text.get(from..).map_or(0, |rest| rest
                        .iter()
                        .take_while(|b| b.is_ascii() && !b.is_ascii_alphanumeric())
                        .count()),
                    "{text:?} from {from}"
                );
            }
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
        let mut out = Vec::new();
        let mut words = Vec::new();
        normalize_into("Ein Über-Test.", &mut out, &mut words);
        assert_eq!(out, "ein über test".as_bytes());
        let got: Vec<&[u8]> = words
            .iter()
            .map(|&(s, e)| &out[s as usize..e as usize])
            .collect();
        assert_eq!(got, ["ein".as_bytes(), "über".as_bytes(), b"test"]);
        normalize_append(" Noch eins", &mut out, &mut words);
        assert_eq!(out, "ein über test noch eins".as_bytes());
        assert_eq!(words.len(), 5);
        assert_eq!(words[3], (15, 19));
    }
}
