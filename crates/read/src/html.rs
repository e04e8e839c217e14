//! HTML main-content extraction: the article text of a web page and its metadata.
//!
//! [`extract_html`] parses the page with `dom_query` (html5ever, so broken markup is
//! repaired the way a browser would), copies it into a small arena and then:
//!
//! 1. drops what is never content (`script`, `nav`, `aside`, `footer`, forms controls,
//!    hidden elements, …) and, inside the chosen root, containers whose `class`/`id` name
//!    boilerplate (share, related, comments, cookie, newsletter, sidebar, teaser, author,
//!    paywall, copyright, caption, …) or that are mostly links;
//! 2. picks the article root by a ladder of well-known body markers (`itemprop=articleBody`,
//!    `entry-content`, `<article>`, `story-body`, `#content`, `<main>`, …), falling back to
//!    `<body>`;
//! 3. keeps the text of paragraphs, headings, list items, quotes, preformatted blocks and
//!    table rows (and of bare `div` text where a page has almost no `<p>`), dropping
//!    link-heavy blocks, repeated blocks, trailing headings, short credit lines and
//!    subscription prompts;
//! 4. when that yields little or much less than a Readability pass (`dom_smoothie`, a port
//!    of Mozilla's readability.js), takes the Readability text instead.
//!
//! The approach follows trafilatura's (Barbaresi, 2021), re-implemented here. Metadata
//! comes from `<meta>` tags, JSON-LD, `<time>`, `<link rel=canonical>` and `<html lang>`.
//! The function is pure: no I/O, no network.

use std::collections::HashSet;

/// What was extracted from one HTML page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HtmlDocument {
    /// Main content, paragraphs separated by `"\n\n"`; the title is not repeated at the
    /// start unless the page's body repeats it.
    pub text: String,
    /// The article's title (headline), without a trailing site name where recognisable.
    pub title: Option<String>,
    /// Publication date, ISO 8601: `YYYY-MM-DD` or `YYYY-MM-DDTHH:MM:SS[±HH:MM|Z]`.
    pub published: Option<String>,
    /// Author(s) as the page names them, several joined by `"; "`.
    pub author: Option<String>,
    /// Name of the site or publisher.
    pub site_name: Option<String>,
    /// Language from `<html lang>` (as written, e.g. `de-DE`).
    pub lang: Option<String>,
    /// Canonical URL (`<link rel=canonical>`, `og:url`, else the URL passed in).
    pub url: Option<String>,
    /// Short description from `description`/`og:description` meta tags.
    pub description: Option<String>,
}

/// Extracts the main content and metadata of one HTML page.
///
/// `url` is where the page came from, if known: it is the fallback for
/// [`HtmlDocument::url`] and a last source for the publication date (`/2024/05/17/`).
pub fn extract_html(html: &str, url: Option<&str>) -> HtmlDocument {
    let dom = dom_query::Document::from(html);
    let arena = Arena::from_dom(&dom);
    let mut doc = metadata(&arena, url);
    doc.text = main_text(&arena, dom, url);
    doc
}

// ---------------------------------------------------------------------------------------
// Arena: a compact copy of the parsed tree that the passes below walk without borrowing.

/// Index of a node in [`Arena::nodes`].
type Id = usize;

/// One element or text node.
struct Node {
    /// Lower-case tag name; empty for a text node.
    tag: Box<str>,
    /// Attributes of an element, names lower-case.
    attrs: Vec<(Box<str>, Box<str>)>,
    /// Text of a text node.
    text: Box<str>,
    children: Vec<Id>,
}

impl Node {
    fn is_text(&self) -> bool {
        self.tag.is_empty()
    }

    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(n, _)| &**n == name)
            .map(|(_, v)| &**v)
    }

    fn attr_or_empty(&self, name: &str) -> &str {
        self.attr(name).unwrap_or("")
    }
}

/// Per-element text statistics, computed once bottom-up.
#[derive(Clone, Copy, Default)]
struct Stats {
    /// Characters of trimmed text below the node.
    chars: usize,
    /// Characters of that text inside `<a>`.
    link_chars: usize,
    /// Links with text below the node.
    links: usize,
    /// Of those, links with fewer than 10 characters of text.
    short_links: usize,
    /// Characters of text inside `<p>` below the node.
    p_chars: usize,
}

struct Arena {
    nodes: Vec<Node>,
    /// Parent of each node (the root is its own parent).
    parent: Vec<Id>,
    /// The `<html>` element, if any.
    html: Option<Id>,
    /// Deepest element nesting in the page.
    depth: usize,
    stats: Vec<Stats>,
}

impl Arena {
    fn from_dom(dom: &dom_query::Document) -> Arena {
        let mut arena = Arena {
            nodes: Vec::new(),
            parent: Vec::new(),
            html: None,
            depth: 0,
            stats: Vec::new(),
        };
        let root = arena.push(Node {
            tag: "#root".into(),
            attrs: Vec::new(),
            text: "".into(),
            children: Vec::new(),
        });
        // Explicit stack: deeply nested pages must not overflow the thread's stack.
        let mut stack = vec![(dom.root(), root, 0)];
        while let Some((dnode, parent, depth)) = stack.pop() {
            arena.depth = arena.depth.max(depth);
            let mut kids = Vec::new();
            for child in dnode.children_it(false) {
                let made = child.query(|tn| match &tn.data {
                    dom_query::NodeData::Element(el) => Some(Node {
                        tag: str::to_ascii_lowercase(&el.name.local).into(),
                        attrs: el
                            .attrs
                            .iter()
                            .map(|a| {
                                (
                                    str::to_ascii_lowercase(&a.name.local).into(),
                                    (&*a.value).into(),
                                )
                            })
                            .collect(),
                        text: "".into(),
                        children: Vec::new(),
                    }),
                    dom_query::NodeData::Text { contents } => Some(Node {
                        tag: "".into(),
                        attrs: Vec::new(),
                        text: (**contents).into(),
                        children: Vec::new(),
                    }),
                    _ => None,
                });
                if let Some(Some(node)) = made {
                    let is_element = !node.is_text();
                    let id = arena.push(node);
                    arena.parent[id] = parent;
                    kids.push(id);
                    if is_element {
                        if arena.html.is_none() && &*arena.nodes[id].tag == "html" {
                            arena.html = Some(id);
                        }
                        stack.push((child, id, depth + 1));
                    }
                }
            }
            arena.nodes[parent].children = kids;
        }
        arena.compute_stats(root);
        arena
    }

    fn push(&mut self, node: Node) -> Id {
        self.nodes.push(node);
        self.parent.push(self.nodes.len() - 1);
        self.nodes.len() - 1
    }

    fn root(&self) -> Id {
        0
    }

    /// Post-order pass filling [`Arena::stats`] (children always have larger ids than their
    /// parent, so a reverse sweep sees every child before its parent).
    fn compute_stats(&mut self, _root: Id) {
        let mut stats = vec![Stats::default(); self.nodes.len()];
        for id in (0..self.nodes.len()).rev() {
            let node = &self.nodes[id];
            if node.is_text() {
                stats[id].chars = trimmed_chars(&node.text);
                continue;
            }
            if is_never_content(&node.tag) {
                continue;
            }
            let mut s = Stats::default();
            for &c in &node.children {
                let cs = stats[c];
                s.chars += cs.chars;
                s.link_chars += cs.link_chars;
                s.links += cs.links;
                s.short_links += cs.short_links;
                s.p_chars += cs.p_chars;
            }
            match &*node.tag {
                "a" => {
                    s.link_chars = s.chars;
                    if s.chars > 0 {
                        s.links = 1;
                        s.short_links = usize::from(s.chars < 10);
                    }
                }
                "p" => s.p_chars = s.chars,
                _ => {}
            }
            stats[id] = s;
        }
        self.stats = stats;
    }

    /// Elements in document order below `from` (excluding it), skipping never-content tags.
    fn descendants(&self, from: Id) -> Vec<Id> {
        let mut out = Vec::new();
        let mut stack: Vec<Id> = self.nodes[from].children.iter().rev().copied().collect();
        while let Some(id) = stack.pop() {
            let node = &self.nodes[id];
            if node.is_text() || is_never_content(&node.tag) {
                continue;
            }
            out.push(id);
            stack.extend(node.children.iter().rev().copied());
        }
        out
    }

