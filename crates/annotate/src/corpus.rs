//! Persons linked across the documents of a corpus. Within a document, a person named by
//! one word (`Merkel`, `Trumps`) takes the full name the document gives (`Angela
//! Merkel`); a document that never gives it leaves the one word as the canonical name.
//! [`CorpusNames`] collects the full names of every document and gives such a word the full
//! name the corpus names it by, so that `Merkel` is `Angela Merkel` in every document.

use std::collections::{HashMap, HashSet};

use crate::lexicon;
use crate::ner::{NerModel, LEX_FIRST_NAME};

/// The share of the documents naming a person in full by a key (a family name) that one
/// full name needs before the key stands for it: `Trump` is `Donald Trump` when he is
/// named in 80 % of the documents that name any Trump in full, and `Müller`, shared by
/// many, stands for no one.
const DOMINANT_SHARE: f64 = 0.8;

/// Documents that must name a person in full before a word alone may stand for them: a
/// name given once (`Karin Henkel`, `Nelson Davis`) is too often the family name of
/// someone else, or a company or cup (`teilte Henkel mit`, `Davis Cup`), elsewhere.
const MIN_DOCUMENTS: u32 = 2;

/// The full names of the persons of a corpus, by the words that refer back to them.
#[derive(Debug, Default)]
pub struct CorpusNames {
    /// Key (a family name) → full name → documents naming that full name.
    by_key: HashMap<String, HashMap<String, u32>>,
    /// Word → documents naming a person by it alone, without a full name it refers to.
    alone: HashMap<String, u32>,
    /// After [`CorpusNames::settle`]: word used alone → the full name it may stand for.
    links: HashMap<String, String>,
    /// Full name of `links` → the persons and organisations of the documents naming it.
    context: HashMap<String, HashSet<u64>>,
}

/// Whether `word` is a first name (of the word lists or the tagger's lexicon): alone, it
/// says nothing of the family (`Paul` is not `Laura Paul`).
fn is_first_name(word: &str) -> bool {
    // The lexicon's hash lookup first: it knows most, and the list is searched in order.
    NerModel::embedded().lexicon_flags(word) & LEX_FIRST_NAME != 0
        || lexicon::FIRST_NAMES.contains(&word)
}

/// Whether `name` (two words or more) reads as a person's full name: it starts with a first
/// name (`Heinz-Christian Strache` with `Heinz`) or an East Asian family name (`Kim Jong
/// Un`). The tagger also takes clubs and titles for persons (`Admira Wacker`, `Tomb
/// Raider`), whose last words must not become names of their own.
fn is_person_name(name: &str) -> bool {
    let first = name.split(' ').next().unwrap_or_default();
    let first_part = first.split('-').next().unwrap_or_default();
    is_first_name(first_part) || lexicon::FAMILY_NAME_FIRST.contains(&first)
}

/// The words a full name is referred back to by: its last word (`Angela Merkel` →
/// `Merkel`), and its first when that is an East Asian family name (`Kim Jong Un` → `Kim`).
fn keys(full_name: &str) -> impl Iterator<Item = &str> {
    let mut words = full_name.split(' ');
    let first = words
        .next()
        .filter(|w| lexicon::FAMILY_NAME_FIRST.contains(w));
    let last = full_name.rsplit(' ').next();
    first.into_iter().chain(last)
}

/// The words the full names among `persons` refer back to.
fn own_keys<'a>(persons: &[&'a str]) -> HashSet<&'a str> {
    persons
        .iter()
        .copied()
        .filter(|c| is_full(c))
        .flat_map(keys)
        .collect()
}

/// The keys a person named by one word may be found under: the word, and without the
/// `s` of a genitive (`Merkels`).
fn candidates(word: &str) -> impl Iterator<Item = &str> + Clone {
    let base = word.strip_suffix('s').filter(|b| !b.is_empty());
    std::iter::once(word).chain(base)
}

/// Whether `canonical` is a full name (two words or more) rather than one word.
fn is_full(canonical: &str) -> bool {
    canonical.contains(' ')
}

/// One document's entities as `(label, canonical)` pairs (`PER`, `LOC`, `ORG`, `MISC`).
pub type DocEntities<'a> = [(&'a str, &'a str)];

/// Entities a document shares with the documents naming a person in full are what tell
/// that a word it uses alone is that person: at most this many are kept per person (as
/// 64-bit hashes, so that a person costs at most some 10 KB however large the corpus).
const CONTEXT_KEPT: usize = 512;

/// A hash of an entity's canonical name, for [`CorpusNames::context`].
fn context_hash(canonical: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::hash::DefaultHasher::new();
    canonical.hash(&mut hasher);
    hasher.finish()
}

