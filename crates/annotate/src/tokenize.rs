//! A rule-based tokenizer for German news text.
//!
//! Tokens are byte spans into the text; nothing is allocated per token. Hyphenated
//! compounds (`US-Präsident`, `Jong-un`), numbers with separators (`1.234,56`, `6.000`),
//! times (`06:11`), dotted and ISO dates (`22.09.2025`, `2025-09-22`), e-mail addresses and
//! URLs stay whole; every other non-space character that is not part of a word or number
//! is a token of its own, except runs of dots (`...`).

/// What kind of token a [`Token`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Letters (and digits), possibly joined by hyphens; also `80er`, `G7`.
    Word,
    /// Digits, possibly with `.`, `,`, `:` between digit groups, or an ISO date.
    Number,
    /// One punctuation or symbol character, or a run of dots.
    Punct,
    /// A web address.
    Url,
    /// An e-mail address.
    Email,
}

/// One token: a byte span of the text with its kind and the whitespace before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    /// Byte offset of the first byte.
    pub start: usize,
    /// Byte offset after the last byte.
    pub end: usize,
    /// The token's kind.
    pub kind: Kind,
    /// Whether whitespace separates this token from the previous one.
    pub space_before: bool,
    /// Line breaks in the whitespace before the token, capped at 2.
    pub newlines_before: u8,
}

impl Token {
    /// The token's text.
    #[inline]
    pub fn text<'a>(&self, text: &'a str) -> &'a str {
        &text[self.start..self.end]
    }
}

const URL_TRAILING: &[char] = &[
    '.', ',', ';', ':', '!', '?', ')', ']', '}', '"', '\'', '“', '”', '»', '«', '’',
];

/// Splits `text` into tokens, appending them to `out` (which is cleared first).
pub fn tokenize(text: &str, out: &mut Vec<Token>) {
    out.clear();
    let bytes = text.as_bytes();
    let len = text.len();
    let mut i = 0;
    let mut space = false;
    let mut newlines: u8 = 0;
    while i < len {
        let c = char_at(text, i);
        if c.is_whitespace() {
            if c == '\n' {
                newlines = newlines.saturating_add(1).min(2);
            }
            space = true;
            i += c.len_utf8();
            continue;
        }
        let (end, kind) = if is_alphanumeric(c) {
            if let Some(end) = url_or_email(text, i) {
                end
            } else if c.is_ascii_digit() {
                (scan_number(text, i), Kind::Number)
            } else {
                (scan_word(text, i), Kind::Word)
            }
        } else if c == '.' && bytes.get(i + 1) == Some(&b'.') {
            let mut e = i;
            while bytes.get(e) == Some(&b'.') {
                e += 1;
            }
            (e, Kind::Punct)
        } else {
            (i + c.len_utf8(), Kind::Punct)
        };
        // A number followed directly by letters (`80er`, `5G`) or a hyphenated word
        // (`1990er-Jahre`) is a word.
        let (end, kind) = if kind == Kind::Number {
            match text[end..].chars().next() {
                Some(n) if n.is_alphabetic() => (scan_word(text, end), Kind::Word),
                Some('-')
                    if text[end + 1..]
                        .chars()
                        .next()
                        .is_some_and(char::is_alphanumeric) =>
                {
                    (scan_word(text, end), Kind::Word)
                }
                _ => (end, kind),
            }
        } else {
            (end, kind)
        };
        out.push(Token {
            start: i,
            end,
            kind,
            space_before: space,
            newlines_before: newlines,
        });
        space = false;
        newlines = 0;
        i = end;
    }
}

#[inline]
fn char_at(text: &str, i: usize) -> char {
    // `i` is always a char boundary inside `text` (callers step by `len_utf8`).
    text[i..].chars().next().unwrap_or('\0')
}

/// Letters and digits joined by single hyphens; a trailing hyphen before a space or comma
/// (`Atom- und Raketenprogramme`) stays with the word.
fn scan_word(text: &str, start: usize) -> usize {
    let b = text.as_bytes();
    let mut end = start;
    let mut at = start;
    loop {
        // Runs of ASCII letters and digits, most of a German word, are taken byte by byte
        // without decoding characters.
        let run = at;
        while at < b.len() && b[at].is_ascii_alphanumeric() {
            at += 1;
        }
        if at > run {
            end = at;
        }
        let Some(c) = text[at..].chars().next() else {
            break;
        };
        let next = at + c.len_utf8();
        if is_alphanumeric(c) || c == '\u{AD}' {
            end = next;
            at = next;
        } else if c == '-' || c == '‑' {
            match text[next..].chars().next() {
                Some(n) if is_alphanumeric(n) => at = next,
                Some(n) if (n.is_whitespace() || n == ',') && end > start => {
                    end = next;
                    break;
                }
                None if end > start => {
                    end = next;
                    break;
                }
                _ => break,
            }
        } else {
            break;
        }
    }
    end
}

