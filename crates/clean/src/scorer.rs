//! The learned line scorer: a logistic regression over generic line features that
//! decides, for every line the specific detectors left alone, whether it is main
//! content.
//!
//! The rule passes of [`crate::boilerplate`] run first. Lines a detector named (menus,
//! captions, consent, comments, …) stay removed with that reason. Every other line (kept
//! by the rules, or outside the main content region) gets a probability of being content
//! from its shape (length, punctuation, stop words, sentence count, list marker, digits,
//! capitals), its place (in the main content region, in a further run of prose, before
//! or after it, distance, region weight, position in the page) and its neighbours (body
//! text and removed lines around it, repeated lines). Lines below [`THRESHOLD`] are
//! removed, with the probability as score.
//!
//! The weights in [`crate::scorer_weights`] are fitted by
//! `cargo run --release -p pipeline-clean --example train_scorer` on the tuning half of
//! the two evaluation sets; no feature looks at a site name or a page-specific string.

use crate::lines::{End, Line};
use crate::scorer_weights::{CONTEXT_WEIGHTS, WEIGHTS};

/// A line outside the main content region is kept when its probability of being
/// content is at least this.
pub(crate) const THRESHOLD: f64 = 0.5;

/// A line inside the main content region is removed when its probability of being
/// content is below this.
pub(crate) const THRESHOLD_INSIDE: f64 = 0.3;

/// Names of the features, in the order of the weight table (the first is the bias).
pub const FEATURES: [&str; N] = [
    "bias",
    "log_words",
    "words_le_3",
    "words_4_8",
    "words_ge_25",
    "stop_ratio",
    "terminal",
    "end_colon",
    "end_open",
    "end_question",
    "log_sentences",
    "has_lower_word",
    "bullet",
    "heading_like",
    "body_like",
    "strong_body",
    "reader",
    "digit_share",
    "capital_share",
    "separators",
    "in_main",
    "in_secondary",
    "before_main",
    "after_main",
    "region_weight",
    "position",
    "log_distance",
    "prev_flagged",
    "next_flagged",
    "prev_body",
    "next_body",
    "body_density",
    "flagged_density",
    "repeated",
    "main_share",
    "first_body",
    "after_last_body",
    "before_first_body",
    "main_not_body",
    "main_heading",
    "outside_body",
    "ends_ellipsis",
    "starts_quote",
    "starts_lower",
    "log_chars_per_word",
];

/// Number of features.
pub const N: usize = 45;

/// Where a line is relative to the main content, as the region search decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Place {
    /// In the main run of prose.
    Main,
    /// In a further run of prose that weighs enough on its own.
    Secondary,
    /// Before the main content (would be `page_header`).
    Before,
    /// After the main content (would be `page_footer`).
    After,
}

/// What the scorer needs to know about a page after the rule passes.
pub(crate) struct Page<'a, 'b> {
    pub lines: &'a [Line<'b>],
    /// Lines a specific detector removed (not scored).
    pub hard: &'a [bool],
    /// Body-like lines (paragraphs of running text).
    pub body: &'a [bool],
    /// Region-search weights.
    pub weights: &'a [f64],
    /// Place of each line.
    pub place: &'a [Place],
    /// The first paragraph of the main content.
    pub first_body: Option<usize>,
}

