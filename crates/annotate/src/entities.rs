//! A rule-based named-entity recogniser for German news text.
//!
//! German capitalises every noun, so capitalisation alone says little. The recogniser
//! uses, in this order at each token: role nouns followed by a name (`US-Präsident Donald
//! Trump`, `Außenminister Cho Hyun`); a known first name followed by capitalised tokens
//! (`Christian Wirth`); a gazetteer of places and organisations (with genitives:
//! `Nordkoreas`); company forms (`Siemens AG`); acronyms (`KCNA`); capitalised adjectives
//! inside a sentence, which only occur in names (`Vereinten Nationen`, `Zweiten
//! Weltkrieg`); and organisation compounds (`Verteidigungsministerium`). Then names found
//! so far propagate: once `Donald Trump` is a person, a later `Trump` or `Trumps` is too.
//!
//! `canonical` is the same for every mention of one entity: short forms and genitives link
//! to the full name within the document, and spelling variants are normalised by a fixed
//! rule so that they also agree across documents: a hyphen followed by a lowercase name
//! part becomes a space and the part is capitalised (`Kim Jong-un` → `Kim Jong Un`).

use std::collections::{HashMap, HashSet};

use crate::lexicon::{self, GazLabel};
use crate::ner::{self, FxBuild, NerModel};
use crate::tokenize::{is_acronym, is_capitalized, Kind, Token};
use std::cell::RefCell;

pub use pipeline_core::spans::Label;

impl From<GazLabel> for Label {
    fn from(l: GazLabel) -> Self {
        match l {
            GazLabel::Loc => Label::Loc,
            GazLabel::Org => Label::Org,
        }
    }
}

/// One entity mention, as a token range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entity {
    /// First token.
    pub first: usize,
    /// Token after the last one.
    pub end: usize,
    /// The label.
    pub label: Label,
    /// The canonical name, shared by every mention of the entity.
    pub canonical: String,
}

#[derive(Debug)]
struct GazEntry {
    words: Vec<&'static str>,
    label: GazLabel,
    canonical: &'static str,
}

/// The recogniser with its word lists, built once per stage.
#[derive(Debug)]
pub struct Recognizer {
    /// The statistical tagger; `None` runs the rules alone.
    model: Option<&'static NerModel>,
    /// The tagger's per-word cache (with each word's `lex_flags`).
    tag_cache: RefCell<ner::TagCache>,
    first_names: HashSet<&'static str, FxBuild>,
    family_first: HashSet<&'static str, FxBuild>,
    not_name: HashSet<&'static str, FxBuild>,
    not_org_acronyms: HashSet<&'static str, FxBuild>,
    loc_heads: HashSet<&'static str, FxBuild>,
    org_heads: HashSet<&'static str, FxBuild>,
    /// Gazetteer entries keyed by their first word (and by `word + "s"` for genitives
    /// of one-word entries), longest first.
    gazetteer: HashMap<String, Vec<GazEntry>, FxBuild>,
}

/// Bits of [`Recognizer::lex_flags`] (bit `n` is its `checks[n]`) that the rules read
/// back from the tagger's word cache.
const FLAG_FIRST_NAME: u32 = 1 << 0;
const FLAG_FAMILY_FIRST: u32 = 1 << 1;
const FLAG_ROLE: u32 = 1 << 2;
/// Bits 4 and 5: the gazetteer has entries for the word (every entry is `Loc` or `Org`).
const FLAG_GAZETTEER: u32 = 1 << 4 | 1 << 5;
const FLAG_PLACE_WORD: u32 = 1 << 7;
const FLAG_ORG_COMPOUND: u32 = 1 << 8;
const FLAG_NAME_ADJECTIVE: u32 = 1 << 9;
const FLAG_CITY_ADJECTIVE: u32 = 1 << 10;

/// Whether the word-list check of `bits` holds: read from the word's cached `flags`
/// when there are any, else computed by `check`.
#[inline]
fn holds(flags: Option<u32>, bits: u32, check: impl FnOnce() -> bool) -> bool {
    match flags {
        Some(f) => f & bits != 0,
        None => check(),
    }
}

/// Particles that may open a run of particles inside a name (`von der`, `van den`).
const PARTICLES: &[&str] = &[
    "von", "van", "de", "da", "di", "bin", "al", "dos", "del", "ter", "le",
];
/// Particles allowed only after an opening particle.
const INNER_PARTICLES: &[&str] = &["der", "den", "dem", "la", "los", "zu"];
/// The lexicon flags of names of any kind (see [`ner::LEX_NOUN`] and the flags after it).
const NAME_FLAGS: u8 =
    ner::LEX_TOPONYM | ner::LEX_FIRST_NAME | ner::LEX_SURNAME | ner::LEX_PROPER | ner::LEX_CITY;
/// Currencies, which the tagger runs into the noun after them.
const CURRENCIES: &[&str] = &[
    "Euro",
    "Dollar",
    "US-Dollar",
    "Cent",
    "Yen",
    "Franken",
    "Pfund",
    "Rubel",
];
/// Lowercase words besides the particles that end no place or organisation: a span the
/// tagger ends in one took a word of the sentence along (`Nordkorea de facto`). Other
/// lowercase words may end a name (`Fédération romande`, `Luzenské údolí`).
const NOT_LAST: &[&str] = &[
    "und", "oder", "in", "im", "am", "an", "auf", "bei", "für", "vom", "zum", "zur", "des", "die",
    "das", "of", "the", "and", "et", "du", "y",
];

impl Default for Recognizer {
    fn default() -> Self {
        Recognizer::new()
    }
}

impl Recognizer {
    /// The recogniser with the rules alone (no statistical tagger).
    pub fn rules_only() -> Self {
        Recognizer {
            model: None,
            ..Recognizer::new()
        }
    }

    /// Builds the recogniser from the embedded lists and the embedded tagger.
    pub fn new() -> Self {
        let mut gazetteer: HashMap<String, Vec<GazEntry>, FxBuild> = HashMap::default();
        let lists = [
            (lexicon::PLACES, GazLabel::Loc),
            (lexicon::ORGANISATIONS, GazLabel::Org),
        ];
        for (list, label) in lists {
            for &(name, canonical) in list {
                let canonical = if canonical.is_empty() {
                    name
                } else {
                    canonical
                };
                let words: Vec<&'static str> = name.split(' ').collect();
                let first = words[0];
                if words.len() == 1 && !first.ends_with(['s', 'ß', 'x', 'z']) && !is_acronym(first)
                {
                    gazetteer
                        .entry(format!("{first}s"))
                        .or_default()
                        .push(GazEntry {
                            words: words.clone(),
                            label,
                            canonical,
                        });
                }
                gazetteer
                    .entry(first.to_owned())
                    .or_default()
                    .push(GazEntry {
                        words,
                        label,
                        canonical,
                    });
            }
        }
        for entries in gazetteer.values_mut() {
            entries.sort_by_key(|e| std::cmp::Reverse(e.words.len()));
        }
        Recognizer {
            model: Some(NerModel::embedded()).filter(|m| !m.is_empty()),
            tag_cache: RefCell::default(),
            first_names: lexicon::FIRST_NAMES.iter().copied().collect(),
            family_first: lexicon::FAMILY_NAME_FIRST.iter().copied().collect(),
            not_name: lexicon::NOT_NAME.iter().copied().collect(),
            not_org_acronyms: lexicon::NOT_ORG_ACRONYMS.iter().copied().collect(),
            loc_heads: lexicon::LOC_HEADS.iter().copied().collect(),
            org_heads: lexicon::ORG_HEADS.iter().copied().collect(),
            gazetteer,
        }
    }

