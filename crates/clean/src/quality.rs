//! Quality signals of the cleaned text (Gopher-style), written to `clean.quality`.

use serde::Serialize;
use serde_json::{Map, Value};

use crate::chars::{self, push_lower};
use crate::lexicon::Lexicon;
use crate::lines::trim_token;

/// Quality signals of one cleaned text. Ratios are rounded to four decimals so that the
/// output stays byte-stable.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Quality {
    /// Characters (Unicode scalar values) of the cleaned text.
    pub chars: usize,
    /// Whitespace-separated words.
    pub words: usize,
    /// Mean length in characters of the words, punctuation trimmed.
    pub mean_word_length: f64,
    /// Share of non-space characters that are neither letters, digits nor ordinary
    /// punctuation (`# * | @ = < > ~ _`, emoji, …).
    pub symbol_ratio: f64,
    /// Share of non-space characters that are digits.
    pub digit_ratio: f64,
    /// Share of letters that are uppercase.
    pub uppercase_ratio: f64,
    /// Share of words that are German or English stop words.
    pub stopword_ratio: f64,
    /// Share of paragraphs that repeat an earlier paragraph (Gopher `dup_line_frac`).
    pub duplicate_line_ratio: f64,
    /// Share of characters in repeated paragraphs (Gopher `dup_line_char_frac`).
    pub duplicate_line_char_ratio: f64,
    /// Share of paragraphs that start with a list marker.
    pub bullet_line_ratio: f64,
    /// Share of paragraphs that end with an ellipsis.
    pub ellipsis_line_ratio: f64,
    /// Paragraphs of the cleaned text.
    pub paragraphs: usize,
    /// Non-blank lines of the input.
    pub lines: usize,
    /// Input lines the cleaner removed.
    pub lines_removed: usize,
    /// Share of the input's characters (after normalisation, blank lines aside) that
    /// the cleaner removed.
    pub removed_char_ratio: f64,
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        ((a as f64 / b as f64) * 10_000.0).round() / 10_000.0
    }
}

const fn is_ordinary_punct(c: char) -> bool {
    matches!(
        c,
        '.' | ','
            | ';'
            | ':'
            | '!'
            | '?'
            | '\''
            | '"'
            | '„'
            | '“'
            | '”'
            | '‚'
            | '‘'
            | '’'
            | '«'
            | '»'
            | '‹'
            | '›'
            | '('
            | ')'
            | '['
            | ']'
            | '-'
            | '–'
            | '—'
            | '/'
            | '…'
            | '%'
            | '&'
            | '€'
            | '$'
            | '£'
            | '§'
            | '°'
    )
}

/// Classes of an ASCII character for the signals (bit flags).
const SPACE: u8 = 1;
const LETTER: u8 = 2;
const UPPER: u8 = 4;
const DIGIT: u8 = 8;
const PUNCT: u8 = 16;

/// The classes of each ASCII character, as `char`'s `is_whitespace`, `is_alphabetic`,
/// `is_uppercase`, `is_numeric` and [`is_ordinary_punct`] tell them.
const ASCII_CLASSES: [u8; 128] = {
    let mut t = [0u8; 128];
    let mut i = 0;
    while i < 128 {
        let c = i as u8;
        t[i] = if c == b' ' || (c >= 9 && c <= 13) {
            SPACE
        } else if c.is_ascii_uppercase() {
            LETTER | UPPER
        } else if c.is_ascii_lowercase() {
            LETTER
        } else if c.is_ascii_digit() {
            DIGIT
        } else if is_ordinary_punct(c as char) {
            PUNCT
        } else {
            0
        };
        i += 1;
    }
    t
};

/// The word counts of the signals: the whitespace-separated words of a text, those left
/// after trimming punctuation, their characters and their stop words.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct WordCounts {
    /// Whitespace-separated words.
    pub words: usize,
    /// Words left after trimming punctuation ([`trim_token`]).
    pub counted: usize,
    /// Characters of the trimmed words.
    pub chars: usize,
    /// Trimmed words whose lowercase is a stop word.
    pub stop: usize,
}