    fn first_tag(&self, from: Id, tag: &str) -> Option<Id> {
        self.all_elements(from)
            .into_iter()
            .find(|&id| &*self.nodes[id].tag == tag)
    }

    /// All elements below `from` in document order, `head` and scripts included.
    fn all_elements(&self, from: Id) -> Vec<Id> {
        let mut out = Vec::new();
        let mut stack: Vec<Id> = self.nodes[from].children.iter().rev().copied().collect();
        while let Some(id) = stack.pop() {
            let node = &self.nodes[id];
            if node.is_text() {
                continue;
            }
            out.push(id);
            stack.extend(node.children.iter().rev().copied());
        }
        out
    }

    /// Raw text below `id` (all text nodes concatenated, scripts and styles below `id`
    /// left out; `id` itself may be a script, for JSON-LD).
    fn raw_text(&self, id: Id) -> String {
        let mut out = String::new();
        let mut stack: Vec<Id> = self.nodes[id].children.iter().rev().copied().collect();
        while let Some(id) = stack.pop() {
            let node = &self.nodes[id];
            if node.is_text() {
                out.push_str(&node.text);
            } else if !matches!(&*node.tag, "script" | "style" | "noscript" | "template") {
                stack.extend(node.children.iter().rev().copied());
            }
        }
        out
    }
}

fn trimmed_chars(s: &str) -> usize {
    s.trim().chars().count()
}

/// Collapses runs of whitespace to one space and trims.
fn squash(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for word in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

// ---------------------------------------------------------------------------------------
// Which elements are content.

/// Tags whose content is never article text.
fn is_never_content(tag: &str) -> bool {
    matches!(
        tag,
        "head"
            | "script"
            | "style"
            | "noscript"
            | "template"
            | "svg"
            | "math"
            | "iframe"
            | "object"
            | "embed"
            | "applet"
            | "canvas"
            | "audio"
            | "video"
            | "picture"
            | "map"
            | "area"
            | "select"
            | "option"
            | "optgroup"
            | "datalist"
            | "button"
            | "input"
            | "textarea"
            | "label"
            | "legend"
            | "fieldset"
            | "nav"
            | "aside"
            | "footer"
            | "menu"
            | "menuitem"
            | "figure"
            | "dialog"
            | "frame"
            | "frameset"
            | "marquee"
            | "blink"
            | "link"
            | "meta"
            | "output"
            | "progress"
            | "param"
            | "source"
            | "track"
            | "rp"
            | "rt"
            | "rtc"
            | "use"
            | "time"
            | "ins"
    )
}

/// Elements hidden from readers by attribute or inline style.
fn is_hidden(node: &Node) -> bool {
    if node.attr("hidden").is_some() || node.attr("aria-hidden") == Some("true") {
        return true;
    }
    let style = node.attr_or_empty("style");
    if style.contains("hidden") || style.contains("display:none") || style.contains("display: none")
    {
        return true;
    }
    let class = node.attr_or_empty("class");
    let id = node.attr_or_empty("id");
    class.starts_with("hide-")
        || class.contains("hide-print")
        || class.contains("noprint")
        || class.contains(" hidden")
        || class.contains("notloaded")
        || id.contains("hidden")
}

/// Containers that hold comments.
fn is_comments(node: &Node) -> bool {
    if !matches!(&*node.tag, "div" | "ul" | "ol" | "dl" | "section") {
        return false;
    }
    let class = node.attr_or_empty("class");
    let id = node.attr_or_empty("id");
    let lc = |s: &str| s.to_ascii_lowercase();
    lc(id).starts_with("comment")
        || lc(class).starts_with("comment")
        || class.contains("article-comments")
        || class.contains("post-comments")
        || class.contains("commentlist")
        || id.contains("commentlist")
        || class.contains("comment-list")
        || id.contains("comment-list")
        || class.contains("comments-content")
        || id.starts_with("comol")
        || id.starts_with("disqus_thread")
        || id.starts_with("dsq_comments")
}

/// Boilerplate containers named by `class`/`id`/`role` (trafilatura's discard list).
fn is_boilerplate(node: &Node) -> bool {
    if !matches!(
        &*node.tag,
        "div" | "section" | "span" | "p" | "ul" | "ol" | "dl" | "li" | "dd" | "dt"
    ) {
        return false;
    }
    let class = node.attr_or_empty("class");
    let id = node.attr_or_empty("id");
    let role = node.attr_or_empty("role");
    if class.is_empty() && id.is_empty() && role.is_empty() {
        return node.attr("data-lp-replacement-content").is_some();
    }
    let lclass = class.to_ascii_lowercase();
    let lid = id.to_ascii_lowercase();
    let both = |s: &str| class.contains(s) || id.contains(s);
    lid.contains("footer")
        || lclass.contains("footer")
        || id.contains("related")
        || lclass.contains("related")
        || both("viral")
        || id.starts_with("shar")
        || class.starts_with("shar")
        || class.contains("share-")
        || lid.contains("share")
        || both("social")
        || class.contains("sociable")
        || both("syndication")
        || id.starts_with("jp-")
        || id.starts_with("dpsp-content")
        || class.contains("embed")
        || both("newsletter")
        || class.contains("subnav")
        || both("cookie")
        || both("tags")
        || both("sidebar")
        || both("banner")
        || class.contains("meta")
        || both("menu")
        || lid.contains("nav")
        || role.to_ascii_lowercase().contains("nav")
        || class.starts_with("nav")
        || lclass.contains("navigation")
        || class.contains("navbar")
        || class.contains("navbox")
        || class.starts_with("post-nav")
        || both("breadcrumb")
        || both("bread-crumb")
        || both("author")
        || both("button")
        || lclass.contains("byline")
        || class.contains("rating")
        || class.starts_with("widget")
        || class.contains("attachment")
        || class.contains("timestamp")
        || class.contains("user-info")
        || class.contains("user-profile")
        || class.contains("-ad-")
        || class.contains("-icon")
        || class.contains("article-infos")
        || lclass.contains("infoline")
        || node
            .attr_or_empty("data-component")
            .contains("MostPopularStories")
        || class.contains("outbrain")
        || class.contains("taboola")
        || class.contains("criteo")
        || class.contains("options")
        || class.contains("consent")
        || class.contains("modal-content")
        || class.contains("paid-content")
        || class.contains("paidcontent")
        || id.contains("premium-")
        || id.contains("paywall")
        || class.contains("obfuscated")
        || class.contains("blurred")
        || class.contains(" ad ")
        || class.contains("next-post")
        || class.contains("side-stories")
        || class.contains("related-stories")
        || class.contains("most-popular")
        || class.contains("mol-factbox")
        || class.starts_with("ZendeskForm")
        || class.contains("message-container")
        || id.contains("message_container")
        || class.contains("comments-title")
        || class.contains("nocomments")
        || id.starts_with("reply-")
        || class.starts_with("reply-")
        || class.contains("-reply-")
        || class.contains("message")
        || both("akismet")
        || lid.contains("teaser")
        || lclass.contains("teaser")
        || both("copyright")
        || lclass.contains("paywall")
        || lclass.contains("author")
        || lclass.contains("subscri")
        || lid.contains("subscri")
        || lclass.contains("kommentar")
        || lid.contains("kommentar")
        || lclass.contains("credit")
        || lclass.contains("disclosure")
        || lclass.contains("affiliate")
        || lid.contains("affiliate")
        || lid.contains("toc-container")
        || lclass.contains("caption")
        || lclass.contains("imagedescription")
        || lclass.contains("-cta")
        || lclass.contains("cta-")
}

/// trafilatura's link-density test: a short element made mostly of links.
fn is_link_heavy(stats: Stats, tag: &str, is_last: bool) -> bool {
    if stats.links == 0 {
        return false;
    }
    let limit = match (tag, is_last) {
        ("p", true) => 60,
        ("p", false) => 30,
        (_, true) => 300,
        (_, false) => 100,
    };
    if stats.chars >= limit {
        return false;
    }
    stats.link_chars * 10 > stats.chars * 8
        || (stats.links > 1 && stats.short_links * 10 > stats.links * 8)
}

// ---------------------------------------------------------------------------------------
// Finding the article root.

/// Markers of the article body, strongest first; within a level the first element in
/// document order wins (trafilatura's `BODY_XPATH`).
fn body_level(node: &Node) -> Option<usize> {
    let tag = &*node.tag;
    if !matches!(tag, "article" | "div" | "main" | "section") {
        return None;
    }
    let class = node.attr_or_empty("class");
    let id = node.attr_or_empty("id");
    let lclass = class.to_ascii_lowercase();
    let lid = id.to_ascii_lowercase();
    let both = |s: &str| class.contains(s) || id.contains(s);
    let level0 = class == "post"
        || class == "entry"
        || [
            "post-text",
            "post_text",
            "post-body",
            "post-entry",
            "postentry",
            "post-content",
        ]
        .iter()
        .any(|s| class.contains(s))
        || [
            "post_content",
            "postcontent",
            "postContent",
            "post_inner_wrapper",
            "article-text",
        ]
        .iter()
        .any(|s| class.contains(s))
        || [
            "articletext",
            "articleText",
            "entry-content",
            "article-content",
            "article__content",
        ]
        .iter()
        .any(|s| both(s))
        || ["article-body", "article__body", "body-text", "art-content"]
            .iter()
            .any(|s| both(s))
        || node.attr("itemprop") == Some("articleBody")
        || lid.contains("articlebody")
        || lclass.contains("articlebody")
        || id == "articleContent"
        || [
            "ArticleContent",
            "page-content",
            "text-content",
            "article__container",
        ]
        .iter()
        .any(|s| class.contains(s));
    if level0 {
        return Some(0);
    }
    if tag == "article" {
        return Some(1);
    }
    let level2 = [
        "post-bodycopy",
        "storycontent",
        "story-content",
        "theme-content",
        "blog-content",
        "section-content",
        "single-content",
        "single-post",
        "main-column",
        "wpb_text_column",
        "story-body",
        "field-body",
    ]
    .iter()
    .any(|s| class.contains(s))
        || class == "postarea"
        || class == "art-postcontent"
        || id.starts_with("primary")
        || class.starts_with("article ")
        || class == "text"
        || id == "article"
        || class == "cell"
        || id == "story"
        || class == "story"
        || id.contains("story-body")
        || lclass.contains("fulltext")
        || node.attr("role") == Some("article");
    if level2 {
        return Some(2);
    }
    let level3 = ["content-main", "content-body"].iter().any(|s| both(s))
        || class.contains("content_main")
        || id.contains("contentBody")
        || class.contains("content__body")
        || lid.contains("main-content")
        || lclass.contains("main-content")
        || lclass.contains("page-content")
        || id == "content"
        || class == "content";
    if level3 {
        return Some(3);
    }
    let level4 = tag == "main"
        || class.starts_with("main")
        || id.starts_with("main")
        || node.attr_or_empty("role").starts_with("main");
    level4.then_some(4)
}

// ---------------------------------------------------------------------------------------
// Turning a subtree into paragraphs.

/// The kind of block a run of text belongs to.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Para,
    Heading,
    Item,
    Quote,
    Pre,
    Row,
    /// Text directly inside a generic container (`div`, `section`, …).
    Loose,
}