/// The persons among `entities`, each once.
fn persons<'a>(entities: &DocEntities<'a>) -> Vec<&'a str> {
    let mut out: Vec<&str> = Vec::new();
    for &(label, canonical) in entities {
        if label == "PER" && !out.contains(&canonical) {
            out.push(canonical);
        }
    }
    out
}

/// The persons and organisations among `entities` but `left_out`: what a document is
/// about, as far as it tells who someone is (places are too widely shared: the footballer
/// and the politician of one family name both live in `Österreich`).
fn context<'a>(entities: &'a DocEntities<'a>, left_out: &'a str) -> impl Iterator<Item = &'a str> {
    entities
        .iter()
        .filter(move |(label, c)| matches!(*label, "PER" | "ORG") && *c != left_out)
        .map(|(_, c)| *c)
}

impl CorpusNames {
    /// An empty collection.
    pub fn new() -> Self {
        Self::default()
    }

    /// First pass, every document: records its persons' full names and the words it uses
    /// alone (a document counts once for each).
    pub fn observe(&mut self, entities: &DocEntities) {
        let persons = persons(entities);
        let own_keys = own_keys(&persons);
        for &name in persons.iter().filter(|c| is_full(c) && is_person_name(c)) {
            for key in keys(name) {
                let names = self.by_key.entry(key.to_owned()).or_default();
                *names.entry(name.to_owned()).or_default() += 1;
            }
        }
        for &word in persons.iter().filter(|c| !is_full(c)) {
            if !candidates(word).any(|k| own_keys.contains(k)) {
                *self.alone.entry(word.to_owned()).or_default() += 1;
            }
        }
    }

    /// After the first pass: the full name each word used alone may stand for. Returns
    /// whether any may, that is whether the other passes are needed.
    pub fn settle(&mut self) -> bool {
        let mut links = HashMap::new();
        for (word, &alone) in &self.alone {
            // (`Kim` is a first name too, but a family name first: `Kim Jong Un`.)
            let first_name = |w: &str| is_first_name(w) && !lexicon::FAMILY_NAME_FIRST.contains(&w);
            if candidates(word).any(first_name) {
                continue;
            }
            let Some((full, documents)) = candidates(word).find_map(|k| self.dominant(k)) else {
                continue;
            };
            // A word that more documents use alone than name the person in full is most
            // likely someone or something else (`Sturm` for the club Sturm Graz, with one
            // document naming the politician Marjan Sturm): news name a person in full
            // before they name him by his family name.
            if documents >= MIN_DOCUMENTS.max(alone) {
                links.insert(word.clone(), full.to_owned());
            }
        }
        self.context = links
            .values()
            .map(|f| (f.clone(), HashSet::new()))
            .collect();
        self.links = links;
        self.by_key = HashMap::new();
        self.alone = HashMap::new();
        !self.links.is_empty()
    }

    /// Second pass, every document: records what the documents naming a linked person in
    /// full are about.
    pub fn observe_context(&mut self, entities: &DocEntities) {
        for name in persons(entities).into_iter().filter(|c| is_full(c)) {
            if let Some(kept) = self.context.get_mut(name) {
                for c in context(entities, name) {
                    if kept.len() >= CONTEXT_KEPT {
                        break;
                    }
                    kept.insert(context_hash(c));
                }
            }
        }
    }

