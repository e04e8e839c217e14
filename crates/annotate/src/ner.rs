//! The statistical entity tagger: a structured averaged perceptron over hashed features with
//! beam-search BIO decoding (width [`BEAM`], hypotheses more than [`MARGIN`] below the best
//! dropped), trained on whole-sentence decoding errors.
//!
//! The tag set is GermEval 2014's outer level: `O` and `B-`/`I-` for `PER`, `LOC`, `ORG`,
//! `OTH` and their `deriv` (`deutsche`) and `part` (`EU-Kommissar`) variants. The stage
//! writes only the four main classes (`OTH` as `MISC`); the variants are learned so that
//! they are not mistaken for main-class entities.
//!
//! Features per token: its form and lowercase form, the two words on either side,
//! prefixes and suffixes, the word shape and its neighbours' shapes, hyphen parts,
//! sentence position, flags from the embedded word lists (first names, role nouns,
//! gazetteer, place and organisation endings, ...), the word's frequency class in
//! `wordfreq`'s German list, whether it stands inside quotation marks, the rule-based
//! recogniser's own tag
//! for the token and its neighbours, and the previous two predicted tags. Features are
//! hashed to 32 bits; the model file stores only features with a non-zero weight, as
//! `i16` weights with one scale.
//!
//! The model shipped in `models/ner.bin` is trained by the `train_ner` example from GermEval
//! 2014 (CC BY 4.0, Benikova, Biemann, Reznicek: "NoSta-D Named Entity Annotation for
//! German: Guidelines and Dataset", LREC 2014).

use std::collections::HashMap;

use crate::entities::{hints, Entity, Recognizer};
use crate::sentences;
use crate::tokenize::tokenize;

/// Entity types in tag order: tag `2k + 1` is `B-TYPES[k]`, `2k + 2` is `I-TYPES[k]`.
pub const TYPES: [&str; 12] = [
    "PER", "LOC", "ORG", "OTH", "PERderiv", "LOCderiv", "ORGderiv", "OTHderiv", "PERpart",
    "LOCpart", "ORGpart", "OTHpart",
];

/// Number of tags: `O` plus `B-`/`I-` for each type.
pub const NTAGS: usize = 1 + 2 * TYPES.len();

/// The tag id of a BIO tag string (`O`, `B-PER`, `I-LOCderiv`); unknown tags are `O`.
pub fn tag_id(tag: &str) -> u8 {
    let (b, ty) = match tag.split_once('-') {
        Some(("B", ty)) => (true, ty),
        Some(("I", ty)) => (false, ty),
        _ => return 0,
    };
    TYPES
        .iter()
        .position(|t| *t == ty)
        .map_or(0, |k| (1 + 2 * k + usize::from(!b)) as u8)
}

/// The type index of a tag (`None` for `O`) and whether it begins a span.
pub fn tag_type(tag: u8) -> Option<(usize, bool)> {
    (tag != 0).then(|| (usize::from(tag - 1) / 2, tag & 1 == 1))
}

/// Whether `tag` may follow `prev` (an `I-` only continues its own type).
#[inline]
fn allowed(prev: u8, tag: u8) -> bool {
    match tag_type(tag) {
        Some((ty, false)) => tag_type(prev).is_some_and(|(p, _)| p == ty),
        _ => true,
    }
}

/// [`allowed`] as a table: `ALLOWED[prev][tag]`.
const ALLOWED: [[bool; NTAGS]; NTAGS] = {
    let mut table = [[false; NTAGS]; NTAGS];
    let mut prev = 0;
    while prev < NTAGS {
        let mut tag = 0;
        while tag < NTAGS {
            // `O` and `B-` tags (odd ids) follow anything; an `I-` tag continues its type.
            table[prev][tag] =
                tag % 2 == 1 || tag == 0 || (prev != 0 && (prev - 1) / 2 == (tag - 1) / 2);
            tag += 1;
        }
        prev += 1;
    }
    table
};

/// [`ALLOWED`] as addends: `0.0` where a tag may follow, `-inf` where it may not, so that
/// the best allowed extension of a hypothesis is found without a branch per tag.
const ALLOWED_BIAS: [[f32; NTAGS]; NTAGS] = {
    let mut table = [[f32::NEG_INFINITY; NTAGS]; NTAGS];
    let mut prev = 0;
    while prev < NTAGS {
        let mut tag = 0;
        while tag < NTAGS {
            if ALLOWED[prev][tag] {
                table[prev][tag] = 0.0;
            }
            tag += 1;
        }
        prev += 1;
    }
    table
};

/// Adds a hypothesis' score `base` to the scores of its extensions by each tag; returns
/// the best of those that `bias` (a row of [`ALLOWED_BIAS`]) allows, or `-inf`. A NaN
/// score is passed over, as `f32::max` passes over it.
#[inline]
fn extend(row: &mut [f32; NTAGS], base: f32, bias: &[f32; NTAGS]) -> f32 {
    for s in row.iter_mut() {
        *s += base;
    }
    // Four running maxima, so that the comparisons can run side by side; the maximum
    // does not depend on the order in which the scores are compared.
    let mut lanes = [f32::NEG_INFINITY; 4];
    let (rows, biases) = (row.chunks_exact(4), bias.chunks_exact(4));
    let rest = rows.remainder().iter().zip(biases.remainder());
    for (r, b) in rows.zip(biases) {
        for k in 0..4 {
            let v = r[k] + b[k];
            if v > lanes[k] {
                lanes[k] = v;
            }
        }
    }
    for (r, b) in rest {
        let v = r + b;
        if v > lanes[0] {
            lanes[0] = v;
        }
    }
    lanes[0].max(lanes[1]).max(lanes[2].max(lanes[3]))
}

/// Spans `(first, end, type index)` of a tag sequence; an `I-` without its `B-` opens one.
pub fn spans(tags: &[u8]) -> Vec<(usize, usize, usize)> {
    let mut out = Vec::new();
    let mut open: Option<(usize, usize)> = None;
    for (i, &t) in tags.iter().enumerate() {
        match tag_type(t) {
            Some((ty, begin)) => {
                if begin || !matches!(open, Some((_, o)) if o == ty) {
                    if let Some((s, o)) = open.take() {
                        out.push((s, i, o));
                    }
                    open = Some((i, ty));
                }
            }
            None => {
                if let Some((s, o)) = open.take() {
                    out.push((s, i, o));
                }
            }
        }
    }
    if let Some((s, o)) = open {
        out.push((s, tags.len(), o));
    }
    out
}

/// One token as the tagger sees it.
#[derive(Debug, Clone, Copy)]
pub struct Input<'a> {
    /// The token's text.
    pub word: &'a str,
    /// Flags from the word lists (bit set, see `Recognizer::lex_flags`).
    pub flags: u32,
    /// The rule-based recogniser's tag for this token (a tag id, `0` for none).
    pub hint: u8,
}

// ---------------------------------------------------------------------------------------
// Hashing.

/// A fast non-cryptographic hasher for the crate's own tables (keys are not adversarial).
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct FxHasher(u64);

impl std::hash::Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut b = [0u8; 8];
            b.copy_from_slice(c);
            self.0 = mix(self.0, u64::from_le_bytes(b));
        }
        for &b in chunks.remainder() {
            self.0 = mix(self.0, u64::from(b));
        }
    }

    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.0 = mix(self.0, u64::from(i));
    }

    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }
}

/// `BuildHasher` for [`FxHasher`].
pub(crate) type FxBuild = std::hash::BuildHasherDefault<FxHasher>;

const K: u64 = 0x517c_c1b7_2722_0a95;

#[inline]
fn mix(h: u64, x: u64) -> u64 {
    (h.rotate_left(5) ^ x).wrapping_mul(K)
}

#[inline]
fn finish(h: u64) -> u32 {
    let h = h ^ (h >> 29);
    let h = h.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    let k = (h ^ (h >> 32)) as u32;
    k.max(1)
}

fn hash_chars(chars: impl Iterator<Item = char>) -> u64 {
    chars.fold(0x9e37_79b9, |h, c| mix(h, u64::from(c)))
}

fn lower_chars(s: &str) -> impl Iterator<Item = char> + '_ {
    s.chars().flat_map(char::to_lowercase)
}

/// The word's shape with runs collapsed: `Xx`, `X`, `Xx-Xx`, `d.d`, `xXx`.
fn shape(word: &str) -> u64 {
    let mut h = 0xcafe;
    let mut last = '\0';
    for (n, c) in word.chars().enumerate() {
        let s = if c.is_uppercase() {
            'X'
        } else if c.is_lowercase() {
            'x'
        } else if c.is_ascii_digit() {
            'd'
        } else {
            c
        };
        if s != last || n == 0 {
            h = mix(h, u64::from(s));
        }
        last = s;
    }
    h
}

/// Per-token hashes computed once.
#[derive(Debug, Clone, Copy, Default)]
struct TokHash {
    form: u64,
    lower: u64,
    shape: u64,
    suf: [u64; 4],
    pre: [u64; 2],
    hy_first: u64,
    hy_last: u64,
    len: u64,
    cap: u64,
    lex: u8,
    lex_gen: u8,
    head_noun: bool,
    freq: u8,
}

fn tok_hash(word: &str, lex: &Lexicon, freq: &Lexicon) -> TokHash {
    tok_hash_with(word, lex, freq, &mut Vec::new())
}

/// [`tok_hash`] with a buffer for the lowercase characters, reused across calls.
fn tok_hash_with(word: &str, lex: &Lexicon, freq: &Lexicon, chars: &mut Vec<char>) -> TokHash {
    let (own, gen, head) = lex_features(lex, word);
    chars.clear();
    chars.extend(lower_chars(word));
    let freq = freq.get_key(folded_key(chars));
    let n = chars.len();
    let suffix = |k: usize| hash_chars(chars[n.saturating_sub(k)..].iter().copied());
    let prefix = |k: usize| hash_chars(chars[..k.min(n)].iter().copied());
    let (hy_first, hy_last) = match (word.find('-'), word.rfind('-')) {
        (Some(a), Some(b)) if a > 0 && b + 1 < word.len() => (
            hash_chars(lower_chars(&word[..a])),
            hash_chars(lower_chars(&word[b + 1..])),
        ),
        _ => (0, 0),
    };
    let first = word.chars().next().unwrap_or(' ');
    let cap = if first.is_uppercase() {
        1
    } else if first.is_lowercase() {
        2
    } else if first.is_ascii_digit() {
        3
    } else {
        4
    };
    TokHash {
        form: hash_chars(word.chars()),
        lower: hash_chars(chars.iter().copied()),
        shape: shape(word),
        suf: [suffix(2), suffix(3), suffix(4), suffix(5)],
        pre: [prefix(3), prefix(4)],
        hy_first,
        hy_last,
        len: n.min(12) as u64,
        cap,
        lex: own,
        lex_gen: gen,
        head_noun: head,
        freq,
    }
}

const PAD: TokHash = TokHash {
    form: 1,
    lower: 1,
    shape: 1,
    suf: [1; 4],
    pre: [1; 2],
    hy_first: 1,
    hy_last: 1,
    len: 99,
    cap: 9,
    lex: 0,
    lex_gen: 0,
    head_noun: false,
    freq: 0,
};

/// The hashes of a token that the features of its neighbours and of the previous tags
/// read: what the tagger keeps per token of a sentence (32 of a [`TokHash`]'s 112 bytes).
#[derive(Debug, Clone, Copy, Default)]
struct ContextHash {
    lower: u64,
    shape: u64,
    suf3: u64,
    cap: u8,
    lex: u8,
    /// Set per sentence by [`mark_quotes`].
    quote: u8,
}