impl Kind {
    fn of(tag: &str, parent: Kind) -> Kind {
        match tag {
            "p" => Kind::Para,
            "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => Kind::Heading,
            "li" | "dd" | "dt" => Kind::Item,
            "blockquote" | "q" => Kind::Quote,
            "pre" => Kind::Pre,
            "tr" => Kind::Row,
            // Containers inside a kept block (a `div` in a list item) keep its kind.
            _ if parent != Kind::Loose => parent,
            _ => Kind::Loose,
        }
    }
}

/// Elements that break the text flow.
fn is_block(tag: &str) -> bool {
    matches!(
        tag,
        "p" | "div"
            | "section"
            | "article"
            | "main"
            | "header"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "ul"
            | "ol"
            | "dl"
            | "li"
            | "dd"
            | "dt"
            | "blockquote"
            | "pre"
            | "table"
            | "tbody"
            | "thead"
            | "tfoot"
            | "tr"
            | "caption"
            | "hr"
            | "address"
            | "center"
            | "form"
            | "details"
            | "summary"
            | "figcaption"
            | "body"
            | "html"
            | "hgroup"
    )
}

/// Deepest element nesting that [`Collector::walk`] descends into.
const MAX_DEPTH: usize = 256;

struct Block {
    kind: Kind,
    text: String,
    chars: usize,
    link_chars: usize,
}

/// Settings of one extraction pass.
#[derive(Clone, Copy)]
struct Pass {
    /// Drop containers named like boilerplate.
    prune_classes: bool,
    /// Keep text directly inside `div`s.
    loose: bool,
}

struct Collector<'a> {
    arena: &'a Arena,
    pass: Pass,
    blocks: Vec<Block>,
    buf: String,
    buf_links: usize,
    buf_chars: usize,
    /// Current nesting depth of [`Collector::walk`].
    depth: usize,
}

impl Collector<'_> {
    fn flush(&mut self, kind: Kind) {
        let text = if kind == Kind::Pre {
            self.buf.trim_matches('\n').trim_end().to_owned()
        } else {
            tidy_lines(&self.buf)
        };
        if !text.is_empty() {
            self.blocks.push(Block {
                kind,
                chars: self.buf_chars,
                link_chars: self.buf_links,
                text,
            });
        }
        self.buf.clear();
        self.buf_links = 0;
        self.buf_chars = 0;
    }

    fn skip(&self, id: Id, is_last: bool) -> bool {
        let node = &self.arena.nodes[id];
        let tag = &*node.tag;
        if is_never_content(tag) || is_hidden(node) || is_comments(node) {
            return true;
        }
        if tag == "form" {
            // Some sites wrap the whole page in a form; drop only small ones.
            return self.arena.stats[id].p_chars < 200;
        }
        if self.pass.prune_classes && is_boilerplate(node) {
            return true;
        }
        matches!(tag, "div" | "ul" | "ol" | "dl" | "p" | "table" | "section")
            && is_link_heavy(
                self.arena.stats[id],
                if tag == "p" { "p" } else { "div" },
                is_last,
            )
    }

    fn walk(&mut self, id: Id, kind: Kind, in_link: bool, in_pre: bool) {
        // Pathologically nested markup: stop descending rather than exhaust the stack.
        if self.depth >= MAX_DEPTH {
            return;
        }
        self.depth += 1;
        self.walk_children(id, kind, in_link, in_pre);
        self.depth -= 1;
    }

    fn walk_children(&mut self, id: Id, kind: Kind, in_link: bool, in_pre: bool) {
        let children = &self.arena.nodes[id].children;
        let last_element = children
            .iter()
            .rposition(|&c| !self.arena.nodes[c].is_text());
        for (i, &child) in children.iter().enumerate() {
            let node = &self.arena.nodes[child];
            if node.is_text() {
                let keep = kind != Kind::Loose || self.pass.loose;
                if keep {
                    let text: &str = &node.text;
                    if in_pre {
                        self.buf.push_str(text);
                    } else {
                        push_collapsed(&mut self.buf, text);
                    }
                    let n = trimmed_chars(text);
                    self.buf_chars += n;
                    if in_link {
                        self.buf_links += n;
                    }
                }
                continue;
            }
            if self.skip(child, Some(i) == last_element) {
                continue;
            }
            let tag = &*node.tag;
            match tag {
                "br" => self.buf.push('\n'),
                "td" | "th" => {
                    self.buf.push(' ');
                    self.walk(child, kind, in_link, in_pre);
                    self.buf.push(' ');
                }
                "a" => self.walk(child, kind, true, in_pre),
                _ if is_block(tag) => {
                    self.flush(kind);
                    let inner = Kind::of(tag, kind);
                    self.walk(child, inner, in_link, in_pre || tag == "pre");
                    self.flush(inner);
                }
                _ => self.walk(child, kind, in_link, in_pre),
            }
        }
    }
}

