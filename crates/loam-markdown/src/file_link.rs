//! Markdown links and images to local files: `[text](Other%20note.md)`,
//! `![](img/pic.png)`, `[text](<Other note.md#Heading>)`.
//!
//! A destination is local when it has no URL scheme (`https:`, `mailto:`,
//! `loam:`; a Windows drive letter `C:` counts as a scheme too), does not
//! start with `//` or `#`, and is not empty. Its path is percent-decoded
//! (Obsidian writes spaces as `%20`) and loses its `#fragment` and `?query`.

/// The file path `dest` names, or `None` when `dest` is not a local file.
pub(crate) fn local_path(dest: &str) -> Option<String> {
    let dest = dest.trim();
    if dest.is_empty() || dest.starts_with('#') || dest.starts_with("//") {
        return None;
    }
    if let Some(colon) = dest.find(':') {
        let scheme = &dest[..colon];
        let is_scheme = !scheme.is_empty()
            && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
        if is_scheme {
            return None;
        }
    }
    let end = dest.find(['#', '?']).unwrap_or(dest.len());
    let path = percent_decode(&dest[..end]);
    (!path.is_empty()).then_some(path)
}

/// `text` with `%XX` escapes decoded; text whose escapes do not decode to
/// UTF-8 is kept as written.
fn percent_decode(text: &str) -> String {
    if !text.contains('%') {
        return text.to_owned();
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| char::from(b).to_digit(16);
        match (bytes[i], bytes.get(i + 1), bytes.get(i + 2)) {
            (b'%', Some(&h), Some(&l)) if hex(h).is_some() && hex(l).is_some() => {
                let value = hex(h).unwrap_or(0) * 16 + hex(l).unwrap_or(0);
                out.push(u8::try_from(value).unwrap_or(b'?'));
                i += 3;
            }
            (b, ..) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap_or_else(|_| text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_destinations() {
        let check = |dest: &str, expected: Option<&str>| {
            assert_eq!(local_path(dest).as_deref(), expected, "{dest}");
        };
        check("Other%20note.md", Some("Other note.md"));
        check("img/pic.png", Some("img/pic.png"));
        check("../up/x.pdf#page=2", Some("../up/x.pdf"));
        check("Note.md?x=1", Some("Note.md"));
        check("caf%C3%A9.md", Some("café.md"));
        check("bad%FF.md", Some("bad%FF.md"));
        check("100%.md", Some("100%.md"));
        check("https://example.org/a.png", None);
        check("mailto:a@b.c", None);
        check("loam://doc/x", None);
        check("C:/x.png", None);
        check("//cdn/x.png", None);
        check("#heading", None);
        check("", None);
    }
}
