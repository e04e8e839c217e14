//! The line-level boilerplate classifier for pasted web text, and title and publication
//! date extraction.
//!
//! It runs in four passes over the non-blank lines:
//!
//! 1. **Line detectors** look at one line at a time: dates, times, durations, URLs,
//!    numbers and phone numbers, skip links, menu words, breadcrumbs, credits, captions,
//!    editorial notes, author boxes, teaser headings, consent and newsletter texts, calls
//!    to action, shop banners.
//! 2. **Position**: the first paragraph of running text ends the header. The title is the
//!    first headline-shaped line of the header; short non-sentences before it are
//!    navigation; lines after it that restate it are removed; the first date in the
//!    header is the publication date.
//! 3. **Context**: a duration line takes the teaser heading and description before it; a
//!    photo credit takes the caption and alt text before it; a teaser or author heading
//!    takes what follows it; short non-sentences after the last paragraph are footer.
//! 4. **Main content** ([`crate::region`]): teaser lists go first; the densest run of
//!    prose is the article, cut at a comment heading or an end marker (share bar, tags,
//!    post navigation).
//! 5. **Line scorer** ([`crate::scorer`]): every line no detector named gets a learned
//!    probability of being content; lines below the threshold are `page_header`,
//!    `page_footer` or `boilerplate`, with the probability as score.
//!
//! Every removed line is recorded with its reason. Body text is protected: a paragraph of
//! running text is only removed when a specific detector names it.

use regex::Regex;

use crate::chars;
use crate::dates::{DatePatterns, DateTime};
use crate::lexicon::{Lexicon, Pairs, Phrase, CONSENT_STEMS, NEWSLETTER_STEMS};
use crate::lines::{content_words, shared, trim_token, End, Line, Tokens};
use crate::quality::WordCounts;
use crate::region;
use crate::scorer::{self, Place};

/// How many lines before the main content the title and date are looked for.
const HEADER_WINDOW: usize = 8;

/// Share of the main content's prose that must come before an end marker for it to end
/// the main content.
const END_CUT: f64 = 0.2;

/// The weight a run of prose outside the main content needs to be kept as well.
const SECONDARY_MIN: f64 = 80.0;

/// Why a line was removed. The names are the `reason` values of `clean.removed`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Reason {
    /// Menus, breadcrumbs, skip links, share bars, counters, phone numbers, footers.
    Navigation,
    /// Shop banners and ad labels.
    Promo,
    /// Newsletter sign-up texts.
    Newsletter,
    /// Consent and data-processing declarations.
    Consent,
    /// Teasers to other articles ("Mehr zum Thema" and what follows).
    RelatedTeaser,
    /// Video or audio teasers: duration line, heading, description.
    VideoTeaser,
    /// Photo captions and the alt text pasted next to them.
    Caption,
    /// Photo credits ("Foto: dpa").
    Credit,
    /// Agency credits of the article ("Quelle: dpa, AFP", "sti/AR (ap, dpa, rtr)").
    AgencyCredit,
    /// Author boxes ("Zum Autor" and the bio).
    AuthorBio,
    /// Bylines ("Von Max Mustermann") in the header; the name goes to `clean.metadata`.
    Byline,
    /// Notes about the article itself (translation, first publication, corrections).
    EditorialNote,
    /// Calls to action ("Lesen Sie hier!", hashtags, job ads).
    CallToAction,
    /// A bare date outside the header.
    Date,
    /// A bare time of day.
    Time,
    /// A bare URL; it goes to `clean.metadata`.
    Url,
    /// The title, moved to `clean.title`.
    Title,
    /// A line near the top that restates the title (kicker + headline).
    TitleRepeat,
    /// The publication date (and time), moved to `clean.published`.
    Published,
    /// Before the main content (site header, menus): outside the main content region,
    /// or before its first kept line, and rated as boilerplate by the line scorer; the
    /// score is the line's probability of being content.
    PageHeader,
    /// After the main content (teasers, sidebars, site footer), decided like
    /// [`Reason::PageHeader`]; the score is the line's probability of being content.
    PageFooter,
    /// A comment section ("Kommentare", "Leave a reply") and everything after it.
    Comments,
    /// A line between kept lines of the main content that no detector named but the
    /// line scorer rates as boilerplate; the score is its probability of being content.
    Boilerplate,
}

impl Reason {
    /// The snake_case name written to the ledger.
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Navigation => "navigation",
            Reason::Promo => "promo",
            Reason::Newsletter => "newsletter",
            Reason::Consent => "consent",
            Reason::RelatedTeaser => "related_teaser",
            Reason::VideoTeaser => "video_teaser",
            Reason::Caption => "caption",
            Reason::Credit => "credit",
            Reason::AgencyCredit => "agency_credit",
            Reason::AuthorBio => "author_bio",
            Reason::Byline => "byline",
            Reason::EditorialNote => "editorial_note",
            Reason::CallToAction => "call_to_action",
            Reason::Date => "date",
            Reason::Time => "time",
            Reason::Url => "url",
            Reason::Title => "title",
            Reason::TitleRepeat => "title_repeat",
            Reason::Published => "published",
            Reason::PageHeader => "page_header",
            Reason::PageFooter => "page_footer",
            Reason::Comments => "comments",
            Reason::Boilerplate => "boilerplate",
        }
    }

    /// Every reason, in ledger-name order of declaration.
    pub const ALL: [Reason; 23] = [
        Reason::Navigation,
        Reason::Promo,
        Reason::Newsletter,
        Reason::Consent,
        Reason::RelatedTeaser,
        Reason::VideoTeaser,
        Reason::Caption,
        Reason::Credit,
        Reason::AgencyCredit,
        Reason::AuthorBio,
        Reason::Byline,
        Reason::EditorialNote,
        Reason::CallToAction,
        Reason::Date,
        Reason::Time,
        Reason::Url,
        Reason::Title,
        Reason::TitleRepeat,
        Reason::Published,
        Reason::PageHeader,
        Reason::PageFooter,
        Reason::Comments,
        Reason::Boilerplate,
    ];
}

/// One removed line.
#[derive(Debug, Clone, PartialEq)]
pub struct Removal {
    /// Line number in the input, from 1.
    pub line: usize,
    /// The line as normalised.
    pub text: String,
    /// Why it was removed.
    pub reason: Reason,
    /// The score that decided, for decisions taken on a similarity or a count.
    pub score: Option<f64>,
}

/// What the classifier was asked to do.
#[derive(Debug, Clone, Default)]
pub(crate) struct Options {
    pub boilerplate: bool,
    pub extract_title: bool,
    pub extract_published: bool,
    /// A title the input already has; it is kept, and a line repeating it is removed.
    pub known_title: Option<String>,
    /// Whether the input already has a publication date.
    pub known_published: bool,
    /// Record the line scorer's features of each scored line in [`Outcome::features`].
    pub record_features: bool,
}

/// The result of cleaning one text.
#[derive(Debug, Clone, Default)]
pub(crate) struct Outcome {
    /// Kept lines, one paragraph each, separated by a blank line.
    pub text: String,
    /// Removed lines in input order.
    pub removed: Vec<Removal>,
    pub title: Option<String>,
    pub published: Option<String>,
    pub urls: Vec<String>,
    pub author: Option<String>,
    /// Non-blank input lines.
    pub lines: usize,
    /// Scorer features of each line (`None` for lines a detector removed), when asked
    /// for.
    pub features: Vec<Option<[f64; scorer::N]>>,
    /// The quality signals' word counts of `text`.
    pub words: WordCounts,
}

/// What a line detector found beyond a removal reason.
#[derive(Debug, Clone, PartialEq)]
enum Kind {
    Plain,
    Date(DateTime),
    Time((u32, u32)),
    Duration,
    Url(String),
    /// A standalone credit line; `source` for "Quelle:"-style lines, which may be the
    /// article's agency credit rather than a photo's.
    Credit {
        source: bool,
    },
    /// A caption that ends in a photo credit.
    Caption,
    RelatedSection,
    AuthorSection,
    /// The heading of a comment section.
    CommentSection,
    /// A line that only follows an article (share bar, tags, post navigation).
    EndMarker,
    Byline(String),
}

#[derive(Debug, Clone, Copy, PartialEq)]
struct Flag {
    reason: Reason,
    score: Option<f64>,
}

fn flag(reason: Reason) -> Option<Flag> {
    Some(Flag {
        reason,
        score: None,
    })
}

/// The compiled classifier. Built once per worker.
#[derive(Debug)]
pub(crate) struct Classifier {
    lex: Lexicon,
    dates: DatePatterns,
    byline: Regex,
    /// Any of [`FORM_WORDS`]: one vectorised scan for all of them, where a
    /// `str::contains` for each spent more on a long line than the other detectors.
    form_words: Regex,
}

