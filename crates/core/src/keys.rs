//! Annotation keys (`<stage>.<field>`) under which stages store their results in
//! [`crate::Document::annotations`]. The sink maps them onto the output contract
//! (`SCHEMA.md`): the value stored under each key is given here. The annotate stage's
//! span lists are typed instead, in [`crate::Document::spans`].

/// `[{"text", "reason", "line", …}]`: every line or span the cleaner removed.
pub const CLEAN_REMOVED: &str = "clean.removed";
/// `{"words": …, …}`: quality signals of the cleaned text.
pub const CLEAN_QUALITY: &str = "clean.quality";
/// `"…"`: the title the cleaner found in the text.
pub const CLEAN_TITLE: &str = "clean.title";
/// `"YYYY-MM-DD[THH:MM:SS]"`: the publication date the cleaner found in the text.
pub const CLEAN_PUBLISHED: &str = "clean.published";
/// `{"url": …, …}`: other metadata the cleaner pulled out of the text (URLs, authors).
pub const CLEAN_METADATA: &str = "clean.metadata";

/// `{"code", "confidence", "detector", "segments": [{"start","end","code","confidence"}]}`.
pub const LANGID_LANG: &str = "langid.lang";

/// `{"status", "duplicate_of", "similarity", "repeated_spans": [...]}`.
pub const DEDUP: &str = "dedup.result";
