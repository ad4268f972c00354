//! Sync with other members: `loam serve`, `loam sync --once`, `loam invite`,
//! `loam join`, `loam peers` and `loam status`.

use std::net::SocketAddr;
use std::time::Duration;

use loam_node::network::{
    Bind, InviteTicket, NetConfig, NetEvent, Network, PeerSync, RelayChoice, invite_ticket,
    saved_addr,
};
use loam_node::{Node, Role};
use serde::Serialize;

use crate::context::Context;
use crate::errors::{Exit, Failure};

/// Network options shared by the commands that go online.
#[derive(Debug, Clone, clap::Args)]
pub struct NetArgs {
    /// Listen on this address (repeatable; port 0 = any free port)
    #[arg(long, value_name = "ADDR")]
    bind: Vec<SocketAddr>,
    /// Use this self-hosted iroh relay instead of the public ones
    #[arg(long, value_name = "URL", conflicts_with = "no_relay")]
    relay: Option<String>,
    /// No relay: reach peers on the LAN and by direct address only
    #[arg(long)]
    no_relay: bool,
    /// Do not look for peers on the LAN (mDNS)
    #[arg(long)]
    no_mdns: bool,
}

const NET_HELP: &str = "\
Network: by default Loam finds members on the LAN (mDNS) and reaches others over the
internet through iroh relays and DNS address lookup. LOAM_NET=loopback keeps everything
on 127.0.0.1 (no relay, no DNS, no mDNS): for local trials and tests.";

impl NetArgs {
    fn config(&self) -> anyhow::Result<NetConfig> {
        let mut config = NetConfig::default();
        if !self.bind.is_empty() {
            config.bind = Bind::Addrs(self.bind.clone());
        }
        if let Some(url) = &self.relay {
            config.relay = RelayChoice::Custom(url.clone());
        }
        if self.no_relay {
            config.relay = RelayChoice::Disabled;
            config.dns_lookup = false;
        }
        if self.no_mdns {
            config.mdns = false;
        }
        Ok(NetConfig::from_env(config)?)
    }

    fn start(&self, ctx: &Context) -> anyhow::Result<Network> {
        let node = ctx.shared_node()?.clone();
        Ok(Network::start(node, self.config()?)?)
    }
}

/// `loam serve`
#[derive(Debug, clap::Args)]
#[command(after_help = format!("\
Stays online and keeps every garden you hold in sync with the members it knows: changes
made here (by `loam edit`, the app) reach connected peers as they are stored, and theirs
arrive here. Logs peer events to standard error; stops cleanly on Ctrl-C or SIGTERM.

{NET_HELP}"))]
pub struct ServeArgs {
    #[command(flatten)]
    net: NetArgs,
}

/// `loam sync`
#[derive(Debug, clap::Args)]
#[command(after_help = format!("\
Connects to the members this garden knows, exchanges what differs, prints what happened
and exits. Exit code 69 when no peer could be reached.

{NET_HELP}"))]
pub struct SyncArgs {
    /// Sync once and exit (the only mode; `loam serve` stays online)
    #[arg(long, default_value_t = true)]
    once: bool,
    /// Give up on a peer after this many seconds
    #[arg(long, default_value_t = 30, value_name = "SECONDS")]
    timeout: u64,
    #[command(flatten)]
    net: NetArgs,
}

/// `loam invite`
#[derive(Debug, clap::Args)]
#[command(after_help = "\
Prints a ticket (loam1…) to give to the person you invite; they run `loam join TICKET`.
The ticket holds a one-time secret: share it privately. It reaches you at the address
your last `loam serve` listened on, so keep `loam serve` running (or any other member
online) until they have joined. Facilitators only.")]
pub struct InviteArgs {
    /// The role the newcomer gets
    #[arg(long, value_enum, default_value_t = RoleArg::Member)]
    role: RoleArg,
    /// How long the invite works: 30m, 12h, 7d (default: 7d; `never` for no expiry)
    #[arg(long, default_value = "7d", value_name = "DURATION")]
    expires: String,
    /// How many people may join with it
    #[arg(long, default_value_t = 1)]
    uses: u32,
    /// Also print the ticket in the QR-friendly form (uppercase)
    #[arg(long)]
    qr: bool,
}