/// Words of consent and newsletter texts: a line with one of them (or short, or
/// addressing the reader) is checked for [`CONSENT_STEMS`] and [`NEWSLETTER_STEMS`].
const FORM_WORDS: [&str; 6] = [
    "datenschutz",
    "einwillig",
    "cookie",
    "newsletter",
    "consent",
    "privacy",
];

const SOURCE_PREFIXES: &[&str] = &[
    "quelle:",
    "quellen:",
    "source:",
    "sources:",
    "mit material von",
    "mit material der",
    "mit material aus",
    "material von",
    "mit agenturmaterial",
    "agenturen:",
    "with reporting by",
    "additional reporting by",
    "reporting by",
];

const PHOTO_PREFIXES: &[&str] = &[
    "foto:",
    "fotos:",
    "bild:",
    "bilder:",
    "photo:",
    "photos:",
    "image:",
    "images:",
    "bildquelle:",
    "fotoquelle:",
    "credit:",
    "credits:",
    "copyright:",
    "©",
    "(c) ",
    "titelbild:",
    "titelfoto:",
    "beitragsbild:",
    "symbolbild:",
    "symbolfoto:",
    "video:",
    "grafik:",
    "karte:",
    "illustration:",
];

/// Words that introduce a photo credit at the end of a caption.
const CREDIT_MARKERS: &[&str] = &[
    "Bildquelle",
    "Fotoquelle",
    "Bild",
    "Fotos",
    "Foto",
    "Photos",
    "Photo",
    "Image",
    "Credit",
    "Copyright",
];

impl Classifier {
    pub(crate) fn new() -> Self {
        Classifier {
            lex: Lexicon::new(),
            dates: DatePatterns::new(),
            byline: Regex::new(
                r"^(?:[Vv]on|[Bb]y|Autor(?:in)?:|Author:|Text:)\s+(?P<name>\p{Lu}[\p{L}.'’-]*(?:,?\s+(?:und|and|&|von|van|de|der|\p{Lu}[\p{L}.'’-]*))*)(?:,\s*\p{Lu}[\p{L}-]*)?$",
            )
            // Constant pattern: a failure is a bug that every test would catch.
            .expect("byline pattern compiles"),
            // Literal words: a failure is a bug that every test would catch.
            form_words: Regex::new(&FORM_WORDS.join("|")).expect("form words compile"),
        }
    }