/// Appends `text` with whitespace runs collapsed to one space.
fn push_collapsed(buf: &mut String, text: &str) {
    let mut pending_space = text.starts_with(char::is_whitespace);
    for word in text.split_whitespace() {
        if pending_space && !buf.is_empty() && !buf.ends_with([' ', '\n']) {
            buf.push(' ');
        }
        buf.push_str(word);
        pending_space = true;
    }
    if text.ends_with(char::is_whitespace) && !buf.is_empty() && !buf.ends_with([' ', '\n']) {
        buf.push(' ');
    }
}

/// Trims each line and drops empty ones (a `<br>` leaves a line break).
fn tidy_lines(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for line in s.lines() {
        let line = line.trim();
        if !line.is_empty() {
            if !out.is_empty() {
                out.push('\n');
            }
            out.push_str(line);
        }
    }
    out
}

/// Runs one pass below `root` and returns the kept blocks.
fn collect(arena: &Arena, root: Id, pass: Pass) -> Vec<Block> {
    let mut c = Collector {
        arena,
        pass,
        blocks: Vec::new(),
        buf: String::new(),
        buf_links: 0,
        buf_chars: 0,
        depth: 0,
    };
    let kind = Kind::of(&arena.nodes[root].tag, Kind::Loose);
    c.walk(root, kind, false, false);
    c.flush(kind);
    let mut blocks = c.blocks;
    // Link-heavy short paragraphs (link lists, "read more" lines).
    blocks.retain(|b| !(b.chars > 0 && b.chars < 100 && b.link_chars * 10 > b.chars * 8));
    // Repeated blocks (a teaser of the article shown twice, repeated bylines).
    let mut seen = HashSet::new();
    blocks.retain(|b| b.text.chars().count() < 10 || seen.insert(b.text.clone()));
    // A heading at the very end introduces something that was removed.
    while blocks.last().is_some_and(|b| b.kind == Kind::Heading) {
        blocks.pop();
    }
    blocks
}

fn text_of(blocks: &[Block]) -> String {
    blocks
        .iter()
        .map(|b| b.text.as_str())
        .collect::<Vec<_>>()
        .join("\n\n")
}

fn chars_of(blocks: &[Block]) -> usize {
    blocks.iter().map(|b| b.text.chars().count()).sum()
}

/// Extraction under `root`: class pruning unless it removes nearly everything, `div` text
/// only where the root has little `<p>` text.
fn extract_under(arena: &Arena, root: Id) -> Vec<Block> {
    let loose = arena.stats[root].p_chars < 750;
    let pruned = collect(
        arena,
        root,
        Pass {
            prune_classes: true,
            loose,
        },
    );
    let full_chars = arena.stats[root].chars;
    if chars_of(&pruned) * 7 > full_chars {
        return pruned;
    }
    let unpruned = collect(
        arena,
        root,
        Pass {
            prune_classes: false,
            loose,
        },
    );
    if chars_of(&unpruned) > chars_of(&pruned) {
        unpruned
    } else {
        pruned
    }
}

/// The main text of the page.
fn main_text(arena: &Arena, dom: dom_query::Document, url: Option<&str>) -> String {
    let body = arena
        .first_tag(arena.root(), "body")
        .unwrap_or(arena.root());
    let elements = arena.descendants(body);
    // The first element of the strongest marker level that yields more than one block.
    let chosen = (0..5).find_map(|level| {
        let root = *elements
            .iter()
            .find(|&&id| body_level(&arena.nodes[id]) == Some(level))?;
        let blocks = extract_under(arena, root);
        (blocks.len() > 1).then_some((root, blocks))
    });
    let mut blocks = match chosen {
        Some((root, mut blocks)) => {
            // A lead paragraph often sits just before the body container.
            let lead: Vec<Block> = lead_blocks(arena, root, body)
                .into_iter()
                .filter(|l| !blocks.iter().any(|b| b.text.contains(l.text.as_str())))
                .collect();
            blocks.splice(0..0, lead);
            blocks
        }
        None => extract_under(arena, body),
    };
    cut_related(&mut blocks);
    blocks.retain(|b| !is_credit_line(&b.text) && !is_subscription_prompt(&b.text));
    let text = text_of(&blocks);
    let len = text.chars().count();
    let has_p = blocks.iter().any(|b| b.kind == Kind::Para);
    // dom_smoothie recurses along the tree: on absurdly deep pages it could exhaust the
    // thread's stack, so such pages get our extraction alone.
    let algo = if arena.depth <= MAX_DEPTH {
        readability_text(dom, url)
    } else {
        String::new()
    };
    let len_algo = algo.chars().count();
    let use_algo = if len_algo == 0 || len_algo == len {
        false
    } else if len == 0 {
        true
    } else if len > 2 * len_algo {
        false
    } else if len_algo > 2 * len && !algo.starts_with('{') {
        true
    } else {
        !has_p && len_algo > 500
    };
    if use_algo {
        algo
    } else {
        text
    }
}

