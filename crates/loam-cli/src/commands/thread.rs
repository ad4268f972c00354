//! `loam thread …`: discussion on pages and notes. Threads and questions
//! (prompts answered by a note), comments and replies with @mentions,
//! resolution; the lists of unresolved threads and unanswered questions.

use std::collections::HashMap;

use loam_node::{MemberId, Thread};

use crate::context::Context;
use crate::people::{name_of, names};
use crate::resolve::resolve;
use crate::when;

/// `loam thread`
#[derive(Debug, clap::Args)]
#[command(after_help = "\
THREAD and COMMENT are ids as `loam thread list` and `loam thread show` print them (or
their first 4+ characters). Mention a member with @name in any text. Readers read
threads but cannot write in them.")]
pub struct Args {
    #[command(subcommand)]
    command: ThreadCommand,
}

#[derive(Debug, clap::Subcommand)]
enum ThreadCommand {
    /// List threads (of one note or page, or all)
    List {
        /// Only threads on this note or page
        note: Option<String>,
        /// Only unresolved threads
        #[arg(long)]
        unresolved: bool,
        /// Only questions
        #[arg(long)]
        questions: bool,
        /// Only questions nobody answered yet
        #[arg(long)]
        unanswered: bool,
    },
    /// Open a thread on a note or page (--question: a prompt answered by a note)
    Open {
        /// The note or page
        note: String,
        /// The subject
        #[arg(long)]
        title: String,
        /// The opening text
        #[arg(long, default_value = "")]
        text: String,
        /// Make it a question
        #[arg(long)]
        question: bool,
    },
    /// Show a thread with its comments and answers
    Show {
        /// The thread
        thread: String,
    },
    /// Comment on a thread, or reply to a comment in it
    Comment {
        /// The thread
        thread: String,
        /// The comment
        text: String,
        /// Reply to this comment
        #[arg(long, value_name = "COMMENT")]
        reply_to: Option<String>,
    },
    /// Resolve a thread (its author or a facilitator); --reopen to undo
    Resolve {
        /// The thread
        thread: String,
        /// Reopen it instead
        #[arg(long)]
        reopen: bool,
    },
    /// Answer a question with a note
    Answer {
        /// The question (a thread)
        question: String,
        /// The note that answers it
        note: String,
        /// A word about the answer
        #[arg(long, default_value = "")]
        text: String,
    },
    /// Where a member (default: you) was @mentioned
    Mentions {
        /// The member: name, id or id prefix
        member: Option<String>,
    },
}