    /// Finds the entities: the statistical tagger's spans, with canonical names from the
    /// gazetteer and the rules where they agree on the span, and persons linked across
    /// mentions. `sentences` are half-open token ranges.
    pub fn find(&self, text: &str, toks: &[Token], sentences: &[(usize, usize)]) -> Vec<Entity> {
        let mut starts = vec![false; toks.len()];
        for &(a, _) in sentences {
            starts[a] = true;
        }
        let Some(model) = self.model else {
            return self.find_rules(text, toks, &starts);
        };
        // Each token's word is looked up in the tagger's cache once, for the rules (its
        // word-list checks, made once per word while it stays cached) and the tagger.
        let cache = &mut *self.tag_cache.borrow_mut();
        let (mut ids, mut flags) = (Vec::new(), Vec::new());
        let words = toks.iter().map(|t| t.text(text));
        model.word_ids(words, &|t| self.lex_flags(t), cache, (&mut ids, &mut flags));
        let rules = self.find_rules_with(text, toks, &starts, Some(&flags));
        let hints = hints(toks.len(), &rules);
        let mut spans: Vec<(usize, usize, Label)> = Vec::new();
        let mut inputs = Vec::new();
        let mut tags = Vec::new();
        for &(a, b) in sentences {
            inputs.clear();
            inputs.extend((a..b).map(|i| ner::Input {
                word: toks[i].text(text),
                flags: flags[i],
                hint: hints[i],
            }));
            model.tag_ids(&inputs, &ids[a..b], &mut tags, cache);
            for (s, e, ty) in ner::spans(&tags) {
                let label = match ty {
                    0 => Label::Per,
                    1 => Label::Loc,
                    2 => Label::Org,
                    3 => Label::Misc,
                    _ => continue, // `deriv` and `part` are not entities of their own.
                };
                spans.extend(self.repaired(model, text, toks, (a + s, a + e), label));
            }
        }
        self.repair_with_names(model, text, toks, &mut spans);
        let ents = spans
            .into_iter()
            .map(|(first, end, label)| {
                // The rule entity with this span, if any.
                let rule = rules.iter().find(|r| r.first == first && r.end == end);
                // A short form the rules link to a person the document names in full is that
                // person, whatever the tagger took it for (`Djokovics` after `Novak Djokovic`,
                // `appellierte sie in Richtung Mitterlehner`).
                let label = match rule {
                    Some(r)
                        if r.label == Label::Per
                            && r.canonical.contains(' ')
                            && r.canonical != text[toks[first].start..toks[end - 1].end] =>
                    {
                        Label::Per
                    }
                    _ => label,
                };
                let canonical = if label == Label::Per {
                    String::new()
                } else if let Some(r) = rule.filter(|r| r.label == label) {
                    // (Of the same label: `die Firma McAfee` is not the person `John McAfee`.)
                    r.canonical.clone()
                } else {
                    match self.gazetteer_match(text, toks, first) {
                        Some((e2, _, c)) if e2 == end => c,
                        _ => text[toks[first].start..toks[end - 1].end].to_owned(),
                    }
                };
                Entity {
                    first,
                    end,
                    label,
                    canonical,
                }
            })
            .collect();
        self.propagate(text, toks, ents)
    }

    /// The tagger's span `first..end` without what it took along that is no part of a
    /// name, as one span or more:
    /// - a role before a person's first and last name is no part of the name;
    /// - a name ends in a name: a lowercase word the tagger took along is the sentence's
    ///   (`Gregor XII. ab`, a separable verb's particle, `Nordkorea de facto`); `al-Hariri`
    ///   is a name, and titles of works (`MISC`) may end in any word;
    /// - a dash ends no name (`Ö1 –`), and a currency is a name of its own (`Millionen Euro
    ///   Verlust` is `Euro`);
    /// - places side by side are places of their own (`Japan und Südkorea Nordkorea
    ///   offiziell anerkennen`), unless the gazetteer has them together.
    fn repaired(
        &self,
        model: &NerModel,
        text: &str,
        toks: &[Token],
        (first, mut end): (usize, usize),
        label: Label,
    ) -> Vec<(usize, usize, Label)> {
        let w = |i: usize| toks[i].text(text);
        while end - first > 1 && matches!(w(end - 1), "–" | "—" | "-") {
            end -= 1;
        }
        if label == Label::Misc {
            // A currency is a name of its own (`Millionen Euro Verlust`, `Euro zur Drachme`).
            if CURRENCIES.contains(&w(first)) {
                end = first + 1;
            }
            return vec![(first, end, label)];
        }
        // A role before a person's full name is no part of it (`Technikchef James Allison`),
        // and neither is a compound of a name and a common noun before a name
        // (`Graz-Coach Foda`, `Nasa-Ingenieur Gary Ruff`); `Heinz-Christian Strache` and
        // `Jean-Claude Juncker` begin with first names, and `Rabmer-Kollers Blockade-Vorwurf`
        // goes on with a common noun (see `repair_with_names`).
        let mut first = first;
        let noun_compound = |t: &str| {
            t.rsplit_once('-').is_some_and(|(head, tail)| {
                !head.is_empty()
                    && tail.starts_with(char::is_uppercase)
                    && model.lexicon_flags(tail) & ner::LEX_FIRST_NAME == 0
                    && model.is_noun(tail)
            })
        };
        let name_next = |t: &str| model.lexicon_flags(t) & NAME_FLAGS != 0 || !model.is_noun(t);
        if label == Label::Per
            && ((end - first > 2 && is_role(w(first)))
                || (end - first > 1 && noun_compound(w(first)) && name_next(w(first + 1))))
        {
            first += 1;
        }
        while end - first > 1 && {
            let last = w(end - 1);
            if label == Label::Per {
                last.starts_with(char::is_lowercase) && !last.contains(char::is_uppercase)
            } else {
                PARTICLES.contains(&last)
                    || INNER_PARTICLES.contains(&last)
                    || NOT_LAST.contains(&last)
            }
        } {
            end -= 1;
        }
        let places_apart = label == Label::Loc
            && end - first > 1
            && (first..end).all(|i| self.is_one_word_place(model, w(i)))
            && self
                .gazetteer_match(text, toks, first)
                .is_none_or(|(e, _, _)| e != end);
        if places_apart {
            return (first..end).map(|i| (i, i + 1, label)).collect();
        }
        vec![(first, end, label)]
    }

    /// Repairs `spans` with the names the document gives alone (`Trump`, `Kim`):
    /// - a name ends at a name in the genitive before a common noun: `Kims Amtsantritt`,
    ///   `Trumps Gesprächsangebot` are `Kims` and `Trumps` (but `Thomas Müller`, `Haus
    ///   Frohnenbruch` and `Franzis Verlag` stay whole; see
    ///   [`Recognizer::genitive_before_noun`]);
    /// - a person named alone elsewhere, run into a place, is the person and the place
    ///   (`Im August 2017 drohte Kim Guam`), where the place is a toponym and no name of a
    ///   person (`George Washington` stays whole).
    fn repair_with_names(
        &self,
        model: &NerModel,
        text: &str,
        toks: &[Token],
        spans: &mut Vec<(usize, usize, Label)>,
    ) {
        let w = |i: usize| toks[i].text(text);
        // Names given alone, and the family names of persons (`Jörg Haider`).
        let named_alone: HashSet<&str, FxBuild> = spans
            .iter()
            .filter(|&&(first, end, label)| {
                (end - first == 1 && label != Label::Misc) || label == Label::Per
            })
            .map(|&(_, end, _)| w(end - 1))
            .collect();
        let persons_alone: HashSet<&str, FxBuild> = spans
            .iter()
            .filter(|&&(first, end, label)| end - first == 1 && label == Label::Per)
            .map(|&(first, _, _)| w(first))
            .collect();
        let named = |stem: &str| named_alone.contains(stem);
        let mut places = Vec::new();
        for (first, end, label) in spans.iter_mut() {
            if *label == Label::Misc || *end - *first < 2 {
                continue;
            }
            let organisation = *label == Label::Org;
            let genitive = (*first..*end - 1)
                .find(|&k| self.genitive_before_noun(model, (w(k), w(k + 1)), organisation, named));
            if let Some(k) = genitive {
                *end = k + 1;
            }
            let last = w(*end - 1);
            let person_then_place = *label == Label::Per
                && *end - *first == 2
                && persons_alone.contains(w(*first))
                && self.is_one_word_place(model, last)
                && model.lexicon_flags(last) & (ner::LEX_FIRST_NAME | ner::LEX_SURNAME) == 0
                && !self.first_names.contains(last);
            if person_then_place {
                *end -= 1;
                places.push((*end, *end + 1, Label::Loc));
            }
        }
        if !places.is_empty() {
            spans.extend(places);
            spans.sort_unstable_by_key(|&(first, _, _)| first);
        }
    }

    /// Whether `name` is a name in the genitive and `next` a common noun that is no first
    /// name or toponym and heads no organisation or place (`Platz`, `Partei`), so that the
    /// name ends before it. The genitive is a name with `-s` that is no first name
    /// (`Thomas`). Its stem must be a name the document gives alone (`Trump`) or one of the
    /// curated places (`China`) when the form with `-s` is a noun or a name in its own
    /// right (`Haus`, `Jones`) or the span an organisation's (`Franzis Verlag`); else a
    /// name of the word lists (`Kim`, `Pjöngjang`) or a word no list knows will do before a
    /// word that is a noun by its own form and nothing else. Many nouns are also the names
    /// of small places or families (`Tod`, `Mutter`), which does not keep them in a name
    /// the document gives.
    fn genitive_before_noun(
        &self,
        model: &NerModel,
        (name, next): (&str, &str),
        organisation: bool,
        named_alone: impl Fn(&str) -> bool,
    ) -> bool {
        let Some(stem) = name.strip_suffix('s').filter(|s| s.chars().count() > 1) else {
            return false;
        };
        let own = model.lexicon_flags(name);
        if !is_capitalized(name)
            || self.first_names.contains(name)
            || own & ner::LEX_FIRST_NAME != 0
        {
            return false;
        }
        let known = || {
            named_alone(stem)
                || (self.gazetteer.get(stem)).is_some_and(|es| es.iter().any(|e| e.words == [stem]))
        };
        let listed =
            || model.lexicon_flags(stem) & NAME_FLAGS != 0 || self.first_names.contains(stem);
        // A word no list knows, with or without its `-s`, is a name the tagger took for one
        // (`Michelangelos Madonna`).
        let unknown = || own == 0 && model.lexicon_flags(stem) == 0;
        let next_flags = model.lexicon_flags(next);
        // A noun that is also a family's name (`Wagner`, `Mutter`) ends only a name the
        // document gives.
        let family = next_flags & (ner::LEX_SURNAME | ner::LEX_PROPER) != 0;
        // Without the document's word for it, the noun must be one by its own form: after
        // a name of the lists, a noun that may also name a small place (`Adenauers Tod`);
        // after a word no list knows, a noun and nothing else, as many foreign names end in
        // `-s` (`Demis Hassabis`, `Clemens Holzmeister`).
        let noun_or_place =
            next_flags & ner::LEX_NOUN != 0 && next_flags & !(ner::LEX_NOUN | ner::LEX_CITY) == 0;
        let only_noun = next_flags == ner::LEX_NOUN;
        let stem_is_name = if organisation || family || own & (ner::LEX_NOUN | NAME_FLAGS) != 0 {
            known()
        } else {
            known() || (noun_or_place && listed()) || (only_noun && unknown())
        };
        stem_is_name
            && is_capitalized(next)
            && next_flags & (ner::LEX_FIRST_NAME | ner::LEX_TOPONYM) == 0
            && model.is_noun(next)
            && !self.org_heads.contains(next)
            && !self.loc_heads.contains(next)
    }

