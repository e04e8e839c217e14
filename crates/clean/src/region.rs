//! Main-content region detection: finds the densest run of prose paragraphs in a page.
//!
//! Lines that continue a sentence (the renderer broke a paragraph at a link or a span)
//! are first joined into blocks. Each block gets a weight: paragraphs of running text
//! count for their length, short lines and lines a detector already removed count
//! against. The main content is the run of lines with the largest total weight (a
//! maximum-sum subarray), so a block of short lines (a menu, a teaser list, a footer)
//! separates it from prose further away, while a subheading or a short quote between two
//! paragraphs stays inside.

use crate::lines::{End, Line};

/// Tuning of the line weights.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Weights {
    /// Words of a prose block that do not count (a paragraph of `words` weighs
    /// `words - prose_offset`, at least 1).
    pub prose_offset: f64,
    /// Weight of a line a detector removed.
    pub flagged: f64,
    /// Weight of a line of at most three words.
    pub short: f64,
    /// Weight of any other line that is not prose.
    pub other: f64,
    /// Weight of a complete short sentence (neither prose nor penalised).
    pub sentence: f64,
}

pub(crate) const WEIGHTS: Weights = Weights {
    prose_offset: 6.0,
    flagged: -3.0,
    short: -2.0,
    other: -1.5,
    sentence: 0.0,
};

/// The shape of a block of lines: what the prose test needs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Shape {
    pub words: usize,
    pub stop: usize,
    pub end: End,
    pub has_lower_word: bool,
    pub sentences: usize,
}

impl Shape {
    pub(crate) fn of(l: &Line<'_>) -> Self {
        Shape {
            words: l.words,
            stop: l.stop,
            end: l.end,
            has_lower_word: l.has_lower_word,
            sentences: l.sentences,
        }
    }

    fn join(&mut self, o: &Shape) {
        self.words += o.words;
        self.stop += o.stop;
        self.end = o.end;
        self.has_lower_word |= o.has_lower_word;
        self.sentences += o.sentences;
    }

    fn terminal(&self) -> bool {
        matches!(self.end, End::Period | End::Question | End::Exclaim)
    }

    /// Running text in any language: a long block that ends like a sentence and has
    /// lowercase words; function words from our lists are only needed for shorter ones.
    pub(crate) fn prose(&self) -> bool {
        let ends = self.terminal()
            || (matches!(self.end, End::Colon) && self.words >= 15)
            || (self.words >= 30 && self.stop * 6 >= self.words);
        if !ends || !self.has_lower_word || self.words < 8 {
            return false;
        }
        if self.stop == 0 && self.words < 15 {
            return false;
        }
        !(self.end == End::Question && self.sentences == 1 && self.words < 16)
    }

    /// A short complete sentence: ends in `.`, `!` or `?` and has a lowercase word.
    pub(crate) fn sentence(&self) -> bool {
        self.terminal() && self.has_lower_word && self.words >= 3
    }

    /// The weight of the block.
    pub(crate) fn weight(&self, w: &Weights) -> f64 {
        if self.prose() {
            (self.words as f64 - w.prose_offset).max(1.0)
        } else if self.sentence() {
            w.sentence
        } else if self.words <= 3 {
            w.short
        } else {
            w.other
        }
    }
}

/// Whether line `b` continues the sentence of line `a`: `a` ends without punctuation (or
/// with a comma) and `b` starts in lowercase, or `a` ends in an article, a conjunction
/// or a comma.
pub(crate) fn continues(a: &Line<'_>, b: &Line<'_>) -> bool {
    if a.end != End::Open || a.words < 3 {
        return false;
    }
    let last = a.text.rsplit(' ').next().unwrap_or("");
    if last.ends_with(',') {
        return true;
    }
    // A line that ends in an article or a conjunction goes on ("der", "und", "the").
    let last_joins = last.chars().all(char::is_alphabetic)
        && JOINING.contains(&last.to_lowercase().as_str())
        && a.has_lower_word;
    let b_lower = b.text.chars().next().is_some_and(char::is_lowercase);
    (b_lower && b.words >= 2) || last_joins
}

/// Words a sentence cannot end with: articles and conjunctions (not prepositions, which
/// end German clauses as verb particles: "Kim bietet Gespräche an").
const JOINING: &[&str] = &[
    "der", "die", "das", "dem", "den", "des", "ein", "eine", "einen", "einem", "einer", "und",
    "oder", "aber", "dass", "weil", "wenn", "the", "a", "and", "or", "but", "that", "of", "to",
    "with", "for",
];

