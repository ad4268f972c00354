//! Heading anchors: the `id` a rendered heading gets and the fragment a
//! `[[Title#Heading]]` link points at.

use std::collections::HashMap;

/// `Heading Text!` → `heading-text`: lowercase letters and digits (any
/// script), `_` and `-` kept; runs of anything else become one `-`.
pub(crate) fn slug(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut dash = false;
    for c in text.chars() {
        if c.is_alphanumeric() || c == '_' {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.extend(c.to_lowercase());
        } else {
            dash = true;
        }
    }
    if out.is_empty() {
        out.push_str("section");
    }
    out
}

/// Hands out unique ids in document order: the second `Intro` is `intro-1`.
#[derive(Debug, Default)]
pub(crate) struct Slugs {
    seen: HashMap<String, usize>,
}

impl Slugs {
    pub(crate) fn unique(&mut self, text: &str) -> String {
        let base = slug(text);
        let mut candidate = base.clone();
        loop {
            let count = self.seen.entry(candidate.clone()).or_insert(0);
            *count += 1;
            if *count == 1 {
                return candidate;
            }
            candidate = format!("{base}-{}", *count - 1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        let check = |input: &str, expected: &str| assert_eq!(slug(input), expected);
        check("Heading", "heading");
        check("  Two  Words! ", "two-words");
        check("a -- b", "a-b");
        check("snake_case", "snake_case");
        check("Ünïcode Straße", "ünïcode-straße");
        check("日本語の見出し", "日本語の見出し");
        check("🌱", "section");
        check("", "section");
    }

    #[test]
    fn unique() {
        let mut slugs = Slugs::default();
        let ids: Vec<_> = ["Intro", "intro", "Intro-1", "Intro"]
            .iter()
            .map(|t| slugs.unique(t))
            .collect();
        assert_eq!(ids, ["intro", "intro-1", "intro-1-1", "intro-2"]);
    }
}