impl ContextHash {
    fn of(h: &TokHash) -> ContextHash {
        ContextHash {
            lower: h.lower,
            shape: h.shape,
            suf3: h.suf[1],
            // `cap` is 1 to 4, or 9 for padding.
            cap: h.cap as u8,
            lex: h.lex,
            quote: 0,
        }
    }
}

#[inline]
fn feat(template: u64, x: u64) -> u32 {
    finish(mix(mix(0x1234_5678, template), x))
}

#[inline]
fn feat2(template: u64, x: u64, y: u64) -> u32 {
    finish(mix(mix(mix(0x1234_5678, template), x), y))
}

/// The static (tag-independent) features of token `i`.
fn static_features(
    inputs: &[Input],
    (hs, ctx): (&[TokHash], &[ContextHash]),
    i: usize,
    out: &mut Vec<u32>,
) {
    out.clear();
    word_features(&hs[i], inputs[i].flags, out);
    out.extend_from_slice(&context_features(inputs, ctx, i));
}

/// The features of the word alone (the same wherever it occurs, so their scores are cached
/// per word).
fn word_features(h0: &TokHash, f0: u32, out: &mut Vec<u32>) {
    out.push(feat(1, 0));
    out.push(feat(2, h0.form));
    out.push(feat(3, h0.lower));
    for (k, s) in h0.suf.iter().enumerate() {
        out.push(feat(8 + k as u64, *s));
    }
    out.push(feat(12, h0.pre[0]));
    out.push(feat(13, h0.pre[1]));
    out.push(feat(14, h0.shape));
    out.push(feat(20, h0.len));
    if h0.hy_last != 0 {
        out.push(feat(21, h0.hy_first));
        out.push(feat(22, h0.hy_last));
    }
    for b in 0..32u64 {
        if f0 & (1 << b) != 0 {
            out.push(feat(100 + b, 0));
        }
    }
    out.push(feat2(50, u64::from(h0.lex), h0.cap));
    for b in 0..8u64 {
        if h0.lex & (1 << b) != 0 {
            out.push(feat(51 + b, 0));
        }
    }
    if h0.lex_gen != 0 {
        out.push(feat2(60, u64::from(h0.lex_gen), u64::from(h0.lex)));
    }
    if h0.head_noun {
        out.push(feat(90, 0));
    }
    // How common the word is tells names from the capitalised nouns of German (`Linde`,
    // `Mauer` and `Union` are common words; `Veka`, `Herbart` are not), also for words
    // that no word list has.
    let b = freq_bucket(h0.freq, 25);
    out.push(feat2(91, b, h0.cap));
    out.push(feat2(92, b, mix(h0.cap, u64::from(h0.lex))));
    out.push(feat2(93, freq_bucket(h0.freq, 50), h0.cap));
}

/// The frequency class of a word from its [`freq_value`]: `0` when it is not in the list,
/// else its centibel frequency (`-100 log10 f`, 0 to 800) divided by `width`, plus one.
fn freq_bucket(v: u8, width: u64) -> u64 {
    if v == 0 {
        0
    } else {
        1 + (u64::from(v) - 1) * 4 / width
    }
}

/// The number of [`context_features`].
const CONTEXT_FEATURES: usize = 23;

/// The features that look at the neighbours, the position or the rules' hints.
fn context_features(inputs: &[Input], hs: &[ContextHash], i: usize) -> [u32; CONTEXT_FEATURES] {
    let at = |k: isize| -> (ContextHash, u32, u8) {
        let j = i as isize + k;
        if j < 0 || j as usize >= hs.len() {
            (ContextHash::of(&PAD), 1 << 31, 99)
        } else {
            let j = j as usize;
            (hs[j], inputs[j].flags, inputs[j].hint)
        }
    };
    let (h0, _, t0) = at(0);
    let (hm1, fm1, tm1) = at(-1);
    let (hp1, fp1, tp1) = at(1);
    let (hm2, _, _) = at(-2);
    let (hp2, _, _) = at(2);
    let (cap0, capm1, capp1) = (u64::from(h0.cap), u64::from(hm1.cap), u64::from(hp1.cap));
    // Titles of works and names of events, products or ships (`MISC`) are often quoted.
    let q = u64::from(h0.quote);
    [
        feat(4, hm1.lower),
        feat(5, hp1.lower),
        feat(6, hm2.lower),
        feat(7, hp2.lower),
        feat(15, mix(mix(hm1.shape, h0.shape), hp1.shape)),
        feat2(16, hm1.lower, h0.lower),
        feat2(17, h0.lower, hp1.lower),
        feat2(18, u64::from(i == 0), cap0),
        feat2(19, capm1, mix(cap0, capp1)),
        feat(23, hm1.suf3),
        feat(24, hp1.suf3),
        feat2(25, hm1.lower, cap0),
        feat2(300, u64::from(fm1), cap0),
        feat2(400, u64::from(fp1), cap0),
        feat2(70, u64::from(hm1.lex), mix(cap0, u64::from(h0.lex))),
        feat2(80, u64::from(hp1.lex), mix(cap0, u64::from(h0.lex))),
        feat(30, u64::from(t0)),
        feat2(31, u64::from(tm1), u64::from(t0)),
        feat2(32, u64::from(t0), u64::from(tp1)),
        feat2(33, u64::from(t0), h0.shape),
        feat2(510, q, cap0),
        feat2(511, q, mix(cap0, capp1)),
        feat2(512, q, u64::from(h0.lex)),
    ]
}

/// Marks the tokens inside quotation marks: `quote` is 2 on the first token after an
/// opening mark, 1 on the others up to the closing mark, 0 elsewhere. Straight quotes
/// alternate between opening and closing; `“` closes a `„` but opens an English quote.
fn mark_quotes(inputs: &[Input], hs: &mut [ContextHash]) {
    let mut open = false;
    let mut straight = 0;
    let mut after_mark = false;
    for (x, h) in inputs.iter().zip(hs.iter_mut()) {
        h.quote = match (open, after_mark) {
            (false, _) => 0,
            (true, true) => 2,
            (true, false) => 1,
        };
        after_mark = false;
        let opens = match x.word {
            "\"" => {
                straight += 1;
                straight % 2 == 1
            }
            "„" | "«" | "»" | "‚" => true,
            "“" | "”" | "‘" => !open,
            _ => {
                continue;
            }
        };
        open = opens;
        after_mark = opens;
    }
}

/// The features that depend on the previous tags.
#[inline]
fn tag_features(h0: &ContextHash, prev: u8, prev2: u8, out: &mut [u32; 4]) {
    out[0] = feat(40, u64::from(prev));
    out[1] = feat2(41, u64::from(prev2), u64::from(prev));
    out[2] = feat2(42, u64::from(prev), h0.lower);
    out[3] = feat2(43, u64::from(prev), h0.shape);
}

// ---------------------------------------------------------------------------------------
// The lexicon.

/// Lexicon flag: a common noun form (Wiktionary via `german-nouns`).
pub const LEX_NOUN: u8 = 1;
/// Lexicon flag: a place name (Wiktionary `Toponym`).
pub const LEX_TOPONYM: u8 = 2;
/// Lexicon flag: a first name (Wiktionary `Vorname`).
pub const LEX_FIRST_NAME: u8 = 4;
/// Lexicon flag: a family name (Wiktionary `Nachname`).
pub const LEX_SURNAME: u8 = 8;
/// Lexicon flag: another proper name (Wiktionary `Eigenname`).
pub const LEX_PROPER: u8 = 16;
/// Lexicon flag: a place name (GeoNames `cities1000`: places of ≥ 1,000 inhabitants).
pub const LEX_CITY: u8 = 32;
/// Lexicon flag: an abbreviation (Wiktionary `Abkürzung`).
pub const LEX_ABBREVIATION: u8 = 64;

/// Word forms with flags, stored as 32-bit hashes of the exact form.
#[derive(Debug, Clone, Default)]
pub struct Lexicon {
    keys: Vec<u32>,
    vals: Vec<u8>,
    mask: usize,
    len: usize,
}

impl Lexicon {
    /// Builds the lexicon from `(form, flags)` pairs; flags of repeated forms are merged.
    pub fn from_entries<'a>(entries: impl IntoIterator<Item = (&'a str, u8)>) -> Lexicon {
        let mut merged: HashMap<u32, u8> = HashMap::new();
        for (w, f) in entries {
            *merged.entry(word_key(w)).or_default() |= f;
        }
        Lexicon::from_map(&merged)
    }

    fn from_map(merged: &HashMap<u32, u8>) -> Lexicon {
        let mut sorted: Vec<(u32, u8)> = merged.iter().map(|(k, v)| (*k, *v)).collect();
        sorted.sort();
        Lexicon::from_sorted(&sorted)
    }

    /// [`Lexicon::from_map`] from pairs with distinct keys in ascending order.
    fn from_sorted(sorted: &[(u32, u8)]) -> Lexicon {
        let cap = (sorted.len() * 2).next_power_of_two().max(16);
        let mut lex = Lexicon {
            keys: vec![0; cap],
            vals: vec![0; cap],
            mask: cap - 1,
            len: sorted.len(),
        };
        for &(k, v) in sorted {
            let mut s = (k.wrapping_mul(0x9e37_79b1) as usize >> 7) & lex.mask;
            while lex.keys[s] != 0 {
                s = (s + 1) & lex.mask;
            }
            lex.keys[s] = k;
            lex.vals[s] = v;
        }
        lex
    }

    #[inline]
    fn get_key(&self, k: u32) -> u8 {
        if self.len == 0 {
            return 0;
        }
        let mut s = (k.wrapping_mul(0x9e37_79b1) as usize >> 7) & self.mask;
        loop {
            match self.keys[s] {
                0 => return 0,
                x if x == k => return self.vals[s],
                _ => s = (s + 1) & self.mask,
            }
        }
    }

    /// The flags of a word form (`0` when unknown).
    pub fn get(&self, word: &str) -> u8 {
        self.get_key(word_key(word))
    }

    /// Number of forms.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the lexicon has no forms.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    fn write(&self, out: &mut Vec<u8>) {
        let mut pairs: Vec<(u32, u8)> = self
            .keys
            .iter()
            .zip(&self.vals)
            .filter(|(k, _)| **k != 0)
            .map(|(k, v)| (*k, *v))
            .collect();
        pairs.sort();
        out.extend_from_slice(&(pairs.len() as u32).to_le_bytes());
        for (k, v) in pairs {
            out.extend_from_slice(&k.to_le_bytes());
            out.push(v);
        }
    }
}

/// `pairs` sorted by key (stably), of each key only the last pair.
fn sorted_last<V>(mut pairs: Vec<(u32, V)>) -> Vec<(u32, V)> {
    if !pairs.windows(2).all(|w| w[0].0 < w[1].0) {
        pairs.sort_by_key(|p| p.0);
        // The sort is stable, so of equal keys the last one read replaces the others.
        let mut out: Vec<(u32, V)> = Vec::with_capacity(pairs.len());
        for p in pairs {
            match out.last_mut() {
                Some(last) if last.0 == p.0 => *last = p,
                _ => out.push(p),
            }
        }
        return out;
    }
    pairs
}

fn word_key(w: &str) -> u32 {
    finish(mix(hash_chars(w.chars()), 0x1e1))
}

