use serde::Deserialize;

/// How to read input files, from the `[source]` table of the config.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReadConfig {
    /// Files, folders (read recursively) and glob patterns (`data/**/*.jsonl.gz`), relative
    /// to the config file's folder. `--input` on the command line replaces them.
    /// Default: `["seeds"]`.
    #[serde(default = "default_paths")]
    pub paths: Vec<String>,
    /// `auto` (default): by name (`.jsonl`/`.ndjson`, `.html`/`.htm`, `.warc`/`.arc`/`.wet`,
    /// `.txt`/`.md`, each optionally `.gz`/`.zst`), else by content (JSON object, HTML,
    /// WARC, or text); `text`, `jsonl`, `html` or `warc` force one format for every file.
    #[serde(default)]
    pub format: Format,
    /// Extensions picked up when a folder is listed (files named explicitly are always
    /// read). Default: `txt`, `md`, `text`, `jsonl`, `ndjson`, `html`, `htm`, `warc`, `arc`,
    /// `wet`, each also with `.gz`/`.zst`.
    #[serde(default = "default_extensions")]
    pub extensions: Vec<String>,
    /// JSONL: the field that holds the text. Default `text`.
    #[serde(default = "default_text_key")]
    pub text_key: String,
    /// JSONL: the field that holds the id (a string or a number). Default `id`; records
    /// without it get `<file stem>#<line>`.
    #[serde(default = "default_id_key")]
    pub id_key: String,
    /// JSONL: the fields passed through into `metadata` (e.g. `["url", "title", "date"]`).
    /// Default: every field except the text and the id.
    #[serde(default)]
    pub metadata_keys: Option<Vec<String>>,
    /// Largest one-document file read, in bytes; larger ones are rejected with
    /// `read_too_large`. Default 64 MiB.
    #[serde(default = "default_max_file_bytes")]
    pub max_file_bytes: u64,
    /// Largest JSONL record (one line), in bytes; larger ones are rejected with
    /// `read_too_large` and the rest of the file is read. Default 64 MiB.
    #[serde(default = "default_max_file_bytes")]
    pub max_record_bytes: u64,
}

/// The input format of a file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// Decide per file from its name (and content, for unknown extensions).
    #[default]
    Auto,
    /// One document per file.
    Text,
    /// One JSON object per line.
    Jsonl,
    /// One HTML page per file; the main content is extracted.
    Html,
    /// WARC, WET or ARC: one document per response, resource or conversion record.
    Warc,
}

impl Default for ReadConfig {
    fn default() -> Self {
        ReadConfig {
            paths: default_paths(),
            format: Format::Auto,
            extensions: default_extensions(),
            text_key: default_text_key(),
            id_key: default_id_key(),
            metadata_keys: None,
            max_file_bytes: default_max_file_bytes(),
            max_record_bytes: default_max_file_bytes(),
        }
    }
}

impl ReadConfig {
    /// Checks the settings; returns every problem as a sentence naming the setting.
    pub fn validate(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if self.paths.is_empty() {
            problems.push("paths is empty: name at least one file, folder or pattern".to_owned());
        }
        if self.text_key.is_empty() {
            problems.push("text_key is empty: name the JSONL field that holds the text".to_owned());
        }
        if self.max_file_bytes == 0 || self.max_record_bytes == 0 {
            problems.push("max_file_bytes and max_record_bytes must be above 0".to_owned());
        }
        problems
    }
}

fn default_paths() -> Vec<String> {
    vec!["seeds".to_owned()]
}

fn default_extensions() -> Vec<String> {
    let base = [
        "txt", "md", "text", "jsonl", "ndjson", "html", "htm", "warc", "arc", "wet",
    ];
    let mut all = Vec::new();
    for ext in base {
        all.push(ext.to_owned());
        all.push(format!("{ext}.gz"));
        all.push(format!("{ext}.zst"));
    }
    all
}

fn default_text_key() -> String {
    "text".to_owned()
}

fn default_id_key() -> String {
    "id".to_owned()
}

fn default_max_file_bytes() -> u64 {
    64 << 20
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_table_gives_defaults_and_typos_are_rejected() {
        let config: ReadConfig = serde_json::from_str("{}").unwrap();
        assert_eq!(config, ReadConfig::default());
        let err = serde_json::from_str::<ReadConfig>(r#"{"text_kye": "body"}"#).unwrap_err();
        assert!(
            err.to_string().contains("unknown field `text_kye`"),
            "{err}"
        );
    }
}
