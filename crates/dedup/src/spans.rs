//! Paragraphs, sentences and quotations of a text, as byte ranges, for finding repeated
//! passages.

use memchr::{memchr, memchr3};

/// The paragraphs of a text and the sentences inside them, as byte ranges into the text;
/// one value serves text after text, reusing its buffers.
#[derive(Debug, Default)]
pub struct Paragraphs {
    /// Each paragraph, trimmed of surrounding whitespace, and the range of its sentences in
    /// `sentences`.
    paragraphs: Vec<((usize, usize), (usize, usize))>,
    /// The sentences of all paragraphs, trimmed, in order. A paragraph of one sentence has
    /// none listed (the paragraph is the sentence).
    sentences: Vec<(usize, usize)>,
}

impl Paragraphs {
    /// Splits `text` (replacing what was split before) into paragraphs at blank lines
    /// (`"\n\n"`) and each paragraph into sentences at `.`, `!`, `?` or `…` (with any
    /// closing quotes or brackets right after) followed by whitespace and then an uppercase
    /// letter, a digit-free opening quote or an opening bracket. A `.` right after a number
    /// or a one-letter word (`am 3. Oktober`, `z. B. Die`) does not split; other
    /// abbreviations (`Dr. Müller`) do: this is a simple rule, and a wrong split only
    /// shortens the passages compared.
    pub fn split(&mut self, text: &str) {
        self.paragraphs.clear();
        self.sentences.clear();
        let mut blank_line = NextOccurrence::new(text.as_bytes(), b"\n\n");
        let mut start = 0;
        while start <= text.len() {
            let end = blank_line.at_or_after(start).min(text.len());
            if let Some(range) = trim(text, start, end) {
                let first = self.sentences.len();
                sentences(text, range, &mut self.sentences);
                if self.sentences.len() == first + 1 {
                    self.sentences.truncate(first);
                }
                self.paragraphs.push((range, (first, self.sentences.len())));
            }
            start = end + 2;
        }
    }

    /// How many paragraphs and sentences there are.
    pub fn len(&self) -> usize {
        self.paragraphs.len() + self.sentences.len()
    }

    /// The paragraphs in order, each with its sentences.
    pub fn iter(&self) -> impl Iterator<Item = ((usize, usize), &[(usize, usize)])> {
        self.paragraphs
            .iter()
            .map(|&(range, (first, end))| (range, &self.sentences[first..end]))
    }
}

/// Where `needle` next occurs in a text at or after a position that only moves forward;
/// searched for again only once the position has passed the last place found, so a rare
/// needle costs one search per text, not one per step. The search is memchr for the
/// needle's last byte (0xA6 of `…`, rare in German) and a comparison there: for these
/// two- and three-byte needles it is cheaper than setting up a `memmem` searcher per text.
struct NextOccurrence<'a> {
    haystack: &'a [u8],
    needle: &'static [u8],
    /// The last place found; `usize::MAX` once there is none left.
    at: usize,
}

impl<'a> NextOccurrence<'a> {
    fn new(haystack: &'a [u8], needle: &'static [u8]) -> Self {
        let mut next = NextOccurrence {
            haystack,
            needle,
            at: 0,
        };
        next.at = next.search(0);
        next
    }

    fn at_or_after(&mut self, pos: usize) -> usize {
        if self.at < pos {
            self.at = self.search(pos);
        }
        self.at
    }

    fn search(&self, pos: usize) -> usize {
        let Some(&last) = self.needle.last() else {
            return pos;
        };
        let mut from = pos + self.needle.len() - 1;
        while let Some(skip) = self
            .haystack
            .get(from..)
            .and_then(|rest| memchr(last, rest))
        {
            let end = from + skip + 1;
            let start = end - self.needle.len();
            if &self.haystack[start..end] == self.needle {
                return start;
            }
            from = end;
        }
        usize::MAX
    }
}

/// The first place at or after `pos` of one of the three bytes, or `usize::MAX`.
fn next_of_three(bytes: &[u8], pos: usize, (a, b, c): (u8, u8, u8)) -> usize {
    memchr3(a, b, c, &bytes[pos..]).map_or(usize::MAX, |i| pos + i)
}

/// Longest quotation looked at, in bytes; an opening mark without a closing one nearby is
/// a stray.
const MAX_QUOTE_BYTES: usize = 4000;

