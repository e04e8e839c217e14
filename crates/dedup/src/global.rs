//! Deduplication across shards, in phases an engine can schedule, giving exactly what one
//! `dedupe` stage gives when it sees every document in the global input order.
//!
//! 1. **signatures** (per shard): [`crate::Dedupe::fingerprint`] of each document, with its
//!    place `pos` in the global input order.
//! 2. **candidate groups** (a shuffle): [`keys`] lists a fingerprint's keys (its exact key,
//!    one per LSH band, one per passage hash); documents that share a key form a group.
//! 3. **clusters**: [`decide`] joins groups into connected components and, within each,
//!    judges the documents in `pos` order against the kept ones before them, as the stage
//!    does. Documents in no group share nothing with any other, so they are unique with no
//!    repeated span, and nothing outside a component can change a decision inside it.
//! 4. **filter** (per shard): each document gets its [`Decision`] (or the unique default).

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use crate::config::{DedupConfig, Keep};
use crate::error::{Error, Result};
use crate::index::{band_key, DedupIndex};
use crate::stage::{annotation, drop_reason, judge, near_rule, Fingerprint, NamedIds, Status};

/// A place in the global input order: (file or partition, record within it).
pub type Pos = (u64, u64);

/// `pos` as written in key files: `file:record`.
pub fn format_pos(pos: Pos) -> String {
    format!("{}:{}", pos.0, pos.1)
}

/// Parses [`format_pos`]'s form.
pub fn parse_pos(text: &str) -> Option<Pos> {
    let (a, b) = text.split_once(':')?;
    Some((a.parse().ok()?, b.parse().ok()?))
}

/// The shuffle keys of `fp`: `x<exact key>`, `b<band>-<bucket>` per LSH band (texts with
/// words), `s<hash>` per passage long enough to count. Two documents can affect each
/// other's decision only if they share one of these.
pub fn keys(fp: &Fingerprint, cfg: &DedupConfig) -> Result<Vec<String>> {
    let mut keys = vec![format!("x{}", fp.key)];
    check_signature(fp, cfg)?;
    if !fp.sig.is_empty() {
        for band in 0..cfg.bands {
            keys.push(format!("b{band}-{:08x}", band_key(&fp.sig, band, cfg.rows)));
        }
    }
    if cfg.repeated_spans {
        let first_span = keys.len();
        keys.extend(
            fp.passages
                .iter()
                .filter_map(|p| p.hash)
                .map(|h| format!("s{h:016x}")),
        );
        // A passage can occur twice in one document; the other keys differ by prefix.
        keys[first_span..].sort_unstable();
        keys.dedup();
    }
    Ok(keys)
}

/// Fails unless `fp`'s signature (when it has one) has the config's `bands × rows` values.
fn check_signature(fp: &Fingerprint, cfg: &DedupConfig) -> Result<()> {
    if fp.sig.is_empty() || fp.sig.len() == cfg.bands * cfg.rows {
        return Ok(());
    }
    Err(Error::Inconsistent(format!(
        "the fingerprint of {} has {} signature values, the config {} × {}",
        fp.id,
        fp.sig.len(),
        cfg.bands,
        cfg.rows
    )))
}

/// One line of the decisions file: what the `dedupe` stage would have written for a
/// document that is not plainly unique.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Decision {
    /// The document's place in the global input order.
    pub pos: Pos,
    /// Its id.
    pub id: String,
    /// The first document (by `pos`) of its connected component.
    pub cluster: Pos,
    /// The `dedup` annotation.
    pub dedup: Value,
    /// Why it is dropped (`action = "drop"` and a duplicate), else absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub drop: Option<DropReason>,
}

/// The rejection of a dropped duplicate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DropReason {
    /// [`crate::REASON_EXACT`] or [`crate::REASON_NEAR`].
    pub reason: String,
    /// Which document it repeats, and how closely.
    pub detail: String,
}

/// The `dedup` annotation of a document no group names.
pub fn unique_annotation() -> Value {
    json!({"status": "unique", "duplicate_of": null, "similarity": null, "repeated_spans": []})
}

