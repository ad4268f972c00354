//! Inline `#tags`, found in prose runs (see [`crate::walk`]), the way Obsidian
//! reads them.
//!
//! A tag is `#` followed by letters, digits, `_`, `-`, `/` (nesting: `#a/b`)
//! or emoji. It is not a tag when it is only digits (`#123`), when the `#`
//! follows a word character or a character that makes it part of something
//! else (`a#b`, `x.org/#frag`, `&#35;`), or when it sits in a URL
//! (`http://x.org/page#frag`). Heading markers never reach this module: the
//! parser does not report them as text.

use std::ops::Range;

/// Call `found` with the byte range of every tag in `source[run]`, `#`
/// included. Linear in the length of the run.
pub(crate) fn scan(source: &str, run: Range<usize>, mut found: impl FnMut(Range<usize>)) {
    let Some(text) = source.get(run.clone()) else {
        return;
    };
    let mut previous = source
        .get(..run.start)
        .and_then(|before| before.chars().next_back());
    let mut in_url = false;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c.is_whitespace() {
            in_url = false;
        } else if c == ':' && text[i..].starts_with("://") {
            in_url = true;
        } else if c == '#' && !in_url && may_precede(previous) {
            let body_start = i + 1;
            let mut body_end = body_start;
            while let Some(&(j, d)) = chars.peek() {
                if !is_tag_char(d) {
                    break;
                }
                body_end = j + d.len_utf8();
                previous = Some(d);
                chars.next();
            }
            let body = text[body_start..body_end].trim_end_matches('/');
            if is_valid(body) {
                found(run.start + i..run.start + body_start + body.len());
            }
            if body_end > body_start {
                continue;
            }
        }
        previous = Some(c);
    }
}

/// Whether a tag may start right after `previous` (`None`: start of text).
fn may_precede(previous: Option<char>) -> bool {
    match previous {
        None => true,
        Some(c) if c.is_whitespace() => true,
        Some(c) if c.is_alphanumeric() || is_emoji(c) => false,
        Some(c) => !matches!(
            c,
            '#' | '&'
                | '/'
                | '\\'
                | ':'
                | ';'
                | '='
                | '%'
                | '+'
                | '@'
                | '.'
                | '-'
                | '_'
                | '`'
                | '$'
        ),
    }
}

fn is_tag_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '-' | '/') || is_emoji(c)
}

/// Emoji and the joiners that build them (a rough but cheap test).
fn is_emoji(c: char) -> bool {
    matches!(
        c as u32,
        0x1F000..=0x1FAFF | 0x2600..=0x27BF | 0x2B00..=0x2BFF | 0xFE0F | 0x200D | 0xE0020..=0xE007F
    )
}

/// Not empty, something besides digits, and at least one letter, digit or
/// emoji (so `#-` and `#/` are not tags, `#2024/05` is).
fn is_valid(body: &str) -> bool {
    !body.is_empty()
        && !body.chars().all(char::is_numeric)
        && body.chars().any(|c| c.is_alphanumeric() || is_emoji(c))
        && !loam_core::normalise_tag(body).is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Tags found in `input` taken as one prose run.
    fn check(input: &str, expected: &[&str]) {
        let mut tags = Vec::new();
        scan(input, 0..input.len(), |range| tags.push(&input[range]));
        assert_eq!(tags, expected, "input: {input:?}");
    }

    #[test]
    fn tags() {
        check("#tag", &["#tag"]);
        check("a #tag b", &["#tag"]);
        check("#a/b/c", &["#a/b/c"]);
        check("#a/", &["#a"]);
        check("#my_tag-2", &["#my_tag-2"]);
        check("#123", &[]);
        check("#2024/05", &["#2024/05"]);
        check("#1a", &["#1a"]);
        check("#-", &[]);
        check("#/", &[]);
        check("#", &[]);
        check("# heading-like", &[]);
        check("a#b", &[]);
        check("#a#b", &["#a"]);
        check("(#tag)", &["#tag"]);
        check("*#tag*", &["#tag"]);
        check("#tag, #other.", &["#tag", "#other"]);
        check("http://x.org/#frag", &[]);
        check("http://x.org/page#frag #real", &["#real"]);
        check("see x.org/#frag", &[]);
        check("a&#35;b &#x41;", &[]);
        check("#日本語 #café", &["#日本語", "#café"]);
        check("中文#标签", &[]);
        check("#🌱 #garden🌱", &["#🌱", "#garden🌱"]);
        check("#٣", &[]);
        check("#tag\u{200B}", &["#tag"]);
    }

    #[test]
    fn previous_character_comes_from_before_the_run() {
        let source = "x#tag";
        let mut tags = Vec::new();
        scan(source, 1..source.len(), |range| tags.push(range));
        assert!(tags.is_empty());
    }
}
