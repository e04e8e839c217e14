//! JSON writing for `documents.jsonl`, byte for byte as serde_json writes it.
//!
//! serde_json looks every byte of a string up in a table; the text is most of every line of
//! `documents.jsonl`, and that loop was 57 % of the writer thread's instructions. Here
//! eight bytes are tested at once, and the search jumps from one byte to escape to the next.
//! The annotations' [`Value`]s (many short keys and strings) are written with the same
//! escaping instead of going through serde's generic serializer.

use serde_json::{Map, Value};

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

/// The little-endian word of the first eight bytes of `bytes`.
#[inline]
fn word_at(bytes: &[u8]) -> u64 {
    u64::from_le_bytes(bytes[..8].try_into().expect("eight bytes"))
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
    loop {
        // Runs without anything to escape (most of a text) are skipped two words at a time.
        while let Some(pair) = bytes.get(at..at + 16) {
            let (a, b) = pair.split_at(8);
            if escape_bits(word_at(a)) | escape_bits(word_at(b)) != 0 {
                break;
            }
            at += 16;
        }
        let Some(word) = bytes.get(at..at + 8) else {
            break;
        };
        let bits = escape_bits(word_at(word));
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

/// Appends `value` to `out`: what `serde_json::to_writer(out, value)` appends.
pub(crate) fn push_json_value(out: &mut Vec<u8>, value: &Value) {
    match value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        Value::Number(number) => push_json_number(out, number),
        Value::String(text) => push_json_string(out, text),
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                push_json_value(out, item);
            }
            out.push(b']');
        }
        Value::Object(map) => push_json_map(out, map),
    }
}

/// Appends `map` to `out` as a JSON object: what `serde_json::to_writer(out, map)` appends.
pub(crate) fn push_json_map(out: &mut Vec<u8>, map: &Map<String, Value>) {
    out.push(b'{');
    for (i, (key, item)) in map.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        push_json_string(out, key);
        out.push(b':');
        push_json_value(out, item);
    }
    out.push(b'}');
}

/// Numbers go through serde_json: its integer and shortest round-trip float formatting
/// (`1e300`, `-0.0`) must stay exactly as before, and numbers are few.
fn push_json_number(out: &mut Vec<u8>, number: &serde_json::Number) {
    // Writing into a `Vec` cannot fail, and a `Number` always serializes.
    let _ = serde_json::to_writer(&mut *out, number);
}

#[cfg(test)]
mod tests {
    use super::*;

    use serde_json::json;

    fn serde_json_of(text: &str) -> Vec<u8> {
        serde_json::to_vec(text).unwrap()
    }

    /// What `push` appends to a buffer that already holds other bytes.
    fn appended(push: impl FnOnce(&mut Vec<u8>)) -> Vec<u8> {
        let mut out = b"prefix".to_vec();
        push(&mut out);
        out.split_off(6)
    }

    fn ours(text: &str) -> Vec<u8> {
        appended(|out| push_json_string(out, text))
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
    fn escapes_at_every_offset_of_long_runs_as_serde_json() {
        for c in ['"', '\\', '\n', '\u{0}', '\u{1f}', ' ', '\u{7f}', 'ß', '😀'] {
            for at in 0..80 {
                let text = format!("{}{c}{}", "x".repeat(at), "y".repeat(80 - at));
                assert_eq!(ours(&text), serde_json_of(&text), "{text:?}");
                let twice = format!("{text}{c}{text}");
                assert_eq!(ours(&twice), serde_json_of(&twice), "{twice:?}");
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

    fn value_of_ours(value: &Value) -> Vec<u8> {
        appended(|out| push_json_value(out, value))
    }

    #[test]
    fn writes_values_as_serde_json() {
        let numbers = [
            json!(0),
            json!(-1),
            json!(i64::MIN),
            json!(i64::MAX),
            json!(u64::MAX),
            json!(0.1),
            json!(1e300),
            json!(-0.0),
            json!(3.0),
            json!(0.951),
            json!(1.5e-7),
            json!(f64::MAX),
            json!(f64::MIN_POSITIVE),
            json!(-123456.789),
        ];
        let strings = [
            json!(""),
            json!("\"\\\n\r\t\u{8}\u{c}\u{0}\u{1f}\u{7f}"),
            json!("Grüße „Köln“ 😀"),
            json!("a string longer than eight bytes with \"quotes\" inside"),
        ];
        let mut values: Vec<Value> = [json!(null), json!(true), json!(false), json!([]), json!({})]
            .into_iter()
            .chain(numbers.clone())
            .chain(strings.clone())
            .collect();
        values.push(Value::Array(numbers.to_vec()));
        values.push(json!({
            "quality": {"words": 7, "score": 0.25, "flags": [], "nested": {}},
            "removed": [{"line": 1, "reason": "promo", "text": "Tel.\t+49", "score": 3.0}],
            "key \"with\" \\escapes\n": strings.to_vec(),
            "": null,
            "ä": [[], [{}], [1, -2, 0.5]],
        }));
        for value in &values {
            assert_eq!(
                String::from_utf8(value_of_ours(value)).unwrap(),
                String::from_utf8(serde_json::to_vec(value).unwrap()).unwrap(),
            );
        }
    }

    #[test]
    fn writes_random_values_as_serde_json() {
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        fn random_value(next: &mut dyn FnMut() -> u64, depth: u32) -> Value {
            let pieces = ["a", "\"", "\\", "\n", "\u{1}", "ß", "😀", "key", " "];
            let text = |next: &mut dyn FnMut() -> u64| -> String {
                (0..next() % 12)
                    .map(|_| pieces[(next() % pieces.len() as u64) as usize])
                    .collect()
            };
            match next() % if depth > 3 { 6 } else { 8 } {
                0 => Value::Null,
                1 => Value::Bool(next() & 1 == 0),
                2 => json!(next() as i64),
                3 => json!(next()),
                // Without the exponent's top bit: finite, of either sign, tiny to ~1e0.
                4 => json!(f64::from_bits(next() & !(1 << 62))),
                5 => Value::String(text(next)),
                6 => (0..next() % 5)
                    .map(|_| random_value(next, depth + 1))
                    .collect(),
                _ => Value::Object(
                    (0..next() % 5)
                        .map(|_| (text(next), random_value(next, depth + 1)))
                        .collect(),
                ),
            }
        }
        for _ in 0..2000 {
            let value = random_value(&mut next, 0);
            assert_eq!(
                value_of_ours(&value),
                serde_json::to_vec(&value).unwrap(),
                "{value}"
            );
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