/// Per line: whether its block is prose, whether it is a short sentence, and its share
/// of the block's weight. `flagged` lines stand alone and weigh `w.flagged`.
pub(crate) fn line_weights(
    lines: &[Line<'_>],
    flagged: &[bool],
    w: &Weights,
) -> Vec<(bool, bool, f64)> {
    let n = lines.len();
    let mut out = Vec::with_capacity(n);
    let mut i = 0;
    while i < n {
        if flagged[i] {
            out.push((false, false, w.flagged));
            i += 1;
            continue;
        }
        let mut shape = Shape::of(&lines[i]);
        let mut j = i;
        while j + 1 < n && !flagged[j + 1] && continues(&lines[j], &lines[j + 1]) {
            j += 1;
            shape.join(&Shape::of(&lines[j]));
        }
        let weight = shape.weight(w);
        let (prose, sentence) = (shape.prose(), shape.sentence());
        for line in &lines[i..=j] {
            let share = if shape.words == 0 {
                1.0
            } else {
                line.words as f64 / shape.words as f64
            };
            out.push((prose, sentence, weight * share));
        }
        i = j + 1;
    }
    out
}

/// Teaser lists: at least [`TEASER_PAIRS`] headlines in a row, each followed by a one-
/// or two-sentence description (dates and times between them are skipped). An article
/// with subheadings looks alike, but its sections hold longer or more paragraphs.
/// Returns `(first line, last line, pairs)` of each list.
pub(crate) fn teaser_lists(lines: &[Line<'_>], skip: &[bool]) -> Vec<(usize, usize, usize)> {
    let n = lines.len();
    let headline = |l: &Line<'_>| {
        (3..=16).contains(&l.words) && !l.terminal() && l.end != End::Colon && !l.bullet
    };
    let description = |l: &Line<'_>| {
        l.terminal() && (6..=35).contains(&l.words) && l.sentences <= 2 && l.has_lower_word
    };
    let next = |mut i: usize| {
        while i < n && skip[i] {
            i += 1;
        }
        i
    };
    let mut out = Vec::new();
    let mut i = 0;
    while i < n {
        let start = next(i);
        let mut j = start;
        let mut pairs = 0;
        let mut last = start;
        loop {
            if j >= n || !headline(&lines[j]) {
                break;
            }
            let d = next(j + 1);
            if d >= n || !description(&lines[d]) {
                break;
            }
            pairs += 1;
            last = d;
            j = next(d + 1);
        }
        if pairs >= TEASER_PAIRS {
            out.push((start, last, pairs));
            i = last + 1;
        } else {
            i = start + 1;
        }
    }
    out
}

/// How many headline + description pairs in a row make a teaser list.
const TEASER_PAIRS: usize = 3;

/// Further runs of prose in `lo..hi`: the densest one, then recursively the densest
/// ones left and right of it, as long as each weighs at least `min`.
pub(crate) fn more_runs(
    weights: &[f64],
    lo: usize,
    hi: usize,
    min: f64,
    out: &mut Vec<(usize, usize)>,
) {
    if lo >= hi {
        return;
    }
    if let Some((a, b, s)) = densest_run(&weights[lo..hi]) {
        if s >= min {
            out.push((lo + a, lo + b));
            more_runs(weights, lo, lo + a, min, out);
            more_runs(weights, lo + b + 1, hi, min, out);
        }
    }
}

/// The run `start..=end` with the largest total weight, and that total; `None` when no
/// line weighs more than zero.
pub(crate) fn densest_run(weights: &[f64]) -> Option<(usize, usize, f64)> {
    let mut best: Option<(usize, usize, f64)> = None;
    let mut start = 0;
    let mut sum = 0.0;
    for (i, &x) in weights.iter().enumerate() {
        if sum <= 0.0 {
            start = i;
            sum = 0.0;
        }
        sum += x;
        if sum > 0.0 && !matches!(best, Some((_, _, b)) if b >= sum) {
            best = Some((start, i, sum));
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lexicon::Lexicon;

    #[test]
    fn densest_run_skips_negative_blocks() {
        let w = [-2.0, -2.0, 30.0, -1.0, 20.0, -2.0, -2.0, -2.0, 5.0];
        assert_eq!(densest_run(&w), Some((2, 4, 49.0)));
        assert_eq!(densest_run(&[-1.0, -2.0]), None);
        assert_eq!(densest_run(&[]), None);
    }

    #[test]
    fn a_long_block_of_short_lines_splits_the_page() {
        let mut w = vec![12.0];
        w.extend([-2.0; 20]);
        w.extend([40.0, -1.5, 35.0]);
        assert_eq!(densest_run(&w), Some((21, 23, 73.5)));
    }

    #[test]
    fn broken_sentences_are_joined_into_one_paragraph() {
        let lex = Lexicon::new();
        let text = [
            "Mit Schnellzugtrassen durch Europa will die FDP zum Klimaschutz beitragen, denn die",
            "Züge fahren auf den alten Strecken",
            "langsamer als nötig, sagen die Experten.",
            "Politik",
        ];
        let lower: Vec<String> = text.iter().map(|t| t.to_lowercase()).collect();
        let mut toks = crate::lines::Tokens::default();
        let lines: Vec<Line<'_>> = text
            .iter()
            .zip(&lower)
            .enumerate()
            .map(|(i, (t, low))| Line::new(i + 1, t, low, false, &lex, &mut toks))
            .collect();
        assert!(continues(&lines[0], &lines[1]));
        assert!(continues(&lines[1], &lines[2]));
        assert!(!continues(&lines[2], &lines[3]));
        let w = line_weights(&lines, &[false; 4], &WEIGHTS);
        assert!(w[..3].iter().all(|(prose, _, x)| *prose && *x > 0.0));
        assert_eq!(w[3], (false, false, WEIGHTS.short));
    }
}