    /// Cleans a normalised text.
    pub(crate) fn clean(&self, text: &str, opts: &Options) -> Outcome {
        // One lowercase copy of the page: `\n` is neither cased nor case-ignorable, so
        // each of its lines is the lowercase of the same line of `text`.
        let lower = chars::to_lowercase(text);
        let mut toks = Tokens::for_page(text.len());
        let lines: Vec<Line<'_>> = chars::split_lines(text)
            .zip(chars::split_lines(&lower.text))
            .enumerate()
            .filter(|(_, (l, _))| !l.is_empty())
            .map(|(i, (l, low))| Line::new(i + 1, l, low, lower.aligned, &self.lex, &mut toks))
            .collect();
        let n = lines.len();
        let detected: Vec<(Option<Flag>, Kind)> = lines
            .iter()
            .map(|l| self.detect(l, l.tokens(&toks), l.token_flags(&toks)))
            .collect();
        let mut flags: Vec<Option<Flag>> = if opts.boilerplate {
            detected.iter().map(|(f, _)| *f).collect()
        } else {
            vec![None; n]
        };
        let kind = |i: usize| &detected[i].1;
        // Teaser lists (headline, description, headline, …).
        if opts.boilerplate {
            let skip: Vec<bool> = detected
                .iter()
                .map(|(_, k)| matches!(k, Kind::Date(_) | Kind::Time(_)))
                .collect();
            for (a, b, pairs) in region::teaser_lists(&lines, &skip) {
                for f in &mut flags[a..=b] {
                    if f.is_none() {
                        *f = Some(Flag {
                            reason: Reason::RelatedTeaser,
                            score: Some(pairs as f64),
                        });
                    }
                }
            }
        }
        let pre: Vec<bool> = flags.iter().map(Option::is_some).collect();
        // The main content: the densest run of prose.
        let detected_flags: Vec<bool> = detected
            .iter()
            .zip(&pre)
            .map(|((f, _), p)| f.is_some() || *p)
            .collect();
        let shapes = region::line_weights(&lines, &detected_flags, &region::WEIGHTS);
        let weights: Vec<f64> = shapes.iter().map(|s| s.2).collect();
        let body: Vec<bool> = lines
            .iter()
            .zip(&shapes)
            .map(|(l, s)| l.body_like() || s.0)
            .collect();
        let region = if opts.boilerplate {
            region::densest_run(&weights)
        } else {
            None
        };
        let region_start = region.map_or(0, |(a, _, _)| a);
        let first_body = (region_start..n)
            .find(|&i| !detected_flags[i] && body[i])
            .or_else(|| (0..n).find(|&i| !detected_flags[i] && body[i]));
        let header_end = first_body.unwrap_or(0);
        let header_start = region_start.saturating_sub(HEADER_WINDOW).min(header_end);
        let mut out = Outcome {
            lines: n,
            ..Outcome::default()
        };

        // Title.
        let mut title_idx = None;
        let mut title_text: Option<String> = None;
        if let Some(known) = &opts.known_title {
            let known_lower = known.to_lowercase();
            let known_words = content_words(&known_lower, &self.lex);
            let limit = first_body.map_or(n.min(5), |f| f + 1);
            for i in 0..limit {
                let sim = similarity(&lines[i].content_words(&self.lex), &known_words);
                if flags[i].is_none() && (sim >= 0.8 || lines[i].lower == known_lower) {
                    flags[i] = Some(Flag {
                        reason: Reason::TitleRepeat,
                        score: Some(round2(sim)),
                    });
                    title_idx = Some(i);
                    break;
                }
            }
            title_text = Some(known.clone());
        } else if opts.extract_title {
            // The first headline shortly before the main content; one of at least four
            // words first (kickers and menu entries are shorter).
            let candidates: Vec<usize> = (header_start..header_end)
                .filter(|&i| {
                    flags[i].is_none() && detected[i].0.is_none() && lines[i].heading_like()
                })
                .collect();
            title_idx = candidates
                .iter()
                .find(|&&i| lines[i].words >= 4)
                .or(candidates.first())
                .copied();
            if let Some(t) = title_idx {
                flags[t] = flag(Reason::Title);
                out.title = Some(lines[t].text.to_owned());
                title_text = out.title.clone();
            }
        }

        // Publication date.
        if opts.extract_published && !opts.known_published {
            let second_body =
                first_body.and_then(|f| (f + 1..n).find(|&i| detected[i].0.is_none() && body[i]));
            let limit = match first_body {
                Some(f) => second_body.unwrap_or(n).min(f + 3),
                None => n.min(8),
            };
            for i in header_start.min(limit)..limit {
                let Kind::Date(mut date) = kind(i).clone() else {
                    continue;
                };
                // After the lead, only a date that says what it is ("Stand: …").
                if first_body.is_some_and(|f| i > f) && !date.labelled {
                    continue;
                }
                if matches!(flags[i], Some(f) if f.reason != Reason::Date) {
                    continue;
                }
                flags[i] = flag(Reason::Published);
                if date.time.is_none() && i + 1 < n {
                    if let Kind::Time(t) = kind(i + 1) {
                        date.time = Some(*t);
                        flags[i + 1] = flag(Reason::Published);
                    }
                }
                out.published = Some(date.iso());
                break;
            }
        }

        if opts.boilerplate {
            let protected = |i: usize| Some(i) == first_body || Some(i) == title_idx;

            // Header: navigation before the title, restatements of the title after it.
            let nav_end = title_idx.unwrap_or(header_end).min(header_end);
            for i in 0..nav_end {
                let l = &lines[i];
                if flags[i].is_none()
                    && !body[i]
                    && !l.heading_like()
                    && l.words <= 6
                    && l.end != End::Period
                {
                    flags[i] = flag(Reason::Navigation);
                }
            }
            if let (Some(t), Some(title)) = (title_idx, &title_text) {
                // A title found in the text is line `t`, whose lowercase is at hand.
                let title_lower;
                let title_words = if opts.known_title.is_some() {
                    title_lower = title.to_lowercase();
                    content_words(&title_lower, &self.lex)
                } else {
                    lines[t].content_words(&self.lex)
                };
                for i in t + 1..header_end {
                    if flags[i].is_some() || body[i] {
                        continue;
                    }
                    let sim = similarity(&lines[i].content_words(&self.lex), &title_words);
                    if sim >= 0.5 {
                        flags[i] = Some(Flag {
                            reason: Reason::TitleRepeat,
                            score: Some(round2(sim)),
                        });
                    }
                }
            }
            // Bylines in the header.
            let byline_end = (header_end + 2).min(n);
            for (i, f) in flags.iter_mut().enumerate().take(byline_end) {
                if let (None, Kind::Byline(name)) = (*f, kind(i)) {
                    if !protected(i) {
                        *f = flag(Reason::Byline);
                        if out.author.is_none() {
                            out.author = Some(name.clone());
                        }
                    }
                }
            }

            // Context rules.
            let has_body_after = |from: usize, flags: &[Option<Flag>]| {
                (from + 1..n).any(|j| flags[j].is_none() && body[j])
            };
            for i in 0..n {
                match kind(i) {
                    Kind::Duration => self.video_teaser(i, &lines, &mut flags, &protected),
                    Kind::Credit { source } => {
                        if *source && !has_body_after(i, &flags) {
                            flags[i] = flag(Reason::AgencyCredit);
                        } else {
                            flags[i] = flag(Reason::Credit);
                            self.caption_before_credit(i, &lines, &mut flags, &protected);
                        }
                    }
                    Kind::Caption => self.alt_before_caption(i, &lines, &mut flags, &protected),
                    Kind::AuthorSection => {
                        let j = i + 1;
                        if j < n && flags[j].is_none() && lines[j].words <= 100 && !protected(j) {
                            flags[j] = flag(Reason::AuthorBio);
                        }
                    }
                    Kind::RelatedSection if first_body.is_some_and(|f| i > f) => {
                        for j in i + 1..n {
                            if flags[j].is_some() {
                                continue;
                            }
                            if lines[j].strong_body() {
                                break;
                            }
                            flags[j] = flag(Reason::RelatedTeaser);
                        }
                    }
                    _ => {}
                }
            }

            // Footer: short non-sentences after the last paragraph.
            if let Some(last) = (0..n).rev().find(|&i| flags[i].is_none() && body[i]) {
                for j in last + 1..n {
                    let l = &lines[j];
                    if flags[j].is_some() {
                        continue;
                    }
                    if l.words <= 6 && !l.terminal() {
                        flags[j] = flag(Reason::Navigation);
                    } else if l.informal && l.words <= 12 {
                        flags[j] = flag(Reason::CallToAction);
                    }
                }
            }
        }

        // Everything outside the main content region, and comment sections inside it.
        let mut place = vec![Place::Main; n];
        if let Some((a, b, _)) = region {
            let protected = |i: usize| Some(i) == first_body || Some(i) == title_idx;
            let mut end = b;
            while end + 1 < n && flags[end + 1].is_none() && (shapes[end + 1].1 || body[end + 1]) {
                end += 1;
            }
            // A comment heading or an end marker ends the article once a fifth of its
            // prose is behind.
            let positive = |r: std::ops::Range<usize>| -> f64 {
                weights[r].iter().filter(|w| **w > 0.0).sum()
            };
            let total = positive(a..end + 1);
            let cut = (a + 1..=end).find(|&i| {
                matches!(
                    kind(i),
                    Kind::CommentSection | Kind::EndMarker | Kind::AuthorSection
                ) && positive(a..i) >= END_CUT * total
            });
            let comments = cut.filter(|&c| matches!(kind(c), Kind::CommentSection));
            let end = cut.map_or(end, |c| c - 1);
            // Further runs of prose that weigh enough on their own, before the main
            // content and after it (up to the first end marker).
            let min = SECONDARY_MIN;
            let mut runs = vec![(a, end)];
            region::more_runs(&weights, 0, a, min, &mut runs);
            if cut.is_none() {
                let stop = (end + 1..n)
                    .find(|&i| matches!(kind(i), Kind::CommentSection | Kind::EndMarker))
                    .unwrap_or(n);
                region::more_runs(&weights, end + 1, stop, min, &mut runs);
            }
            let inside = |i: usize| runs[1..].iter().any(|&(x, y)| (x..=y).contains(&i));
            for i in 0..n {
                place[i] = if (a..=end).contains(&i) {
                    Place::Main
                } else if inside(i) {
                    Place::Secondary
                } else if i < a {
                    Place::Before
                } else {
                    Place::After
                };
                if flags[i].is_some() || protected(i) {
                    continue;
                }
                if comments.is_some_and(|c| i >= c) {
                    flags[i] = flag(Reason::Comments);
                }
            }
        }

        // The line scorer decides on every line no detector named.
        if opts.boilerplate || opts.record_features {
            let hard: Vec<bool> = flags.iter().map(Option::is_some).collect();
            let page = scorer::Page {
                lines: &lines,
                hard: &hard,
                body: &body,
                weights: &weights,
                place: &place,
                first_body,
            };
            let features = scorer::features(&page);
            if opts.record_features {
                out.features = features.clone();
            }
            let probs = scorer::probabilities(&features);
            // Inside the main content the scorer needs to be surer, and a subheading (a
            // headline right before a paragraph) stays.
            let subheading: Vec<bool> = (0..n)
                .map(|i| {
                    lines[i].heading_like() && i + 1 < n && flags[i + 1].is_none() && body[i + 1]
                })
                .collect();
            let cut = |i: usize| {
                let Some(p) = probs[i] else { return false };
                // Without any prose there is no main content to tell apart.
                if Some(i) == first_body || region.is_none() {
                    return false;
                }
                match place[i] {
                    Place::Main | Place::Secondary => {
                        p < scorer::THRESHOLD_INSIDE && !subheading[i]
                    }
                    Place::Before | Place::After => p < scorer::THRESHOLD,
                }
            };
            if opts.boilerplate {
                let first_kept = (0..n).find(|&i| flags[i].is_none() && !cut(i));
                let last_kept = (0..n).rev().find(|&i| flags[i].is_none() && !cut(i));
                for i in 0..n {
                    if !cut(i) {
                        continue;
                    }
                    let reason = match place[i] {
                        Place::Before => Reason::PageHeader,
                        Place::After => Reason::PageFooter,
                        _ if first_kept.is_none_or(|k| i < k) => Reason::PageHeader,
                        _ if last_kept.is_none_or(|k| i > k) => Reason::PageFooter,
                        _ => Reason::Boilerplate,
                    };
                    flags[i] = Some(Flag {
                        reason,
                        score: probs[i].map(round3),
                    });
                }
            }
        }

        // URLs go to metadata wherever they were removed.
        for (f, (_, k)) in flags.iter().zip(&detected) {
            if let (Some(f), Kind::Url(u)) = (f, k) {
                if f.reason == Reason::Url {
                    out.urls.push(u.clone());
                }
            }
        }

        let mut text_out = String::with_capacity(text.len());
        for (l, f) in lines.iter().zip(&flags) {
            match f {
                None => {
                    if !text_out.is_empty() {
                        text_out.push_str("\n\n");
                    }
                    text_out.push_str(l.text);
                    out.words += l.counts;
                }
                Some(f) => out.removed.push(Removal {
                    line: l.no,
                    text: l.text.to_owned(),
                    reason: f.reason,
                    score: f.score,
                }),
            }
        }
        out.text = text_out;
        out
    }