/// The key of a word in the frequency list: of its lowercase characters with `ß` as `ss`
/// (the list's words are case-folded so).
fn folded_key(lower: &[char]) -> u32 {
    let mut h = hash_chars(std::iter::empty());
    for &c in lower {
        if c == 'ß' {
            h = mix(mix(h, u64::from('s')), u64::from('s'));
        } else {
            h = mix(h, u64::from(c));
        }
    }
    finish(mix(h, 0xf4e))
}

/// The value stored for a word of the frequency list from its frequency in centibels
/// (`-100 log10 f`): four centibels a step, `1` for the most frequent words (`0` means
/// not listed).
pub fn freq_value(centibels: u32) -> u8 {
    (1 + centibels.min(800) / 4) as u8
}

/// A frequency list as a [`Lexicon`]: case-folded words (see [`folded_key`]) with their
/// [`freq_value`]; of a word listed twice, the more frequent value is kept.
pub fn frequency_list<'a>(words: impl IntoIterator<Item = (&'a str, u32)>) -> Lexicon {
    let mut merged: HashMap<u32, u8> = HashMap::new();
    let mut chars = Vec::new();
    for (w, cb) in words {
        chars.clear();
        chars.extend(lower_chars(w));
        let v = freq_value(cb);
        let e = merged.entry(folded_key(&chars)).or_insert(v);
        *e = (*e).min(v);
    }
    Lexicon::from_map(&merged)
}

/// The lexicon flags of the token, of its form without a genitive `-s`, and whether a
/// capitalised word ends in a known noun (`Verteidigungsministerium`).
fn lex_features(lex: &Lexicon, word: &str) -> (u8, u8, bool) {
    // Every form in the lexicon is capitalised.
    if lex.is_empty() || !word.chars().next().is_some_and(char::is_uppercase) {
        return (0, 0, false);
    }
    let own = lex.get(word);
    let gen = word
        .strip_suffix('s')
        .filter(|b| b.len() > 1)
        .map_or(0, |b| lex.get(b));
    let head = own == 0 && ends_in_noun(lex, word, 6);
    (own, gen, head)
}

/// Whether one of the last `k` characters of `word`, capitalised, for `k` from `n - 3`
/// down to 4 (the `most` longest of them), is a noun of `lex` (`Verteidigungsministerium`
/// ends in `Ministerium`).
fn ends_in_noun(lex: &Lexicon, word: &str, most: usize) -> bool {
    let n = word.chars().count();
    let ks = (4..n.saturating_sub(2)).rev().take(most);
    let mut tails = word.char_indices().map(|(b, _)| &word[b..]).skip(3);
    let mut at = 3; // Characters before the next tail `tails` yields.
    for k in ks {
        let Some(tail) = tails.nth(n - k - at) else {
            break; // Unreachable: `n - k >= 3`.
        };
        at = n - k + 1;
        if lex.get_key(capitalized_key(tail)) & LEX_NOUN != 0 {
            return true;
        }
    }
    false
}

/// [`word_key`] of `tail` with its first character in uppercase, without building it.
fn capitalized_key(tail: &str) -> u32 {
    let mut cs = tail.chars();
    let mut h = hash_chars(std::iter::empty());
    if let Some(c) = cs.next() {
        for u in c.to_uppercase().chain(cs) {
            h = mix(h, u64::from(u));
        }
    }
    finish(mix(h, 0x1e1))
}

// ---------------------------------------------------------------------------------------
// The model.

/// A trained tagger: a table from feature hash to its non-zero weights per tag.
#[derive(Debug, Clone)]
pub struct NerModel {
    /// Open-addressing table of `(feature key, packed weights)`, key 0 = empty. The packed
    /// value holds the start in `pairs` (low 27 bits) and the count (high 5 bits), or for
    /// a feature with at least [`DENSE_MIN`] weights, its index in `dense` and [`DENSE`].
    table: Vec<(u32, u32)>,
    /// Non-zero weights of every feature: `(weight, tag)`.
    pairs: Vec<(f32, u8)>,
    /// The weights of the features with many, per tag (`0.0` for the others), so that
    /// they are added without a branch per weight.
    dense: Vec<[f32; NTAGS]>,
    /// Per row of `dense`: the feature's start and count in `pairs`, packed as in `table`.
    dense_src: Vec<u32>,
    /// The packed values of the features of the previous tags alone (see
    /// [`tag_features`]), looked up once: `feat(40, prev)` at `prev`, then
    /// `feat2(41, prev2, prev)` at `NTAGS + prev2 * NTAGS + prev`.
    trans: Vec<u32>,
    mask: usize,
    features: usize,
    lexicon: Lexicon,
    /// Word frequencies (see [`frequency_list`]); empty for a model trained without them.
    freq: Lexicon,
    /// Beam width of the decoder.
    beam: usize,
    /// Hypotheses scoring more than this below the best one are dropped.
    margin: f32,
}

const MAGIC: &[u8; 8] = b"PANER02\n";
const START_BITS: u32 = 27;
/// The count (in a packed value) that marks a dense row; real counts are at most `NTAGS`.
const DENSE: u32 = 31;
/// Features with at least this many non-zero weights keep a dense row. Adding a dense
/// row gives the same sums as adding the non-zero weights one by one: a score never is
/// `-0.0` (it starts at `0.0` and only non-zero weights are added), so adding `0.0`
/// leaves it as it is.
const DENSE_MIN: u32 = 6;

/// Per-word work kept between calls of [`NerModel::tag_cached`].
#[derive(Debug, Default)]
pub struct TagCache {
    /// Per word: its index in `entries`.
    words: WordTable,
    /// See [`WordEntry`].
    entries: Vec<WordEntry>,
    /// The summed weights of the word-only features of entries (see
    /// [`WordEntry::unigram`]). Apart from the entries, which are read for every token, as
    /// these are read only for the tokens the decoder scores.
    unigrams: Vec<[f32; NTAGS]>,
    /// Per token of the sentence being tagged: its hashes and its entry.
    buf: Vec<ContextHash>,
    ids: Vec<u32>,
    feats: Vec<u32>,
    chars: Vec<char>,
    beam: BeamBuf,
}

impl TagCache {
    /// Empties the cache when it has grown large.
    fn trim(&mut self) {
        const MAX_CACHED: usize = 200_000;
        if self.words.len() > MAX_CACHED {
            self.words.clear();
            self.entries.clear();
            self.unigrams.clear();
        }
    }
}

/// What [`TagCache`] keeps per word and reads for every token: one cache line (a quarter
/// of the entry that also held all hashes and the scores), so that more of the frequent
/// words' entries stay in the caches.
#[derive(Debug, Clone, Copy)]
#[repr(align(64))]
struct WordEntry {
    /// The word, see [`WordKey`].
    key: WordKey,
    /// The word-list flags the entry was made with.
    flags: u32,
    /// The word's index in [`TagCache::unigrams`], or [`NOT_SUMMED`] while the decoder has
    /// not needed it: a word that is never scored (most lowercase words) takes no room
    /// there.
    unigram: u32,
    /// The word's hashes that its neighbours' features read.
    hash: ContextHash,
}

const _: () = assert!(std::mem::size_of::<WordEntry>() == 64);

/// [`WordEntry::unigram`] of a word whose weights are not summed yet.
const NOT_SUMMED: u32 = u32::MAX;

/// Words up to this many bytes are kept inside their [`WordKey`].
const INLINE: usize = 20;

/// A word as [`WordTable`] keeps it: short words inline (so that comparing them reads only
/// the entry that is read anyway), longer ones as a range of [`WordTable::long`].
#[derive(Debug, Clone, Copy)]
struct WordKey {
    /// The word's bytes (the first `len` of them), for a word of at most [`INLINE`] bytes;
    /// otherwise its start in `long`, as `u32` little-endian in the first four bytes.
    bytes: [u8; INLINE],
    /// The word's length in bytes.
    len: u32,
}

/// An open-addressing table from words to indices into a list (the entries of a
/// [`TagCache`]), with the entries' [`WordKey`]s.
#[derive(Debug, Default)]
struct WordTable {
    /// Per slot: `0` when empty, else the index + 1 (low 32 bits) and the high 32 bits
    /// of the word's hash.
    slots: Vec<u64>,
    /// The bytes of the words longer than [`INLINE`].
    long: Vec<u8>,
    /// Number of words.
    len: usize,
}

/// The hash of a word for [`WordTable`].
#[inline]
fn word_hash(word: &[u8]) -> u64 {
    let mut h = FxHasher(word.len() as u64);
    std::hash::Hasher::write(&mut h, word);
    let h = h.0;
    let h = (h ^ (h >> 31)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h ^ (h >> 29)
}

impl WordTable {
    /// Number of words.
    fn len(&self) -> usize {
        self.len
    }

    /// Forgets every word.
    fn clear(&mut self) {
        self.slots.iter_mut().for_each(|s| *s = 0);
        self.long.clear();
        self.len = 0;
    }

    /// Whether `key` holds `word`.
    #[inline]
    fn key_is(&self, key: &WordKey, word: &[u8]) -> bool {
        if word.len() <= INLINE {
            key.len as usize == word.len() && key.bytes[..word.len()] == *word
        } else {
            let at = u32::from_le_bytes([key.bytes[0], key.bytes[1], key.bytes[2], key.bytes[3]])
                as usize;
            key.len as usize == word.len() && self.long[at..at + word.len()] == *word
        }
    }

    /// The index of `word`, whose entries' keys are `keys(index)`.
    #[inline]
    fn get<'k>(&self, word: &[u8], key_of: impl Fn(usize) -> &'k WordKey) -> Option<u32> {
        if self.slots.is_empty() {
            return None;
        }
        let h = word_hash(word);
        let mask = self.slots.len() - 1;
        let tag = h >> 32;
        let mut s = h as usize & mask;
        loop {
            let v = self.slots[s];
            if v == 0 {
                return None;
            }
            if v >> 32 == tag {
                let k = (v as u32) - 1;
                if self.key_is(key_of(k as usize), word) {
                    return Some(k);
                }
            }
            s = (s + 1) & mask;
        }
    }

    /// The key of a new word (to be stored with its entry).
    fn make_key(&mut self, word: &[u8]) -> WordKey {
        let mut key = WordKey {
            bytes: [0; INLINE],
            len: word.len() as u32,
        };
        if word.len() <= INLINE {
            key.bytes[..word.len()].copy_from_slice(word);
        } else {
            key.bytes[..4].copy_from_slice(&(self.long.len() as u32).to_le_bytes());
            self.long.extend_from_slice(word);
        }
        key
    }

    /// The bytes of a key made by [`WordTable::make_key`].
    fn key_bytes<'a>(&'a self, key: &'a WordKey) -> &'a [u8] {
        let n = key.len as usize;
        if n <= INLINE {
            &key.bytes[..n]
        } else {
            let at = u32::from_le_bytes([key.bytes[0], key.bytes[1], key.bytes[2], key.bytes[3]])
                as usize;
            &self.long[at..at + n]
        }
    }

    /// Adds `word` (not in the table yet) with `index`; `keys` are the keys of all
    /// entries so far, for growing the table.
    fn insert(&mut self, word: &[u8], index: u32, keys: impl Iterator<Item = WordKey>) {
        if (self.len + 1) * 2 > self.slots.len() {
            let cap = (self.slots.len() * 2).max(1024);
            self.slots.clear();
            self.slots.resize(cap, 0);
            for (n, key) in keys.enumerate() {
                let h = word_hash(self.key_bytes(&key));
                self.place(h, n as u32);
            }
        }
        self.place(word_hash(word), index);
        self.len += 1;
    }

    /// Puts `index` into the first free slot for hash `h`.
    fn place(&mut self, h: u64, index: u32) {
        let mask = self.slots.len() - 1;
        let mut s = h as usize & mask;
        while self.slots[s] != 0 {
            s = (s + 1) & mask;
        }
        self.slots[s] = (h >> 32) << 32 | u64::from(index + 1);
    }
}

