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
/// one after another gives the same result as normalising the whole text. Returns the
/// number of characters of `text`, which the folding counts on the way.
pub fn normalize_append(text: &str, out: &mut Vec<u8>, words: &mut Vec<(u32, u32)>) -> usize {
    let (out_len, words_len) = (out.len(), words.len());
    if let Some(chars) = append_if_nfc(text, out, words) {
        return chars;
    }
    // Rare: the text may not be in NFC, so it is composed first and folded character by
    // character.
    out.truncate(out_len);
    words.truncate(words_len);
    let mut word_start = None;
    for c in text.nfc() {
        match fold(c) {
            Some(folded) => {
                if word_start.is_none() {
                    if !out.is_empty() {
                        out.push(b' ');
                    }
                    word_start = Some(out.len());
                }
                out.extend_from_slice(folded.as_bytes());
            }
            None => {
                if let Some(start) = word_start.take() {
                    words.push((start as u32, out.len() as u32));
                }
            }
        }
    }
    if let Some(start) = word_start {
        words.push((start as u32, out.len() as u32));
    }
    text.chars().count()
}

/// Folds `text`, taken to be in NFC, onto `out` and `words` and returns its number of
/// characters, checking on the way what `is_nfc_quick` checks; returns `None` (with `out`
/// and `words` partly written) as soon as that check would not answer "yes", or at a
/// character whose folded form is longer than itself (`İ`, `Ⱥ`). One pass instead of a
/// check pass and a folding pass; ASCII is classified and lowercased eight bytes at a time
/// ([`AsciiChunk`]), and the Latin-1 letters and the dashes and quotation marks of German
/// text are folded from their bytes, without decoding them.
fn append_if_nfc(text: &str, out: &mut Vec<u8>, words: &mut Vec<(u32, u32)>) -> Option<usize> {
    let bytes = text.as_bytes();
    let start = out.len();
    // Nothing folded here comes out longer than it went in, so the text fits, with a
    // space before it and the overhang of an eight-byte store.
    out.resize(start + bytes.len() + SLACK, 0);
    let mut folder = WordFolder {
        buf: out,
        len: start,
        words,
        word_start: NO_WORD,
    };
    // Bytes of the text past the first of their character.
    let mut continuation_bytes = 0;
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
        match &bytes[i..] {
            [] => break,
            // U+00C0..=U+00FF, below U+0300: starters NFC keeps.
            &[0xc3, second, ..] => {
                folder.push_latin1(second);
                continuation_bytes += 1;
                last_class = 0;
                i += 2;
                continue;
            }
            // U+2010..=U+2030, the dashes, quotation marks and ellipsis: starters NFC
            // keeps, and no letters.
            &[0xe2, 0x80, 0x90..=0xb0, ..] => {
                folder.end_word();
                continuation_bytes += 2;
                last_class = 0;
                i += 3;
                continue;
            }
            _ => {}
        }
        let c = char_at(text, i);
        if is_nfc_starter(c) {
            last_class = 0;
        } else {
            let class = canonical_combining_class(c);
            if (last_class > class && class != 0)
                || is_nfc_quick(std::iter::once(c)) != IsNormalized::Yes
            {
                return None;
            }
            last_class = class;
        }
        match fold(c) {
            Some(folded) if folded.len > c.len_utf8() => return None,
            Some(folded) => folder.push_letter(folded.as_bytes()),
            None => folder.end_word(),
        }
        continuation_bytes += c.len_utf8() - 1;
        i += c.len_utf8();
    }
    let len = folder.finish();
    out.truncate(len);
    Some(bytes.len() - continuation_bytes)
}

/// A character as it enters the normalised text: up to three characters of up to four
/// bytes.
struct Folded {
    bytes: [u8; 12],
    len: usize,
}

impl Folded {
    fn new(folded: &[u8]) -> Self {
        let mut bytes = [0; 12];
        bytes[..folded.len()].copy_from_slice(folded);
        Folded {
            bytes,
            len: folded.len(),
        }
    }

    fn as_bytes(&self) -> &[u8] {
        &self.bytes[..self.len]
    }
}

