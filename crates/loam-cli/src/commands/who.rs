//! `loam who`: the member directory. For each member, what they
//! contributed, the tags and pages they worked on most (so you know whom to
//! ask), the pages they started and the kudos they received.

use loam_node::{ContributionKind, MemberProfile};

use crate::context::Context;

/// `loam who`
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Contributions and authorship come from signed changes, so nobody can claim another's
work. `loam who --tag TAG` lists who worked most on notes with that tag.")]
pub struct Args {
    /// One member's profile: name, id or id prefix
    member: Option<String>,
    /// Who worked most on notes tagged TAG
    #[arg(long, conflicts_with = "member")]
    tag: Option<String>,
}

pub fn run(ctx: &mut Context, args: Args) -> anyhow::Result<()> {
    let garden = ctx.garden()?;
    if let Some(member) = args.member {
        let id = garden.find_member(&member)?;
        let profile = garden.profile(id)?;
        if ctx.json() {
            return ctx.out.json(&profile);
        }
        return show(ctx, &profile);
    }
    let mut directory = garden.directory()?;
    if let Some(tag) = &args.tag {
        let tag = tag.trim_start_matches('#').to_lowercase();
        directory.retain(|p| p.top_tags.iter().any(|(t, _)| *t == tag));
        directory.sort_by_key(|p| {
            std::cmp::Reverse(
                p.top_tags
                    .iter()
                    .find(|(t, _)| *t == tag)
                    .map_or(0, |(_, n)| *n),
            )
        });
    }
    if ctx.json() {
        return ctx.out.json(&directory);
    }
    if directory.is_empty() {
        return ctx.out.line("Nobody yet.");
    }
    for p in &directory {
        let role = p.role.map_or("removed".to_owned(), |r| r.to_string());
        let tags: Vec<String> = p.top_tags.iter().map(|(t, _)| format!("#{t}")).collect();
        let docs: Vec<String> = p.top_docs.iter().map(|d| d.title.clone()).collect();
        ctx.out.line(format!(
            "{} ({role}, {})  {} contribution(s), {} kudos",
            ctx.out.style.bold(&p.name),
            ctx.out.style.dim(&p.member.short()),
            p.total,
            p.kudos_received.len()
        ))?;
        if !tags.is_empty() {
            ctx.out.line(format!("  knows: {}", tags.join(" ")))?;
        }
        if !docs.is_empty() {
            ctx.out.line(format!("  worked on: {}", docs.join(", ")))?;
        }
    }
    Ok(())
}

fn show(ctx: &mut Context, p: &MemberProfile) -> anyhow::Result<()> {
    let role = p.role.map_or("removed".to_owned(), |r| r.to_string());
    ctx.out.line(format!(
        "{} ({role}), {}",
        ctx.out.style.bold(&p.name),
        ctx.out.style.dim(&p.member.to_string())
    ))?;
    let kinds: Vec<String> = ContributionKind::ALL
        .iter()
        .filter_map(|k| {
            p.contributions
                .get(k)
                .map(|n| format!("{n} {}", k.as_str()))
        })
        .collect();
    ctx.out.line(format!(
        "Contributions: {}{}",
        p.total,
        if kinds.is_empty() {
            String::new()
        } else {
            format!(" ({})", kinds.join(", "))
        }
    ))?;
    if !p.top_tags.is_empty() {
        let tags: Vec<String> = p
            .top_tags
            .iter()
            .map(|(t, n)| format!("#{t} ({n})"))
            .collect();
        ctx.out.line(format!("Knows about: {}", tags.join(", ")))?;
    }
    if !p.top_docs.is_empty() {
        let docs: Vec<String> = p
            .top_docs
            .iter()
            .map(|d| format!("{} ({} session(s))", d.title, d.sessions))
            .collect();
        ctx.out
            .line(format!("Worked most on: {}", docs.join(", ")))?;
    }
    if !p.pages_started.is_empty() {
        let docs: Vec<String> = p.pages_started.iter().map(|d| d.title.clone()).collect();
        ctx.out
            .line(format!("Pages started: {}", docs.join(", ")))?;
    }
    ctx.out.line(format!(
        "Kudos: {} received, {} given",
        p.kudos_received.len(),
        p.kudos_given
    ))?;
    for k in &p.kudos_received {
        let message = if k.message.is_empty() {
            String::new()
        } else {
            format!(": “{}”", k.message)
        };
        ctx.out.line(format!("  from {}{message}", k.from_name))?;
    }
    Ok(())
}