/// Intro/lead paragraphs that sit before the chosen root inside its article.
fn lead_blocks(arena: &Arena, root: Id, body: Id) -> Vec<Block> {
    let mut anc = root;
    for _ in 0..4 {
        let up = arena.parent[anc];
        if up == anc || up == body || up == arena.root() {
            break;
        }
        anc = up;
    }
    if anc == root {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut stack: Vec<Id> = arena.nodes[anc].children.iter().rev().copied().collect();
    while let Some(id) = stack.pop() {
        if id == root || id > root && is_inside(arena, id, root) {
            break;
        }
        let node = &arena.nodes[id];
        if node.is_text() || is_never_content(&node.tag) || is_hidden(node) {
            continue;
        }
        if is_lead(node)
            && arena.stats[id].chars >= 40
            && arena.stats[id].link_chars * 2 < arena.stats[id].chars
        {
            let text = squash(&arena.raw_text(id));
            out.push(Block {
                kind: Kind::Para,
                chars: arena.stats[id].chars,
                link_chars: arena.stats[id].link_chars,
                text,
            });
            continue;
        }
        stack.extend(node.children.iter().rev().copied());
    }
    out
}

fn is_inside(arena: &Arena, mut id: Id, ancestor: Id) -> bool {
    loop {
        if id == ancestor {
            return true;
        }
        let up = arena.parent[id];
        if up == id {
            return false;
        }
        id = up;
    }
}

/// Class/id words that mark a lead paragraph (intro, standfirst, excerpt).
fn is_lead(node: &Node) -> bool {
    let words = |s: &str| -> bool {
        s.split(|c: char| c.is_whitespace() || c == '-' || c == '_')
            .any(|w| {
                let w = w.to_ascii_lowercase();
                matches!(
                    w.as_str(),
                    "intro"
                        | "lead"
                        | "abstract"
                        | "excerpt"
                        | "standfirst"
                        | "chapo"
                        | "subheadline"
                        | "subtitle"
                        | "dek"
                        | "leadtext"
                        | "introtext"
                        | "teasertext"
                        | "summary"
                        | "description"
                ) || w.starts_with("intro")
            })
    };
    let blocked = |s: &str| -> bool {
        s.split(|c: char| c.is_whitespace() || c == '-' || c == '_')
            .any(|w| {
                matches!(
                    w.to_ascii_lowercase().as_str(),
                    "author"
                        | "site"
                        | "carousel"
                        | "breadcrumb"
                        | "breadcrumbnavigation"
                        | "off"
                        | "card"
                        | "profile"
                        | "post"
                )
            })
    };
    let (class, id) = (node.attr_or_empty("class"), node.attr_or_empty("id"));
    &*node.tag != "article" && (words(class) || words(id)) && !blocked(class) && !blocked(id)
}

/// Drops a "related articles" heading and the list or link lines under it.
fn cut_related(blocks: &mut Vec<Block>) {
    let mut i = 0;
    while i < blocks.len() {
        if blocks[i].chars < 60 && is_related_heading(&blocks[i].text) {
            let mut j = i + 1;
            while j < blocks.len()
                && (blocks[j].kind == Kind::Item || blocks[j].link_chars * 2 > blocks[j].chars)
            {
                j += 1;
            }
            blocks.drain(i..j);
        } else {
            i += 1;
        }
    }
}

fn is_related_heading(text: &str) -> bool {
    let t = text
        .trim()
        .trim_end_matches([':', '.', '!', '…'])
        .to_lowercase();
    const PHRASES: [&str; 24] = [
        "mehr zum thema",
        "mehr zu diesem thema",
        "das könnte sie auch interessieren",
        "das könnte dich auch interessieren",
        "das thema könnte dich auch interessieren",
        "weitere themen",
        "weitere artikel",
        "weiterführender link",
        "weiterführende links",
        "lesen sie auch",
        "lesen sie mehr",
        "auch interessant",
        "siehe auch",
        "verwandte artikel",
        "ähnliche artikel",
        "related articles",
        "related stories",
        "read more",
        "more on this story",
        "you may also like",
        "czytaj też",
        "czytaj także",
        "à lire aussi",
        "lire aussi",
    ];
    PHRASES
        .iter()
        .any(|p| t == *p || (t.starts_with(p) && t.len() < p.len() + 20))
}

/// Short paywall and subscription prompts ("Jetzt abonnieren", "please subscribe", …).
fn is_subscription_prompt(text: &str) -> bool {
    if text.chars().count() > 200 {
        return false;
    }
    let t = text.to_lowercase();
    const PHRASES: [&str; 12] = [
        "jetzt abonnieren",
        "jetzt abo abschließen",
        "abo abschließen",
        "jetzt weiterlesen mit",
        "bereits abonnent",
        "schon abonnent",
        "please subscribe",
        "subscribe now",
        "already a subscriber",
        "to continue reading",
        "pour lire la suite",
        "suscríbete",
    ];
    PHRASES.iter().any(|p| t.contains(p))
}

/// Short picture credits, sources and copyright lines.
fn is_credit_line(text: &str) -> bool {
    if text.chars().count() > 80 {
        return false;
    }
    let t = text.trim().to_lowercase();
    const PREFIXES: [&str; 16] = [
        "©",
        "(c) ",
        "copyright",
        "foto:",
        "fotos:",
        "bild:",
        "bilder:",
        "quelle:",
        "credit:",
        "credits:",
        "photo:",
        "image:",
        "abbildung:",
        "bildquelle:",
        "fotocredit",
        "source:",
    ];
    PREFIXES.iter().any(|p| t.starts_with(p))
}

/// The text Readability (dom_smoothie) finds, paragraphs separated by blank lines.
fn readability_text(dom: dom_query::Document, url: Option<&str>) -> String {
    let cfg = dom_smoothie::Config {
        text_mode: dom_smoothie::TextMode::Formatted,
        ..Default::default()
    };
    let article =
        dom_smoothie::Readability::with_document(dom, url, Some(cfg)).and_then(|mut r| r.parse());
    match article {
        Ok(article) => article
            .text_content
            .split("\n\n")
            .map(tidy_lines)
            .filter(|p| !p.is_empty() && !is_credit_line(p) && !is_related_heading(p))
            .collect::<Vec<_>>()
            .join("\n\n"),
        Err(_) => String::new(),
    }
}

// ---------------------------------------------------------------------------------------
// Metadata.

fn metadata(arena: &Arena, url: Option<&str>) -> HtmlDocument {
    let mut doc = HtmlDocument::default();
    let all = arena.all_elements(arena.root());
    let mut meta: Vec<(String, String)> = Vec::new();
    let mut json_ld: Vec<serde_json::Value> = Vec::new();
    let mut canonical = None;
    let mut title_tag = None;
    let mut h1s: Vec<String> = Vec::new();
    let mut time_dt = None;
    let mut itemprop_date = None;
    for &id in &all {
        let node = &arena.nodes[id];
        match &*node.tag {
            "meta" => {
                let key = node
                    .attr("property")
                    .or_else(|| node.attr("name"))
                    .or_else(|| node.attr("itemprop"));
                if let (Some(key), Some(content)) = (key, node.attr("content")) {
                    let content = squash(content);
                    if !content.is_empty() {
                        meta.push((key.trim().to_ascii_lowercase(), content));
                    }
                }
            }
            "link" => {
                let rel = node.attr_or_empty("rel").to_ascii_lowercase();
                if canonical.is_none() && rel.split_whitespace().any(|r| r == "canonical") {
                    canonical = node
                        .attr("href")
                        .map(|h| h.trim().to_owned())
                        .filter(|h| !h.is_empty());
                }
            }
            "script" => {
                if node
                    .attr_or_empty("type")
                    .trim()
                    .eq_ignore_ascii_case("application/ld+json")
                {
                    let raw = arena.raw_text(id);
                    if let Ok(value) = serde_json::from_str::<serde_json::Value>(raw.trim()) {
                        json_ld.push(value);
                    }
                }
            }
            "title" => {
                if title_tag.is_none() {
                    title_tag = Some(squash(&arena.raw_text(id))).filter(|t| !t.is_empty());
                }
            }
            "h1" => {
                let t = squash(&arena.raw_text(id));
                if !t.is_empty() {
                    h1s.push(t);
                }
            }
            "time" => {
                if time_dt.is_none() {
                    time_dt = node.attr("datetime").and_then(normalise_date);
                }
            }
            _ => {
                if itemprop_date.is_none() && node.attr("itemprop") == Some("datePublished") {
                    itemprop_date = node
                        .attr("datetime")
                        .or_else(|| node.attr("content"))
                        .and_then(normalise_date)
                        .or_else(|| normalise_date(&squash(&arena.raw_text(id))));
                }
            }
        }
    }
    let get = |keys: &[&str]| -> Option<String> {
        keys.iter()
            .find_map(|k| meta.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()))
    };
    let ld = LdFacts::from(&json_ld);

    doc.lang = arena
        .html
        .and_then(|h| {
            arena.nodes[h]
                .attr("lang")
                .or_else(|| arena.nodes[h].attr("xml:lang"))
        })
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned);
    doc.site_name = get(&["og:site_name", "application-name", "twitter:site"])
        .or_else(|| ld.publisher.clone())
        .map(|s| s.trim_start_matches('@').to_owned());
    doc.title = pick_title(
        get(&[
            "og:title",
            "twitter:title",
            "dc.title",
            "dcterms.title",
            "citation_title",
            "headline",
            "title",
        ])
        .or_else(|| ld.headline.clone()),
        &h1s,
        title_tag.as_deref(),
        doc.site_name.as_deref(),
    );
    doc.published = ld
        .published
        .as_deref()
        .and_then(normalise_date)
        .or_else(|| {
            get(&[
                "article:published_time",
                "og:article:published_time",
                "article:published",
                "datepublished",
                "date",
                "dc.date.issued",
                "dc.date",
                "dcterms.date",
                "dcterms.created",
                "dc.date.created",
                "pubdate",
                "publishdate",
                "publish-date",
                "publish_date",
                "published_time",
                "parsely-pub-date",
                "sailthru.date",
                "date_published",
                "citation_publication_date",
                "citation_date",
                "last-modified",
            ])
            .and_then(|d| normalise_date(&d))
        })
        .or(itemprop_date)
        .or(time_dt)
        .or_else(|| url.and_then(date_in_url))
        .or_else(|| date_in_text(arena));
    doc.author = get(&[
        "author",
        "article:author",
        "dc.creator",
        "parsely-author",
        "sailthru.author",
        "citation_author",
    ])
    .filter(|a| !a.starts_with("http"))
    .or_else(|| ld.author.clone());
    doc.description = get(&["description", "og:description", "twitter:description"]);
    doc.url = canonical
        .filter(|c| c.starts_with("http"))
        .or_else(|| get(&["og:url"]).filter(|c| c.starts_with("http")))
        .or_else(|| url.map(str::to_owned));
    doc
}

/// Facts gathered from JSON-LD blocks (first article-like object wins).
#[derive(Default)]
struct LdFacts {
    headline: Option<String>,
    published: Option<String>,
    author: Option<String>,
    publisher: Option<String>,
}