/// The case-folded form of `c` if it is alphanumeric (part of a word); `None` if it
/// separates words. Case folding is `char::to_lowercase` plus `ß`/`ẞ` → `ss`.
fn fold(c: char) -> Option<Folded> {
    match c {
        // Latin-1 capitals lie 0x20 below their small letters.
        '\u{c0}'..='\u{ff}' => match latin1_folded(0x80 | (c as u8 & 0x3f)) {
            Latin1::Letter(pair) => Some(Folded::new(&pair)),
            Latin1::Other => None,
        },
        '\u{2000}'..='\u{206f}' => None,
        _ if c.is_alphanumeric() => {
            if c.is_ascii() {
                Some(Folded::new(&[c.to_ascii_lowercase() as u8]))
            } else if c == 'ẞ' {
                Some(Folded::new(b"ss"))
            } else {
                let mut folded = Folded::new(&[]);
                for lower in c.to_lowercase() {
                    let end = folded.len + lower.len_utf8();
                    lower.encode_utf8(&mut folded.bytes[folded.len..end]);
                    folded.len = end;
                }
                Some(folded)
            }
        }
        _ => None,
    }
}

/// A character of U+00C0..=U+00FF, folded.
enum Latin1 {
    /// A letter, folded to these two bytes.
    Letter([u8; 2]),
    /// `×` or `÷`.
    Other,
}

