//! Escaping text into the HTML the renderer writes itself, and
//! percent-encoding titles and tags into `loam:` URLs.

use std::fmt::Write;

/// `text` safe inside an element or a double-quoted attribute.
pub(crate) fn html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// `text` as one URL path segment: everything but unreserved ASCII is
/// percent-encoded (so `/` in a nested tag is too).
pub(crate) fn url_segment(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        let check = |input: &str, expected: &str| assert_eq!(html(input), expected);
        check(
            r#"<a href="x">'&'</a>"#,
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;",
        );
        check("plain 日本", "plain 日本");
    }

    #[test]
    fn segments() {
        let check = |input: &str, expected: &str| assert_eq!(url_segment(input), expected);
        check("My Note", "My%20Note");
        check("a/b", "a%2Fb");
        check("\"><script>", "%22%3E%3Cscript%3E");
        check("café", "caf%C3%A9");
        check("javascript:alert(1)", "javascript%3Aalert%281%29");
    }
}