impl LdFacts {
    fn from(blocks: &[serde_json::Value]) -> LdFacts {
        let mut facts = LdFacts::default();
        let mut objects = Vec::new();
        for b in blocks {
            flatten_ld(b, &mut objects, 0);
        }
        // Article-like objects first, then any object with the field.
        objects.sort_by_key(|o| !is_article_type(o));
        for o in &objects {
            if facts.headline.is_none() && is_article_type(o) {
                facts.headline = o
                    .get("headline")
                    .and_then(|v| v.as_str())
                    .map(squash)
                    .filter(|s| !s.is_empty());
            }
            if facts.published.is_none() {
                facts.published = o
                    .get("datePublished")
                    .and_then(|v| v.as_str())
                    .map(str::to_owned);
            }
            if facts.author.is_none() && is_article_type(o) {
                facts.author = o.get("author").and_then(names_of);
            }
            if facts.publisher.is_none() {
                facts.publisher = o.get("publisher").and_then(names_of);
            }
        }
        facts
    }
}

fn flatten_ld<'a>(
    v: &'a serde_json::Value,
    out: &mut Vec<&'a serde_json::Map<String, serde_json::Value>>,
    depth: u8,
) {
    if depth > 4 {
        return;
    }
    match v {
        serde_json::Value::Array(items) => items.iter().for_each(|i| flatten_ld(i, out, depth + 1)),
        serde_json::Value::Object(map) => {
            out.push(map);
            if let Some(graph) = map.get("@graph") {
                flatten_ld(graph, out, depth + 1);
            }
            if let Some(main) = map.get("mainEntity") {
                flatten_ld(main, out, depth + 1);
            }
        }
        _ => {}
    }
}

fn is_article_type(o: &serde_json::Map<String, serde_json::Value>) -> bool {
    let is_article = |t: &str| {
        t.ends_with("Article")
            || matches!(
                t,
                "BlogPosting" | "Report" | "NewsArticle" | "LiveBlogPosting" | "SocialMediaPosting"
            )
    };
    match o.get("@type") {
        Some(serde_json::Value::String(t)) => is_article(t),
        Some(serde_json::Value::Array(ts)) => ts.iter().filter_map(|t| t.as_str()).any(is_article),
        _ => false,
    }
}

/// Names from a JSON-LD person/organisation value (string, object or list).
fn names_of(v: &serde_json::Value) -> Option<String> {
    let mut names = Vec::new();
    let mut push = |v: &serde_json::Value| {
        let name = match v {
            serde_json::Value::String(s) => Some(s.as_str()),
            serde_json::Value::Object(o) => o.get("name").and_then(|n| n.as_str()),
            _ => None,
        };
        if let Some(name) = name
            .map(squash)
            .filter(|n| !n.is_empty() && !n.starts_with("http"))
        {
            if !names.contains(&name) {
                names.push(name);
            }
        }
    };
    match v {
        serde_json::Value::Array(items) => items.iter().for_each(&mut push),
        other => push(other),
    }
    (!names.is_empty()).then(|| names.join("; "))
}

/// Title: meta/JSON-LD headline, else the only `<h1>`, else `<title>` without the site name.
fn pick_title(
    meta: Option<String>,
    h1s: &[String],
    title_tag: Option<&str>,
    site: Option<&str>,
) -> Option<String> {
    let strip = |t: String| strip_site_name(&t, site);
    if h1s.len() == 1 && h1s[0].chars().count() <= 200 {
        return Some(h1s[0].clone());
    }
    if let Some(t) = meta {
        return Some(strip(t));
    }
    if h1s.len() == 1 {
        return Some(h1s[0].clone());
    }
    title_tag
        .map(|t| strip(t.to_owned()))
        .or_else(|| h1s.first().cloned())
}

/// Removes a leading or trailing "Site Name" part separated by `|`, `-`, `–`, `—`, `·`, `::`.
fn strip_site_name(title: &str, site: Option<&str>) -> String {
    const SEPARATORS: [&str; 7] = [" | ", " - ", " – ", " — ", " · ", " :: ", " // "];
    for sep in SEPARATORS {
        let parts: Vec<&str> = title.split(sep).collect();
        if parts.len() < 2 {
            continue;
        }
        if let Some(site) = site.map(str::to_lowercase) {
            let first = parts[0].trim().to_lowercase();
            let last = parts[parts.len() - 1].trim().to_lowercase();
            if last == site || site.contains(&last) || last.contains(&site) {
                return parts[..parts.len() - 1].join(sep).trim().to_owned();
            }
            if first == site || site.contains(&first) || first.contains(&site) {
                return parts[1..].join(sep).trim().to_owned();
            }
        }
        // No site name known: drop a short last part ("… | Spiegel").
        let last = parts[parts.len() - 1].trim();
        let rest = parts[..parts.len() - 1].join(sep);
        if last.chars().count() <= 30 && rest.chars().count() > last.chars().count() {
            return rest.trim().to_owned();
        }
    }
    title.trim().to_owned()
}

/// Normalises a date string to ISO 8601 (`YYYY-MM-DD`, or with time when given as ISO).
fn normalise_date(raw: &str) -> Option<String> {
    let s = raw.trim();
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| {
        b.get(r.clone())
            .is_some_and(|d| d.iter().all(u8::is_ascii_digit))
    };
    // ISO: 2019-08-02, 2019-08-02T10:00:00+02:00, 2019/08/02, 20190802
    if digits(0..4) {
        let (y, rest) = s.split_at(4);
        let (m, d, tail) = if b.get(4).is_some_and(|c| matches!(c, b'-' | b'/' | b'.'))
            && digits(5..7)
            && b.get(7) == b.get(4)
            && digits(8..10)
        {
            (&s[5..7], &s[8..10], &s[10..])
        } else if digits(4..8) && !digits(8..9) {
            (&rest[..2], &rest[2..4], &rest[4..])
        } else {
            return None;
        };
        let date = valid_ymd(y, m, d)?;
        let t = tail.trim_start_matches(['T', ' ']);
        let tb = t.as_bytes();
        let time_ok = tb.len() >= 5
            && tb[2] == b':'
            && tb[..2].iter().chain(&tb[3..5]).all(u8::is_ascii_digit);
        if time_ok && tail.starts_with(['T', ' ']) {
            // Keep time and offset as written when they look like ISO.
            let end = t
                .find(|c: char| !(c.is_ascii_digit() || matches!(c, ':' | '.' | '+' | '-' | 'Z')))
                .unwrap_or(t.len());
            return Some(format!("{date}T{}", &t[..end]));
        }
        return Some(date);
    }
    // German/European: 02.08.2019, 2.8.2019
    let parts: Vec<&str> = s
        .split(|c: char| c.is_whitespace() || c == ',')
        .next()?
        .split('.')
        .collect();
    if parts.len() >= 3
        && parts[2].len() == 4
        && parts[..3]
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|c| c.is_ascii_digit()))
    {
        return valid_ymd(parts[2], parts[1], parts[0]);
    }
    None
}

fn valid_ymd(y: &str, m: &str, d: &str) -> Option<String> {
    let (y, m, d): (u32, u32, u32) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    ((1990..=2100).contains(&y) && (1..=12).contains(&m) && (1..=31).contains(&d))
        .then(|| format!("{y:04}-{m:02}-{d:02}"))
}

/// The first date written in the page's visible text, preferring elements whose
/// class or id speaks of dates (`date`, `time`, `datum`, `publish`, `meta`, `byline`).
fn date_in_text(arena: &Arena) -> Option<String> {
    let body = arena.first_tag(arena.root(), "body")?;
    let mut first_any = None;
    let mut stack = vec![(body, false)];
    while let Some((id, marked)) = stack.pop() {
        let node = &arena.nodes[id];
        if node.is_text() {
            if let Some(d) = find_date(&node.text) {
                if marked {
                    return Some(d);
                }
                if first_any.is_none() {
                    first_any = Some(d);
                }
            }
            continue;
        }
        if matches!(
            &*node.tag,
            "script"
                | "style"
                | "noscript"
                | "template"
                | "head"
                | "nav"
                | "footer"
                | "select"
                | "option"
        ) {
            continue;
        }
        let names = format!(
            "{} {}",
            node.attr_or_empty("class"),
            node.attr_or_empty("id")
        )
        .to_ascii_lowercase();
        let here = marked
            || [
                "date", "time", "datum", "publish", "meta", "byline", "posted",
            ]
            .iter()
            .any(|w| names.contains(w));
        stack.extend(node.children.iter().rev().map(|&c| (c, here)));
    }
    first_any
}

