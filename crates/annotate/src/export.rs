//! Conversion of annotated documents (lines of `documents.jsonl`) to spaCy's JSON and to
//! CoNLL-U.
//!
//! Both read `text` and `annotations.{tokens,sentences,entities,quotes}` (also from the
//! internal form of a document, the sink's `internal` mode: `spans.{…}`, or keys prefixed
//! `annotate.` from versions before the spans were typed). Without stored tokens the text is tokenized again with
//! the stage's tokenizer, so entity and sentence spans fall on token boundaries.

use pipeline_core::text::CharIndex;
use serde_json::{json, Map, Value};

use crate::tokenize::tokenize;

fn field<'a>(line: &'a Value, name: &str) -> Option<&'a Vec<Value>> {
    let ann = line.get("annotations");
    (ann.and_then(|a| a.get(name)))
        .or_else(|| ann.and_then(|a| a.get(format!("annotate.{name}"))))
        .or_else(|| line.get("spans").and_then(|s| s.get(name)))
        .and_then(Value::as_array)
}

fn span(v: &Value) -> Option<(usize, usize)> {
    Some((
        v.get("start")?.as_u64()? as usize,
        v.get("end")?.as_u64()? as usize,
    ))
}

/// Token character spans of the document: stored ones, else from the tokenizer.
fn token_spans(line: &Value, text: &str) -> Vec<(usize, usize)> {
    if let Some(toks) = field(line, "tokens") {
        return toks.iter().filter_map(span).collect();
    }
    let mut toks = Vec::new();
    tokenize(text, &mut toks);
    let index = CharIndex::new(text);
    toks.iter()
        .map(|t| (index.char_of(t.start), index.char_of(t.end)))
        .collect()
}

/// One document in the shape of spaCy's `Doc.to_json()`: `text`, `tokens` (`id`, `start`,
/// `end`), `ents` (`start`, `end`, `label`), `sents` (`start`, `end`) and the quotations
/// as the span group `quotes` (label `QUOTE`, `kb_id` = the speaker or empty), the words
/// naming their speakers as the span group `speakers` (label `SPEAKER`, same `kb_id`). Loads with
/// `Doc.from_json(json, validate=True)` on `spacy.blank("de")`. Entities and sentences that
/// do not fall on token boundaries are left out.
pub fn to_spacy_json(line: &Value) -> Value {
    let text = line.get("text").and_then(Value::as_str).unwrap_or("");
    let toks = token_spans(line, text);
    let starts: std::collections::HashSet<usize> = toks.iter().map(|t| t.0).collect();
    let ends: std::collections::HashSet<usize> = toks.iter().map(|t| t.1).collect();
    let aligned = |(s, e): (usize, usize)| starts.contains(&s) && ends.contains(&e);
    // spaCy keeps at most one space after a token; any other whitespace between tokens
    // (line breaks, a second space) is a whitespace token of its own.
    let chars: Vec<char> = text.chars().collect();
    let mut spans: Vec<(usize, usize)> = Vec::with_capacity(toks.len());
    let mut pos = 0;
    for &(s, e) in toks
        .iter()
        .chain(std::iter::once(&(chars.len(), chars.len())))
    {
        let mut gap_start = pos;
        if pos > 0 && gap_start < s && chars[gap_start] == ' ' {
            gap_start += 1; // The previous token's trailing space.
        }
        if gap_start < s {
            spans.push((gap_start, s));
        }
        if e > s {
            spans.push((s, e));
        }
        pos = e.max(pos);
    }
    let tokens: Vec<Value> = spans
        .iter()
        .enumerate()
        .map(|(i, (s, e))| json!({"id": i, "start": s, "end": e}))
        .collect();
    let mut ents: Vec<Value> = Vec::new();
    let mut last_end = 0;
    for e in field(line, "entities").into_iter().flatten() {
        let Some(sp) = span(e).filter(|&sp| aligned(sp)) else {
            continue;
        };
        if sp.0 < last_end {
            continue; // spaCy's entities may not overlap.
        }
        last_end = sp.1;
        let label = e.get("label").and_then(Value::as_str).unwrap_or("MISC");
        ents.push(json!({"start": sp.0, "end": sp.1, "label": label}));
    }
    let sents: Vec<Value> = field(line, "sentences")
        .into_iter()
        .flatten()
        .filter_map(span)
        .filter(|&sp| aligned(sp))
        .map(|(s, e)| json!({"start": s, "end": e}))
        .collect();
    let quotes: Vec<Value> = field(line, "quotes")
        .into_iter()
        .flatten()
        .filter_map(|q| Some((span(q).filter(|&sp| aligned(sp))?, q)))
        .map(|((s, e), q)| {
            let speaker = q.get("speaker").and_then(Value::as_str).unwrap_or("");
            json!({"start": s, "end": e, "label": "QUOTE", "kb_id": speaker})
        })
        .collect();
    let mut speakers: Vec<Value> = Vec::new();
    for q in field(line, "quotes").into_iter().flatten() {
        let Some((s, e)) = q
            .get("speaker_mention")
            .and_then(span)
            .filter(|&sp| aligned(sp))
        else {
            continue;
        };
        let speaker = q.get("speaker").and_then(Value::as_str).unwrap_or("");
        let mention = json!({"start": s, "end": e, "label": "SPEAKER", "kb_id": speaker});
        // Quotes of one speaker share the mention; spaCy wants it once.
        if !speakers.contains(&mention) {
            speakers.push(mention);
        }
    }
    let mut out = Map::new();
    out.insert("text".into(), json!(text));
    out.insert("ents".into(), Value::Array(ents));
    out.insert("sents".into(), Value::Array(sents));
    out.insert("tokens".into(), Value::Array(tokens));
    if !quotes.is_empty() {
        let mut groups = Map::new();
        groups.insert("quotes".into(), Value::Array(quotes));
        if !speakers.is_empty() {
            groups.insert("speakers".into(), Value::Array(speakers));
        }
        out.insert("spans".into(), Value::Object(groups));
    }
    Value::Object(out)
}

