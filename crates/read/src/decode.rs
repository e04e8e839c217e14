//! Bytes to text: encodings, BOMs, mojibake, line ends, and telling text from binary.

use encoding_rs::{Encoding, UTF_16BE, UTF_16LE, WINDOWS_1252};

/// Why bytes could not be turned into text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Undecodable {
    pub reason: &'static str,
    pub detail: String,
    pub byte_offset: Option<u64>,
}

/// Text decoded from bytes, with what was decided on the way (for `source.encoding`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Decoded {
    pub text: String,
    pub encoding: String,
}

/// How many leading bytes are inspected to tell binary from text.
const SNIFF_BYTES: usize = 8192;

/// Decodes the bytes of a one-document file:
/// - UTF-16 with a byte-order mark;
/// - UTF-8 (a BOM is stripped), with mojibake (UTF-8 read as Windows-1252 and saved again,
///   `GesprÃ¤che`) repaired where the repair is unambiguous;
/// - otherwise the legacy encoding chardetng guesses (Windows-1252, ISO-8859-2, KOI8-R, …).
///
/// Binary data (NUL bytes, many control characters) is refused. CRLF and lone CR become LF.
pub(crate) fn decode_text(bytes: &[u8]) -> Result<Decoded, Undecodable> {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        let encoding = if bytes[0] == 0xFF { UTF_16LE } else { UTF_16BE };
        let (text, had_errors) = encoding.decode_with_bom_removal(bytes);
        if had_errors {
            return Err(Undecodable {
                reason: "read_invalid_encoding",
                detail: format!(
                    "the file starts with a {} byte-order mark but is not valid {}; convert it to UTF-8",
                    encoding.name(),
                    encoding.name()
                ),
                byte_offset: None,
            });
        }
        return Ok(Decoded {
            text: normalize_newlines(&text),
            encoding: encoding.name().to_lowercase(),
        });
    }
    if let Some(offset) = binary_marker(bytes) {
        return Err(Undecodable {
            reason: "read_binary",
            detail: format!(
                "looks like a binary file (control byte 0x{:02x} at byte {offset}), not text; \
                 remove it from the input or convert it to text first",
                bytes[offset]
            ),
            byte_offset: Some(offset as u64),
        });
    }
    let (body, bom) = match bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        Some(rest) => (rest, true),
        None => (bytes, false),
    };
    match std::str::from_utf8(body) {
        Ok(text) => {
            let label = if bom { "utf-8-bom" } else { "utf-8" };
            let (text, repaired) = repair_mojibake(text);
            let encoding = if repaired > 0 {
                format!("{label} (mojibake repaired: {repaired} sequences)")
            } else {
                label.to_owned()
            };
            Ok(Decoded {
                text: normalize_newlines(&text),
                encoding,
            })
        }
        Err(err) => {
            let encoding = guess_legacy(body);
            let (text, _) = encoding.decode_without_bom_handling(body);
            Ok(Decoded {
                text: normalize_newlines(&text),
                encoding: format!(
                    "{} (detected; not UTF-8 from byte {})",
                    encoding.name().to_lowercase(),
                    err.valid_up_to() + usize::from(bom) * 3
                ),
            })
        }
    }
}

/// The legacy single-byte or CJK encoding `bytes` are most likely in.
fn guess_legacy(bytes: &[u8]) -> &'static Encoding {
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(bytes, true);
    // The bytes are known not to be UTF-8 here.
    detector.guess(None, chardetng::Utf8Detection::Deny)
}

/// Repairs runs of text that were UTF-8, decoded as Windows-1252 and encoded as UTF-8 again
/// (`GesprÃ¤che` → `Gespräche`, `â€ž` → `„`). A run is repaired only when all of its
/// characters map back to Windows-1252 bytes and those bytes are valid UTF-8 made of whole
/// multi-byte sequences, which ordinary text almost never is. Returns the text and the
/// number of runs repaired.
pub(crate) fn repair_mojibake(text: &str) -> (std::borrow::Cow<'_, str>, usize) {
    if !may_be_mojibake(text) {
        return (std::borrow::Cow::Borrowed(text), 0);
    }
    repair_runs(text)
}

/// Whether `text` has a UTF-8 lead byte shown as a Windows-1252 character (Ã, Â, â, Ä, …:
/// U+00C2..U+00F4) right before a continuation byte shown as one (U+00A0..U+00BF, `„`, `€`,
/// `™`, …). Every run [`repair_runs`] repairs has such a pair, as a multi-byte UTF-8
/// sequence starts with a lead byte followed by a continuation byte; German text, whose
/// `ä`, `ö`, `ß` are such lead characters, nearly always has a letter or space after them.
/// The lead characters are encoded `C3 82` to `C3 B4`, so only the places of byte `C3`
/// (found with `memchr`, many bytes at a time) are looked at, not every character.
fn may_be_mojibake(text: &str) -> bool {
    let bytes = text.as_bytes();
    memchr::memchr_iter(0xC3, bytes).any(|i| {
        // `C3 xx` is a whole character, so `i + 2` starts the next one.
        matches!(bytes.get(i + 1), Some(0x82..=0xB4))
            && text[i + 2..]
                .chars()
                .next()
                .is_some_and(|c| !c.is_ascii() && continuation_in_cp1252(c))
    })
}