/// Quotations of `text`: the byte ranges between an opening quotation mark and its closing
/// one, trimmed, within one paragraph, in order. Pairs: `„…“`, `„…”`, `„…"` (German),
/// `»…«`, `«…»`, `“…”` (English), and `"…"` where the opening `"` starts a word. Quotation
/// marks inside a quotation (`‚…‘`) are part of it.
pub fn quotations(text: &str) -> Vec<(usize, usize)> {
    quotations_within(text, MAX_QUOTE_BYTES)
}

/// [`quotations`] no longer than `max_bytes`. Only `"`, a blank line (`"\n\n"`) and the
/// characters whose UTF-8 starts with 0xC2 (`»`, `«`) or 0xE2 (`„`, `“`, `”`) can open or
/// close a quotation, so the text is searched for those (memchr) and decoded only there.
/// A single line break is no stop: it neither opens nor closes, and a quotation it would
/// have found too long is given up at the next stop at the same place.
fn quotations_within(text: &str, max_bytes: usize) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    // (start of the content, the marks that close it)
    let mut open: Option<(usize, &[char])> = None;
    let mut blank_line = NextOccurrence::new(bytes, b"\n\n");
    let mut pos = 0;
    loop {
        let i = next_of_three(bytes, pos, (b'"', 0xC2, 0xE2)).min(blank_line.at_or_after(pos));
        if i == usize::MAX {
            break;
        }
        let c = char_at(text, i);
        let next = text[i + c.len_utf8()..].chars().next();
        pos = i + c.len_utf8();
        if let Some((start, closers)) = open {
            // A quotation longer than `max_bytes` is given up at the first character past
            // the limit, which may lie in the stretch skipped to get here.
            let limit = start + max_bytes + 1;
            if limit < i {
                let past = (limit..i).find(|&b| text.is_char_boundary(b)).unwrap_or(i);
                if past < i {
                    open = None;
                    pos = past + char_at(text, past).len_utf8();
                    continue;
                }
            }
            if closers.contains(&c) {
                if let Some(range) = trim(text, start, i) {
                    out.push(range);
                }
                open = None;
            } else if (c == '\n' && next == Some('\n')) || i >= limit {
                open = None;
            }
        } else {
            let starts_word = next.is_some_and(|n| !n.is_whitespace());
            let prev = text[..i].chars().next_back();
            let closers: Option<&[char]> = match c {
                '„' => Some(&['“', '”', '"']),
                '»' => Some(&['«']),
                '«' => Some(&['»']),
                '“' if starts_word => Some(&['”']),
                '"' if starts_word
                    && !matches!(prev, Some(p) if !p.is_whitespace() && p != '(') =>
                {
                    Some(&['"', '“'])
                }
                _ => None,
            };
            if let Some(closers) = closers {
                open = Some((i + c.len_utf8(), closers));
            }
        }
    }
    out
}

/// The character starting at byte `i` of `text` (a character boundary).
fn char_at(text: &str, i: usize) -> char {
    // Invariant: callers pass character boundaries below `text.len()`.
    text[i..].chars().next().unwrap_or('\0')
}

/// The range `start..end` of `text` without surrounding whitespace, or `None` if blank.
fn trim(text: &str, start: usize, end: usize) -> Option<(usize, usize)> {
    let slice = &text[start..end];
    let trimmed = slice.trim_start();
    let s = start + (slice.len() - trimmed.len());
    let e = s + trimmed.trim_end().len();
    (e > s).then_some((s, e))
}

fn is_terminator(c: char) -> bool {
    matches!(c, '.' | '!' | '?' | '…')
}

fn is_closer(c: char) -> bool {
    matches!(c, '"' | '\'' | '“' | '”' | '’' | '»' | '«' | ')' | ']')
}

fn is_opener(c: char) -> bool {
    matches!(
        c,
        '"' | '\'' | '„' | '“' | '‚' | '‘' | '»' | '«' | '(' | '['
    )
}