/// Judges the documents of `fingerprints` (those named by some group) joined by `groups`
/// (each a list of positions sharing a key). Returns the decisions that differ from
/// [`unique_annotation`], sorted by `pos`, and the number of components.
pub fn decide(
    cfg: &DedupConfig,
    mut fingerprints: Vec<Fingerprint>,
    groups: &[Vec<Pos>],
) -> Result<(Vec<Decision>, usize)> {
    if let Some(err) = cfg.check().into_iter().next() {
        return Err(err);
    }
    fingerprints.sort_by_key(|fp| fp.pos);
    let slot: HashMap<Pos, usize> = fingerprints
        .iter()
        .enumerate()
        .map(|(i, fp)| (fp.pos, i))
        .collect();
    let mut parent: Vec<usize> = (0..fingerprints.len()).collect();
    for group in groups {
        let mut first = None;
        for pos in group {
            let i = *slot.get(pos).ok_or_else(|| {
                Error::Inconsistent(format!(
                    "a group names document {} but no fingerprint has that position",
                    format_pos(*pos)
                ))
            })?;
            match first {
                None => first = Some(i),
                Some(f) => union(&mut parent, f, i),
            }
        }
    }
    // Components in the order of their first document, members in `pos` order.
    let mut component_of: HashMap<usize, usize> = HashMap::new();
    let mut components: Vec<Vec<usize>> = Vec::new();
    for i in 0..fingerprints.len() {
        let root = find(&mut parent, i);
        let c = *component_of.entry(root).or_insert_with(|| {
            components.push(Vec::new());
            components.len() - 1
        });
        components[c].push(i);
    }
    if cfg.keep == Keep::Earliest {
        // Judged in rank order, a component keeps its earliest published document,
        // whatever the input order.
        for members in &mut components {
            members.sort_by(|&a, &b| {
                let (a, b) = (&fingerprints[a], &fingerprints[b]);
                (a.published.is_none(), &a.published, &a.id, a.pos).cmp(&(
                    b.published.is_none(),
                    &b.published,
                    &b.id,
                    b.pos,
                ))
            });
        }
    }
    let rule = near_rule(cfg);
    let mut decisions = Vec::new();
    let mut hashes = Vec::new();
    for members in &components {
        let cluster = members
            .iter()
            .map(|&i| fingerprints[i].pos)
            .min()
            .unwrap_or_default();
        let mut index = DedupIndex::new(cfg.bands, cfg.rows);
        for &i in members {
            let fp = &fingerprints[i];
            let key = u128::from_str_radix(&fp.key, 16).map_err(|_| {
                Error::Inconsistent(format!("the fingerprint of {} has a bad key", fp.id))
            })?;
            check_signature(fp, cfg)?;
            let sketch = (!fp.sig.is_empty()).then_some((fp.sig.as_slice(), fp.set.as_slice()));
            let passages = if cfg.repeated_spans {
                fp.passages.as_slice()
            } else {
                &[]
            };
            let finding = judge(
                &mut index,
                &rule,
                &fp.id,
                key,
                sketch,
                passages,
                &mut hashes,
            )?;
            if finding.status == Status::Unique && finding.spans.is_empty() {
                continue;
            }
            let ids = NamedIds::of(&finding, &mut index)?;
            let id_of = |d| ids.id(d);
            let dedup = annotation(&finding, id_of);
            let drop = drop_reason(&finding, &rule, cfg.action, id_of).map(|(reason, detail)| {
                DropReason {
                    reason: reason.to_owned(),
                    detail,
                }
            });
            decisions.push(Decision {
                pos: fp.pos,
                id: fp.id.clone(),
                cluster,
                dedup,
                drop,
            });
        }
    }
    decisions.sort_by_key(|d| d.pos);
    Ok((decisions, components.len()))
}

fn find(parent: &mut [usize], mut i: usize) -> usize {
    while parent[i] != i {
        parent[i] = parent[parent[i]];
        i = parent[i];
    }
    i
}

