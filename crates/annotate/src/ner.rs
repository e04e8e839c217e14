//! The statistical entity tagger: an averaged perceptron over hashed features with greedy
//! left-to-right BIO decoding.
//!
//! The tag set is GermEval 2014's outer level: `O` and `B-`/`I-` for `PER`, `LOC`, `ORG`,
//! `OTH` and their `deriv` (`deutsche`) and `part` (`EU-Kommissar`) variants. The stage
//! writes only the four main classes (`OTH` as `MISC`); the variants are learned so that
//! they are not mistaken for main-class entities.
//!
//! Features per token: its form and lowercase form, the two words on either side,
//! prefixes and suffixes, the word shape and its neighbours' shapes, hyphen parts,
//! sentence position, flags from the embedded word lists (first names, role nouns,
//! gazetteer, place and organisation endings, ...), the rule-based recogniser's own tag
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
    (tag != 0).then(|| (usize::from(tag - 1) / 2, (tag - 1) % 2 == 0))
}

/// Whether `tag` may follow `prev` (an `I-` only continues its own type).
#[inline]
fn allowed(prev: u8, tag: u8) -> bool {
    match tag_type(tag) {
        Some((ty, false)) => tag_type(prev).is_some_and(|(p, _)| p == ty),
        _ => true,
    }
}

