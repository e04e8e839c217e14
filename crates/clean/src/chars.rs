//! Fast paths for the character work of the hot loops: lowercasing, splitting at spaces
//! and trimming tokens. Each gives exactly the result of the standard library call it
//! replaces (the tests below compare them on every character); only the common cases
//! (ASCII, Latin-1, punctuation) take a shortcut.

use std::ops::Range;

/// The lowercase of a character of the common ranges, where it is one character, or
/// `None` when the full case mapping has to be looked up.
#[inline]
fn simple_lower(c: char) -> Option<char> {
    match c {
        'A'..='Z' => Some(char::from(c as u8 + 32)),
        '\0'..='\u{7F}' => Some(c),
        // Latin-1 capitals (× aside) map to the letter 0x20 further on.
        '\u{C0}'..='\u{D6}' | '\u{D8}'..='\u{DE}' => char::from_u32(c as u32 + 0x20),
        // Latin-1 symbols and small letters, general punctuation (quotes, dashes, …),
        // currency signs: no case.
        '\u{80}'..='\u{BF}' | '\u{D7}' | '\u{DF}'..='\u{FF}' | '\u{2000}'..='\u{206F}' => Some(c),
        '\u{20A0}'..='\u{20CF}' => Some(c),
        _ => None,
    }
}

/// Appends the lowercase of `c` as [`char::to_lowercase`] gives it.
#[inline]
pub(crate) fn push_lower(c: char, out: &mut String) {
    match simple_lower(c) {
        Some(l) => out.push(l),
        None => out.extend(c.to_lowercase()),
    }
}

/// A text in lowercase, from [`to_lowercase`].
#[derive(Debug)]
pub(crate) struct Lowercase {
    /// `text.to_lowercase()`.
    pub text: String,
    /// Whether every character lowercased to one character of its own length: then
    /// each range of the text (on character boundaries) lowercases to the same range
    /// of `text`. False also when that was not checked.
    pub aligned: bool,
}

/// `text.to_lowercase()`: the text copied and lowercased as ASCII (a vectorised
/// pass), then each other character that has a lowercase of its own length replaced in
/// place. A text with another (one whose lowercase is longer or shorter, or the capital
/// sigma, whose lowercase depends on its neighbours) is lowercased run by run
/// ([`to_lowercase_by_runs`]), and is not [`Lowercase::aligned`].
pub(crate) fn to_lowercase(text: &str) -> Lowercase {
    let by_runs = || Lowercase {
        text: to_lowercase_by_runs(text),
        aligned: false,
    };
    let mut out = text.to_owned();
    out.make_ascii_lowercase();
    let bytes = text.as_bytes();
    let mut words = bytes.chunks_exact(8);
    let mut at = 0;
    for w in &mut words {
        let mut x = [0u8; 8];
        x.copy_from_slice(w);
        let leads = lead_bytes(u64::from_le_bytes(x));
        if leads != 0 && !lower_in_place(text, at, leads, &mut out) {
            return by_runs();
        }
        at += 8;
    }
    let rest = words.remainder();
    let mut x = [0u8; 8];
    x[..rest.len()].copy_from_slice(rest);
    if !lower_in_place(text, at, lead_bytes(u64::from_le_bytes(x)), &mut out) {
        return by_runs();
    }
    Lowercase {
        text: out,
        aligned: true,
    }
}

/// The high bit of each byte of `w` that starts a character of two bytes or more (C0
/// and up: the two high bits set).
#[inline]
fn lead_bytes(w: u64) -> u64 {
    w & (w << 1) & HIGH
}

