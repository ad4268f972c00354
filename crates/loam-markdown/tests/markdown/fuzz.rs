//! The fuzz target `markdown` (fuzz/), run on stable for a bounded number
//! of cases, and the hostile-note corpus (`tests/hostile-notes/*.md`, plus
//! huge notes made here) rendered inert by the same check. Every input the
//! fuzzer ever crashed on (fuzz/regressions/markdown/) runs first.
//!
//! `LOAM_FUZZ_CASES` sets the number of cases (default 256).

use loam_markdown::fuzzing::{check_inert, render};
use loam_markdown::render_html;
use proptest::prelude::*;

use crate::properties::note;
use crate::render::Garden;

#[path = "../../../../fuzz/stable.rs"]
mod stable;

#[test]
fn regressions_pass() {
    for (name, bytes) in stable::regressions("markdown") {
        println!("markdown regression {name}");
        render(&bytes);
    }
}

/// Every note of the corpus renders inert, with the fuzz target's resolver
/// and with the tests' (which resolves `[[Hostile]]` to `javascript:`).
#[test]
fn the_hostile_corpus_renders_inert() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/hostile-notes");
    let mut notes: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    notes.sort();
    assert!(notes.len() >= 5, "{notes:?}");
    for path in notes {
        let text = std::fs::read_to_string(&path).unwrap();
        render(text.as_bytes());
        let html = render_html(&text, &Garden);
        if let Err(why) = check_inert(&html) {
            panic!("{}: {why}\n{html}", path.display());
        }
        // Each line on its own too: a payload must not depend on its
        // neighbours to be caught.
        for line in text.lines() {
            let html = render_html(line, &Garden);
            if let Err(why) = check_inert(&html) {
                panic!("{}: {why} from {line:?}\n{html}", path.display());
            }
        }
        println!("{}: inert ({} bytes of HTML)", path.display(), html.len());
    }
}

/// Huge notes: long, deeply nested, or made of nothing but brackets. Each
/// renders (in bounded time: the test would hang otherwise) and is inert.
#[test]
fn huge_notes_render_inert() {
    let payload = "<img src=x onerror=alert(1)>[x](javascript:alert(1))";
    let huge: Vec<(&str, String)> = vec![
        ("a megabyte of payloads", payload.repeat(1 << 20 >> 6)),
        (
            "5,000 nested quotes",
            format!("{}{payload}", "> ".repeat(5_000)),
        ),
        ("5,000 nested lists", {
            let mut s = String::new();
            for depth in 0..5_000 {
                s.push_str(&"  ".repeat(depth.min(200)));
                s.push_str("- ");
                s.push_str(payload);
                s.push('\n');
            }
            s
        }),
        ("100,000 open brackets", "[[".repeat(100_000)),
        ("100,000 emphasis markers", "*_".repeat(100_000)),
        (
            "a 300,000-character line",
            format!("{}{payload}", "x".repeat(300_000)),
        ),
        (
            "10,000 unclosed tags",
            "<div><span><a href=javascript:x>".repeat(10_000),
        ),
    ];
    for (what, text) in huge {
        let html = render_html(&text, &Garden);
        if let Err(why) = check_inert(&html) {
            panic!("{what}: {why}");
        }
        println!(
            "{what}: {} bytes in, {} bytes of HTML, inert",
            text.len(),
            html.len()
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: stable::cases(256), ..ProptestConfig::default() })]

    #[test]
    fn markdown_on_arbitrary_bytes(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        render(&bytes);
    }

    #[test]
    fn markdown_on_hostile_fragments(input in note()) {
        render(input.as_bytes());
    }
}
