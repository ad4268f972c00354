//! YAML frontmatter: finding the block and reading the fields Loam indexes.
//!
//! The block is recognised the way Obsidian does: the note's first line is
//! `---`, and the block runs to the next line that is `---` (or `...`).
//! Without a closing line there is no frontmatter, and the `---` is ordinary
//! markdown. The block stays verbatim in the note; the renderer shows nothing
//! for a valid block, and shows an invalid one as a code block so the author
//! sees what to fix.
//!
//! The YAML is read through yaml-rust2's event parser rather than loaded into
//! a document tree: only top-level scalars and lists of scalars matter, and
//! aliases are never expanded, so no frontmatter can blow up in size or
//! depth.

use std::ops::Range;

use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::scanner::TScalarStyle;

use crate::Frontmatter;

/// Where the frontmatter block is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Block {
    /// The block, from the opening `---` to the end of the closing line
    /// (its line break excluded).
    pub range: Range<usize>,
    /// The YAML between the delimiter lines.
    pub content: Range<usize>,
    /// Where the markdown after the block starts.
    pub body_start: usize,
}

/// Find the frontmatter block at the start of `markdown`. Linear in the
/// block's length.
pub(crate) fn split(markdown: &str) -> Option<Block> {
    let start = if markdown.starts_with('\u{feff}') {
        3
    } else {
        0
    };
    let (first, mut next) = line_at(markdown, start);
    if !is_delimiter(first, false) {
        return None;
    }
    let content_start = next?;
    let mut line_start = content_start;
    loop {
        let (line, after) = line_at(markdown, line_start);
        if is_delimiter(line, true) {
            let line_end = line_start + line.trim_end_matches('\r').len();
            return Some(Block {
                range: 0..line_end,
                content: content_start..line_start,
                body_start: after.unwrap_or(markdown.len()),
            });
        }
        next = after;
        line_start = next?;
    }
}

/// The line starting at `start` (without its `\n`) and where the next line
/// starts, if there is one.
fn line_at(text: &str, start: usize) -> (&str, Option<usize>) {
    let rest = text.get(start..).unwrap_or("");
    match rest.find('\n') {
        Some(nl) => (&rest[..nl], Some(start + nl + 1)),
        None => (rest, None),
    }
}

fn is_delimiter(line: &str, closing: bool) -> bool {
    let line = line.trim_end_matches([' ', '\t', '\r']);
    line == "---" || (closing && line == "...")
}

/// Read the indexed fields of the block's YAML. The error is a warning for
/// the author, with the line number in the note.
pub(crate) fn parse(markdown: &str, block: &Block) -> Result<Frontmatter, String> {
    let yaml = markdown.get(block.content.clone()).unwrap_or("");
    // The YAML's first line is the note's second line (after `---`).
    let line_offset = markdown
        .get(..block.content.start)
        .map_or(1, |before| before.matches('\n').count());
    let mut fields = Fields::default();
    read(yaml, &mut fields).map_err(|error| match error {
        ReadError::Yaml { line, info } => {
            format!("invalid frontmatter at line {}: {info}", line + line_offset)
        }
        ReadError::NotAMap => "frontmatter is not a list of `key: value` lines".to_owned(),
    })?;
    Ok(Frontmatter {
        title: fields.title,
        tags: dedupe_tags(fields.tags),
        aliases: fields.aliases,
        range: block.range.clone(),
    })
}

#[derive(Debug, Default)]
struct Fields {
    title: Option<String>,
    tags: Vec<String>,
    aliases: Vec<String>,
}

#[derive(Debug)]
enum ReadError {
    Yaml { line: usize, info: String },
    NotAMap,
}

/// Which field a top-level key names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Key {
    Title,
    Tags,
    Aliases,
    Other,
}

impl Key {
    fn of(name: &str) -> Key {
        match name.trim().to_lowercase().as_str() {
            "title" => Key::Title,
            "tags" | "tag" => Key::Tags,
            "aliases" | "alias" => Key::Aliases,
            _ => Key::Other,
        }
    }
}