    /// Whether `t` is a place by itself: a toponym in the lexicon that the gazetteer holds
    /// alone as a place (GeoNames alone also has places named `Jones` and `House`).
    fn is_one_word_place(&self, model: &NerModel, t: &str) -> bool {
        model.lexicon_flags(t) & ner::LEX_TOPONYM != 0
            && self.gazetteer.get(t).is_some_and(|es| {
                es.iter()
                    .any(|e| e.label == GazLabel::Loc && e.words == [t])
            })
    }

    /// Flags from the word lists that the tagger uses as features. Lowercase and other
    /// non-capitalised tokens only get the checks that can hold for them.
    pub fn lex_flags(&self, t: &str) -> u32 {
        let gaz = self.gazetteer.get(t);
        let mut checks = [false; 24];
        checks[4] = gaz.is_some_and(|es| es.iter().any(|e| e.label == GazLabel::Loc));
        checks[5] = gaz.is_some_and(|es| es.iter().any(|e| e.label == GazLabel::Org));
        checks[6] = gaz.is_some_and(|es| es.iter().any(|e| e.words.len() == 1));
        checks[16] = lexicon::ABBREVIATIONS.contains(&t);
        checks[17] = PARTICLES.contains(&t) || INNER_PARTICLES.contains(&t);
        if is_capitalized(t) {
            checks[0] = self.first_names.contains(t);
            checks[1] = self.family_first.contains(t);
            checks[2] = is_role(t);
            checks[3] = self.not_name.contains(t);
            checks[7] = is_place_word(t);
            checks[8] = is_org_compound(t);
            checks[9] = is_name_adjective(t);
            checks[10] = is_city_adjective(self, t);
            checks[11] = lexicon::month_number(t).is_some();
            checks[12] = lexicon::weekday_number(t).is_some();
            checks[13] = is_acronym(t);
            checks[14] = lexicon::CLUB_PREFIXES.contains(&t);
            checks[15] = lexicon::COMPANY_FORMS.contains(&t);
            checks[18] = lexicon::NOUN_SUFFIXES.iter().any(|s| t.ends_with(s));
            checks[19] = self.loc_heads.contains(t);
            checks[20] = self.org_heads.contains(t);
            checks[21] = self.not_org_acronyms.contains(t);
            // `name_like(t)`, from the checks above that it makes too.
            checks[22] = t.chars().nth(1).is_some()
                && !checks[13]
                && !t.chars().any(|c| c.is_ascii_digit())
                && !checks[3]
                && !checks[2]
                && !checks[11]
                && !checks[12]
                && !ends_in_noun_suffix(t);
            checks[23] = t
                .strip_suffix('s')
                .is_some_and(|b| self.first_names.contains(b) || self.gazetteer.contains_key(b));
        }
        checks
            .iter()
            .enumerate()
            .fold(0, |acc, (b, &c)| acc | (u32::from(c) << b))
    }

    /// The rule-based recogniser alone. `sentence_start[i]` tells whether token `i` starts
    /// a sentence.
    pub fn find_rules(&self, text: &str, toks: &[Token], sentence_start: &[bool]) -> Vec<Entity> {
        self.find_rules_with(text, toks, sentence_start, None)
    }

    /// [`Recognizer::find_rules`], with the tokens' `lex_flags` when they are known, so that
    /// the checks they hold are not made again.
    fn find_rules_with(
        &self,
        text: &str,
        toks: &[Token],
        sentence_start: &[bool],
        flags: Option<&[u32]>,
    ) -> Vec<Entity> {
        let w = |i: usize| toks.get(i).map_or("", |t: &Token| t.text(text));
        // Whether token `i` follows the previous one on the same line after a space.
        let spaced = |i: usize| {
            toks.get(i)
                .is_some_and(|t| t.space_before && t.newlines_before == 0)
        };
        let mut ents: Vec<Entity> = Vec::new();
        let mut i = 0;
        while i < toks.len() {
            if toks[i].kind != Kind::Word {
                i += 1;
                continue;
            }
            let t = w(i);
            let f = flags.map(|f| f[i]);
            let in_gazetteer = holds(f, FLAG_GAZETTEER, || true);
            if !is_capitalized(t) {
                // Lowercase particles only matter inside names; `dpa`, `taz` are known.
                if let Some((end, label, canonical)) = in_gazetteer
                    .then(|| self.gazetteer_match(text, toks, i))
                    .flatten()
                {
                    ents.push(Entity {
                        first: i,
                        end,
                        label,
                        canonical,
                    });
                    i = end;
                } else {
                    i += 1;
                }
                continue;
            }
            // 1. Role noun + name.
            if holds(f, FLAG_ROLE, || is_role(t)) {
                if let Some(end) = self.name_after(text, toks, i + 1, true) {
                    ents.push(Entity {
                        first: i + 1,
                        end,
                        label: Label::Per,
                        canonical: String::new(),
                    });
                    i = end;
                    continue;
                }
            }
            // 2. First name (or family name written first) + name tokens.
            let first_name = holds(f, FLAG_FIRST_NAME | FLAG_FAMILY_FIRST, || {
                self.first_names.contains(t) || self.family_first.contains(t)
            }) || self.is_double_first_name(t);
            if first_name && spaced(i + 1) {
                if let Some(end) = self.name_after(text, toks, i + 1, false) {
                    ents.push(Entity {
                        first: i,
                        end,
                        label: Label::Per,
                        canonical: String::new(),
                    });
                    i = end;
                    continue;
                }
            }
            // 3. Company forms: `Siemens AG`, `Kettner Edelmetalle GmbH`.
            if let Some(end) = company(text, toks, i) {
                let canonical = text[toks[i].start..toks[end - 1].end].to_owned();
                ents.push(Entity {
                    first: i,
                    end,
                    label: Label::Org,
                    canonical,
                });
                i = end;
                continue;
            }
            // 4. Gazetteer.
            if let Some((end, label, canonical)) = in_gazetteer
                .then(|| self.gazetteer_match(text, toks, i))
                .flatten()
            {
                ents.push(Entity {
                    first: i,
                    end,
                    label,
                    canonical,
                });
                i = end;
                continue;
            }
            // Sports clubs: `FC Bayern München`, `VfL Osnabrück`.
            if lexicon::CLUB_PREFIXES.contains(&t) {
                let mut end = i + 1;
                while end < toks.len()
                    && end < i + 4
                    && spaced(end)
                    && toks[end].kind == Kind::Word
                    && is_capitalized(w(end))
                {
                    end += 1;
                }
                if end > i + 1 {
                    let canonical = text[toks[i].start..toks[end - 1].end].to_owned();
                    ents.push(Entity {
                        first: i,
                        end,
                        label: Label::Org,
                        canonical,
                    });
                    i = end;
                    continue;
                }
            }
            // An initial and a surname: `W. Müller`.
            if t.len() == 1
                && w(i + 1) == "."
                && !toks[i + 1].space_before
                && spaced(i + 2)
                && toks.get(i + 2).is_some_and(|x| x.kind == Kind::Word)
                && self.name_like(w(i + 2))
                && !self.gazetteer.contains_key(w(i + 2))
            {
                ents.push(Entity {
                    first: i,
                    end: i + 3,
                    label: Label::Per,
                    canonical: String::new(),
                });
                i += 3;
                continue;
            }
            // Place names by their ending: `Ravensburg`, `Gelsenkirchen`.
            if holds(f, FLAG_PLACE_WORD, || is_place_word(t)) {
                let canonical = t
                    .strip_suffix('s')
                    .filter(|b| is_place_word(b))
                    .unwrap_or(t)
                    .to_owned();
                ents.push(Entity {
                    first: i,
                    end: i + 1,
                    label: Label::Loc,
                    canonical,
                });
                i += 1;
                continue;
            }
            // 5. Acronyms.
            if is_acronym(t) && t.chars().count() <= 6 && !self.not_org_acronyms.contains(t) {
                ents.push(Entity {
                    first: i,
                    end: i + 1,
                    label: Label::Org,
                    canonical: t.to_owned(),
                });
                i += 1;
                continue;
            }
            // 6. Capitalised adjectives inside a sentence: `Vereinten Nationen`.
            let adjective = holds(f, FLAG_NAME_ADJECTIVE, || is_name_adjective(t))
                || holds(f, FLAG_CITY_ADJECTIVE, || is_city_adjective(self, t));
            if !sentence_start[i] && adjective && spaced(i + 1) && toks[i + 1].kind == Kind::Word {
                let mut end = i + 1;
                while end < toks.len()
                    && spaced(end)
                    && toks[end].kind == Kind::Word
                    && is_capitalized(w(end))
                    && (end == i + 1 || is_name_adjective(w(end - 1)))
                {
                    end += 1;
                }
                if end > i + 1 {
                    let head = w(end - 1);
                    let label = if self.loc_heads.contains(head) {
                        Label::Loc
                    } else if self.org_heads.contains(head) {
                        Label::Org
                    } else {
                        Label::Misc
                    };
                    let canonical = text[toks[i].start..toks[end - 1].end].to_owned();
                    ents.push(Entity {
                        first: i,
                        end,
                        label,
                        canonical,
                    });
                    i = end;
                    continue;
                }
            }
            // 7. Organisation compounds: `Verteidigungsministerium`.
            if holds(f, FLAG_ORG_COMPOUND, || is_org_compound(t)) {
                let canonical = t
                    .strip_suffix("ums")
                    .map_or_else(|| t.to_owned(), |s| format!("{s}um"));
                ents.push(Entity {
                    first: i,
                    end: i + 1,
                    label: Label::Org,
                    canonical,
                });
                i += 1;
                continue;
            }
            i += 1;
        }
        self.propagate(text, toks, ents)
    }