/// Feature vectors of every line, `None` for lines a detector removed.
pub(crate) fn features(p: &Page<'_, '_>) -> Vec<Option<[f64; N]>> {
    let n = p.lines.len();
    let main: Vec<usize> = (0..n).filter(|&i| p.place[i] == Place::Main).collect();
    let positive = |pred: &dyn Fn(usize) -> bool| -> f64 {
        (0..n)
            .filter(|&i| pred(i) && p.weights[i] > 0.0)
            .map(|i| p.weights[i])
            .sum()
    };
    let total = positive(&|_| true);
    let main_share = if total > 0.0 {
        positive(&|i| p.place[i] == Place::Main) / total
    } else {
        0.0
    };
    let first_kept_body = (0..n).find(|&i| !p.hard[i] && p.body[i]);
    let last_kept_body = (0..n).rev().find(|&i| !p.hard[i] && p.body[i]);
    // Lines that occur more than once on the page.
    let mut sorted: Vec<&str> = p.lines.iter().map(|l| l.text).collect();
    sorted.sort_unstable();
    let repeated = |t: &str| {
        let a = sorted.partition_point(|x| *x < t);
        a + 1 < sorted.len() && sorted[a + 1] == t
    };
    let b = |x: bool| if x { 1.0 } else { 0.0 };
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        if p.hard[i] {
            out.push(None);
            continue;
        }
        let l = &p.lines[i];
        let words = l.words as f64;
        let chars = l.chars.max(1) as f64;
        let digits = l.digits as f64;
        // The line's space-separated pieces, as the quality signals count them.
        let (caps, tokn) = (l.capitalised as f64, l.counts.words as f64);
        let distance = match main.binary_search(&i) {
            Ok(_) => 0,
            Err(k) => {
                let before = k.checked_sub(1).map(|k| i - main[k]);
                let after = main.get(k).map(|&j| j - i);
                before.into_iter().chain(after).min().unwrap_or(n)
            }
        } as f64;
        let (lo, hi) = (i.saturating_sub(3), (i + 4).min(n));
        let others = (hi - lo - 1).max(1) as f64;
        let body_density = (lo..hi).filter(|&j| j != i && p.body[j]).count() as f64 / others;
        let flagged_density = (lo..hi).filter(|&j| j != i && p.hard[j]).count() as f64 / others;
        let place = p.place[i];
        let in_main = place == Place::Main;
        let outside = matches!(place, Place::Before | Place::After);
        let first = l.text.chars().next().unwrap_or(' ');
        out.push(Some([
            1.0,
            (1.0 + words).ln() / 4.0,
            b(l.words <= 3),
            b((4..=8).contains(&l.words)),
            b(l.words >= 25),
            l.stop_ratio(),
            b(l.terminal()),
            b(l.end == End::Colon),
            b(l.end == End::Open),
            b(l.end == End::Question),
            (l.sentences as f64).ln(),
            b(l.has_lower_word),
            b(l.bullet),
            b(l.heading_like()),
            b(p.body[i]),
            b(l.strong_body()),
            b(l.reader),
            digits / chars,
            if tokn > 0.0 { caps / tokn } else { 0.0 },
            b(l.separators),
            b(in_main),
            b(place == Place::Secondary),
            b(place == Place::Before),
            b(place == Place::After),
            (p.weights[i] / 20.0).tanh(),
            if n > 1 {
                i as f64 / (n - 1) as f64
            } else {
                0.0
            },
            (1.0 + distance).ln() / 3.0,
            b(i == 0 || p.hard[i - 1]),
            b(i + 1 >= n || p.hard[i + 1]),
            b(i > 0 && p.body[i - 1] && !p.hard[i - 1]),
            b(i + 1 < n && p.body[i + 1] && !p.hard[i + 1]),
            body_density,
            flagged_density,
            b(repeated(l.text)),
            main_share,
            b(Some(i) == p.first_body),
            b(last_kept_body.is_some_and(|j| i > j)),
            b(first_kept_body.is_some_and(|j| i < j)),
            b(in_main && !p.body[i]),
            b(in_main && l.heading_like()),
            b(outside && p.body[i]),
            b(l.text.ends_with('…') || l.text.ends_with("...")),
            b(matches!(first, '"' | '„' | '“' | '«' | '»' | '‚' | '\'')),
            b(first.is_lowercase()),
            (chars / words.max(1.0)).ln() / 2.0,
        ]));
    }
    out
}

/// The logit of stage one (the line and its surroundings).
pub(crate) fn logit(x: &[f64; N], w: &[f64; N]) -> f64 {
    x.iter().zip(w.iter()).map(|(a, w)| a * w).sum()
}

