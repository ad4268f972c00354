//! Hostile notes: whatever they contain, the HTML carries no script, no
//! event handler, no `javascript:` URL and no inline style.

pub(crate) use loam_markdown::fuzzing::attributes;
use loam_markdown::fuzzing::check_inert;
use loam_markdown::render_html;

use crate::render::Garden;

/// Fails with the input and output when the HTML is not inert (see
/// [`check_inert`]: no script, style, frame or foreign-content element, no
/// event handler, `style`, `srcdoc` or `formaction` attribute, no URL
/// attribute whose scheme is not `http`, `https`, `mailto` or `loam`).
pub(crate) fn assert_safe(input: &str, html: &str) {
    if let Err(why) = check_inert(html) {
        panic!("{why} from {input:?}:\n{html}");
    }
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