/// `loam join`
#[derive(Debug, clap::Args)]
#[command(after_help = format!("\
Redeems an invite ticket: reaches the member who invited you, is admitted, and receives
the garden. The garden becomes your default if you had none.

{NET_HELP}"))]
pub struct JoinArgs {
    /// The ticket (loam1…)
    ticket: String,
    /// Give up after this many seconds
    #[arg(long, default_value_t = 60, value_name = "SECONDS")]
    timeout: u64,
    #[command(flatten)]
    net: NetArgs,
}

/// `loam peers`
#[derive(Debug, clap::Args)]
pub struct PeersArgs {}

/// `loam status`
#[derive(Debug, clap::Args)]
pub struct StatusArgs {}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum RoleArg {
    Member,
    Reader,
    Facilitator,
}

impl From<RoleArg> for Role {
    fn from(role: RoleArg) -> Self {
        match role {
            RoleArg::Member => Role::Member,
            RoleArg::Reader => Role::Reader,
            RoleArg::Facilitator => Role::Facilitator,
        }
    }
}

/// `30m`, `12h`, `7d`, `90s`; `never` is `None`.
fn parse_duration(text: &str) -> anyhow::Result<Option<Duration>> {
    let text = text.trim();
    if text.eq_ignore_ascii_case("never") {
        return Ok(None);
    }
    let bad = || {
        Failure::new(format!("`{text}` is not a duration"), Exit::Usage)
            .with_hint("use a number and a unit: 90s, 30m, 12h, 7d, or `never`")
    };
    let split = text.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?;
    let (number, unit) = text.split_at(split);
    let n: u64 = number.parse().map_err(|_| bad())?;
    let secs = match unit {
        "s" => n,
        "m" => n.saturating_mul(60),
        "h" => n.saturating_mul(3600),
        "d" => n.saturating_mul(86_400),
        _ => return Err(bad().into()),
    };
    if secs == 0 {
        return Err(bad().into());
    }
    Ok(Some(Duration::from_secs(secs)))
}

/// `loam invite`
pub fn invite(ctx: &mut Context, args: InviteArgs) -> anyhow::Result<()> {
    let expires = parse_duration(&args.expires)?;
    if args.uses == 0 {
        return Err(Failure::new("an invite needs at least one use", Exit::Usage).into());
    }
    let garden = ctx.garden()?;
    if !garden.shareable() {
        return Err(Failure::new(
            format!(
                "garden `{}` was made before sharing existed and cannot be shared",
                garden.name()
            ),
            Exit::DataErr,
        )
        .with_hint("export it and import it into a new garden to share it")
        .into());
    }
    let node = ctx.shared_node()?.clone();
    let inviter = match saved_addr(&node) {
        Some(addr) => addr,
        None => {
            // Never online yet: bind once to learn (and keep) our address.
            let net = NetArgs {
                bind: Vec::new(),
                relay: None,
                no_relay: false,
                no_mdns: true,
            }
            .start(ctx)?;
            let addr = net.addr()?;
            net.shutdown();
            addr
        }
    };
    let role: Role = args.role.into();
    let invite = garden.invite(role, expires, args.uses)?;
    let ticket = invite_ticket(&garden, &invite, inviter);
    if ctx.json() {
        #[derive(Serialize)]
        struct Out<'a> {
            ticket: String,
            qr: String,
            garden: &'a str,
            role: Role,
            uses: u32,
            expires_ms: Option<i64>,
        }
        return ctx.out.json(&Out {
            ticket: ticket.to_string(),
            qr: ticket.to_qr_string(),
            garden: garden.name(),
            role,
            uses: args.uses,
            expires_ms: ticket.expires_ms,
        });
    }
    ctx.out.line(ticket.to_string())?;
    if args.qr {
        ctx.out.line(ticket.to_qr_string())?;
    }
    let until = match expires {
        Some(_) => format!("for {}", args.expires.trim()),
        None => "with no expiry".to_owned(),
    };
    eprintln!(
        "Invite to `{}` as {role}, {until}, {} use{}. They run: loam join <ticket>",
        garden.name(),
        args.uses,
        if args.uses == 1 { "" } else { "s" }
    );
    if saved_addr(&node).is_some_and(|a| a.direct.is_empty() && a.relay.is_none()) {
        eprintln!("note: no address is known for you yet; run `loam serve` so they can reach you");
    }
    Ok(())
}