/// Walks the event stream with an explicit depth counter: depth 1 is the
/// top-level map, where keys and values alternate; a list value's scalars
/// are at depth 2; anything deeper is skipped.
fn read(yaml: &str, fields: &mut Fields) -> Result<(), ReadError> {
    let mut parser = Parser::new_from_str(yaml);
    let mut depth = 0usize;
    // At depth 1: the key whose value comes next, or None when a key comes next.
    let mut key: Option<Key> = None;
    // The key of the list being read at depth 2.
    let mut list: Option<Key> = None;
    loop {
        let (event, _) = parser.next_token().map_err(|e| ReadError::Yaml {
            line: e.marker().line(),
            info: e.info().to_owned(),
        })?;
        match event {
            Event::StreamEnd => break,
            Event::StreamStart | Event::DocumentStart | Event::DocumentEnd | Event::Nothing => {}
            Event::MappingStart(..) | Event::SequenceStart(..) => {
                match depth {
                    0 if matches!(event, Event::MappingStart(..)) => {}
                    0 => return Err(ReadError::NotAMap),
                    1 => match key.take() {
                        // A complex key: skip it and its value.
                        None => key = Some(Key::Other),
                        Some(k) => {
                            if matches!(event, Event::SequenceStart(..)) {
                                list = Some(k);
                            }
                        }
                    },
                    _ => {}
                }
                depth += 1;
            }
            Event::MappingEnd | Event::SequenceEnd => {
                depth = depth.saturating_sub(1);
                if depth == 1 {
                    list = None;
                }
            }
            Event::Scalar(value, style, ..) => match depth {
                0 if is_null(&value, style) => {}
                0 => return Err(ReadError::NotAMap),
                1 => match key.take() {
                    None => key = Some(Key::of(&value)),
                    Some(k) if !is_null(&value, style) => fields.set(k, value),
                    Some(_) => {}
                },
                2 => {
                    if let Some(k) = list
                        && !is_null(&value, style)
                    {
                        fields.push(k, value);
                    }
                }
                _ => {}
            },
            Event::Alias(_) => {
                if depth == 1 {
                    // An alias as a key or a value: neither is expanded.
                    key = match key {
                        None => Some(Key::Other),
                        Some(_) => None,
                    };
                }
            }
        }
    }
    Ok(())
}

fn is_null(value: &str, style: TScalarStyle) -> bool {
    style == TScalarStyle::Plain && matches!(value, "" | "~" | "null" | "Null" | "NULL")
}

impl Fields {
    /// A scalar value for `key`.
    fn set(&mut self, key: Key, value: String) {
        match key {
            Key::Title => self.title = Some(value.trim().to_owned()).filter(|t| !t.is_empty()),
            Key::Tags => self.tags.extend(split_tags(&value)),
            Key::Aliases => self.push(Key::Aliases, value),
            Key::Other => {}
        }
    }

    /// One item of a list value for `key`.
    fn push(&mut self, key: Key, value: String) {
        let value = value.trim();
        match key {
            Key::Tags => {
                let tag = value.trim_start_matches('#').trim();
                if !tag.is_empty() {
                    self.tags.push(tag.to_owned());
                }
            }
            Key::Aliases if !value.is_empty() => self.aliases.push(value.to_owned()),
            _ => {}
        }
    }
}

/// `"a, #b c"` → `a`, `b`, `c`.
fn split_tags(value: &str) -> impl Iterator<Item = String> + '_ {
    value
        .split(|c: char| c == ',' || c.is_whitespace())
        .map(|t| t.trim_start_matches('#'))
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
}

