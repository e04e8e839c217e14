//! Direct quotations and their speakers.
//!
//! Quotes are found in every style German news uses: `„…“`, `„…”`, `„…"`, `"…"`, `»…«`,
//! `«…»` and `“…”`. A quote never crosses a paragraph break. Short quotes (scare quotes,
//! `„Feuer und Wut“`) are kept only when a speaker is attributed. The speaker is the
//! person named next to a speech verb right after the quote (`…“, sagte Kim`,
//! `…“, so China-Experte Christian Wirth`) or before a colon that introduces it
//! (`Kim sagte: „…“`); when the verb's subject is no name (`erklärte der nordkoreanische
//! Führer`), the speaker is unknown.

use crate::entities::{is_role, Entity, Label};
use crate::tokenize::{Kind, Token};

/// Verb forms (and `so`) that attribute a quotation to its speaker.
const SPEECH_VERBS: &[&str] = &[
    "sagte",
    "sagt",
    "sagten",
    "sagen",
    "erklärte",
    "erklärt",
    "erklärten",
    "betonte",
    "betont",
    "so",
    "meinte",
    "meint",
    "schrieb",
    "schreibt",
    "twitterte",
    "teilte",
    "sprach",
    "fragte",
    "fragt",
    "antwortete",
    "antwortet",
    "warnte",
    "warnt",
    "kritisierte",
    "kritisiert",
    "forderte",
    "fordert",
    "bekräftigte",
    "behauptete",
    "behauptet",
    "versprach",
    "räumte",
    "berichtete",
    "erläuterte",
    "ergänzte",
    "ergänzt",
    "unterstrich",
    "mahnte",
    "mahnt",
    "verkündete",
    "rief",
    "fügte",
    "sagte",
    "zitierte",
    "hieß",
    "heißt",
    "kommentierte",
    "bestätigte",
    "bestätigt",
    "beteuerte",
    "versicherte",
    "stellte",
    "gab",
    "äußerte",
    "erwiderte",
    "entgegnete",
    "lobte",
    "klagte",
    "beklagte",
    "drohte",
    "jubelte",
    "schimpfte",
    "Sagte",
    "Erklärte",
    "So",
];

/// Opening marks and what closes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Style {
    /// `„` closed by `“`, `”` or `"`.
    Low,
    /// `"` closed by `"` (or a curly closing mark).
    Straight,
    /// `»` closed by `«`.
    Guillemets,
    /// `«` closed by `»`.
    SwissGuillemets,
    /// `“` closed by `”`.
    English,
}

impl Style {
    fn closes(self, c: char) -> bool {
        match self {
            Style::Low => matches!(c, '“' | '”' | '"'),
            Style::Straight => matches!(c, '"' | '”' | '“'),
            Style::Guillemets => c == '«',
            Style::SwissGuillemets => c == '»',
            Style::English => c == '”',
        }
    }
}

/// One quotation as a byte span (marks included) with its speaker's canonical name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quote {
    /// Byte offset of the opening mark.
    pub start: usize,
    /// Byte offset after the closing mark.
    pub end: usize,
    /// Canonical name of the attributed person, if any.
    pub speaker: Option<String>,
}

/// Byte spans of the quotations in `text`, marks included.
pub fn spans(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut open: Option<(usize, Style)> = None;
    let mut prev: Option<char> = None;
    let mut iter = text.char_indices().peekable();
    while let Some((i, c)) = iter.next() {
        let next = iter.peek().map(|&(_, n)| n);
        let next_is_text = next.is_some_and(|n| !n.is_whitespace());
        let prev_is_gap = is_gap(prev);
        match open {
            Some((start, style)) => {
                if c == '\n' && next == Some('\n') {
                    open = None; // Unclosed at a paragraph break.
                } else if style.closes(c) {
                    out.push((start, i + c.len_utf8()));
                    open = None;
                }
            }
            None => {
                let style = match c {
                    '„' if next_is_text => Some(Style::Low),
                    '»' if next_is_text => Some(Style::Guillemets),
                    '«' if next_is_text && prev_is_gap => Some(Style::SwissGuillemets),
                    '"' if next_is_text && prev_is_gap => Some(Style::Straight),
                    '“' if next_is_text && prev_is_gap => Some(Style::English),
                    _ => None,
                };
                if let Some(style) = style {
                    open = Some((i, style));
                }
            }
        }
        prev = Some(c);
    }
    out
}

/// Start of text, whitespace, or an opening bracket or dash before a quote mark.
fn is_gap(prev: Option<char>) -> bool {
    match prev {
        None => true,
        Some(p) => p.is_whitespace() || matches!(p, '(' | '[' | '–' | '—' | '-' | ':' | '/'),
    }
}