/// Lowercases in `out` (a copy of `text`) the characters of `text` that start at the
/// bytes marked in `leads` ([`lead_bytes`] of the eight bytes at `at` of `text`); false
/// at a character whose lowercase is not one character of the same length, or is a
/// capital sigma.
#[inline]
fn lower_in_place(text: &str, at: usize, mut leads: u64, out: &mut String) -> bool {
    let bytes = text.as_bytes();
    while leads != 0 {
        let i = at + (leads.trailing_zeros() / 8) as usize;
        leads &= leads - 1;
        // Most non-ASCII characters of German text, told by their first two bytes
        // without decoding them: ß and the small Latin-1 letters (U+00DF to U+00FF), and
        // the quotes, dashes and ellipsis (U+2000 to U+203F) have no lowercase of their
        // own.
        if matches!(
            (bytes.get(i), bytes.get(i + 1)),
            (Some(0xC3), Some(0x9F..=0xBF)) | (Some(0xE2), Some(0x80))
        ) {
            continue;
        }
        let Some(c) = text.get(i..).and_then(|t| t.chars().next()) else {
            return false;
        };
        let lower = match simple_lower(c) {
            Some(l) if l == c => continue,
            Some(l) => l,
            None if c == 'Σ' => return false,
            None => {
                let mut l = c.to_lowercase();
                match (l.next(), l.next()) {
                    (Some(l), None) if l == c => continue,
                    (Some(l), None) => l,
                    _ => return false,
                }
            }
        };
        if lower.len_utf8() != c.len_utf8() {
            return false;
        }
        // Same length: the bytes after it stay where they are.
        out.replace_range(i..i + c.len_utf8(), lower.encode_utf8(&mut [0; 4]));
    }
    true
}

/// `text.to_lowercase()`, ASCII runs at once and other characters one by one.
fn to_lowercase_by_runs(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while !rest.is_empty() {
        let run = rest
            .bytes()
            .position(|b| !b.is_ascii())
            .unwrap_or(rest.len());
        if run > 0 {
            let start = out.len();
            out.push_str(&rest[..run]);
            out[start..].make_ascii_lowercase();
            rest = &rest[run..];
            continue;
        }
        let mut chars = rest.chars();
        let Some(c) = chars.next() else { break };
        rest = chars.as_str();
        if c == 'Σ' {
            // A capital sigma lowercases by its context (final ς or σ): leave the whole
            // text to the standard library.
            return text.to_lowercase();
        }
        push_lower(c, &mut out);
    }
    out
}

/// `c.is_alphanumeric()`, without the table search for the common non-ASCII ranges:
/// the Latin-1 letters and the Latin extensions and IPA (all letters), and the general
/// punctuation block (no letter or digit).
#[inline]
pub(crate) fn is_alphanumeric(c: char) -> bool {
    match c {
        '0'..='9' | 'a'..='z' | 'A'..='Z' => true,
        '\0'..='\u{7F}' => false,
        '\u{C0}'..='\u{D6}' | '\u{D8}'..='\u{F6}' | '\u{F8}'..='\u{2AF}' => true,
        '\u{2000}'..='\u{206F}' => false,
        _ => c.is_alphanumeric(),
    }
}

/// `c.is_alphabetic()`, with the shortcuts of [`is_alphanumeric`].
#[inline]
pub(crate) fn is_alphabetic(c: char) -> bool {
    match c {
        'a'..='z' | 'A'..='Z' => true,
        '\0'..='\u{7F}' => false,
        '\u{C0}'..='\u{D6}' | '\u{D8}'..='\u{F6}' | '\u{F8}'..='\u{2AF}' => true,
        '\u{2000}'..='\u{206F}' => false,
        _ => c.is_alphabetic(),
    }
}

/// `x` in every byte of a word.
pub(crate) const fn splat(x: u8) -> u64 {
    0x0101_0101_0101_0101 * x as u64
}

/// The high bit of every byte of a word.
pub(crate) const HIGH: u64 = splat(0x80);

/// The high bit of each byte of `w` that is zero (exact, no false positives).
#[inline]
pub(crate) fn zero_bytes(w: u64) -> u64 {
    !(((w & !HIGH).wrapping_add(!HIGH)) | w) & HIGH
}

/// The eight bytes of `s` from `at` as a little-endian word, zeros past the end.
#[inline]
fn word_at(s: &[u8], at: usize) -> u64 {
    let mut w = [0u8; 8];
    match s.get(at..at + 8) {
        Some(chunk) => w.copy_from_slice(chunk),
        None => {
            let rest = s.get(at..).unwrap_or_default();
            w[..rest.len()].copy_from_slice(rest);
        }
    }
    u64::from_le_bytes(w)
}