/// Keep the first spelling of each tag (compared as normalised tags).
pub(crate) fn dedupe_tags(tags: Vec<String>) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    tags.into_iter()
        .filter(|tag| {
            let key = loam_core::normalise_tag(tag);
            !key.is_empty() && seen.insert(key)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use expect_test::{Expect, expect};

    use super::*;

    /// Shows the block found in `input` and what it says.
    fn check(input: &str, expected: Expect) {
        let shown = match split(input) {
            None => "no frontmatter".to_owned(),
            Some(block) => {
                let fields = match parse(input, &block) {
                    Ok(fm) => format!(
                        "title={:?} tags={:?} aliases={:?}",
                        fm.title, fm.tags, fm.aliases
                    ),
                    Err(warning) => format!("warning: {warning}"),
                };
                format!(
                    "block={:?} body={:?}\n{fields}",
                    &input[block.range.clone()],
                    &input[block.body_start..],
                )
            }
        };
        expected.assert_eq(&shown);
    }

    #[test]
    fn blocks() {
        check(
            "---\ntitle: Hello\n---\nbody\n",
            expect![[r#"
                block="---\ntitle: Hello\n---" body="body\n"
                title=Some("Hello") tags=[] aliases=[]"#]],
        );
        check(
            "---\ntitle: Dots\n...\nbody",
            expect![[r#"
                block="---\ntitle: Dots\n..." body="body"
                title=Some("Dots") tags=[] aliases=[]"#]],
        );
        check(
            "---\r\ntitle: Windows\r\n---\r\nbody",
            expect![[r#"
                block="---\r\ntitle: Windows\r\n---" body="body"
                title=Some("Windows") tags=[] aliases=[]"#]],
        );
        check(
            "---\n---\n",
            expect![[r#"
                block="---\n---" body=""
                title=None tags=[] aliases=[]"#]],
        );
        check(
            "---\ntitle: at end\n---",
            expect![[r#"
                block="---\ntitle: at end\n---" body=""
                title=Some("at end") tags=[] aliases=[]"#]],
        );
        check(
            "\u{feff}---\ntitle: bom\n---\n",
            expect![[r#"
                block="\u{feff}---\ntitle: bom\n---" body=""
                title=Some("bom") tags=[] aliases=[]"#]],
        );
        check("---\ntitle: unclosed\n", expect!["no frontmatter"]);
        check("---", expect!["no frontmatter"]);
        check("----\ntitle: x\n----\n", expect!["no frontmatter"]);
        check("text\n---\ntitle: x\n---\n", expect!["no frontmatter"]);
        check(" ---\ntitle: x\n---\n", expect!["no frontmatter"]);
        check("", expect!["no frontmatter"]);
    }

    #[test]
    fn fields() {
        check(
            "---\ntags: [a, '#b', c/d]\n---\n",
            expect![[r#"
                block="---\ntags: [a, '#b', c/d]\n---" body=""
                title=None tags=["a", "b", "c/d"] aliases=[]"#]],
        );
        check(
            "---\ntags:\n  - one\n  - Two\n  - two\n---\n",
            expect![[r#"
                block="---\ntags:\n  - one\n  - Two\n  - two\n---" body=""
                title=None tags=["one", "Two"] aliases=[]"#]],
        );
        check(
            "---\ntags: a, #b c,,d\n---\n",
            expect![[r#"
                block="---\ntags: a, #b c,,d\n---" body=""
                title=None tags=["a"] aliases=[]"#]],
        );
        check(
            "---\ntags: \"a, #b c,,d\"\n---\n",
            expect![[r#"
                block="---\ntags: \"a, #b c,,d\"\n---" body=""
                title=None tags=["a", "b", "c", "d"] aliases=[]"#]],
        );
        check(
            "---\ntag: solo\nalias: Other name\n---\n",
            expect![[r#"
                block="---\ntag: solo\nalias: Other name\n---" body=""
                title=None tags=["solo"] aliases=["Other name"]"#]],
        );
        check(
            "---\naliases: [A, B]\ntitle: 2024\nTitle: ignored? no, last wins\n---\n",
            expect![[r#"
                block="---\naliases: [A, B]\ntitle: 2024\nTitle: ignored? no, last wins\n---" body=""
                title=Some("ignored? no, last wins") tags=[] aliases=["A", "B"]"#]],
        );
        check(
            "---\ntitle: ~\ntags:\naliases: [null, ~, '', real]\n---\n",
            expect![[r#"
                block="---\ntitle: ~\ntags:\naliases: [null, ~, '', real]\n---" body=""
                title=None tags=[] aliases=["real"]"#]],
        );
        check(
            "---\nother:\n  title: nested\n  tags: [x]\nlist: [[title, y]]\ntitle: top\n---\n",
            expect![[r#"
                block="---\nother:\n  title: nested\n  tags: [x]\nlist: [[title, y]]\ntitle: top\n---" body=""
                title=Some("top") tags=[] aliases=[]"#]],
        );
        check(
            "---\nbase: &b x\ntitle: *b\n? [complex, key]\n: value\ntags: [t]\n---\n",
            expect![[r#"
                block="---\nbase: &b x\ntitle: *b\n? [complex, key]\n: value\ntags: [t]\n---" body=""
                title=None tags=["t"] aliases=[]"#]],
        );
        check(
            "---\ntitle: 日本語 🌱\ntags: [植物]\n---\n",
            expect![[r#"
                block="---\ntitle: 日本語 🌱\ntags: [植物]\n---" body=""
                title=Some("日本語 🌱") tags=["植物"] aliases=[]"#]],
        );
    }

    #[test]
    fn indented_by_a_tab() {
        check(
            "---\n\ttitle: tab\n---\n",
            expect![[r#"
                block="---\n\ttitle: tab\n---" body=""
                title=Some("tab") tags=[] aliases=[]"#]],
        );
    }

    #[test]
    fn invalid() {
        check(
            "---\ntitle: ok\ntags: [unclosed\n---\nbody",
            expect![[r#"
                block="---\ntitle: ok\ntags: [unclosed\n---" body="body"
                warning: invalid frontmatter at line 4: while parsing a flow sequence, expected ',' or ']'"#]],
        );
        check(
            "---\ntitle: a: b\n---\n",
            expect![[r#"
                block="---\ntitle: a: b\n---" body=""
                warning: invalid frontmatter at line 2: mapping values are not allowed in this context"#]],
        );
        check(
            "---\njust a sentence\n---\n",
            expect![[r#"
                block="---\njust a sentence\n---" body=""
                warning: frontmatter is not a list of `key: value` lines"#]],
        );
        check(
            "---\n- a\n- b\n---\n",
            expect![[r#"
                block="---\n- a\n- b\n---" body=""
                warning: frontmatter is not a list of `key: value` lines"#]],
        );
        check(
            "---\ntitle: \"unterminated\ntags: [a]\n---\n",
            expect![[r#"
                block="---\ntitle: \"unterminated\ntags: [a]\n---" body=""
                warning: invalid frontmatter at line 2: invalid indentation in quoted scalar"#]],
        );
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let deep = format!("---\nx: {}\n---\n", "[".repeat(10_000));
        let block = split(&deep).unwrap();
        assert!(parse(&deep, &block).is_err());
        let deep_block = format!(
            "---\n{}\n---\n",
            (0..400)
                .map(|i| format!("{}k{i}:\n", " ".repeat(i)))
                .collect::<String>()
        );
        let block = split(&deep_block).unwrap();
        let _ = parse(&deep_block, &block);
    }
}