/// Why a model file could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid NER model file: {0}")]
pub struct ModelError(&'static str);

impl NerModel {
    /// The model shipped with the crate (`models/ner.bin`).
    pub fn embedded() -> &'static NerModel {
        static MODEL: std::sync::OnceLock<NerModel> = std::sync::OnceLock::new();
        MODEL.get_or_init(|| {
            // The file is part of the crate and checked by the tests; a broken one is a
            // build defect, not a runtime condition.
            NerModel::from_bytes(include_bytes!("../models/ner.bin"))
                .unwrap_or_else(|_| NerModel::from_weights(&HashMap::new(), Lexicon::default()))
        })
    }

    /// The model with a word frequency list (see [`frequency_list`]).
    pub fn with_frequencies(mut self, freq: Lexicon) -> Self {
        self.freq = freq;
        self
    }

    /// Builds the table from dense weights per feature (zero weights are left out).
    pub fn from_weights(weights: &HashMap<u32, [f32; NTAGS]>, lexicon: Lexicon) -> NerModel {
        let mut sorted: Vec<(&u32, &[f32; NTAGS])> = weights.iter().collect();
        sorted.sort_by_key(|(k, _)| **k);
        NerModel::from_rows(
            weights.len(),
            sorted.into_iter().map(|(k, r)| (*k, r)),
            lexicon,
        )
    }

    /// [`NerModel::from_weights`] from `count` rows with distinct keys in ascending order.
    fn from_rows<'r>(
        count: usize,
        rows: impl Iterator<Item = (u32, &'r [f32; NTAGS])>,
        lexicon: Lexicon,
    ) -> NerModel {
        // Between half and three quarters full (a power of two): lookups of missing features
        // stay short, and the table is half the size of a quarter-full one (2 MB for the
        // shipped model, about a core's L2 cache), which made the annotate bench 10 % faster.
        let cap = (count * 4 / 3).next_power_of_two().max(16);
        let mut m = NerModel {
            table: vec![(0, 0); cap],
            pairs: Vec::new(),
            dense: Vec::new(),
            dense_src: Vec::new(),
            trans: Vec::new(),
            mask: cap - 1,
            features: 0,
            lexicon,
            freq: Lexicon::default(),
            beam: BEAM,
            margin: MARGIN,
        };
        for (k, row) in rows {
            let start = m.pairs.len() as u32;
            m.pairs.extend(
                row.iter()
                    .enumerate()
                    .filter(|(_, w)| **w != 0.0)
                    .map(|(t, w)| (*w, t as u8)),
            );
            let n = m.pairs.len() as u32 - start;
            if n == 0 || k == 0 {
                continue;
            }
            let mut s = m.home(k);
            while m.table[s].0 != 0 {
                s = (s + 1) & m.mask;
            }
            let mut packed = start | (n << START_BITS);
            if n >= DENSE_MIN {
                let mut dense = [0f32; NTAGS];
                for &(w, t) in &m.pairs[start as usize..] {
                    dense[usize::from(t)] = w;
                }
                m.dense_src.push(packed);
                packed = (m.dense.len() as u32) | (DENSE << START_BITS);
                m.dense.push(dense);
            }
            m.table[s] = (k, packed);
            m.features += 1;
        }
        m.trans = transition_keys().into_iter().map(|k| m.packed(k)).collect();
        m
    }

    #[inline]
    fn home(&self, key: u32) -> usize {
        (key.wrapping_mul(0x9e37_79b1) as usize >> 7) & self.mask
    }

    /// The packed value of feature `key` (see `table`); `0` when it has no weights.
    #[inline]
    fn packed(&self, key: u32) -> u32 {
        let mut s = self.home(key);
        loop {
            let (k, v) = self.table[s];
            if k == key {
                return v;
            }
            if k == 0 {
                return 0;
            }
            s = (s + 1) & self.mask;
        }
    }

    /// The non-zero weights of a feature from its packed value, in tag order.
    fn pairs_of(&self, mut v: u32) -> &[(f32, u8)] {
        if v >> START_BITS == DENSE {
            v = self.dense_src[(v & ((1 << START_BITS) - 1)) as usize];
        }
        let start = (v & ((1 << START_BITS) - 1)) as usize;
        &self.pairs[start..start + (v >> START_BITS) as usize]
    }

    /// The lexicon flags of a word form (`LEX_*`; `0` when unknown or the model has no
    /// lexicon).
    pub fn lexicon_flags(&self, word: &str) -> u8 {
        self.lexicon.get(word)
    }

    /// Whether a capitalised word is a common noun by the lexicon: a noun form, or a
    /// compound that ends in one (`Gesprächsangebot`).
    pub fn is_noun(&self, word: &str) -> bool {
        let own = self.lexicon.get(word);
        if own != 0 {
            return own & LEX_NOUN != 0;
        }
        ends_in_noun(&self.lexicon, word, usize::MAX)
    }

    /// Sets the decoder's beam width (`1` is greedy; the default is the width the shipped
    /// model was trained with).
    pub fn set_beam(&mut self, beam: usize, margin: f32) {
        self.beam = beam.max(1);
        self.margin = margin;
    }

    /// Number of features with weights.
    pub fn len(&self) -> usize {
        self.features
    }

    /// Whether the model has no features (an untrained model tags everything `O`).
    pub fn is_empty(&self) -> bool {
        self.features == 0
    }

    /// Serialises the model: magic, scale, count, then per feature its key, the number of
    /// non-zero weights and `(tag, i16)` pairs, then the lexicon and the frequency list.
    /// Weights whose absolute value is below `prune` are dropped.
    pub fn to_bytes(&self, prune: f32) -> Vec<u8> {
        let max = self
            .pairs
            .iter()
            .fold(0f32, |m, w| m.max(w.0.abs()))
            .max(1e-9);
        let scale = max / 32767.0;
        let mut body = Vec::new();
        let mut count = 0u32;
        let mut entries: Vec<(u32, u32)> =
            self.table.iter().copied().filter(|e| e.0 != 0).collect();
        entries.sort();
        for (k, v) in entries {
            let nz: Vec<(u8, i16)> = self
                .pairs_of(v)
                .iter()
                .filter(|(w, _)| w.abs() >= prune)
                .map(|(w, t)| (*t, (w / scale).round() as i16))
                .filter(|(_, q)| *q != 0)
                .collect();
            if nz.is_empty() {
                continue;
            }
            count += 1;
            body.extend_from_slice(&k.to_le_bytes());
            body.push(nz.len() as u8);
            for (t, q) in nz {
                body.push(t);
                body.extend_from_slice(&q.to_le_bytes());
            }
        }
        let mut out = Vec::with_capacity(body.len() + 16);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&scale.to_le_bytes());
        out.extend_from_slice(&count.to_le_bytes());
        out.extend_from_slice(&body);
        self.lexicon.write(&mut out);
        self.freq.write(&mut out);
        out
    }

    /// Reads a model written by [`NerModel::to_bytes`].
    pub fn from_bytes(b: &[u8]) -> Result<NerModel, ModelError> {
        if b.len() < 16 || &b[..8] != MAGIC {
            return Err(ModelError("bad magic"));
        }
        let scale = f32::from_le_bytes([b[8], b[9], b[10], b[11]]);
        let count = u32::from_le_bytes([b[12], b[13], b[14], b[15]]) as usize;
        let mut weights: Vec<(u32, [f32; NTAGS])> = Vec::with_capacity(count);
        let mut p = 16;
        let take = |p: &mut usize, n: usize| -> Result<&[u8], ModelError> {
            let s = b.get(*p..*p + n).ok_or(ModelError("truncated"))?;
            *p += n;
            Ok(s)
        };
        for _ in 0..count {
            let k = take(&mut p, 4)?;
            let key = u32::from_le_bytes([k[0], k[1], k[2], k[3]]);
            let n = take(&mut p, 1)?[0] as usize;
            let mut row = [0f32; NTAGS];
            for _ in 0..n {
                let e = take(&mut p, 3)?;
                let t = e[0] as usize;
                if t >= NTAGS {
                    return Err(ModelError("tag out of range"));
                }
                row[t] = f32::from(i16::from_le_bytes([e[1], e[2]])) * scale;
            }
            weights.push((key, row));
        }
        let lexicon = |p: &mut usize| -> Result<Lexicon, ModelError> {
            let n = take(p, 4)?;
            let n = u32::from_le_bytes([n[0], n[1], n[2], n[3]]) as usize;
            let mut lex = Vec::with_capacity(n);
            for _ in 0..n {
                let e = take(p, 5)?;
                lex.push((u32::from_le_bytes([e[0], e[1], e[2], e[3]]), e[4]));
            }
            // Keys are written in ascending order, as for the weights below.
            Ok(Lexicon::from_sorted(&sorted_last(lex)))
        };
        let lex = lexicon(&mut p)?;
        let freq = lexicon(&mut p)?;
        if p != b.len() {
            return Err(ModelError("trailing bytes"));
        }
        // The files list keys in ascending order (see `to_bytes`); sorting again is cheap
        // then. A repeated key keeps its last value, as inserting into a map would.
        let weights = sorted_last(weights);
        Ok(
            NerModel::from_rows(weights.len(), weights.iter().map(|(k, r)| (*k, r)), lex)
                .with_frequencies(freq),
        )
    }

    /// Tags one sentence; `out` receives one tag id per input.
    pub fn tag(&self, inputs: &[Input], out: &mut Vec<u8>) {
        self.tag_cached(inputs, out, &mut TagCache::default());
    }

    /// Tags one sentence, reusing the per-word work kept in `cache` (which should be used
    /// with one model only).
    pub fn tag_cached(&self, inputs: &[Input], out: &mut Vec<u8>, cache: &mut TagCache) {
        let (mut hs, mut ids) = self.start(cache);
        for x in inputs {
            let (id, e) = self.word_entry(x.word, |_| x.flags, cache);
            hs.push(e.hash);
            ids.push(id);
        }
        self.finish_tagging(inputs, hs, ids, out, cache);
    }

    /// The cache index of each word, with the entries of new words made with
    /// `lex_flags(word)`, into `ids`; the word-list flags of each word into `flags`. The
    /// cache is emptied first when it has grown large, so the indices stay valid until the
    /// next call (for [`NerModel::tag_ids`]).
    pub(crate) fn word_ids<'w>(
        &self,
        words: impl Iterator<Item = &'w str>,
        lex_flags: &dyn Fn(&str) -> u32,
        cache: &mut TagCache,
        (ids, flags): (&mut Vec<u32>, &mut Vec<u32>),
    ) {
        cache.trim();
        ids.clear();
        flags.clear();
        for w in words {
            let (id, e) = self.word_entry(w, lex_flags, cache);
            ids.push(id);
            flags.push(e.flags);
        }
    }

    /// Tags one sentence whose words have the cache indices `ids` from
    /// [`NerModel::word_ids`] (and `inputs` their flags from there).
    pub(crate) fn tag_ids(
        &self,
        inputs: &[Input],
        ids: &[u32],
        out: &mut Vec<u8>,
        cache: &mut TagCache,
    ) {
        let (mut hs, mut own) = self.buffers(cache);
        hs.extend(ids.iter().map(|&id| cache.entries[id as usize].hash));
        own.extend_from_slice(ids);
        self.finish_tagging(inputs, hs, own, out, cache);
    }

    /// Empties the cache when it has grown large; returns its per-token buffers, emptied.
    fn start(&self, cache: &mut TagCache) -> (Vec<ContextHash>, Vec<u32>) {
        cache.trim();
        self.buffers(cache)
    }

    /// The cache's per-token buffers, emptied.
    fn buffers(&self, cache: &mut TagCache) -> (Vec<ContextHash>, Vec<u32>) {
        let mut hs = std::mem::take(&mut cache.buf);
        let mut ids = std::mem::take(&mut cache.ids);
        hs.clear();
        ids.clear();
        (hs, ids)
    }

    /// The cached entry of `word` and its index, made with `flags(word)` when it is not
    /// cached yet.
    #[inline]
    fn word_entry<'c>(
        &self,
        word: &str,
        flags: impl FnOnce(&str) -> u32,
        cache: &'c mut TagCache,
    ) -> (u32, &'c WordEntry) {
        let entries = &cache.entries;
        if let Some(k) = cache.words.get(word.as_bytes(), |k| &entries[k].key) {
            return (k, &cache.entries[k as usize]);
        }
        let flags = flags(word);
        let hash = tok_hash_with(word, &self.lexicon, &self.freq, &mut cache.chars);
        // A word that starts with an uppercase letter or a digit is scored wherever it
        // occurs (see `skipped`); the others only after an entity or with a rule's hint,
        // which most never are, so their scores are summed when first needed.
        let scored = word
            .chars()
            .next()
            .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit());
        let unigram = if scored {
            cache
                .unigrams
                .push(self.unigram(&hash, flags, &mut cache.feats));
            (cache.unigrams.len() - 1) as u32
        } else {
            NOT_SUMMED
        };
        let e = WordEntry {
            key: cache.words.make_key(word.as_bytes()),
            flags,
            unigram,
            hash: ContextHash::of(&hash),
        };
        let index = cache.entries.len() as u32;
        cache
            .words
            .insert(word.as_bytes(), index, cache.entries.iter().map(|e| e.key));
        cache.entries.push(e);
        (index, &cache.entries[index as usize])
    }

    /// The summed weights of the word-only features of a word with hashes `hash`.
    fn unigram(&self, hash: &TokHash, flags: u32, feats: &mut Vec<u32>) -> [f32; NTAGS] {
        feats.clear();
        word_features(hash, flags, feats);
        let mut unigram = [0f32; NTAGS];
        self.add(feats, &mut unigram);
        unigram
    }

    /// Decodes the sentence from its per-token hashes and word entries, then gives the
    /// buffers back to `cache`.
    fn finish_tagging(
        &self,
        inputs: &[Input],
        hs: Vec<ContextHash>,
        ids: Vec<u32>,
        out: &mut Vec<u8>,
        cache: &mut TagCache,
    ) {
        let mut hs = hs;
        mark_quotes(inputs, &mut hs);
        let TagCache {
            entries,
            unigrams,
            feats,
            chars,
            beam,
            ..
        } = cache;
        let mut static_score = |i: usize| {
            let e = &mut entries[ids[i] as usize];
            if e.unigram == NOT_SUMMED {
                // The same sums as when the entry was made: they depend on the word and
                // the entry's flags alone.
                let hash = tok_hash_with(inputs[i].word, &self.lexicon, &self.freq, chars);
                e.unigram = unigrams.len() as u32;
                unigrams.push(self.unigram(&hash, e.flags, feats));
            }
            let mut score = unigrams[e.unigram as usize];
            self.add(&context_features(inputs, &hs, i), &mut score);
            score
        };
        decode(
            self,
            inputs,
            &hs,
            (self.beam, self.margin),
            &mut static_score,
            beam,
            out,
        );
        cache.buf = hs;
        cache.ids = ids;
    }
}