/// Finds the quotations and attributes speakers from the entities.
///
/// `min_words`: quotes with fewer words are kept only when a speaker is found.
/// `sentences` are the half-open token ranges of the sentences.
pub fn find(
    text: &str,
    toks: &[Token],
    ents: &[Entity],
    sentences: &[(usize, usize)],
    min_words: usize,
) -> Vec<Quote> {
    let spans = spans(text);
    if spans.is_empty() {
        return Vec::new();
    }
    // Entity starting at each token.
    let mut ent_at: Vec<Option<usize>> = vec![None; toks.len()];
    for (n, e) in ents.iter().enumerate() {
        ent_at[e.first] = Some(n);
    }
    let mut out = Vec::with_capacity(spans.len());
    for (start, end) in spans {
        // Token indices: first token of the quote, first token after it.
        let first = toks.partition_point(|t| t.start < start);
        let after = toks.partition_point(|t| t.start < end);
        let words = toks[first..after]
            .iter()
            .filter(|t| t.kind == Kind::Word)
            .count();
        let sentence_start = sentences
            .get(sentences.partition_point(|s| s.1 <= first))
            .map_or(0, |s| s.0);
        let after_verb = speaker_after(text, toks, ents, &ent_at, first, after);
        let introduced = first > 0 && toks[first - 1].text(text) == ":";
        // A short quote counts when a speech verb or a colon attributes it; a person merely
        // named earlier in the sentence does not make scare quotes a quotation.
        let attributed = after_verb.is_some() || introduced;
        let speaker =
            after_verb.or_else(|| speaker_before(text, toks, ents, sentence_start, first));
        if words >= min_words || (attributed && speaker.is_some()) {
            out.push(Quote {
                start,
                end,
                speaker,
            });
        }
    }
    out
}

fn is_speech_verb(t: &str) -> bool {
    SPEECH_VERBS.contains(&t)
}

fn is_clause_end(t: &str) -> bool {
    matches!(
        t,
        "." | "!" | "?" | ";" | ":" | "„" | "\"" | "»" | "«" | "“" | "”" | "…"
    )
}

/// The last person mentioned before token `before`: what `er`, `sie` or a role
/// description (`der nordkoreanische Führer`) refers to.
fn recent_person(ents: &[Entity], before: usize) -> Option<String> {
    ents.iter()
        .rev()
        .find(|e| e.label == Label::Per && e.end <= before)
        .map(|e| e.canonical.clone())
}

fn is_pronoun(t: &str) -> bool {
    matches!(t, "er" | "sie" | "Er" | "Sie")
}

fn is_determiner(t: &str) -> bool {
    matches!(
        t,
        "der"
            | "die"
            | "das"
            | "den"
            | "dem"
            | "des"
            | "ein"
            | "eine"
            | "einer"
            | "Der"
            | "Die"
            | "Ein"
            | "Eine"
    )
}

/// The subject after a speech verb at `verb`: a person (or organisation) entity, a pronoun
/// or a role description resolved to the last person mentioned before `quote_first`.
fn subject_after(
    text: &str,
    toks: &[Token],
    ents: &[Entity],
    ent_at: &[Option<usize>],
    verb: usize,
    quote_first: usize,
) -> Option<String> {
    let mut role_head = false;
    for k in verb + 1..(verb + 12).min(toks.len()) {
        let t = toks[k].text(text);
        if toks[k].newlines_before > 0 || is_clause_end(t) {
            break;
        }
        if let Some(n) = ent_at[k] {
            if matches!(ents[n].label, Label::Per | Label::Org) {
                return Some(ents[n].canonical.clone());
            }
        }
        if k == verb + 1 && is_pronoun(t) {
            return recent_person(ents, quote_first);
        }
        if t.chars().next().is_some_and(char::is_uppercase) && is_role(t) {
            role_head = true;
        }
        if t == "," && k > verb + 2 {
            break;
        }
    }
    if role_head
        && toks
            .get(verb + 1)
            .is_some_and(|t| is_determiner(t.text(text)))
    {
        return recent_person(ents, quote_first);
    }
    None
}

/// `„…“, sagte Kim` / `„…“, so China-Experte Christian Wirth` / `„…“, erklärte der
/// nordkoreanische Führer` / `„…“, teilte die Polizei mit`.
fn speaker_after(
    text: &str,
    toks: &[Token],
    ents: &[Entity],
    ent_at: &[Option<usize>],
    first: usize,
    after: usize,
) -> Option<String> {
    let mut j = after;
    if toks.get(j).is_some_and(|t| t.text(text) == ",") {
        j += 1;
    }
    let verb = toks.get(j)?;
    if verb.newlines_before > 0 || !is_speech_verb(verb.text(text)) {
        return None;
    }
    subject_after(text, toks, ents, ent_at, j, first)
}

