//! `render_html`: the HTML for each construct.

use expect_test::{Expect, expect};
use loam_markdown::{LinkResolver, render_html};

/// Knows a few titles (compared as normalised titles).
pub(crate) struct Garden;

impl LinkResolver for Garden {
    fn resolve(&self, target: &str) -> Option<String> {
        let key = loam_core::normalise_title(target);
        match key.as_str() {
            "known" | "日本語" => Some(format!("loam://doc/{}", key.replace(' ', "-"))),
            "pic.png" | "photo.JPG" | "photo.jpg" => Some(format!("loam://file/{key}")),
            "hostile" => Some("javascript:alert(1)".to_owned()),
            _ => None,
        }
    }

    fn resolve_file(&self, path: &str) -> Option<String> {
        (path == "img/pic.png").then(|| "loam://file/pic.png".to_owned())
    }
}

fn check(input: &str, expected: Expect) {
    expected.assert_eq(render_html(input, &Garden).trim_end());
}

#[test]
fn commonmark_and_gfm() {
    check(
        "# Title\n\nSome *em* **strong** ~~gone~~ `code` [link](https://example.org).\n",
        expect![[r#"
            <h1 id="title">Title</h1>
            <p>Some <em>em</em> <strong>strong</strong> <del>gone</del> <code>code</code> <a href="https://example.org" rel="noopener noreferrer">link</a>.</p>"#]],
    );
    check(
        "| a | b |\n|:--|--:|\n| 1 | 2 |\n",
        expect![[r#"
        <table><thead><tr><th>a</th><th>b</th></tr></thead><tbody>
        <tr><td>1</td><td>2</td></tr>
        </tbody></table>"#]],
    );
    check(
        "- [ ] open\n- [x] done\n",
        expect![[r#"
        <ul>
        <li><input disabled="" type="checkbox">
        open</li>
        <li><input disabled="" type="checkbox" checked="">
        done</li>
        </ul>"#]],
    );
    check(
        "Text[^n].\n\n[^n]: The note.\n",
        expect![[r##"
        <p>Text<sup class="footnote-reference"><a href="#fn-1" rel="noopener noreferrer">1</a></sup>.</p>
        <div class="footnote-definition" id="fn-1"><sup class="footnote-definition-label">1</sup>
        <p>The note.</p>
        </div>"##]],
    );
    check(
        "```rust\nfn main() {}\n```\n",
        expect![[r#"
        <pre><code class="language-rust">fn main() {}
        </code></pre>"#]],
    );
    check(
        "Inline $x^2$ and\n\n$$\ny\n$$\n",
        expect![[r#"
        <p>Inline <span class="math math-inline">x^2</span> and</p>
        <p><span class="math math-display">
        y
        </span></p>"#]],
    );
    check(
        "# Same\n\n## Same\n\n### 日本語 見出し!\n",
        expect![[r#"
        <h1 id="same">Same</h1>
        <h2 id="same-1">Same</h2>
        <h3 id="日本語-見出し">日本語 見出し!</h3>"#]],
    );
}

#[test]
fn wikilinks() {
    check(
        "[[Known]] [[Missing]]",
        expect![[
            r#"<p><a class="wikilink resolved" href="loam://doc/known" data-target="Known" rel="noopener noreferrer">Known</a> <a class="wikilink unresolved" href="loam://new/Missing" data-target="Missing" rel="noopener noreferrer">Missing</a></p>"#
        ]],
    );
    check(
        "[[Known|the *alias*]] [[Known#Some Heading]] [[Missing#h|alias]]",
        expect![[
            r#"<p><a class="wikilink resolved" href="loam://doc/known" data-target="Known" rel="noopener noreferrer">the <em>alias</em></a> <a class="wikilink resolved" href="loam://doc/known#some-heading" data-target="Known" rel="noopener noreferrer">Known &gt; Some Heading</a> <a class="wikilink unresolved" href="loam://new/Missing" data-target="Missing" rel="noopener noreferrer">alias</a></p>"#
        ]],
    );
    check(
        "[[#Local Heading]] [[ Known ]] [[日本語]]",
        expect![[
            r##"<p><a class="wikilink resolved heading-link" href="#local-heading" rel="noopener noreferrer">Local Heading</a> <a class="wikilink resolved" href="loam://doc/known" data-target="Known" rel="noopener noreferrer">Known</a> <a class="wikilink resolved" href="loam://doc/日本語" data-target="日本語" rel="noopener noreferrer">日本語</a></p>"##
        ]],
    );
    check(
        "| a |\n|---|\n| [[Known\\|alias]] |\n",
        expect![[r#"
        <table><thead><tr><th>a</th></tr></thead><tbody>
        <tr><td><a class="wikilink resolved" href="loam://doc/known" data-target="Known" rel="noopener noreferrer">alias</a></td></tr>
        </tbody></table>"#]],
    );
    check(
        "`[[code]]` [x [[inner]]](https://x.org) [[a\nb]]",
        expect![[r#"
        <p><code>[[code]]</code> [x <a class="wikilink unresolved" href="loam://new/inner" data-target="inner" rel="noopener noreferrer">inner</a>](https://x.org) [[a
        b]]</p>"#]],
    );
    check(
        "[[Missing \"quoted\" & <angled>]]",
        expect![[
            r#"<p><a class="wikilink unresolved" href="loam://new/Missing%20%22quoted%22%20%26%20%3Cangled%3E" data-target="Missing &quot;quoted&quot; &amp; &lt;angled&gt;" rel="noopener noreferrer">Missing "quoted" &amp; &lt;angled&gt;</a></p>"#
        ]],
    );
}

#[test]
fn embeds() {
    check(
        "![[pic.png]]",
        expect![[
            r#"<p><img class="embed image" src="loam://file/pic.png" alt="pic.png" data-target="pic.png"></p>"#
        ]],
    );
    check(
        "![[pic.png|100]] ![[photo.jpg|A photo|640x480]] ![[pic.png|caption]]",
        expect![[
            r#"<p><img class="embed image" src="loam://file/pic.png" alt="pic.png" data-target="pic.png" width="100"> <img class="embed image" src="loam://file/photo.jpg" alt="A photo" data-target="photo.jpg" width="640" height="480"> <img class="embed image" src="loam://file/pic.png" alt="caption" data-target="pic.png"></p>"#
        ]],
    );
    check(
        "![[Known]] ![[Missing]] ![[missing.png]]",
        expect![[
            r#"<p><span class="embed resolved" data-target="Known"><a class="wikilink resolved" href="loam://doc/known" data-target="Known" rel="noopener noreferrer">Known</a></span> <span class="embed unresolved" data-target="Missing"><a class="wikilink unresolved" href="loam://new/Missing" data-target="Missing" rel="noopener noreferrer">Missing</a></span> <span class="embed unresolved" data-target="missing.png"><a class="wikilink unresolved" href="loam://new/missing.png" data-target="missing.png" rel="noopener noreferrer">missing.png</a></span></p>"#
        ]],
    );
}

#[test]
fn tags() {
    check(
        "A #tag, #Nested/Deep and a#not #123.",
        expect![[
            r#"<p>A <a class="tag" href="loam://tag/tag" data-tag="tag" rel="noopener noreferrer">#tag</a>, <a class="tag" href="loam://tag/nested%2Fdeep" data-tag="Nested/Deep" rel="noopener noreferrer">#Nested/Deep</a> and a#not #123.</p>"#
        ]],
    );
    check(
        "## Heading #tag\n",
        expect![[
            r#"<h2 id="heading-tag">Heading <a class="tag" href="loam://tag/tag" data-tag="tag" rel="noopener noreferrer">#tag</a></h2>"#
        ]],
    );
    check(
        "x &amp;#notag #ok&amp;",
        expect![[
            r#"<p>x &amp;#notag <a class="tag" href="loam://tag/ok" data-tag="ok" rel="noopener noreferrer">#ok</a>&amp;</p>"#
        ]],
    );
}

#[test]
fn callouts() {
    check(
        "> [!NOTE]\n> Body text.\n",
        expect![[r#"
        <div class="callout" data-callout="note">
        <div class="callout-title">Note</div>
        <div class="callout-content">
        <p>Body text.</p>
        </div></div>"#]],
    );
    check(
        "> [!info] Custom *title*\n> Body [[Known]].\n>\n> More.\n",
        expect![[r#"
        <div class="callout" data-callout="info">
        <div class="callout-title">Custom <em>title</em></div>
        <div class="callout-content">
        <p>Body <a class="wikilink resolved" href="loam://doc/known" data-target="Known" rel="noopener noreferrer">Known</a>.</p>
        <p>More.</p>
        </div></div>"#]],
    );
    check(
        "> [!faq]- Folded\n> Hidden.\n",
        expect![[r#"
        <details class="callout" data-callout="faq">
        <summary class="callout-title">Folded</summary>
        <div class="callout-content">
        <p>Hidden.</p>
        </div></details>"#]],
    );
    check(
        "> [!tip]+\n> Open.\n",
        expect![[r#"
        <details class="callout" data-callout="tip" open="">
        <summary class="callout-title">Tip</summary>
        <div class="callout-content">
        <p>Open.</p>
        </div></details>"#]],
    );
    check(
        "> [!warning]\n",
        expect![[r#"
        <div class="callout" data-callout="warning">
        <div class="callout-title">Warning</div>
        <div class="callout-content">
        </div></div>"#]],
    );
    check(
        "> plain quote\n",
        expect![[r#"
        <blockquote>
        <p>plain quote</p>
        </blockquote>"#]],
    );
    check(
        "> [!quote]See [[Known|it]] #tag\n> - list\n",
        expect![[r#"
        <div class="callout" data-callout="quote">
        <div class="callout-title">See <a class="wikilink resolved" href="loam://doc/known" data-target="Known" rel="noopener noreferrer">it</a> <a class="tag" href="loam://tag/tag" data-tag="tag" rel="noopener noreferrer">#tag</a></div>
        <div class="callout-content">
        <ul>
        <li>list</li>
        </ul>
        </div></div>"#]],
    );
    check(
        "> [!todo] **Bold** `code`\n",
        expect![[r#"
        <div class="callout" data-callout="todo">
        <div class="callout-title"><strong>Bold</strong> <code>code</code></div>
        <div class="callout-content">
        </div></div>"#]],
    );
    check(
        "> [!bad type] x\n",
        expect![[r#"
        <blockquote>
        <p>[!bad type] x</p>
        </blockquote>"#]],
    );
}

#[test]
fn frontmatter() {
    check("---\ntitle: Hidden\n---\nBody\n", expect!["<p>Body</p>"]);
    check(
        "---\ntitle: [broken\n---\nBody\n",
        expect![[r#"
        <pre class="frontmatter-invalid"><code>---
        title: [broken
        ---</code></pre>
        <p>Body</p>"#]],
    );
}

#[test]
fn links_to_local_files_get_the_resolved_href() {
    check(
        "![a pic](img/pic.png) ![other](img/other.png) [pdf](doc%20one.pdf) [web](https://x.org/img/pic.png)",
        expect![[
            r#"<p><img src="loam://file/pic.png" alt="a pic"> <img src="img/other.png" alt="other"> <a href="doc%20one.pdf" rel="noopener noreferrer">pdf</a> <a href="https://x.org/img/pic.png" rel="noopener noreferrer">web</a></p>"#
        ]],
    );
}