impl NerModel {
    /// Adds the weights of features given by their packed values, in order.
    ///
    /// The sum is kept in a local copy that is only ever indexed by whole rows, so that it
    /// stays in registers instead of being loaded and stored again for every feature. A
    /// sparse feature is spread into a row of zeros first: adding `0.0` leaves a score as
    /// it is (see [`DENSE_MIN`]), so the sums are those of adding its weights one by one.
    #[inline]
    fn add_packed(&self, packed: impl IntoIterator<Item = u32>, score: &mut [f32; NTAGS]) {
        let mut acc = *score;
        let mut spread;
        for v in packed {
            let (start, n) = ((v & ((1 << START_BITS) - 1)) as usize, v >> START_BITS);
            let row = if n == DENSE {
                &self.dense[start]
            } else if n == 0 {
                continue;
            } else {
                spread = [0f32; NTAGS];
                for &(w, t) in &self.pairs[start..start + n as usize] {
                    spread[usize::from(t)] = w;
                }
                &spread
            };
            for (a, w) in acc.iter_mut().zip(row) {
                *a += w;
            }
        }
        *score = acc;
    }
}

impl Scorer for NerModel {
    #[inline]
    fn add(&self, feats: &[u32], score: &mut [f32; NTAGS]) {
        self.add_packed(feats.iter().map(|&f| self.packed(f)), score);
    }

    /// The features of the previous tags alone are looked up once per model (`trans`).
    #[inline]
    fn add_tags(&self, h0: &ContextHash, prev: u8, prev2: u8, score: &mut [f32; NTAGS]) {
        let (p, p2) = (usize::from(prev), usize::from(prev2));
        let packed = [
            self.trans[p],
            self.trans[NTAGS + p2 * NTAGS + p],
            self.packed(feat2(42, u64::from(prev), h0.lower)),
            self.packed(feat2(43, u64::from(prev), h0.shape)),
        ];
        self.add_packed(packed, score);
    }
}

/// Adds the weights of features to a score per tag.
trait Scorer {
    fn add(&self, feats: &[u32], score: &mut [f32; NTAGS]);

    /// Adds the weights of the features of [`tag_features`], in their order.
    #[inline]
    fn add_tags(&self, h0: &ContextHash, prev: u8, prev2: u8, score: &mut [f32; NTAGS]) {
        let mut tf = [0u32; 4];
        tag_features(h0, prev, prev2, &mut tf);
        self.add(&tf, score);
    }
}

/// The keys of the features of the previous tags alone, in the order of
/// [`NerModel::trans`]: `feat(40, prev)` per tag, then `feat2(41, prev2, prev)` per pair.
fn transition_keys() -> Vec<u32> {
    let mut keys: Vec<u32> = (0..NTAGS as u64).map(|p| feat(40, p)).collect();
    for p2 in 0..NTAGS as u64 {
        for p in 0..NTAGS as u64 {
            keys.push(feat2(41, p2, p));
        }
    }
    keys
}

/// Default beam width of the decoder.
pub const BEAM: usize = 4;
/// Default score margin of the beam: hypotheses further below the best are dropped.
pub const MARGIN: f32 = 5.0;

/// One hypothesis of the beam: its score, its last two tags and its predecessor in the
/// previous step.
#[derive(Debug, Clone, Copy)]
struct Hyp {
    score: f32,
    tag: u8,
    prev: u8,
    back: u32,
}

/// Buffers of the beam decoder, kept between sentences.
#[derive(Debug, Default)]
struct BeamBuf {
    /// Hypotheses per step, flattened; `ends[i]` is the end of step `i`'s hypotheses.
    hyps: Vec<Hyp>,
    ends: Vec<usize>,
    cands: Vec<Hyp>,
    /// The candidates within the margin of the best one, see [`rank`].
    top: Vec<Hyp>,
    /// Per hypothesis of the previous step: the scores of its extensions by each tag, or
    /// `None` when the token is [`skipped`] after it. Kept so that only the few candidates
    /// near the best one are collected; all of them are rebuilt only on a tie.
    rows: Vec<Option<[f32; NTAGS]>>,
}

/// The order of candidates: best score first, ties by tag.
#[inline]
fn by_rank(a: &Hyp, b: &Hyp) -> std::cmp::Ordering {
    b.score.total_cmp(&a.score).then(a.tag.cmp(&b.tag))
}

/// Whether a candidate is not below the floor, exactly as the beam's loop reads it
/// (`c.score < floor` stops it), even for a NaN margin.
#[inline]
fn within(score: f32, floor: f32) -> bool {
    score.partial_cmp(&floor) != Some(std::cmp::Ordering::Less)
}

/// One step of the beam before ranking: the hypotheses of the previous step and, per
/// hypothesis, the scores of its extensions by each tag, or `None` when the token is
/// [`skipped`] after it.
struct Step<'a> {
    prev_hyps: &'a [Hyp],
    rows: &'a [Option<[f32; NTAGS]>],
    /// The index of `prev_hyps[0]` among all hypotheses (`None` at the first token).
    first_back: Option<usize>,
}

impl Step<'_> {
    /// The candidates, in the order in which they were always generated: per hypothesis,
    /// its extension by `O` when the token is skipped, else by each allowed tag. `keep`
    /// selects which are pushed to `out`.
    fn candidates(&self, out: &mut Vec<Hyp>, keep: impl Fn(f32) -> bool) {
        for (k, (h, row)) in self.prev_hyps.iter().zip(self.rows).enumerate() {
            let back = self.first_back.map_or(u32::MAX, |s| (s + k) as u32);
            let Some(row) = row else {
                if keep(h.score) {
                    out.push(Hyp {
                        score: h.score,
                        tag: 0,
                        prev: h.tag,
                        back,
                    });
                }
                continue;
            };
            let allowed = &ALLOWED[usize::from(h.tag)];
            for (t, &score) in row.iter().enumerate() {
                if allowed[t] && keep(score) {
                    out.push(Hyp {
                        score,
                        tag: t as u8,
                        prev: h.tag,
                        back,
                    });
                }
            }
        }
    }
}

/// The candidates that the beam may keep, in the order in which it considers them: those
/// scoring at least `floor`, best first, as the first part of all candidates sorted with
/// `sort_unstable_by(by_rank)`. Only these few are collected and sorted (in `top`); where
/// two of them compare equal (same score and tag, so that their order would be up to the
/// sort), all candidates are collected into `cands` and sorted as they always were, so
/// that the beam keeps the same hypotheses.
fn rank<'a>(step: &Step, cands: &'a mut Vec<Hyp>, top: &'a mut Vec<Hyp>, floor: f32) -> &'a [Hyp] {
    top.clear();
    step.candidates(top, |s| within(s, floor));
    top.sort_unstable_by(by_rank);
    if top
        .windows(2)
        .any(|w| by_rank(&w[0], &w[1]) == std::cmp::Ordering::Equal)
    {
        cands.clear();
        step.candidates(cands, |_| true);
        cands.sort_unstable_by(by_rank);
        return cands;
    }
    top
}