    /// Two first names joined by a hyphen (`Hans-Peter`).
    fn is_double_first_name(&self, t: &str) -> bool {
        t.split_once('-')
            .is_some_and(|(a, b)| self.first_names.contains(a) && self.first_names.contains(b))
    }

    /// Name tokens from `j`: capitalised, name-like, on the same line; initials (`J.`) and
    /// particles (`von der`) inside. Returns the end when at least one name token matched.
    fn name_after(&self, text: &str, toks: &[Token], j: usize, after_role: bool) -> Option<usize> {
        let w = |i: usize| toks.get(i).map_or("", |t: &Token| t.text(text));
        let spaced = |i: usize| {
            toks.get(i)
                .is_some_and(|t| t.space_before && t.newlines_before == 0)
        };
        let mut k = j;
        let mut names = 0;
        while k < toks.len() && names < 4 && spaced(k) && toks[k].kind == Kind::Word {
            let t = w(k);
            let single_upper = t.chars().count() == 1 && is_capitalized(t);
            if single_upper
                && w(k + 1) == "."
                && !toks[k + 1].space_before
                && names > 0
                && spaced(k + 2)
            {
                k += 2; // An initial.
                continue;
            }
            if names > 0 && PARTICLES.contains(&t) {
                // Particles only inside a name: `Ursula von der Leyen`.
                let mut p = k + 1;
                while p < toks.len()
                    && (PARTICLES.contains(&w(p)) || INNER_PARTICLES.contains(&w(p)))
                    && spaced(p)
                {
                    p += 1;
                }
                if p < toks.len() && spaced(p) && self.name_like(w(p)) {
                    k = p;
                    continue;
                }
                break;
            }
            if !self.name_like(t) {
                break;
            }
            if after_role && names == 0 && self.gazetteer.contains_key(t) {
                break; // `Präsident Frankreichs`.
            }
            names += 1;
            k += 1;
        }
        (names > 0).then_some(k)
    }

    fn name_like(&self, t: &str) -> bool {
        let mut chars = t.chars();
        let Some(c) = chars.next() else { return false };
        if !c.is_uppercase() || chars.next().is_none() || is_acronym(t) {
            return false;
        }
        if t.chars().any(|c| c.is_ascii_digit()) || self.not_name.contains(t) || is_role(t) {
            return false;
        }
        if lexicon::month_number(t).is_some() || lexicon::weekday_number(t).is_some() {
            return false;
        }
        !ends_in_noun_suffix(t)
    }

    /// The longest gazetteer entry starting at token `i`.
    fn gazetteer_match(
        &self,
        text: &str,
        toks: &[Token],
        i: usize,
    ) -> Option<(usize, Label, String)> {
        let entries = self.gazetteer.get(toks[i].text(text))?;
        'entries: for e in entries {
            let n = e.words.len();
            if i + n > toks.len() {
                continue;
            }
            for (k, word) in e.words.iter().enumerate().skip(1) {
                let t = &toks[i + k];
                if !t.space_before || t.newlines_before > 0 || t.text(text) != *word {
                    continue 'entries;
                }
            }
            return Some((i + n, e.label.into(), e.canonical.to_owned()));
        }
        None
    }

    /// Links short forms to full names and finds further mentions of known persons.
    fn propagate(&self, text: &str, toks: &[Token], mut ents: Vec<Entity>) -> Vec<Entity> {
        let w = |i: usize| toks[i].text(text);
        // Full names first: their canonical forms and the keys that refer back to them.
        let mut votes: HashMap<&str, Vec<(String, usize)>, FxBuild> = HashMap::default();
        let mut full: HashSet<String, FxBuild> = HashSet::default();
        for e in ents
            .iter_mut()
            .filter(|e| e.label == Label::Per && e.end - e.first > 1)
        {
            e.canonical = normalize_name(&text[toks[e.first].start..toks[e.end - 1].end]);
            full.insert(e.canonical.clone());
        }
        // A misspelt full name (`Kim Kong Un`) joins a form one letter away from it that
        // is mentioned more often in the document (`Kim Jong Un`).
        let mut counts: HashMap<String, usize, FxBuild> = HashMap::default();
        for e in ents
            .iter()
            .filter(|e| e.label == Label::Per && e.end - e.first > 1)
        {
            *counts.entry(e.canonical.clone()).or_default() += 1;
        }
        for e in ents
            .iter_mut()
            .filter(|e| e.label == Label::Per && e.end - e.first > 1)
        {
            let own = counts.get(&e.canonical).copied().unwrap_or(0);
            if let Some((better, _)) = counts
                .iter()
                .filter(|(c, n)| **n > own && one_substitution(c, &e.canonical))
                .max_by_key(|(c, n)| (**n, std::cmp::Reverse((*c).clone())))
            {
                e.canonical = better.clone();
            }
        }
        full = ents
            .iter()
            .filter(|e| e.label == Label::Per && e.end - e.first > 1)
            .map(|e| e.canonical.clone())
            .collect();
        for e in ents
            .iter_mut()
            .filter(|e| e.label == Label::Per && e.end - e.first > 1)
        {
            // `Donald Trumps` → `Donald Trump` when that form occurs too.
            if let Some(base) = e.canonical.strip_suffix('s') {
                if full.contains(base) {
                    e.canonical = base.to_owned();
                }
            }
            let last = w(e.end - 1);
            let last = last
                .strip_suffix('s')
                .filter(|b| full.iter().any(|f| f.ends_with(b)))
                .unwrap_or(last);
            vote(&mut votes, last, &e.canonical);
            if self.family_first.contains(w(e.first)) {
                vote(&mut votes, w(e.first), &e.canonical);
            }
        }
        // A key refers to the full name mentioned most often with it; a tie is ambiguous.
        let mut keys: HashMap<&str, Option<String>, FxBuild> = votes
            .into_iter()
            .map(|(k, mut v)| {
                v.sort_by_key(|e| std::cmp::Reverse(e.1));
                let tie = v.len() > 1 && v[0].1 == v[1].1;
                let best = v.into_iter().next().map(|(c, _)| c);
                (k, if tie { None } else { best })
            })
            .collect();
        // Single-token person names from role cues also become keys.
        for e in ents
            .iter()
            .filter(|e| e.label == Label::Per && e.end - e.first == 1)
        {
            let t = w(e.first);
            if !keys.contains_key(t) && !keys.contains_key(t.strip_suffix('s').unwrap_or(t)) {
                keys.insert(t, Some(normalize_name(t)));
            }
        }
        // The lengths of the keys (see `length_bit`): most tokens have none of them and are
        // passed over without hashing them.
        let lens = keys.keys().fold(0, |m, k| m | length_bit(k.len()));
        let lookup = |t: &str| -> Option<String> {
            if lens & length_bit(t.len()) != 0 {
                if let Some(Some(c)) = keys.get(t) {
                    return Some(c.clone());
                }
            }
            let base = t.strip_suffix('s')?;
            if lens & length_bit(base.len()) == 0 {
                return None;
            }
            keys.get(base).cloned().flatten()
        };
        for e in ents
            .iter_mut()
            .filter(|e| e.label == Label::Per && e.end - e.first == 1)
        {
            e.canonical = lookup(w(e.first)).unwrap_or_else(|| normalize_name(w(e.first)));
        }
        // Further mentions of known persons in the tokens not yet covered.
        let mut covered = vec![false; toks.len()];
        for e in &ents {
            covered[e.first..e.end].iter_mut().for_each(|c| *c = true);
        }
        let mut more = Vec::new();
        for (i, tok) in toks.iter().enumerate() {
            if covered[i] || tok.kind != Kind::Word || !is_capitalized(w(i)) {
                continue;
            }
            if let Some(canonical) = lookup(w(i)) {
                more.push(Entity {
                    first: i,
                    end: i + 1,
                    label: Label::Per,
                    canonical,
                });
            }
        }
        if !more.is_empty() {
            ents.extend(more);
            ents.sort_by_key(|e| e.first);
        }
        self.link_acronyms(text, toks, &mut ents);
        ents
    }

    /// Gives an organisation's full name the canonical name of its acronym, when the
    /// initials of the name are an acronym the document names as an organisation or one of
    /// the curated organisations: `Korean Central News Agency` is `KCNA` in every document,
    /// whether it names the agency `KCNA` or not. A name of the curated lists keeps its own
    /// canonical name, and two initials are too often a coincidence to link by.
    fn link_acronyms(&self, text: &str, toks: &[Token], ents: &mut [Entity]) {
        let span = |e: &Entity| &text[toks[e.first].start..toks[e.end - 1].end];
        let named: Vec<(&str, String)> = ents
            .iter()
            .filter(|e| e.label == Label::Org && e.end - e.first == 1 && is_acronym(span(e)))
            .map(|e| (span(e), e.canonical.clone()))
            .collect();
        for e in ents
            .iter_mut()
            .filter(|e| e.label == Label::Org && e.end - e.first > 1)
        {
            let Some(initials) = initials(span(e)).filter(|i| i.len() >= 3) else {
                continue;
            };
            if self
                .gazetteer_match(text, toks, e.first)
                .is_some_and(|(end, _, _)| end == e.end)
            {
                continue;
            }
            let in_document = named.iter().find(|(a, _)| *a == initials);
            let curated = || {
                let entries = self.gazetteer.get(&initials)?;
                let entry = entries
                    .iter()
                    .find(|g| g.label == GazLabel::Org && g.words == [initials.as_str()])?;
                Some(entry.canonical.to_owned())
            };
            if let Some(canonical) = in_document.map(|(_, c)| c.clone()).or_else(curated) {
                e.canonical = canonical;
            }
        }
    }
}