/// Whether `c` is what Windows-1252 shows for a UTF-8 continuation byte (0x80..=0xBF).
fn continuation_in_cp1252(c: char) -> bool {
    let mut buf = [0u8; 4];
    let (bytes, _, unmappable) = WINDOWS_1252.encode(c.encode_utf8(&mut buf));
    !unmappable && bytes.len() == 1 && (0x80..=0xBF).contains(&bytes[0])
}

/// [`repair_mojibake`] without the quick test.
fn repair_runs(text: &str) -> (std::borrow::Cow<'_, str>, usize) {
    let mut out = String::with_capacity(text.len());
    let mut repaired = 0;
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String, repaired: &mut usize| {
        if run.is_empty() {
            return;
        }
        match unmangle(run) {
            Some(fixed) => {
                out.push_str(&fixed);
                *repaired += 1;
            }
            None => out.push_str(run),
        }
        run.clear();
    };
    for c in text.chars() {
        if !c.is_ascii() && encodes_to_cp1252(c) {
            run.push(c);
        } else {
            flush(&mut run, &mut out, &mut repaired);
            out.push(c);
        }
    }
    flush(&mut run, &mut out, &mut repaired);
    if repaired == 0 {
        return (std::borrow::Cow::Borrowed(text), 0);
    }
    (std::borrow::Cow::Owned(out), repaired)
}

fn encodes_to_cp1252(c: char) -> bool {
    let mut buf = [0u8; 4];
    let (_, _, unmappable) = WINDOWS_1252.encode(c.encode_utf8(&mut buf));
    !unmappable
}

/// The run's Windows-1252 bytes decoded as UTF-8, when they are valid UTF-8 and hold at
/// least one multi-byte character.
fn unmangle(run: &str) -> Option<String> {
    let (bytes, _, unmappable) = WINDOWS_1252.encode(run);
    if unmappable || bytes.len() < 2 {
        return None;
    }
    let fixed = std::str::from_utf8(&bytes).ok()?;
    (fixed.chars().count() < run.chars().count()).then(|| fixed.to_owned())
}

/// The offset of the first byte that marks `bytes` as binary: a NUL, or (when more than
/// 10% of the sniffed bytes are control characters other than whitespace) the first one.
fn binary_marker(bytes: &[u8]) -> Option<usize> {
    let head = &bytes[..bytes.len().min(SNIFF_BYTES)];
    if let Some(nul) = head.iter().position(|&b| b == 0) {
        return Some(nul);
    }
    let is_control = |b: &u8| *b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t' | 0x0C);
    let controls = head.iter().filter(|b| is_control(b)).count();
    if controls * 10 > head.len() {
        head.iter().position(is_control)
    } else {
        None
    }
}

/// CRLF and lone CR to LF, without copying when there is no CR.
pub(crate) fn normalize_newlines(text: &str) -> String {
    if !text.contains('\r') {
        return text.to_owned();
    }
    text.replace("\r\n", "\n").replace('\r', "\n")
}