/// Whether the text before a `.` ends in a number or a one-letter word. The last word is
/// read back over ASCII bytes; only a word that may go on in non-ASCII letters is split
/// off by characters.
fn ends_with_ordinal_or_initial(before: &str) -> bool {
    let bytes = before.as_bytes();
    let ascii_tail = bytes
        .iter()
        .rev()
        .take_while(|b| b.is_ascii_alphanumeric())
        .count();
    let start = bytes.len() - ascii_tail;
    if start > 0 && !bytes[start - 1].is_ascii() {
        let word = before
            .rsplit(|c: char| !c.is_alphanumeric())
            .next()
            .unwrap_or("");
        return !word.is_empty()
            && (word.chars().all(|c| c.is_ascii_digit()) || word.chars().count() == 1);
    }
    let word = &bytes[start..];
    !word.is_empty() && (word.iter().all(u8::is_ascii_digit) || word.len() == 1)
}

/// Sentences of the paragraph `range` of `text`. Only `.`, `!`, `?` and `…` can end a
/// sentence, so the paragraph is searched for those (memchr) and decoded only around them.
/// They are appended to `out`.
fn sentences(text: &str, range: (usize, usize), out: &mut Vec<(usize, usize)>) {
    let (start, end) = range;
    let para = &text[start..end];
    let bytes = para.as_bytes();
    let mut sentence_start = 0;
    let mut ellipsis = NextOccurrence::new(bytes, "…".as_bytes());
    let mut pos = 0;
    loop {
        let i = next_of_three(bytes, pos, (b'.', b'!', b'?')).min(ellipsis.at_or_after(pos));
        if i == usize::MAX {
            break;
        }
        let c = char_at(para, i);
        let rest = &para[i + c.len_utf8()..];
        let sentence_end = rest
            .find(|n: char| !is_terminator(n) && !is_closer(n))
            .map_or(para.len(), |skip| para.len() - rest.len() + skip);
        let after = &para[sentence_end..];
        let next_start = after
            .find(|n: char| !n.is_whitespace())
            .map(|skip| sentence_end + skip);
        let starts_sentence = |k: usize| {
            let next = char_at(para, k);
            k > sentence_end
                && !(c == '.' && ends_with_ordinal_or_initial(&para[..i]))
                && (next.is_uppercase() || is_opener(next))
        };
        match next_start {
            Some(k) if starts_sentence(k) => {
                if let Some(r) = trim(para, sentence_start, sentence_end) {
                    out.push((start + r.0, start + r.1));
                }
                sentence_start = k;
                pos = k;
            }
            _ => pos = sentence_end,
        }
    }
    if let Some(r) = trim(para, sentence_start, para.len()) {
        out.push((start + r.0, start + r.1));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_rng::XorShift;

    /// A paragraph, and the sentences inside it, as byte ranges into the text.
    #[derive(Debug, Clone, PartialEq, Eq)]
    struct Paragraph {
        range: (usize, usize),
        sentences: Vec<(usize, usize)>,
    }

    fn paragraphs(text: &str) -> Vec<Paragraph> {
        let mut split = Paragraphs::default();
        split.split(text);
        split
            .iter()
            .map(|(range, sentences)| Paragraph {
                range,
                sentences: sentences.to_vec(),
            })
            .collect()
    }

    fn sentences_of(text: &str, range: (usize, usize)) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        sentences(text, range, &mut out);
        out
    }

    fn texts<'a>(text: &'a str, ranges: &[(usize, usize)]) -> Vec<&'a str> {
        ranges.iter().map(|&(s, e)| &text[s..e]).collect()
    }

    #[test]
    fn splits_paragraphs_and_sentences() {
        let text = "  Erster Satz. Zweiter Satz! „Dritter?“ Er fragte: „Wer?“ und ging\n\n\n\nNur einer.\n\n  \n\n";
        let paras = paragraphs(text);
        assert_eq!(paras.len(), 2);
        assert_eq!(
            texts(text, &[paras[0].range, paras[1].range]),
            [
                "Erster Satz. Zweiter Satz! „Dritter?“ Er fragte: „Wer?“ und ging",
                "Nur einer."
            ]
        );
        assert_eq!(
            texts(text, &paras[0].sentences),
            [
                "Erster Satz.",
                "Zweiter Satz!",
                "„Dritter?“",
                "Er fragte: „Wer?“ und ging"
            ]
        );
        assert!(paras[1].sentences.is_empty());
    }

    #[test]
    fn does_not_split_before_lowercase_or_numbers() {
        let text = "Am 3. Oktober kam er z. B. mit Dr. Kurz. dann ging er. 2025 war es.";
        let paras = paragraphs(text);
        assert_eq!(paras.len(), 1);
        assert_eq!(
            texts(text, &paras[0].sentences),
            [
                "Am 3. Oktober kam er z. B. mit Dr.",
                "Kurz. dann ging er. 2025 war es."
            ]
        );
    }

    #[test]
    fn finds_quotations_of_every_style() {
        let text = "Er sagte: „Wir kommen.“ Sie: \"Nie\", rief sie. »Gut« und “fine” \
                    und „offen\n\nweiter“ und 5\" Zoll „Ende.\"";
        assert_eq!(
            texts(text, &quotations(text)),
            ["Wir kommen.", "Nie", "Gut", "fine", "Ende."]
        );
        assert!(quotations("").is_empty());
        assert!(quotations("„nie geschlossen").is_empty());
    }

    /// `count` texts of 1 to 40 of `pieces` each, drawn by a fixed xorshift generator.
    fn random_texts<'a>(pieces: &'a [&str], count: usize) -> impl Iterator<Item = String> + 'a {
        let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
        (0..count).map(move |_| {
            let mut text = String::new();
            for _ in 0..1 + rng.0 % 40 {
                text.push_str(pieces[(rng.next() % pieces.len() as u64) as usize]);
            }
            text
        })
    }

    /// `quotations` as it was: decoding every character.
    fn quotations_char_by_char(text: &str, max_bytes: usize) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        // (start of the content, the marks that close it)
        let mut open: Option<(usize, &[char])> = None;
        let mut prev: Option<char> = None;
        let mut iter = text.char_indices().peekable();
        while let Some((i, c)) = iter.next() {
            let next = iter.peek().map(|&(_, n)| n);
            if let Some((start, closers)) = open {
                if closers.contains(&c) {
                    if let Some(range) = trim(text, start, i) {
                        out.push(range);
                    }
                    open = None;
                } else if (c == '\n' && next == Some('\n')) || i - start > max_bytes {
                    open = None;
                }
            } else {
                let starts_word = next.is_some_and(|n| !n.is_whitespace());
                let closers: Option<&[char]> = match c {
                    '„' => Some(&['“', '”', '"']),
                    '»' => Some(&['«']),
                    '«' => Some(&['»']),
                    '“' if starts_word => Some(&['”']),
                    '"' if starts_word
                        && !matches!(prev, Some(p) if !p.is_whitespace() && p != '(') =>
                    {
                        Some(&['"', '“'])
                    }
                    _ => None,
                };
                if let Some(closers) = closers {
                    open = Some((i + c.len_utf8(), closers));
                }
            }
            prev = Some(c);
        }
        out
    }

    #[test]
    fn the_byte_scan_finds_what_decoding_every_character_finds() {
        let pieces = [
            "„", "“", "”", "\"", "»", "«", "\n", "\n\n", " ", "(", "Wort", "ä", "€", "–", "x", "‚",
            "‘", ".",
        ];
        for (round, text) in random_texts(&pieces, 30_000).enumerate() {
            // Small limits make the give-up rule fire, at every kind of character.
            let max = [0, 1, 3, 7, 20, MAX_QUOTE_BYTES][round % 6];
            assert_eq!(
                quotations_within(&text, max),
                quotations_char_by_char(&text, max),
                "{text:?}, max {max}"
            );
        }
    }

    /// `sentences` as it was: decoding every character.
    fn sentences_char_by_char(text: &str, range: (usize, usize)) -> Vec<(usize, usize)> {
        let (start, end) = range;
        let para = &text[start..end];
        let chars: Vec<(usize, char)> = para.char_indices().collect();
        let mut out = Vec::new();
        let mut sentence_start = 0;
        let mut i = 0;
        while i < chars.len() {
            if !is_terminator(chars[i].1) {
                i += 1;
                continue;
            }
            let mut j = i + 1;
            while j < chars.len() && (is_terminator(chars[j].1) || is_closer(chars[j].1)) {
                j += 1;
            }
            let sentence_end = chars.get(j).map_or(para.len(), |&(b, _)| b);
            let mut k = j;
            while k < chars.len() && chars[k].1.is_whitespace() {
                k += 1;
            }
            let splits = k > j
                && k < chars.len()
                && !(chars[i].1 == '.' && ends_with_ordinal_or_initial(&para[..chars[i].0]))
                && (chars[k].1.is_uppercase() || is_opener(chars[k].1));
            if splits {
                if let Some(r) = trim(para, sentence_start, sentence_end) {
                    out.push((start + r.0, start + r.1));
                }
                sentence_start = chars[k].0;
                i = k;
            } else {
                i = j.max(i + 1);
            }
        }
        if let Some(r) = trim(para, sentence_start, para.len()) {
            out.push((start + r.0, start + r.1));
        }
        out
    }

    #[test]
    fn the_sentence_byte_scan_splits_where_decoding_every_character_splits() {
        let pieces = [
            ".", "!", "?", "…", " ", "  ", "\n", "„", "“", "\"", "»", "(", ")", "Wort", "wort",
            "Über", "über", "3", "z", "ä", "€", "–", "Ü", "É",
        ];
        for text in random_texts(&pieces, 30_000) {
            let range = (0, text.len());
            assert_eq!(
                sentences_of(&text, range),
                sentences_char_by_char(&text, range),
                "{text:?}"
            );
        }
    }

    /// `paragraphs` as it was: `str::find` for each blank line, sentences decoded
    /// character by character.
    fn paragraphs_char_by_char(text: &str) -> Vec<Paragraph> {
        let mut out = Vec::new();
        let mut start = 0;
        loop {
            let end = text[start..].find("\n\n").map_or(text.len(), |i| start + i);
            if let Some(range) = trim(text, start, end) {
                let mut sentences = sentences_char_by_char(text, range);
                if sentences.len() == 1 {
                    sentences.clear();
                }
                out.push(Paragraph { range, sentences });
            }
            if end == text.len() {
                break;
            }
            start = end + 2;
        }
        out
    }

    #[test]
    fn the_paragraph_search_splits_where_find_splits() {
        let pieces = [
            "\n",
            "\n\n",
            "\n\n\n",
            " ",
            "Wort",
            "Satz. ",
            "Er ging! ",
            "„Wer?“ ",
            "…",
            "ä",
            "€",
            "Über",
            "3. ",
            "\r",
        ];
        for text in random_texts(&pieces, 30_000) {
            assert_eq!(
                paragraphs(&text),
                paragraphs_char_by_char(&text),
                "{text:?}"
            );
        }
    }

    #[test]
    fn the_next_occurrence_is_the_one_find_gives() {
        let pieces = [
            "\n",
            "\n\n",
            "…",
            "æ",
            "\u{a6}",
            " ",
            "x",
            "ä",
            "\u{2026}\u{2026}",
        ];
        for text in random_texts(&pieces, 10_000) {
            for needle in ["\n\n", "…"] {
                let mut next = NextOccurrence::new(text.as_bytes(), needle.as_bytes());
                for pos in 0..=text.len() {
                    let expected = text.as_bytes()[pos..]
                        .windows(needle.len())
                        .position(|w| w == needle.as_bytes())
                        .map_or(usize::MAX, |i| pos + i);
                    assert_eq!(next.at_or_after(pos), expected, "{text:?} {needle:?} {pos}");
                }
            }
        }
    }

    /// `ends_with_ordinal_or_initial` as it was: the last word split off by characters.
    fn ends_with_ordinal_or_initial_by_chars(before: &str) -> bool {
        let word = before
            .rsplit(|c: char| !c.is_alphanumeric())
            .next()
            .unwrap_or("");
        !word.is_empty() && (word.chars().all(|c| c.is_ascii_digit()) || word.chars().count() == 1)
    }

    #[test]
    fn the_last_word_read_over_bytes_is_the_one_split_off_by_characters() {
        let pieces = [
            "3", "2025", "z", "Z", "B", "Dr", "Wort", "ä", "Ä", "ß", "é", "Über", "für", "1ä",
            "ä1", "Ω", "中", "١", "²", " ", "  ", "\n", ".", ",", "-", "„", "“", "–", "\u{a0}",
            "(", "'",
        ];
        for text in random_texts(&pieces, 20_000) {
            for end in (0..=text.len()).filter(|&k| text.is_char_boundary(k)) {
                let before = &text[..end];
                assert_eq!(
                    ends_with_ordinal_or_initial(before),
                    ends_with_ordinal_or_initial_by_chars(before),
                    "{before:?}"
                );
            }
        }
    }

    #[test]
    fn empty_text_has_no_paragraphs() {
        assert!(paragraphs("").is_empty());
        assert!(paragraphs("\n\n \n\n").is_empty());
    }
}
