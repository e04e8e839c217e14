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

/// Memory the corpus's names may take unless told otherwise: enough for the names of at
/// least 200,000 news articles (10kGNAD's test texts bring some 6 entries an article: 2.8
/// new full names, and 1.1 words used alone, which count thrice), more as names repeat.
pub const DEFAULT_MEMORY_BYTES: usize = 64 << 20;

/// What one entry of the tables of names costs: a bucket of 24 bytes and its control byte,
/// at hashbrown's load of at most 7/8.
const ENTRY_BYTES: usize = 29;

/// What one kept hash of [`CorpusNames::context`] costs: 8 bytes and a control byte, at
/// a load of 7/8, in a set that may have just doubled.
const CONTEXT_HASH_BYTES: usize = 21;

/// The full names of the persons of a corpus, by the words that refer back to them.
///
/// Names are kept as 64-bit hashes (of `DefaultHasher`, whose keys are fixed), so that a
/// full name costs some 29 bytes however long it is, and memory stays within a budget
/// ([`CorpusNames::with_memory`]): when the tables would outgrow it, the names and words
/// of the fewest documents are forgotten, as lossy counting (Manku and Motwani) does. Each
/// entry keeps how many documents it may have missed before it came in (the bound at that
/// time), so that a name given by at least [`CorpusNames::forgotten_below`] documents is
/// never forgotten, however they are spread over the corpus, while one given by fewer may
/// be, and may stay unlinked. That takes corpora of hundreds of thousands of documents or
/// more.
#[derive(Debug)]
pub struct CorpusNames {
    /// (Key (a family name), full name) → documents naming that full name.
    named: HashMap<(u64, u64), Count>,
    /// Word → documents naming a person by it alone, without a full name it refers to.
    alone: HashMap<u64, Alone>,
    /// The budget of `named` and `alone`, and after [`CorpusNames::settle`] of `context`.
    memory: usize,
    /// Names and words of fewer documents than this may have been forgotten (0: none was).
    forgotten_below: u32,
    /// After [`CorpusNames::settle`]: word used alone → the full name it may stand for.
    links: HashMap<u64, u64>,
    /// Full name of `links` → its text and the persons and organisations of the documents
    /// naming it.
    context: HashMap<u64, Context>,
    /// The hashes kept in each [`Context`]: [`CONTEXT_KEPT`], or fewer when many persons
    /// are linked and the budget would not hold them.
    context_kept: usize,
}

/// Documents counted since an entry came in, and how many it may have missed before.
#[derive(Debug, Clone, Copy)]
struct Count {
    documents: u32,
    /// [`CorpusNames::forgotten_below`] when the entry came in: an earlier entry of the
    /// same name may have been forgotten with fewer documents than that.
    missed: u32,
}

impl Count {
    fn new(missed: u32) -> Self {
        Count {
            documents: 1,
            missed,
        }
    }

    /// The most documents it may have: those it counted and those it may have missed.
    fn at_most(&self) -> u32 {
        self.documents.saturating_add(self.missed)
    }
}

/// A word used alone, in [`CorpusNames::alone`].
#[derive(Debug, Clone, Copy)]
struct Alone {
    count: Count,
    /// The key of the word without the `s` of a genitive (`Merkels` → `Merkel`), or 0.
    stem: u64,
}

/// What the documents naming a linked person in full are about.
#[derive(Debug, Default)]
struct Context {
    /// The full name, from the first document naming it in the second pass.
    name: Option<String>,
    /// Hashes of their persons and organisations, at most [`CorpusNames::context_kept`].
    seen: HashSet<u64>,
}

/// The full names that a key refers to, summed in [`CorpusNames::settle`].
#[derive(Debug, Default, Clone, Copy)]
struct KeyNames {
    /// Documents naming someone in full by the key (a document naming two counts twice).
    total: u32,
    /// The full name most documents give, and theirs; ties go to the smaller hash, so that
    /// the answer is the same whatever the order of the table.
    best: u64,
    best_documents: u32,
}

impl Default for CorpusNames {
    fn default() -> Self {
        Self::with_memory(DEFAULT_MEMORY_BYTES)
    }
}

