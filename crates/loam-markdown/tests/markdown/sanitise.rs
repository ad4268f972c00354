//! Hostile notes: whatever they contain, the HTML carries no script, no
//! event handler, no `javascript:` URL and no inline style.

use loam_markdown::render_html;

use crate::render::Garden;

/// Fails with the input and output when the HTML contains something
/// dangerous: a script, style, frame or foreign-content element; an event
/// handler, `style`, `srcdoc` or `formaction` attribute; or a URL attribute
/// whose scheme is not `http`, `https`, `mailto` or `loam`. (Text, and
/// non-URL attributes such as `data-target`, may mention `javascript:`:
/// the note said so, and nothing runs it.)
pub(crate) fn assert_safe(input: &str, html: &str) {
    let lower = html.to_ascii_lowercase();
    for bad in [
        "<script", "<style", "<iframe", "<frame", "<svg", "<math", "<object", "<embed", "<base",
        "<meta", "<link", "<form",
    ] {
        assert!(
            !lower.contains(bad),
            "{bad:?} in the HTML of {input:?}:\n{html}"
        );
    }
    for (tag, name, value) in attributes(html) {
        assert!(
            !name.starts_with("on"),
            "event handler {name:?} on <{tag}> from {input:?}:\n{html}"
        );
        assert!(
            !matches!(name.as_str(), "style" | "srcdoc" | "formaction"),
            "{name:?} on <{tag}> from {input:?}:\n{html}"
        );
        if matches!(
            name.as_str(),
            "href" | "src" | "action" | "cite" | "poster" | "background" | "srcset"
        ) {
            let url: String = value
                .chars()
                .filter(|c| !c.is_ascii_whitespace() && !c.is_control())
                .collect();
            if let Some((scheme, _)) = url.split_once(':') {
                // Otherwise it is a relative URL (`*x:y` is a path).
                let is_scheme = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
                    && scheme
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
                if is_scheme {
                    assert!(
                        ["http", "https", "mailto", "loam"]
                            .contains(&scheme.to_ascii_lowercase().as_str()),
                        "{name}={value:?} on <{tag}> from {input:?}:\n{html}"
                    );
                }
            }
        }
    }
}

/// Every attribute of every tag in `html`, as (tag, lowercased name, value).
/// A small tokenizer that understands quoted values, so `>` inside a value
/// does not end the tag.
pub(crate) fn attributes(html: &str) -> Vec<(String, String, String)> {
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

const HOSTILE: &[&str] = &[
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//x.org/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "<img src=x ONERROR=alert(1)>",
    "<img/src=x/onerror=alert(1)>",
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](javascript&#58;alert(1))",
    "[x](java\tscript:alert(1))",
    "[x](  javascript:alert(1)  )",
    "[x]: javascript:alert(1)\n\n[x]",
    "<javascript:alert(1)>",
    "![x](javascript:alert(1))",
    "![x](data:image/svg+xml;base64,PHN2Zz4=)",
    "<a href=\"javascript&#x3A;alert(1)\">x</a>",
    "<a href=\"&#106;avascript:alert(1)\">x</a>",
    "<a href=\"vbscript:msgbox(1)\">x</a>",
    "<a href=\"data:text/html,<script>alert(1)</script>\">x</a>",
    "<svg onload=alert(1)><circle/></svg>",
    "<svg><script>alert(1)</script></svg>",
    "<math><mtext><script>alert(1)</script></mtext></math>",
    "<iframe src=\"https://evil.example\"></iframe>",
    "<iframe srcdoc=\"<script>alert(1)</script>\"></iframe>",
    "<object data=\"x.swf\"></object><embed src=\"x.swf\">",
    "<style>body{display:none}</style>",
    "<div style=\"background:url(javascript:alert(1))\">x</div>",
    "<p style=\"color:red\">x</p>",
    "<details open ontoggle=alert(1)>x</details>",
    "<input type=\"image\" src=\"x\" onfocus=alert(1) autofocus>",
    "<form action=\"javascript:alert(1)\"><button formaction=\"javascript:alert(1)\">x</button></form>",
    "<a href=\"#\" onclick=\"alert(1)\" class=\"wikilink resolved\" data-target=\"x\">x</a>",
    "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
    "<base href=\"javascript:alert(1)//\">",
    "<link rel=stylesheet href=x.css>",
    "<!--<script>alert(1)</script>-->",
    "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\"></noscript>",
    "<template><script>alert(1)</script></template>",
    "<textarea><script>alert(1)</script></textarea>",
    "<div id=\"x\" class=\"callout evil\" data-callout=\"x\\\" onmouseover=\\\"alert(1)\">y</div>",
    "[[\"><script>alert(1)</script>]]",
    "[[x\" onmouseover=\"alert(1)]]",
    "[[javascript:alert(1)]]",
    "[[Known|<img src=x onerror=alert(1)>]]",
    "![[\"><svg onload=alert(1)>.png]]",
    "![[pic.png|\" onerror=\"alert(1)]]",
    "[[Hostile]] ![[Hostile]]",
    "#\"><script>alert(1)</script>",
    "> [!note\"><script>alert(1)</script>] x",
    "> [!note] <img src=x onerror=alert(1)>",
    "---\ntitle: [<script>alert(1)</script>\n---\n",
    "[^<script>]: x\n\ny[^<script>]",
    "```\"><script>alert(1)</script>\nx\n```",
    "# <img src=x onerror=alert(1)>",
];

#[test]
fn hostile_inputs_render_harmless() {
    for input in HOSTILE {
        let html = render_html(input, &Garden);
        assert_safe(input, &html);
    }
}

#[test]
fn the_checker_catches_what_it_should() {
    let caught = |html: &str| std::panic::catch_unwind(|| assert_safe("test", html)).is_err();
    assert!(caught("<img src=x onerror=alert(1)>"));
    assert!(caught("<a HREF=\"JavaScript:x\">"));
    assert!(caught("<p style=\"x\">"));
    assert!(caught("<a href=\" java\tscript:x\">"));
    assert!(caught("<img src=\"data:image/png;base64,x\">"));
    assert!(!caught("<p>onion=3 and javascript: talk</p>"));
    assert!(!caught("<a href=\"*javascript:x\">"));
    assert!(!caught("<a href=\"loam://doc/x\" title=\"a > b\">x</a>"));
}

#[test]
fn safe_markup_is_kept() {
    let html = render_html(
        "- [x] done\n\n| a |\n|---|\n| b |\n\n> [!tip] T\n> x\n\n[[Known]] [[Missing]] <kbd>Ctrl</kbd> <a href=\"https://x.org\">x</a>",
        &Garden,
    );
    for expected in [
        "<input disabled=\"\" type=\"checkbox\" checked=\"\">",
        "<table>",
        "<div class=\"callout\" data-callout=\"tip\">",
        "class=\"wikilink resolved\" href=\"loam://doc/known\" data-target=\"Known\"",
        "class=\"wikilink unresolved\"",
        "<kbd>Ctrl</kbd>",
        "<a href=\"https://x.org\" rel=\"noopener noreferrer\">x</a>",
    ] {
        assert!(
            html.contains(expected),
            "{expected:?} missing from:\n{html}"
        );
    }
}