/// Where the pieces of `s.split(' ')` are, each with whether it is ASCII, finding the
/// spaces and the non-ASCII bytes eight bytes at a time (the pieces are words, mostly
/// shorter than a `memchr` call is worth). Ranges rather than slices: a caller that
/// reads a few bytes of most pieces spares the slicing's checks.
pub(crate) fn piece_ranges(s: &str) -> Pieces<'_> {
    let w = word_at(s.as_bytes(), 0);
    Pieces {
        s,
        start: 0,
        at: 0,
        spaces: zero_bytes(w ^ splat(b' ')),
        high: w & HIGH,
        high_before: false,
        done: false,
    }
}

/// The iterator of [`piece_ranges`].
#[derive(Debug, Clone)]
pub(crate) struct Pieces<'a> {
    s: &'a str,
    /// Where the next piece starts.
    start: usize,
    /// The word of `s` that `spaces` covers.
    at: usize,
    /// The high bits of the bytes of the word at `at` that are spaces and not yet
    /// taken.
    spaces: u64,
    /// The high bits of the non-ASCII bytes of the word at `at` from `start` on.
    high: u64,
    /// Whether the next piece has a non-ASCII byte in an earlier word.
    high_before: bool,
    /// Whether the last piece was returned.
    done: bool,
}

impl Iterator for Pieces<'_> {
    /// Where a piece is and whether it is ASCII.
    type Item = (Range<usize>, bool);

    #[inline(always)]
    fn next(&mut self) -> Option<(Range<usize>, bool)> {
        if self.done {
            return None;
        }
        loop {
            if self.spaces != 0 {
                let bit = self.spaces.trailing_zeros();
                let i = self.at + (bit / 8) as usize;
                self.spaces &= self.spaces - 1;
                // The high bits of the bytes before the space.
                let before = (1u64 << bit) - 1;
                let ascii = !self.high_before && self.high & before == 0;
                self.high &= !before;
                self.high_before = false;
                // A space is one byte, so both ends are on character boundaries.
                let piece = self.start..i;
                self.start = i + 1;
                return Some((piece, ascii));
            }
            self.high_before |= self.high != 0;
            self.at += 8;
            if self.at >= self.s.len() {
                self.done = true;
                return Some((self.start..self.s.len(), !self.high_before));
            }
            let w = word_at(self.s.as_bytes(), self.at);
            self.spaces = zero_bytes(w ^ splat(b' '));
            self.high = w & HIGH;
        }
    }
}

/// `s.split('\n')`, finding the line breaks with the vectorised `memchr` of the
/// `memchr` crate (the standard library's scans a word at a time).
pub(crate) fn split_lines(s: &str) -> impl Iterator<Item = &str> {
    let mut breaks = memchr::memchr_iter(b'\n', s.as_bytes());
    let mut start = Some(0);
    std::iter::from_fn(move || {
        let from = start?;
        match breaks.next() {
            Some(i) => {
                start = Some(i + 1);
                // `\n` is one byte, so both ends are on character boundaries.
                s.get(from..i)
            }
            None => {
                start = None;
                s.get(from..)
            }
        }
    })
}