/// Spans `(first, end, type index)` of a tag sequence; an `I-` without its `B-` opens one.
pub fn spans(tags: &[u8]) -> Vec<(usize, usize, usize)> {
    let mut out = Vec::new();
    let mut open: Option<(usize, usize)> = None;
    for (i, &t) in tags.iter().enumerate() {
        match tag_type(t) {
            Some((ty, begin)) => {
                if begin || open.map_or(true, |(_, o)| o != ty) {
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
}

fn tok_hash(word: &str) -> TokHash {
    let chars: Vec<char> = lower_chars(word).collect();
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
};

#[inline]
fn feat(template: u64, x: u64) -> u32 {
    finish(mix(mix(0x1234_5678, template), x))
}

#[inline]
fn feat2(template: u64, x: u64, y: u64) -> u32 {
    finish(mix(mix(mix(0x1234_5678, template), x), y))
}

/// The static (tag-independent) features of token `i`.
fn static_features(inputs: &[Input], hs: &[TokHash], i: usize, out: &mut Vec<u32>) {
    out.clear();
    let at = |k: isize| -> (TokHash, u32, u8) {
        let j = i as isize + k;
        if j < 0 || j as usize >= hs.len() {
            (PAD, 1 << 31, 99)
        } else {
            let j = j as usize;
            (hs[j], inputs[j].flags, inputs[j].hint)
        }
    };
    let (h0, f0, t0) = at(0);
    let (hm1, fm1, tm1) = at(-1);
    let (hp1, fp1, tp1) = at(1);
    let (hm2, _, _) = at(-2);
    let (hp2, _, _) = at(2);
    out.push(feat(1, 0));
    out.push(feat(2, h0.form));
    out.push(feat(3, h0.lower));
    out.push(feat(4, hm1.lower));
    out.push(feat(5, hp1.lower));
    out.push(feat(6, hm2.lower));
    out.push(feat(7, hp2.lower));
    for (k, s) in h0.suf.iter().enumerate() {
        out.push(feat(8 + k as u64, *s));
    }
    out.push(feat(12, h0.pre[0]));
    out.push(feat(13, h0.pre[1]));
    out.push(feat(14, h0.shape));
    out.push(feat(15, mix(mix(hm1.shape, h0.shape), hp1.shape)));
    out.push(feat2(16, hm1.lower, h0.lower));
    out.push(feat2(17, h0.lower, hp1.lower));
    out.push(feat2(18, u64::from(i == 0), h0.cap));
    out.push(feat2(19, hm1.cap, mix(h0.cap, hp1.cap)));
    out.push(feat(20, h0.len));
    if h0.hy_last != 0 {
        out.push(feat(21, h0.hy_first));
        out.push(feat(22, h0.hy_last));
    }
    out.push(feat(23, hm1.suf[1]));
    out.push(feat(24, hp1.suf[1]));
    out.push(feat2(25, hm1.lower, h0.cap));
    for b in 0..32u64 {
        if f0 & (1 << b) != 0 {
            out.push(feat(100 + b, 0));
            out.push(feat2(200 + b, hm1.lower, 0));
        }
        if fm1 & (1 << b) != 0 {
            out.push(feat(300 + b, h0.cap));
        }
        if fp1 & (1 << b) != 0 {
            out.push(feat(400 + b, h0.cap));
        }
    }
    out.push(feat(30, u64::from(t0)));
    out.push(feat2(31, u64::from(tm1), u64::from(t0)));
    out.push(feat2(32, u64::from(t0), u64::from(tp1)));
    out.push(feat2(33, u64::from(t0), h0.shape));
}

/// The features that depend on the previous tags.
#[inline]
fn tag_features(h0: &TokHash, prev: u8, prev2: u8, out: &mut [u32; 4]) {
    out[0] = feat(40, u64::from(prev));
    out[1] = feat2(41, u64::from(prev2), u64::from(prev));
    out[2] = feat2(42, u64::from(prev), h0.lower);
    out[3] = feat2(43, u64::from(prev), h0.shape);
}

// ---------------------------------------------------------------------------------------
// The model.

/// A trained tagger: a table from feature hash to its non-zero weights per tag.
#[derive(Debug, Clone)]
pub struct NerModel {
    /// Open-addressing table of feature keys (0 = empty); `slots[k]` indexes `rows`.
    keys: Vec<u32>,
    slots: Vec<u32>,
    /// Weight rows, `NTAGS` per feature.
    rows: Vec<f32>,
    mask: usize,
}

const MAGIC: &[u8; 8] = b"PANER01\n";

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
                .unwrap_or_else(|_| NerModel::from_weights(&HashMap::new()))
        })
    }

    /// Builds the table from dense weights per feature.
    pub fn from_weights(weights: &HashMap<u32, [f32; NTAGS]>) -> NerModel {
        let cap = (weights.len() * 2).next_power_of_two().max(16);
        let mut m = NerModel {
            keys: vec![0; cap],
            slots: vec![0; cap],
            rows: Vec::with_capacity(weights.len() * NTAGS),
            mask: cap - 1,
        };
        let mut sorted: Vec<(&u32, &[f32; NTAGS])> = weights.iter().collect();
        sorted.sort_by_key(|(k, _)| **k);
        for (k, row) in sorted {
            let mut s = m.home(*k);
            while m.keys[s] != 0 {
                s = (s + 1) & m.mask;
            }
            m.keys[s] = *k;
            m.slots[s] = (m.rows.len() / NTAGS) as u32;
            m.rows.extend_from_slice(row);
        }
        m
    }

    #[inline]
    fn home(&self, key: u32) -> usize {
        (key.wrapping_mul(0x9e37_79b1) as usize >> 7) & self.mask
    }

    #[inline]
    fn row(&self, key: u32) -> Option<&[f32]> {
        let mut s = self.home(key);
        loop {
            let k = self.keys[s];
            if k == key {
                let r = self.slots[s] as usize * NTAGS;
                return Some(&self.rows[r..r + NTAGS]);
            }
            if k == 0 {
                return None;
            }
            s = (s + 1) & self.mask;
        }
    }

    /// Number of features with weights.
    pub fn len(&self) -> usize {
        self.rows.len() / NTAGS
    }

    /// Whether the model has no features (an untrained model tags everything `O`).
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Serialises the model: magic, scale, count, then per feature its key, the number of
    /// non-zero weights and `(tag, i16)` pairs. Weights whose absolute value is below
    /// `prune` are dropped.
    pub fn to_bytes(&self, prune: f32) -> Vec<u8> {
        let max = self.rows.iter().fold(0f32, |m, w| m.max(w.abs())).max(1e-9);
        let scale = max / 32767.0;
        let mut body = Vec::new();
        let mut count = 0u32;
        for (s, &k) in self.keys.iter().enumerate() {
            if k == 0 {
                continue;
            }
            let r = self.slots[s] as usize * NTAGS;
            let nz: Vec<(u8, i16)> = self.rows[r..r + NTAGS]
                .iter()
                .enumerate()
                .filter(|(_, w)| w.abs() >= prune && w.abs() > 0.0)
                .map(|(t, w)| (t as u8, (w / scale).round() as i16))
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
        out
    }

    /// Reads a model written by [`NerModel::to_bytes`].
    pub fn from_bytes(b: &[u8]) -> Result<NerModel, ModelError> {
        if b.len() < 16 || &b[..8] != MAGIC {
            return Err(ModelError("bad magic"));
        }
        let scale = f32::from_le_bytes([b[8], b[9], b[10], b[11]]);
        let count = u32::from_le_bytes([b[12], b[13], b[14], b[15]]) as usize;
        let mut weights: HashMap<u32, [f32; NTAGS]> = HashMap::with_capacity(count);
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
            weights.insert(key, row);
        }
        if p != b.len() {
            return Err(ModelError("trailing bytes"));
        }
        Ok(NerModel::from_weights(&weights))
    }

    /// Tags one sentence; `out` receives one tag id per input.
    pub fn tag(&self, inputs: &[Input], out: &mut Vec<u8>) {
        out.clear();
        let hs: Vec<TokHash> = inputs.iter().map(|x| tok_hash(x.word)).collect();
        let mut feats = Vec::with_capacity(64);
        let mut tf = [0u32; 4];
        let (mut prev, mut prev2) = (0u8, 0u8);
        for i in 0..inputs.len() {
            static_features(inputs, &hs, i, &mut feats);
            tag_features(&hs[i], prev, prev2, &mut tf);
            let mut score = [0f32; NTAGS];
            for &f in feats.iter().chain(tf.iter()) {
                if let Some(r) = self.row(f) {
                    for (s, w) in score.iter_mut().zip(r) {
                        *s += w;
                    }
                }
            }
            let best = best_tag(&score, prev);
            out.push(best);
            prev2 = prev;
            prev = best;
        }
    }
}

