//! From what the member typed to a document: a title (ignoring case), an
//! alias, or an id or id prefix. Archived documents are left out of
//! ordinary lookups (as they are out of lists and links), with a hint when
//! the title names one; `loam restore` looks among archived ones.

use loam_node::{ArchivedFilter, DocId, DocRow, Garden, ListQuery, NodeError};

use crate::errors::{Exit, Failure};

/// The document `reference` names, among those not archived.
pub fn resolve(garden: &Garden, reference: &str) -> anyhow::Result<DocId> {
    match garden.resolve(reference) {
        Ok(id) => Ok(id),
        Err(err @ NodeError::NotFound { .. }) => match archived(garden, reference)?.as_slice() {
            [] => Err(err.into()),
            [row, ..] => Err(Failure::new(err.to_string(), Exit::NoInput)
                .with_hint(format!(
                    "`{}` is archived: `loam restore \"{}\"` brings it back",
                    row.title, row.title
                ))
                .into()),
        },
        Err(err) => Err(err.into()),
    }
}

/// The archived document `reference` names (for `loam restore`). A
/// document that is not archived is returned too, so that restore can say
/// there is nothing to do.
pub fn resolve_archived(garden: &Garden, reference: &str) -> anyhow::Result<DocId> {
    match archived(garden, reference)?.as_slice() {
        [one] => Ok(one.id),
        [] => match garden.resolve(reference) {
            Ok(id) => Ok(id),
            Err(NodeError::NotFound { .. }) => Err(Failure::new(
                format!("no archived note or page called `{}`", reference.trim()),
                Exit::NoInput,
            )
            .with_hint("`loam ls --archived` lists the archived ones")
            .into()),
            Err(err) => Err(err.into()),
        },
        many => Err(NodeError::Ambiguous {
            reference: reference.trim().to_owned(),
            candidates: many.iter().map(|d| (d.id, d.title.clone())).collect(),
        }
        .into()),
    }
}

/// Archived documents whose title or alias is `reference` (ignoring case),
/// or whose id starts with it.
fn archived(garden: &Garden, reference: &str) -> anyhow::Result<Vec<DocRow>> {
    let key = title_key(reference);
    let id_prefix = reference.trim().to_ascii_lowercase();
    let by_id = id_prefix.len() >= 6 && id_prefix.chars().all(|c| c.is_ascii_hexdigit());
    let query = ListQuery {
        archived: ArchivedFilter::Only,
        ..ListQuery::default()
    };
    let rows = garden.list(&query)?;
    let matches = |row: &DocRow| {
        title_key(&row.title) == key
            || row.aliases.iter().any(|a| title_key(a) == key)
            || (by_id && row.id.to_string().starts_with(&id_prefix))
    };
    Ok(rows.into_iter().filter(matches).collect())
}

/// How titles compare: trimmed, whitespace runs as one space, lowercase (as
/// loam-core's `normalise_title`).
fn title_key(title: &str) -> String {
    title
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}
