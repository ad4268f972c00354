//! `loam whoami`: this install's member id and display name, and
//! `--set-name` to change the name.

use serde::Serialize;

use crate::context::Context;

/// `loam whoami [--set-name NAME]`
#[derive(Debug, clap::Args)]
#[command(after_help = "\
The member id is the public key of the identity kept in `identity.key` in the data
directory (readable by you only; Loam refuses a key file others can read). Every
change you make carries it; `loam history` shows your name beside your changes.")]
pub struct Args {
    /// Set the name shown beside your changes ("" removes it)
    #[arg(long, value_name = "NAME")]
    pub set_name: Option<String>,
}

#[derive(Debug, Serialize)]
struct WhoAmI {
    member_id: loam_node::MemberId,
    short: String,
    name: Option<String>,
    key_file: std::path::PathBuf,
}

pub fn run(ctx: &mut Context, args: Args) -> anyhow::Result<()> {
    let node = ctx.node()?;
    if let Some(name) = &args.set_name {
        node.set_display_name(name)?;
    }
    let me = WhoAmI {
        member_id: node.member_id(),
        short: node.member_id().short(),
        name: node.display_name(),
        key_file: node.data_dir().join(loam_node::identity::IDENTITY_FILE),
    };
    if ctx.json() {
        return ctx.out.json(&me);
    }
    let style = ctx.out.style;
    let name = match &me.name {
        Some(name) => style.bold(name),
        None => style.dim("(no name: set one with `loam whoami --set-name NAME`)"),
    };
    ctx.out.line(format!("name       {name}"))?;
    ctx.out.line(format!("member id  {}", me.member_id))?;
    ctx.out.line(format!(
        "key file   {}",
        style.dim(&me.key_file.display().to_string())
    ))
}
