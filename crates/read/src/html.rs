//! Stand-in until the HTML extractor lands.
#![allow(missing_docs)]
/// What was extracted from one HTML page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HtmlDocument {
    pub text: String,
    pub title: Option<String>,
    pub published: Option<String>,
    pub author: Option<String>,
    pub site_name: Option<String>,
    pub lang: Option<String>,
    pub url: Option<String>,
}
pub fn extract_html(_html: &str, _url: Option<&str>) -> HtmlDocument {
    HtmlDocument::default()
}
