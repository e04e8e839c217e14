//! JSON string escaping for the documents' text, byte for byte as serde_json escapes.
//!
//! serde_json looks every byte of a string up in a table; the text is most of every line of
//! `documents.jsonl`, and that loop was 57 % of the writer thread's instructions. Here
//! eight bytes are tested at once, and the search jumps from one byte to escape to the next.

/// Bits of the 8-byte word `w` (little-endian) that flag its bytes below 0x20, `"` and
/// `\`. Zero when it has none of them; otherwise the lowest flagged byte is one (borrows can
/// flag bytes above it that are not).
#[inline]
fn escape_bits(w: u64) -> u64 {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGH: u64 = u64::from_ne_bytes([0x80; 8]);
    let below_space = w.wrapping_sub(ONES * 0x20) & !w;
    let zero_byte = |x: u64| x.wrapping_sub(ONES) & !x;
    let quote = zero_byte(w ^ (ONES * u64::from(b'"')));
    let backslash = zero_byte(w ^ (ONES * u64::from(b'\\')));
    (below_space | quote | backslash) & HIGH
}

/// The escape of a byte, as serde_json writes it, or `None` when the byte stands as is.
#[inline]
fn escape_of(byte: u8) -> Option<&'static [u8]> {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    static CONTROL: [[u8; 6]; 32] = {
        let mut table = [[0u8; 6]; 32];
        let mut b = 0;
        while b < 32 {
            table[b] = [b'\\', b'u', b'0', b'0', HEX[b >> 4], HEX[b & 0xF]];
            b += 1;
        }
        table
    };
    Some(match byte {
        b'"' => b"\\\"",
        b'\\' => b"\\\\",
        b'\n' => b"\\n",
        b'\r' => b"\\r",
        b'\t' => b"\\t",
        0x08 => b"\\b",
        0x0C => b"\\f",
        0..=0x1F => &CONTROL[usize::from(byte)],
        _ => return None,
    })
}

/// Appends `text` to `out` as a JSON string, quotes included: what
/// `serde_json::to_writer(out, text)` appends.
pub(crate) fn push_json_string(out: &mut Vec<u8>, text: &str) {
    let bytes = text.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    // Bytes from `start` on are not appended yet.
    let mut start = 0;
    let mut at = 0;
    while let Some(word) = bytes.get(at..at + 8) {
        let bits = escape_bits(u64::from_le_bytes(word.try_into().expect("eight bytes")));
        if bits == 0 {
            at += 8;
            continue;
        }
        // The lowest flagged byte is one to escape; the search goes on right after it.
        let i = at + bits.trailing_zeros() as usize / 8;
        out.extend_from_slice(&bytes[start..i]);
        out.extend_from_slice(escape_of(bytes[i]).unwrap_or_default());
        start = i + 1;
        at = i + 1;
    }
    for (i, &byte) in bytes.iter().enumerate().skip(at) {
        if let Some(escape) = escape_of(byte) {
            out.extend_from_slice(&bytes[start..i]);
            out.extend_from_slice(escape);
            start = i + 1;
        }
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn serde_json_of(text: &str) -> Vec<u8> {
        serde_json::to_vec(text).unwrap()
    }

    fn ours(text: &str) -> Vec<u8> {
        let mut out = b"prefix".to_vec();
        push_json_string(&mut out, text);
        out.split_off(6)
    }

    #[test]
    fn escapes_every_byte_as_serde_json() {
        for c in (0u32..0x300).chain([0x2028, 0x2029, 0xFEFF, 0x1F600]) {
            let c = char::from_u32(c).unwrap();
            for text in [
                c.to_string(),
                format!("abcdefg{c}"),
                format!("{c}abcdefgh"),
                format!("abcdefgh{c}ijklmnop{c}{c}"),
            ] {
                assert_eq!(ours(&text), serde_json_of(&text), "{text:?}");
            }
        }
    }

    #[test]
    fn escapes_texts_as_serde_json() {
        let texts = [
            "",
            "\"",
            "\\",
            "Grüße aus Köln – „Zitat“ 😀\n\nZweiter Absatz.\r\n\tEnde\u{7f}",
            "Er sagte: \"Nein\\Ja\"\u{0}\u{1f}\u{1}ß",
            "a long line of plain ASCII text without anything to escape at all, 64+ bytes",
        ];
        for text in texts {
            assert_eq!(ours(text), serde_json_of(text), "{text:?}");
        }
    }

    #[test]
    fn escapes_random_texts_as_serde_json() {
        // Bytes drawn mostly from those near the escaped ones, at every offset of a word.
        let alphabet: Vec<char> = "\"\\\n\r\t\u{0}\u{8}\u{c}\u{1f} !#[]ab\u{7f}äß€😀"
            .chars()
            .collect();
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        for len in 0..200 {
            let text: String = (0..len)
                .map(|_| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    alphabet[(state % alphabet.len() as u64) as usize]
                })
                .collect();
            assert_eq!(ours(&text), serde_json_of(&text), "{text:?}");
        }
    }

    #[test]
    fn flags_exactly_the_words_with_a_byte_to_escape() {
        for byte in 0..=255u8 {
            for at in 0..8 {
                let mut word = [b'a'; 8];
                word[at] = byte;
                let flagged = escape_bits(u64::from_le_bytes(word)) != 0;
                assert_eq!(flagged, escape_of(byte).is_some(), "{byte:#x} at {at}");
            }
        }
        // With two bytes of interest, the lowest flagged byte is the first to escape.
        let bytes = [
            0x00, 0x01, 0x1F, 0x20, 0x21, b'"', b'\\', 0x7F, 0x80, 0x9F, 0xA0, 0xFF,
        ];
        for (&a, &b) in bytes.iter().flat_map(|a| bytes.iter().map(move |b| (a, b))) {
            for i in 0..8 {
                for j in i + 1..8 {
                    let mut word = [b'a'; 8];
                    (word[i], word[j]) = (a, b);
                    let bits = escape_bits(u64::from_le_bytes(word));
                    let first = word.iter().position(|&c| escape_of(c).is_some());
                    let lowest = (bits != 0).then(|| bits.trailing_zeros() as usize / 8);
                    assert_eq!(lowest, first, "{word:?}");
                }
            }
        }
    }
}
