//! The last step of rendering: whatever HTML a note contains (raw HTML is
//! allowed in markdown) goes through ammonia with an allowlist.
//!
//! Allowed: ammonia's default tags (text, lists, tables, `details`, ...) plus
//! disabled task-list checkboxes; URLs with `http`, `https`, `mailto` and
//! `loam` schemes or relative ones; the attributes the renderer itself
//! writes (`class` with known values, `data-target`, `data-tag`,
//! `data-callout`, heading and footnote ids). Removed with their content:
//! `script`, `style`, `svg`, `math`, `iframe`, `object`, `embed` and other
//! active or foreign content. Never allowed: `style` attributes, event
//! handlers, `javascript:`/`vbscript:`/`data:` URLs. Every `<a>` gets
//! `rel="noopener noreferrer"`.

use std::borrow::Cow;
use std::sync::LazyLock;

use ammonia::Builder;

/// Classes the renderer writes; any other class value is dropped.
const CLASSES: &[&str] = &[
    "wikilink",
    "resolved",
    "unresolved",
    "heading-link",
    "embed",
    "image",
    "tag",
    "callout",
    "callout-title",
    "callout-content",
    "footnote-reference",
    "footnote-definition",
    "footnote-definition-label",
    "math",
    "math-inline",
    "math-display",
    "frontmatter-invalid",
];

static SANITISER: LazyLock<Builder<'static>> = LazyLock::new(|| {
    let mut builder = Builder::default();
    builder
        .add_tags(["input"])
        .add_clean_content_tags([
            "iframe",
            "frame",
            "frameset",
            "object",
            "embed",
            "applet",
            "svg",
            "math",
            "noscript",
            "noembed",
            "noframes",
            "template",
            "textarea",
            "title",
            "xmp",
            "plaintext",
            "select",
        ])
        .add_generic_attributes(["class"])
        .add_tag_attributes("a", ["data-target", "data-tag"])
        .add_tag_attributes("span", ["data-target"])
        .add_tag_attributes("img", ["data-target"])
        .add_tag_attributes("div", ["data-callout", "id"])
        .add_tag_attributes("details", ["data-callout", "open"])
        .add_tag_attributes("input", ["type", "checked", "disabled"])
        .add_tag_attributes("h1", ["id"])
        .add_tag_attributes("h2", ["id"])
        .add_tag_attributes("h3", ["id"])
        .add_tag_attributes("h4", ["id"])
        .add_tag_attributes("h5", ["id"])
        .add_tag_attributes("h6", ["id"])
        .url_schemes(["http", "https", "mailto", "loam"].into_iter().collect())
        .link_rel(Some("noopener noreferrer"))
        .attribute_filter(filter_attribute);
    builder
});

/// Sanitise `html` (a fragment).
pub(crate) fn clean(html: &str) -> String {
    SANITISER.clean(html).to_string()
}

/// Values that pass the allowlist of names but still need a look.
fn filter_attribute<'u>(element: &str, attribute: &str, value: &'u str) -> Option<Cow<'u, str>> {
    match attribute {
        "class" => {
            let kept: Vec<&str> = value
                .split_ascii_whitespace()
                .filter(|class| CLASSES.contains(class) || is_language_class(class))
                .collect();
            if kept.is_empty() {
                None
            } else {
                Some(Cow::Owned(kept.join(" ")))
            }
        }
        "type" if element == "input" => value
            .eq_ignore_ascii_case("checkbox")
            .then_some(value.into()),
        "width" | "height" => value
            .bytes()
            .all(|b| b.is_ascii_digit())
            .then_some(value.into()),
        "id" | "data-callout" => is_token(value).then_some(value.into()),
        _ => Some(value.into()),
    }
}

/// `language-rust`, as pulldown-cmark writes for fenced code.
fn is_language_class(class: &str) -> bool {
    class.strip_prefix("language-").is_some_and(|lang| {
        !lang.is_empty()
            && lang
                .chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '+' | '#' | '.'))
    })
}

/// Letters, digits, `-` and `_`, not empty.
fn is_token(value: &str) -> bool {
    !value.is_empty()
        && value
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_'))
}