/// Every string of up to `n` of `marks`, the empty one first: inputs for tests that compare
/// a fast path with its reference exhaustively.
#[cfg(test)]
pub(crate) fn strings_of(marks: &[&str], n: usize) -> Vec<String> {
    let mut texts = vec![String::new()];
    let mut level = vec![String::new()];
    for _ in 0..n {
        level = level
            .iter()
            .flat_map(|t| marks.iter().map(move |m| format!("{t}{m}")))
            .collect();
        texts.extend(level.iter().cloned());
    }
    texts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all_chars() -> impl Iterator<Item = char> {
        (0..=0x10FFFF).filter_map(char::from_u32)
    }

    #[test]
    fn push_lower_is_char_to_lowercase_for_every_char() {
        let mut got = String::new();
        for c in all_chars() {
            got.clear();
            push_lower(c, &mut got);
            let want: String = c.to_lowercase().collect();
            assert_eq!(got, want, "{c:?}");
        }
    }

    #[test]
    fn to_lowercase_is_str_to_lowercase() {
        // Every character alone, after ASCII, and between letters.
        for c in all_chars() {
            for s in [
                format!("{c}Ab"),
                format!("ÄÖ{c}xY"),
                format!("Straße {c}ÜBER{c}"),
            ] {
                assert_eq!(to_lowercase(&s).text, s.to_lowercase(), "{s:?}");
                assert_aligned_if_said(&s);
                assert_eq!(to_lowercase_by_runs(&s), s.to_lowercase(), "{s:?}");
            }
        }
        for s in [
            "",
            "ΣΑΣ ΟΔΟΣ",
            "Σ",
            "AΣ'Σ b",
            "İstanbul STRASSE ẞ Ǆ ǅ",
            "Grüße aus PJÖNGJANG – „Zitat“\nZWEITE Zeile",
            "ΌΣΟΣ.\nΣ",
        ] {
            assert_eq!(to_lowercase(s).text, s.to_lowercase(), "{s:?}");
            assert_aligned_if_said(s);
        }
        // Characters replaced in place at every offset of the eight-byte words, and one
        // that is not (its lowercase is shorter) after them.
        for n in 0..17 {
            let (x, y) = ("X".repeat(n), "y".repeat(n));
            for s in [format!("{x}Ä{y}ü ÉÑ{x}"), format!("{x}Ö{y}\u{212A}{x}")] {
                assert_eq!(to_lowercase(&s).text, s.to_lowercase(), "{s:?}");
                assert_aligned_if_said(&s);
            }
        }
        assert!(to_lowercase("Grüße aus PJÖNGJANG – „Zitat“").aligned);
        assert!(!to_lowercase("İstanbul").aligned);
    }

    /// A text said to be aligned with its lowercase: each character lowercases to one
    /// of the same length.
    fn assert_aligned_if_said(s: &str) {
        if to_lowercase(s).aligned {
            for c in s.chars() {
                let lower: Vec<char> = c.to_lowercase().collect();
                assert_eq!(lower.len(), 1, "{c:?} in {s:?}");
                assert_eq!(lower[0].len_utf8(), c.len_utf8(), "{c:?} in {s:?}");
            }
        }
    }

    #[test]
    fn lines_of_the_lowercase_page_are_the_lowercase_lines() {
        // The classifier lowercases a page once and splits it at `\n`.
        for page in ["ΑΣ\nΣΑ", "Σ\nΣ", "ΟΔΟΣ.\n.ΣΑ", "A\n\nΣ'\nb", "İ\nẞ"] {
            let lower = to_lowercase(page).text;
            let got: Vec<&str> = lower.split('\n').collect();
            let want: Vec<String> = page.split('\n').map(str::to_lowercase).collect();
            assert_eq!(got, want, "{page:?}");
        }
    }

    #[test]
    fn class_shortcuts_agree_with_char_for_every_char() {
        for c in all_chars() {
            assert_eq!(is_alphanumeric(c), c.is_alphanumeric(), "{c:?}");
            assert_eq!(is_alphabetic(c), c.is_alphabetic(), "{c:?}");
        }
    }

    #[test]
    fn split_lines_is_split_at_line_breaks() {
        let mut texts = strings_of(&["a", "\n", "ä", "\n\n", "\r", " "], 5);
        texts.push(format!("{}\n{}", "x".repeat(100), "ü\n".repeat(40)));
        for s in &texts {
            let want: Vec<&str> = s.split('\n').collect();
            let got: Vec<&str> = split_lines(s).collect();
            assert_eq!(got, want, "{s:?}");
        }
    }

    #[test]
    fn pieces_are_split_at_spaces() {
        let mut texts = strings_of(&["a", " ", "ä", "\u{A0}", "„", "  "], 5);
        // Spaces at every offset of the eight-byte words.
        for n in 0..20 {
            texts.push(format!("{} x{}ö ", "y".repeat(n), " ".repeat(n % 3)));
            // Non-ASCII bytes before, in and after eight-byte words.
            for m in [0, 3, 9] {
                let (y, z) = ("y".repeat(n), "z".repeat(m));
                texts.push(format!("{y}ä{z} {z}"));
                texts.push(format!("{z} {y}ß {z}€{y}"));
            }
        }
        for s in &texts {
            let want: Vec<(&str, bool)> = s.split(' ').map(|p| (p, p.is_ascii())).collect();
            let got: Vec<(&str, bool)> = piece_ranges(s).map(|(r, a)| (&s[r], a)).collect();
            assert_eq!(got, want, "{s:?}");
        }
    }
}