    /// Removes the description and heading of a video teaser that end in the duration
    /// line `d`.
    fn video_teaser(
        &self,
        d: usize,
        lines: &[Line<'_>],
        flags: &mut [Option<Flag>],
        protected: &dyn Fn(usize) -> bool,
    ) {
        let free = |k: usize, flags: &[Option<Flag>]| flags[k].is_none() && !protected(k);
        let mut k = d;
        // Dates and times of the teaser's meta block.
        while k > 0
            && matches!(flags[k - 1], Some(f) if matches!(f.reason, Reason::Date | Reason::Time))
        {
            k -= 1;
            flags[k] = flag(Reason::VideoTeaser);
        }
        if k == 0 || !free(k - 1, flags) {
            return;
        }
        let p = &lines[k - 1];
        if !p.terminal() {
            if p.words <= 40 {
                flags[k - 1] = flag(Reason::VideoTeaser);
            }
            return;
        }
        if p.words > 50 || p.sentences > 3 {
            return;
        }
        flags[k - 1] = flag(Reason::VideoTeaser);
        if k >= 2 && free(k - 2, flags) {
            let h = &lines[k - 2];
            if !h.terminal() && h.end != End::Colon && h.words <= 40 {
                flags[k - 2] = flag(Reason::VideoTeaser);
            }
        }
    }

    /// Removes the caption (and the alt text before it) that a standalone photo credit at
    /// `c` belongs to.
    fn caption_before_credit(
        &self,
        c: usize,
        lines: &[Line<'_>],
        flags: &mut [Option<Flag>],
        protected: &dyn Fn(usize) -> bool,
    ) {
        if c == 0 || flags[c - 1].is_some() || protected(c - 1) {
            return;
        }
        let p1 = &lines[c - 1];
        let short_open = !p1.terminal() && p1.words <= 20;
        let one_sentence = p1.terminal() && p1.sentences == 1 && p1.words <= 30;
        if !(short_open || one_sentence) {
            return;
        }
        flags[c - 1] = flag(Reason::Caption);
        if !short_open || c < 2 || flags[c - 2].is_some() || protected(c - 2) {
            return;
        }
        let p2 = &lines[c - 2];
        let alt = p1.content_words(&self.lex);
        if p2.words > 40 || p2.sentences > 2 || alt.is_empty() {
            return;
        }
        let cover = shared(&alt, &p2.content_words(&self.lex)) as f64 / alt.len() as f64;
        if cover >= 0.6 {
            flags[c - 2] = Some(Flag {
                reason: Reason::Caption,
                score: Some(round2(cover)),
            });
        }
    }

    /// Removes the alt text pasted right before a caption that ends in a credit.
    fn alt_before_caption(
        &self,
        c: usize,
        lines: &[Line<'_>],
        flags: &mut [Option<Flag>],
        protected: &dyn Fn(usize) -> bool,
    ) {
        if c == 0 || flags[c - 1].is_some() || protected(c - 1) {
            return;
        }
        let p = &lines[c - 1];
        if p.terminal() || p.words > 40 {
            return;
        }
        let common = shared(
            &p.content_words(&self.lex),
            &lines[c].content_words(&self.lex),
        );
        if common >= 2 {
            flags[c - 1] = Some(Flag {
                reason: Reason::Caption,
                score: Some(common as f64),
            });
        }
    }

    /// Classifies one line on its own.
    fn detect(&self, l: &Line<'_>, toks: &[&str], flags: &[u8]) -> (Option<Flag>, Kind) {
        let lower = l.lower;
        let words = l.words;
        let none = (None, Kind::Plain);

        // URLs.
        if words <= 3 {
            let urls: Vec<&str> = l.text.split(' ').collect();
            if urls.iter().all(|u| is_url(u)) {
                return (flag(Reason::Url), Kind::Url(urls[0].to_owned()));
            }
        }
        // Dates, times, durations.
        if words <= 8 {
            if let Some(d) = self.dates.date(lower) {
                return (flag(Reason::Date), Kind::Date(d));
            }
            if let Some(t) = self.dates.time(lower) {
                return (flag(Reason::Time), Kind::Time(t));
            }
            if self.dates.is_duration(lower) {
                return (flag(Reason::VideoTeaser), Kind::Duration);
            }
        }
        // Counters, phone numbers and other lines without words.
        // (The test of every character first: it fails at the first letter.)
        if l.text.chars().all(|c| {
            c.is_ascii_digit()
                || matches!(
                    c,
                    ' ' | '+' | '-' | '/' | '.' | ',' | '(' | ')' | '%' | '€' | '$' | ':' | '–'
                )
        }) && l.text.bytes().any(|b| b.is_ascii_digit())
        {
            return (flag(Reason::Navigation), Kind::Plain);
        }
        if words <= 6
            && l.text.chars().filter(char::is_ascii_digit).count() >= 6
            && [
                "tel", "telefon", "phone", "fon", "fax", "hotline", "mobil", "whatsapp",
            ]
            .iter()
            .any(|p| lower.starts_with(p))
        {
            return (flag(Reason::Navigation), Kind::Plain);
        }

        // List markers ("1.", "-") are not words of the line.
        let (toks, flags) =
            if l.bullet && toks.len() > 1 && toks[0].bytes().all(|b| b.is_ascii_digit()) {
                (&toks[1..], &flags[1..])
            } else {
                (toks, flags)
            };
        let joined = if words <= 8 {
            toks.join(" ")
        } else {
            String::new()
        };
        let hits = self.lex.find(toks, flags);
        let hit = |class: Phrase| hits.iter().find(|h| h.class == class);

        // Skip links.
        if words <= 8
            && (hit(Phrase::SkipLink).is_some()
                || (toks.last() == Some(&"springen")
                    && toks
                        .first()
                        .is_some_and(|t| matches!(*t, "zum" | "zur" | "zu" | "direkt")))
                || lower.starts_with("skip to"))
        {
            return (flag(Reason::Navigation), Kind::Plain);
        }

        // Credits.
        if words <= 10 && SOURCE_PREFIXES.iter().any(|p| lower.starts_with(p)) {
            return (flag(Reason::AgencyCredit), Kind::Credit { source: true });
        }
        if words <= 6 && self.agency_signature(lower) {
            return (flag(Reason::AgencyCredit), Kind::Plain);
        }
        if words <= 10 && PHOTO_PREFIXES.iter().any(|p| lower.starts_with(p)) {
            return (flag(Reason::Credit), Kind::Credit { source: false });
        }
        if words >= 3 && self.caption_credit(l.text) {
            return (flag(Reason::Caption), Kind::Caption);
        }

        // Notes, author boxes, teaser headings.
        if words <= 80 && hit(Phrase::Editorial).is_some() {
            return (flag(Reason::EditorialNote), Kind::Plain);
        }
        if words <= 5 && self.lex.is_whole(Phrase::AuthorHeading, &joined) {
            return (flag(Reason::AuthorBio), Kind::AuthorSection);
        }
        if words <= 60 && hit(Phrase::AuthorBio).is_some_and(|h| h.start <= 1) {
            return (flag(Reason::AuthorBio), Kind::Plain);
        }
        if words <= 6 && self.comment_heading(toks, &joined) {
            return (flag(Reason::Comments), Kind::CommentSection);
        }
        if words <= 12 && self.comment_count(toks) {
            return (flag(Reason::Comments), Kind::CommentSection);
        }
        if words <= 8 && self.end_marker(lower, &joined) {
            let reason = if self.lex.is_whole(Phrase::RelatedHeading, &joined) {
                Reason::RelatedTeaser
            } else {
                Reason::Navigation
            };
            return (flag(reason), Kind::EndMarker);
        }
        if words <= 6 && self.lex.is_whole(Phrase::RelatedHeading, &joined) {
            return (flag(Reason::RelatedTeaser), Kind::RelatedSection);
        }
        if words <= 25 {
            if let Some(h) = hit(Phrase::RelatedHeading).filter(|h| h.start == 0) {
                // "Mehr zum Thema: <headline>"
                let head_words = h.len;
                let after: Vec<&str> = l.text.split(' ').collect();
                if head_words < after.len() && after[head_words - 1].ends_with(':') {
                    return (flag(Reason::RelatedTeaser), Kind::Plain);
                }
            }
        }

        // Consent and newsletter texts.
        // (A search for each of these few: the pairs of a long line cost more.)
        let maybe_form = l.reader || words <= 8 || self.form_words.is_match(lower);
        if maybe_form {
            let pairs = Pairs::of(lower);
            let consent = CONSENT_STEMS
                .iter()
                .filter(|s| pairs.contains(lower, s))
                .count();
            if consent >= 3 || (consent >= 2 && l.reader) {
                return (
                    Some(Flag {
                        reason: Reason::Consent,
                        score: Some(consent as f64),
                    }),
                    Kind::Plain,
                );
            }
            let news = NEWSLETTER_STEMS
                .iter()
                .filter(|s| pairs.contains(lower, s))
                .count();
            let has_newsletter = pairs.contains(lower, "newsletter");
            if (has_newsletter && (l.reader || words <= 8))
                || (news >= 2 && l.reader && words <= 40)
            {
                return (
                    Some(Flag {
                        reason: Reason::Newsletter,
                        score: Some(news as f64),
                    }),
                    Kind::Plain,
                );
            }
        }

        // Calls to action.
        if let Some(h) = hit(Phrase::CallToAction) {
            let near_end = h.start + h.len + 6 >= toks.len();
            if (h.len > 1 && (words <= 30 || near_end)) || words <= 4 {
                return (flag(Reason::CallToAction), Kind::Plain);
            }
        }
        if words <= 12 && toks.iter().any(|t| is_hashtag(t)) {
            return (flag(Reason::CallToAction), Kind::Plain);
        }

        // Shop banners and ad labels.
        if words <= 12 && hit(Phrase::Promo).is_some_and(|h| h.len > 1 || words <= 2) {
            return (flag(Reason::Promo), Kind::Plain);
        }

        // Menus, share bars, reading time, breadcrumbs.
        if words <= 4 && !toks.is_empty() && toks.iter().all(|t| self.lex.is_menu(t)) {
            return (flag(Reason::Navigation), Kind::Plain);
        }
        if words <= 6
            && (lower.contains("lesezeit")
                || lower.contains("min read")
                || lower.contains("minute read"))
        {
            return (flag(Reason::Navigation), Kind::Plain);
        }
        // A breadcrumb needs a separator or " / " between its parts.
        if words <= 15
            && !l.terminal()
            && (l.separators || l.text.contains(" / "))
            && is_breadcrumb(l.text)
        {
            return (flag(Reason::Navigation), Kind::Plain);
        }
        if words == 1 && is_glued_camel(l.text) {
            return (flag(Reason::Navigation), Kind::Plain);
        }

        if words <= 8 {
            if let Some(c) = self.byline.captures(l.text) {
                return (None, Kind::Byline(c["name"].to_owned()));
            }
        }
        none
    }

    /// The heading of a comment section: "Kommentare", "3 Kommentare", "Leave a Reply".
    fn comment_heading(&self, toks: &[&str], joined: &str) -> bool {
        if self.lex.is_whole(Phrase::CommentHeading, joined) {
            return true;
        }
        // "12 Kommentare", "3 comments", "Kommentare (4)"
        let (num, rest): (Vec<&str>, Vec<&str>) = toks
            .iter()
            .partition(|t| t.bytes().all(|b| b.is_ascii_digit()));
        !num.is_empty()
            && rest.len() == 1
            && matches!(
                rest[0],
                "kommentare"
                    | "kommentar"
                    | "comments"
                    | "comment"
                    | "antworten"
                    | "replies"
                    | "responses"
                    | "leserkommentare"
                    | "reaktionen"
            )
    }

    /// "6 Kommentare zu „…“", "2 thoughts on “…”", "12 responses to …".
    fn comment_count(&self, toks: &[&str]) -> bool {
        let [n, noun, prep, ..] = toks else {
            return false;
        };
        (n.bytes().all(|b| b.is_ascii_digit()) || matches!(*n, "ein" | "one" | "keine" | "no"))
            && matches!(
                *noun,
                "kommentare"
                    | "kommentar"
                    | "comments"
                    | "comment"
                    | "antworten"
                    | "antwort"
                    | "responses"
                    | "response"
                    | "replies"
                    | "thoughts"
                    | "gedanken"
                    | "reaktionen"
            )
            && matches!(*prep, "zu" | "on" | "to" | "für" | "about" | "auf" | "bei")
    }

    /// A line that only follows an article: share bars, "Ähnliche Beiträge", tag and
    /// category lists, post navigation.
    fn end_marker(&self, lower: &str, joined: &str) -> bool {
        self.lex.is_whole(Phrase::EndMarker, joined)
            || [
                "getaggt mit",
                "tagged with",
                "tags:",
                "schlagwörter:",
                "schlagworte:",
                "stichwörter:",
                "veröffentlicht in ",
                "veröffentlicht unter",
                "eingeordnet unter",
                "kategorie:",
                "kategorien:",
                "categories:",
                "category:",
                "filed under",
                "posted in ",
                "share on ",
                "teilen auf ",
                "auf facebook teilen",
                "bei facebook teilen",
            ]
            .iter()
            .any(|p| lower.starts_with(p))
    }

    /// "sti/AR (ap, dpa, rtr)", "(dpa)", "dpa/AFP": initials and agency names only.
    fn agency_signature(&self, lower: &str) -> bool {
        let parts: Vec<&str> = lower
            .split(|c: char| {
                c.is_whitespace() || matches!(c, '/' | ',' | '(' | ')' | ';' | '|' | '.')
            })
            .filter(|p| !p.is_empty())
            .collect();
        if parts.is_empty() {
            return false;
        }
        let agencies = parts.iter().filter(|p| self.lex.is_agency(p)).count();
        let initials = |p: &str| p.chars().count() <= 4 && p.chars().all(char::is_alphabetic);
        agencies >= 1
            && parts.iter().all(|p| self.lex.is_agency(p) || initials(p))
            && (lower.contains('(') || lower.contains('/') || parts.len() <= 2)
    }
    /// A caption that ends in a photo credit ("… Bild: dpa/picture alliance").
    fn caption_credit(&self, text: &str) -> bool {
        // The vectorised `memrchr` of the `memchr` crate: most lines have no colon, so
        // the whole line is scanned.
        let (head, credit) = if let Some(colon) = memchr::memrchr(b':', text.as_bytes()) {
            let head = text[..colon].trim_end();
            let Some(marker) = CREDIT_MARKERS.iter().find(|m| head.ends_with(*m)) else {
                return false;
            };
            (&head[..head.len() - marker.len()], &text[colon + 1..])
        } else if let Some(c) = rfind_copyright(text) {
            (&text[..c], &text[c + '©'.len_utf8()..])
        } else {
            return false;
        };
        // The marker starts the line, follows a space or bracket, or is glued to the
        // caption's last word ("HanoiBild:").
        let before = head.chars().last();
        if matches!(before, Some(c) if !(c.is_whitespace()
            || c.is_lowercase()
            || matches!(c, '(' | ')' | '.' | ',' | '|')))
        {
            return false;
        }
        let credit = credit.trim().trim_end_matches(')');
        if credit.len() > 160 || credit.contains('©') {
            return false;
        }
        let credit_words: Vec<&str> = credit.split_whitespace().collect();
        if credit_words.is_empty() || credit_words.len() > 8 {
            return false;
        }
        if credit.ends_with(['.', '!', '?']) && !credit.ends_with("Photo.") {
            return false;
        }
        credit.contains('/')
            || credit_words.iter().any(|w| {
                let w = trim_token(w).to_lowercase();
                self.lex.is_photo_credit_word(&w) || self.lex.is_agency(&w)
            })
            || (credit_words.len() <= 4
                && credit_words
                    .iter()
                    .all(|w| w.chars().next().is_some_and(|c| c.is_uppercase())))
    }
}

/// `text.rfind('©')`, from the last bytes A9 (`©` is C2 A9) with the vectorised
/// `memrchr` of the `memchr` crate.
fn rfind_copyright(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    memchr::memrchr_iter(0xA9, bytes)
        .find(|&i| i > 0 && bytes[i - 1] == 0xC2)
        .map(|i| i - 1)
}

/// Share of the smaller word set found in the other.
fn similarity(a: &[&str], b: &[&str]) -> f64 {
    let min = a.len().min(b.len());
    if min == 0 {
        return 0.0;
    }
    let common = if a.len() <= b.len() {
        shared(a, b)
    } else {
        shared(b, a)
    };
    common as f64 / min as f64
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

fn is_url(s: &str) -> bool {
    let l = s.trim_matches(|c| matches!(c, '<' | '>' | '(' | ')'));
    (l.starts_with("http://") || l.starts_with("https://") || l.starts_with("www."))
        && l.len() > 8
        && !l.contains(char::is_whitespace)
}

fn is_hashtag(t: &str) -> bool {
    let mut c = t.chars();
    c.next() == Some('#') && c.next().is_some_and(char::is_alphabetic)
}

/// Short segments joined by separators: "Startseite > Politik > Ausland".
fn is_breadcrumb(text: &str) -> bool {
    let text = text.replace(" / ", "|");
    let parts: Vec<&str> = text
        .split(['>', '»', '›', '|', '•', '·'])
        .map(str::trim)
        .collect();
    parts.len() >= 2
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.split(' ').count() <= 3)
}

/// One token made of several capitalised words glued together ("PolitikNordkorea").
fn is_glued_camel(text: &str) -> bool {
    if text.chars().count() > 40 || !text.chars().all(char::is_alphabetic) {
        return false;
    }
    let chars: Vec<char> = text.chars().collect();
    chars
        .windows(2)
        .any(|w| w[0].is_lowercase() && w[1].is_uppercase())
        && chars[0].is_uppercase()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::normalize;

    const TITLE: &str = "Regierung plant neue Regeln für den Wohnungsbau";
    const BODY1: &str = "Die Bundesregierung will den Bau neuer Wohnungen deutlich beschleunigen und dafür mehrere Vorschriften lockern, wie das Ministerium am Montag mitteilte.";
    const BODY2: &str = "Kritiker bemängeln, dass die Pläne zu spät kommen und die Mieten in den großen Städten trotzdem weiter steigen würden, solange zu wenig gebaut werde.";
    const BODY3: &str = "The government said on Monday that it would ease several rules in order to speed up the construction of new homes across the country this year.";

    fn run_opts(text: &str, opts: &Options) -> Outcome {
        Classifier::new().clean(&normalize(text), opts)
    }

    fn run(text: &str) -> Outcome {
        run_opts(
            text,
            &Options {
                boilerplate: true,
                extract_title: true,
                extract_published: true,
                ..Options::default()
            },
        )
    }

    /// The reason `line` gets between two body paragraphs, or `None` if it is kept.
    fn reason_mid(line: &str) -> Option<&'static str> {
        let text = format!("{TITLE}\n{BODY1}\n{line}\n{BODY2}");
        let out = run(&text);
        out.removed
            .iter()
            .find(|r| r.line == 3)
            .map(|r| r.reason.as_str())
    }

    /// The reason `line` gets at the end of an article.
    fn reason_end(line: &str) -> Option<&'static str> {
        let text = format!("{TITLE}\n{BODY1}\n{BODY2}\n{line}");
        let out = run(&text);
        out.removed
            .iter()
            .find(|r| r.line == 4)
            .map(|r| r.reason.as_str())
    }

    /// The reason `line` gets at the top, before the title.
    fn reason_top(line: &str) -> Option<&'static str> {
        let text = format!("{line}\n{TITLE}\n{BODY1}\n{BODY2}");
        let out = run(&text);
        assert_eq!(out.title.as_deref(), Some(TITLE), "title for {line:?}");
        out.removed
            .iter()
            .find(|r| r.line == 1)
            .map(|r| r.reason.as_str())
    }