/// The character whose UTF-8 is 0xC3 and `second` (U+00C0..=U+00FF), folded: its capitals
/// lie 0x20 below their small letters, `ß` becomes `ss`, and `×` and `÷` are no letters.
#[inline]
fn latin1_folded(second: u8) -> Latin1 {
    match second {
        0x97 | 0xb7 => Latin1::Other,
        0x9f => Latin1::Letter(*b"ss"),
        0x80..=0x9e => Latin1::Letter([0xc3, second + 0x20]),
        _ => Latin1::Letter([0xc3, second]),
    }
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
        let bytes = match bytes[i..].first_chunk::<8>() {
            Some(eight) => u64::from_le_bytes(*eight),
            None => padded_tail(bytes, i),
        };
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

/// The last `bytes.len() - i` (one to seven) bytes of `bytes` as the low bytes of a `u64`,
/// the rest 0x80: from one load of the last eight bytes when there are eight, since a
/// byte-by-byte copy costs a call to `memcpy` at the end of every sentence.
fn padded_tail(bytes: &[u8], i: usize) -> u64 {
    let rest = bytes.len() - i;
    let padding = HIGH_BITS << (8 * rest);
    match bytes.last_chunk::<8>() {
        Some(last) => (u64::from_le_bytes(*last) >> (8 * (8 - rest))) | padding,
        None => bytes[i..]
            .iter()
            .enumerate()
            .fold(padding, |word, (k, &b)| word | u64::from(b) << (8 * k)),
    }
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

/// No word is open.
const NO_WORD: usize = usize::MAX;

/// The bytes writable past the end of the text being folded: a space before it and the
/// overhang of an eight-byte store.
const SLACK: usize = 16;

/// Appends case-folded words to a normalised text, opening and closing word ranges. It
/// writes into `buf` (the caller's buffer, sized ahead) up to `len`, so an ASCII word
/// part is stored as eight bytes at once, and nothing on the way grows a vector.
struct WordFolder<'a> {
    buf: &'a mut [u8],
    /// Where the normalised text ends in `buf`.
    len: usize,
    words: &'a mut Vec<(u32, u32)>,
    /// Where the open word starts in `buf`, or [`NO_WORD`].
    word_start: usize,
}

impl WordFolder<'_> {
    /// Opens a word if none is open, after a space if the text is not empty.
    #[inline]
    fn start_word(&mut self) {
        if self.word_start == NO_WORD {
            self.buf[self.len] = b' ';
            self.len += usize::from(self.len != 0);
            self.word_start = self.len;
        }
    }

    #[inline]
    fn end_word(&mut self) {
        if self.word_start != NO_WORD {
            self.words.push((self.word_start as u32, self.len as u32));
            self.word_start = NO_WORD;
        }
    }

    /// Appends the first `len` of `eight` (lowercase ASCII letters and digits) to the
    /// current word. All eight are stored: one store instead of one per byte.
    #[inline]
    fn push_ascii_lowercase(&mut self, eight: [u8; 8], len: usize) {
        self.start_word();
        self.buf[self.len..self.len + 8].copy_from_slice(&eight);
        self.len += len;
    }

    /// Appends the bytes of a folded letter or digit to the current word.
    #[inline]
    fn push_letter(&mut self, folded: &[u8]) {
        self.start_word();
        self.buf[self.len..self.len + folded.len()].copy_from_slice(folded);
        self.len += folded.len();
    }

    /// Appends the character whose UTF-8 is 0xC3 and `second` (U+00C0..=U+00FF).
    #[inline]
    fn push_latin1(&mut self, second: u8) {
        match latin1_folded(second) {
            Latin1::Letter(pair) => self.push_letter(&pair),
            Latin1::Other => self.end_word(),
        }
    }

    /// Closes the open word; returns where the text ends.
    fn finish(mut self) -> usize {
        self.end_word();
        self.len
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

    /// `normalize_append` as it was before the Latin-1 letters and German punctuation
    /// were folded from their bytes and the text written past its end: the same chunks,
    /// every other character decoded and folded through `PreviousFolder::push`.
    fn normalize_append_previous(text: &str, out: &mut Vec<u8>, words: &mut Vec<(u32, u32)>) {
        let (out_len, words_len) = (out.len(), words.len());
        if append_if_nfc_previous(text, out, words) {
            return;
        }
        out.truncate(out_len);
        words.truncate(words_len);
        let mut folder = PreviousFolder::new(out, words);
        for c in text.nfc() {
            folder.push(c);
        }
        folder.finish();
    }

    fn append_if_nfc_previous(text: &str, out: &mut Vec<u8>, words: &mut Vec<(u32, u32)>) -> bool {
        let bytes = text.as_bytes();
        // Room for the text, a space before it and the overhang of the last eight-byte store.
        out.reserve(text.len() + 8);
        let mut folder = PreviousFolder::new(out, words);
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
    struct PreviousFolder<'a> {
        out: &'a mut Vec<u8>,
        words: &'a mut Vec<(u32, u32)>,
        word_start: Option<usize>,
    }

    impl<'a> PreviousFolder<'a> {
        fn new(out: &'a mut Vec<u8>, words: &'a mut Vec<(u32, u32)>) -> Self {
            PreviousFolder {
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

    #[test]
    fn folds_as_the_previous_fold_did_from_every_offset() {
        let pieces = [
            "Straße",
            "STRASSE",
            "Grüße",
            "Ärger",
            "öffentlich",
            "Über",
            "ÿ",
            "Æsir",
            "ß",
            "ẞ",
            "×",
            "÷",
            "café",
            "Éire",
            "naïve",
            "Ångström",
            "Ωmega",
            "Σίσυφος",
            "Москва",
            "İstanbul",
            "中文",
            "١٢٣",
            "²",
            "½",
            "e\u{301}",
            "\u{327}",
            "2025",
            "3.",
            "0,5",
            "x1y2",
            " ",
            "  ",
            "\n",
            "\n\n",
            "\t",
            "\u{a0}",
            ".",
            ", ",
            "!",
            "?",
            "…",
            "–",
            "—",
            "„",
            "“",
            "”",
            "‚",
            "‘",
            "«",
            "»",
            "\u{2000}",
            "\u{2030}",
            "\u{2031}",
            "€",
            "-",
            "'",
            "\"",
            "(",
            ")",
            "AbcDefGhiJklMnoPqrStuVwxYz0123456789",
            "wort",
            "WORT",
            "a",
        ];
        let mut rng = XorShift(0x51f1_5e4d_3c2b_1a09);
        for _ in 0..3_000 {
            let mut text = String::new();
            for _ in 0..rng.next() % 24 {
                text.push_str(pieces[(rng.next() % pieces.len() as u64) as usize]);
            }
            let offsets = (0..=text.len()).filter(|&k| text.is_char_boundary(k));
            for k in offsets {
                let piece = &text[k..];
                for start in ["", "vorher"] {
                    let (mut out, mut words) = (start.as_bytes().to_vec(), Vec::new());
                    let chars = normalize_append(piece, &mut out, &mut words);
                    assert_eq!(chars, piece.chars().count(), "{piece:?}");
                    let (mut previous, mut previous_words) =
                        (start.as_bytes().to_vec(), Vec::new());
                    normalize_append_previous(piece, &mut previous, &mut previous_words);
                    assert_eq!(
                        (&out, &words),
                        (&previous, &previous_words),
                        "{piece:?} after {start:?}"
                    );
                }
            }
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
            let mut bytes = [0; 16];
            bytes[..8].copy_from_slice(&rng.next().to_le_bytes());
            bytes[8..].copy_from_slice(&rng.next().to_le_bytes());
            // Half the rounds keep to the bytes near the class edges.
            if round % 2 == 0 {
                let edges = b"@AZ[`az{/09:\x7f\x80 \xc3\xe2";
                for b in &mut bytes {
                    *b = edges[usize::from(*b) % edges.len()];
                }
            }
            // Texts of one to sixteen bytes, read from every offset: within the last eight
            // bytes the chunk is padded.
            let len = 1 + round % 16;
            let at = (round / 16) % len;
            let chunk = AsciiChunk::at(&bytes[..len], at);
            let text = &bytes[at..len.min(at + 8)];
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
