//! Character-level normalisation: line breaks, control and invisible characters, Unicode
//! spaces, whitespace runs, and Unicode NFC.

use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};

use crate::chars::{splat, zero_bytes, HIGH};

/// What to do with one input character.
enum Map {
    /// Keep it.
    Keep,
    /// Drop it (controls, zero-width characters, soft hyphens, bidi marks).
    Drop,
    /// Replace it by a plain space (tab, NBSP and the other Unicode spaces).
    Space,
}

fn classify(c: char) -> Map {
    match c {
        '\t' => Map::Space,
        // NBSP, ogham space, en/em/thin/hair spaces, narrow NBSP, math space, ideographic
        // space, and the line/paragraph separators (kept on one line so that line numbers
        // stay those of a `\n`-split input).
        '\u{00A0}'
        | '\u{1680}'
        | '\u{2000}'..='\u{200A}'
        | '\u{202F}'
        | '\u{205F}'
        | '\u{3000}'
        | '\u{2028}'
        | '\u{2029}'
        | '\u{0085}' => Map::Space,
        // Soft hyphen, Mongolian vowel separator, zero-width space/non-joiner/joiner,
        // LRM/RLM, bidi embeddings and isolates, word joiner and invisible operators, BOM.
        '\u{00AD}'
        | '\u{180E}'
        | '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{2069}'
        | '\u{FEFF}' => Map::Drop,
        c if c.is_control() => Map::Drop,
        _ => Map::Keep,
    }
}

/// Characters (besides ASCII) that are in NFC whatever surrounds them: starters
/// (combining class 0) that NFC keeps (quick check "yes"): Latin-1 and the Latin
/// extensions, general punctuation, currency signs. The NFC quick check passes over
/// them as over ASCII, so a text made of nothing else needs no check.
fn nfc_neutral(c: char) -> bool {
    matches!(c, '\u{80}'..='\u{2FF}' | '\u{2010}'..='\u{205E}' | '\u{20A0}'..='\u{20C0}')
}

/// The length of the character at `i` of `text` if it is kept as it is (printable
/// ASCII, or a character [`classify`] keeps), noting in `maybe_not_nfc` a kept character
/// outside [`nfc_neutral`]. `i` must be on a character boundary (or past the end).
#[inline(always)]
fn kept_at(text: &str, i: usize, maybe_not_nfc: &mut bool) -> Option<usize> {
    let b = *text.as_bytes().get(i)?;
    if b.is_ascii_graphic() {
        return Some(1);
    }
    if b.is_ascii() {
        return None;
    }
    let c = text[i..].chars().next()?;
    if !matches!(classify(c), Map::Keep) {
        return None;
    }
    *maybe_not_nfc |= !nfc_neutral(c);
    Some(c.len_utf8())
}

/// How many of the eight bytes of `bytes` at `i` are kept as they are, if all eight
/// are printable ASCII or single spaces: eight, or seven when the last is a space (what
/// follows it decides). `None` for fewer than eight bytes or any other byte. The byte
/// before `i` must be kept (not a space).
#[inline(always)]
fn plain_ascii(bytes: &[u8], i: usize) -> Option<usize> {
    let w = u64::from_le_bytes(bytes.get(i..i + 8)?.try_into().ok()?);
    let low = w & !HIGH;
    // Per byte, without carries between bytes: the low seven bits below `!` (controls
    // and the space), or all set (DEL).
    let below_bang = !low.wrapping_add(splat(0x80 - b'!')) & HIGH;
    let del = low.wrapping_add(splat(1)) & HIGH;
    let other = (w & HIGH) | below_bang | del;
    let spaces = zero_bytes(w ^ splat(b' '));
    if other != spaces || spaces & (spaces >> 8) != 0 {
        return None;
    }
    Some(if spaces >> 63 != 0 { 7 } else { 8 })
}

/// Normalises `text` for line-level cleaning.
///
/// - `\r\n` and lone `\r` become `\n`, so line numbers match a line-by-line reading of
///   the input;
/// - control characters other than `\n` are dropped, a tab becomes a space;
/// - zero-width characters, soft hyphens and bidi marks are dropped;
/// - NBSP and every other Unicode space become a plain space;
/// - runs of spaces collapse to one, and each line is trimmed;
/// - the result is in Unicode NFC.
///
/// Quotes and dashes are kept as written.
///
/// ```
/// let raw = "Gr\u{00FC}\u{00DF}e\u{00A0}\u{00A0}aus  Pj\u{00F6}ng\u{00AD}jang \r\nzweite\tZeile";
/// assert_eq!(pipeline_clean::normalize(raw), "Grüße aus Pjöngjang\nzweite Zeile");
/// ```
pub fn normalize(text: &str) -> String {
    let mut out = String::new();
    normalize_into(text, &mut out);
    out
}