    #[test]
    fn reason_names_are_unique_snake_case() {
        let names: std::collections::HashSet<&str> =
            Reason::ALL.iter().map(|r| r.as_str()).collect();
        assert_eq!(names.len(), Reason::ALL.len());
        assert!(names
            .iter()
            .all(|n| n.chars().all(|c| c.is_ascii_lowercase() || c == '_')));
    }

    #[test]
    fn navigation_at_the_top() {
        for line in [
            "Zum Inhalt springen",
            "1. Zum Inhalt springen",
            "Zur Hauptnavigation springen",
            "Skip to main content",
            "Startseite > Politik > Ausland",
            "Home | News | World",
            "PolitikNordkorea",
            "Menü",
            "Kunden",
            "+49 7930-2699",
            "200.000",
            "Tel.: 0800 123 456 789",
        ] {
            assert_eq!(reason_top(line), Some("navigation"), "{line:?}");
        }
        assert_eq!(reason_top("Kostenlose Beratung"), Some("promo"));
    }

    #[test]
    fn menu_words_and_counters_in_the_body() {
        for line in [
            "Meine News",
            "Teilen",
            "Share",
            "Mehr",
            "Artikel teilen",
            "3 Min. Lesezeit",
            "12.345",
        ] {
            let r = reason_mid(line);
            assert!(
                matches!(r, Some("navigation") | Some("video_teaser")),
                "{line:?}: {r:?}"
            );
        }
    }

