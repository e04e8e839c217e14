//! A German-aware, rule-based sentence splitter working on [`Token`]s.
//!
//! A sentence ends at `.`, `!`, `?`, `…` or `...` together with any closing quotes or
//! brackets right after it, unless the next token starts lowercase or is a comma-like mark
//! (`„Nein!“, sagte er`), or the period belongs to an abbreviation (`z. B.`, `Dr.`), an
//! initial (`Donald J. Trump`) or an ordinal/date (`9. Februar`, `im 19. Jahrhundert`; but
//! `auf Platz 19. Der Trainer` ends). A semicolon followed by a space ends a sentence too,
//! as in the sentence spans of the German news quotation corpus.
//! A paragraph break always ends a sentence, and so does a single line break when
//! `line_breaks` is on.

use crate::lexicon;
use crate::tokenize::{is_capitalized, is_lowercase_start, Kind, Token};

/// Splits the tokens into sentences, returned as half-open token index ranges.
pub fn split(text: &str, toks: &[Token], line_breaks: bool) -> Vec<(usize, usize)> {
    let threshold = if line_breaks { 1 } else { 2 };
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < toks.len() {
        if i > start && toks[i].newlines_before >= threshold && !hard_wrap(text, toks, i) {
            out.push((start, i));
            start = i;
        }
        let t = toks[i].text(text);
        if toks[i].kind == Kind::Punct
            && t == ";"
            && toks.get(i + 1).is_some_and(|n| n.space_before)
        {
            // Independent clauses joined by a semicolon are sentences of their own.
            out.push((start, i + 1));
            start = i + 1;
            i += 1;
            continue;
        }
        if toks[i].kind == Kind::Punct && is_terminal(t) {
            // Closing quotes, brackets and further terminal marks glued to the end.
            let mut j = i + 1;
            while j < toks.len()
                && !toks[j].space_before
                && toks[j].kind == Kind::Punct
                && (is_closer(toks[j].text(text)) || is_terminal(toks[j].text(text)))
            {
                j += 1;
            }
            if ends_sentence(text, toks, i, j, threshold) {
                out.push((start, j));
                start = j;
            }
            i = j;
            continue;
        }
        i += 1;
    }
    if start < toks.len() {
        out.push((start, toks.len()));
    }
    out
}

/// A single line break inside a sentence: the next line starts lowercase (hard-wrapped
/// text, `Welche Bedenken⏎haben Sie?`), or the line ends in a word no sentence ends in
/// (`der Fingerabdrücke aller⏎Bundesbürger`).
fn hard_wrap(text: &str, toks: &[Token], i: usize) -> bool {
    let continues = toks[i].kind == Kind::Word && is_lowercase_start(toks[i].text(text));
    let open_end =
        i > 0 && toks[i - 1].kind == Kind::Word && NEVER_LAST.contains(&toks[i - 1].text(text));
    toks[i].newlines_before == 1 && (continues || open_end)
}

/// Words no German sentence ends in: articles, determiners, prepositions that are no
/// verb particle (`an`, `auf`, `aus`, … end sentences: `Er kam an.`) and conjunctions.
const NEVER_LAST: &[&str] = &[
    "der", "die", "das", "des", "dem", "den", "ein", "eine", "einer", "eines", "einem", "einen",
    "aller", "alle", "allen", "jeder", "jede", "jedes", "jedem", "jeden", "dieser", "diese",
    "dieses", "diesem", "diesen", "für", "von", "vom", "zum", "zur", "im", "am", "beim", "ins",
    "gegen", "ohne", "seit", "während", "wegen", "trotz", "zwischen", "und", "oder", "sowie",
    "dass", "weil", "ob", "wenn",
];

/// A mark that may end a sentence: `.`, `!`, `?`, `…`, an ellipsis `...`, or `..` (an
/// abbreviation's period followed by the sentence's: `Sony Corp.. Diese`).
fn is_terminal(t: &str) -> bool {
    matches!(t, "." | "!" | "?" | "…") || (t.len() >= 2 && t.bytes().all(|b| b == b'.'))
}

fn is_closer(t: &str) -> bool {
    matches!(
        t,
        "\"" | "“" | "”" | "»" | "«" | "'" | "’" | "‘" | ")" | "]"
    )
}