/// The speaker named in the sentence before the quote: `Kim sagte: „…“`, `Kim: „…“`,
/// `Er sagte: „…“`, `Dazu gab das Außenministerium bekannt: „…“`, `Trump nannte das
/// „…“`. The first person in the sentence before the quote; else its first organisation;
/// else a pronoun or role description resolved to the last person mentioned before.
fn speaker_before(
    text: &str,
    toks: &[Token],
    ents: &[Entity],
    sentence_start: usize,
    first: usize,
) -> Option<String> {
    if first == 0 || first <= sentence_start {
        return None;
    }
    let colon = toks[first - 1].text(text) == ":";
    let in_sentence = |e: &&Entity| e.first >= sentence_start && e.end < first;
    if let Some(e) = ents
        .iter()
        .filter(in_sentence)
        .find(|e| e.label == Label::Per)
    {
        return Some(e.canonical.clone());
    }
    if !colon {
        return None;
    }
    if let Some(e) = ents
        .iter()
        .filter(in_sentence)
        .find(|e| e.label == Label::Org)
    {
        return Some(e.canonical.clone());
    }
    for tok in &toks[sentence_start..first - 1] {
        let t = tok.text(text);
        if is_pronoun(t) || (t.chars().next().is_some_and(char::is_uppercase) && is_role(t)) {
            return recent_person(ents, sentence_start);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entities::Recognizer;
    use crate::sentences;
    use crate::tokenize::tokenize;

    fn quotes(text: &str) -> Vec<(String, Option<String>)> {
        let mut toks = Vec::new();
        tokenize(text, &mut toks);
        let sents = sentences::split(text, &toks, true);
        let ents = Recognizer::new().find(text, &toks, &sents);
        find(text, &toks, &ents, &sents, 4)
            .into_iter()
            .map(|q| (text[q.start..q.end].to_owned(), q.speaker))
            .collect()
    }

    #[test]
    fn every_quote_style() {
        for (open, close) in [
            ("„", "“"),
            ("„", "”"),
            ("„", "\""),
            ("\"", "\""),
            ("»", "«"),
            ("«", "»"),
            ("“", "”"),
        ] {
            let q = format!("{open}Wir kommen morgen wieder zurück{close}");
            let text = format!("Er sagte: {q} Dann ging er.");
            let all = quotes(&text);
            assert_eq!(all.len(), 1, "{text}: {all:?}");
            assert_eq!(all[0].0, q);
        }
    }

    #[test]
    fn speaker_after_the_quote() {
        let text =
            "Präsident Kim Jong Un sprach. \"Die Welt weiß sehr gut, was die USA tun\", sagte Kim.";
        assert_eq!(quotes(text)[0].1.as_deref(), Some("Kim Jong Un"));
        let text = "„Es herrscht keine große Einigkeit“, so China-Experte Christian Wirth.";
        assert_eq!(quotes(text)[0].1.as_deref(), Some("Christian Wirth"));
    }

    #[test]
    fn speaker_without_name_is_unknown() {
        let text = "„Dann gibt es keinen Grund, warum wir nicht nachkommen sollten\", erklärte der nordkoreanische Führer.";
        let all = quotes(text);
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].1, None);
    }

    #[test]
    fn role_descriptions_and_pronouns_refer_to_the_last_person() {
        let text = "Machthaber Kim Jong Un sprach vor dem Parlament. „Dann gibt es keinen Grund, warum wir nicht nachkommen sollten\", erklärte der nordkoreanische Führer. Er sagte: „Wir bleiben stark und werden nicht aufgeben.“";
        let all = quotes(text);
        assert_eq!(all.len(), 2, "{all:?}");
        assert_eq!(all[0].1.as_deref(), Some("Kim Jong Un"));
        assert_eq!(all[1].1.as_deref(), Some("Kim Jong Un"));
    }

    #[test]
    fn speaker_before_a_colon() {
        let text = "US-Präsident Donald Trump sagte: „Ich würde mich freuen, ihn zu sehen.“";
        assert_eq!(quotes(text)[0].1.as_deref(), Some("Donald Trump"));
    }

    #[test]
    fn scare_quotes_are_skipped_unless_attributed() {
        assert!(quotes("eine Politik der „strategischen Geduld“ war das.").is_empty());
        let all = quotes("Präsident Trump lobte Kim. „Großartig“, sagte Trump.");
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].1.as_deref(), Some("Trump"));
    }

    #[test]
    fn quotes_do_not_cross_paragraphs() {
        assert!(spans("„Offen ohne Ende\n\nNeuer Absatz.").is_empty());
    }
}
