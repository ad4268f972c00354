//! What the member sees when something fails: `error: <what went wrong>` on
//! standard error, `hint: <what to do>` where there is something to do, and
//! an exit code after the BSD sysexits convention.

use std::fmt;
use std::io::Write;

use loam_node::{CommunityError, MembershipError, NoEffect, NodeError, StoreError};

use crate::style::Style;

/// The exit codes, as documented in `loam --help` and the README.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Something failed that none of the codes below describes; also
    /// `loam check` finding problems and an editor exiting with an error.
    Failure = 1,
    /// The command line is wrong (clap's own code).
    Usage = 2,
    /// EX_DATAERR: the input or the stored data is wrong (an invalid title,
    /// an ambiguous title, a damaged database).
    DataErr = 65,
    /// EX_NOINPUT: no such note, page or garden (or no garden yet).
    NoInput = 66,
    /// EX_UNAVAILABLE: a program Loam needs (the editor) cannot be started.
    Unavailable = 69,
    /// EX_SOFTWARE: a bug in Loam.
    Software = 70,
    /// EX_CANTCREAT: what was to be created exists already.
    CantCreate = 73,
    /// EX_IOERR: reading or writing a file failed.
    IoErr = 74,
    /// EX_TEMPFAIL: the database is busy (locked by another process); try
    /// again.
    TempFail = 75,
    /// EX_NOPERM: the member's role does not allow it (a reader editing,
    /// a member managing membership).
    NoPerm = 77,
    /// EX_CONFIG: the settings file is damaged, or the identity key file
    /// is readable by others.
    Config = 78,
}

impl Exit {
    /// The process exit code.
    pub fn code(self) -> u8 {
        self as u8
    }
}

/// The exit code table shown at the end of `loam --help`.
pub const EXIT_CODES_HELP: &str = "\
Exit codes:
   0  success
   1  failure (also: `loam check` found problems, the editor exited with an error)
   2  wrong usage (unknown command or option, missing argument)
  65  bad data: invalid or ambiguous title or version, damaged database
  66  not found: no such note, page, garden or version, or no garden yet
  69  the editor cannot be started
  70  internal error (a bug in Loam: please report it)
  73  cannot create: a garden or page with that name exists already
  74  I/O error reading or writing a file
  75  the database is locked by another process: try again
  77  not allowed: your role in the garden does not allow it
  78  the settings file is damaged, or the identity key is readable by others";

/// An error the CLI itself raises, with its exit code and maybe a hint.
#[derive(Debug)]
pub struct Failure {
    message: String,
    hint: Option<String>,
    exit: Exit,
}

impl Failure {
    /// A failure with this message and exit code.
    pub fn new(message: impl Into<String>, exit: Exit) -> Self {
        Self {
            message: message.into(),
            hint: None,
            exit,
        }
    }

    /// Add a line saying what to do about it.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Failure {}

/// Standard output was closed under us (`loam ls | head -1`): not an error
/// worth a message.
#[derive(Debug)]
pub struct StdoutClosed;

impl fmt::Display for StdoutClosed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("standard output was closed")
    }
}

impl std::error::Error for StdoutClosed {}

/// An error, ready to show.
#[derive(Debug, PartialEq, Eq)]
pub struct Report {
    /// `error: ...`
    pub message: String,
    /// `hint: ...` lines.
    pub hints: Vec<String>,
    /// The exit code.
    pub exit: Exit,
}

/// Print `err` to standard error and return the exit code to use. Nothing
/// is printed when standard output was closed (a reader like `head` went
/// away): then the exit code is success.
pub fn print(err: &anyhow::Error, style: Style) -> u8 {
    if err.chain().any(|e| e.is::<StdoutClosed>()) {
        return 0;
    }
    let report = report(err);
    let mut stderr = std::io::stderr().lock();
    let _ = writeln!(stderr, "{} {}", style.error("error:"), report.message);
    for hint in &report.hints {
        let _ = writeln!(stderr, "{} {hint}", style.bold("hint:"));
    }
    report.exit.code()
}