/// `char::is_alphanumeric`, without its table lookup for the letters of Latin-1
/// (`ä`, `ß`, `é`: all of `À` to `ÿ` but `×` and `÷`), which German text is full of.
#[inline]
fn is_alphanumeric(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric()
    } else if ('À'..='ÿ').contains(&c) {
        c != '×' && c != '÷'
    } else {
        c.is_alphanumeric()
    }
}

/// Digits with `.`, `,` or `:` between digit groups; `YYYY-MM-DD`.
fn scan_number(text: &str, start: usize) -> usize {
    let b = text.as_bytes();
    let mut e = start;
    while e < b.len() && b[e].is_ascii_digit() {
        e += 1;
    }
    // ISO date.
    if e - start == 4
        && b.len() >= e + 6
        && b[e] == b'-'
        && b[e + 1].is_ascii_digit()
        && b[e + 2].is_ascii_digit()
        && b[e + 3] == b'-'
        && b[e + 4].is_ascii_digit()
        && b[e + 5].is_ascii_digit()
        && !matches!(b.get(e + 6), Some(x) if x.is_ascii_digit())
    {
        return e + 6;
    }
    while e + 1 < b.len() && matches!(b[e], b'.' | b',' | b':') && b[e + 1].is_ascii_digit() {
        e += 1;
        while e < b.len() && b[e].is_ascii_digit() {
            e += 1;
        }
    }
    e
}

/// A URL (`http://`, `https://`, `www.`) or e-mail address starting at `start`.
fn url_or_email(text: &str, start: usize) -> Option<(usize, Kind)> {
    let rest = &text[start..];
    if !might_be_url_or_email(rest.as_bytes()) {
        return None;
    }
    let chunk_len = rest.find(char::is_whitespace).unwrap_or(rest.len());
    let chunk = &rest[..chunk_len];
    let is_url =
        chunk.starts_with("http://") || chunk.starts_with("https://") || chunk.starts_with("www.");
    let has_at = !is_url && chunk.contains('@');
    if !is_url && !has_at {
        return None;
    }
    let trimmed = chunk.trim_end_matches(URL_TRAILING);
    if is_url {
        return Some((start + trimmed.len(), Kind::Url));
    }
    // An e-mail address: local@domain.tld, made of address characters only.
    let at = trimmed.find('@')?;
    let (local, domain) = (&trimmed[..at], &trimmed[at + 1..]);
    let ok_char = |c: char| c.is_alphanumeric() || matches!(c, '.' | '_' | '%' | '+' | '-');
    if local.is_empty()
        || !local.chars().all(ok_char)
        || !domain.contains('.')
        || domain.ends_with('.')
        || !domain
            .chars()
            .all(|c| c.is_alphanumeric() || c == '.' || c == '-')
    {
        return None;
    }
    Some((start + trimmed.len(), Kind::Email))
}

/// `false` when the chunk at the start of `rest` (up to the first whitespace) is surely no
/// URL and no e-mail address: it does not start like a URL and has no `@`, as far as its
/// ASCII start tells. Only the bytes up to the first whitespace, `@` or non-ASCII byte are
/// read, so most words are rejected without decoding characters.
#[inline]
fn might_be_url_or_email(rest: &[u8]) -> bool {
    if rest.starts_with(b"http://") || rest.starts_with(b"https://") || rest.starts_with(b"www.") {
        return true;
    }
    for &b in rest {
        if b == b'@' || !b.is_ascii() {
            return true; // Left to the full check.
        }
        // ASCII whitespace as `char::is_whitespace` sees it (with the vertical tab).
        if matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'\x0b' | b'\x0c') {
            return false;
        }
    }
    false
}

/// Whether `word` starts with an uppercase letter.
#[inline]
pub fn is_capitalized(word: &str) -> bool {
    word.chars().next().is_some_and(char::is_uppercase)
}

/// Whether `word` starts with a lowercase letter.
#[inline]
pub fn is_lowercase_start(word: &str) -> bool {
    word.chars().next().is_some_and(char::is_lowercase)
}

