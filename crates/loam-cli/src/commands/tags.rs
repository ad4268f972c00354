//! `loam tags`: every tag with how many notes carry it, nested tags
//! (`loam/help`) shown under their parent.

use loam_node::TagCount;

use crate::context::Context;

/// `loam tags`
#[derive(Debug, clap::Args)]
pub struct Args {
    /// One tag per line with its full path, instead of a tree
    #[arg(long)]
    pub flat: bool,
}

pub fn run(ctx: &mut Context, args: Args) -> anyhow::Result<()> {
    let garden = ctx.garden()?;
    let mut tags = garden.tags()?;
    // By path segments, so that `loam/help` stays under `loam` before `loam-x`.
    tags.sort_by(|a, b| a.tag.split('/').cmp(b.tag.split('/')));
    if ctx.json() {
        return ctx.out.json(&tags);
    }
    if tags.is_empty() {
        return ctx
            .out
            .line("No tags yet: write #tag in a note, or `loam new TITLE --tag TAG`.");
    }
    let rows = if args.flat {
        tags.iter()
            .map(|t| (t.tag.clone(), Some(t.count)))
            .collect()
    } else {
        tree(&tags)
    };
    let width = rows
        .iter()
        .map(|(label, _)| label.chars().count())
        .max()
        .unwrap_or(0);
    for (label, count) in rows {
        let count = count.map(|c| c.to_string()).unwrap_or_default();
        let pad = width - label.chars().count();
        ctx.out
            .line(format!("{label}{}  {count:>4}", " ".repeat(pad)).trim_end())?;
    }
    Ok(())
}

/// Tags sorted by path segments as an indented tree: each path segment on its own line under
/// its parent, with the count where a tag ends (a parent nobody uses on its
/// own has none).
fn tree(tags: &[TagCount]) -> Vec<(String, Option<u64>)> {
    let mut rows: Vec<(String, Option<u64>)> = Vec::new();
    let mut open: Vec<&str> = Vec::new();
    for tag in tags {
        let segments: Vec<&str> = tag.tag.split('/').collect();
        let shared = open
            .iter()
            .zip(&segments)
            .take_while(|(a, b)| a == b)
            .count();
        open.truncate(shared);
        for (depth, segment) in segments.iter().enumerate().skip(shared) {
            let leaf = depth + 1 == segments.len();
            rows.push((
                format!("{}{segment}", "  ".repeat(depth)),
                leaf.then_some(tag.count),
            ));
            open.push(segment);
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_tags_form_a_tree() {
        let tags: Vec<TagCount> = [
            ("compost", 2),
            ("loam", 1),
            ("loam/help", 5),
            ("loam-x", 1),
            ("projects/garden/beds", 1),
            ("projects/garden/paths", 3),
        ]
        .into_iter()
        .map(|(tag, count)| TagCount {
            tag: tag.to_owned(),
            count,
        })
        .collect();
        let rows: Vec<String> = tree(&tags)
            .into_iter()
            .map(|(label, count)| {
                format!(
                    "{label} {}",
                    count.map(|c| c.to_string()).unwrap_or_default()
                )
            })
            .collect();
        let expected = [
            "compost 2",
            "loam 1",
            "  help 5",
            "loam-x 1",
            "projects ",
            "  garden ",
            "    beds 1",
            "    paths 3",
        ];
        assert_eq!(rows, expected);
    }
}