/// Whether the terminal mark at `i`, with its closers up to `j`, ends the sentence.
fn ends_sentence(text: &str, toks: &[Token], i: usize, j: usize, threshold: u8) -> bool {
    let Some(next) = toks.get(j) else {
        return true;
    };
    if next.newlines_before >= threshold {
        return true;
    }
    let nt = next.text(text);
    if next.kind == Kind::Word && is_lowercase_start(nt) {
        return false;
    }
    if next.kind == Kind::Punct && matches!(nt, "," | ";" | ":" | ")" | "]" | "–" | "-") {
        return false;
    }
    let term = toks[i].text(text);
    if term == "." && j == i + 1 && i > 0 && !toks[i].space_before {
        let prev = &toks[i - 1];
        let pt = prev.text(text);
        match prev.kind {
            Kind::Word => {
                if lexicon::ABBREVIATIONS.contains(&pt) {
                    return false;
                }
                if lexicon::ABBREVIATIONS_BEFORE_NUMBER.contains(&pt) && next.kind == Kind::Number {
                    return false;
                }
                let mut cs = pt.chars();
                if let (Some(c), None) = (cs.next(), cs.next()) {
                    // An initial (`J.`) or a one-letter abbreviation (`u. a.`, `d. h.`).
                    if c.is_alphabetic() {
                        return false;
                    }
                }
                if lexicon::month_number(pt).is_some() && next.kind == Kind::Number {
                    return false;
                }
            }
            Kind::Number => {
                let ordinal = pt.len() <= 3 && pt.bytes().all(|b| b.is_ascii_digit());
                // `22.09.` followed by a year.
                let day_month = pt.len() <= 5 && pt.bytes().filter(|&b| b == b'.').count() == 1;
                // An ordinal is followed by a noun or an adjective, never by an article
                // or a pronoun (`auf Platz 19. Trainer …` ends, `den 60. Der Franzose` too).
                let opens_clause = lexicon::SENTENCE_OPENERS.contains(&nt);
                if (ordinal && !opens_clause && (next.kind == Kind::Number || is_capitalized(nt)))
                    || (day_month && next.kind == Kind::Number)
                {
                    return false;
                }
            }
            _ => {}
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tokenize::tokenize;

    fn sents(text: &str) -> Vec<&str> {
        let mut toks = Vec::new();
        tokenize(text, &mut toks);
        split(text, &toks, true)
            .into_iter()
            .map(|(a, b)| &text[toks[a].start..toks[b - 1].end])
            .collect()
    }

    // The sixteen hard cases.

    #[test]
    fn hc01_plain_sentences() {
        assert_eq!(
            sents("Das ist gut. Das ist schlecht."),
            ["Das ist gut.", "Das ist schlecht."]
        );
    }

    #[test]
    fn hc02_question_and_exclamation() {
        assert_eq!(
            sents("Kommt er? Ja! Sicher."),
            ["Kommt er?", "Ja!", "Sicher."]
        );
    }

    #[test]
    fn hc03_z_b_with_and_without_space() {
        assert_eq!(
            sents("Viele Länder, z. B. Japan, sind betroffen. Auch z.B. Korea."),
            [
                "Viele Länder, z. B. Japan, sind betroffen.",
                "Auch z.B. Korea."
            ]
        );
    }

    #[test]
    fn hc04_titles() {
        assert_eq!(
            sents("Dr. Müller und Prof. Schmidt kamen. St. Pauli verlor."),
            ["Dr. Müller und Prof. Schmidt kamen.", "St. Pauli verlor."]
        );
    }

    #[test]
    fn hc05_law_and_number_abbreviations() {
        assert_eq!(
            sents("Nach Art. 5 Abs. 2 Nr. 3 gilt das. Ende."),
            ["Nach Art. 5 Abs. 2 Nr. 3 gilt das.", "Ende."]
        );
    }

    #[test]
    fn hc06_bzw_ca_u_a() {
        assert_eq!(
            sents("Es kamen ca. 300 bzw. 400 Leute, u. a. Politiker. Dann gingen sie."),
            [
                "Es kamen ca. 300 bzw. 400 Leute, u. a. Politiker.",
                "Dann gingen sie."
            ]
        );
    }

    #[test]
    fn hc07_date_with_month_name() {
        assert_eq!(
            sents("Am 9. Februar 2025 sprach er. Danach schwieg er."),
            ["Am 9. Februar 2025 sprach er.", "Danach schwieg er."]
        );
    }

    #[test]
    fn hc08_ordinal_century() {
        assert_eq!(
            sents("Im 19. Jahrhundert war das anders. Heute nicht."),
            ["Im 19. Jahrhundert war das anders.", "Heute nicht."]
        );
    }

    #[test]
    fn hc09_numeric_date_and_year_end() {
        assert_eq!(
            sents("Das war am 22.09.2025. Es folgte 2026. Neue Runde."),
            ["Das war am 22.09.2025.", "Es folgte 2026.", "Neue Runde."]
        );
    }

    #[test]
    fn hc10_decimal_numbers() {
        assert_eq!(
            sents("Die Inflation lag bei 2.5 Prozent. Das Wachstum bei 1,3."),
            [
                "Die Inflation lag bei 2.5 Prozent.",
                "Das Wachstum bei 1,3."
            ]
        );
    }

    #[test]
    fn hc11_initials() {
        assert_eq!(
            sents("Donald J. Trump sprach. George W. Bush auch."),
            ["Donald J. Trump sprach.", "George W. Bush auch."]
        );
    }

    #[test]
    fn hc12_ellipsis_in_brackets() {
        assert_eq!(
            sents("\"Wenn die USA aufgeben und (...) anstreben\", sagte Kim. Gut."),
            [
                "\"Wenn die USA aufgeben und (...) anstreben\", sagte Kim.",
                "Gut."
            ]
        );
    }

    #[test]
    fn hc13_quote_ends_sentence() {
        assert_eq!(
            sents("Er sagte: „Wir kommen.“ Dann ging er. Sie rief: »Halt!« Er blieb."),
            [
                "Er sagte: „Wir kommen.“",
                "Dann ging er.",
                "Sie rief: »Halt!«",
                "Er blieb."
            ]
        );
        assert_eq!(
            sents("„Ich hatte ein gutes Verhältnis zu ihm”, sagte Trump. „Gut.” Ende."),
            [
                "„Ich hatte ein gutes Verhältnis zu ihm”, sagte Trump.",
                "„Gut.”",
                "Ende."
            ]
        );
    }

    #[test]
    fn hc14_quoted_question_followed_by_verb() {
        assert_eq!(
            sents("„Kommst du?“, fragte sie. \"Nein!\" sagte er leise."),
            ["„Kommst du?“, fragte sie.", "\"Nein!\" sagte er leise."]
        );
    }

    #[test]
    fn hc15_paragraph_break_without_punctuation() {
        assert_eq!(
            sents("Atomwaffen als Druckmittel\n\nDie Botschaft ist klar."),
            ["Atomwaffen als Druckmittel", "Die Botschaft ist klar."]
        );
    }

    #[test]
    fn hc16_month_abbreviation_and_lowercase_continuation() {
        assert_eq!(
            sents("Am 3. Okt. 2024 bzw. am 7. Jan. wurde gewählt. Vgl. die Liste. Ende."),
            [
                "Am 3. Okt. 2024 bzw. am 7. Jan. wurde gewählt.",
                "Vgl. die Liste.",
                "Ende."
            ]
        );
    }

    #[test]
    fn hard_wrapped_lines_continue_the_sentence() {
        assert_eq!(
            sents("Welche Bedenken\nhaben Sie? Keine.\nNeue Zeile"),
            ["Welche Bedenken\nhaben Sie?", "Keine.", "Neue Zeile"]
        );
        // A line that ends in an article or a conjunction goes on; one that ends in a verb
        // particle may be a sentence of its own.
        assert_eq!(
            sents("Die Speicherung der Fingerabdrücke aller \nBundesbürger und \nReisenden.\nEr kam an\nDann ging er."),
            [
                "Die Speicherung der Fingerabdrücke aller \nBundesbürger und \nReisenden.",
                "Er kam an",
                "Dann ging er."
            ]
        );
    }

    #[test]
    fn line_breaks_are_optional() {
        let text = "Titel ohne Punkt\nDer Text.";
        let mut toks = Vec::new();
        tokenize(text, &mut toks);
        assert_eq!(split(text, &toks, true).len(), 2);
        assert_eq!(split(text, &toks, false).len(), 1);
    }
    #[test]
    fn semicolon_ends_a_sentence() {
        assert_eq!(
            sents("Er wurde gebeten; seinerzeit hatte Österreich abgelehnt. Ende."),
            [
                "Er wurde gebeten;",
                "seinerzeit hatte Österreich abgelehnt.",
                "Ende."
            ]
        );
        // Not inside a token run without a space (`a;b`).
        assert_eq!(
            sents("Der Code a;b blieb. Ende."),
            ["Der Code a;b blieb.", "Ende."]
        );
    }

    #[test]
    fn abbreviation_period_and_sentence_period() {
        assert_eq!(
            sents("Es kamen Intel Corp. und Sony Corp.. Diese Formate blieben."),
            [
                "Es kamen Intel Corp. und Sony Corp..",
                "Diese Formate blieben."
            ]
        );
    }

    #[test]
    fn number_before_an_article_or_pronoun_ends_a_sentence() {
        assert_eq!(
            sents("Er landete auf Platz 19. Die Trainer freuten sich. Es war der Flug 19. Er fand am 5. Dezember 1945 statt."),
            [
                "Er landete auf Platz 19.",
                "Die Trainer freuten sich.",
                "Es war der Flug 19.",
                "Er fand am 5. Dezember 1945 statt."
            ]
        );
        assert_eq!(
            sents("Er feierte einen runden Geburtstag, den 60. Der Franzose ist Teamchef."),
            [
                "Er feierte einen runden Geburtstag, den 60.",
                "Der Franzose ist Teamchef."
            ]
        );
    }
}
