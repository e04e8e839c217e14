//! Per-line features the boilerplate classifier decides on: length, terminal punctuation,
//! stop-word density, sentence count, whether the line addresses the reader.

use crate::lexicon::Lexicon;

/// How a line ends, after closing quotes and brackets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum End {
    /// `.` or `…`
    Period,
    /// `?`
    Question,
    /// `!`
    Exclaim,
    /// `:`
    Colon,
    /// `;`
    Semicolon,
    /// Anything else (a letter, a digit, a bracket without punctuation before it).
    Open,
}

/// One non-blank line of the normalised input and its features.
#[derive(Debug, Clone)]
pub(crate) struct Line<'a> {
    /// Line number in the input, from 1.
    pub no: usize,
    /// The line as normalised (trimmed, spaces collapsed).
    pub text: &'a str,
    /// The line in lowercase.
    pub lower: String,
    /// Byte ranges in `lower` of each whitespace-separated token, trimmed of leading and
    /// trailing punctuation; empty tokens are left out.
    toks: Vec<(usize, usize)>,
    /// Number of whitespace-separated words.
    pub words: usize,
    /// Number of tokens that are stop words.
    pub stop: usize,
    /// How the line ends.
    pub end: End,
    /// Approximate number of sentences.
    pub sentences: usize,
    /// Whether some word starts with a lowercase letter.
    pub has_lower_word: bool,
    /// Whether the line addresses the reader ("Sie", "Ihr", "du", "you").
    pub reader: bool,
    /// Whether it uses informal German reader pronouns ("du", "dein").
    pub informal: bool,
    /// Whether it starts with a list marker ("- ", "• ", "1. ").
    pub bullet: bool,
}

fn is_closing(c: char) -> bool {
    matches!(
        c,
        '"' | '\'' | '“' | '”' | '‘' | '’' | '«' | '»' | '‹' | '›' | ')' | ']' | '„' | '*'
    )
}

fn is_opening_quote(c: char) -> bool {
    matches!(c, '"' | '„' | '“' | '«' | '»' | '‚' | '\'' | '(')
}

/// Han ideographs, hiragana and katakana: scripts written without spaces.
fn is_cjk(c: char) -> bool {
    matches!(c, '\u{3040}'..='\u{30FF}' | '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}')
}

/// Trims punctuation from both ends of a token, keeping inner hyphens and apostrophes.
pub(crate) fn trim_token(t: &str) -> &str {
    t.trim_matches(|c: char| !c.is_alphanumeric() && c != '#' && c != '@')
        .trim_start_matches(['@'])
}

fn ending(text: &str) -> End {
    let trimmed = text.trim_end_matches(is_closing);
    match trimmed.chars().last() {
        Some('.') | Some('…') | Some('。') | Some('．') => End::Period,
        Some('?') | Some('？') => End::Question,
        Some('!') | Some('！') => End::Exclaim,
        Some(':') | Some('：') => End::Colon,
        Some(';') | Some('；') => End::Semicolon,
        _ => End::Open,
    }
}

fn count_sentences(text: &str) -> usize {
    let chars: Vec<char> = text.chars().collect();
    let mut n = 1;
    for i in 0..chars.len() {
        let c = chars[i];
        if matches!(c, '。' | '！' | '？') {
            if i + 1 < chars.len() {
                n += 1;
            }
            continue;
        }
        if !matches!(c, '.' | '!' | '?' | '…') {
            continue;
        }
        if c == '.' && !(i > 0 && (chars[i - 1].is_lowercase() || is_closing(chars[i - 1]))) {
            continue;
        }
        // Skip closing quotes right after the punctuation.
        let mut j = i + 1;
        while j < chars.len() && is_closing(chars[j]) {
            j += 1;
        }
        if j + 1 < chars.len()
            && chars[j] == ' '
            && (chars[j + 1].is_uppercase()
                || is_opening_quote(chars[j + 1])
                || chars[j + 1] == '–')
        {
            n += 1;
        }
    }
    n
}

impl<'a> Line<'a> {
    /// Computes the features of one line (`text` must be non-empty and trimmed).
    pub(crate) fn new(no: usize, text: &'a str, lex: &Lexicon) -> Self {
        let lower = text.to_lowercase();
        let mut toks = Vec::new();
        let mut stop = 0;
        let mut words = 0;
        let base = lower.as_ptr() as usize;
        for piece in lower.split(' ') {
            if piece.is_empty() {
                continue;
            }
            words += 1;
            // Chinese and Japanese write without spaces: two ideographs or kana count
            // as one more word.
            if !piece.is_ascii() {
                words += piece.chars().filter(|&c| is_cjk(c)).count() / 2;
            }
            let t = trim_token(piece);
            if t.is_empty() {
                continue;
            }
            if lex.is_stop(t) {
                stop += 1;
            }
            let start = t.as_ptr() as usize - base;
            toks.push((start, start + t.len()));
        }
        let mut has_lower_word = false;
        let mut reader = false;
        let mut informal = false;
        for piece in text.split(' ') {
            let t = trim_token(piece);
            // Lowercase, or a letter of a script without case (CJK, Arabic, Hebrew, …).
            if t.chars()
                .next()
                .is_some_and(|c| c.is_lowercase() || (c.is_alphabetic() && !c.is_uppercase()))
            {
                has_lower_word = true;
            }
            if lex.is_reader_pronoun(t) {
                reader = true;
                if lex.is_informal(&t.to_lowercase()) {
                    informal = true;
                }
            }
        }
        let bullet = {
            let mut it = text.splitn(2, ' ');
            let first = it.next().unwrap_or("");
            matches!(first, "-" | "•" | "*" | "–" | "·" | "▪" | "►" | "»")
                || (first.len() <= 3
                    && first.ends_with('.')
                    && first[..first.len() - 1].bytes().all(|b| b.is_ascii_digit())
                    && first.len() > 1)
        };
        Line {
            no,
            text,
            toks,
            words,
            stop,
            end: ending(text),
            sentences: count_sentences(text),
            has_lower_word,
            reader,
            informal,
            bullet,
            lower,
        }
    }

