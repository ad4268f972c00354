//! `loam search`: full-text search, best matches first, the matching words
//! highlighted.

use loam_node::SearchQuery;

use crate::context::Context;

const QUERY_HELP: &str = "\
Query syntax:
  compost soil        notes with both words (in any order)
  \"reading list\"      the phrase (an argument with a space is a phrase too)
  facilit*            words starting with facilit
  tag:workshop        only notes tagged #workshop (nested tags included)
  kind:page           only pages (kind:note: only notes)
  -word, -\"a b\"       leave out notes with the word or phrase (-tag:x: without the tag);
                      put the query after `--` so that -word is not an option:
                      loam search -- compost -lime

Titles count more than text. Archived notes are left out unless --archived.";

/// `loam search QUERY...`
#[derive(Debug, clap::Args)]
#[command(after_help = QUERY_HELP)]
pub struct Args {
    /// Words, "phrases", prefix*, tag:TAG, kind:note|page
    #[arg(required = true, value_name = "QUERY")]
    pub query: Vec<String>,
    /// Show at most N results
    #[arg(long, short = 'n', value_name = "N", default_value_t = 20)]
    pub limit: usize,
    /// Search archived notes and pages too
    #[arg(long)]
    pub archived: bool,
}

pub fn run(ctx: &mut Context, args: Args) -> anyhow::Result<()> {
    let garden = ctx.garden()?;
    let text = query_text(&args.query);
    let query = SearchQuery {
        text: text.clone(),
        limit: args.limit,
        include_archived: args.archived,
    };
    let hits = garden.search(&query)?;
    if ctx.json() {
        return ctx.out.json(&hits);
    }
    if hits.is_empty() {
        return ctx.out.line(format!("No matches for {text}."));
    }
    let style = ctx.out.style;
    for (i, hit) in hits.iter().enumerate() {
        if i > 0 {
            ctx.out.blank()?;
        }
        let row = &hit.row;
        let place = if row.folder.is_empty() {
            row.kind.to_string()
        } else {
            format!("{}, {}", row.kind, row.folder)
        };
        let title = style.highlight_bold(&row.title, &ranges(&hit.title_highlights));
        ctx.out.line(format!("{title}  {}", style.dim(&place)))?;
        if !hit.snippet.is_empty() {
            ctx.out.line(format!(
                "    {}",
                style.highlight(&hit.snippet, &ranges(&hit.highlights))
            ))?;
        }
    }
    Ok(())
}

fn ranges(pairs: &[(usize, usize)]) -> Vec<std::ops::Range<usize>> {
    pairs.iter().map(|&(start, end)| start..end).collect()
}

/// The arguments as one query. The shell has eaten the quotes of
/// `loam search "reading list"`, so an argument with a space in it becomes
/// a phrase again.
fn query_text(args: &[String]) -> String {
    let parts: Vec<String> = args
        .iter()
        .map(|arg| {
            let arg = arg.trim();
            if arg.contains(char::is_whitespace) && !arg.contains('"') && !arg.contains(':') {
                format!("\"{arg}\"")
            } else {
                arg.to_owned()
            }
        })
        .filter(|arg| !arg.is_empty())
        .collect();
    parts.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_make_a_query() {
        let check = |args: &[&str], expected: &str| {
            let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
            assert_eq!(query_text(&args), expected);
        };
        check(&["compost", "soil"], "compost soil");
        check(&["reading list"], "\"reading list\"");
        check(&["\"reading list\" soil"], "\"reading list\" soil");
        check(&["tag:workshop", "ideas"], "tag:workshop ideas");
        check(&["facilit*"], "facilit*");
    }
}