    /// The full name `key` stands for in the corpus, and the documents naming it: the one
    /// named by at least [`DOMINANT_SHARE`] of the documents naming someone in full by it.
    fn dominant(&self, key: &str) -> Option<(&str, u32)> {
        let names = self.by_key.get(key)?;
        let total: u32 = names.values().sum();
        // Ties go to the name that sorts first, so that the answer is the same whatever
        // the order of the map.
        let (name, &count) = names
            .iter()
            .max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0)))?;
        (f64::from(count) >= DOMINANT_SHARE * f64::from(total)).then_some((name.as_str(), count))
    }

    /// Third pass: the new canonical names of one document's persons, `(one word, full
    /// name)` for each person named by one word (or its genitive, `Merkels`) that the
    /// corpus names in full by it, when the document shares a person or an organisation
    /// with a document naming the full name (`Mahrer` in a team's line-up is not the
    /// politician `Harald Mahrer`). A word the document's own full names refer back to is
    /// left alone: the document settled it (two persons of that name, or one of its own).
    pub fn relinking(&self, entities: &DocEntities) -> Vec<(String, String)> {
        let persons = persons(entities);
        let own_keys = own_keys(&persons);
        let mut out = Vec::new();
        for &word in persons.iter().filter(|c| !is_full(c)) {
            if candidates(word).any(|k| own_keys.contains(k)) {
                continue;
            }
            let Some(full) = self.links.get(word) else {
                continue;
            };
            let Some(known) = self.context.get(full) else {
                continue;
            };
            if context(entities, word).any(|c| known.contains(&context_hash(c))) {
                out.push((word.to_owned(), full.clone()));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The corpus after all three passes over `docs` (each a list of persons, and
    /// organisations written `ORG:name`).
    fn corpus(docs: &[&[&str]]) -> CorpusNames {
        let docs: Vec<Vec<(&str, &str)>> = docs.iter().map(|d| entities(d)).collect();
        let mut names = CorpusNames::new();
        for doc in &docs {
            names.observe(doc);
        }
        if names.settle() {
            for doc in &docs {
                names.observe_context(doc);
            }
        }
        names
    }

    fn entities<'a>(names: &[&'a str]) -> Vec<(&'a str, &'a str)> {
        names
            .iter()
            .map(|n| match n.strip_prefix("ORG:") {
                Some(org) => ("ORG", org),
                None => ("PER", *n),
            })
            .collect()
    }

    fn linked(names: &CorpusNames, doc: &[&str]) -> Vec<(String, String)> {
        names.relinking(&entities(doc))
    }

    fn pair(word: &str, full: &str) -> (String, String) {
        (word.to_owned(), full.to_owned())
    }

    #[test]
    fn a_family_name_alone_takes_the_full_name_the_corpus_gives() {
        let names = corpus(&[
            &["Angela Merkel", "ORG:CDU", "Donald Trump"],
            &["Angela Merkel", "ORG:CDU", "Kim Jong Un"],
            &["Kim Jong Un", "Donald Trump", "ORG:KCNA"],
            &["Merkel", "Trumps", "Kim", "ORG:CDU", "ORG:KCNA"],
        ]);
        let doc: &[&str] = &["Merkel", "Trumps", "Kim", "ORG:CDU", "ORG:KCNA"];
        assert_eq!(
            linked(&names, doc),
            [
                pair("Merkel", "Angela Merkel"),
                pair("Trumps", "Donald Trump"),
                pair("Kim", "Kim Jong Un"),
            ]
        );
        // A document sharing no person or organisation with them is about someone else.
        assert!(linked(&names, &["Merkel", "ORG:FC Kärnten"]).is_empty());
    }

    #[test]
    fn a_shared_family_name_stands_for_the_person_most_documents_name() {
        let mut docs: Vec<&[&str]> = vec![&["Donald Trump", "ORG:GOP"]; 9];
        docs.push(&["Melania Trump", "ORG:GOP"]);
        docs.push(&["Trump", "ORG:GOP"]);
        let names = corpus(&docs);
        assert_eq!(
            linked(&names, &["Trump", "ORG:GOP"]),
            [pair("Trump", "Donald Trump")]
        );
        // One of four documents names another Müller: no one is `Müller`.
        let mut docs: Vec<&[&str]> = vec![&["Thomas Müller", "ORG:FC Bayern"]; 3];
        docs.push(&["Gerd Müller", "ORG:FC Bayern"]);
        docs.push(&["Müller", "ORG:FC Bayern"]);
        let names = corpus(&docs);
        assert!(linked(&names, &["Müller", "ORG:FC Bayern"]).is_empty());
    }

    #[test]
    fn a_word_is_linked_only_where_the_corpus_makes_it_likely() {
        // Named in full once: not enough.
        let names = corpus(&[
            &["Karin Henkel", "ORG:Burgtheater"],
            &["Henkel", "ORG:Burgtheater"],
        ]);
        assert!(linked(&names, &["Henkel", "ORG:Burgtheater"]).is_empty());
        // Used alone by more documents than name the person in full.
        let names = corpus(&[
            &["Marjan Sturm", "ORG:Rapid"],
            &["Marjan Sturm", "ORG:Rapid"],
            &["Sturm", "ORG:Rapid"],
            &["Sturm", "ORG:Rapid"],
            &["Sturm", "ORG:Rapid"],
        ]);
        assert!(linked(&names, &["Sturm", "ORG:Rapid"]).is_empty());
        // A first name alone, and a club or title the tagger took for a person.
        let names = corpus(&[
            &["Laura Paul", "Admira Wacker", "ORG:ÖFB"],
            &["Laura Paul", "Admira Wacker", "ORG:ÖFB"],
            &["Paul", "Wacker", "ORG:ÖFB"],
        ]);
        assert!(linked(&names, &["Paul", "Wacker", "ORG:ÖFB"]).is_empty());
    }

    #[test]
    fn a_document_naming_someone_of_that_name_in_full_keeps_its_own_link() {
        let names = corpus(&[&["Donald Trump", "ORG:GOP"], &["Donald Trump", "ORG:GOP"]]);
        // The document names Melania Trump in full; its `Trump` is hers or undecided.
        assert!(linked(&names, &["Melania Trump", "Trump", "ORG:GOP"]).is_empty());
        // A word no full name ends in stays as it is.
        assert!(linked(&names, &["Shakira", "ORG:GOP"]).is_empty());
    }
}
