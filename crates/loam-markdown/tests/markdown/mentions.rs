//! `find_mentions`: a title written as plain prose.

use expect_test::{Expect, expect};
use loam_markdown::find_mentions;

/// The note with each mention of `phrase` bracketed as `⟨...⟩`.
fn check(input: &str, phrase: &str, expected: Expect) {
    let mut shown = String::new();
    let mut cursor = 0;
    for range in find_mentions(input, phrase) {
        shown.push_str(&input[cursor..range.start]);
        shown.push('⟨');
        shown.push_str(&input[range.clone()]);
        shown.push('⟩');
        cursor = range.end;
    }
    shown.push_str(&input[cursor..]);
    expected.assert_eq(&shown);
}

#[test]
fn mentions() {
    check(
        "Wiki Page and wiki page, WIKI   PAGE.",
        "wiki page",
        expect!["⟨Wiki Page⟩ and ⟨wiki page⟩, ⟨WIKI   PAGE⟩."],
    );
    check(
        "wikipage wiki pages awiki page",
        "wiki page",
        expect!["wikipage wiki pages awiki page"],
    );
    check(
        "## Garden notes\n",
        "garden",
        expect![[r#"
        ## ⟨Garden⟩ notes
    "#]],
    );
    check(
        "Straße and STRASSE",
        "straße",
        expect!["⟨Straße⟩ and STRASSE"],
    );
    check("日本語の庭について", "庭", expect!["日本語の⟨庭⟩について"]);
    check("🌱 Garden 🌱", "garden", expect!["🌱 ⟨Garden⟩ 🌱"]);
    check(
        "garden, garden garden",
        "garden garden",
        expect!["garden, ⟨garden garden⟩"],
    );
}

#[test]
fn not_mentions() {
    check(
        "[[Garden]] [[x|Garden]] [Garden](Garden.md) `Garden` #garden <span>Garden</span>\n\n```\nGarden\n```\n",
        "garden",
        expect![[r#"
            [[Garden]] [[x|Garden]] [Garden](Garden.md) `Garden` #garden <span>⟨Garden⟩</span>

            ```
            Garden
            ```
        "#]],
    );
    check(
        "---\ntitle: Garden\n---\nGarden\n",
        "garden",
        expect![[r#"
        ---
        title: Garden
        ---
        ⟨Garden⟩
    "#]],
    );
    check("anything", "", expect!["anything"]);
    check("anything", "   ", expect!["anything"]);
}