    #[test]
    fn footer_lines_after_the_last_paragraph() {
        assert_eq!(reason_end("Offene Stellen"), Some("call_to_action"));
        assert_eq!(reason_end("Impressum Datenschutz"), Some("navigation"));
        assert_eq!(
            reason_end("Willst du Teil unseres Teams sein?"),
            Some("call_to_action")
        );
        assert_eq!(reason_end("Alle Artikel zum Thema"), Some("navigation"));
    }

    #[test]
    fn newsletter_and_consent() {
        assert_eq!(
            reason_mid("Melden Sie sich jetzt für unseren kostenlosen Newsletter an und bleiben Sie informiert."),
            Some("newsletter")
        );
        assert_eq!(reason_mid("Sign up for our newsletter"), Some("newsletter"));
        assert_eq!(
            reason_mid("Mit dem Klick auf „Abonnieren“ erklären Sie sich mit unserer Datenschutzerklärung einverstanden. Die Einwilligung können Sie jederzeit widerrufen."),
            Some("consent")
        );
        assert_eq!(
            reason_mid("By clicking accept you agree to our privacy policy and consent to the use of cookies."),
            Some("consent")
        );
    }

    #[test]
    fn related_teaser_sections_run_to_the_end() {
        let text = format!(
            "{TITLE}\n{BODY1}\n{BODY2}\nMehr zum Thema\nMieten steigen weiter\nWarum Bauen so teuer ist\nRelated articles\nHousing costs soar"
        );
        let out = run(&text);
        assert_eq!(out.text, format!("{BODY1}\n\n{BODY2}"));
        assert!(out.removed[1..]
            .iter()
            .all(|r| r.reason == Reason::RelatedTeaser));
        assert_eq!(
            reason_mid("Mehr zum Thema: Mieten steigen weiter"),
            Some("related_teaser")
        );
    }

    #[test]
    fn related_section_stops_at_long_body_text() {
        let long = format!("{BODY1} {BODY2}");
        let text = format!("{TITLE}\n{BODY1}\nLesen Sie auch\nMieten steigen weiter\n{long}");
        let out = run(&text);
        assert!(out.text.ends_with(&long), "{}", out.text);
        assert_eq!(out.removed.len(), 3);
    }

    #[test]
    fn video_teasers_take_heading_and_description() {
        let text = format!(
            "{TITLE}\n{BODY1}\nExperte ordnet ein\nZwischen den Parteien herrsche keine große Einigkeit, so der Experte.\n03.09.2025 | 26:25 min\nKritik aus der Opposition\n{BODY2}"
        );
        let out = run(&text);
        let reasons: Vec<(usize, &str)> = out
            .removed
            .iter()
            .map(|r| (r.line, r.reason.as_str()))
            .collect();
        assert_eq!(
            reasons,
            vec![
                (1, "title"),
                (3, "video_teaser"),
                (4, "video_teaser"),
                (5, "video_teaser")
            ]
        );
        assert!(out.text.contains("Kritik aus der Opposition"));
        assert_eq!(reason_mid("26 Min."), Some("video_teaser"));
        assert_eq!(reason_mid("Video: 2:30 min"), Some("video_teaser"));
    }

    #[test]
    fn captions_with_credits_and_alt_text() {
        let text = format!(
            "{TITLE}\n{BODY1}\nBauminister Klara Geywitz auf einer Baustelle in Berlin\nKlara Geywitz besichtigt eine Baustelle in Berlin-Mitte Bild: Michael Kappeler/dpa\n{BODY2}"
        );
        let out = run(&text);
        let reasons: Vec<&str> = out.removed.iter().map(|r| r.reason.as_str()).collect();
        assert_eq!(reasons, vec!["title", "caption", "caption"]);
        assert_eq!(
            reason_mid("Baustelle in Berlin (Foto: picture alliance / dpa)"),
            Some("caption")
        );
        assert_eq!(
            reason_mid("Workers on a building site in London. Photo: Reuters"),
            Some("caption")
        );
        assert_eq!(reason_mid("Foto: Getty Images"), Some("credit"));
        assert_eq!(reason_mid("© dpa"), Some("credit"));
    }

    #[test]
    fn standalone_credit_takes_caption_and_alt_line() {
        let text = format!(
            "{TITLE}\n{BODY1}\nDie Bauministerin spricht während einer Pressekonferenz zum Wohnungsbau in Berlin.\nDie Bauministerin in Berlin\nQuelle: dpa\n{BODY2}"
        );
        let out = run(&text);
        let reasons: Vec<(usize, &str)> = out
            .removed
            .iter()
            .map(|r| (r.line, r.reason.as_str()))
            .collect();
        assert_eq!(
            reasons,
            vec![(1, "title"), (3, "caption"), (4, "caption"), (5, "credit")]
        );
    }

    #[test]
    fn agency_credits() {
        for line in [
            "Quelle: dpa, AFP, Reuters",
            "Quelle: Agenturen",
            "sti/AR (ap, dpa, rtr)",
            "(dpa)",
            "dpa/AFP",
            "mit Material von dpa",
            "Source: AP, Reuters",
        ] {
            assert_eq!(reason_end(line), Some("agency_credit"), "{line:?}");
        }
    }

    #[test]
    fn author_bios_and_editorial_notes() {
        let text = format!(
            "{TITLE}\n{BODY1}\n{BODY2}\nZum Autor\nMax Mustermann ist Korrespondent in Berlin und schreibt über Wohnungspolitik.\nWir testen zurzeit maschinelle Übersetzungen.\nEditor's note: This story has been updated with a statement from the ministry."
        );
        let out = run(&text);
        let reasons: Vec<&str> = out.removed.iter().map(|r| r.reason.as_str()).collect();
        assert_eq!(
            reasons,
            vec![
                "title",
                "author_bio",
                "author_bio",
                "editorial_note",
                "editorial_note"
            ]
        );
        assert_eq!(reason_end("About the author"), Some("author_bio"));
        assert_eq!(
            reason_end("Dieser Artikel wurde aus dem Englischen übersetzt."),
            Some("editorial_note")
        );
        assert_eq!(
            reason_end("This article was originally published by Foreign Policy."),
            Some("editorial_note")
        );
    }

    #[test]
    fn calls_to_action() {
        assert_eq!(
            reason_mid("Wie geht es weiter mit dem Wohnungsbau? – Lesen Sie hier!"),
            Some("call_to_action")
        );
        assert_eq!(
            reason_mid("Werde jetzt Teil vom #TeamBau"),
            Some("call_to_action")
        );
        assert_eq!(
            reason_mid("Follow us on social media"),
            Some("call_to_action")
        );
        assert_eq!(reason_mid("Read more"), Some("related_teaser"));
        assert_eq!(
            reason_mid("Click here to learn more"),
            Some("call_to_action")
        );
    }