/// What to show for `err` and which code to exit with.
pub fn report(err: &anyhow::Error) -> Report {
    let mut report = Report {
        message: message(err),
        hints: Vec::new(),
        exit: Exit::Failure,
    };
    // The innermost cause that knows its exit code decides.
    for cause in err.chain() {
        if let Some(failure) = cause.downcast_ref::<Failure>() {
            report.exit = failure.exit;
            report.hints.extend(failure.hint.clone());
            break;
        }
        if let Some(node) = cause.downcast_ref::<NodeError>() {
            node_error(node, &mut report);
            break;
        }
        if cause.downcast_ref::<std::io::Error>().is_some() {
            report.exit = Exit::IoErr;
            break;
        }
    }
    report
}

/// The message: the outermost error, then each cause that does not already
/// appear in it (many errors include their source in their own message).
fn message(err: &anyhow::Error) -> String {
    let mut message = String::new();
    for cause in err.chain() {
        let text = cause.to_string();
        if !message.contains(&text) {
            if !message.is_empty() {
                message.push_str(": ");
            }
            message.push_str(&text);
        }
    }
    message
}

fn node_error(err: &NodeError, report: &mut Report) {
    report.exit = match err {
        NodeError::NoGarden | NodeError::NotFound { .. } | NodeError::UnknownDoc(_) => {
            Exit::NoInput
        }
        NodeError::UnknownGarden { name, available } => {
            if name == "(default)" {
                // Several gardens and none set as the default.
                report.message = "there are several gardens and none is the default".to_owned();
                report.hints.push(format!(
                    "pick one with `loam use NAME` or `--garden NAME`: {}",
                    quoted_list(available)
                ));
            } else if available.is_empty() {
                report
                    .hints
                    .push("create it with `loam init NAME`".to_owned());
            }
            Exit::NoInput
        }
        NodeError::Ambiguous { .. } => {
            report
                .hints
                .push("pass an id (or its first 6 digits) instead of the title".to_owned());
            Exit::DataErr
        }
        NodeError::GardenExists(name) => {
            report.hints.push(format!(
                "choose another name, or switch to it with `loam use \"{name}\"`"
            ));
            Exit::CantCreate
        }
        NodeError::PageTitleTaken { .. } => {
            report
                .hints
                .push("page titles are unique in a garden; notes may share titles".to_owned());
            Exit::CantCreate
        }
        NodeError::InvalidTitle { .. } | NodeError::EmptyGardenName => Exit::DataErr,
        NodeError::UnknownSession { .. }
        | NodeError::UnknownChange { .. }
        | NodeError::NotYetCreated { .. } => Exit::NoInput,
        NodeError::BadWhen { .. } | NodeError::AmbiguousChange { .. } => Exit::DataErr,
        NodeError::Identity { .. } => Exit::IoErr,
        NodeError::IdentityExposed { .. } => Exit::Config,
        NodeError::DataDir { .. } | NodeError::Export { .. } => Exit::IoErr,
        NodeError::ImportSource { .. } => Exit::NoInput,
        NodeError::ExportNotEmpty { .. } => {
            report.hints.push(
                "pass --force to write into it anyway (files of the same name are overwritten, \
                 others left alone)"
                    .to_owned(),
            );
            Exit::CantCreate
        }
        NodeError::Config { .. } => Exit::Config,
        NodeError::Doc { .. } => {
            report.hints.push(CHECK_HINT.to_owned());
            Exit::DataErr
        }
        NodeError::Store(store) => store_error(store, report),
        NodeError::ReadOnly { .. } => Exit::NoPerm,
        NodeError::NotAllowed { .. } => Exit::NoPerm,
        NodeError::UnknownItem { .. } => Exit::NoInput,
        NodeError::AmbiguousItem { .. } => Exit::DataErr,
        NodeError::Community(CommunityError::NotFound { .. }) => Exit::NoInput,
        NodeError::Community(_) => Exit::DataErr,
        NodeError::Membership(MembershipError::Refused(NoEffect::NotFacilitator { .. })) => {
            report
                .hints
                .push("ask a facilitator (see `loam members`)".to_owned());
            Exit::NoPerm
        }
        NodeError::Membership(_) | NodeError::MembershipDamaged { .. } => Exit::DataErr,
        NodeError::UnknownMember { .. } => Exit::NoInput,
        NodeError::AmbiguousMember { .. } => Exit::DataErr,
        NodeError::InviteRefused(_) => Exit::NoPerm,
        NodeError::Net(_) | NodeError::Network(_) | NodeError::NetworkStopped => Exit::Unavailable,
        _ => Exit::Failure,
    };
}

