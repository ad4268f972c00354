//! `analyse`: links, tags, headings and frontmatter, shown one per line.

use expect_test::{Expect, expect};
use loam_markdown::analyse;

/// One line per thing found: `link`, `tag`, `heading`, `frontmatter`,
/// `warning`; a link shows its source slice so ranges are checked too.
fn check(input: &str, expected: Expect) {
    let analysis = analyse(input);
    let mut lines = Vec::new();
    if let Some(fm) = &analysis.frontmatter {
        lines.push(format!(
            "frontmatter title={:?} tags={:?} aliases={:?} {:?}",
            fm.title,
            fm.tags,
            fm.aliases,
            &input[fm.range.clone()]
        ));
    }
    for warning in &analysis.warnings {
        lines.push(format!("warning {warning}"));
    }
    for link in &analysis.links {
        let mut line = format!("link {:?}", link.target);
        if let Some(heading) = &link.heading {
            line += &format!(" #{heading:?}");
        }
        if let Some(alias) = &link.alias {
            line += &format!(" |{alias:?}");
        }
        if link.embed {
            line += " embed";
        }
        line += &format!(" {:?}", &input[link.range.clone()]);
        lines.push(line);
    }
    for link in &analysis.file_links {
        let kind = if link.image { "image" } else { "file" };
        lines.push(format!(
            "{kind} {:?} {:?}",
            link.path,
            &input[link.range.clone()]
        ));
    }
    if !analysis.tags.is_empty() {
        lines.push(format!("tags {}", analysis.tags.join(" ")));
    }
    for heading in &analysis.headings {
        lines.push(format!(
            "h{} {:?} {:?}",
            heading.level,
            heading.text,
            &input[heading.range.clone()]
        ));
    }
    expected.assert_eq(&lines.join("\n"));
}