/// Joins the components of `a` and `b`, the smaller root becoming the root.
fn union(parent: &mut [usize], a: usize, b: usize) {
    let (ra, rb) = (find(parent, a), find(parent, b));
    if ra != rb {
        let (low, high) = if ra < rb { (ra, rb) } else { (rb, ra) };
        parent[high] = low;
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use std::collections::BTreeMap;

    use pipeline_core::{keys as doc_keys, Document, Stage, Verdict};

    use super::*;
    use crate::{Action, Dedupe};

    /// Deterministic pseudo-random numbers.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self, n: usize) -> usize {
            self.0 = crate::minhash::mix64(self.0.wrapping_add(0x9e37_79b9_7f4a_7c15));
            (self.0 % n as u64) as usize
        }
    }

    const WORDS: &[&str] = crate::stage::tests::VOCAB;

    fn paragraph(rng: &mut Rng, sentences: usize) -> String {
        (0..sentences)
            .map(|_| {
                let n = 8 + rng.next(10);
                let mut s: Vec<&str> = (0..n).map(|_| WORDS[rng.next(WORDS.len())]).collect();
                let first = s[0].to_uppercase();
                s[0] = if first.is_empty() { "Es" } else { "Dann" };
                s.join(" ") + "."
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// A corpus with originals, exact copies, near copies (edits, truncation), shared
    /// paragraphs and quotations, and copies of copies (chains).
    pub(crate) fn corpus(seed: u64, n: usize) -> Vec<(String, String)> {
        let mut rng = Rng(seed);
        let mut docs: Vec<(String, String)> = Vec::new();
        let quote = "„Wir werden nicht nachgeben, solange die Preise für Energie steigen“";
        for i in 0..n {
            let text = match (i, rng.next(6)) {
                (0..=2, _) | (_, 0) => {
                    let paras: Vec<String> = (0..3).map(|_| paragraph(&mut rng, 3)).collect();
                    let mut t = paras.join("\n\n");
                    if rng.next(3) == 0 {
                        t.push_str(&format!("\n\nDer Minister sagte {quote}, und ging."));
                    }
                    t
                }
                (_, 1) => docs[rng.next(docs.len())].1.clone(),
                (_, 2) => {
                    let base = &docs[rng.next(docs.len())].1;
                    let mut words: Vec<String> = base.split(' ').map(str::to_owned).collect();
                    for _ in 0..1 + rng.next(3) {
                        let k = rng.next(words.len());
                        words[k] = WORDS[rng.next(WORDS.len())].to_owned();
                    }
                    words.join(" ")
                }
                (_, 3) => {
                    let base = &docs[rng.next(docs.len())].1;
                    let cut = base.len() * 3 / 4;
                    let cut = (cut..base.len())
                        .find(|&c| base.is_char_boundary(c))
                        .unwrap();
                    base[..cut].to_owned()
                }
                _ => {
                    let base = &docs[rng.next(docs.len())].1;
                    let shared = base.split("\n\n").next().unwrap_or_default().to_owned();
                    format!(
                        "{}\n\n{shared}\n\n{}",
                        paragraph(&mut rng, 2),
                        paragraph(&mut rng, 3)
                    )
                }
            };
            docs.push((format!("d{i:03}"), text));
        }
        docs
    }

    /// What the sequential stage writes for each document: the annotation and the drop.
    fn sequential(cfg: &DedupConfig, docs: &[(String, String)]) -> Vec<(Value, Option<String>)> {
        let mut stage = Dedupe::new(cfg).unwrap();
        docs.iter()
            .map(
                |(id, text)| match stage.process(Document::new(id, text)).unwrap() {
                    Verdict::Keep(doc) => (doc.annotations[doc_keys::DEDUP].clone(), None),
                    Verdict::Drop(d) => (
                        d.doc.annotations[doc_keys::DEDUP].clone(),
                        Some(format!("{}: {}", d.reason, d.detail)),
                    ),
                },
            )
            .collect()
    }

    /// The groups of documents sharing a key (the bands phase).
    fn groups_of(cfg: &DedupConfig, fingerprints: &[Fingerprint]) -> Vec<Vec<Pos>> {
        let mut by_key: BTreeMap<String, Vec<Pos>> = BTreeMap::new();
        for fp in fingerprints {
            for key in keys(fp, cfg).unwrap() {
                by_key.entry(key).or_default().push(fp.pos);
            }
        }
        by_key.into_values().filter(|g| g.len() > 1).collect()
    }

    /// The same through the phases: fingerprints on two "shards", keys grouped, decided.
    fn phased(cfg: &DedupConfig, docs: &[(String, String)]) -> Vec<(Value, Option<String>)> {
        let mut shard = [Dedupe::new(cfg).unwrap(), Dedupe::new(cfg).unwrap()];
        let fingerprints: Vec<Fingerprint> = docs
            .iter()
            .enumerate()
            .map(|(i, (id, text))| shard[i % 2].fingerprint(id, text, (i as u64 / 7, i as u64)))
            .collect();
        // The shuffle; fingerprints go through JSON as between processes.
        let groups = groups_of(cfg, &fingerprints);
        let involved: std::collections::HashSet<Pos> = groups.iter().flatten().copied().collect();
        let wire: Vec<Fingerprint> = fingerprints
            .iter()
            .filter(|fp| involved.contains(&fp.pos))
            .map(|fp| serde_json::from_str(&serde_json::to_string(fp).unwrap()).unwrap())
            .collect();
        let (decisions, _) = decide(cfg, wire, &groups).unwrap();
        let by_pos: HashMap<Pos, Decision> = decisions.into_iter().map(|d| (d.pos, d)).collect();
        fingerprints
            .iter()
            .map(|fp| match by_pos.get(&fp.pos) {
                Some(d) => (
                    d.dedup.clone(),
                    d.drop
                        .as_ref()
                        .map(|r| format!("{}: {}", r.reason, r.detail)),
                ),
                None => (unique_annotation(), None),
            })
            .collect()
    }

    #[test]
    fn phases_decide_exactly_like_the_stage_in_input_order() {
        for (seed, action) in [(1, Action::Drop), (2, Action::Mark), (3, Action::Drop)] {
            let cfg = DedupConfig {
                action,
                ..DedupConfig::default()
            };
            let docs = corpus(seed, 120);
            let expected = sequential(&cfg, &docs);
            let statuses: Vec<&str> = expected
                .iter()
                .map(|(a, _)| a["status"].as_str().unwrap())
                .collect();
            for status in ["unique", "exact_duplicate", "near_duplicate"] {
                assert!(statuses.contains(&status), "seed {seed}: no {status}");
            }
            assert!(
                expected
                    .iter()
                    .any(|(a, _)| a["repeated_spans"] != json!([])),
                "seed {seed}: no repeated span"
            );
            let got = phased(&cfg, &docs);
            for (i, (e, g)) in expected.iter().zip(&got).enumerate() {
                assert_eq!(e, g, "seed {seed}, document {}", docs[i].0);
            }
        }
    }

    #[test]
    fn runs_over_a_persisted_index_decide_like_one_run() {
        let dir = tempfile::tempdir().unwrap();
        for (seed, action) in [(4, Action::Drop), (5, Action::Mark)] {
            let cfg = DedupConfig {
                action,
                ..DedupConfig::default()
            };
            let docs = corpus(seed, 120);
            let expected = sequential(&cfg, &docs);
            let mut got = Vec::new();
            let mut previous = None;
            for (run, part) in docs.chunks(45).enumerate() {
                let link = pipeline_core::RunLink {
                    token: format!("{seed}-{run}"),
                    previous: previous.clone(),
                    replaced: Default::default(),
                };
                let mut stage = Dedupe::new(&cfg).unwrap();
                stage.persist_in(dir.path(), &link, "test".into()).unwrap();
                assert_eq!(stage.recalled(), run > 0, "seed {seed}, run {run}");
                for (id, text) in part {
                    got.push(match stage.process(Document::new(id, text)).unwrap() {
                        Verdict::Keep(doc) => (doc.annotations[doc_keys::DEDUP].clone(), None),
                        Verdict::Drop(d) => (
                            d.doc.annotations[doc_keys::DEDUP].clone(),
                            Some(format!("{}: {}", d.reason, d.detail)),
                        ),
                    });
                }
                stage.finish().unwrap();
                previous = Some(link.token);
            }
            for (i, (e, g)) in expected.iter().zip(&got).enumerate() {
                assert_eq!(e, g, "seed {seed}, document {}", docs[i].0);
            }
        }
    }

    #[test]
    fn keep_earliest_decides_the_same_for_any_input_order() {
        let docs = corpus(6, 120);
        // Publication dates that do not follow the input order; a few undated.
        let published =
            |i: usize| (i % 11 != 5).then(|| format!("2024-01-{:02}", 1 + (i * 7919) % 28));
        let decide_in = |keep: Keep, order: &[usize]| {
            let cfg = DedupConfig {
                keep,
                ..DedupConfig::default()
            };
            let mut hasher = Dedupe::new(&cfg).unwrap();
            let fingerprints: Vec<Fingerprint> = order
                .iter()
                .enumerate()
                .map(|(place, &i)| {
                    let (id, text) = &docs[i];
                    let mut fp = hasher.fingerprint(id, text, (0, place as u64));
                    fp.published = published(i);
                    fp
                })
                .collect();
            let groups = groups_of(&cfg, &fingerprints);
            let (decisions, _) = decide(&cfg, fingerprints, &groups).unwrap();
            decisions
                .into_iter()
                .map(|d| (d.id, (d.dedup, d.drop.map(|r| r.detail))))
                .collect::<BTreeMap<String, (Value, Option<String>)>>()
        };
        let forward: Vec<usize> = (0..docs.len()).collect();
        let reversed: Vec<usize> = forward.iter().rev().copied().collect();
        let shuffled: Vec<usize> = (0..docs.len()).map(|i| (i * 37) % docs.len()).collect();
        let earliest = decide_in(Keep::Earliest, &forward);
        assert_eq!(earliest, decide_in(Keep::Earliest, &reversed));
        assert_eq!(earliest, decide_in(Keep::Earliest, &shuffled));
        assert_ne!(
            decide_in(Keep::First, &forward),
            decide_in(Keep::First, &reversed),
            "the corpus has groups whose first member depends on the order"
        );

        // Every duplicate repeats a document published no later than itself.
        let index_of = |id: &str| docs.iter().position(|(d, _)| d == id).unwrap();
        let rank = |i: usize| (published(i).is_none(), published(i), docs[i].0.clone());
        let mut duplicates = 0;
        for (id, (dedup, _)) in &earliest {
            if let Some(of) = dedup["duplicate_of"].as_str() {
                duplicates += 1;
                assert!(
                    rank(index_of(of)) < rank(index_of(id)),
                    "{id} kept over {of}"
                );
            }
        }
        assert!(duplicates > 10, "{duplicates}");
    }

    #[test]
    fn keys_are_unique_per_document_and_name_their_kind() {
        let cfg = DedupConfig::default();
        let text = "Ein langer Satz über die Wirtschaft in Berlin am Montag. Ein langer Satz \
                    über die Wirtschaft in Berlin am Montag.";
        let fp = Dedupe::new(&cfg).unwrap().fingerprint("a", text, (0, 0));
        let keys = keys(&fp, &cfg).unwrap();
        let mut unique = keys.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), keys.len());
        assert!(keys[0].starts_with('x'));
        assert_eq!(
            keys.iter().filter(|k| k.starts_with('b')).count(),
            cfg.bands
        );
        assert!(keys.iter().any(|k| k.starts_with('s')));
    }

    #[test]
    fn a_group_naming_an_unknown_document_is_an_error() {
        let err = decide(&DedupConfig::default(), Vec::new(), &[vec![(0, 0), (0, 1)]]).unwrap_err();
        assert!(err.to_string().contains("0:0"), "{err}");
        assert_eq!(parse_pos(&format_pos((3, 17))), Some((3, 17)));
        assert_eq!(parse_pos("3-17"), None);
    }
}