impl std::ops::AddAssign for WordCounts {
    fn add_assign(&mut self, o: Self) {
        self.words += o.words;
        self.counted += o.counted;
        self.chars += o.chars;
        self.stop += o.stop;
    }
}

impl WordCounts {
    /// Counts one whitespace-separated word `w` (not empty) and returns it trimmed
    /// ([`trim_token`]); `lower` is room for its lowercase. A caller that knows whether
    /// the trimmed word's lowercase is a stop word passes it as `stop`.
    #[inline]
    pub(crate) fn add<'w>(
        &mut self,
        w: &'w str,
        stop: Option<bool>,
        lex: &Lexicon,
        lower: &mut String,
    ) -> &'w str {
        self.words += 1;
        let t = trim_token(w);
        if t.is_empty() {
            return t;
        }
        self.counted += 1;
        let ascii = t.is_ascii();
        let n = if ascii { t.len() } else { t.chars().count() };
        self.chars += n;
        if let Some(stop) = stop {
            self.stop += usize::from(stop);
            return t;
        }
        // Lowercasing never shortens a word in characters.
        if n > lex.stop_max_chars() {
            return t;
        }
        if ascii {
            let lower = if t.bytes().any(|b| b.is_ascii_uppercase()) {
                lower.clear();
                lower.push_str(t);
                lower.make_ascii_lowercase();
                lower.as_str()
            } else {
                t
            };
            self.stop += usize::from(lex.is_stop(lower));
            return t;
        }
        lower.clear();
        for c in t.chars() {
            push_lower(c, lower);
        }
        self.stop += usize::from(lex.is_stop(lower));
        t
    }

    /// What [`WordCounts::add`] counts for an ASCII word: `trimmed` is the length of
    /// what [`trim_token`] keeps of it, `stop` whether its lowercase is a stop word.
    /// (Only the reference of `Line::new` in its tests counts word by word now.)
    #[cfg(test)]
    pub(crate) fn add_ascii(&mut self, trimmed: usize, stop: bool) {
        self.words += 1;
        if trimmed > 0 {
            self.counted += 1;
            self.chars += trimmed;
            self.stop += usize::from(stop);
        }
    }

    /// The counts of `text`.
    #[cfg(test)]
    pub(crate) fn of(text: &str, lex: &Lexicon) -> Self {
        let mut counts = WordCounts::default();
        let mut lower = String::new();
        for w in text.split_whitespace() {
            counts.add(w, None, lex, &mut lower);
        }
        counts
    }
}

/// Character counts of the signals.
#[derive(Debug, Default)]
struct CharCounts {
    chars: usize,
    non_space: usize,
    letters: usize,
    upper: usize,
    digits: usize,
    symbols: usize,
}

/// Bit fields of [`PACKED`]: ten bits for each count of ASCII characters, so that a
/// block of up to [`BLOCK`] bytes is counted in one integer.
const F_CHARS: u32 = 0;
const F_SPACE: u32 = 10;
const F_LETTER: u32 = 20;
const F_UPPER: u32 = 30;
const F_DIGIT: u32 = 40;
const F_PUNCT: u32 = 50;
/// Bytes counted in a block: no field of the sum can reach 1024.
const BLOCK: usize = 1016;

/// The classes of each ASCII byte as increments of the bit fields (0 for other bytes).
const PACKED: [u64; 256] = {
    let mut t = [0u64; 256];
    let mut i = 0;
    while i < 128 {
        let k = ASCII_CLASSES[i];
        let mut v = 1 << F_CHARS;
        if k & SPACE != 0 {
            v |= 1 << F_SPACE;
        }
        if k & LETTER != 0 {
            v |= 1 << F_LETTER;
        }
        if k & UPPER != 0 {
            v |= 1 << F_UPPER;
        }
        if k & DIGIT != 0 {
            v |= 1 << F_DIGIT;
        }
        if k & PUNCT != 0 {
            v |= 1 << F_PUNCT;
        }
        t[i] = v;
        i += 1;
    }
    t
};

