//! What can go wrong in the service, in words a member can act on.

use loam_core::community::CommunityError;
use loam_core::{DocError, DocId, MemberId, MembershipError, Role};
use loam_store::StoreError;

/// An error from the service.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NodeError {
    /// No garden exists yet.
    #[error("there is no garden yet: create one with `loam init`")]
    NoGarden,
    /// No garden matches the name or id asked for.
    #[error("no garden named `{name}`{}", suggest(.available))]
    UnknownGarden {
        /// What was asked for.
        name: String,
        /// The gardens there are.
        available: Vec<String>,
    },
    /// A garden with this name exists already.
    #[error("a garden named `{0}` exists already")]
    GardenExists(String),
    /// No note or page has this title, alias or id.
    #[error("no note or page called `{reference}`{}", suggest(.suggestions))]
    NotFound {
        /// What was asked for.
        reference: String,
        /// The closest titles, best first.
        suggestions: Vec<String>,
    },
    /// Several notes share the title asked for.
    #[error("`{reference}` names {} notes; use one of these ids: {}", .candidates.len(), ids(.candidates))]
    Ambiguous {
        /// What was asked for.
        reference: String,
        /// The matching documents with their titles.
        candidates: Vec<(DocId, String)>,
    },
    /// A document id that is not in this garden.
    #[error("no document with id {0} in this garden")]
    UnknownDoc(DocId),
    /// A wiki page with this title exists already (titles are unique per
    /// garden, ignoring case).
    #[error("a page titled `{title}` exists already ({existing})")]
    PageTitleTaken {
        /// The title asked for.
        title: String,
        /// The page that has it.
        existing: DocId,
    },
    /// A version named by heads that are not change hashes.
    #[error("`{0}` is not a change hash")]
    BadHeads(String),
    /// Two new pages would share a title.
    #[error("two of the new pages are titled `{0}`; page titles are unique in a garden")]
    DuplicatePageTitle(String),
    /// Titles cannot be empty, nor contain line breaks or `[[`/`]]`/`|`/`#`.
    #[error("`{title}` cannot be a title: {reason}")]
    InvalidTitle {
        /// The title asked for.
        title: String,
        /// Why not.
        reason: &'static str,
    },
    /// Garden names cannot be empty.
    #[error("a garden name cannot be empty")]
    EmptyGardenName,
    /// The data directory cannot be used.
    #[error("cannot use the data directory {path}: {source}")]
    DataDir {
        /// The directory.
        path: std::path::PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A version of a note named in a way that is not understood.
    #[error("`{input}` does not name a version: {reason}")]
    BadWhen {
        /// What was typed.
        input: String,
        /// What is wrong, and what would do.
        reason: String,
    },
    /// A session number beyond the note's history.
    #[error(
        "there is no session #{number}: the note's history has {sessions} (see `loam history`)"
    )]
    UnknownSession {
        /// The number asked for.
        number: usize,
        /// How many sessions there are.
        sessions: usize,
    },
    /// No change of the note has a hash starting with these digits.
    #[error(
        "no change of this note has a hash starting with `{prefix}` (see `loam history --changes`)"
    )]
    UnknownChange {
        /// The digits.
        prefix: String,
    },
    /// Several changes (or a session and a change) match.
    #[error("`{prefix}` is ambiguous: it names {}; give more digits", .candidates.join(", "))]
    AmbiguousChange {
        /// The digits.
        prefix: String,
        /// What it could mean.
        candidates: Vec<String>,
    },
    /// A version asked for at a time before the note's first change.
    #[error("the note did not exist yet at {when}: its first change was made at {first}")]
    NotYetCreated {
        /// The time asked for (local).
        when: String,
        /// The time of its first change (local).
        first: String,
    },
    /// Another replica sent a sync message that is not one.
    #[error("a sync message from the editor is damaged: {0}")]
    BadSyncMessage(String),
    /// The identity key file cannot be read or created.
    #[error("the identity key {} cannot be used: {reason}", path.display())]
    Identity {
        /// The key file.
        path: std::path::PathBuf,
        /// Why.
        reason: String,
    },
    /// The identity key file can be read by other users of the machine.
    #[error(
        "the identity key {} can be read by other users (mode {mode:03o}); make it private with `chmod 600 {}`",
        path.display(),
        path.display()
    )]
    IdentityExposed {
        /// The key file.
        path: std::path::PathBuf,
        /// Its permission bits.
        mode: u32,
    },
    /// The settings file is unreadable.
    #[error("the settings file {path} is damaged ({reason}); fix or delete it")]
    Config {
        /// The file.
        path: std::path::PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// The folder to import cannot be read as a folder.
    #[error("cannot import {}: {reason}", path.display())]
    ImportSource {
        /// The folder asked for.
        path: std::path::PathBuf,
        /// Why not.
        reason: String,
    },
    /// The folder to export to holds files already.
    #[error(
        "the folder {} is not empty: export into an empty or new folder, or allow overwriting its files",
        path.display()
    )]
    ExportNotEmpty {
        /// The folder.
        path: std::path::PathBuf,
    },
    /// Writing an exported file or folder failed.
    #[error("cannot write {}: {source}", path.display())]
    Export {
        /// The file or folder.
        path: std::path::PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A stored document failed to load or an edit did not apply.
    #[error("document {id}: {source}")]
    Doc {
        /// The document.
        id: DocId,
        /// What went wrong.
        #[source]
        source: DocError,
    },
    /// The member may not change this garden: a reader, or not (or no
    /// longer) a member.
    #[error("{}", read_only(*.role, .facilitators))]
    ReadOnly {
        /// Their role, `None` when not a member.
        role: Option<Role>,
        /// The names of the garden's facilitators, who can change that.
        facilitators: Vec<String>,
    },
    /// A membership change that was refused, or a bad membership entry.
    #[error(transparent)]
    Membership(#[from] MembershipError),
    /// No member matches the id, id prefix or name asked for.
    #[error("no member of this garden is called `{reference}` (see `loam members`)")]
    UnknownMember {
        /// What was asked for.
        reference: String,
    },
    /// Several members match.
    #[error("`{reference}` names {} members; use more of an id: {}", .candidates.len(), members(.candidates))]
    AmbiguousMember {
        /// What was asked for.
        reference: String,
        /// The members it could mean, with their names.
        candidates: Vec<(MemberId, String)>,
    },
    /// The garden's membership log cannot be read from its database.
    #[error("the membership log of garden {garden} is damaged: {reason}; run `loam check`")]
    MembershipDamaged {
        /// The garden.
        garden: loam_core::GardenId,
        /// What is wrong.
        reason: String,
    },
    /// The network could not do what was asked.
    #[error("network: {0}")]
    Network(String),
    /// The transport failed (binding, dialling, a stream).
    #[error(transparent)]
    Net(#[from] loam_net::NetError),
    /// The network was already shut down.
    #[error("the network is stopped")]
    NetworkStopped,
    /// An invite could not be redeemed.
    #[error("the invite was refused: {0}")]
    InviteRefused(String),
    /// The database failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Other processes kept storing changes to the same documents while
    /// this one tried to store its own, round after round.
    #[error("other loam processes keep writing the same notes: nothing was lost, try again")]
    Busy,
    /// The member's role does not allow a community action (changing the
    /// index, commenting as a reader...).
    #[error("{}", not_allowed(.action, .allowed, *.role, .facilitators))]
    NotAllowed {
        /// What was tried ("change the index").
        action: String,
        /// Who may do it ("facilitators").
        allowed: String,
        /// The member's role, `None` when not a member.
        role: Option<Role>,
        /// The names of the garden's facilitators.
        facilitators: Vec<String>,
    },
    /// A community document could not be changed as asked (no such
    /// section, an entry already there...).
    #[error(transparent)]
    Community(#[from] CommunityError),
    /// No thread, comment, suggestion or reading path matches.
    #[error("no {what} `{reference}`{}", hint_list(.known))]
    UnknownItem {
        /// What kind of thing ("thread").
        what: &'static str,
        /// What was asked for.
        reference: String,
        /// Some that exist.
        known: Vec<String>,
    },
    /// Several items match a prefix.
    #[error("`{reference}` names {} {what}s: {}; give more of the id", .candidates.len(), .candidates.join(", "))]
    AmbiguousItem {
        /// What kind of thing.
        what: &'static str,
        /// What was asked for.
        reference: String,
        /// The ids it could mean.
        candidates: Vec<String>,
    },
}

fn not_allowed(action: &str, allowed: &str, role: Option<Role>, facilitators: &[String]) -> String {
    let who = match role {
        Some(role) => format!("you are a {role}"),
        None => "you are not a member of this garden".to_owned(),
    };
    let ask = match facilitators {
        [] => String::new(),
        names => format!(" (facilitators: {})", names.join(", ")),
    };
    format!("only {allowed} can {action}; {who}{ask}")
}

fn hint_list(known: &[String]) -> String {
    match known {
        [] => String::new(),
        names => format!("; there are: {}", names.join(", ")),
    }
}

fn read_only(role: Option<Role>, facilitators: &[String]) -> String {
    let ask = match facilitators {
        [] => "a facilitator".to_owned(),
        [one] => format!("a facilitator ({one})"),
        many => format!("a facilitator ({})", many.join(", ")),
    };
    match role {
        Some(role) => format!(
            "you are a {role} in this garden and cannot change it; ask {ask} to make you a member"
        ),
        None => format!(
            "you are not a member of this garden and cannot change it; ask {ask} to invite you"
        ),
    }
}

fn members(candidates: &[(MemberId, String)]) -> String {
    let list: Vec<String> = candidates
        .iter()
        .map(|(id, name)| format!("{} ({name})", id.short()))
        .collect();
    list.join(", ")
}

impl NodeError {
    pub(crate) fn doc(id: DocId) -> impl FnOnce(DocError) -> Self {
        move |source| Self::Doc { id, source }
    }
}

fn suggest(names: &[String]) -> String {
    match names {
        [] => String::new(),
        [one] => format!("; did you mean `{one}`?"),
        many => {
            let list: Vec<String> = many.iter().map(|n| format!("`{n}`")).collect();
            format!("; did you mean one of {}?", list.join(", "))
        }
    }
}

fn ids(candidates: &[(DocId, String)]) -> String {
    let list: Vec<String> = candidates
        .iter()
        .map(|(id, title)| format!("{id} ({title})"))
        .collect();
    list.join(", ")
}