#[test]
fn wikilinks() {
    check(
        "See [[Title]], [[Title|alias]], [[Title#Heading]] and [[Title#Heading|alias]].",
        expect![[r#"
            link "Title" "[[Title]]"
            link "Title" |"alias" "[[Title|alias]]"
            link "Title" #"Heading" "[[Title#Heading]]"
            link "Title" #"Heading" |"alias" "[[Title#Heading|alias]]""#]],
    );
    check(
        "![[Title]] ![[pic.png]] ![[pic.png|100]]",
        expect![[r#"
            link "Title" embed "![[Title]]"
            link "pic.png" embed "![[pic.png]]"
            link "pic.png" |"100" embed "![[pic.png|100]]""#]],
    );
    check(
        "| a | b |\n|---|---|\n| [[Title\\|alias]] | [[Other]] |\n",
        expect![[r#"
            link "Title" |"alias" "[[Title\\|alias]]"
            link "Other" "[[Other]]""#]],
    );
    check(
        "[[ spaced  title ]] [[日本語のページ]] [[🌱 Garden|🌿]]",
        expect![[r#"
            link "spaced  title" "[[ spaced  title ]]"
            link "日本語のページ" "[[日本語のページ]]"
            link "🌱 Garden" |"🌿" "[[🌱 Garden|🌿]]""#]],
    );
    check(
        "# Head [[In Heading]]\n\n- item [[In List]]\n\n> quote [[In Quote]]\n\n[^1]\n\n[^1]: note [[In Footnote]]\n",
        expect![[r##"
            link "In Heading" "[[In Heading]]"
            link "In List" "[[In List]]"
            link "In Quote" "[[In Quote]]"
            link "In Footnote" "[[In Footnote]]"
            h1 "Head In Heading" "# Head [[In Heading]]""##]],
    );
}

#[test]
fn not_wikilinks() {
    check("`[[code span]]` and ``[[x]]``", expect![""]);
    check("```\n[[fenced]]\n```\n", expect![""]);
    check("~~~md\n![[fenced embed]]\n~~~\n", expect![""]);
    check("para\n\n    [[indented code]]\n", expect![""]);
    check("<div>\n[[html block]]\n</div>\n", expect![""]);
    check("\\[[escaped]]", expect![""]);
    check(
        "[[unclosed and [[]] and [[ ]] and [[|alias]] and [[#]]",
        expect![""],
    );
    check("[[two\nlines]]", expect![""]);
    check("[[#Same note heading]]", expect![""]);
    check(
        "[text [[inner]]](http://x.org)",
        expect![[r#"link "inner" "[[inner]]""#]],
    );
}

#[test]
fn nested_brackets() {
    check(
        "[[a [[b]] c]] [[[x]]] [[y]]]] [[a]b]]",
        expect![[r#"
            link "b" "[[b]]"
            link "x" "[[x]]"
            link "y" "[[y]]"
            link "a]b" "[[a]b]]""#]],
    );
    check(
        "**[[bold*]]** *[[a*]]* [[T|al *em*]]",
        expect![[r#"
            link "bold*" "[[bold*]]"
            link "a*" "[[a*]]"
            link "T" |"al *em*" "[[T|al *em*]]""#]],
    );
}

#[test]
fn tags() {
    check(
        "#tag #nested/deep #Tag #mixed_case-1 #日本語 #🌱 a#not #123 #2024/05",
        expect!["tags tag nested/deep mixed_case-1 日本語 🌱 2024/05"],
    );
    check(
        "http://x.org/#frag https://x.org/page#frag [l](http://x.org/#d) <http://x.org/#auto>",
        expect![""],
    );
    check("`#code` and\n\n```\n#fenced\n```\n", expect![""]);
    check(
        "# Heading\n## Heading #tag\n#### #also ####\n",
        expect![[r#####"
            tags tag also
            h1 "Heading" "# Heading"
            h2 "Heading #tag" "## Heading #tag"
            h4 "#also" "#### #also ####""#####]],
    );
    check("#notheading\n", expect!["tags notheading"]);
    check(
        "(#paren) *#emph* [[Link#heading]] [#linktext](x) \\#escaped &#35;entity",
        expect![[r#"
            link "Link" #"heading" "[[Link#heading]]"
            file "x" "[#linktext](x)"
            tags paren emph"#]],
    );
    check(
        "| #cell | x |\n|---|---|\n| #row | y |\n",
        expect!["tags cell row"],
    );
}

#[test]
fn headings() {
    check(
        "Setext\n======\n\nTwo\n---\n\n### `code` *em* [[Link|alias]] ###\n\n####### seven\n",
        expect![[r####"
            link "Link" |"alias" "[[Link|alias]]"
            h1 "Setext" "Setext\n======"
            h2 "Two" "Two\n---"
            h3 "code em alias" "### `code` *em* [[Link|alias]] ###""####]],
    );
    check(
        "# 日本語の見出し 🌱\r\n\r\ntext\r\n",
        expect![[r##"h1 "日本語の見出し 🌱" "# 日本語の見出し 🌱""##]],
    );
}

#[test]
fn frontmatter() {
    check(
        "---\ntitle: Hello\ntags: [a, '#b']\naliases: [Hi, Hey]\n---\n# Body #c [[Link]]\n",
        expect![[r##"
            frontmatter title=Some("Hello") tags=["a", "b"] aliases=["Hi", "Hey"] "---\ntitle: Hello\ntags: [a, '#b']\naliases: [Hi, Hey]\n---"
            link "Link" "[[Link]]"
            tags c
            h1 "Body #c Link" "# Body #c [[Link]]""##]],
    );
    check(
        "---\ntags: \"one, #two three\"\nalias: Single\n---\n",
        expect![[
            r#"frontmatter title=None tags=["one", "two", "three"] aliases=["Single"] "---\ntags: \"one, #two three\"\nalias: Single\n---""#
        ]],
    );
    check(
        "---\ntitle: [broken\n---\n#still [[read]]\n",
        expect![[r#"
            warning invalid frontmatter at line 3: while parsing a flow sequence, expected ',' or ']'
            link "read" "[[read]]"
            tags still"#]],
    );
    check(
        "---\n#not-a-tag: [[not a link]]\n---\n",
        expect![[
            r#"frontmatter title=None tags=[] aliases=[] "---\n#not-a-tag: [[not a link]]\n---""#
        ]],
    );
    check(
        "text\n---\ntitle: not frontmatter\n---\n",
        expect![[r#"
            h2 "text" "text\n---"
            h2 "title: not frontmatter" "title: not frontmatter\n---""#]],
    );
}

#[test]
fn all_tags_merges_frontmatter_and_inline() {
    let analysis = analyse("---\ntags: [A, b]\n---\n#a #c\n");
    assert_eq!(analysis.all_tags(), ["A", "b", "c"]);
}

#[test]
fn large_document_is_read_in_one_linear_pass() {
    let paragraph =
        "Some prose with a [[Link]] and a #tag, `code`, **bold** and [x](http://x.org/#f).\n\n";
    let mut note = String::from("---\ntitle: Big\n---\n");
    while note.len() < 200_000 {
        note.push_str("## Section\n\n");
        for _ in 0..20 {
            note.push_str(paragraph);
        }
    }
    let analysis = analyse(&note);
    assert!(analysis.links.len() > 2000);
    assert_eq!(analysis.tags, ["tag"]);
    // Pathological shapes stay linear too.
    for hostile in [
        "[[".repeat(100_000),
        "#a".repeat(100_000),
        "[".repeat(100_000) + &"]".repeat(100_000),
        "> ".repeat(10_000) + "[!note] x",
        "*".repeat(100_000),
    ] {
        let _ = analyse(&hostile);
        let _ = loam_markdown::find_mentions(&hostile, "a");
    }
}

#[test]
fn links_to_local_files() {
    check(
        "[doc](Other%20note.md#Part) ![pic](img/a.png \"t\") [web](https://x.org) <https://y.org>\n\
         [here](#top) [[Wiki]] [angle](<My file.pdf>) `[code](x.md)`",
        expect![[r#"
            link "Wiki" "[[Wiki]]"
            file "Other note.md" "[doc](Other%20note.md#Part)"
            image "img/a.png" "![pic](img/a.png \"t\")"
            file "My file.pdf" "[angle](<My file.pdf>)""#]],
    );
}