impl CharCounts {
    /// Counts a non-ASCII character.
    #[inline]
    fn other(&mut self, c: char) {
        self.chars += 1;
        match c {
            // Latin-1 letters (× and ÷ aside), capitals up to Þ: the umlauts and ß.
            '\u{C0}'..='\u{FF}' if c != '×' && c != '÷' => {
                self.non_space += 1;
                self.letters += 1;
                self.upper += usize::from(c <= 'Þ');
            }
            // Dashes, quotes, bullets, the ellipsis: no space, letter or digit among
            // them.
            '\u{2010}'..='\u{2027}' | '\u{2030}'..='\u{205E}' => {
                self.non_space += 1;
                self.symbols += usize::from(!is_ordinary_punct(c));
            }
            _ => self.other_by_class(c),
        }
    }

    /// [`CharCounts::other`] after the character is counted, from its classes.
    fn other_by_class(&mut self, c: char) {
        if c.is_whitespace() {
            return;
        }
        self.non_space += 1;
        if chars::is_alphabetic(c) {
            self.letters += 1;
            if c.is_uppercase() {
                self.upper += 1;
            }
        } else if c.is_numeric() {
            self.digits += 1;
        } else if !is_ordinary_punct(c) {
            self.symbols += 1;
        }
    }

    /// Adds the ASCII counts packed in `p`.
    fn unpack(&mut self, p: u64) {
        let f = |shift: u32| ((p >> shift) & 0x3FF) as usize;
        let (chars, space) = (f(F_CHARS), f(F_SPACE));
        let (letters, digits, punct) = (f(F_LETTER), f(F_DIGIT), f(F_PUNCT));
        self.chars += chars;
        self.non_space += chars - space;
        self.letters += letters;
        self.upper += f(F_UPPER);
        self.digits += digits;
        self.symbols += chars - space - letters - digits - punct;
    }

    /// The counts of `text`: every byte through [`PACKED`] (other than ASCII bytes
    /// add nothing), eight at a time; other characters than ASCII one by one at their
    /// first byte, found in the eight bytes at once.
    fn of(text: &str) -> Self {
        let mut c = CharCounts::default();
        let bytes = text.as_bytes();
        for (b, block) in bytes.chunks(BLOCK).enumerate() {
            let mut p = 0u64;
            let mut words = block.chunks_exact(8);
            let mut at = b * BLOCK;
            for w in &mut words {
                let mut x = [0u8; 8];
                x.copy_from_slice(w);
                for &y in w {
                    p += PACKED[usize::from(y)];
                }
                let x = u64::from_le_bytes(x);
                if x & 0x8080_8080_8080_8080 != 0 {
                    c.first_bytes(text, at, x);
                }
                at += 8;
            }
            let mut x = [0u8; 8];
            x[..words.remainder().len()].copy_from_slice(words.remainder());
            for &y in words.remainder() {
                p += PACKED[usize::from(y)];
            }
            c.first_bytes(text, at, u64::from_le_bytes(x));
            c.unpack(p);
        }
        c
    }

    /// Counts the characters other than ASCII that start in the eight bytes `x` at
    /// `at` of `text`.
    #[inline]
    fn first_bytes(&mut self, text: &str, at: usize, x: u64) {
        // Bit 7 of each byte whose bits 7 and 6 are set: the first bytes.
        let mut firsts = x & (x << 1) & 0x8080_8080_8080_8080;
        while firsts != 0 {
            let i = at + (firsts.trailing_zeros() / 8) as usize;
            firsts &= firsts - 1;
            // A first byte is on a character boundary.
            if let Some(ch) = text.get(i..).and_then(|t| t.chars().next()) {
                self.other(ch);
            }
        }
    }
}

/// What [`Quality`] counts of the non-empty paragraphs of a text.
#[derive(Debug, Default, PartialEq)]
struct ParagraphCounts {
    paragraphs: usize,
    /// Paragraphs that start like a list item.
    bullets: usize,
    /// Paragraphs that end in an ellipsis.
    ellipsis: usize,
    /// Paragraphs that repeat an earlier one, and their characters.
    dup: usize,
    dup_chars: usize,
    /// The characters of all paragraphs.
    para_chars: usize,
}