/// The hash names are kept by (keys, words, full names) and context hashes are made of.
fn name_hash(name: &str) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::hash::DefaultHasher::new();
    name.hash(&mut hasher);
    hasher.finish()
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
/// 64-bit hashes, so that a person costs at most some 10 KB however large the corpus;
/// fewer when the memory budget would not hold that many for every linked person).
const CONTEXT_KEPT: usize = 512;

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
    /// An empty collection within the default budget, [`DEFAULT_MEMORY_BYTES`].
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty collection whose tables stay within about `memory` bytes.
    pub fn with_memory(memory: usize) -> Self {
        CorpusNames {
            named: HashMap::new(),
            alone: HashMap::new(),
            memory,
            forgotten_below: 0,
            links: HashMap::new(),
            context: HashMap::new(),
            context_kept: CONTEXT_KEPT,
        }
    }

    /// Names and words that fewer documents than this gave were forgotten to stay within
    /// the memory budget, so they may be left unlinked; 0 when nothing was forgotten.
    pub fn forgotten_below(&self) -> u32 {
        self.forgotten_below
    }

    /// First pass, every document: records its persons' full names and the words it uses
    /// alone (a document counts once for each).
    pub fn observe(&mut self, entities: &DocEntities) {
        let persons = persons(entities);
        let own_keys = own_keys(&persons);
        for &name in persons.iter().filter(|c| is_full(c) && is_person_name(c)) {
            let name_key = name_hash(name);
            for key in keys(name) {
                let entry = (name_hash(key), name_key);
                if let Some(count) = self.named.get_mut(&entry) {
                    count.documents += 1;
                    continue;
                }
                if self.named.len() == self.named.capacity() {
                    self.make_room(self.named.capacity(), 0);
                }
                self.named.insert(entry, Count::new(self.forgotten_below));
            }
        }
        // (`Kim` is a first name too, but a family name first: `Kim Jong Un`.)
        let first_name = |w: &str| is_first_name(w) && !lexicon::FAMILY_NAME_FIRST.contains(&w);
        for &word in persons.iter().filter(|c| !is_full(c)) {
            if candidates(word).any(|k| own_keys.contains(k)) {
                continue;
            }
            let word_key = name_hash(word);
            if let Some(alone) = self.alone.get_mut(&word_key) {
                alone.count.documents += 1;
                continue;
            }
            // A first name alone says nothing of the family (`Paul` is not `Laura Paul`):
            // such a word is never linked, so it is not kept.
            if candidates(word).any(first_name) {
                continue;
            }
            if self.alone.len() == self.alone.capacity() {
                self.make_room(0, self.alone.capacity());
            }
            let stem = candidates(word).nth(1).map_or(0, name_hash);
            let count = Count::new(self.forgotten_below);
            self.alone.insert(word_key, Alone { count, stem });
        }
    }

    /// Before a table grows by `named` or `alone` entries (its capacity: hashbrown
    /// doubles), forgets the names and words of the fewest documents instead when the
    /// tables would then outgrow the budget. Counted: both tables as they are, the grown
    /// one twice more (old and new buckets live side by side while it grows), and each
    /// word twice more again for the keys [`CorpusNames::settle`] sums up.
    fn make_room(&mut self, named: usize, alone: usize) {
        let entries = |named: usize, alone: usize| named + 3 * alone;
        let now = entries(self.named.capacity(), self.alone.capacity());
        if (now + 2 * entries(named, alone)) * ENTRY_BYTES <= self.memory {
            return;
        }
        // Half of the entries go, so that this is seldom done; the tables keep their
        // buckets, and with them the room. An entry goes when even with the documents it
        // may have missed it has fewer than the new bound.
        let target = (self.named.len() + self.alone.len()) / 2;
        while self.named.len() + self.alone.len() > target {
            self.forgotten_below = self.forgotten_below.max(1) + 1;
            let floor = self.forgotten_below;
            self.named.retain(|_, count| count.at_most() >= floor);
            self.alone.retain(|_, alone| alone.count.at_most() >= floor);
        }
    }

    /// After the first pass: the full name each word used alone may stand for. Returns
    /// whether any may, that is whether the other passes are needed.
    pub fn settle(&mut self) -> bool {
        // What the corpus names in full by each key a word used alone may be found under.
        let mut by_key: HashMap<u64, KeyNames> = HashMap::new();
        for (&word, alone) in &self.alone {
            by_key.entry(word).or_default();
            if alone.stem != 0 {
                by_key.entry(alone.stem).or_default();
            }
        }
        // (Counted as few as they may be: a link needs its documents.)
        for (&(key, name), count) in &self.named {
            let documents = count.documents;
            if let Some(names) = by_key.get_mut(&key) {
                names.total += documents;
                let better = (documents, std::cmp::Reverse(name))
                    > (names.best_documents, std::cmp::Reverse(names.best));
                if names.best_documents == 0 || better {
                    names.best = name;
                    names.best_documents = documents;
                }
            }
        }
        self.named = HashMap::new();
        // The full name `key` stands for in the corpus, and the documents naming it: the
        // one named by at least [`DOMINANT_SHARE`] of the documents naming someone in full
        // by it.
        let dominant = |key: u64| {
            let names = by_key.get(&key).filter(|n| n.best_documents > 0)?;
            let share = f64::from(names.best_documents) / f64::from(names.total);
            (share >= DOMINANT_SHARE).then_some((names.best, names.best_documents))
        };
        let mut links = HashMap::new();
        for (&word, alone) in &self.alone {
            let stem = (alone.stem != 0).then_some(alone.stem);
            let Some((full, documents)) = std::iter::once(word).chain(stem).find_map(dominant)
            else {
                continue;
            };
            // A word that more documents use alone than name the person in full is most
            // likely someone or something else (`Sturm` for the club Sturm Graz, with one
            // document naming the politician Marjan Sturm): news name a person in full
            // before they name him by his family name.
            // (Counted as many as they may be.)
            if documents >= MIN_DOCUMENTS.max(alone.count.at_most()) {
                links.insert(word, full);
            }
        }
        self.alone = HashMap::new();
        let persons: HashSet<u64> = links.values().copied().collect();
        self.context_kept =
            (self.memory / CONTEXT_HASH_BYTES / persons.len().max(1)).clamp(1, CONTEXT_KEPT);
        self.context = (persons.into_iter())
            .map(|full| (full, Context::default()))
            .collect();
        self.links = links;
        !self.links.is_empty()
    }

    /// Second pass, every document: records what the documents naming a linked person in
    /// full are about, and the full names themselves.
    pub fn observe_context(&mut self, entities: &DocEntities) {
        for name in persons(entities).into_iter().filter(|c| is_full(c)) {
            if let Some(kept) = self.context.get_mut(&name_hash(name)) {
                kept.name.get_or_insert_with(|| name.to_owned());
                for c in context(entities, name) {
                    if kept.seen.len() >= self.context_kept {
                        break;
                    }
                    kept.seen.insert(name_hash(c));
                }
            }
        }
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
            let Some(full) = self.links.get(&name_hash(word)) else {
                continue;
            };
            let Some(Context {
                name: Some(name),
                seen,
            }) = self.context.get(full)
            else {
                continue;
            };
            if context(entities, word).any(|c| seen.contains(&name_hash(c))) {
                out.push((word.to_owned(), name.clone()));
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

    /// The bytes the tables of the first pass hold, as [`CorpusNames::make_room`] counts.
    fn table_bytes(names: &CorpusNames) -> usize {
        (names.named.capacity() + 3 * names.alone.capacity()) * ENTRY_BYTES
    }

    #[test]
    fn names_stay_within_the_memory_and_those_of_many_documents_are_never_forgotten() {
        // Every document names someone no other names, in full and by a word alone; every
        // 50th names Angela Merkel too, and every 20,000th Karl Seltenreich, with the `CDU`
        // of the last document, which names both by one word.
        let unique: Vec<(String, String)> = (0..60_000)
            .map(|i| (format!("Anna Einmal{i}"), format!("Allein{i}")))
            .collect();
        let mut docs: Vec<Vec<(&str, &str)>> = Vec::new();
        for (i, (full, word)) in unique.iter().enumerate() {
            let mut doc = vec![("PER", full.as_str()), ("PER", word.as_str())];
            if i % 50 == 0 {
                doc.extend([("PER", "Angela Merkel"), ("ORG", "CDU")]);
            }
            if i % 20_000 == 0 {
                doc.extend([("PER", "Karl Seltenreich"), ("ORG", "CDU")]);
            }
            docs.push(doc);
        }
        let last = [("PER", "Merkel"), ("PER", "Seltenreich"), ("ORG", "CDU")];
        docs.push(last.to_vec());
        let linked_within = |memory: usize| {
            let mut names = CorpusNames::with_memory(memory);
            let mut largest = 0;
            for doc in &docs {
                names.observe(doc);
                largest = largest.max(table_bytes(&names));
            }
            let forgotten_below = names.forgotten_below();
            if names.settle() {
                for doc in &docs {
                    names.observe_context(doc);
                }
            }
            (names.relinking(&last), forgotten_below, largest)
        };
        // With room for every name, both are linked.
        let (linked, forgotten_below, _) = linked_within(DEFAULT_MEMORY_BYTES);
        let both = [
            pair("Merkel", "Angela Merkel"),
            pair("Seltenreich", "Karl Seltenreich"),
        ];
        assert_eq!((linked, forgotten_below), (both.to_vec(), 0));
        // In 256 KB, a few thousand entries: the names of the fewest documents go, the
        // tables never outgrow it, and Angela Merkel, named by 1,200 documents, is linked.
        let memory = 256 << 10;
        let (linked, forgotten_below, largest) = linked_within(memory);
        assert!(largest <= memory, "{largest} bytes");
        assert!(forgotten_below > 3, "{forgotten_below}");
        assert!(forgotten_below <= 1_200, "{forgotten_below}");
        assert_eq!(linked, [pair("Merkel", "Angela Merkel")]);
    }

    #[test]
    fn a_name_is_never_forgotten_with_the_documents_it_may_have_missed() {
        // A name that comes back after it was forgotten may have missed as many documents
        // as the bound then in force, and is counted so: the bound must pass it again.
        let mut names = CorpusNames::with_memory(0);
        names.observe(&[("PER", "Angela Merkel")]);
        names.make_room(names.named.capacity(), 0);
        assert!(names.named.is_empty());
        let bound = names.forgotten_below();
        assert!(bound >= 2);
        names.observe(&[("PER", "Angela Merkel")]);
        let count = names.named.values().next().copied().unwrap();
        assert_eq!((count.documents, count.at_most()), (1, bound + 1));
    }

    #[test]
    fn what_linked_persons_are_about_is_kept_within_the_memory() {
        // Four persons, each named in full by two documents with 300 organisations.
        let orgs: Vec<Vec<String>> = (0..4)
            .map(|p| (0..300).map(|k| format!("Verein{p}x{k}")).collect())
            .collect();
        let fulls: Vec<String> = (0..4).map(|p| format!("Anna Person{p}")).collect();
        let mut docs: Vec<Vec<(&str, &str)>> = Vec::new();
        for p in 0..4 {
            let mut doc = vec![("PER", fulls[p].as_str())];
            doc.extend(orgs[p].iter().map(|o| ("ORG", o.as_str())));
            docs.extend([doc.clone(), doc]);
        }
        let mut names = CorpusNames::with_memory(4 * 100 * CONTEXT_HASH_BYTES);
        for doc in &docs {
            names.observe(doc);
        }
        let words: Vec<String> = (0..4).map(|p| format!("Person{p}")).collect();
        for word in &words {
            names.observe(&[("PER", word.as_str())]);
        }
        assert!(names.settle());
        for doc in &docs {
            names.observe_context(doc);
        }
        // A hundred organisations each for the four linked: the first the documents name.
        assert_eq!(names.context_kept, 100);
        assert!(names.context.values().all(|c| c.seen.len() == 100));
        let linked = |org: &str| names.relinking(&[("PER", "Person0"), ("ORG", org)]);
        assert_eq!(linked("Verein0x5"), [pair("Person0", "Anna Person0")]);
        assert!(linked("Verein0x299").is_empty());
    }
}
