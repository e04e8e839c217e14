//! Helpers for character offsets: the output contract counts Unicode scalar values, while
//! Rust strings index bytes.

/// Converts byte offsets in `text` to character offsets, in one pass.
///
/// `byte_offsets` must be sorted ascending and each must lie on a character boundary;
/// the result has the same length and order. (An offset inside a character counts that
/// character; offsets past the end count every character.)
pub fn byte_to_char_offsets(text: &str, byte_offsets: &[usize]) -> Vec<usize> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(byte_offsets.len());
    let (mut chars, mut byte) = (0, 0);
    for &target in byte_offsets {
        let target = target.min(bytes.len());
        if target > byte {
            chars += count_char_starts(&bytes[byte..target]);
            byte = target;
        }
        out.push(chars);
    }
    out
}

/// Bit 0 of each byte of the eight set when that byte starts a character: it is no
/// continuation byte (0b10xx_xxxx, bit 7 set and bit 6 clear), found with shifts and masks.
fn start_flags(eight_bytes: &[u8]) -> u64 {
    const LOW_BITS: u64 = 0x0101_0101_0101_0101;
    let mut eight = [0u8; 8];
    eight.copy_from_slice(eight_bytes);
    let w = u64::from_le_bytes(eight);
    !((w >> 7) & !(w >> 6)) & LOW_BITS
}

/// The bytes of `bytes` that start a character, eight at a time ([`start_flags`]): for
/// spans of about a sentence (the offsets asked for are sentence, passage and entity
/// bounds) this ran at 17 GB/s, the byte loop the compiler vectorised at 2 to 3, as the
/// short spans never reached its vector loop for long.
fn count_char_starts(bytes: &[u8]) -> usize {
    let words = bytes.chunks_exact(8);
    let tail = words.remainder();
    let mut starts = 0;
    for word in words {
        starts += start_flags(word).count_ones() as usize;
    }
    starts + tail.iter().filter(|&&b| (b as i8) >= -0x40).count()
}

/// Bit `i` set when byte `i` of the eight starts a character: the [`start_flags`]
/// gathered into one byte by a multiplication (flag `i` lands on bit `56 + i`, where no
/// two partial products meet).
fn char_start_bits(eight_bytes: &[u8]) -> u8 {
    (start_flags(eight_bytes).wrapping_mul(0x0102_0408_1020_4080) >> 56) as u8
}

/// Maps byte offsets to character offsets for one text, for callers that ask in any order.
/// Per 64 bytes of text it keeps the characters before them and a bit for each of its bytes
/// that starts a character (12 bytes, where a list of every character's offset took about
/// 250 for German text), so an offset's character is a count of bits away.
#[derive(Debug, Clone)]
pub struct CharIndex {
    /// Per block of 64 bytes: the characters that start before it, and which of its bytes
    /// start one (bit `i` for byte `i`).
    blocks: Vec<(u32, u64)>,
    len: usize,
    chars: usize,
}

impl CharIndex {
    /// Indexes `text`.
    pub fn new(text: &str) -> Self {
        let mut blocks = Vec::with_capacity(text.len().div_ceil(64));
        let mut chars = 0usize;
        for block in text.as_bytes().chunks(64) {
            let mut starts = 0u64;
            let words = block.chunks_exact(8);
            let tail_at = block.len() - words.remainder().len();
            for (k, word) in words.enumerate() {
                starts |= u64::from(char_start_bits(word)) << (8 * k);
            }
            for (i, &b) in block.iter().enumerate().skip(tail_at) {
                starts |= u64::from((b as i8) >= -0x40) << i;
            }
            blocks.push((chars as u32, starts));
            chars += starts.count_ones() as usize;
        }
        CharIndex {
            blocks,
            len: text.len(),
            chars,
        }
    }

    /// The character offset of byte offset `byte` (which must be a character boundary; a
    /// byte inside a character maps to the character that contains it, an offset past the
    /// end to the number of characters).
    pub fn char_of(&self, byte: usize) -> usize {
        if byte >= self.len {
            return self.chars;
        }
        let (before, starts) = self.blocks[byte / 64];
        // The starts up to and including `byte`: the character containing it is the last.
        let up_to = starts & (u64::MAX >> (63 - byte % 64));
        before as usize + up_to.count_ones() as usize - 1
    }