impl ParagraphCounts {
    /// The counts of the paragraphs of `text`, which has `chars` characters.
    fn of(text: &str, chars: usize) -> Self {
        let mut c = ParagraphCounts::default();
        // Paragraphs sorted, so that equal ones are neighbours: each paragraph after the
        // first of its group repeats an earlier one.
        let mut paras: Vec<&str> = Vec::new();
        let mut pieces = 0;
        for p in paragraphs(text) {
            pieces += 1;
            if p.is_empty() {
                continue;
            }
            paras.push(p);
            if p.starts_with(['-', '•', '*', '–', '·', '▪']) {
                c.bullets += 1;
            }
            if p.ends_with("...") || p.ends_with('…') {
                c.ellipsis += 1;
            }
        }
        // The pieces and the `\n\n` between them make up the text, so the pieces'
        // characters (empty ones have none) are the text's but two per separator:
        // counted without a second pass over the text.
        c.para_chars = chars - 2 * (pieces - 1);
        c.paragraphs = paras.len();
        paras.sort_unstable();
        for pair in paras.windows(2) {
            if pair[0] == pair[1] {
                c.dup += 1;
                c.dup_chars += pair[1].chars().count();
            }
        }
        c
    }
}

/// The paragraphs of `text`: `text.split("\n\n")`, finding each `\n` with the `memchr`
/// crate (vectorised, unlike `str::find`).
fn paragraphs(text: &str) -> impl Iterator<Item = &str> {
    let mut rest = Some(text);
    std::iter::from_fn(move || {
        let r = rest?;
        let mut from = 0;
        while let Some(k) = memchr::memchr(b'\n', &r.as_bytes()[from..]) {
            let at = from + k;
            if r.as_bytes().get(at + 1) == Some(&b'\n') {
                rest = Some(&r[at + 2..]);
                return Some(&r[..at]);
            }
            from = at + 1;
        }
        rest = None;
        Some(r)
    })
}