    /// The lowercase tokens.
    pub(crate) fn tokens(&self) -> Vec<&str> {
        self.toks.iter().map(|&(a, b)| &self.lower[a..b]).collect()
    }

    /// Whether the line ends like a sentence (`.`, `…`, `?`, `!`).
    pub(crate) fn terminal(&self) -> bool {
        matches!(self.end, End::Period | End::Question | End::Exclaim)
    }

    /// Share of tokens that are stop words.
    pub(crate) fn stop_ratio(&self) -> f64 {
        if self.toks.is_empty() {
            0.0
        } else {
            self.stop as f64 / self.toks.len() as f64
        }
    }

    /// Lowercase content words: alphanumeric runs (split at any punctuation, hyphens
    /// included) of at least three characters that are not stop words.
    pub(crate) fn content_words(&self, lex: &Lexicon) -> Vec<&str> {
        let mut out: Vec<&str> = self
            .lower
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| w.chars().count() >= 3 && !lex.is_stop(w))
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// A paragraph of running text: ends like a sentence, has at least ten words and
    /// some function words. A lone question needs more words (titles are often questions).
    pub(crate) fn body_like(&self) -> bool {
        let ends = self.terminal() || (self.end == End::Colon && self.words >= 15);
        if !ends || self.words < 10 || self.stop == 0 {
            return false;
        }
        !(self.end == End::Question && self.sentences == 1 && self.words < 16)
    }

    /// Body text that can only be article text: long, or several sentences.
    pub(crate) fn strong_body(&self) -> bool {
        self.body_like()
            && ((self.words >= 30 && self.sentences >= 2) || self.words >= 45)
            && self.stop_ratio() >= 0.15
    }

    /// Looks like a headline: a few words with at least one lowercase word, not ending
    /// in a period or colon, not a list item.
    pub(crate) fn heading_like(&self) -> bool {
        (3..=25).contains(&self.words)
            && self.text.chars().count() <= 250
            && !matches!(self.end, End::Period | End::Colon | End::Semicolon)
            && self.has_lower_word
            && !self.bullet
    }
}

/// Whether two lowercase words are the same up to an inflection ending.
pub(crate) fn fuzzy_eq(a: &str, b: &str) -> bool {
    if a == b {
        return true;
    }
    let common = a.chars().zip(b.chars()).take_while(|(x, y)| x == y).count();
    let min = a.chars().count().min(b.chars().count());
    common >= 5 && common * 4 >= min * 3
}

/// How many words of `a` occur (fuzzily) in `b`.
pub(crate) fn shared(a: &[&str], b: &[&str]) -> usize {
    a.iter()
        .filter(|x| b.iter().any(|y| fuzzy_eq(x, y)))
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(s: &str) -> Line<'_> {
        // Leaked once per test: the lexicon has to outlive the borrowed line.
        let lex: &'static Lexicon = Box::leak(Box::new(Lexicon::new()));
        Line::new(1, s, lex)
    }

    #[test]
    fn endings_see_through_closing_quotes() {
        assert_eq!(line("Er sagte: „Das ist gut.“").end, End::Period);
        assert_eq!(line("Warum nicht?\"").end, End::Question);
        assert_eq!(line("Atomwaffen als Druckmittel").end, End::Open);
    }

    #[test]
    fn counts_sentences_but_not_ordinals() {
        assert_eq!(line("Das ist eins. Das ist zwei. Und drei!").sentences, 3);
        assert_eq!(line("Am 80. Jahrestag sprach Kim.").sentences, 1);
    }

    #[test]
    fn body_and_heading_shapes() {
        let body = line("Nordkoreas Machthaber Kim Jong Un will den Ausbau der Atomstreitkräfte weiter vorantreiben.");
        assert!(body.body_like());
        assert!(!body.heading_like());
        let head = line("Trump und Kim – eine merkwürdige Männerfreundschaft");
        assert!(head.heading_like());
        assert!(!head.body_like());
    }

    #[test]
    fn reader_pronouns_and_bullets() {
        assert!(line("Dann melden Sie sich hier an.").reader);
        assert!(line("Willst du Teil unserer Erfolgsstory sein?").informal);
        assert!(!line("Sie sagte nichts.").informal);
        assert!(line("- Ein Punkt der Liste").bullet);
        assert!(line("1. Zum Inhalt springen").bullet);
    }

    #[test]
    fn fuzzy_matching_handles_inflection() {
        assert!(fuzzy_eq("nordkoreanische", "nordkoreanischen"));
        assert!(fuzzy_eq("nordkoreas", "nordkoreanischen"));
        assert!(!fuzzy_eq("kim", "kimchi"));
    }
}
