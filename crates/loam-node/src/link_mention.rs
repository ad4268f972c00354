//! "Link it": turning an unlinked mention of a title into a `[[link]]`,
//! what the desktop app offers beside each unlinked mention.

use loam_core::DocId;

use crate::{Garden, NodeError};

impl Garden {
    /// Make the first unlinked mention of `target`'s title (or one of its
    /// aliases) in `source` a link to it: `[[Title]]` when the words are
    /// the title as written, else `[[Title|words]]` so the text reads the
    /// same. Stored before this returns. False when `source` mentions it
    /// nowhere outside links and code.
    pub fn link_mention(&self, source: DocId, target: DocId) -> Result<bool, NodeError> {
        self.flush()?;
        let (title, aliases, text) = {
            let state = self.lock();
            let row = state
                .store
                .doc(target)?
                .ok_or(NodeError::UnknownDoc(target))?;
            let text = state
                .store
                .text(source)?
                .ok_or(NodeError::UnknownDoc(source))?;
            (row.title, row.aliases, text)
        };
        let phrases = std::iter::once(&title).chain(aliases.iter());
        for phrase in phrases.filter(|p| !p.trim().is_empty()) {
            let Some(found) = loam_markdown::find_mentions(&text, phrase)
                .into_iter()
                .next()
            else {
                continue;
            };
            let words = &text[found.clone()];
            let link = if words == title {
                format!("[[{title}]]")
            } else {
                format!("[[{title}|{words}]]")
            };
            let mut linked = String::with_capacity(text.len() + link.len());
            linked.push_str(&text[..found.start]);
            linked.push_str(&link);
            linked.push_str(&text[found.end..]);
            self.replace_text(source, &linked)?;
            return Ok(true);
        }
        Ok(false)
    }
}

#[cfg(test)]
mod tests {
    use loam_core::NewDoc;

    use crate::Node;

    #[test]
    fn a_mention_becomes_a_link() {
        let dir = tempfile::tempdir().unwrap();
        let node = Node::open(dir.path()).unwrap();
        let garden = node.create_garden("G").unwrap();
        let soil = garden.create(NewDoc::page("Soil", "")).unwrap();
        let check = |body: &str, expected: Option<&str>| {
            let source = garden.create(NewDoc::note("Heap", body)).unwrap();
            let linked = garden.link_mention(source, soil).unwrap();
            assert_eq!(linked, expected.is_some(), "{body}");
            let text = garden.note(source).unwrap().text;
            assert_eq!(text, expected.unwrap_or(body));
            if linked {
                assert!(garden.unlinked_mentions(soil).unwrap().is_empty());
                assert_eq!(garden.backlinks(soil).unwrap().len(), 1);
            }
            garden.archive(source).unwrap();
        };
        check("Good Soil here", Some("Good [[Soil]] here"));
        check(
            "good soil, more soil",
            Some("good [[Soil|soil]], more soil"),
        );
        check("`soil` in code only", None);
        check("no mention", None);
    }
}
