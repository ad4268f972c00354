//! `rewrite_links`: renaming `Old` to `New Name` in a note.

use expect_test::{Expect, expect};
use loam_markdown::rewrite_links;

/// Shows the rewritten note, or `unchanged`.
fn check(input: &str, expected: Expect) {
    let shown = rewrite_links(input, "Old", "New Name").unwrap_or_else(|| "unchanged".to_owned());
    expected.assert_eq(&shown);
}

#[test]
fn rewrites_every_form() {
    check("[[Old]]", expect!["[[New Name]]"]);
    check("[[old|alias]]", expect!["[[New Name|alias]]"]);
    check("[[OLD#Heading]]", expect!["[[New Name#Heading]]"]);
    check(
        "[[Old#Heading|alias]]",
        expect!["[[New Name#Heading|alias]]"],
    );
    check("![[Old]]", expect!["![[New Name]]"]);
    check(
        "[[ Old ]] [[ old  |x]]",
        expect!["[[ New Name ]] [[ New Name  |x]]"],
    );
    check(
        "| a |\n|---|\n| [[Old\\|alias]] |\n",
        expect![[r#"
        | a |
        |---|
        | [[New Name\|alias]] |
    "#]],
    );
}

#[test]
fn leaves_everything_else_alone() {
    check(
        "Old text, [[Older]], [[Other|Old]], `[[Old]]`, #Old, [Old](Old.md)\n\n```\n[[Old]]\n```\n",
        expect!["unchanged"],
    );
    check("---\nlink: \"[[Old]]\"\n---\n", expect!["unchanged"]);
    check(
        "---\ntitle: keep\n---\n# Über [[Old]] 🌱\n\n*[[Old]]* and [[Old]]!\n",
        expect![[r#"
            ---
            title: keep
            ---
            # Über [[New Name]] 🌱

            *[[New Name]]* and [[New Name]]!
        "#]],
    );
}

#[test]
fn unchanged_when_nothing_would_change() {
    assert_eq!(rewrite_links("[[Old]]", "Old", "Old"), None);
    assert_eq!(rewrite_links("[[Old]]", "", "x"), None);
    assert_eq!(rewrite_links("", "Old", "x"), None);
    assert_eq!(
        rewrite_links("[[old]]", "OLD", "Old").as_deref(),
        Some("[[Old]]")
    );
}
