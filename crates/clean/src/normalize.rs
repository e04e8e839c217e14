//! Character-level normalisation: line breaks, control and invisible characters, Unicode
//! spaces, whitespace runs, and Unicode NFC.

use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};

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
    let mut out = String::with_capacity(text.len());
    // Spaces seen since the last kept character on this line; written lazily so that
    // runs collapse and trailing spaces vanish.
    let mut pending_space = false;
    let mut line_start = true;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\r' || c == '\n' {
            if c == '\r' && chars.peek() == Some(&'\n') {
                chars.next();
            }
            out.push('\n');
            pending_space = false;
            line_start = true;
            continue;
        }
        let c = match classify(c) {
            Map::Drop => continue,
            Map::Space => ' ',
            Map::Keep => c,
        };
        if c == ' ' {
            if !line_start {
                pending_space = true;
            }
            continue;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        out.push(c);
        line_start = false;
    }
    if is_nfc_quick(out.chars()) == IsNormalized::Yes {
        out
    } else {
        out.nfc().collect()
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
    fn quotes_and_dashes_are_kept() {
        let s = "„Feuer und Wut“ – sagte er — 'so' \"so\"";
        assert_eq!(normalize(s), s);
    }
}
