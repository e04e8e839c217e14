//! Annotation keys (`<stage>.<field>`) under which stages store their results in
//! [`crate::Document::annotations`]. The sink maps them onto the output contract
//! (`SCHEMA.md`): the value stored under each key is given here.

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

/// `[{"start", "end"}]`: sentence spans.
pub const ANNOTATE_SENTENCES: &str = "annotate.sentences";
/// `[{"start", "end", "text"}]`: token spans (only when asked for).
pub const ANNOTATE_TOKENS: &str = "annotate.tokens";
/// `[{"start", "end", "text", "label", "canonical"}]`: named entities.
pub const ANNOTATE_ENTITIES: &str = "annotate.entities";
/// `[{"start", "end", "text", "value"}]`: dates normalised to ISO 8601.
pub const ANNOTATE_DATES: &str = "annotate.dates";
/// `[{"start", "end", "speaker", "speaker_mention"}]`: direct quotations.
pub const ANNOTATE_QUOTES: &str = "annotate.quotes";
