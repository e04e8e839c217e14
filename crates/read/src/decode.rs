//! Bytes to text: encodings, BOMs, line ends, and telling text from binary.

use encoding_rs::{UTF_16BE, UTF_16LE, WINDOWS_1252};

/// Why bytes could not be turned into text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Undecodable {
    pub reason: &'static str,
    pub detail: String,
    pub byte_offset: Option<u64>,
}

/// Text decoded from bytes, with the encoding it was decoded from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Decoded {
    pub text: String,
    pub encoding: String,
}

/// How many leading bytes are inspected to tell binary from text.
const SNIFF_BYTES: usize = 8192;

/// Decodes the bytes of a one-document file: UTF-8 (BOM stripped), UTF-16 with a BOM, else
/// Windows-1252 when the bytes are not UTF-8 but look like text. Binary data (NUL bytes or
/// many control characters) is refused. CRLF and lone CR become LF.
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
        Ok(text) => Ok(Decoded {
            text: normalize_newlines(text),
            encoding: if bom { "utf-8-bom" } else { "utf-8" }.to_owned(),
        }),
        Err(err) => {
            let (text, _) = WINDOWS_1252.decode_without_bom_handling(body);
            Ok(Decoded {
                text: normalize_newlines(&text),
                encoding: format!(
                    "windows-1252 (not UTF-8: invalid byte at {})",
                    err.valid_up_to() + usize::from(bom) * 3
                ),
            })
        }
    }
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
    fn latin1_bytes_fall_back_to_windows_1252_and_say_so() {
        let decoded = decode_text(b"Gespr\xE4che \x96 heute").unwrap();
        assert_eq!(decoded.text, "Gespräche – heute");
        assert!(
            decoded.encoding.starts_with("windows-1252"),
            "{}",
            decoded.encoding
        );
    }

    #[test]
    fn binary_is_refused_with_the_offset() {
        let err = decode_text(b"PK\x03\x04\x00\x00rest").unwrap_err();
        assert_eq!(err.reason, "read_binary");
        assert_eq!(err.byte_offset, Some(4));
    }
}
