//! Title and tag normalisation: the keys under which titles and tags are
//! compared and indexed.

/// The key a title is compared by: trimmed, inner runs of whitespace made one
/// space, lowercased. Wiki page titles are unique per garden under this key,
/// and a link `[[wiki  Page]]` finds the page "Wiki page".
pub fn normalise_title(title: &str) -> String {
    let mut out = String::with_capacity(title.len());
    for word in title.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(word.chars().flat_map(char::to_lowercase));
    }
    out
}

/// The key a tag is compared by: without a leading `#`, trimmed, lowercased,
/// without empty path segments (`#a//b/` is `a/b`).
pub fn normalise_tag(tag: &str) -> String {
    let tag = tag.trim().trim_start_matches('#');
    let mut out = String::with_capacity(tag.len());
    for segment in tag.split('/').map(str::trim).filter(|s| !s.is_empty()) {
        if !out.is_empty() {
            out.push('/');
        }
        out.extend(segment.chars().flat_map(char::to_lowercase));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles() {
        let check = |input: &str, expected: &str| assert_eq!(normalise_title(input), expected);
        check("Welcome", "welcome");
        check("  Wiki   Page\t", "wiki page");
        check("Ünïcode Straße", "ünïcode straße");
        check("", "");
    }

    #[test]
    fn tags() {
        let check = |input: &str, expected: &str| assert_eq!(normalise_tag(input), expected);
        check("#Rust", "rust");
        check("project/Loam", "project/loam");
        check("#a//b/", "a/b");
    }
}