/// One document as CoNLL-U: a `# newdoc id` line, then per sentence `# sent_id` and
/// `# text` comments and one line per token with `ID FORM` filled, the entity as
/// `NER=B-PER`/`I-PER` and `SpaceAfter=No` in MISC, every other column `_`. Tokens outside
/// every sentence form sentences of their own.
pub fn to_conllu(line: &Value) -> String {
    let text = line.get("text").and_then(Value::as_str).unwrap_or("");
    let chars: Vec<char> = text.chars().collect();
    let slice = |s: usize, e: usize| {
        chars[s.min(chars.len())..e.min(chars.len())]
            .iter()
            .collect::<String>()
    };
    let toks = token_spans(line, text);
    // Sentence index of each token: by the sentence containing its start.
    let sents: Vec<(usize, usize)> = field(line, "sentences")
        .into_iter()
        .flatten()
        .filter_map(span)
        .collect();
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut current: Option<usize> = None;
    for (i, t) in toks.iter().enumerate() {
        let s = sents.iter().position(|s| s.0 <= t.0 && t.0 < s.1);
        if s.is_none() || s != current || groups.is_empty() {
            groups.push(Vec::new());
        }
        current = s;
        if let Some(g) = groups.last_mut() {
            g.push(i);
        }
    }
    // Entity tag of each token.
    let mut ner: Vec<Option<String>> = vec![None; toks.len()];
    for e in field(line, "entities").into_iter().flatten() {
        let (Some((s, en)), Some(label)) = (span(e), e.get("label").and_then(Value::as_str)) else {
            continue;
        };
        let mut first = true;
        for (i, t) in toks.iter().enumerate() {
            if t.0 >= s && t.1 <= en && ner[i].is_none() {
                ner[i] = Some(format!("{}-{label}", if first { "B" } else { "I" }));
                first = false;
            }
        }
    }
    let id = line.get("id").and_then(Value::as_str).unwrap_or("doc");
    let mut out = format!("# newdoc id = {id}\n");
    for (n, g) in groups.iter().enumerate() {
        let (Some(&a), Some(&b)) = (g.first(), g.last()) else {
            continue;
        };
        let sent_text = slice(toks[a].0, toks[b].1).replace(['\n', '\r', '\t'], " ");
        out.push_str(&format!(
            "# sent_id = {id}-{}\n# text = {sent_text}\n",
            n + 1
        ));
        for (k, &i) in g.iter().enumerate() {
            let form = slice(toks[i].0, toks[i].1).replace(['\n', '\r', '\t', ' '], "_");
            let mut misc: Vec<String> = Vec::new();
            if let Some(tag) = &ner[i] {
                misc.push(format!("NER={tag}"));
            }
            let next = toks.get(i + 1).map_or(chars.len(), |t| t.0);
            if i + 1 < toks.len() && next == toks[i].1 {
                misc.push("SpaceAfter=No".into());
            }
            let misc = if misc.is_empty() {
                "_".to_owned()
            } else {
                misc.join("|")
            };
            out.push_str(&format!("{}\t{form}\t_\t_\t_\t_\t_\t_\t_\t{misc}\n", k + 1));
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::AnnotateConfig;
    use pipeline_core::Document;

    /// A `documents.jsonl`-shaped line from the stage's output.
    fn line(text: &str) -> Value {
        let mut stage = AnnotateConfig::default().build_stage().unwrap();
        let mut doc = Document::new("d1", text);
        stage.annotate(&mut doc);
        json!({"id": "d1", "text": text, "annotations": doc.spans})
    }

    const TEXT: &str = "Grüße 👋 aus Pjöngjang. „Wir werden Beziehungen zu Nordkorea haben“, sagte US-Präsident Donald Trump.";

    #[test]
    fn spacy_json_has_aligned_char_offsets() {
        let v = to_spacy_json(&line(TEXT));
        let chars: Vec<char> = TEXT.chars().collect();
        let s = |x: &Value| {
            chars[x["start"].as_u64().unwrap() as usize..x["end"].as_u64().unwrap() as usize]
                .iter()
                .collect::<String>()
        };
        let toks = v["tokens"].as_array().unwrap();
        assert_eq!(s(&toks[1]), "👋");
        let v2 = to_spacy_json(&line("Erster Absatz.\n\nZweiter  Absatz."));
        let ws: Vec<String> = v2["tokens"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| {
                let c: Vec<char> = v2["text"].as_str().unwrap().chars().collect();
                c[t["start"].as_u64().unwrap() as usize..t["end"].as_u64().unwrap() as usize]
                    .iter()
                    .collect()
            })
            .collect();
        assert_eq!(
            ws,
            ["Erster", "Absatz", ".", "\n\n", "Zweiter", " ", "Absatz", "."]
        );
        assert_eq!(s(&toks[3]), "Pjöngjang");
        let ents = v["ents"].as_array().unwrap();
        assert!(
            ents.iter()
                .any(|e| s(e) == "Donald Trump" && e["label"] == "PER"),
            "{ents:?}"
        );
        assert!(
            ents.iter()
                .any(|e| s(e) == "Pjöngjang" && e["label"] == "LOC"),
            "{ents:?}"
        );
        assert_eq!(v["sents"].as_array().unwrap().len(), 2);
        let q = &v["spans"]["quotes"][0];
        assert_eq!(q["kb_id"], "Donald Trump");
        assert!(s(q).starts_with('„'));
        let m = &v["spans"]["speakers"][0];
        assert_eq!(
            (s(m).as_str(), &m["kb_id"], &m["label"]),
            ("Donald Trump", &json!("Donald Trump"), &json!("SPEAKER"))
        );
        for (i, t) in toks.iter().enumerate() {
            assert_eq!(t["id"], i);
        }
    }

    #[test]
    fn conllu_has_one_line_per_token_and_bio_tags() {
        let out = to_conllu(&line(TEXT));
        assert!(out
            .starts_with("# newdoc id = d1\n# sent_id = d1-1\n# text = Grüße 👋 aus Pjöngjang.\n"));
        assert!(
            out.contains("4\tPjöngjang\t_\t_\t_\t_\t_\t_\t_\tNER=B-LOC|SpaceAfter=No\n"),
            "{out}"
        );
        assert!(
            out.contains("\tDonald\t_\t_\t_\t_\t_\t_\t_\tNER=B-PER\n"),
            "{out}"
        );
        assert!(
            out.contains("\tTrump\t_\t_\t_\t_\t_\t_\t_\tNER=I-PER|SpaceAfter=No\n"),
            "{out}"
        );
        for l in out.lines().filter(|l| !l.is_empty() && !l.starts_with('#')) {
            assert_eq!(l.split('\t').count(), 10, "{l}");
        }
        assert_eq!(out.matches("# sent_id").count(), 2);
    }

    #[test]
    fn stored_tokens_prefixed_keys_and_the_internal_form_are_used() {
        let v = json!({"text": "Ab cd", "annotations": {
            "annotate.tokens": [{"start": 0, "end": 5, "text": "Ab cd"}],
            "annotate.entities": [{"start": 0, "end": 5, "label": "ORG"}, {"start": 0, "end": 2, "label": "PER"}]}});
        let s = to_spacy_json(&v);
        assert_eq!(s["tokens"].as_array().unwrap().len(), 1);
        assert_eq!(s["ents"], json!([{"start": 0, "end": 5, "label": "ORG"}]));
        let stored = &v["annotations"];
        let internal = json!({"text": "Ab cd", "annotations": {}, "spans": {
            "tokens": stored["annotate.tokens"], "entities": stored["annotate.entities"]}});
        assert_eq!(to_spacy_json(&internal), s);
    }
}
