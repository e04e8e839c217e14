//! Weights of the line scorer, written by
//! `cargo run --release -p pipeline-clean --example train_scorer -- --write`.
//!
//! Fitted on the tuning half of trafilatura-eval (annotations Apache-2.0) and
//! article-extraction-benchmark (MIT); the pages are third-party, used for
//! evaluation only. Only these numbers are derived from them.

use crate::scorer::{M, N};

/// Stage one: one weight per feature of [`crate::scorer::FEATURES`].
#[rustfmt::skip]
pub(crate) const WEIGHTS: [f64; N] = [
    0.4072, // bias
    0.7967, // log_words
    -0.1495, // words_le_3
    0.2615, // words_4_8
    0.3592, // words_ge_25
    -0.0117, // stop_ratio
    0.3812, // terminal
    -0.0088, // end_colon
    -0.3645, // end_open
    0.0985, // end_question
    0.0398, // log_sentences
    -0.0961, // has_lower_word
    2.0773, // bullet
    -0.1292, // heading_like
    -0.0732, // body_like
    0.1932, // strong_body
    -0.8285, // reader
    -0.4210, // digit_share
    -0.6153, // capital_share
    -0.5135, // separators
    0.6865, // in_main
    -0.3251, // in_secondary
    0.9785, // before_main
    -1.3399, // after_main
    0.9698, // region_weight
    -0.2724, // position
    0.3584, // log_distance
    -0.3571, // prev_flagged
    -0.2129, // next_flagged
    0.4307, // prev_body
    0.4662, // next_body
    0.5956, // body_density
    -0.7433, // flagged_density
    -0.4082, // repeated
    -1.2703, // main_share
    1.2994, // first_body
    -0.1652, // after_last_body
    -0.1698, // before_first_body
    -0.5541, // main_not_body
    -0.1746, // main_heading
    -1.2135, // outside_body
    -0.6977, // ends_ellipsis
    0.4296, // starts_quote
    1.0012, // starts_lower
    0.2161, // log_chars_per_word
];

/// Stage two: one weight per feature of [`crate::scorer::CONTEXT_FEATURES`].
#[rustfmt::skip]
pub(crate) const CONTEXT_WEIGHTS: [f64; M] = [
    -1.1904, // bias
    3.5036, // logit
    0.9132, // prev2_mean
    0.6556, // next2_mean
    -0.0335, // prev
    0.0894, // next
    0.4178, // content_before
    0.2888, // content_after
    -0.3808, // sandwich
    -0.2923, // in_main
    0.4590, // log_words
    0.1934, // body_like
    -0.1198, // heading_like
    0.2414, // sandwich_not_body
    -0.4942, // page_content_share
];