/// Month names (German, English, French) to month numbers.
fn month_number(word: &str) -> Option<u32> {
    let w = word.trim_end_matches('.').to_lowercase();
    let months: [&[&str]; 12] = [
        &["januar", "jänner", "january", "jan", "janvier"],
        &["februar", "february", "feb", "février"],
        &["märz", "march", "mar", "mars", "mär"],
        &["april", "apr", "avril"],
        &["mai", "may"],
        &["juni", "june", "jun", "juin"],
        &["juli", "july", "jul", "juillet"],
        &["august", "aug", "août"],
        &["september", "sept", "sep", "septembre"],
        &["oktober", "october", "oct", "okt", "octobre"],
        &["november", "nov", "novembre"],
        &["dezember", "december", "dec", "dez", "décembre"],
    ];
    months
        .iter()
        .position(|names| names.contains(&w.as_str()))
        .map(|i| i as u32 + 1)
}

/// The first date in `text`: `17.05.2024`, `2024-05-17`, `17. Mai 2024`, `May 17, 2024`.
fn find_date(text: &str) -> Option<String> {
    let words: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || c == ',' || c == '|' || c == '(' || c == ')')
        .filter(|w| !w.is_empty())
        .collect();
    for (i, w) in words.iter().enumerate() {
        let w = w.trim_matches(|c: char| !c.is_alphanumeric() && c != '.' && c != '-');
        if w.len() >= 8 && w.as_bytes()[0].is_ascii_digit() {
            if let Some(d) = normalise_date(w) {
                return Some(d);
            }
        }
        // 17. Mai 2024 / 17 May 2024
        let day = w.trim_end_matches('.');
        if !day.is_empty() && day.len() <= 2 && day.bytes().all(|b| b.is_ascii_digit()) {
            if let (Some(m), Some(y)) = (
                words.get(i + 1).and_then(|m| month_number(m)),
                words.get(i + 2),
            ) {
                let y = y.trim_end_matches(|c: char| !c.is_ascii_digit());
                if y.len() == 4 {
                    if let Some(d) = valid_ymd(y, &m.to_string(), day) {
                        return Some(d);
                    }
                }
            }
        }
        // May 17, 2024
        if let Some(m) = month_number(w) {
            if let (Some(day), Some(y)) = (words.get(i + 1), words.get(i + 2)) {
                let day = day.trim_end_matches(|c: char| !c.is_ascii_digit());
                let y = y.trim_end_matches(|c: char| !c.is_ascii_digit());
                if !day.is_empty() && day.len() <= 2 && y.len() == 4 {
                    if let Some(d) = valid_ymd(y, &m.to_string(), day) {
                        return Some(d);
                    }
                }
            }
        }
    }
    None
}