/// Beam search over tag sequences with the tag-dependent features of the last two tags.
/// Hypotheses with the same last two tags are merged (the better one is kept). A token
/// that [`skipped`] leaves `O` after `O` extends a hypothesis with `O` at no cost, and its
/// static scores are computed only when some hypothesis needs them.
fn decode<S: Scorer>(
    w: &S,
    inputs: &[Input],
    hs: &[ContextHash],
    (beam, margin): (usize, f32),
    static_score: &mut dyn FnMut(usize) -> [f32; NTAGS],
    buf: &mut BeamBuf,
    out: &mut Vec<u8>,
) {
    out.clear();
    let n = inputs.len();
    if n == 0 {
        return;
    }
    buf.hyps.clear();
    buf.ends.clear();
    let mut start = 0;
    let first = [Hyp {
        score: 0.0,
        tag: 0,
        prev: 0,
        back: u32::MAX,
    }];
    for i in 0..n {
        buf.rows.clear();
        let prev_hyps: &[Hyp] = if i == 0 {
            &first
        } else {
            &buf.hyps[start..buf.ends[i - 1]]
        };
        let mut st: Option<[f32; NTAGS]> = None;
        let mut best = f32::NEG_INFINITY;
        for h in prev_hyps {
            if skipped(&inputs[i], h.tag) {
                best = best.max(h.score);
                buf.rows.push(None);
                continue;
            }
            let mut score = *st.get_or_insert_with(|| static_score(i));
            w.add_tags(&hs[i], h.tag, h.prev, &mut score);
            best = best.max(extend(
                &mut score,
                h.score,
                &ALLOWED_BIAS[usize::from(h.tag)],
            ));
            buf.rows.push(Some(score));
        }
        let step_start = buf.hyps.len();
        let floor = best - margin;
        let step = Step {
            prev_hyps,
            rows: &buf.rows,
            first_back: (i > 0).then_some(start),
        };
        let ranked = rank(&step, &mut buf.cands, &mut buf.top, floor);
        for c in ranked {
            if buf.hyps.len() - step_start >= beam || c.score < floor {
                break;
            }
            if buf.hyps[step_start..]
                .iter()
                .any(|h| h.tag == c.tag && h.prev == c.prev)
            {
                continue;
            }
            buf.hyps.push(*c);
        }
        if i > 0 {
            start = buf.ends[i - 1];
        }
        buf.ends.push(buf.hyps.len());
    }
    // The best final hypothesis is the first of the last step; follow its predecessors.
    let mut k = start;
    out.resize(n, 0);
    for i in (0..n).rev() {
        let h = buf.hyps[k];
        out[i] = h.tag;
        k = h.back as usize;
    }
}

/// Whether token `i` is tagged `O` without scoring: it does not start with an uppercase
/// letter or a digit, no entity is open before it, and the rules found none on it. Only
/// a few gold entities start this way (`iPhone`); skipping these tokens makes tagging about
/// three times faster. Training applies the same rule.
#[inline]
fn skipped(input: &Input, prev: u8) -> bool {
    prev == 0
        && input.hint == 0
        && !input
            .word
            .chars()
            .next()
            .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit())
}

// ---------------------------------------------------------------------------------------
// Training.

/// Builds tagger inputs for text that is already split into tokens (GermEval's), with
/// the rule-based recogniser's hints mapped onto those tokens.
#[derive(Debug)]
pub struct Featurizer {
    rec: Recognizer,
}

impl Default for Featurizer {
    fn default() -> Self {
        Featurizer::new()
    }
}

impl Featurizer {
    /// Prepares the word lists.
    pub fn new() -> Self {
        Featurizer {
            rec: Recognizer::rules_only(),
        }
    }

    /// Inputs for the tokens at `offsets` (character offsets into `text`, end exclusive).
    pub fn inputs<'a>(&self, text: &'a str, offsets: &[(usize, usize)]) -> Vec<Input<'a>> {
        let byte_of: Vec<usize> = text
            .char_indices()
            .map(|(b, _)| b)
            .chain(std::iter::once(text.len()))
            .collect();
        let spans: Vec<(usize, usize)> = offsets
            .iter()
            .map(|&(a, b)| {
                (
                    byte_of[a.min(byte_of.len() - 1)],
                    byte_of[b.min(byte_of.len() - 1)],
                )
            })
            .collect();
        let mut toks = Vec::new();
        tokenize(text, &mut toks);
        let sents = sentences::split(text, &toks, true);
        let mut starts = vec![false; toks.len()];
        for &(a, _) in &sents {
            starts[a] = true;
        }
        let rules = self.rec.find_rules(text, &toks, &starts);
        let mut hint = vec![0u8; spans.len()];
        for e in &rules {
            let (a, b) = (toks[e.first].start, toks[e.end - 1].end);
            let first = spans.iter().position(|s| s.0 == a);
            let last = spans.iter().position(|s| s.1 == b);
            if let (Some(f), Some(l)) = (first, last) {
                let h = hints(
                    l + 1,
                    &[Entity {
                        first: f,
                        end: l + 1,
                        label: e.label,
                        canonical: String::new(),
                    }],
                );
                hint[f..=l].copy_from_slice(&h[f..=l]);
            }
        }
        spans
            .iter()
            .zip(hint)
            .map(|(&(a, b), hint)| Input {
                word: &text[a..b],
                flags: self.rec.lex_flags(&text[a..b]),
                hint,
            })
            .collect()
    }
}

/// One training sentence: the tagger's inputs and the gold tag ids.
#[derive(Debug, Clone)]
pub struct Example<'a> {
    /// The tokens.
    pub inputs: Vec<Input<'a>>,
    /// Gold tag ids, one per token.
    pub gold: Vec<u8>,
}

impl Scorer for Trainer {
    fn add(&self, feats: &[u32], score: &mut [f32; NTAGS]) {
        for f in feats {
            if let Some(&r) = self.index.get(f) {
                for (a, b) in score.iter_mut().zip(&self.w[r]) {
                    *a += b;
                }
            }
        }
    }
}

/// The gold tags as the decoder can produce them: an entity that starts on a token the
/// decoder [`skipped`] (`iPhone` after `O`) is dropped.
fn reachable(inputs: &[Input], gold: &[u8]) -> Vec<u8> {
    let mut out = gold.to_vec();
    for i in 0..out.len() {
        let prev = if i > 0 { out[i - 1] } else { 0 };
        if (out[i] != 0 && skipped(&inputs[i], prev)) || !allowed(prev, out[i]) {
            out[i] = 0;
        }
    }
    out
}

/// Averaged-perceptron training state.
#[derive(Debug, Default)]
pub struct Trainer {
    index: HashMap<u32, usize>,
    w: Vec<[f32; NTAGS]>,
    total: Vec<[f32; NTAGS]>,
    stamp: Vec<[u32; NTAGS]>,
    clock: u32,
    lexicon: Lexicon,
    freq: Lexicon,
    /// Beam width used in training and given to the model.
    pub beam: usize,
    /// Score margin of the beam used in training and given to the model.
    pub margin: f32,
}

impl Trainer {
    /// A trainer with no weights whose model will use `lexicon`.
    pub fn new(lexicon: Lexicon) -> Self {
        Trainer {
            lexicon,
            beam: BEAM,
            margin: MARGIN,
            ..Trainer::default()
        }
    }

    /// Gives the model a word frequency list (see [`frequency_list`]).
    pub fn with_frequencies(mut self, freq: Lexicon) -> Self {
        self.freq = freq;
        self
    }

    fn update(&mut self, f: u32, tag: u8, delta: f32) {
        let r = match self.index.get(&f) {
            Some(&r) => r,
            None => {
                let r = self.w.len();
                self.index.insert(f, r);
                self.w.push([0.0; NTAGS]);
                self.total.push([0.0; NTAGS]);
                self.stamp.push([0; NTAGS]);
                r
            }
        };
        let t = usize::from(tag);
        let elapsed = (self.clock - self.stamp[r][t]) as f32;
        self.total[r][t] += elapsed * self.w[r][t];
        self.stamp[r][t] = self.clock;
        self.w[r][t] += delta;
    }

    /// One pass over the examples (in the given order); returns the token errors. Each
    /// sentence is decoded with the beam; where the best sequence differs from the gold
    /// one, the features of the gold sequence are rewarded and those of the prediction
    /// penalised (structured perceptron).
    pub fn epoch(&mut self, examples: &[Example], order: &[usize]) -> usize {
        let mut errors = 0;
        let mut feats = Vec::with_capacity(64);
        let mut buf = BeamBuf::default();
        let mut pred = Vec::new();
        let mut statics: Vec<Option<Vec<u32>>> = Vec::new();
        for &n in order {
            let ex = &examples[n];
            let hs: Vec<TokHash> = ex
                .inputs
                .iter()
                .map(|x| tok_hash(x.word, &self.lexicon, &self.freq))
                .collect();
            let mut ctx: Vec<ContextHash> = hs.iter().map(ContextHash::of).collect();
            mark_quotes(&ex.inputs, &mut ctx);
            let gold = reachable(&ex.inputs, &ex.gold);
            self.clock += 1;
            {
                let me = &*self;
                let mut static_score = |i: usize| {
                    let mut f = Vec::with_capacity(64);
                    static_features(&ex.inputs, (&hs, &ctx), i, &mut f);
                    let mut s = [0f32; NTAGS];
                    me.add(&f, &mut s);
                    s
                };
                decode(
                    me,
                    &ex.inputs,
                    &ctx,
                    (self.beam.max(1), self.margin),
                    &mut static_score,
                    &mut buf,
                    &mut pred,
                );
            }
            if pred == gold {
                continue;
            }
            errors += pred.iter().zip(&gold).filter(|(a, b)| a != b).count();
            statics.clear();
            statics.resize(ex.inputs.len(), None);
            let mut tf = [0u32; 4];
            for (seq, delta) in [(&gold, 1.0), (&pred, -1.0)] {
                for i in 0..seq.len() {
                    let (prev, prev2) = (
                        if i > 0 { seq[i - 1] } else { 0 },
                        if i > 1 { seq[i - 2] } else { 0 },
                    );
                    // Positions where both sequences agree on the last three tags cancel.
                    let (g, p) = (&gold, &pred);
                    if (i.saturating_sub(2)..=i).all(|j| g[j] == p[j]) {
                        continue;
                    }
                    if skipped(&ex.inputs[i], prev) {
                        continue;
                    }
                    let f = statics[i].get_or_insert_with(|| {
                        feats.clear();
                        static_features(&ex.inputs, (&hs, &ctx), i, &mut feats);
                        feats.clone()
                    });
                    tag_features(&ctx[i], prev, prev2, &mut tf);
                    for &x in f.iter().chain(tf.iter()) {
                        self.update(x, seq[i], delta);
                    }
                }
            }
        }
        errors
    }