/// `loam join`
pub fn join(ctx: &mut Context, args: JoinArgs) -> anyhow::Result<()> {
    let ticket: InviteTicket = args.ticket.parse().map_err(|e| {
        Failure::new(format!("{e}"), Exit::DataErr)
            .with_hint("ask for the ticket again and copy all of it")
    })?;
    let net = args.net.start(ctx)?;
    let report = net.join(&ticket, Duration::from_secs(args.timeout));
    net.shutdown();
    let report = report?;
    let node = ctx.node()?;
    if node.default_garden().is_err() {
        let _ = node.set_default_garden(report.garden);
    }
    // Every newcomer is shown that the garden has guidelines on joining.
    let guidelines = node
        .garden_by_id(report.garden)
        .and_then(|g| g.guidelines())
        .ok();
    if ctx.json() {
        return ctx.out.json(&report);
    }
    ctx.out.line(format!(
        "Joined `{}` as {} ({} document{} received).",
        report.name,
        report.role,
        report.docs,
        if report.docs == 1 { "" } else { "s" }
    ))?;
    if let Some(g) = guidelines.filter(|g| g.needs_ack) {
        ctx.out.line(format!(
            "This garden has guidelines (version {}): read them with `loam guidelines`, then `loam guidelines ack`.",
            g.version
        ))?;
    }
    ctx.out
        .line("Run `loam serve` to stay in sync, or `loam sync` now and then.")
}

/// `loam sync --once`
pub fn sync(ctx: &mut Context, args: SyncArgs) -> anyhow::Result<()> {
    let _ = args.once;
    let net = args.net.start(ctx)?;
    let report = net.sync_once(Duration::from_secs(args.timeout));
    net.shutdown();
    let report = report?;
    if ctx.json() {
        return ctx.out.json(&report);
    }
    if report.is_empty() {
        ctx.out
            .line("No peers known yet: join a garden with a ticket, or invite someone.")?;
        return Ok(());
    }
    for peer in &report {
        ctx.out.line(describe(peer))?;
    }
    if report.iter().all(|p| !p.ok) {
        return Err(Failure::new("no peer could be synced with", Exit::Unavailable).into());
    }
    Ok(())
}

fn describe(peer: &PeerSync) -> String {
    let who = peer
        .name
        .clone()
        .unwrap_or_else(|| peer.member.to_string()[..8].to_owned());
    if peer.ok {
        format!(
            "{who}: in sync ({} document{} exchanged, {} B in, {} B out)",
            peer.docs_synced,
            if peer.docs_synced == 1 { "" } else { "s" },
            peer.bytes_in,
            peer.bytes_out
        )
    } else {
        format!("{who}: {}", peer.detail)
    }
}

/// `loam serve`
pub fn serve(ctx: &mut Context, args: ServeArgs) -> anyhow::Result<()> {
    let net = args.net.start(ctx)?;
    let node = ctx.node()?;
    let addr = net.addr()?;
    let gardens = node.gardens()?;
    let mut events = net.subscribe();
    net.keep_connected()?;
    let direct: Vec<String> = addr.direct.iter().map(ToString::to_string).collect();
    eprintln!(
        "loam serve: {} garden{} as {}, listening on {}",
        gardens.len(),
        if gardens.len() == 1 { "" } else { "s" },
        node.member_id(),
        if direct.is_empty() {
            "(relay only)".to_owned()
        } else {
            direct.join(", ")
        }
    );
    net.run_until_signal(Duration::from_millis(200), |net| {
        while let Ok(event) = events.try_recv() {
            eprintln!("{}", log_line(&event));
        }
        write_status(node, net);
    })?;
    eprintln!("loam serve: shutting down");
    net.shutdown();
    remove_status(node);
    Ok(())
}