/// A date in a URL path: `/2019/08/02/` or `/2019-08-02`.
fn date_in_url(url: &str) -> Option<String> {
    let parts: Vec<&str> = url.split(['/', '?', '#']).collect();
    for w in parts.windows(3) {
        if w[0].len() == 4 && w[1].len() == 2 && w[2].len() >= 2 {
            if let Some(d) = valid_ymd(w[0], w[1], w[2].get(..2)?) {
                if w[2].len() == 2 || !w[2].as_bytes()[2].is_ascii_digit() {
                    return Some(d);
                }
            }
        }
    }
    parts.iter().find_map(|p| {
        let p = p.get(..10)?;
        (p.as_bytes().get(4) == Some(&b'-'))
            .then(|| normalise_date(p))
            .flatten()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODY: &str = "Die Stadtverwaltung hat am Montag neue Pläne für den Ausbau der Radwege vorgestellt. \
        Bis 2030 sollen mehr als vierzig Kilometer neue Strecken entstehen, finanziert aus Landesmitteln.";
    const BODY2: &str =
        "Kritik kam von den Anwohnern der Innenstadt, die den Wegfall von Parkplätzen fürchten. \
        Der Gemeinderat will im Herbst abschließend über das Vorhaben beraten und entscheiden.";

    fn page(head: &str, body: &str) -> String {
        format!("<!DOCTYPE html><html lang=\"de-DE\"><head><meta charset=\"utf-8\">{head}</head><body>{body}</body></html>")
    }

    #[test]
    fn keeps_article_paragraphs_and_drops_navigation_and_footer() {
        let html = page(
            "<title>Radwege | Stadtblatt</title>",
            &format!(
                "<nav><ul><li><a href='/'>Startseite</a></li><li><a href='/p'>Politik</a></li></ul></nav>\
                 <header><div class='menu'>Menü Suche Anmelden</div></header>\
                 <article><h1>Neue Radwege</h1><p>{BODY}</p><p>{BODY2}</p>\
                 <div class='share-buttons'>Teilen auf Facebook</div></article>\
                 <aside>Meistgelesen: Alles über Parkplätze</aside>\
                 <footer><p>Impressum Datenschutz Kontakt</p></footer>"
            ),
        );
        let doc = extract_html(&html, None);
        assert!(doc.text.contains(BODY), "{}", doc.text);
        assert!(doc.text.contains(BODY2), "{}", doc.text);
        assert!(
            doc.text.contains(&format!("{BODY}\n\n{BODY2}")),
            "paragraphs split by a blank line"
        );
        for junk in ["Startseite", "Menü", "Teilen", "Meistgelesen", "Impressum"] {
            assert!(
                !doc.text.contains(junk),
                "{junk} leaked into {:?}",
                doc.text
            );
        }
    }

    #[test]
    fn drops_comments_related_links_and_hidden_parts() {
        let html = page(
            "",
            &format!(
                "<div class='entry-content'><p>{BODY}</p><p>{BODY2}</p>\
                 <p style='display:none'>Versteckter Text</p>\
                 <h3>Mehr zum Thema</h3><ul><li><a href='/a'>Parkplätze in der Altstadt</a></li>\
                 <li><a href='/b'>Busse fahren öfter</a></li></ul></div>\
                 <div id='comments'><p>Ein Leser schreibt: so ein Unsinn, ich fahre weiter Auto!</p></div>"
            ),
        );
        let doc = extract_html(&html, None);
        assert!(
            doc.text.contains(BODY) && doc.text.contains(BODY2),
            "{}",
            doc.text
        );
        for junk in [
            "Versteckter",
            "Mehr zum Thema",
            "Parkplätze in der Altstadt",
            "Leser schreibt",
        ] {
            assert!(
                !doc.text.contains(junk),
                "{junk} leaked into {:?}",
                doc.text
            );
        }
    }

    #[test]
    fn drops_author_boxes_paywalls_copyright_captions_and_subscription_prompts() {
        let html = page(
            "",
            &format!(
                "<div class='entry-content'><p>{BODY}</p>\
                 <p class='wp-caption-text'>Blick auf die neue Radspur am Ring</p>\
                 <p>{BODY2}</p>\
                 <p>Bereits Abonnent? Jetzt abonnieren und weiterlesen.</p>\
                 <div class='cbx-Author'><p>Redakteurin im Lokalressort seit vielen Jahren.</p></div>\
                 <div class='content-paywall'><p>Lesen Sie den ganzen Artikel mit Plus.</p></div>\
                 <div class='article-copyright'><p>Vervielfältigung nur mit Genehmigung.</p></div></div>"
            ),
        );
        let doc = extract_html(&html, None);
        assert!(
            doc.text.contains(BODY) && doc.text.contains(BODY2),
            "{}",
            doc.text
        );
        for junk in [
            "Radspur am Ring",
            "Jetzt abonnieren",
            "Redakteurin",
            "ganzen Artikel",
            "Vervielfältigung",
        ] {
            assert!(
                !doc.text.contains(junk),
                "{junk} leaked into {:?}",
                doc.text
            );
        }
    }

    #[test]
    fn keeps_headings_lists_and_a_lead_before_the_body() {
        let html = page(
            "",
            &format!(
                "<main><p class='article-lead'>Die Stadt baut ihr Radnetz in den nächsten Jahren kräftig aus.</p>\
                 <div class='article-body'><p>{BODY}</p><h2>Was geplant ist</h2>\
                 <ul><li>Eine neue Brücke über den Fluss für Fußgänger und Radfahrer</li>\
                 <li>Breitere Wege entlang der Hauptstraße bis zum Bahnhof</li></ul><p>{BODY2}</p></div></main>"
            ),
        );
        let doc = extract_html(&html, None);
        assert!(
            doc.text.starts_with("Die Stadt baut ihr Radnetz"),
            "{}",
            doc.text
        );
        assert!(doc.text.contains("\n\nWas geplant ist\n\n"), "{}", doc.text);
        assert!(
            doc.text.contains("Eine neue Brücke über den Fluss"),
            "{}",
            doc.text
        );
    }

    #[test]
    fn reads_metadata_from_meta_tags_json_ld_and_links() {
        let head = r#"<title>Neue Radwege - Stadtblatt</title>
            <meta property="og:title" content="Neue Radwege für die Innenstadt">
            <meta property="og:site_name" content="Stadtblatt">
            <meta property="article:published_time" content="2024-05-17T08:30:00+02:00">
            <meta name="description" content="Die Stadt baut Radwege.">
            <link rel="canonical" href="https://stadtblatt.example/radwege">
            <script type="application/ld+json">{"@context":"https://schema.org","@graph":[
              {"@type":"WebPage","name":"x"},
              {"@type":"NewsArticle","headline":"Neue Radwege","datePublished":"2024-05-16",
               "author":[{"@type":"Person","name":"Anna Beispiel"},{"@type":"Person","name":"Bernd Muster"}],
               "publisher":{"@type":"Organization","name":"Stadtblatt GmbH"}}]}</script>"#;
        let html = page(
            head,
            &format!("<article><p>{BODY}</p><p>{BODY2}</p></article>"),
        );
        let doc = extract_html(&html, Some("https://stadtblatt.example/radwege?utm=1"));
        assert_eq!(
            doc.title.as_deref(),
            Some("Neue Radwege für die Innenstadt")
        );
        // JSON-LD of the article wins over meta tags for the date.
        assert_eq!(doc.published.as_deref(), Some("2024-05-16"));
        assert_eq!(doc.author.as_deref(), Some("Anna Beispiel; Bernd Muster"));
        assert_eq!(doc.site_name.as_deref(), Some("Stadtblatt"));
        assert_eq!(doc.lang.as_deref(), Some("de-DE"));
        assert_eq!(
            doc.url.as_deref(),
            Some("https://stadtblatt.example/radwege")
        );
        assert_eq!(doc.description.as_deref(), Some("Die Stadt baut Radwege."));
        assert!(
            !doc.text.starts_with("Neue Radwege"),
            "title is not repeated: {}",
            doc.text
        );
    }

    #[test]
    fn title_falls_back_to_the_single_h1_then_the_title_tag() {
        let with_h1 = page(
            "<title>Seite | Stadtblatt</title>",
            "<h1> Radwege  kommen </h1><p>Text.</p>",
        );
        assert_eq!(
            extract_html(&with_h1, None).title.as_deref(),
            Some("Radwege kommen")
        );
        let no_h1 = page("<title>Radwege kommen | Stadtblatt</title>", "<p>Text.</p>");
        assert_eq!(
            extract_html(&no_h1, None).title.as_deref(),
            Some("Radwege kommen")
        );
        assert_eq!(extract_html(&page("", "<p>Text.</p>"), None).title, None);
    }

    #[test]
    fn dates_come_from_time_elements_urls_and_visible_text() {
        let time = page(
            "",
            r#"<p>Veröffentlicht <time datetime="2023-11-08T10:15:00Z">8. Nov.</time></p>"#,
        );
        assert_eq!(
            extract_html(&time, None).published.as_deref(),
            Some("2023-11-08T10:15:00Z")
        );
        let in_url = page("", "<p>Kein Datum hier.</p>");
        let doc = extract_html(
            &in_url,
            Some("https://blog.example/2019/08/02/json-parsing/"),
        );
        assert_eq!(doc.published.as_deref(), Some("2019-08-02"));
        let in_text = page(
            "",
            "<div class='article-date'>Stand: 9. Februar 2025, 06:11 Uhr</div><p>Text.</p>",
        );
        assert_eq!(
            extract_html(&in_text, None).published.as_deref(),
            Some("2025-02-09")
        );
        let german = page("", "<span class='date'>22.09.2025</span>");
        assert_eq!(
            extract_html(&german, None).published.as_deref(),
            Some("2025-09-22")
        );
    }

    #[test]
    fn normalises_date_formats() {
        assert_eq!(normalise_date("2019-08-02").as_deref(), Some("2019-08-02"));
        assert_eq!(
            normalise_date(" 2019-08-02T10:00:00+02:00 ").as_deref(),
            Some("2019-08-02T10:00:00+02:00")
        );
        assert_eq!(normalise_date("2019/08/02").as_deref(), Some("2019-08-02"));
        assert_eq!(normalise_date("20190802").as_deref(), Some("2019-08-02"));
        assert_eq!(normalise_date("2.8.2019").as_deref(), Some("2019-08-02"));
        assert_eq!(normalise_date("2019-13-02"), None);
        assert_eq!(normalise_date("gestern"), None);
        assert_eq!(
            find_date("Posted on May 17, 2024 by Anna").as_deref(),
            Some("2024-05-17")
        );
        assert_eq!(
            find_date("am 1. März 2020 in Wien").as_deref(),
            Some("2020-03-01")
        );
        assert_eq!(find_date("Seite 12 von 40"), None);
    }

    #[test]
    fn tolerates_broken_markup() {
        let html = format!("<html><body><div class=content><p>{BODY}<p>{BODY2}<div><b>fett <i>kursiv</b> Ende</p></table>");
        let doc = extract_html(&html, None);
        assert!(
            doc.text.contains(BODY) && doc.text.contains(BODY2),
            "{}",
            doc.text
        );
        assert_eq!(extract_html("", None), HtmlDocument::default());
        let garbage = extract_html("<<<>>> \u{0} <p", Some("https://x.example/"));
        assert_eq!(garbage.url.as_deref(), Some("https://x.example/"));
    }

    #[test]
    fn text_inside_pre_keeps_its_line_breaks_and_br_breaks_lines() {
        let html = page(
            "",
            &format!("<article><p>{BODY}</p><pre>fn main() {{\n    println!(\"hi\");\n}}</pre><p>Zeile eins<br>Zeile zwei</p></article>"),
        );
        let doc = extract_html(&html, None);
        assert!(
            doc.text.contains("fn main() {\n    println!(\"hi\");\n}"),
            "{}",
            doc.text
        );
        assert!(doc.text.contains("Zeile eins\nZeile zwei"), "{}", doc.text);
    }

    #[test]
    fn link_lists_inside_the_article_are_dropped() {
        let links: String = (0..8)
            .map(|i| format!("<li><a href='/{i}'>Artikel {i}</a></li>"))
            .collect();
        let html = page(
            "",
            &format!("<article><p>{BODY}</p><ul>{links}</ul><p>{BODY2}</p></article>"),
        );
        let doc = extract_html(&html, None);
        assert!(!doc.text.contains("Artikel 3"), "{}", doc.text);
        assert!(doc.text.contains(BODY2));
    }

    #[test]
    fn survives_very_deep_nesting() {
        let depth = 4_000;
        let html = format!(
            "{}<p>{BODY}</p>{}",
            "<div>".repeat(depth),
            "</div>".repeat(depth)
        );
        let doc = std::thread::Builder::new()
            .stack_size(2 << 20)
            .spawn(move || extract_html(&html, None))
            .expect("thread starts")
            .join()
            .expect("no stack overflow");
        assert!(doc.text.len() < 10_000);
    }

    #[test]
    fn strips_site_names_from_titles() {
        assert_eq!(
            strip_site_name("Radwege kommen | Stadtblatt", Some("Stadtblatt")),
            "Radwege kommen"
        );
        assert_eq!(
            strip_site_name("Stadtblatt - Radwege kommen", Some("Stadtblatt")),
            "Radwege kommen"
        );
        assert_eq!(strip_site_name("Radwege kommen", None), "Radwege kommen");
    }
}
