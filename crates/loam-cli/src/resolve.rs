//! From what the member typed to a document: a title (ignoring case), an
//! alias, or an id or id prefix. Archived documents are left out of
//! ordinary lookups (as they are out of lists and links), with a hint when
//! the title names one; `loam restore` looks among archived ones.

use loam_node::{DocId, Garden, NodeError};

use crate::errors::{Exit, Failure};

/// The document `reference` names, among those not archived.
pub fn resolve(garden: &Garden, reference: &str) -> anyhow::Result<DocId> {
    match garden.resolve(reference) {
        Ok(id) => Ok(id),
        Err(err @ NodeError::NotFound { .. }) => match garden.resolve_archived(reference) {
            Ok(archived) => {
                let title = garden.note(archived)?.row.title;
                Err(Failure::new(err.to_string(), Exit::NoInput)
                    .with_hint(format!(
                        "`{title}` is archived: `loam restore \"{title}\"` brings it back"
                    ))
                    .into())
            }
            Err(_) => Err(err.into()),
        },
        Err(err) => Err(err.into()),
    }
}

/// The archived document `reference` names (for `loam restore`). A
/// document that is not archived is returned too, so that restore can say
/// there is nothing to do.
pub fn resolve_archived(garden: &Garden, reference: &str) -> anyhow::Result<DocId> {
    match garden.resolve_archived(reference) {
        Ok(id) => Ok(id),
        Err(NodeError::NotFound { suggestions, .. }) => match garden.resolve(reference) {
            Ok(id) => Ok(id),
            Err(NodeError::NotFound { .. }) => {
                let hint = match suggestions.first() {
                    Some(close) => {
                        format!("did you mean `{close}`? `loam ls --archived` lists them all")
                    }
                    None => "`loam ls --archived` lists the archived ones".to_owned(),
                };
                Err(Failure::new(
                    format!("no archived note or page called `{}`", reference.trim()),
                    Exit::NoInput,
                )
                .with_hint(hint)
                .into())
            }
            Err(err) => Err(err.into()),
        },
        Err(err) => Err(err.into()),
    }
}

/// The document `reference` names, archived or not (history and old
/// versions of an archived note are still there to read). When nothing
/// matches, the error and its suggestions are those of an ordinary lookup.
pub fn resolve_any(garden: &Garden, reference: &str) -> anyhow::Result<DocId> {
    match garden.resolve(reference) {
        Ok(id) => Ok(id),
        Err(err @ NodeError::NotFound { .. }) => {
            garden.resolve_archived(reference).map_err(|_| err.into())
        }
        Err(err) => Err(err.into()),
    }
}
