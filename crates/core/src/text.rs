//! Helpers for character offsets: the output contract counts Unicode scalar values, while
//! Rust strings index bytes.

/// Converts byte offsets in `text` to character offsets, in one pass.
///
/// `byte_offsets` must be sorted ascending and each must lie on a character boundary;
/// the result has the same length and order.
pub fn byte_to_char_offsets(text: &str, byte_offsets: &[usize]) -> Vec<usize> {
    let mut out = Vec::with_capacity(byte_offsets.len());
    let mut chars = 0;
    let mut byte = 0;
    let mut iter = text.char_indices().peekable();
    for &target in byte_offsets {
        while byte < target {
            match iter.next() {
                Some((_, c)) => {
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

/// Maps byte offsets to character offsets for one text, for callers that ask in any order.
/// Costs one `u32` per character boundary sample; built once per document.
#[derive(Debug, Clone)]
pub struct CharIndex {
    /// Byte offset of every character, plus the text length at the end.
    starts: Vec<u32>,
}

impl CharIndex {
    /// Indexes `text`.
    pub fn new(text: &str) -> Self {
        let mut starts: Vec<u32> = text.char_indices().map(|(i, _)| i as u32).collect();
        starts.push(text.len() as u32);
        CharIndex { starts }
    }

    /// The character offset of byte offset `byte` (which must be a character boundary; a
    /// byte inside a character maps to the character that contains it).
    pub fn char_of(&self, byte: usize) -> usize {
        match self.starts.binary_search(&(byte as u32)) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        }
    }

    /// Number of characters in the text.
    pub fn len_chars(&self) -> usize {
        self.starts.len() - 1
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
}