pub fn run(ctx: &mut Context, args: Args) -> anyhow::Result<()> {
    let garden = ctx.garden()?;
    let names = names(&garden)?;
    match args.command {
        ThreadCommand::List {
            note,
            unresolved,
            questions,
            unanswered,
        } => {
            let doc = note.map(|n| resolve(&garden, &n)).transpose()?;
            let list: Vec<Thread> = if unanswered {
                garden.unanswered_questions()?
            } else if unresolved {
                garden.unresolved_threads()?
            } else {
                garden.threads(doc)?
            };
            let list: Vec<Thread> = list
                .into_iter()
                .filter(|t| doc.is_none_or(|d| t.doc == d))
                .filter(|t| !questions || t.question)
                .collect();
            if ctx.json() {
                return ctx.out.json(&list);
            }
            if list.is_empty() {
                return ctx.out.line("No threads.");
            }
            let now = when::now();
            for t in &list {
                let title = garden
                    .note(t.doc)
                    .map_or_else(|_| t.doc.to_string(), |n| n.row.title);
                let state = match (t.question, t.resolved.is_some(), t.answers.len()) {
                    (_, true, _) => "resolved".to_owned(),
                    (true, false, 0) => "unanswered".to_owned(),
                    (true, false, n) => format!("{n} answer(s)"),
                    (false, false, _) => "open".to_owned(),
                };
                let kind = if t.question { "?" } else { "#" };
                ctx.out.line(format!(
                    "{} {kind} {}  on {title}  by {}, {}  [{state}, {} comment(s)]",
                    ctx.out.style.dim(&t.id.id),
                    ctx.out.style.bold(&t.title),
                    name_of(&names, t.author),
                    when::ago(t.created, now),
                    t.comments.len()
                ))?;
            }
            Ok(())
        }
        ThreadCommand::Open {
            note,
            title,
            text,
            question,
        } => {
            let doc = resolve(&garden, &note)?;
            let id = garden.open_thread(doc, &title, &text, question)?;
            if ctx.json() {
                return ctx
                    .out
                    .json(&serde_json::json!({ "thread": id.id, "ref": id.encode() }));
            }
            let what = if question { "question" } else { "thread" };
            ctx.out.line(format!("Opened {what} {} on {note}.", id.id))
        }
        ThreadCommand::Show { thread } => {
            let t = garden.thread(&thread)?;
            if ctx.json() {
                return ctx.out.json(&t);
            }
            show(ctx, &garden, &t, &names)
        }
        ThreadCommand::Comment {
            thread,
            text,
            reply_to,
        } => {
            let id = garden.comment(&thread, &text, reply_to.as_deref())?;
            if ctx.json() {
                return ctx
                    .out
                    .json(&serde_json::json!({ "comment": id.id, "ref": id.encode() }));
            }
            ctx.out.line(format!("Commented ({}).", id.id))
        }
        ThreadCommand::Resolve { thread, reopen } => {
            garden.resolve_thread(&thread, !reopen)?;
            if ctx.json() {
                return ctx
                    .out
                    .json(&serde_json::json!({ "thread": thread, "resolved": !reopen }));
            }
            ctx.out.line(if reopen {
                format!("Reopened thread {thread}.")
            } else {
                format!("Resolved thread {thread}.")
            })
        }
        ThreadCommand::Answer {
            question,
            note,
            text,
        } => {
            let doc = resolve(&garden, &note)?;
            let id = garden.answer_question(&question, doc, &text)?;
            if ctx.json() {
                return ctx
                    .out
                    .json(&serde_json::json!({ "answer": id.id, "ref": id.encode() }));
            }
            ctx.out
                .line(format!("Answered question {question} with {note}."))
        }
        ThreadCommand::Mentions { member } => {
            let member = match member {
                Some(m) => garden.find_member(&m)?,
                None => ctx.node()?.member_id(),
            };
            let list = garden.mentions_of(member)?;
            if ctx.json() {
                return ctx.out.json(&list);
            }
            if list.is_empty() {
                return ctx.out.line("No mentions.");
            }
            let now = when::now();
            for m in list {
                let place = match &m.comment {
                    Some(c) => format!("comment {} in thread {}", c.id, m.thread.id),
                    None => format!("thread {}", m.thread.id),
                };
                ctx.out.line(format!(
                    "{} mentioned you in {place}, {}",
                    name_of(&names, m.by),
                    when::ago(m.time, now)
                ))?;
            }
            Ok(())
        }
    }
}

fn show(
    ctx: &mut Context,
    garden: &loam_node::Garden,
    t: &Thread,
    names: &HashMap<MemberId, String>,
) -> anyhow::Result<()> {
    let now = when::now();
    let title = garden
        .note(t.doc)
        .map_or_else(|_| t.doc.to_string(), |n| n.row.title);
    let kind = if t.question { "Question" } else { "Thread" };
    ctx.out.line(format!(
        "{kind} {}: {}",
        t.id.id,
        ctx.out.style.bold(&t.title)
    ))?;
    ctx.out.line(ctx.out.style.dim(&format!(
        "on {title}, opened by {} {}",
        name_of(names, t.author),
        when::ago(t.created, now)
    )))?;
    if let Some(reason) = &t.hidden {
        ctx.out
            .line(format!("(hidden by a facilitator: {reason})"))?;
    } else if !t.text.is_empty() {
        ctx.out.blank()?;
        ctx.out.text(&t.text)?;
    }
    for c in &t.comments {
        ctx.out.blank()?;
        let reply = c
            .reply_to
            .as_ref()
            .map(|r| format!(" (reply to {})", r.id))
            .unwrap_or_default();
        ctx.out.line(ctx.out.style.dim(&format!(
            "{} {}{reply}, {}:",
            c.id.id,
            name_of(names, c.author),
            when::ago(c.created, now)
        )))?;
        match &c.hidden {
            Some(reason) => ctx
                .out
                .line(format!("  (hidden by a facilitator: {reason})"))?,
            None => {
                for line in c.text.lines() {
                    ctx.out.line(format!("  {line}"))?;
                }
            }
        }
    }
    for a in &t.answers {
        let note = garden
            .note(a.note)
            .map_or_else(|_| a.note.to_string(), |n| n.row.title);
        ctx.out.blank()?;
        ctx.out.line(format!(
            "Answer by {}: {note}{}",
            name_of(names, a.author),
            if a.text.is_empty() {
                String::new()
            } else {
                format!(" — {}", a.text)
            }
        ))?;
    }
    if let Some((by, at)) = t.resolved {
        ctx.out.blank()?;
        ctx.out.line(ctx.out.style.dim(&format!(
            "Resolved by {} {}",
            name_of(names, by),
            when::ago(at, now)
        )))?;
    }
    Ok(())
}
