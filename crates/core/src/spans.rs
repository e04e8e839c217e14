//! What the annotate stage finds in a document's text, typed in the shape of the output
//! contract's `annotations` object (`SCHEMA.md`). Offsets count characters (Unicode scalar
//! values) of the final `text`, end exclusive.
//!
//! These are typed rather than JSON trees because a document carries hundreds of spans: a
//! tree spends several allocations on every one, first in the stage that builds it and
//! again in the writer that serialises and frees it.
//!
//! Fields are declared in alphabetical order so that the serialised form is byte for byte
//! what the output held when these were JSON maps, whose keys serde_json sorts.

use serde::{Deserialize, Serialize};

/// The span lists of one document. A list is `None` when it was not computed (no annotate
/// stage, or the list switched off in its config) and empty when nothing was found.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Spans {
    /// Sentences.
    pub sentences: Option<Vec<Span>>,
    /// Named entities.
    pub entities: Option<Vec<Entity>>,
    /// Dates and times normalised to ISO 8601.
    pub dates: Option<Vec<Date>>,
    /// Direct quotations.
    pub quotes: Option<Vec<Quote>>,
    /// Tokens, only when asked for (they make the output several times larger).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tokens: Option<Vec<TextSpan>>,
}

impl Spans {
    /// Whether no list was computed.
    pub fn is_empty(&self) -> bool {
        self.sentences.is_none()
            && self.entities.is_none()
            && self.dates.is_none()
            && self.quotes.is_none()
            && self.tokens.is_none()
    }

    /// `(start, end)` of every span of every list, speaker mentions included, for checks
    /// that every offset fits the text.
    pub fn offsets(&self) -> impl Iterator<Item = (usize, usize)> + '_ {
        fn each<T>(list: &Option<Vec<T>>) -> impl Iterator<Item = &T> {
            list.iter().flatten()
        }
        let mentions = each(&self.quotes).filter_map(|q| q.speaker_mention.as_ref());
        each(&self.sentences)
            .map(|s| (s.start, s.end))
            .chain(each(&self.entities).map(|e| (e.start, e.end)))
            .chain(each(&self.dates).map(|d| (d.start, d.end)))
            .chain(each(&self.quotes).map(|q| (q.start, q.end)))
            .chain(mentions.map(|m| (m.start, m.end)))
            .chain(each(&self.tokens).map(|t| (t.start, t.end)))
    }
}

/// A stretch of text given by its offsets alone (a sentence).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Span {
    /// Character offset after the last character.
    pub end: usize,
    /// Character offset of the first character.
    pub start: usize,
}

/// A stretch of text with the text it covers (a token, the words naming a speaker).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TextSpan {
    /// Character offset after the last character.
    pub end: usize,
    /// Character offset of the first character.
    pub start: usize,
    /// The text between the offsets.
    pub text: String,
}

/// The kind of a named entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Label {
    /// A person.
    Per,
    /// A place.
    Loc,
    /// An organisation.
    Org,
    /// Another named thing (events, works, products).
    Misc,
}

impl Label {
    /// The label as written in the output (`PER`, `LOC`, `ORG`, `MISC`).
    pub fn as_str(self) -> &'static str {
        match self {
            Label::Per => "PER",
            Label::Loc => "LOC",
            Label::Org => "ORG",
            Label::Misc => "MISC",
        }
    }
}

/// A mention of a named entity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entity {
    /// The name shared by every mention of the entity, across documents and runs.
    pub canonical: String,
    /// Character offset after the last character.
    pub end: usize,
    /// Its kind.
    pub label: Label,
    /// Character offset of the first character.
    pub start: usize,
    /// The mention as written.
    pub text: String,
}

/// A date or time expression.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Date {
    /// Character offset after the last character.
    pub end: usize,
    /// Whether a relative expression ("am Montag") was resolved against the publication
    /// date; `true` for absolute ones.
    pub resolved: bool,
    /// Character offset of the first character.
    pub start: usize,
    /// The expression as written.
    pub text: String,
    /// ISO 8601 (`2025-09-22`, `2025-09-22T06:11`, `2025-02`, `2025-W38`, `2019`); `None`
    /// when a relative expression could not be resolved.
    pub value: Option<String>,
}

/// A direct quotation and who said it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Quote {
    /// Character offset after the closing quote mark.
    pub end: usize,
    /// Canonical name of the person (or organisation) the quote is attributed to.
    pub speaker: Option<String>,
    /// The words that name the speaker: a name, a pronoun, a description.
    pub speaker_mention: Option<TextSpan>,
    /// Character offset of the opening quote mark.
    pub start: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Spans {
        Spans {
            sentences: Some(vec![Span { start: 0, end: 12 }]),
            entities: Some(vec![Entity {
                start: 0,
                end: 3,
                text: "Kim".into(),
                label: Label::Per,
                canonical: "Kim Jong Un".into(),
            }]),
            dates: Some(vec![]),
            quotes: Some(vec![Quote {
                start: 4,
                end: 12,
                speaker: Some("Kim Jong Un".into()),
                speaker_mention: Some(TextSpan {
                    start: 0,
                    end: 3,
                    text: "Kim".into(),
                }),
            }]),
            tokens: None,
        }
    }

    #[test]
    fn serialises_as_the_json_maps_did_with_sorted_keys() {
        let json = serde_json::to_string(&sample()).unwrap();
        assert_eq!(
            json,
            r#"{"sentences":[{"end":12,"start":0}],"entities":[{"canonical":"Kim Jong Un","end":3,"label":"PER","start":0,"text":"Kim"}],"dates":[],"quotes":[{"end":12,"speaker":"Kim Jong Un","speaker_mention":{"end":3,"start":0,"text":"Kim"},"start":4}]}"#
        );
    }

    #[test]
    fn round_trips_and_missing_lists_are_none() {
        let spans = sample();
        let back: Spans = serde_json::from_str(&serde_json::to_string(&spans).unwrap()).unwrap();
        assert_eq!(back, spans);
        let none: Spans = serde_json::from_str("{}").unwrap();
        assert!(none.is_empty());
    }

    #[test]
    fn offsets_cover_every_list_and_the_speaker_mentions() {
        let offsets: Vec<_> = sample().offsets().collect();
        assert_eq!(offsets, [(0, 12), (0, 3), (4, 12), (0, 3)]);
    }
}