/// The initials of a name of capitalised words (`Korean Central News Agency` → `KCNA`,
/// `Deutscher Fußball-Bund` → `DFB`), passing over the function words inside names
/// (`Bank of America` → `BA`); `None` when a word is neither.
fn initials(name: &str) -> Option<String> {
    const INNER: &[&str] = &[
        "of", "for", "the", "and", "on", "für", "der", "die", "das", "des", "dem", "den", "und",
        "von", "vom", "zur", "zum", "de", "du", "la", "le", "et",
    ];
    let mut out = String::new();
    for word in name.split([' ', '-']).filter(|w| !w.is_empty()) {
        let first = word.chars().next()?;
        if first.is_uppercase() {
            out.extend(first.to_uppercase());
        } else if !INNER.contains(&word) {
            return None;
        }
    }
    Some(out)
}

/// The rule entities as tagger hints: a BIO tag id per token (`MISC` as `OTH`).
pub fn hints(n: usize, ents: &[Entity]) -> Vec<u8> {
    let mut out = vec![0u8; n];
    for e in ents {
        let ty = match e.label {
            Label::Per => 0,
            Label::Loc => 1,
            Label::Org => 2,
            Label::Misc => 3,
        };
        out[e.first] = 1 + 2 * ty;
        for t in &mut out[e.first + 1..e.end] {
            *t = 2 + 2 * ty;
        }
    }
    out
}

fn vote<'a>(
    votes: &mut HashMap<&'a str, Vec<(String, usize)>, FxBuild>,
    key: &'a str,
    canonical: &str,
) {
    let v = votes.entry(key).or_default();
    match v.iter_mut().find(|(c, _)| c == canonical) {
        Some((_, n)) => *n += 1,
        None => v.push((canonical.to_owned(), 1)),
    }
}

/// Whether `a` and `b` (eight characters or more) differ in exactly one character at the
/// same position (`Kim Kong Un` ~ `Kim Jong Un`).
fn one_substitution(a: &str, b: &str) -> bool {
    if a.chars().count() != b.chars().count() || a.chars().count() < 8 {
        return false;
    }
    let mut diffs = 0;
    for (x, y) in a.chars().zip(b.chars()) {
        if x != y {
            diffs += 1;
        }
    }
    diffs == 1
}

/// Whether the last hyphen-separated part of `t` ends like a common noun.
fn ends_in_noun_suffix(t: &str) -> bool {
    let last = t.rsplit('-').next().unwrap_or(t);
    lexicon::NOUN_SUFFIXES.iter().any(|s| last.ends_with(s))
}

/// Whether `t` is a role noun that introduces a name (`US-Präsident`, `Außenministers`).
pub fn is_role(t: &str) -> bool {
    let roles = RoleSuffixes::get();
    role_forms(t).any(|p| roles.matches(p))
}

/// The forms of `t` a role is looked up by: its part after the last hyphen, as it is and
/// without an inflection ending (`-s`, `-en`, `-n`).
pub(crate) fn role_forms(t: &str) -> impl Iterator<Item = &str> {
    let part = t.rsplit('-').next().unwrap_or(t);
    [
        Some(part),
        part.strip_suffix('s'),
        part.strip_suffix("en"),
        part.strip_suffix('n'),
    ]
    .into_iter()
    .flatten()
}

/// [`lexicon::ROLE_SUFFIXES`] as a trie of their reversed bytes and a hash set, so that a
/// word is checked by walking back from its end instead of one comparison per role.
struct RoleSuffixes {
    /// The suffixes as listed (lowercase), reversed: see [`SuffixTrie`].
    lower: SuffixTrie,
    /// The suffixes with a capitalised first letter (`Präsident`).
    capitalized: HashSet<String, FxBuild>,
    /// Bit `n` (`n < 63`) is set when some entry of `capitalized` has `n` bytes; bit 63
    /// when one has more.
    capitalized_lens: u64,
}

impl RoleSuffixes {
    fn get() -> &'static RoleSuffixes {
        static ROLES: std::sync::OnceLock<RoleSuffixes> = std::sync::OnceLock::new();
        ROLES.get_or_init(|| {
            let capitalized: HashSet<String, FxBuild> = lexicon::ROLE_SUFFIXES
                .iter()
                .map(|r| {
                    let mut cs = r.chars();
                    cs.next()
                        .map(|c| c.to_uppercase().chain(cs).collect())
                        .unwrap_or_default()
                })
                .collect();
            RoleSuffixes {
                lower: SuffixTrie::new(lexicon::ROLE_SUFFIXES),
                capitalized_lens: capitalized.iter().fold(0, |m, c| m | length_bit(c.len())),
                capitalized,
            }
        })
    }

    /// `p` ends with a suffix, or equals one up to the case of its first letter (what
    /// [`ends_with_fold_first`] tells for each suffix).
    fn matches(&self, p: &str) -> bool {
        self.lower.any_suffix_of(p)
            || (self.capitalized_lens & length_bit(p.len()) != 0 && self.capitalized.contains(p))
    }
}

/// The bit of a set of string lengths (`RoleSuffixes::capitalized_lens`) for a length.
fn length_bit(len: usize) -> u64 {
    1 << len.min(63)
}

/// Strings as a trie of their bytes from the last one back, to tell whether a word ends
/// with any of them.
#[derive(Debug)]
struct SuffixTrie {
    /// Children per node (node 0 is the root, the empty suffix): `(byte, node)` pairs.
    children: Vec<Vec<(u8, u32)>>,
    /// Whether a string of the set ends at the node.
    terminal: Vec<bool>,
}

impl SuffixTrie {
    fn new(words: &[&str]) -> SuffixTrie {
        let mut trie = SuffixTrie {
            children: vec![Vec::new()],
            terminal: vec![false],
        };
        for w in words {
            let mut node = 0;
            for &b in w.as_bytes().iter().rev() {
                node = match trie.children[node].iter().find(|c| c.0 == b) {
                    Some(&(_, n)) => n as usize,
                    None => {
                        let n = trie.children.len();
                        trie.children[node].push((b, n as u32));
                        trie.children.push(Vec::new());
                        trie.terminal.push(false);
                        n
                    }
                };
            }
            trie.terminal[node] = true;
        }
        trie
    }