    #[test]
    fn dates_times_and_urls() {
        assert_eq!(reason_mid("05.11.2024"), Some("date"));
        assert_eq!(reason_mid("February 9, 2025"), Some("date"));
        assert_eq!(reason_mid("06:11 Uhr"), Some("time"));
        assert_eq!(reason_mid("6:11 pm"), Some("time"));
        assert_eq!(reason_mid("https://example.com/artikel/123"), Some("url"));
        let out = run(&format!("{TITLE}\n{BODY1}\nwww.example.org/a\n{BODY2}"));
        assert_eq!(out.urls, vec!["www.example.org/a".to_owned()]);
    }

    #[test]
    fn title_and_published_from_the_header() {
        let out = run(&format!(
            "Startseite\n{TITLE}\nMontag, 22.09.2025\n06:11 Uhr\n{BODY1}\n{BODY2}"
        ));
        assert_eq!(out.title.as_deref(), Some(TITLE));
        assert_eq!(out.published.as_deref(), Some("2025-09-22T06:11:00"));
        assert_eq!(out.text, format!("{BODY1}\n\n{BODY2}"));
        let out = run(&format!("{TITLE}\nPublished on 3 March 2024\n{BODY3}"));
        assert_eq!(out.published.as_deref(), Some("2024-03-03"));
        let out = run(&format!(
            "{TITLE}\n{BODY1}\nStand: 22.09.2025 06:11 Uhr\n{BODY2}"
        ));
        assert_eq!(out.published.as_deref(), Some("2025-09-22T06:11:00"));
    }

    #[test]
    fn dates_after_the_body_are_not_the_publication_date() {
        let out = run(&format!("{BODY1}\n{BODY2}\n{BODY3}\n22.09.2025\n{BODY1}"));
        assert_eq!(out.title, None);
        assert_eq!(out.published, None);
        assert_eq!(out.removed[0].reason, Reason::Date);
    }

    #[test]
    fn kicker_restating_the_title_is_removed() {
        let out = run(&format!(
            "Kim bietet den USA Gespräche an\nUnter Bedingungen:Kim bietet den USA neue Gespräche an\n{BODY1}"
        ));
        assert_eq!(out.removed[1].reason, Reason::TitleRepeat);
        assert!(out.removed[1].score.unwrap() >= 0.5);
    }

    #[test]
    fn byline_moves_to_metadata() {
        let out = run(&format!("{TITLE}\nVon Max Mustermann\n{BODY1}\n{BODY2}"));
        assert_eq!(out.author.as_deref(), Some("Max Mustermann"));
        assert_eq!(out.removed[1].reason, Reason::Byline);
        let out = run(&format!("{TITLE}\nBy Jane Doe and John Roe\n{BODY3}"));
        assert_eq!(out.author.as_deref(), Some("Jane Doe and John Roe"));
    }

    #[test]
    fn known_title_is_kept_and_its_repeat_removed() {
        let opts = Options {
            boilerplate: true,
            extract_title: true,
            extract_published: true,
            known_title: Some(TITLE.to_owned()),
            known_published: true,
            record_features: false,
        };
        let out = run_opts(&format!("{TITLE}\n22.09.2025\n{BODY1}"), &opts);
        assert_eq!(out.title, None);
        assert_eq!(out.published, None);
        assert_eq!(out.removed[0].reason, Reason::TitleRepeat);
        assert_eq!(out.removed[1].reason, Reason::Date);
        assert_eq!(out.text, BODY1);
    }

    #[test]
    fn without_boilerplate_removal_only_title_and_date_move() {
        let opts = Options {
            boilerplate: false,
            extract_title: true,
            extract_published: true,
            ..Options::default()
        };
        let out = run_opts(
            &format!("Zum Inhalt springen\n{TITLE}\n22.09.2025\n{BODY1}\nQuelle: dpa"),
            &opts,
        );
        assert_eq!(out.title.as_deref(), Some(TITLE));
        assert_eq!(out.published.as_deref(), Some("2025-09-22"));
        assert_eq!(
            out.text,
            format!("Zum Inhalt springen\n\n{BODY1}\n\nQuelle: dpa")
        );
    }

    #[test]
    fn body_sentences_and_subheadings_are_kept() {
        let kept = [
            "Kritik aus der Opposition",
            "Was bedeutet das für Sie?",
            "\"Wir bauen, was wir können\"",
            "- Mehr Wohnungen in den Städten bis 2030",
            "Die Quelle der Zahlen ist das Statistische Bundesamt, das am 22.09.2025 neue Daten vorlegte.",
            "Das Foto zeigt nach Angaben der Polizei den mutmaßlichen Täter vor dem Gebäude.",
            "Die Ermittlungen dauern an.",
            "Der Newsletter-Anbieter meldete am Dienstag einen Rekordumsatz, wie die Firma mitteilte.",
            "Mehr als die Hälfte der Befragten gab an, sich Sorgen um die Mieten zu machen.",
            "Teilen Experten diese Einschätzung? Nicht alle, wie eine Umfrage zeigt.",
            "Kim Jong Un und Donald Trump trafen sich 2018 in Singapur.",
            "Nordkorea: Überleben des Regimes als Ziel",
        ];
        for line in kept {
            assert_eq!(reason_mid(line), None, "{line:?}");
        }
        assert_eq!(reason_end("Die Ermittlungen dauern an."), None);
        assert_eq!(reason_end(BODY3), None);
    }

    #[test]
    fn english_article_is_cleaned() {
        let text = format!(
            "Skip to content\nNews\nWorld\nGovernment eases rules for new homes\nBy Jane Doe\n{BODY3}\nThe minister said the changes would take effect in spring, and that further steps were planned for next year.\nRelated\nHousing costs soar\nSource: Reuters"
        );
        let out = run(&text);
        assert_eq!(
            out.title.as_deref(),
            Some("Government eases rules for new homes")
        );
        assert_eq!(out.author.as_deref(), Some("Jane Doe"));
        assert_eq!(out.text.split("\n\n").count(), 2, "{}", out.text);
    }

    #[test]
    fn paragraphs_are_separated_by_one_blank_line() {
        let out = run(&format!("\n\n{BODY1}\n\n\n\n{BODY2}\n\n"));
        assert_eq!(out.text, format!("{BODY1}\n\n{BODY2}"));
        assert_eq!(out.title, None);
    }

    /// A page as pasted: menus, the article, and what follows it.
    fn page(top: &[&str], article: &[&str], bottom: &[&str]) -> (String, Outcome) {
        let text = [top, article, bottom].concat().join("\n");
        let out = run(&text);
        (text, out)
    }