    /// The averaged weights as a model.
    pub fn averaged(&self) -> NerModel {
        let mut weights = HashMap::with_capacity(self.index.len());
        let clock = self.clock.max(1) as f32;
        for (&f, &r) in &self.index {
            let mut row = [0f32; NTAGS];
            for (t, v) in row.iter_mut().enumerate() {
                let total =
                    self.total[r][t] + (self.clock - self.stamp[r][t]) as f32 * self.w[r][t];
                *v = total / clock;
            }
            if row.iter().any(|v| *v != 0.0) {
                weights.insert(f, row);
            }
        }
        let mut model = NerModel::from_weights(&weights, self.lexicon.clone())
            .with_frequencies(self.freq.clone());
        model.set_beam(self.beam, self.margin);
        model
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tag_ids_round_trip() {
        assert_eq!(tag_id("O"), 0);
        assert_eq!(tag_id("B-PER"), 1);
        assert_eq!(tag_id("I-PER"), 2);
        assert_eq!(tag_id("B-OTHpart"), 23);
        assert_eq!(tag_id("I-XYZ"), 0);
        assert_eq!(tag_type(tag_id("I-LOCderiv")), Some((5, false)));
        assert!(!allowed(0, tag_id("I-PER")));
        assert!(allowed(tag_id("B-PER"), tag_id("I-PER")));
    }

    #[test]
    fn spans_from_tags() {
        let t = |s: &str| tag_id(s);
        let tags = [
            t("B-PER"),
            t("I-PER"),
            t("O"),
            t("B-LOC"),
            t("B-LOC"),
            t("I-ORG"),
        ];
        assert_eq!(spans(&tags), [(0, 2, 0), (3, 4, 1), (4, 5, 1), (5, 6, 2)]);
    }

    fn example(words: &[&'static str], tags: &[&str]) -> Example<'static> {
        Example {
            inputs: words
                .iter()
                .map(|w| Input {
                    word: w,
                    flags: 0,
                    hint: 0,
                })
                .collect(),
            gold: tags.iter().map(|t| tag_id(t)).collect(),
        }
    }

    #[test]
    fn learns_and_round_trips_through_bytes() {
        let data = vec![
            example(
                &["Gestern", "kam", "Anna", "Berg", "."],
                &["O", "O", "B-PER", "I-PER", "O"],
            ),
            example(
                &["Er", "fuhr", "nach", "Rom", "."],
                &["O", "O", "O", "B-LOC", "O"],
            ),
            example(
                &["Anna", "Berg", "fuhr", "nach", "Rom", "."],
                &["B-PER", "I-PER", "O", "O", "B-LOC", "O"],
            ),
        ];
        let mut tr = Trainer::new(Lexicon::from_entries([
            ("Rom", LEX_CITY),
            ("Berg", LEX_NOUN),
        ]));
        let order: Vec<usize> = (0..data.len()).collect();
        for _ in 0..10 {
            tr.epoch(&data, &order);
        }
        let model = tr.averaged();
        assert!(!model.is_empty());
        let back = NerModel::from_bytes(&model.to_bytes(0.0)).unwrap();
        assert_eq!(back.lexicon.get("Rom"), LEX_CITY);
        assert_eq!(back.lexicon.get("Roma"), 0);
        for m in [&model, &back] {
            let mut out = Vec::new();
            m.tag(&data[2].inputs, &mut out);
            assert_eq!(out, data[2].gold);
        }
        assert!(NerModel::from_bytes(b"nonsense").is_err());
    }

    /// Scores from a fixed table: feature `1` is the static score source, tag features
    /// add nothing, so the beam's choice depends on the transition constraints alone.
    struct Table(Vec<[f32; NTAGS]>);

    impl Scorer for Table {
        fn add(&self, _: &[u32], _: &mut [f32; NTAGS]) {}
    }

    /// Tokens without word-list flags or rule hints.
    fn plain_inputs<'a>(words: &[&'a str]) -> Vec<Input<'a>> {
        words
            .iter()
            .map(|w| Input {
                word: w,
                flags: 0,
                hint: 0,
            })
            .collect()
    }

    #[test]
    fn beam_finds_sequences_that_greedy_misses() {
        // Token 0 slightly prefers B-LOC, but token 1 strongly wants I-PER, which only a
        // B-PER before it allows: greedy commits to B-LOC, the beam keeps B-PER.
        let words = ["Anna", "Berg"];
        let inputs = plain_inputs(&words);
        let hs: Vec<ContextHash> = words
            .iter()
            .map(|w| ContextHash::of(&tok_hash(w, &Lexicon::default(), &Lexicon::default())))
            .collect();
        let mut t = Table(vec![[0.0; NTAGS]; 2]);
        t.0[0][usize::from(tag_id("B-LOC"))] = 2.0;
        t.0[0][usize::from(tag_id("B-PER"))] = 1.5;
        t.0[1][usize::from(tag_id("I-PER"))] = 5.0;
        let (mut buf, mut out) = (BeamBuf::default(), Vec::new());
        let table = t.0.clone();
        let mut st = |i: usize| table[i];
        decode(
            &t,
            &inputs,
            &hs,
            (1, f32::INFINITY),
            &mut st,
            &mut buf,
            &mut out,
        );
        assert_eq!(out, [tag_id("B-LOC"), 0]);
        decode(
            &t,
            &inputs,
            &hs,
            (4, f32::INFINITY),
            &mut st,
            &mut buf,
            &mut out,
        );
        assert_eq!(out, [tag_id("B-PER"), tag_id("I-PER")]);
        // A margin smaller than the gap drops the B-PER hypothesis again.
        decode(&t, &inputs, &hs, (4, 0.1), &mut st, &mut buf, &mut out);
        assert_eq!(out, [tag_id("B-LOC"), 0]);
    }

    #[test]
    fn unreachable_gold_entities_become_o() {
        let inputs = plain_inputs(&["das", "iPhone", "Pro"]);
        let gold = [0, tag_id("B-OTH"), tag_id("I-OTH")];
        assert_eq!(reachable(&inputs, &gold), [0, 0, 0]);
        let gold = [0, 0, tag_id("B-OTH")];
        assert_eq!(reachable(&inputs, &gold), gold);
    }

