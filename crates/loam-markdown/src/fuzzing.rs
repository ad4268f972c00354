//! Fuzz target body (feature `fuzzing`): markdown rendering, and the
//! check that rendered HTML is inert. The cargo-fuzz target in `fuzz/`,
//! this crate's stable test and its hostile-note corpus all use these same
//! functions.

use crate::{LinkResolver, analyse, find_mentions, render_html, rewrite_links};

/// Inputs longer than this are cut.
pub const MAX_INPUT: usize = 256 * 1024;

/// Elements that must never come out of the renderer.
const FORBIDDEN_TAGS: &[&str] = &[
    "<script", "<style", "<iframe", "<frame", "<svg", "<math", "<object", "<embed", "<base",
    "<meta", "<link", "<form",
];

/// URL schemes the rendered HTML may use.
const SCHEMES: &[&str] = &["http", "https", "mailto", "loam"];

/// Markdown rendering: `data` (as lossy UTF-8) rendered with a resolver
/// that knows a few titles (one of them resolving to a `javascript:` URL,
/// as a confused resolver might), and the HTML checked by [`check_inert`];
/// analysis, link rewriting and mention finding must not panic, and
/// mentions are character ranges of the input.
pub fn render(data: &[u8]) {
    let data = &data[..data.len().min(MAX_INPUT)];
    let markdown = String::from_utf8_lossy(data);
    let html = render_html(&markdown, &Resolver);
    if let Err(why) = check_inert(&html) {
        panic!("{why}\ninput: {markdown:?}\nhtml: {html}");
    }
    let _ = analyse(&markdown);
    let _ = rewrite_links(&markdown, "Known", "Renamed");
    for range in find_mentions(&markdown, "known") {
        assert!(
            markdown.get(range.clone()).is_some(),
            "mention {range:?} is not a slice of the input"
        );
    }
}

/// The resolver the fuzz target renders with.
#[derive(Debug)]
struct Resolver;

impl LinkResolver for Resolver {
    fn resolve(&self, target: &str) -> Option<String> {
        match loam_core::normalise_title(target).as_str() {
            "known" => Some("loam://doc/known".to_owned()),
            "hostile" => Some("javascript:alert(1)".to_owned()),
            "quote" => Some("loam://doc/\" onmouseover=\"alert(1)".to_owned()),
            _ => None,
        }
    }

    fn resolve_file(&self, path: &str) -> Option<String> {
        (path == "img/pic.png").then(|| "loam://file/pic.png".to_owned())
    }
}

/// Whether `html` is inert: no script, style, frame, form or foreign-content
/// element; no event handler, `style`, `srcdoc` or `formaction` attribute;
/// no URL attribute whose scheme is not `http`, `https`, `mailto` or `loam`
/// (so no `javascript:`, `vbscript:` or `data:`). Text, and non-URL
/// attributes such as `data-target`, may mention `javascript:`: the note
/// said so, and nothing runs it. The error says what was found.
pub fn check_inert(html: &str) -> Result<(), String> {
    let lower = html.to_ascii_lowercase();
    if let Some(bad) = FORBIDDEN_TAGS.iter().find(|bad| lower.contains(**bad)) {
        return Err(format!("{bad:?} in the HTML"));
    }
    for (tag, name, value) in attributes(html) {
        if name.starts_with("on") {
            return Err(format!("event handler {name:?} on <{tag}>"));
        }
        if matches!(name.as_str(), "style" | "srcdoc" | "formaction") {
            return Err(format!("{name:?} on <{tag}>"));
        }
        if matches!(
            name.as_str(),
            "href" | "src" | "action" | "cite" | "poster" | "background" | "srcset" | "xlink:href"
        ) && let Some(scheme) = url_scheme(&value)
            && !SCHEMES.contains(&scheme.to_ascii_lowercase().as_str())
        {
            return Err(format!("{name}={value:?} on <{tag}>"));
        }
    }
    Ok(())
}

/// The scheme of `url` as a browser reads it (whitespace and control
/// characters ignored), or `None` for a relative URL (`*x:y` is a path).
fn url_scheme(url: &str) -> Option<String> {
    let url: String = url
        .chars()
        .filter(|c| !c.is_ascii_whitespace() && !c.is_control())
        .collect();
    let (scheme, _) = url.split_once(':')?;
    let is_scheme = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    is_scheme.then(|| scheme.to_owned())
}

/// Every attribute of every tag in `html`, as (tag, lowercased name, value).
/// A small tokenizer that understands quoted values, so `>` inside a value
/// does not end the tag.
pub fn attributes(html: &str) -> Vec<(String, String, String)> {
    let bytes = html.as_bytes();
    let mut found = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'<' {
            i += 1;
            continue;
        }
        i += 1;
        let name_start = i;
        while i < bytes.len() && !bytes[i].is_ascii_whitespace() && bytes[i] != b'>' {
            i += 1;
        }
        let tag = html[name_start..i].to_ascii_lowercase();
        loop {
            while i < bytes.len() && (bytes[i].is_ascii_whitespace() || bytes[i] == b'/') {
                i += 1;
            }
            if i >= bytes.len() || bytes[i] == b'>' {
                i += 1;
                break;
            }
            let attr_start = i;
            while i < bytes.len()
                && !bytes[i].is_ascii_whitespace()
                && !matches!(bytes[i], b'=' | b'>')
            {
                i += 1;
            }
            let name = html[attr_start..i].to_ascii_lowercase();
            let mut value = String::new();
            if i < bytes.len() && bytes[i] == b'=' {
                i += 1;
                if i < bytes.len() && matches!(bytes[i], b'"' | b'\'') {
                    let quote = bytes[i];
                    i += 1;
                    let value_start = i;
                    while i < bytes.len() && bytes[i] != quote {
                        i += 1;
                    }
                    value = html[value_start..i.min(bytes.len())].to_owned();
                    i += 1;
                } else {
                    let value_start = i;
                    while i < bytes.len() && !bytes[i].is_ascii_whitespace() && bytes[i] != b'>' {
                        i += 1;
                    }
                    value = html[value_start..i].to_owned();
                }
            }
            found.push((tag.clone(), name, value));
        }
    }
    found
}