    fn reasons_of(out: &Outcome, from: usize) -> Vec<&'static str> {
        out.removed
            .iter()
            .filter(|r| r.line >= from)
            .map(|r| r.reason.as_str())
            .collect()
    }

    const MENU_DE: [&str; 12] = [
        "Politik",
        "Wirtschaft",
        "Wahl 2025 im Überblick",
        "Panorama",
        "Sport",
        "Kultur",
        "Wissen",
        "Regionales aus Bayern",
        "Podcasts",
        "Mediathek",
        "Wetter",
        "Verkehr",
    ];

    #[test]
    fn page_header_and_footer_outside_the_main_content() {
        let (_, out) = page(
            &MENU_DE,
            &[TITLE, BODY1, "Kritik aus der Opposition", BODY2],
            &[
                "Unsere Angebote",
                "Kontakt",
                "Jobs bei uns",
                "Alle Rechte vorbehalten",
                "Redaktion und Verlag",
                "Impressum",
                "Barrierefreiheit",
                "Die Redaktion arbeitet unabhängig und überparteilich und ist nur dem Pressekodex verpflichtet, schreibt der Verlag.",
            ],
        );
        assert_eq!(out.title.as_deref(), Some(TITLE));
        assert_eq!(
            out.text,
            format!("{BODY1}\n\nKritik aus der Opposition\n\n{BODY2}")
        );
        let header = out
            .removed
            .iter()
            .find(|r| r.text == "Wahl 2025 im Überblick")
            .unwrap();
        // The score is the line scorer's probability of content, below the threshold.
        assert_eq!(header.reason, Reason::PageHeader);
        assert!((0.0..scorer::THRESHOLD).contains(&header.score.unwrap()));
        let footer = out.removed.last().unwrap();
        assert_eq!(
            footer.reason,
            Reason::PageFooter,
            "prose outside is cut too"
        );
        assert!((0.0..scorer::THRESHOLD).contains(&footer.score.unwrap()));
    }

    #[test]
    fn english_page_outside_the_main_content() {
        let (_, out) = page(
            &[
                "Skip to main content",
                "World",
                "Business",
                "Markets",
                "Breakingviews",
                "Video",
                "More",
                "Sign In",
                "Subscribe",
                "Latest stories from our newsroom",
            ],
            &[
                "Government eases rules for new homes",
                BODY3,
                "The minister said the changes would take effect in spring, and that further steps were planned for next year.",
            ],
            &[
                "Our Standards: The Thomson Trust Principles",
                "Acquire Licensing Rights",
                "Site Index",
                "Careers",
                "All quotes delayed a minimum of 15 minutes.",
            ],
        );
        assert_eq!(out.text.split("\n\n").count(), 2, "{}", out.text);
        assert!(reasons_of(&out, 1).contains(&"page_header"));
        assert!(reasons_of(&out, 14)
            .iter()
            .all(|r| *r == "page_footer" || *r == "navigation"));
    }

    #[test]
    fn comment_sections_end_the_article() {
        for heading in [
            "3 Kommentare zu „Regierung plant neue Regeln“",
            "Schreibe einen Kommentar",
            "2 thoughts on “New rules for homes”",
            "Leave a Reply",
            "12 Kommentare",
        ] {
            let (_, out) = page(
                &[],
                &[TITLE, BODY1, BODY2],
                &[
                    heading,
                    "Max Muster",
                    "Das sehe ich ganz anders, denn die Mieten steigen bei uns seit Jahren und niemand unternimmt etwas dagegen.",
                    "Antworten",
                ],
            );
            assert_eq!(out.text, format!("{BODY1}\n\n{BODY2}"), "{heading}");
            let after = reasons_of(&out, 4);
            assert_eq!(after[..3], ["comments"; 3], "{heading}");
            assert!(matches!(after[3], "comments" | "navigation"), "{heading}");
        }
    }

    #[test]
    fn share_bars_tags_and_post_navigation_end_the_article() {
        for marker in [
            "Share this:",
            "Teilen mit:",
            "Gefällt mir:",
            "Getaggt mit Wohnungsbau, Mieten",
            "Veröffentlicht in Politik",
            "Ähnliche Beiträge",
            "Beitrags-Navigation",
            "Filed under: Housing",
        ] {
            let (_, out) = page(
                &[],
                &[TITLE, BODY1, BODY2],
                &[
                    marker,
                    "Die Mieten in den Städten steigen weiter, wie eine neue Studie des Mieterbundes zeigt, die am Dienstag erschien.",
                    BODY3,
                ],
            );
            assert_eq!(out.text, format!("{BODY1}\n\n{BODY2}"), "{marker}");
        }
        // Not an end marker: an inline box, with the article going on after it.
        let long = format!("{BODY1} {BODY2}");
        let (_, out) = page(
            &[],
            &[
                TITLE,
                BODY1,
                "Lesen Sie auch",
                "Mieten steigen weiter",
                &long,
                BODY3,
            ],
            &[],
        );
        assert!(
            out.text.ends_with(&format!("{long}\n\n{BODY3}")),
            "{}",
            out.text
        );
    }

    #[test]
    fn teaser_lists_are_related_teasers() {
        let (_, out) = page(
            &[],
            &[TITLE, BODY1, BODY2],
            &[
                "Mieten steigen in allen Großstädten weiter",
                "Eine neue Studie zeigt, wo Wohnen am teuersten ist.",
                "Warum Bauen in Deutschland so teuer ist",
                "Experten nennen die Gründe und mögliche Auswege.",
                "22.09.2025",
                "Housing costs soar across the country",
                "A new survey shows where rents rose the most this year.",
            ],
        );
        assert_eq!(out.text, format!("{BODY1}\n\n{BODY2}"));
        let teaser = out.removed.iter().find(|r| r.line == 5).unwrap();
        assert_eq!(teaser.reason, Reason::RelatedTeaser);
        assert_eq!(teaser.score, Some(3.0));
    }

    #[test]
    fn subheadings_with_long_sections_are_not_teasers() {
        let long = format!("{BODY1} {BODY2}");
        let article = [
            TITLE,
            BODY1,
            "Kritik aus der Opposition",
            long.as_str(),
            "Was die Mieter erwartet",
            long.as_str(),
            "Wie es weitergeht",
            long.as_str(),
        ];
        let (_, out) = page(&[], &article, &[]);
        assert_eq!(reasons_of(&out, 1), ["title"]);
    }

    #[test]
    fn sentences_broken_across_lines_count_as_one_paragraph() {
        let (_, out) = page(
            &MENU_DE,
            &[
                TITLE,
                "Mit Schnellzugtrassen durch Europa will die FDP zum Klimaschutz beitragen, denn die",
                "Züge fahren auf den alten Strecken",
                "langsamer als nötig, sagen Experten, und Nachtzüge gibt es kaum noch.",
                BODY2,
            ],
            &[],
        );
        assert!(
            out.text.starts_with("Mit Schnellzugtrassen"),
            "{}",
            out.text
        );
        assert_eq!(out.text.split("\n\n").count(), 4);
    }

    #[test]
    fn text_without_spaces_is_measured_in_characters() {
        let (_, out) = page(
            &["ニュース", "経済", "スポーツ", "天気", "ログイン", "メニュー"],
            &[
                "先日、不正に改造したiPhoneを販売したとして、商標法違反の疑いで20代の男性が逮捕されました。",
                "報道によると、今回販売されたのは、いわゆる「脱獄」したiPhoneで、多くの利用者が購入していたということです。",
            ],
            &[],
        );
        assert_eq!(out.text.split("\n\n").count(), 2, "{}", out.text);
    }

    #[test]
    fn cookie_banners_are_consent() {
        assert_eq!(
            reason_mid("We use cookies to improve your experience. By continuing to browse you agree to our use of cookies."),
            Some("consent")
        );
        assert_eq!(
            reason_mid(
                "Wir verwenden Cookies. Mit der weiteren Nutzung unserer Seite stimmen Sie dem zu."
            ),
            Some("consent")
        );
    }

    #[test]
    fn word_counts_of_kept_lines_are_those_of_the_text() {
        let lex = Lexicon::new();
        let mut pages: Vec<String> = [
            include_str!("../../../seeds/000_4cc634fd74ce4d48.txt"),
            include_str!("../../../seeds/001_71e4d82f6747df7e.txt"),
            include_str!("../../../seeds/002_1a67b9573dd5dde7.txt"),
            include_str!("../../../seeds/003_b6e55cbff507565a.txt"),
            include_str!("../../../seeds/004_c9c43821286cbbc7.txt"),
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        pages.push(
            "İch und DIE Über-Schrift\nΣΑΣ ΟΔΟΣ σας „Das“ (ẞ) İİ ünd ÜND für FÜR\n\
             „Die Regierung hat am Montag beschlossen, dass es so nicht weitergeht.“ Das ist \
             ÜBER alles, sagte sie, und DIE anderen auch.\n- Für – die – İ"
                .to_owned(),
        );
        for page in &pages {
            // With and without boilerplate removal (which keeps every line).
            for out in [run(page), run_opts(page, &Options::default())] {
                assert_eq!(out.words, WordCounts::of(&out.text, &lex), "{page:?}");
            }
        }
    }

    #[test]
    fn breadcrumbs_have_separators() {
        // What `detect` leaves out: a line without a separator or " / " is none.
        let marks = [
            "a", "b c", " ", " / ", "/", ">", "»", "›", "|", "•", "·", "-", "ä",
        ];
        for t in crate::chars::strings_of(&marks, 4) {
            let separators = t.contains(['|', '»', '›', '•', '·', '>']);
            if !separators && !t.contains(" / ") {
                assert!(!is_breadcrumb(&t), "{t:?}");
            }
        }
        assert!(is_breadcrumb("Startseite / Politik / Ausland"));
        assert!(is_breadcrumb("Startseite › Politik"));
    }

    #[test]
    fn copyright_search_is_rfind() {
        let marks = ["©", "é", "a", "\u{A9}", "Â", ":", " "];
        for t in crate::chars::strings_of(&marks, 5) {
            assert_eq!(rfind_copyright(&t), t.rfind('©'), "{t:?}");
        }
    }

    #[test]
    fn form_words_match_like_contains() {
        let c = Classifier::new();
        let mut texts: Vec<String> = FORM_WORDS
            .iter()
            .flat_map(|w| {
                let cut = &w[..w.len() - 1];
                [
                    w.to_string(),
                    format!("die {w}-erklärung"),
                    format!("{cut} {cut}"),
                    format!("„{}“", w.to_uppercase()),
                ]
            })
            .collect();
        texts.push(String::new());
        texts.push("ä".repeat(300) + "privacy");
        for t in &texts {
            let want = FORM_WORDS.iter().any(|w| t.contains(w));
            assert_eq!(c.form_words.is_match(t), want, "{t:?}");
        }
    }
}