fn log_line(event: &NetEvent) -> String {
    let short = |m: &loam_node::MemberId| m.to_string()[..8].to_owned();
    match event {
        NetEvent::Connected {
            member,
            outgoing,
            path,
            ..
        } => format!(
            "peer {} connected ({}, {path})",
            short(member),
            if *outgoing { "dialled" } else { "incoming" }
        ),
        NetEvent::Disconnected {
            member,
            reason,
            bytes,
            ..
        } => format!(
            "peer {} left: {reason} ({} B in, {} B out)",
            short(member),
            bytes.0,
            bytes.1
        ),
        NetEvent::Refused { member, reason } => {
            format!("refused {}: {reason}", short(member))
        }
        NetEvent::Unreachable { member, reason } => {
            format!("cannot reach {}: {reason}", short(member))
        }
        NetEvent::FoundOnLan { member, addr, .. } => {
            format!("found {} on the LAN at {addr}", short(member))
        }
        _ => format!("{event:?}"),
    }
}

const STATUS_FILE: &str = "status.json";

#[derive(Debug, Serialize, serde::Deserialize)]
struct StatusFile {
    pid: u32,
    updated_ms: i64,
    addr: Vec<String>,
    peers: Vec<serde_json::Value>,
}

fn write_status(node: &Node, net: &Network) {
    let status = StatusFile {
        pid: std::process::id(),
        updated_ms: crate::when::now(),
        addr: net
            .addr()
            .map(|a| a.direct.iter().map(ToString::to_string).collect())
            .unwrap_or_default(),
        peers: net
            .peers()
            .into_iter()
            .filter_map(|p| serde_json::to_value(p).ok())
            .collect(),
    };
    if let Ok(json) = serde_json::to_string_pretty(&status) {
        let path = node.data_dir().join(STATUS_FILE);
        let tmp = path.with_extension("json.tmp");
        if std::fs::write(&tmp, json).is_ok() {
            let _ = std::fs::rename(tmp, path);
        }
    }
}

fn remove_status(node: &Node) {
    let _ = std::fs::remove_file(node.data_dir().join(STATUS_FILE));
}

/// `loam peers`: the members this garden knows how to reach.
pub fn peers(ctx: &mut Context, _args: PeersArgs) -> anyhow::Result<()> {
    let garden = ctx.garden()?;
    let peers = garden.peer_list()?;
    if ctx.json() {
        return ctx.out.json(&peers);
    }
    if peers.is_empty() {
        return ctx.out.line("No peers known yet.");
    }
    for p in peers {
        let when = p.last_sync.map_or_else(
            || "never synced".to_owned(),
            |t| format!("last sync {}", crate::when::ago(t, crate::when::now())),
        );
        ctx.out.line(format!(
            "{:<16} {}  {}  {when}",
            p.name.unwrap_or_else(|| "?".into()),
            &p.member.to_string()[..8],
            p.addr
        ))?;
    }
    Ok(())
}

/// `loam status`: what a running `loam serve` reports.
pub fn status(ctx: &mut Context, _args: StatusArgs) -> anyhow::Result<()> {
    let node = ctx.node()?;
    let path = node.data_dir().join(STATUS_FILE);
    let status: Option<StatusFile> = std::fs::read_to_string(&path)
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .filter(|s: &StatusFile| crate::when::now() - s.updated_ms < 5_000);
    if ctx.json() {
        return ctx.out.json(&serde_json::json!({
            "online": status.is_some(),
            "updated_ms": status.as_ref().map(|s| s.updated_ms),
            "listening": status.as_ref().map(|s| s.addr.clone()),
            "peers": status.as_ref().map(|s| s.peers.clone()).unwrap_or_default(),
        }));
    }
    let Some(status) = status else {
        return ctx
            .out
            .line("Offline: no `loam serve` is running for this data directory.");
    };
    ctx.out.line(format!(
        "Online (loam serve, pid {}), listening on {}",
        status.pid,
        status.addr.join(", ")
    ))?;
    if status.peers.is_empty() {
        return ctx.out.line("No peers connected.");
    }
    for p in &status.peers {
        let member = p["member"].as_str().unwrap_or("?");
        ctx.out.line(format!(
            "  {} {} {} {}",
            &member[..member.len().min(8)],
            p["path"].as_str().unwrap_or("?"),
            if p["in_sync"].as_bool() == Some(true) {
                "in sync"
            } else {
                "syncing"
            },
            format_args!("{} B in / {} B out", p["bytes_in"], p["bytes_out"])
        ))?;
    }
    Ok(())
}