/// [`normalize_newlines`] keeping `text`'s allocation when it has no `\r` (nearly always).
pub(crate) fn into_unix_newlines(text: String) -> String {
    if memchr::memchr(b'\r', text.as_bytes()).is_none() {
        return text;
    }
    normalize_newlines(&text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_with_bom_and_crlf_is_read_as_plain_lines() {
        let decoded = decode_text(b"\xEF\xBB\xBFGr\xC3\xBC\xC3\x9Fe\r\nzwei\rdrei").unwrap();
        assert_eq!(decoded.text, "Grüße\nzwei\ndrei");
        assert_eq!(decoded.encoding, "utf-8-bom");
    }

    #[test]
    fn into_unix_newlines_keeps_plain_text_and_converts_carriage_returns() {
        for text in ["", "a\nb", "Grüße\n\nzwei", "a\r\nb\rc\r", "\r\r\n", "ä\r"] {
            assert_eq!(
                into_unix_newlines(text.to_owned()),
                normalize_newlines(text)
            );
        }
        assert_eq!(into_unix_newlines("a\r\nb\rc".to_owned()), "a\nb\nc");
    }

    #[test]
    fn utf16_with_bom_is_decoded() {
        let mut bytes = vec![0xFF, 0xFE];
        for unit in "Äpfel".encode_utf16() {
            bytes.extend_from_slice(&unit.to_le_bytes());
        }
        let decoded = decode_text(&bytes).unwrap();
        assert_eq!(decoded.text, "Äpfel");
        assert_eq!(decoded.encoding, "utf-16le");
    }

    #[test]
    fn latin1_bytes_are_detected_and_decoded() {
        let decoded =
            decode_text(b"Gespr\xE4che \x96 heute \xfcber die Stra\xdfe und \x84Zitate\x93.")
                .unwrap();
        assert_eq!(
            decoded.text,
            "Gespräche – heute über die Straße und „Zitate“."
        );
        assert!(
            decoded.encoding.starts_with("windows-1252 (detected"),
            "{}",
            decoded.encoding
        );
    }

    #[test]
    fn cyrillic_legacy_encoding_is_detected() {
        let (bytes, _, _) = encoding_rs::WINDOWS_1251
            .encode("Привет, это проверка кодировки текста на русском языке.");
        let decoded = decode_text(&bytes).unwrap();
        assert_eq!(
            decoded.text,
            "Привет, это проверка кодировки текста на русском языке."
        );
        assert!(
            decoded.encoding.starts_with("windows-1251"),
            "{}",
            decoded.encoding
        );
    }

    #[test]
    fn the_quick_test_passes_every_text_the_repair_would_change() {
        // Characters around the lead and continuation ranges, mangled and plain.
        let pieces = [
            "Ã", "¤", "ä", "Ã¤", "â€ž", "€", "„", "ß", "“", "Â", " ", "a", "Ä", "Å", "\u{81}", "ô",
            "õ", "¿", "À", "ÿ", "Ÿ", "é", "–", "™", "\u{9d}", "ð", "Ÿ˜€",
        ];
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        for _ in 0..20_000 {
            let mut text = String::new();
            for _ in 0..1 + state % 6 {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                text.push_str(pieces[(state % pieces.len() as u64) as usize]);
            }
            let full = repair_runs(&text);
            assert_eq!(repair_mojibake(&text), full, "{text:?}");
            if full.1 > 0 {
                assert!(may_be_mojibake(&text), "{text:?}");
            }
        }
        assert!(!may_be_mojibake("Gespräche über Straßen, „schön“ und é."));
        assert!(may_be_mojibake("GesprÃ¤che"));
    }

    /// The quick test as first written, one character after another.
    fn may_be_mojibake_by_chars(text: &str) -> bool {
        let mut lead = false;
        for c in text.chars() {
            if lead && !c.is_ascii() && continuation_in_cp1252(c) {
                return true;
            }
            lead = ('\u{C2}'..='\u{F4}').contains(&c);
        }
        false
    }

    #[test]
    fn the_quick_test_looks_at_every_pair_of_characters() {
        // Every pair of characters up to U+0800, and a few beyond (Windows-1252's `„`,
        // `€`, `™`, CJK, emoji), alone and after a letter.
        let mut chars: Vec<char> = (1..0x800u32).filter_map(char::from_u32).collect();
        chars.extend(['„', '€', '™', '…', '‰', '中', '😀', '\u{FFFD}']);
        let mut text = String::new();
        for &a in &chars {
            for &b in &chars {
                text.clear();
                text.extend(['x', a, b, 'y']);
                assert_eq!(
                    may_be_mojibake(&text),
                    may_be_mojibake_by_chars(&text),
                    "{text:?}"
                );
                assert_eq!(
                    may_be_mojibake(&text[1..]),
                    may_be_mojibake_by_chars(&text[1..])
                );
            }
        }
    }

    #[test]
    fn mojibake_is_repaired_where_unambiguous() {
        let decoded = decode_text("GesprÃ¤che Ã¼ber â€žZitateâ€œ und StraÃŸen".as_bytes()).unwrap();
        assert_eq!(decoded.text, "Gespräche über „Zitate“ und Straßen");
        assert_eq!(decoded.encoding, "utf-8 (mojibake repaired: 5 sequences)");
    }

    #[test]
    fn correct_text_with_accented_capitals_is_left_alone() {
        let text = "Ärger in Åland, Ça va? Él dijo: «Â bientôt» — ÀÉÎÕÜ sind Großbuchstaben.";
        let (out, repaired) = repair_mojibake(text);
        assert_eq!((out.as_ref(), repaired), (text, 0));
    }

    #[test]
    fn binary_is_refused_with_the_offset() {
        let err = decode_text(b"PK\x03\x04\x00\x00rest").unwrap_err();
        assert_eq!(err.reason, "read_binary");
        assert_eq!(err.byte_offset, Some(4));
    }
}