    /// A small deterministic generator for the tests below (xorshift).
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }
    }

    /// The decoder as it was before [`rank`]: every candidate sorted at every step.
    fn decode_sorting_all(
        statics: &[[f32; NTAGS]],
        inputs: &[Input],
        (beam, margin): (usize, f32),
    ) -> Vec<u8> {
        let n = inputs.len();
        let (mut hyps, mut ends, mut cands) = (Vec::<Hyp>::new(), Vec::new(), Vec::new());
        let mut start = 0;
        for i in 0..n {
            cands.clear();
            let prev_hyps: Vec<Hyp> = if i == 0 {
                vec![Hyp {
                    score: 0.0,
                    tag: 0,
                    prev: 0,
                    back: u32::MAX,
                }]
            } else {
                hyps[start..ends[i - 1]].to_vec()
            };
            for (k, h) in prev_hyps.iter().enumerate() {
                let back = if i == 0 { u32::MAX } else { (start + k) as u32 };
                if skipped(&inputs[i], h.tag) {
                    cands.push(Hyp {
                        score: h.score,
                        tag: 0,
                        prev: h.tag,
                        back,
                    });
                    continue;
                }
                for (t, &s) in statics[i].iter().enumerate() {
                    let t = t as u8;
                    if allowed(h.tag, t) {
                        cands.push(Hyp {
                            score: h.score + s,
                            tag: t,
                            prev: h.tag,
                            back,
                        });
                    }
                }
            }
            cands.sort_unstable_by(|a, b| b.score.total_cmp(&a.score).then(a.tag.cmp(&b.tag)));
            let step_start = hyps.len();
            let floor = cands.first().map_or(0.0, |c| c.score - margin);
            for c in &cands {
                if hyps.len() - step_start >= beam || c.score < floor {
                    break;
                }
                if hyps[step_start..]
                    .iter()
                    .any(|h| h.tag == c.tag && h.prev == c.prev)
                {
                    continue;
                }
                hyps.push(*c);
            }
            if i > 0 {
                start = ends[i - 1];
            }
            ends.push(hyps.len());
        }
        let mut out = vec![0; n];
        let mut k = start;
        for i in (0..n).rev() {
            out[i] = hyps[k].tag;
            k = hyps[k].back as usize;
        }
        out
    }

    #[test]
    fn ranking_the_top_candidates_keeps_the_beam_of_a_full_sort() {
        let words = ["Anna", "berg", "Rom", "und", "7", "EU", "sagte", "Berlin"];
        let mut rng = Rng(0x2545_f491_4f6c_dd1d);
        let (mut buf, mut out) = (BeamBuf::default(), Vec::new());
        let t = Table(Vec::new());
        for round in 0..3000 {
            let n = 1 + rng.below(12) as usize;
            let inputs: Vec<Input> = (0..n)
                .map(|_| Input {
                    word: words[rng.below(words.len() as u64) as usize],
                    flags: 0,
                    hint: (rng.below(4) == 0) as u8,
                })
                .collect();
            let hs = vec![ContextHash::default(); n];
            // Coarse scores in some rounds, so that equal scores (ties) are common.
            let coarse = round % 2 == 0;
            let statics: Vec<[f32; NTAGS]> = (0..n)
                .map(|_| {
                    std::array::from_fn(|_| {
                        if coarse {
                            rng.below(5) as f32 * 0.5 - 1.0
                        } else {
                            (rng.below(20_000) as f32 - 10_000.0) / 997.0
                        }
                    })
                })
                .collect();
            let beam = 1 + rng.below(5) as usize;
            let margin = [0.0, 0.5, 2.0, 5.0, f32::INFINITY][rng.below(5) as usize];
            let mut st = |i: usize| statics[i];
            decode(
                &t,
                &inputs,
                &hs,
                (beam, margin),
                &mut st,
                &mut buf,
                &mut out,
            );
            assert_eq!(
                out,
                decode_sorting_all(&statics, &inputs, (beam, margin)),
                "round {round}"
            );
        }
    }

    #[test]
    fn dense_rows_add_like_their_weights_one_by_one() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        let mut weights = HashMap::new();
        for k in 1..=2000u32 {
            let n = rng.below(NTAGS as u64 + 1);
            let mut row = [0f32; NTAGS];
            for _ in 0..n {
                row[rng.below(NTAGS as u64) as usize] =
                    (rng.below(2_000_001) as f32 - 1_000_000.0) / 7919.0;
            }
            weights.insert(k.wrapping_mul(0x9e37_79b1) | 1, row);
        }
        let model = NerModel::from_weights(&weights, Lexicon::default());
        assert!(!model.dense.is_empty() && model.dense.len() < model.len());
        let keys: Vec<u32> = weights.keys().copied().collect();
        for _ in 0..500 {
            let feats: Vec<u32> = (0..30)
                .map(|_| keys[rng.below(keys.len() as u64) as usize] ^ (rng.below(8) == 0) as u32)
                .collect();
            let start: [f32; NTAGS] =
                std::array::from_fn(|_| (rng.below(2001) as f32 - 1000.0) / 13.0);
            let mut got = start;
            model.add(&feats, &mut got);
            let mut want = start;
            for &f in &feats {
                for &(w, t) in model.pairs_of(model.packed(f)) {
                    want[usize::from(t)] += w;
                }
            }
            assert_eq!(got.map(f32::to_bits), want.map(f32::to_bits));
        }
        // The file format does not see the dense rows.
        let back = NerModel::from_bytes(&model.to_bytes(0.0)).unwrap();
        assert_eq!(back.to_bytes(0.0), model.to_bytes(0.0));
        assert_eq!(back.len(), model.len());
    }

    /// `lex_features` as it was: the tails built as strings.
    fn lex_features_building_strings(lex: &Lexicon, word: &str) -> (u8, u8, bool) {
        if lex.is_empty() || !word.chars().next().is_some_and(char::is_uppercase) {
            return (0, 0, false);
        }
        let own = lex.get(word);
        let gen = word
            .strip_suffix('s')
            .filter(|b| b.len() > 1)
            .map_or(0, |b| lex.get(b));
        let mut head = false;
        if own == 0 {
            let idx: Vec<usize> = word.char_indices().map(|(b, _)| b).collect();
            let n = idx.len();
            for k in (4..n.saturating_sub(2)).rev().take(6) {
                let tail = &word[idx[n - k]..];
                let mut cs = tail.chars();
                let buf: String = cs
                    .next()
                    .map(|c| c.to_uppercase().chain(cs).collect())
                    .unwrap_or_default();
                if lex.get(&buf) & LEX_NOUN != 0 {
                    head = true;
                    break;
                }
            }
        }
        (own, gen, head)
    }

    #[test]
    fn lex_features_agree_with_building_the_tails() {
        let nouns = [
            "Ministerium",
            "Partei",
            "Haus",
            "Straße",
            "Öl",
            "Ärztin",
            "Rat",
            "Amt",
            "Bank",
            "Geld",
            "Ende",
            "Mann",
            "Ufer",
            "Ring",
        ];
        let lex = Lexicon::from_entries(
            nouns
                .iter()
                .map(|n| (*n, LEX_NOUN))
                .chain([("Berlin", LEX_CITY), ("Anna", LEX_FIRST_NAME)]),
        );
        let mut words: Vec<String> = vec![String::new(), "B".into(), "Berlins".into()];
        for prefix in [
            "",
            "X",
            "Verteidigungs",
            "Ölpreis",
            "Ä",
            "Stadt",
            "Groß",
            "ab",
            "Ü1",
        ] {
            for n in nouns.iter().chain(&["berlin", "ßa", "Anna", "ministerium"]) {
                let lower: String = n.to_lowercase();
                words.push(format!("{prefix}{n}"));
                words.push(format!("{prefix}{lower}"));
                words.push(format!("{prefix}{lower}s"));
                words.push(format!("{prefix}{n}en"));
                words.push(format!("{prefix}{lower}xyz"));
            }
        }
        for w in &words {
            assert_eq!(
                lex_features(&lex, w),
                lex_features_building_strings(&lex, w),
                "{w}"
            );
        }
        // Tails of three to eight characters fewer than the word are looked up.
        assert!(lex_features(&lex, "Stadtministerium").2);
        assert!(!lex_features(&lex, "Verteidigungsministerium").2);
    }

    #[test]
    fn embedded_model_is_valid() {
        let bytes = include_bytes!("../models/ner.bin");
        let m = NerModel::from_bytes(bytes).unwrap();
        assert!(m.len() > 1000, "{}", m.len());
    }

    /// `from_bytes` as it was: through maps, as the reference.
    fn from_bytes_through_maps(b: &[u8]) -> NerModel {
        let scale = f32::from_le_bytes([b[8], b[9], b[10], b[11]]);
        let count = u32::from_le_bytes([b[12], b[13], b[14], b[15]]) as usize;
        let mut weights: HashMap<u32, [f32; NTAGS]> = HashMap::new();
        let mut p = 16;
        for _ in 0..count {
            let key = u32::from_le_bytes([b[p], b[p + 1], b[p + 2], b[p + 3]]);
            let n = b[p + 4] as usize;
            p += 5;
            let mut row = [0f32; NTAGS];
            for _ in 0..n {
                row[b[p] as usize] = f32::from(i16::from_le_bytes([b[p + 1], b[p + 2]])) * scale;
                p += 3;
            }
            weights.insert(key, row);
        }
        let mut lexicon = || {
            let n = u32::from_le_bytes([b[p], b[p + 1], b[p + 2], b[p + 3]]) as usize;
            p += 4;
            let mut lex = HashMap::new();
            for _ in 0..n {
                lex.insert(
                    u32::from_le_bytes([b[p], b[p + 1], b[p + 2], b[p + 3]]),
                    b[p + 4],
                );
                p += 5;
            }
            Lexicon::from_map(&lex)
        };
        let lex = lexicon();
        let freq = lexicon();
        NerModel::from_weights(&weights, lex).with_frequencies(freq)
    }

    #[test]
    fn reading_without_maps_builds_the_same_tables() {
        let bytes = include_bytes!("../models/ner.bin");
        let (a, b) = (
            NerModel::from_bytes(bytes).unwrap(),
            from_bytes_through_maps(bytes),
        );
        assert_eq!(a.table, b.table);
        assert_eq!(a.pairs, b.pairs);
        assert_eq!(a.dense, b.dense);
        assert_eq!(a.dense_src, b.dense_src);
        assert_eq!(a.trans, b.trans);
        assert_eq!(a.lexicon.keys, b.lexicon.keys);
        assert_eq!(a.lexicon.vals, b.lexicon.vals);
        assert_eq!(a.freq.keys, b.freq.keys);
        assert_eq!(a.freq.vals, b.freq.vals);
        assert_eq!((a.mask, a.features), (b.mask, b.features));
    }

    #[test]
    fn frequency_list_folds_case_and_sharp_s_and_keeps_the_higher_frequency() {
        let freq = frequency_list([("strasse", 420), ("Mauer", 458), ("mauer", 600), ("zu", 0)]);
        let value = |w: &str| tok_hash(w, &Lexicon::default(), &freq).freq;
        assert_eq!(value("Straße"), freq_value(420));
        assert_eq!(value("STRASSE"), freq_value(420));
        assert_eq!(value("Mauer"), freq_value(458));
        assert_eq!(value("Veka"), 0);
        assert_eq!(value("zu"), 1);
        assert_eq!(freq_value(5000), freq_value(800));
        // Classes: not listed, then `width` centibels each from the most frequent.
        assert_eq!(freq_bucket(0, 25), 0);
        assert_eq!(freq_bucket(freq_value(0), 25), 1);
        assert_eq!(freq_bucket(freq_value(24), 25), 1);
        assert_eq!(freq_bucket(freq_value(458), 25), 19);
        assert_eq!(freq_bucket(freq_value(458), 50), 10);
        assert_eq!(freq_bucket(freq_value(800), 50), 17);
    }

    #[test]
    fn quotes_are_marked_between_their_marks() {
        let marks = |words: &[&'static str]| {
            let inputs = plain_inputs(words);
            let mut hs = vec![ContextHash::default(); words.len()];
            mark_quotes(&inputs, &mut hs);
            hs.iter().map(|h| h.quote).collect::<Vec<_>>()
        };
        assert_eq!(
            marks(&["aus", "„", "Die", "Nacht", "“", "und", "„", "Herz", "“"]),
            [0, 0, 2, 1, 1, 0, 0, 2, 1]
        );
        assert_eq!(
            marks(&["\"", "Kill", "Bill", "\"", "mit", "\"", "Uma", "\""]),
            [0, 2, 1, 1, 0, 0, 2, 1]
        );
        assert_eq!(marks(&["“", "Hi", "”", "sagte", "er"]), [0, 2, 1, 0, 0]);
        assert_eq!(marks(&["Er", "sagte", "»", "Ja"]), [0, 0, 0, 2]);
    }

    #[test]
    fn sorted_last_keeps_the_last_of_repeated_keys() {
        assert_eq!(
            sorted_last(vec![(1, 'a'), (2, 'b')]),
            vec![(1, 'a'), (2, 'b')]
        );
        assert_eq!(
            sorted_last(vec![(3, 'a'), (1, 'b'), (3, 'c'), (2, 'd'), (1, 'e')]),
            vec![(1, 'e'), (2, 'd'), (3, 'c')]
        );
        assert!(sorted_last(Vec::<(u32, u8)>::new()).is_empty());
    }

    #[test]
    fn allowed_table_agrees_with_allowed() {
        for prev in 0..NTAGS as u8 {
            for tag in 0..NTAGS as u8 {
                assert_eq!(
                    ALLOWED[usize::from(prev)][usize::from(tag)],
                    allowed(prev, tag),
                    "{prev} {tag}"
                );
            }
        }
    }

    /// A scorer that adds the weights of a model through the default `add_tags`.
    struct Plain<'a>(&'a NerModel);

    impl Scorer for Plain<'_> {
        fn add(&self, feats: &[u32], score: &mut [f32; NTAGS]) {
            self.0.add(feats, score);
        }
    }

    #[test]
    fn looked_up_transitions_add_like_the_hashed_features() {
        let m = NerModel::embedded();
        let lex = Lexicon::default();
        for word in ["Merkel", "sagte", "Berlin", "US-Präsident", "2025"] {
            let h = ContextHash::of(&tok_hash(word, &lex, &lex));
            for prev in 0..NTAGS as u8 {
                for prev2 in 0..NTAGS as u8 {
                    let start: [f32; NTAGS] = std::array::from_fn(|t| t as f32 * 0.37 - 1.0);
                    let (mut a, mut b) = (start, start);
                    m.add_tags(&h, prev, prev2, &mut a);
                    Plain(m).add_tags(&h, prev, prev2, &mut b);
                    assert_eq!(
                        a.map(f32::to_bits),
                        b.map(f32::to_bits),
                        "{word} {prev} {prev2}"
                    );
                }
            }
        }
    }

    #[test]
    fn word_table_finds_exactly_the_words_put_in() {
        let long = "Donaudampfschifffahrtsgesellschaftskapitän";
        let words: Vec<String> = (0..3000)
            .map(|i| match i % 4 {
                0 => format!("w{i}"),
                1 => format!("{long}{i}"),
                2 => format!("Größe{i}"),
                _ => "x".repeat(i % 40 + 1) + &i.to_string(),
            })
            .collect();
        let mut table = WordTable::default();
        let mut keys: Vec<WordKey> = Vec::new();
        for (i, w) in words.iter().enumerate() {
            let found = table.get(w.as_bytes(), |k| &keys[k]);
            assert_eq!(found, None, "{w}");
            let key = table.make_key(w.as_bytes());
            table.insert(w.as_bytes(), i as u32, keys.iter().copied());
            keys.push(key);
            assert_eq!(table.get(w.as_bytes(), |k| &keys[k]), Some(i as u32));
        }
        assert_eq!(table.len(), words.len());
        for (i, w) in words.iter().enumerate() {
            assert_eq!(table.get(w.as_bytes(), |k| &keys[k]), Some(i as u32), "{w}");
            assert_eq!(table.key_bytes(&keys[i]), w.as_bytes());
            // A prefix, an extension and a changed last byte are other words.
            for other in [
                &w[..w.len() - 1],
                &format!("{w}s"),
                &format!("{}#", &w[..w.len() - 1]),
            ] {
                if !words.iter().any(|x| x == other) {
                    assert_eq!(table.get(other.as_bytes(), |k| &keys[k]), None, "{other}");
                }
            }
        }
        table.clear();
        keys.clear();
        assert_eq!(table.get(words[0].as_bytes(), |k| &keys[k]), None);
        assert_eq!(table.len(), 0);
    }

    #[test]
    fn cached_tagging_matches_uncached_across_many_words() {
        let m = NerModel::embedded();
        let words: Vec<String> = (0..2500)
            .map(|i| match i % 5 {
                0 => "Angela".to_owned(),
                1 => format!("Merkel{i}"),
                2 => "sagte".to_owned(),
                3 => format!("Bundesverteidigungsministerium{}", i % 7),
                _ => "in".to_owned(),
            })
            .collect();
        let mut cache = TagCache::default();
        let (mut a, mut b) = (Vec::new(), Vec::new());
        for chunk in words.chunks(9) {
            let inputs: Vec<Input> = chunk
                .iter()
                .map(|w| Input {
                    word: w,
                    flags: 0,
                    hint: 0,
                })
                .collect();
            m.tag_cached(&inputs, &mut a, &mut cache);
            m.tag(&inputs, &mut b);
            assert_eq!(a, b, "{chunk:?}");
        }
    }
}
