//! Markdown to plain text: the markup that is not language (heading markers, link and
//! image syntax, emphasis markers) is removed so that later stages see prose. Code blocks
//! and everything else stay as written.

/// Plain text of a Markdown document, line by line.
pub(crate) fn markdown_to_text(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len());
    let mut in_code = false;
    for line in markdown.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            in_code = !in_code;
            out.push_str(line);
        } else if in_code {
            out.push_str(line);
        } else {
            let body = heading_text(trimmed).unwrap_or(line);
            out.push_str(&inline_text(body));
        }
        out.push('\n');
    }
    if !markdown.ends_with('\n') {
        out.pop();
    }
    out
}

/// The text of an ATX heading line (`## Title ##`), or `None` if the line is no heading.
fn heading_text(line: &str) -> Option<&str> {
    let hashes = line.bytes().take_while(|&b| b == b'#').count();
    if hashes == 0 || hashes > 6 {
        return None;
    }
    let rest = &line[hashes..];
    if !(rest.is_empty() || rest.starts_with(' ') || rest.starts_with('\t')) {
        return None;
    }
    Some(rest.trim().trim_end_matches('#').trim_end())
}

/// A line without image syntax, with links reduced to their text and emphasis markers
/// (`**`, `__`, and `*`/`_` around a word) removed.
fn inline_text(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let chars: Vec<char> = line.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let image = c == '!' && chars.get(i + 1) == Some(&'[');
        if c == '[' || image {
            let open = if image { i + 1 } else { i };
            if let Some((text_end, link_end)) = link_at(&chars, open) {
                if !image {
                    out.extend(&chars[open + 1..text_end]);
                }
                i = link_end;
                continue;
            }
        }
        if (c == '*' || c == '_') && is_emphasis_marker(&chars, i) {
            i += 1;
            continue;
        }
        out.push(c);
        i += 1;
    }
    out
}

/// For `[text](target)` starting at `open`: the index of `]` and the index after `)`.
fn link_at(chars: &[char], open: usize) -> Option<(usize, usize)> {
    let close = open + chars[open..].iter().position(|&c| c == ']')?;
    if chars.get(close + 1) != Some(&'(') {
        return None;
    }
    let end = close + 1 + chars[close + 1..].iter().position(|&c| c == ')')?;
    Some((close, end + 1))
}

/// Whether the `*` or `_` at `i` opens or closes emphasis: it touches a word on one side and
/// not on the other (so `a*b`, `snake_case` and a lone ` * ` stay).
fn is_emphasis_marker(chars: &[char], i: usize) -> bool {
    let marker = chars[i];
    let mut start = i;
    while start > 0 && chars[start - 1] == marker {
        start -= 1;
    }
    let mut end = i;
    while end + 1 < chars.len() && chars[end + 1] == marker {
        end += 1;
    }
    let before = start.checked_sub(1).map(|j| chars[j]);
    let after = chars.get(end + 1).copied();
    let word = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
    let space = |c: Option<char>| c.is_none_or(|c| c.is_whitespace() || c.is_ascii_punctuation());
    (word(after) && space(before)) || (word(before) && space(after))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_links_images_and_emphasis_become_plain_text() {
        let markdown = "# Energiepreise bleiben stabil #\n\nDie **Stadtwerke** haben [heute](https://x.example) \
                        _erneut_ angekündigt.![Bild](a.png)\n- Punkt mit snake_case und 2*3\n";
        assert_eq!(
            markdown_to_text(markdown),
            "Energiepreise bleiben stabil\n\nDie Stadtwerke haben heute erneut angekündigt.\n- Punkt mit snake_case und 2*3\n"
        );
    }

    #[test]
    fn code_blocks_and_hashtags_stay() {
        let markdown = "```\n# kein Titel\n```\n#Hashtag bleibt";
        assert_eq!(markdown_to_text(markdown), markdown);
    }
}