fn best_tag(score: &[f32; NTAGS], prev: u8) -> u8 {
    let mut best = 0u8;
    let mut best_s = f32::NEG_INFINITY;
    for (t, &s) in score.iter().enumerate() {
        let t = t as u8;
        if s > best_s && allowed(prev, t) {
            best = t;
            best_s = s;
        }
    }
    best
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

/// Averaged-perceptron training state.
#[derive(Debug, Default)]
pub struct Trainer {
    index: HashMap<u32, usize>,
    w: Vec<[f32; NTAGS]>,
    total: Vec<[f32; NTAGS]>,
    stamp: Vec<[u32; NTAGS]>,
    clock: u32,
}

impl Trainer {
    /// A trainer with no weights.
    pub fn new() -> Self {
        Trainer::default()
    }

    fn score(&self, feats: &[u32], extra: &[u32; 4]) -> [f32; NTAGS] {
        let mut s = [0f32; NTAGS];
        for f in feats.iter().chain(extra.iter()) {
            if let Some(&r) = self.index.get(f) {
                for (a, b) in s.iter_mut().zip(&self.w[r]) {
                    *a += b;
                }
            }
        }
        s
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

    /// One pass over the examples (in the given order); returns the token errors.
    pub fn epoch(&mut self, examples: &[Example], order: &[usize]) -> usize {
        let mut errors = 0;
        let mut feats = Vec::with_capacity(64);
        let mut tf = [0u32; 4];
        for &n in order {
            let ex = &examples[n];
            let hs: Vec<TokHash> = ex.inputs.iter().map(|x| tok_hash(x.word)).collect();
            let (mut prev, mut prev2) = (0u8, 0u8);
            for i in 0..ex.inputs.len() {
                self.clock += 1;
                static_features(&ex.inputs, &hs, i, &mut feats);
                tag_features(&hs[i], prev, prev2, &mut tf);
                let pred = best_tag(&self.score(&feats, &tf), prev);
                let gold = ex.gold[i];
                if pred != gold {
                    errors += 1;
                    for &f in feats.iter().chain(tf.iter()) {
                        self.update(f, gold, 1.0);
                        self.update(f, pred, -1.0);
                    }
                }
                prev2 = prev;
                prev = pred;
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
        NerModel::from_weights(&weights)
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
        let mut tr = Trainer::new();
        let order: Vec<usize> = (0..data.len()).collect();
        for _ in 0..10 {
            tr.epoch(&data, &order);
        }
        let model = tr.averaged();
        assert!(!model.is_empty());
        let back = NerModel::from_bytes(&model.to_bytes(0.0)).unwrap();
        for m in [&model, &back] {
            let mut out = Vec::new();
            m.tag(&data[2].inputs, &mut out);
            assert_eq!(out, data[2].gold);
        }
        assert!(NerModel::from_bytes(b"nonsense").is_err());
    }

    #[test]
    fn embedded_model_is_valid() {
        let bytes = include_bytes!("../models/ner.bin");
        let m = NerModel::from_bytes(bytes).unwrap();
        assert!(m.len() > 1000, "{}", m.len());
    }
}