    /// Number of characters in the text.
    pub fn len_chars(&self) -> usize {
        self.chars
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_offsets_past_multibyte_characters() {
        let text = "Grüße aus Pjöngjang";
        let pj = text.find("Pjöngjang").unwrap();
        assert_eq!(
            byte_to_char_offsets(text, &[0, pj, text.len()]),
            vec![0, 10, 19]
        );
        let index = CharIndex::new(text);
        assert_eq!(index.char_of(pj), 10);
        assert_eq!(index.char_of(text.len()), 19);
        assert_eq!(index.len_chars(), 19);
    }

    /// `CharIndex::char_of` as it was: a binary search in the offsets of every character.
    fn by_searching_starts(text: &str, byte: usize) -> usize {
        let mut starts: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
        starts.push(text.len());
        match starts.binary_search(&byte) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        }
    }

    #[test]
    fn the_index_finds_every_byte_as_the_search_in_all_offsets_did() {
        let piece = "Grüße, 😀 „Zitat“ – ǅ e\u{301} 日本 end ";
        for text in ["", "a", "ü", piece, &piece.repeat(9)] {
            let index = CharIndex::new(text);
            assert_eq!(index.len_chars(), text.chars().count());
            for byte in 0..text.len() + 3 {
                assert_eq!(
                    index.char_of(byte),
                    by_searching_starts(text, byte),
                    "{text:?} at {byte}"
                );
            }
        }
    }

    /// `byte_to_char_offsets` as it was: walking the characters.
    fn by_walking_chars(text: &str, byte_offsets: &[usize]) -> Vec<usize> {
        let mut out = Vec::with_capacity(byte_offsets.len());
        let (mut chars, mut byte) = (0, 0);
        let mut iter = text.chars();
        for &target in byte_offsets {
            while byte < target {
                match iter.next() {
                    Some(c) => {
                        byte += c.len_utf8();
                        chars += 1;
                    }
                    None => break,
                }
            }
            out.push(chars);
        }
        out
    }

    #[test]
    fn counting_lead_bytes_equals_walking_the_characters() {
        let text = "Grüße, 😀 „Zitat“ – ǅ e\u{301} 日本 end";
        let every: Vec<usize> = (0..=text.len() + 3).collect();
        assert_eq!(
            byte_to_char_offsets(text, &every),
            by_walking_chars(text, &every),
            "every byte, inside characters and past the end too"
        );
        let boundaries: Vec<usize> = text
            .char_indices()
            .map(|(i, _)| i)
            .chain([text.len()])
            .collect();
        let counted = byte_to_char_offsets(text, &boundaries);
        assert_eq!(counted, (0..boundaries.len()).collect::<Vec<_>>());
        for step in [2, 3, 5] {
            let some: Vec<usize> = every.iter().copied().step_by(step).collect();
            assert_eq!(
                byte_to_char_offsets(text, &some),
                by_walking_chars(text, &some)
            );
        }
        assert_eq!(byte_to_char_offsets("", &[0, 4]), vec![0, 0]);
        // Spans long enough for whole words of eight bytes.
        let long = text.repeat(12);
        let every: Vec<usize> = (0..=long.len()).collect();
        for step in [8, 13, 64, 200, long.len()] {
            let some: Vec<usize> = every.iter().copied().step_by(step).collect();
            assert_eq!(
                byte_to_char_offsets(&long, &some),
                by_walking_chars(&long, &some),
                "step {step}"
            );
        }
    }

    #[test]
    fn the_start_bits_of_eight_bytes_are_the_bytes_that_start_a_character() {
        let values: Vec<u8> = (0..=255u8).collect();
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        for round in 0..20_000 {
            let mut eight = [0u8; 8];
            for (i, b) in eight.iter_mut().enumerate() {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                // Every value at every position in the first rounds, then at random.
                *b = if round < 256 {
                    values[(round + i * 37) % 256]
                } else {
                    state as u8
                };
            }
            let expected = eight.iter().enumerate().fold(0u8, |bits, (i, &b)| {
                bits | (u8::from(!(0x80..0xC0).contains(&b)) << i)
            });
            assert_eq!(char_start_bits(&eight), expected, "{eight:?}");
        }
    }

    #[test]
    fn every_byte_value_is_told_continuation_or_start_in_every_position_of_a_word() {
        let all: Vec<u8> = (0..=255u8).collect();
        for shift in 0..8 {
            let bytes = &all[shift..];
            for end in [bytes.len(), bytes.len() - 3, 17, 9, 8, 1, 0] {
                let span = &bytes[..end];
                let expected = span.iter().filter(|&&b| !(0x80..0xC0).contains(&b)).count();
                assert_eq!(
                    count_char_starts(span),
                    expected,
                    "shift {shift}, end {end}"
                );
            }
        }
    }
}