const CHECK_HINT: &str = "run `loam check` to see what is damaged";

fn store_error(err: &StoreError, report: &mut Report) -> Exit {
    match err {
        StoreError::Locked { .. } => Exit::TempFail,
        StoreError::Corrupt { .. } => {
            if !report.message.contains("loam check") {
                report.hints.push(CHECK_HINT.to_owned());
            }
            Exit::DataErr
        }
        StoreError::TooNew { .. } => Exit::DataErr,
        StoreError::Open { .. } | StoreError::Io { .. } | StoreError::Full { .. } => Exit::IoErr,
        StoreError::ReadOnly { .. } => Exit::CantCreate,
        StoreError::UnknownDoc { .. } => Exit::NoInput,
        _ => Exit::Failure,
    }
}

/// The database file `err` says is damaged, if it says so (as opposed to
/// busy, missing or unreadable for another reason).
pub fn damaged_database(err: &anyhow::Error) -> Option<&std::path::Path> {
    err.chain().find_map(|cause| {
        let store = match cause.downcast_ref::<NodeError>() {
            Some(NodeError::Store(store)) => Some(store),
            _ => cause.downcast_ref::<StoreError>(),
        };
        match store {
            Some(StoreError::Corrupt { path }) => Some(path.as_path()),
            _ => None,
        }
    })
}

fn quoted_list(names: &[String]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    quoted.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_do_not_repeat_their_causes() {
        let io = std::io::Error::new(std::io::ErrorKind::PermissionDenied, "permission denied");
        let err = anyhow::Error::new(io).context("cannot write /tmp/x");
        let report = report(&err);
        assert_eq!(report.message, "cannot write /tmp/x: permission denied");
        assert_eq!(report.exit, Exit::IoErr);

        let err = anyhow::Error::new(Failure::new(
            "the editor `vi` exited with status 1",
            Exit::Failure,
        ));
        assert_eq!(
            report_of(err),
            (
                "the editor `vi` exited with status 1".to_owned(),
                Exit::Failure
            )
        );
    }

    fn report_of(err: anyhow::Error) -> (String, Exit) {
        let report = report(&err);
        (report.message, report.exit)
    }

    #[test]
    fn node_errors_have_codes() {
        let check = |err: NodeError, exit: Exit| assert_eq!(report(&err.into()).exit, exit);
        check(NodeError::NoGarden, Exit::NoInput);
        check(
            NodeError::NotFound {
                reference: "x".into(),
                suggestions: vec![],
            },
            Exit::NoInput,
        );
        check(NodeError::GardenExists("x".into()), Exit::CantCreate);
        check(NodeError::EmptyGardenName, Exit::DataErr);
        let path = std::path::PathBuf::from("/data/gardens/g/garden.db");
        check(
            StoreError::Locked { path: path.clone() }.into(),
            Exit::TempFail,
        );
        check(
            StoreError::Corrupt { path: path.clone() }.into(),
            Exit::DataErr,
        );
        check(
            StoreError::TooNew {
                path,
                found: 9,
                supported: 1,
            }
            .into(),
            Exit::DataErr,
        );
    }

    #[test]
    fn a_damaged_database_is_recognised_and_named() {
        let path = std::path::PathBuf::from("/data/gardens/g/garden.db");
        let err: anyhow::Error = NodeError::from(StoreError::Corrupt { path: path.clone() }).into();
        assert_eq!(damaged_database(&err), Some(path.as_path()));
        // The store's message already says to run `loam check`: no second hint.
        assert!(report(&err).hints.is_empty());
        let busy: anyhow::Error = NodeError::from(StoreError::Locked { path }).into();
        assert_eq!(damaged_database(&busy), None);
    }
}