impl Quality {
    /// The signals as the JSON object that `serde_json::to_value` makes of them (same
    /// keys, same numbers), built without the serializer's detour.
    pub(crate) fn to_json(&self) -> Value {
        // In the order of the keys, which the map sorts them into.
        let fields: [(&str, Value); 15] = [
            ("bullet_line_ratio", self.bullet_line_ratio.into()),
            ("chars", self.chars.into()),
            ("digit_ratio", self.digit_ratio.into()),
            (
                "duplicate_line_char_ratio",
                self.duplicate_line_char_ratio.into(),
            ),
            ("duplicate_line_ratio", self.duplicate_line_ratio.into()),
            ("ellipsis_line_ratio", self.ellipsis_line_ratio.into()),
            ("lines", self.lines.into()),
            ("lines_removed", self.lines_removed.into()),
            ("mean_word_length", self.mean_word_length.into()),
            ("paragraphs", self.paragraphs.into()),
            ("removed_char_ratio", self.removed_char_ratio.into()),
            ("stopword_ratio", self.stopword_ratio.into()),
            ("symbol_ratio", self.symbol_ratio.into()),
            ("uppercase_ratio", self.uppercase_ratio.into()),
            ("words", self.words.into()),
        ];
        Value::Object(
            fields
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v))
                .collect::<Map<String, Value>>(),
        )
    }

    /// Measures `text` (paragraphs separated by blank lines). `lines` and
    /// `lines_removed` count input lines, `removed_chars` the characters of removed lines.
    #[cfg(test)]
    pub(crate) fn measure(
        text: &str,
        lex: &Lexicon,
        lines: usize,
        lines_removed: usize,
        removed_chars: usize,
    ) -> Self {
        Quality::measure_counted(
            text,
            WordCounts::of(text, lex),
            lines,
            lines_removed,
            removed_chars,
        )
    }

    /// [`Quality::measure`] with the word counts of `text` given (the classifier counts
    /// them line by line).
    pub(crate) fn measure_counted(
        text: &str,
        words: WordCounts,
        lines: usize,
        lines_removed: usize,
        removed_chars: usize,
    ) -> Self {
        let CharCounts {
            chars,
            non_space,
            letters,
            upper,
            digits,
            symbols,
        } = CharCounts::of(text);
        let WordCounts {
            words,
            counted,
            chars: word_chars,
            stop,
        } = words;
        let ParagraphCounts {
            paragraphs,
            bullets,
            ellipsis,
            dup,
            dup_chars,
            para_chars,
        } = ParagraphCounts::of(text, chars);
        Quality {
            chars,
            words,
            mean_word_length: if counted == 0 {
                0.0
            } else {
                ((word_chars as f64 / counted as f64) * 100.0).round() / 100.0
            },
            symbol_ratio: ratio(symbols, non_space),
            digit_ratio: ratio(digits, non_space),
            uppercase_ratio: ratio(upper, letters),
            stopword_ratio: ratio(stop, words),
            duplicate_line_ratio: ratio(dup, paragraphs),
            duplicate_line_char_ratio: ratio(dup_chars, para_chars),
            bullet_line_ratio: ratio(bullets, paragraphs),
            ellipsis_line_ratio: ratio(ellipsis, paragraphs),
            paragraphs,
            lines,
            lines_removed,
            removed_char_ratio: ratio(removed_chars, removed_chars + para_chars),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The paragraph counts as `Quality::measure_counted` first made them: each
    /// paragraph's characters counted.
    fn paragraph_counts_reference(text: &str) -> ParagraphCounts {
        let mut paras: Vec<(&str, usize)> = Vec::new();
        let (mut bullets, mut ellipsis) = (0, 0);
        let mut para_chars = 0;
        for p in paragraphs(text).filter(|p| !p.is_empty()) {
            let n = p.chars().count();
            para_chars += n;
            paras.push((p, n));
            if p.starts_with(['-', '•', '*', '–', '·', '▪']) {
                bullets += 1;
            }
            if p.ends_with("...") || p.ends_with('…') {
                ellipsis += 1;
            }
        }
        let paragraphs = paras.len();
        paras.sort_unstable_by(|a, b| a.0.cmp(b.0));
        let (mut dup, mut dup_chars) = (0, 0);
        for pair in paras.windows(2) {
            if pair[0].0 == pair[1].0 {
                dup += 1;
                dup_chars += pair[1].1;
            }
        }
        ParagraphCounts {
            paragraphs,
            bullets,
            ellipsis,
            dup,
            dup_chars,
            para_chars,
        }
    }

    #[test]
    fn paragraph_counts_match_the_reference() {
        let marks = [
            "a", "Ä", "ß", "\n", "\n\n", "- ", "•", "…", "...", " ", "😀", "Straße", "x.",
        ];
        let mut texts = crate::chars::strings_of(&marks, 4);
        for seed in [
            include_str!("../../../seeds/000_4cc634fd74ce4d48.txt"),
            include_str!("../../../seeds/002_1a67b9573dd5dde7.txt"),
        ] {
            texts.push(seed.to_owned());
            texts.push(seed.replace('\n', "\n\n"));
            texts.push(format!("{seed}\n\n{seed}"));
        }
        texts.push("Lange ASCII-Zeile ohne Umlaute. ".repeat(200));
        let mut dups = 0;
        for t in &texts {
            let chars = t.chars().count();
            let counts = ParagraphCounts::of(t, chars);
            assert_eq!(counts, paragraph_counts_reference(t), "{t:?}");
            dups += counts.dup;
        }
        assert!(dups > 0);
    }

    #[test]
    fn measures_simple_text() {
        let lex = Lexicon::new();
        let q = Quality::measure(
            "Das ist gut.\n\nDas ist gut.\n\n- 2025 #Tag",
            &lex,
            4,
            1,
            10,
        );
        assert_eq!(q.words, 9);
        assert_eq!(q.paragraphs, 3);
        assert_eq!(q.lines, 4);
        assert_eq!(q.lines_removed, 1);
        assert!((q.duplicate_line_ratio - 0.3333).abs() < 1e-9);
        assert!((q.bullet_line_ratio - 0.3333).abs() < 1e-9);
        // "das", "ist" twice each.
        assert!((q.stopword_ratio - 4.0 / 9.0).abs() < 1e-3);
        // One '#' among the non-space characters.
        assert!(q.symbol_ratio > 0.0);
        assert!(q.digit_ratio > 0.0);
    }

    #[test]
    fn ascii_classes_agree_with_char() {
        for b in 0u8..128 {
            let c = char::from(b);
            let k = ASCII_CLASSES[usize::from(b)];
            assert_eq!(k & SPACE != 0, c.is_whitespace(), "{c:?}");
            assert_eq!(k & LETTER != 0, c.is_alphabetic(), "{c:?}");
            assert_eq!(k & UPPER != 0, c.is_uppercase(), "{c:?}");
            assert_eq!(k & DIGIT != 0, c.is_numeric(), "{c:?}");
            if k & (SPACE | LETTER | DIGIT) == 0 {
                assert_eq!(k & PUNCT != 0, is_ordinary_punct(c), "{c:?}");
            }
        }
    }

    /// The character counts as first written (in `measure_reference`), from the
    /// standard library's character classes.
    fn char_counts_reference(text: &str) -> [usize; 6] {
        let ns: Vec<char> = text.chars().filter(|c| !c.is_whitespace()).collect();
        let letters: Vec<char> = ns.iter().copied().filter(|c| c.is_alphabetic()).collect();
        let upper = letters.iter().filter(|c| c.is_uppercase()).count();
        let other = || ns.iter().filter(|c| !c.is_alphabetic());
        let digits = other().filter(|c| c.is_numeric()).count();
        let symbols = other()
            .filter(|c| !c.is_numeric() && !is_ordinary_punct(**c))
            .count();
        let chars = text.chars().count();
        [chars, ns.len(), letters.len(), upper, digits, symbols]
    }

    #[test]
    fn char_counts_match_the_reference() {
        let marks = [
            "a", "Z", "1", " ", "\n", "\t", "#", ".", "ä", "Ü", "²", "€", "😀", "\u{3000}",
        ];
        let mut texts = crate::chars::strings_of(&marks, 4);
        // Every character alone, among ASCII, and cut across the eight-byte words.
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            texts.push(format!("{c}"));
            texts.push(format!("ab{c}cd efg{c}"));
        }
        // Blocks of ASCII longer than a block of the packed counts, cut by other
        // characters at every offset of the eight-byte words.
        texts.push(format!("{}ü", "aB3.#\t".repeat(200)));
        for k in 0..9 {
            texts.push(format!("{}ü{}", "x".repeat(1016 + k), "Y ".repeat(600)));
        }
        texts.push(include_str!("../../../seeds/002_1a67b9573dd5dde7.txt").to_owned());
        for t in &texts {
            let c = CharCounts::of(t);
            let got = [
                c.chars,
                c.non_space,
                c.letters,
                c.upper,
                c.digits,
                c.symbols,
            ];
            assert_eq!(got, char_counts_reference(t), "{t:?}");
        }
    }

    /// The signals as first written: from the standard library's character classes,
    /// `split_whitespace`, `to_lowercase` and `split("\n\n")`.
    fn measure_reference(text: &str, lex: &Lexicon) -> Quality {
        let ns: Vec<char> = text.chars().filter(|c| !c.is_whitespace()).collect();
        let letters: Vec<char> = ns.iter().copied().filter(|c| c.is_alphabetic()).collect();
        let upper = letters.iter().filter(|c| c.is_uppercase()).count();
        let other = || ns.iter().filter(|c| !c.is_alphabetic());
        let digits = other().filter(|c| c.is_numeric()).count();
        let symbols = other()
            .filter(|c| !c.is_numeric() && !is_ordinary_punct(**c))
            .count();
        let words: Vec<&str> = text.split_whitespace().collect();
        let toks: Vec<&str> = words
            .iter()
            .map(|w| trim_token(w))
            .filter(|t| !t.is_empty())
            .collect();
        let word_chars: usize = toks.iter().map(|t| t.chars().count()).sum();
        let stop = toks
            .iter()
            .filter(|t| lex.is_stop(&t.to_lowercase()))
            .count();
        let paras: Vec<&str> = text.split("\n\n").filter(|p| !p.is_empty()).collect();
        let para_chars: usize = paras.iter().map(|p| p.chars().count()).sum();
        let mut sorted = paras.clone();
        sorted.sort_unstable();
        let dups: Vec<&str> = sorted
            .windows(2)
            .filter(|w| w[0] == w[1])
            .map(|w| w[1])
            .collect();
        let dup_chars: usize = dups.iter().map(|p| p.chars().count()).sum();
        let bullets = paras
            .iter()
            .filter(|p| p.starts_with(['-', '•', '*', '–', '·', '▪']))
            .count();
        let ellipsis = paras
            .iter()
            .filter(|p| p.ends_with("...") || p.ends_with('…'))
            .count();
        Quality {
            chars: text.chars().count(),
            words: words.len(),
            mean_word_length: if toks.is_empty() {
                0.0
            } else {
                ((word_chars as f64 / toks.len() as f64) * 100.0).round() / 100.0
            },
            symbol_ratio: ratio(symbols, ns.len()),
            digit_ratio: ratio(digits, ns.len()),
            uppercase_ratio: ratio(upper, letters.len()),
            stopword_ratio: ratio(stop, words.len()),
            duplicate_line_ratio: ratio(dups.len(), paras.len()),
            duplicate_line_char_ratio: ratio(dup_chars, para_chars),
            bullet_line_ratio: ratio(bullets, paras.len()),
            ellipsis_line_ratio: ratio(ellipsis, paras.len()),
            paragraphs: paras.len(),
            lines: 3,
            lines_removed: 1,
            removed_char_ratio: ratio(7, 7 + para_chars),
        }
    }

    #[test]
    fn measure_matches_the_reference() {
        let lex = Lexicon::new();
        let mut texts: Vec<String> = [
            "",
            "\n\n",
            "a\n\n\nb\n\nb\n\n\n\n",
            "Das ist gut.\n\nDas ist gut.\n\n- 2025 #Tag",
            "ÜBER Über über FÜR für İ İch DIE Die\u{A0}der\u{2003}ΣΑΣ ½ ² 中文 😀 ™ — „Zitat“ …",
            "THE The the AND BECAUSE Because zwischen ZWISCHEN Zwischenzeit x y\tz\r\nw",
            "• eins\n\n· zwei\n\nDrei...\n\nVier…\n\n• eins",
            "\u{3000}ab\u{85}\u{85}Ü \u{2028}",
            " x ",
            "ü",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        // Blocks of ASCII longer than a block of the packed counts, cut by other
        // characters at every offset of the eight-byte words.
        texts.push("aB3.#".repeat(700));
        for k in 0..9 {
            texts.push(format!("{}ü{}", "x".repeat(1016 + k), "Y ".repeat(600)));
        }
        for seed in [
            include_str!("../../../seeds/000_4cc634fd74ce4d48.txt"),
            include_str!("../../../seeds/001_71e4d82f6747df7e.txt"),
            include_str!("../../../seeds/003_b6e55cbff507565a.txt"),
        ] {
            texts.push(seed.to_owned());
            texts.push(seed.replace('\n', "\n\n"));
        }
        for t in &texts {
            assert_eq!(
                Quality::measure(t, &lex, 3, 1, 7),
                measure_reference(t, &lex),
                "{t:?}"
            );
        }
    }

    #[test]
    fn to_json_is_to_value() {
        let lex = Lexicon::new();
        let mut qualities = vec![
            Quality::default(),
            Quality::measure(
                "Das ist gut.\n\nDas ist gut.\n\n- 2025 #Tag",
                &lex,
                4,
                1,
                10,
            ),
            Quality::measure(
                include_str!("../../../seeds/001_71e4d82f6747df7e.txt"),
                &lex,
                9,
                2,
                77,
            ),
        ];
        // Numbers JSON cannot hold become null either way.
        qualities.push(Quality {
            mean_word_length: f64::NAN,
            symbol_ratio: f64::INFINITY,
            digit_ratio: -0.0,
            chars: usize::MAX,
            ..Quality::default()
        });
        for q in &qualities {
            let want = serde_json::to_value(q).unwrap();
            assert_eq!(q.to_json(), want, "{q:?}");
            assert_eq!(q.to_json().to_string(), want.to_string(), "{q:?}");
        }
    }

    #[test]
    fn empty_text_has_zero_ratios() {
        let q = Quality::measure("", &Lexicon::new(), 0, 0, 0);
        assert_eq!(q, Quality::default());
    }
}