/// [`normalize`] into `out`, which is cleared first: the stage keeps one buffer for
/// every document, where a new string per document cost a large allocation each.
pub(crate) fn normalize_into(text: &str, out: &mut String) {
    out.clear();
    out.reserve(text.len());
    // Spaces seen since the last kept character on this line; written lazily so that
    // runs collapse and trailing spaces vanish.
    let mut pending_space = false;
    let mut line_start = true;
    // Whether the output has a character outside [`nfc_neutral`].
    let mut maybe_not_nfc = false;
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if let Some(n) = kept_at(text, i, &mut maybe_not_nfc) {
            // A run of text that is kept as it is: printable ASCII and kept characters,
            // with single spaces and line breaks between them. Copied at once.
            let start = i;
            i += n;
            loop {
                while let Some(n) = plain_ascii(bytes, i) {
                    i += n;
                }
                while bytes.get(i).is_some_and(u8::is_ascii_graphic) {
                    i += 1;
                }
                match bytes.get(i) {
                    Some(b' ' | b'\n') => match kept_at(text, i + 1, &mut maybe_not_nfc) {
                        Some(n) => i += 1 + n,
                        None => break,
                    },
                    Some(0x80..) => match kept_at(text, i, &mut maybe_not_nfc) {
                        Some(n) => i += n,
                        None => break,
                    },
                    _ => break,
                }
            }
            if pending_space {
                out.push(' ');
                pending_space = false;
            }
            out.push_str(&text[start..i]);
            line_start = false;
            continue;
        }
        if b.is_ascii() {
            i += 1;
            match b {
                b'\r' | b'\n' => {
                    if b == b'\r' && bytes.get(i) == Some(&b'\n') {
                        i += 1;
                    }
                    out.push('\n');
                    pending_space = false;
                    line_start = true;
                }
                // A space or a tab.
                b' ' | b'\t' => pending_space |= !line_start,
                // Other ASCII controls are dropped.
                _ => {}
            }
            continue;
        }
        // `i` is on a character boundary: every byte before it was taken whole.
        let Some(c) = text[i..].chars().next() else {
            break;
        };
        i += c.len_utf8();
        match classify(c) {
            Map::Drop => {}
            Map::Space => pending_space |= !line_start,
            Map::Keep => {
                if pending_space {
                    out.push(' ');
                    pending_space = false;
                }
                out.push(c);
                line_start = false;
                maybe_not_nfc |= !nfc_neutral(c);
            }
        }
    }
    if maybe_not_nfc && is_nfc_quick(out.chars()) != IsNormalized::Yes {
        let composed: String = out.nfc().collect();
        *out = composed;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_breaks_become_lf_and_keep_line_count() {
        assert_eq!(normalize("a\r\nb\rc\n\nd"), "a\nb\nc\n\nd");
    }

    #[test]
    fn invisible_and_control_characters_are_dropped() {
        assert_eq!(
            normalize("Atom\u{00AD}waffen\u{200B}test\u{0007}"),
            "Atomwaffentest"
        );
        assert_eq!(normalize("\u{FEFF}Hallo\u{200D}"), "Hallo");
    }

    #[test]
    fn unicode_spaces_and_tabs_collapse_and_lines_are_trimmed() {
        assert_eq!(normalize("  a\t\u{00A0}b\u{202F}c   \n   d  "), "a b c\nd");
    }

    #[test]
    fn decomposed_umlauts_are_composed() {
        let decomposed = "Su\u{0308}dkorea";
        let out = normalize(decomposed);
        assert_eq!(out, "Südkorea");
        assert_eq!(out.chars().count(), 8);
    }

    #[test]
    fn neutral_characters_are_nfc_starters() {
        use unicode_normalization::char::canonical_combining_class;
        for c in (0x80..0x2100)
            .filter_map(char::from_u32)
            .filter(|&c| nfc_neutral(c))
        {
            assert_eq!(canonical_combining_class(c), 0, "{c:?}");
            assert_eq!(is_nfc_quick(std::iter::once(c)), IsNormalized::Yes, "{c:?}");
        }
    }

    #[test]
    fn text_that_is_not_nfc_is_composed() {
        // A combining mark after a neutral character, and a singleton (Ohm sign).
        assert_eq!(normalize("„A\u{30A}“ – \u{2126}"), "„Å“ – Ω");
        assert_eq!(normalize("ä\u{308}"), "ä\u{308}".nfc().collect::<String>());
    }

    #[test]
    fn quotes_and_dashes_are_kept() {
        let s = "„Feuer und Wut“ – sagte er — 'so' \"so\"";
        assert_eq!(normalize(s), s);
    }

    /// `normalize` as it was before kept runs took spaces and line breaks along: printable
    /// ASCII copied run by run, every other character one at a time.
    fn normalize_reference(text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        // Spaces seen since the last kept character on this line; written lazily so that
        // runs collapse and trailing spaces vanish.
        let mut pending_space = false;
        let mut line_start = true;
        // Whether the output has a character outside [`nfc_neutral`].
        let mut maybe_not_nfc = false;
        let bytes = text.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            if b.is_ascii_graphic() {
                // Printable ASCII is kept as it is: copy the whole run at once.
                let start = i;
                while i < bytes.len() && bytes[i].is_ascii_graphic() {
                    i += 1;
                }
                if pending_space {
                    out.push(' ');
                    pending_space = false;
                }
                out.push_str(&text[start..i]);
                line_start = false;
                continue;
            }
            if b.is_ascii() {
                i += 1;
                match b {
                    b'\r' | b'\n' => {
                        if b == b'\r' && bytes.get(i) == Some(&b'\n') {
                            i += 1;
                        }
                        out.push('\n');
                        pending_space = false;
                        line_start = true;
                    }
                    // A space or a tab.
                    b' ' | b'\t' => pending_space |= !line_start,
                    // Other ASCII controls are dropped.
                    _ => {}
                }
                continue;
            }
            // `i` is on a character boundary: every byte before it was taken whole.
            let Some(c) = text[i..].chars().next() else {
                break;
            };
            i += c.len_utf8();
            match classify(c) {
                Map::Drop => {}
                Map::Space => pending_space |= !line_start,
                Map::Keep => {
                    if pending_space {
                        out.push(' ');
                        pending_space = false;
                    }
                    out.push(c);
                    line_start = false;
                    maybe_not_nfc |= !nfc_neutral(c);
                }
            }
        }
        if !maybe_not_nfc || is_nfc_quick(out.chars()) == IsNormalized::Yes {
            out
        } else {
            out.nfc().collect()
        }
    }

    #[test]
    fn normalize_matches_the_reference() {
        let marks = [
            "a", "Z", ".", " ", "  ", "\n", "\r", "\r\n", "\t", "\u{A0}", "\u{200B}", "\u{AD}",
            "\u{7}", "ä", "„", "\u{308}", "中", "\u{2126}", "\u{2028}",
        ];
        let mut texts = crate::chars::strings_of(&marks, 4);
        for seed in [
            include_str!("../../../seeds/000_4cc634fd74ce4d48.txt"),
            include_str!("../../../seeds/002_1a67b9573dd5dde7.txt"),
        ] {
            texts.push(seed.to_owned());
            texts.push(seed.replace('\n', " \r\n\t"));
        }
        // Runs of printable ASCII and spaces longer than eight bytes, with double
        // spaces, controls, DEL and other characters at every offset.
        for n in 0..17 {
            let (x, y) = ("ab c".repeat(n / 3), "z".repeat(n));
            for m in [
                "  ", " \n", "\n ", "\u{7F}", "\t", "ä", " \u{A0}", "\u{0}", " ~!", "  \n",
            ] {
                texts.push(format!("{x}{y}{m}{x}{m}{y} {x}"));
                texts.push(format!("{y} {m}{x}{y}{m}"));
            }
        }
        // One buffer for every text, as the stage keeps it: what an earlier, longer or
        // non-NFC text left in it must not show.
        let mut reused = String::from("left over");
        for t in texts.iter().chain(texts.iter().rev()) {
            let expected = normalize_reference(t);
            assert_eq!(normalize(t), expected, "{t:?}");
            normalize_into(t, &mut reused);
            assert_eq!(reused, expected, "{t:?}");
        }
    }
}
