//! Property tests over random notes built from markdown and HTML fragments.
//!
//! A failure prints the minimal input and proptest records its seed in
//! `proptest-regressions/`, which replays it first on the next run.
//! `PROPTEST_CASES` sets the number of cases.

use loam_markdown::{analyse, find_mentions, render_html, rewrite_links};
use proptest::prelude::*;

use crate::render::Garden;
use crate::sanitise::{assert_safe, attributes};

/// Pieces that make parsers and sanitisers work hard.
const FRAGMENTS: &[&str] = &[
    "[[",
    "]]",
    "![[",
    "|",
    "\\|",
    "#",
    "##",
    "# ",
    "\n",
    "\n\n",
    "\r\n",
    " ",
    "`",
    "```",
    "    ",
    "> ",
    "> [!note] ",
    "- [ ] ",
    "| a |",
    "|---|",
    "---\n",
    "...\n",
    "tags: [",
    "title: ",
    "*",
    "_",
    "~~",
    "$",
    "[^1]",
    "[^1]: ",
    "[",
    "]",
    "(",
    ")",
    "<",
    ">",
    "</",
    "/>",
    "\"",
    "'",
    "=",
    "&",
    "&#",
    ";",
    ":",
    "on",
    "onerror=",
    "onload=",
    "javascript:",
    "JaVaScRiPt:",
    "data:",
    "style=",
    "<script>",
    "<img src=x ",
    "<svg ",
    "<a href=",
    "<iframe>",
    "<div ",
    "http://x.org/#",
    "Known",
    "pic.png",
    "Title",
    "日本語",
    "🌱",
    "é",
    "\u{0}",
    "\u{feff}",
    "\t",
];

pub(crate) fn note() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        3 => proptest::sample::select(FRAGMENTS).prop_map(str::to_owned),
        1 => any::<String>(),
        1 => "[a-zA-Z0-9 #/]{0,12}",
    ];
    proptest::collection::vec(piece, 0..48).prop_map(|pieces| pieces.concat())
}

/// 512 by default (a few seconds in debug); `PROPTEST_CASES=100000` for a
/// deeper search.
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(512)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), ..ProptestConfig::default() })]

    #[test]
    fn render_is_always_safe(input in note()) {
        let html = render_html(&input, &Garden);
        assert_safe(&input, &html);
        for (tag, name, _) in attributes(&html) {
            prop_assert!(!name.starts_with("on"), "{name} on <{tag}>");
        }
    }

    #[test]
    fn analyse_reports_real_links(input in note()) {
        let analysis = analyse(&input);
        for link in &analysis.links {
            let text = input.get(link.range.clone());
            prop_assert!(
                text.is_some_and(|t| (t.starts_with("[[") || t.starts_with("![[")) && t.ends_with("]]")),
                "{:?} at {:?}", text, link.range
            );
            prop_assert!(!link.target.is_empty());
        }
        for heading in &analysis.headings {
            prop_assert!(input.get(heading.range.clone()).is_some());
        }
        if let Some(fm) = &analysis.frontmatter {
            let block = input.get(fm.range.clone()).map(|t| t.trim_start_matches('\u{feff}'));
            prop_assert!(block.is_some_and(|t| t.starts_with("---")), "{:?}", block);
        }
    }

    #[test]
    fn rewrite_and_mentions_never_panic(input in note(), title in "[a-zA-Z#|\\[\\] ]{0,8}") {
        if let Some(out) = rewrite_links(&input, "Title", "Renamed") {
            prop_assert!(out.contains("Renamed"));
        }
        let _ = rewrite_links(&input, &title, "x");
        for range in find_mentions(&input, "title") {
            prop_assert!(input.get(range.clone()).is_some_and(|t| t.eq_ignore_ascii_case("title")));
        }
        let _ = find_mentions(&input, &title);
    }
}