fn sigmoid(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

/// Names of the features of stage two, which looks at the stage-one probabilities of
/// the neighbours: a short line between content is content, one among boilerplate is not.
pub const CONTEXT_FEATURES: [&str; M] = [
    "bias",
    "logit",
    "prev2_mean",
    "next2_mean",
    "prev",
    "next",
    "content_before",
    "content_after",
    "sandwich",
    "in_main",
    "log_words",
    "body_like",
    "heading_like",
    "sandwich_not_body",
    "page_content_share",
];

/// Number of stage-two features.
pub const M: usize = 15;

/// Stage-two features from the stage-one features `x` (of scored lines) and weights `w`.
pub(crate) fn context(x: &[Option<[f64; N]>], w: &[f64; N]) -> Vec<Option<[f64; M]>> {
    let n = x.len();
    let z: Vec<Option<f64>> = x.iter().map(|x| x.as_ref().map(|x| logit(x, w))).collect();
    let p: Vec<f64> = z.iter().map(|z| z.map_or(0.0, sigmoid)).collect();
    let scored: Vec<usize> = (0..n).filter(|&i| z[i].is_some()).collect();
    let share = if scored.is_empty() {
        0.0
    } else {
        scored.iter().filter(|&&i| p[i] >= 0.5).count() as f64 / scored.len() as f64
    };
    let first_content = scored.iter().copied().find(|&i| p[i] >= 0.5);
    let last_content = scored.iter().rev().copied().find(|&i| p[i] >= 0.5);
    let b = |x: bool| if x { 1.0 } else { 0.0 };
    let mut out = vec![None; n];
    for (k, &i) in scored.iter().enumerate() {
        let Some(xi) = &x[i] else { continue };
        let zi = z[i].unwrap_or(0.0);
        // The probabilities of up to five scored lines before and after, read in
        // place (a vector of each per line cost more than the rest).
        let prev = &scored[k.saturating_sub(5)..k];
        let next = &scored[k + 1..(k + 6).min(scored.len())];
        let mean = |v: &[usize]| {
            if v.is_empty() {
                0.0
            } else {
                v.iter().map(|&j| p[j]).sum::<f64>() / v.len() as f64
            }
        };
        let max = |v: &[usize]| v.iter().map(|&j| p[j]).fold(0.0, f64::max);
        let prev2 = &prev[prev.len().saturating_sub(2)..];
        let next2 = &next[..next.len().min(2)];
        let sandwich = max(prev).min(max(next));
        out[i] = Some([
            1.0,
            zi.clamp(-8.0, 8.0) / 4.0,
            mean(prev2),
            mean(next2),
            if i > 0 { p[i - 1] } else { 0.0 },
            if i + 1 < n { p[i + 1] } else { 0.0 },
            b(first_content.is_some_and(|j| j < i)),
            b(last_content.is_some_and(|j| j > i)),
            sandwich,
            xi[20],
            xi[1],
            xi[14],
            xi[13],
            sandwich * (1.0 - xi[14]),
            share,
        ]);
    }
    out
}

/// The probability that each scored line is content (stage two over stage one).
pub(crate) fn probabilities(x: &[Option<[f64; N]>]) -> Vec<Option<f64>> {
    context(x, &WEIGHTS)
        .iter()
        .map(|c| {
            c.map(|c| {
                let z: f64 = c
                    .iter()
                    .zip(CONTEXT_WEIGHTS.iter())
                    .map(|(a, w)| a * w)
                    .sum();
                sigmoid(z)
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn feature_names_match_the_weight_table() {
        assert_eq!(FEATURES.len(), WEIGHTS.len());
        assert_eq!(FEATURES[0], "bias");
        assert_eq!(CONTEXT_FEATURES.len(), CONTEXT_WEIGHTS.len());
        assert_eq!(CONTEXT_FEATURES[0], "bias");
    }

    #[test]
    fn detector_lines_are_not_scored_and_prose_scores_high() {
        let ex = crate::training::Extractor::default();
        let body = "Die Bundesregierung will den Bau neuer Wohnungen deutlich beschleunigen und dafür mehrere Vorschriften lockern, wie das Ministerium am Montag mitteilte.";
        let text = format!("Zum Inhalt springen\n{body}\n{body} Das sagte sie.\nImpressum");
        let rows = ex.rows(&text);
        assert_eq!(rows.len(), 4);
        assert!(rows[0].is_none(), "a skip link is a detector's line");
        let probs = probabilities(&rows);
        assert!(probs[1].unwrap() > THRESHOLD, "{probs:?}");
        assert!(probs[2].unwrap() > THRESHOLD, "{probs:?}");
    }
}