    /// Whether `p` ends with one of the non-empty strings. (A byte match of a whole
    /// string starts at a char boundary of `p`, since the string is valid UTF-8 on its
    /// own.)
    fn any_suffix_of(&self, p: &str) -> bool {
        let mut node = 0;
        for &b in p.as_bytes().iter().rev() {
            match self.children[node].iter().find(|c| c.0 == b) {
                Some(&(_, n)) => node = n as usize,
                None => return false,
            }
            if self.terminal[node] {
                return true;
            }
        }
        false
    }
}

/// `p` ends with the lowercase `suffix`, or equals it up to the case of the first letter.
pub(crate) fn ends_with_fold_first(p: &str, suffix: &str) -> bool {
    if p.ends_with(suffix) {
        return true;
    }
    if p.len() != suffix.len() {
        return false;
    }
    let mut a = p.chars();
    let mut b = suffix.chars();
    match (a.next(), b.next()) {
        (Some(x), Some(y)) => x.to_lowercase().eq(std::iter::once(y)) && a.as_str() == b.as_str(),
        _ => false,
    }
}

/// A capitalised adjective form, which inside a sentence only occurs in names.
fn is_name_adjective(t: &str) -> bool {
    const ENDINGS: &[&str] = &[
        "ische", "ischen", "ischer", "isches", "liche", "lichen", "licher", "ale", "alen", "aler",
    ];
    const WORDS: &[&str] = &[
        "Vereinigte",
        "Vereinigten",
        "Vereinte",
        "Vereinten",
        "Deutsche",
        "Deutschen",
        "Deutscher",
        "Neue",
        "Neuen",
        "Freie",
        "Freien",
        "Rote",
        "Roten",
        "Grüne",
        "Weiße",
        "Weißen",
        "Schwarze",
        "Schwarzen",
        "Heilige",
        "Heiligen",
        "Große",
        "Großen",
        "Erste",
        "Ersten",
        "Zweite",
        "Zweiten",
        "Dritte",
        "Dritten",
        "Olympische",
        "Olympischen",
        "Arabische",
        "Arabischen",
    ];
    is_capitalized(t)
        && (WORDS.contains(&t)
            || ENDINGS
                .iter()
                .any(|e| t.ends_with(e) && t.len() > e.len() + 2))
}

/// A city adjective (`Berliner`, `Frankfurter`), which starts a name: `Berliner Zeitung`.
fn is_city_adjective(rec: &Recognizer, t: &str) -> bool {
    t.strip_suffix("er").is_some_and(|base| {
        rec.gazetteer.get(base).is_some_and(|es| {
            es.iter()
                .any(|e| e.words.len() == 1 && e.label == GazLabel::Loc)
        })
    })
}

/// A single word that looks like a German place name by its ending.
fn is_place_word(t: &str) -> bool {
    let base = t.strip_suffix('s').unwrap_or(t);
    is_capitalized(t)
        && !t.contains('-')
        && lexicon::PLACE_SUFFIXES.iter().any(|s| {
            // At least four letters before the ending; not a common noun's ending.
            base.ends_with(s)
                && base.chars().count() >= s.chars().count() + 4
                && !(*s == "ingen"
                    && ["dingen", "ringen", "bringen", "gingen"]
                        .iter()
                        .any(|n| base.ends_with(n)))
        })
}

/// A compound naming an organisation (`Verteidigungsministerium`, `Arbeiterpartei`).
fn is_org_compound(t: &str) -> bool {
    lexicon::ORG_SUFFIXES
        .iter()
        .any(|s| t.ends_with(s) && t.len() > s.len() + 3)
        && !lexicon::NOT_ORG_COMPOUNDS
            .iter()
            .any(|n| t.len() == n.len() && ends_with_fold_first(t, n))
}

/// Capitalised tokens ending in a company form (`Siemens AG`): the end token index.
fn company(text: &str, toks: &[Token], i: usize) -> Option<usize> {
    for (k, t) in toks.iter().enumerate().take(i + 4).skip(i + 1) {
        if !t.space_before || t.newlines_before > 0 || t.kind != Kind::Word {
            return None;
        }
        let tt = t.text(text);
        if lexicon::COMPANY_FORMS.contains(&tt) {
            return Some(k + 1);
        }
        if !is_capitalized(tt) {
            return None;
        }
    }
    None
}