/// Whether `word` is an acronym: at least two letters, all uppercase (`UN`, `KCNA`).
pub fn is_acronym(word: &str) -> bool {
    let mut letters = 0;
    for c in word.chars() {
        if c.is_uppercase() {
            letters += 1;
        } else {
            return false;
        }
    }
    letters >= 2
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(text: &str) -> Vec<&str> {
        let mut out = Vec::new();
        tokenize(text, &mut out);
        out.iter().map(|t| t.text(text)).collect()
    }

    #[test]
    fn keeps_compounds_and_korean_names_whole() {
        assert_eq!(
            toks("US-Präsident Trump traf Kim Jong-un."),
            ["US-Präsident", "Trump", "traf", "Kim", "Jong-un", "."]
        );
    }

    #[test]
    fn keeps_numbers_times_and_dates_whole() {
        assert_eq!(
            toks("1.234,56 Euro, 6.000 Soldaten um 06:11 Uhr am 22.09.2025."),
            [
                "1.234,56",
                "Euro",
                ",",
                "6.000",
                "Soldaten",
                "um",
                "06:11",
                "Uhr",
                "am",
                "22.09.2025",
                "."
            ]
        );
        assert_eq!(toks("(2025-09-22)"), ["(", "2025-09-22", ")"]);
    }

    #[test]
    fn keeps_urls_and_emails_whole() {
        assert_eq!(
            toks("Siehe https://p.dw.com/p/4qDtG. Mail: max.mustermann@example.de!"),
            [
                "Siehe",
                "https://p.dw.com/p/4qDtG",
                ".",
                "Mail",
                ":",
                "max.mustermann@example.de",
                "!"
            ]
        );
        assert_eq!(toks("www.zdf.de"), ["www.zdf.de"]);
    }

    #[test]
    fn splits_punctuation_and_keeps_ellipses_and_truncations() {
        assert_eq!(
            toks("und (...) „Atom- und Raketenprogramme“"),
            [
                "und",
                "(",
                "...",
                ")",
                "„",
                "Atom-",
                "und",
                "Raketenprogramme",
                "“"
            ]
        );
        assert_eq!(toks("80er-Jahre, 5G"), ["80er-Jahre", ",", "5G"]);
    }

    #[test]
    fn records_whitespace_and_line_breaks() {
        let text = "A b\n\nC";
        let mut out = Vec::new();
        tokenize(text, &mut out);
        assert!(!out[0].space_before);
        assert!(out[1].space_before);
        assert_eq!(out[1].newlines_before, 0);
        assert_eq!(out[2].newlines_before, 2);
    }

    #[test]
    fn recognises_acronyms() {
        assert!(is_acronym("KCNA"));
        assert!(!is_acronym("Kim"));
        assert!(!is_acronym("A"));
    }

    /// `url_or_email` without the fast rejection, as the reference.
    fn url_or_email_full(text: &str, start: usize) -> Option<(usize, Kind)> {
        let rest = &text[start..];
        let chunk = &rest[..rest.find(char::is_whitespace).unwrap_or(rest.len())];
        let is_url = chunk.starts_with("http://")
            || chunk.starts_with("https://")
            || chunk.starts_with("www.");
        if !is_url && !chunk.contains('@') {
            return None;
        }
        url_or_email(text, start)
    }

    #[test]
    fn fast_url_rejection_agrees_with_the_full_check() {
        let text = "Mail an info@example.de oder\u{a0}presse@dpa.com, siehe https://x.de/a?b=1. \
                    www.tagesschau.de\tWort\u{2009}a@b Grüße@ü.de ab@\x0bcd ö\x0ce@f.de x\u{85}@y.z \
                    http:/kaputt @ Ende@";
        for (start, _) in text.char_indices() {
            assert_eq!(
                url_or_email(text, start),
                url_or_email_full(text, start),
                "at {start}: {:?}",
                &text[start..]
            );
        }
    }

    #[test]
    fn latin1_shortcut_agrees_with_char_is_alphanumeric() {
        for c in (0..0x3_0000).filter_map(char::from_u32) {
            assert_eq!(is_alphanumeric(c), c.is_alphanumeric(), "{c:?}");
        }
    }

    /// [`scan_word`] as it was, one decoded character at a time.
    fn scan_word_by_chars(text: &str, start: usize) -> usize {
        let mut end = start;
        let mut chars = text[start..].char_indices().peekable();
        while let Some((off, c)) = chars.next() {
            if c.is_alphanumeric() || c == '\u{AD}' {
                end = start + off + c.len_utf8();
            } else if c == '-' || c == '‑' {
                match chars.peek() {
                    Some(&(_, n)) if n.is_alphanumeric() => {}
                    Some(&(_, n)) if (n.is_whitespace() || n == ',') && end > start => {
                        end = start + off + c.len_utf8();
                        break;
                    }
                    None if end > start => {
                        end = start + off + c.len_utf8();
                        break;
                    }
                    _ => break,
                }
            } else {
                break;
            }
        }
        end
    }

    #[test]
    fn word_scan_by_ascii_runs_ends_where_it_did() {
        let parts = [
            "a", "Z", "7", "ä", "ß", "É", "\u{AD}", "-", "‑", "--", " ", ",", ".", "’", "\n",
            "Straße", "US", "x", "中", "٣",
        ];
        for text in crate::test_texts::random_texts(&parts, 20_000, 9, 0x2545_f491_4f6c_dd1d) {
            for (start, _) in text.char_indices() {
                assert_eq!(
                    scan_word(&text, start),
                    scan_word_by_chars(&text, start),
                    "{text:?} at {start}"
                );
            }
        }
    }
}