/// Normalises a person's name: whitespace collapsed; a hyphen followed by a lowercase name
/// part becomes a space and the part is capitalised (`Kim Jong-un` → `Kim Jong Un`,
/// while `Kramp-Karrenbauer` stays).
pub fn normalize_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for (n, word) in name.split_whitespace().enumerate() {
        if n > 0 {
            out.push(' ');
        }
        let mut parts = word.split('-');
        out.push_str(parts.next().unwrap_or(""));
        for part in parts {
            let mut cs = part.chars();
            match cs.next() {
                Some(c) if c.is_lowercase() => {
                    out.push(' ');
                    out.extend(c.to_uppercase());
                    out.push_str(cs.as_str());
                }
                _ => {
                    out.push('-');
                    out.push_str(part);
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sentences;
    use crate::tokenize::tokenize;

    #[test]
    fn cached_flags_agree_with_the_checks_they_replace() {
        let rec = Recognizer::rules_only();
        let mut words: Vec<&str> = vec![
            "Müller",
            "Schmidt-Meier",
            "G7",
            "A",
            "Ä",
            "Januar",
            "Montags",
            "NATO",
            "Zeitung",
            "Meier-Regierung",
            "O'Neill",
            "Jong-un",
            "Präsident",
            "Außenministers",
            "Bundeskanzlerin",
            "Gelsenkirchen",
            "Ravensburgs",
            "Verteidigungsministerium",
            "Vereinten",
            "Olympischen",
            "Berliner",
            "Frankfurter",
            "Anna",
            "Hans-Peter",
            "Kim",
            "dpa",
            "taz",
            "Berlin",
            "Berlins",
            "der",
            "und",
            "Bundesliga",
            "Deutschen",
            "EU",
            "Ministeriums",
            "Landkreis",
            "Sprecherin",
        ];
        words.extend(
            lexicon::PLACES
                .iter()
                .map(|p| p.0.split(' ').next().unwrap_or("")),
        );
        words.extend(lexicon::ORGANISATIONS.iter().map(|p| p.0));
        words.extend(lexicon::ROLE_SUFFIXES.iter().copied());
        words.extend(lexicon::FIRST_NAMES.iter().copied());
        words.extend(lexicon::FAMILY_NAME_FIRST.iter().copied());
        words.extend(lexicon::NOT_NAME.iter().copied());
        for t in words {
            let f = Some(rec.lex_flags(t));
            let no = || panic!("computed although cached");
            assert_eq!(
                holds(f, FLAG_GAZETTEER, no),
                rec.gazetteer.contains_key(t),
                "{t}"
            );
            if !is_capitalized(t) {
                continue;
            }
            let first = rec.first_names.contains(t) || rec.family_first.contains(t);
            assert_eq!(holds(f, FLAG_FIRST_NAME | FLAG_FAMILY_FIRST, no), first);
            assert_eq!(holds(f, FLAG_ROLE, no), is_role(t), "{t}");
            assert_eq!(holds(f, FLAG_PLACE_WORD, no), is_place_word(t), "{t}");
            assert_eq!(holds(f, FLAG_ORG_COMPOUND, no), is_org_compound(t), "{t}");
            assert_eq!(holds(f, FLAG_NAME_ADJECTIVE, no), is_name_adjective(t));
            let city = is_city_adjective(&rec, t);
            assert_eq!(holds(f, FLAG_CITY_ADJECTIVE, no), city, "{t}");
            assert_eq!(holds(f, 1 << 22, no), rec.name_like(t), "{t}");
        }
    }

    #[test]
    fn role_lookup_agrees_with_comparing_every_suffix() {
        let brute = |p: &str| {
            lexicon::ROLE_SUFFIXES
                .iter()
                .any(|r| ends_with_fold_first(p, r))
        };
        let mut words: Vec<String> = vec![
            "Bundespräsident".into(),
            "Präsident".into(),
            "präsident".into(),
            "Präsidentin".into(),
            "Außenminister".into(),
            "Chef".into(),
            "Küchenchef".into(),
            "Haus".into(),
            "Ministerium".into(),
            "Führer".into(),
            "Ä".into(),
            String::new(),
        ];
        for r in lexicon::ROLE_SUFFIXES {
            let mut cs = r.chars();
            let cap: String = cs.next().unwrap().to_uppercase().chain(cs).collect();
            words.push(format!("Vize{r}"));
            words.push(format!("{cap}x"));
            words.push(cap);
        }
        for w in &words {
            assert_eq!(RoleSuffixes::get().matches(w), brute(w), "{w}");
        }
    }

    #[test]
    fn suffix_trie_finds_exactly_the_suffixes() {
        let list = ["chef", "rat", "räte", "ß", "leiter", "präsident"];
        let trie = SuffixTrie::new(&list);
        let words = [
            "",
            "Chef",
            "Küchenchef",
            "Chefs",
            "Stadtrat",
            "Beiräte",
            "räte",
            "äte",
            "Fuß",
            "Fuss",
            "Abteilungsleiter",
            "Leiterin",
            "präsident",
            "Präsident",
            "räsident",
            "t",
        ];
        for w in words {
            let brute = list.iter().any(|s| w.ends_with(s));
            assert_eq!(trie.any_suffix_of(w), brute, "{w}");
        }
    }

    fn ents(text: &str) -> Vec<(String, &'static str, String)> {
        let mut toks = Vec::new();
        tokenize(text, &mut toks);
        let mut starts = vec![false; toks.len()];
        for (a, _) in sentences::split(text, &toks, true) {
            starts[a] = true;
        }
        Recognizer::rules_only()
            .find_rules(text, &toks, &starts)
            .into_iter()
            .map(|e| {
                (
                    text[toks[e.first].start..toks[e.end - 1].end].to_owned(),
                    e.label.as_str(),
                    e.canonical,
                )
            })
            .collect()
    }

    fn has(all: &[(String, &str, String)], text: &str, label: &str, canonical: &str) -> bool {
        all.iter()
            .any(|(t, l, c)| t == text && *l == label && c == canonical)
    }

    /// Persons the tagger finds in `text`, as their text.
    fn tagged_persons(text: &str) -> Vec<String> {
        (tagged(text).into_iter())
            .filter(|(_, label, _)| *label == "PER")
            .map(|(span, _, _)| span)
            .collect()
    }

    /// The tagger's entities of `text` with their labels and canonical names.
    fn tagged(text: &str) -> Vec<(String, &'static str, String)> {
        let mut toks = Vec::new();
        tokenize(text, &mut toks);
        let sents = sentences::split(text, &toks, true);
        Recognizer::new()
            .find(text, &toks, &sents)
            .into_iter()
            .map(|e| {
                let span = text[toks[e.first].start..toks[e.end - 1].end].to_owned();
                (span, e.label.as_str(), e.canonical)
            })
            .collect()
    }

    #[test]
    fn an_organisation_named_in_full_shares_its_acronyms_canonical_name() {
        // Seed 004 names the agency in full, seed 003 by its acronym: one name.
        let all = tagged(
            "„Ich habe gute Erinnerungen“, sagte er laut der staatlichen Nachrichtenagentur \
             Korean Central News Agency in einer Rede.",
        );
        assert!(
            has(&all, "Korean Central News Agency", "ORG", "KCNA"),
            "{all:?}"
        );
        let all = tagged("Das meldete die staatliche Nachrichtenagentur KCNA am Freitag.");
        assert!(has(&all, "KCNA", "ORG", "KCNA"), "{all:?}");
        // An acronym the document names links a full name the lists do not know; one it
        // does not name, or names as no organisation, links nothing.
        let text = "Die Internationale Raumfahrt Union warnte. Die IRU tagt in Genf.";
        let mut toks = Vec::new();
        tokenize(text, &mut toks);
        let org = |first, end, canonical: &str| Entity {
            first,
            end,
            label: Label::Org,
            canonical: canonical.to_owned(),
        };
        let full = org(1, 4, "Internationale Raumfahrt Union");
        let rec = Recognizer::rules_only();
        let mut ents = vec![full.clone(), org(7, 8, "IRU")];
        rec.link_acronyms(text, &toks, &mut ents);
        assert_eq!(ents[0].canonical, "IRU");
        let mut ents = vec![full.clone()];
        rec.link_acronyms(text, &toks, &mut ents);
        assert_eq!(ents[0].canonical, "Internationale Raumfahrt Union");
        let mut ents = vec![
            full,
            Entity {
                label: Label::Loc,
                ..org(7, 8, "IRU")
            },
        ];
        rec.link_acronyms(text, &toks, &mut ents);
        assert_eq!(ents[0].canonical, "Internationale Raumfahrt Union");
        // A curated acronym links a full name the lists do not know.
        let text = "Der Deutsche Fußball-Bund tagte.";
        let mut toks = Vec::new();
        tokenize(text, &mut toks);
        let mut ents = vec![org(1, 3, "Deutsche Fußball-Bund")];
        rec.link_acronyms(text, &toks, &mut ents);
        assert_eq!(ents[0].canonical, "DFB");
        // A curated name keeps its own canonical name, and two initials link nothing.
        let all = tagged("Die Europäische Union und die EU-Kommission berieten in Brüssel.");
        assert!(
            has(&all, "Europäische Union", "ORG", "Europäische Union"),
            "{all:?}"
        );
        let all = tagged("Die Alpha Partners kauften Aktien, meldete AP.");
        assert!(
            !all.iter()
                .any(|(t, _, c)| t == "Alpha Partners" && c == "Associated Press"),
            "{all:?}"
        );
    }

    #[test]
    fn initials_pass_over_the_words_inside_names() {
        assert_eq!(
            initials("Korean Central News Agency").as_deref(),
            Some("KCNA")
        );
        assert_eq!(initials("Deutscher Fußball-Bund").as_deref(), Some("DFB"));
        assert_eq!(initials("Bank of America").as_deref(), Some("BA"));
        assert_eq!(initials("Partei der Arbeit Koreas").as_deref(), Some("PAK"));
        assert_eq!(
            initials("Organisation für wirtschaftliche Zusammenarbeit"),
            None
        );
    }

    #[test]
    fn a_person_ends_in_a_name_not_in_a_lowercase_word() {
        let persons = tagged_persons(
            "Nach langem Streit trat 1415 Papst Gregor XII. ab, um beim Konzil die Einheit zu retten.",
        );
        assert_eq!(persons, ["Gregor XII."]);
        let persons =
            tagged_persons("Am Montag traf sich der Außenminister mit Rafik al-Hariri in Beirut.");
        assert_eq!(persons, ["Rafik al-Hariri"]);
    }

    #[test]
    fn a_short_form_of_a_person_named_in_full_is_that_person() {
        // The tagger takes these for an organisation and a place on their own.
        let texts = [
            "Vizekanzler Reinhold Mitterlehner verhandelt. Man solle das Gespräch mit den \
             Sozialpartnern suchen, appellierte sie in Richtung Mitterlehner. An diesen seien \
             gute Lösungen jedenfalls noch nicht herangetragen worden.",
            "Jeremy Corbyn sprach im Parlament. Labour-Oppositionsführer Jeremy Corbyn forderte \
             Cameron auf, Stellung zu nehmen. Die Antwort an Corbyn blieb aus.",
        ];
        for (text, short) in texts.iter().zip(["Mitterlehner", "Corbyn"]) {
            let persons = tagged_persons(text);
            assert!(persons.iter().any(|p| p == short), "{persons:?}");
        }
    }

    /// The texts of `spans` of `text` after [`Recognizer::repaired`] and
    /// [`Recognizer::repair_with_names`]; each span is given by its words (the first place
    /// they occur).
    fn repaired_spans(text: &str, spans: &[(&str, Label)]) -> Vec<(String, Label)> {
        let rec = Recognizer::new();
        let model = NerModel::embedded();
        let mut toks = Vec::new();
        tokenize(text, &mut toks);
        let mut out: Vec<(usize, usize, Label)> = Vec::new();
        for &(words, label) in spans {
            let words: Vec<&str> = words.split(' ').collect();
            let first = (0..toks.len())
                .find(|&i| {
                    let at = |k: usize| toks.get(i + k).map(|t| t.text(text));
                    words.iter().enumerate().all(|(k, w)| at(k) == Some(*w))
                })
                .unwrap_or_else(|| panic!("{words:?}"));
            out.extend(rec.repaired(model, text, &toks, (first, first + words.len()), label));
        }
        rec.repair_with_names(model, text, &toks, &mut out);
        out.into_iter()
            .map(|(a, b, l)| (text[toks[a].start..toks[b - 1].end].to_owned(), l))
            .collect()
    }

    /// The texts alone of [`repaired_spans`].
    fn repaired_texts(text: &str, spans: &[(&str, Label)]) -> Vec<String> {
        repaired_spans(text, spans)
            .into_iter()
            .map(|(t, _)| t)
            .collect()
    }

    #[test]
    fn a_compound_of_a_name_and_a_noun_before_a_name_is_no_part_of_it() {
        use Label::Per;
        let text = "Graz-Coach Foda lobte, Nasa-Ingenieur Gary Ruff auch. Heinz-Christian \
            Strache und Jean-Claude Juncker kamen. Rabmer-Kollers Blockade-Vorwurf bleibt.";
        let spans = [
            ("Graz-Coach Foda", Per),
            ("Nasa-Ingenieur Gary Ruff", Per),
            ("Heinz-Christian Strache", Per),
            ("Jean-Claude Juncker", Per),
            ("Rabmer-Kollers Blockade-Vorwurf", Per),
        ];
        assert_eq!(
            repaired_texts(text, &spans),
            [
                "Foda",
                "Gary Ruff",
                "Heinz-Christian Strache",
                "Jean-Claude Juncker",
                "Rabmer-Kollers Blockade-Vorwurf"
            ]
        );
    }

    #[test]
    fn names_end_before_a_noun_they_govern_and_before_words_of_the_sentence() {
        use Label::{Loc, Misc, Org, Per};
        let text = "Zwei Jahre nach Kims Amtsantritt stützt Pjöngjang Moskaus Krieg. Trump \
            bleibt bei Trumps Gesprächsangebot. Thomas Müller war im Haus Frohnenbruch, Jones \
            House und beim Franzis Verlag. Das erkennt Nordkorea de facto an; Japan und Südkorea \
            Nordkorea anerkennen. Gregor verzichtet. Er las Sinnvoll schreiben. Kim drohte. Im \
            August 2017 drohte Kim Guam. George Washington. Jörg Haider starb; seit Haiders \
            Tod ist Rolf Clemens Wagner Michelangelos Madonna los. Technikchef James Allison. Drei \
            Millionen Euro Verlust meldet Ö1 – am Abend.";
        let spans = [
            ("Kims Amtsantritt", Per),
            ("Moskaus Krieg", Loc),
            ("Trump", Per),
            ("Trumps Gesprächsangebot", Per),
            ("Thomas Müller", Per),
            ("Haus Frohnenbruch", Loc),
            ("Jones House", Loc),
            ("Franzis Verlag", Org),
            ("Nordkorea de", Loc),
            ("Südkorea Nordkorea", Loc),
            ("Gregor verzichtet", Per),
            ("Sinnvoll schreiben", Misc),
            ("Kim", Per),
            ("Kim Guam", Per),
            ("George Washington", Per),
            ("Jörg Haider", Per),
            ("Haiders Tod", Per),
            ("Rolf Clemens Wagner", Per),
            ("Michelangelos Madonna", Per),
            ("Technikchef James Allison", Per),
            ("Euro Verlust", Misc),
            ("Ö1 –", Misc),
        ];
        let want = [
            ("Kims", Per),
            ("Moskaus", Loc),
            ("Trump", Per),
            ("Trumps", Per),
            ("Thomas Müller", Per),
            ("Haus Frohnenbruch", Loc),
            ("Jones House", Loc),
            ("Franzis Verlag", Org),
            ("Nordkorea", Loc),
            ("Südkorea", Loc),
            ("Nordkorea", Loc),
            ("Gregor", Per),
            ("Sinnvoll schreiben", Misc),
            ("Kim", Per),
            ("Kim", Per),
            ("Guam", Loc),
            ("George Washington", Per),
            ("Jörg Haider", Per),
            ("Haiders", Per),
            ("Rolf Clemens Wagner", Per),
            ("Michelangelos", Per),
            ("James Allison", Per),
            ("Euro", Misc),
            ("Ö1", Misc),
        ];
        let want: Vec<(String, Label)> = want.iter().map(|&(t, l)| (t.to_owned(), l)).collect();
        assert_eq!(repaired_spans(text, &spans), want);
        // Before a compound no list holds as a noun, a genitive needs the document to name
        // its stem (`Trump`), and so does a name that is also a noun (`Kochs Firma` after
        // `Koch`); the lowercase words of organisations' names stay.
        let text =
            "Er sprach über Trumps Gesprächsangebot, Kochs Firma und die Fédération romande.";
        let spans = [
            ("Trumps Gesprächsangebot", Per),
            ("Kochs Firma", Per),
            ("Fédération romande", Org),
        ];
        let got = repaired_texts(text, &spans);
        assert_eq!(
            got,
            [
                "Trumps Gesprächsangebot",
                "Kochs Firma",
                "Fédération romande"
            ]
        );
        // Foreign names end in `-s` and family names in nouns.
        let text = "Demis Hassabis, Clemens Holzmeister und Michelangelos Madonna.";
        let spans = [
            ("Demis Hassabis", Per),
            ("Clemens Holzmeister", Per),
            ("Michelangelos Madonna", Per),
        ];
        let got = repaired_texts(text, &spans);
        assert_eq!(
            got,
            ["Demis Hassabis", "Clemens Holzmeister", "Michelangelos"]
        );
        let text = "Roland Koch verkauft. Kochs Firma ist teuer.";
        let got = repaired_texts(text, &[("Roland Koch", Per), ("Kochs Firma", Per)]);
        assert_eq!(got, ["Roland Koch", "Kochs"]);
    }

    #[test]
    fn a_noun_is_known_by_itself_or_by_the_noun_it_ends_in() {
        let model = NerModel::embedded();
        for noun in [
            "Krieg",
            "Amtsantritt",
            "Gesprächsangebot",
            "Langstreckenraketen",
        ] {
            assert!(model.is_noun(noun), "{noun}");
        }
        for name in ["Trump", "Kim", "Pjöngjang", "Guam"] {
            assert!(!model.is_noun(name), "{name}");
        }
    }

    #[test]
    fn role_cues_find_people() {
        let all = ents("Das sagte US-Präsident Donald Trump. Auch Außenminister Cho Hyun war da, so China-Experte Christian Wirth.");
        assert!(has(&all, "Donald Trump", "PER", "Donald Trump"), "{all:?}");
        assert!(has(&all, "Cho Hyun", "PER", "Cho Hyun"), "{all:?}");
        assert!(
            has(&all, "Christian Wirth", "PER", "Christian Wirth"),
            "{all:?}"
        );
        assert!(!all.iter().any(|(t, _, _)| t.contains("Präsident")));
    }

    #[test]
    fn short_forms_and_genitives_link_to_the_full_name() {
        let all = ents(
            "Machthaber Kim Jong Un traf Donald Trump. Später lobte Trump Kims Rede, sagte Kim.",
        );
        assert!(has(&all, "Kim Jong Un", "PER", "Kim Jong Un"), "{all:?}");
        assert!(has(&all, "Trump", "PER", "Donald Trump"), "{all:?}");
        assert!(has(&all, "Kims", "PER", "Kim Jong Un"), "{all:?}");
        assert!(has(&all, "Kim", "PER", "Kim Jong Un"), "{all:?}");
    }

    #[test]
    fn spelling_variants_share_one_canonical() {
        assert_eq!(normalize_name("Kim Jong-un"), "Kim Jong Un");
        assert_eq!(normalize_name("Kim  Jong Un"), "Kim Jong Un");
        assert_eq!(
            normalize_name("Annegret Kramp-Karrenbauer"),
            "Annegret Kramp-Karrenbauer"
        );
        let all = ents("Der Präsident lud Kim Jong-un ein.");
        assert!(has(&all, "Kim Jong-un", "PER", "Kim Jong Un"), "{all:?}");
    }

    #[test]
    fn places_with_genitives_and_aliases() {
        let all = ents("Die Botschaft aus Pjöngjang erreichte Washington. Nordkoreas Machthaber und die Vereinigten Staaten.");
        assert!(has(&all, "Pjöngjang", "LOC", "Pjöngjang"));
        assert!(has(&all, "Washington", "LOC", "Washington"));
        assert!(has(&all, "Nordkoreas", "LOC", "Nordkorea"), "{all:?}");
        assert!(has(&all, "Vereinigten Staaten", "LOC", "USA"), "{all:?}");
    }

    #[test]
    fn organisations_from_acronyms_lists_and_compounds() {
        let all = ents(
            "Laut KCNA, AFP und der UN tagte das Verteidigungsministerium der Arbeiterpartei.",
        );
        assert!(has(&all, "KCNA", "ORG", "KCNA"));
        assert!(has(&all, "AFP", "ORG", "AFP"));
        assert!(has(&all, "UN", "ORG", "Vereinte Nationen"));
        assert!(
            has(
                &all,
                "Verteidigungsministerium",
                "ORG",
                "Verteidigungsministerium"
            ),
            "{all:?}"
        );
        assert!(has(&all, "Arbeiterpartei", "ORG", "Arbeiterpartei"));
        let all = ents("Er arbeitet bei der Siemens AG in München.");
        assert!(has(&all, "Siemens AG", "ORG", "Siemens AG"), "{all:?}");
    }

    #[test]
    fn capitalised_adjectives_mark_names() {
        let all = ents("Nach dem Zweiten Weltkrieg gründeten sie die Vereinten Nationen.");
        assert!(
            has(&all, "Zweiten Weltkrieg", "MISC", "Zweiten Weltkrieg"),
            "{all:?}"
        );
        assert!(
            has(&all, "Vereinten Nationen", "ORG", "Vereinte Nationen"),
            "{all:?}"
        );
    }

    #[test]
    fn common_nouns_are_not_names() {
        let all = ents("Die Regierung signalisierte Bereitschaft zu Gesprächen. Der Präsident der Vereinigten Staaten schwieg.");
        assert!(all.iter().all(|(_, l, _)| *l != "PER"), "{all:?}");
    }

    #[test]
    fn role_detection_handles_inflection() {
        assert!(is_role("Präsidenten"));
        assert!(is_role("Sicherheitsratssekretärs"));
        assert!(is_role("China-Experte"));
        assert!(is_role("Machthaber"));
        assert!(!is_role("Präsidentschaft"));
        assert!(!is_role("Bedingung"));
    }
}
