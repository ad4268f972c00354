//! Small readers and writers shared by the manifest and the journal: get or
//! create maps and lists in an Automerge document, and read fields from its
//! JSON form leniently (a field of the wrong type reads as empty, so one
//! malformed item never hides the rest).

use automerge::transaction::Transactable;
use automerge::{AutoCommit, ObjId, ObjType, ReadDoc, Value};
use serde_json::Value as Json;

use super::CommunityError;

/// The string at `key` of map `obj`, if it is one.
pub(crate) fn get_str(doc: &AutoCommit, obj: &ObjId, key: &str) -> Option<String> {
    match doc.get(obj, key) {
        Ok(Some((Value::Scalar(s), _))) => s.as_str().map(str::to_owned),
        _ => None,
    }
}

/// The object at `key` of map `obj`, created (of type `ty`) if missing or
/// not an object.
pub(crate) fn object_at(
    doc: &mut AutoCommit,
    obj: &ObjId,
    key: &str,
    ty: ObjType,
) -> Result<ObjId, CommunityError> {
    if let Some((Value::Object(found), id)) = doc.get(obj, key)?
        && found == ty
    {
        return Ok(id);
    }
    Ok(doc.put_object(obj, key, ty)?)
}

/// The map at `key` of map `obj`, if there is one.
pub(crate) fn existing_map(doc: &AutoCommit, obj: &ObjId, key: &str) -> Option<ObjId> {
    match doc.get(obj, key) {
        Ok(Some((Value::Object(ObjType::Map), id))) => Some(id),
        _ => None,
    }
}

/// The position and object of the map in list `list` whose `id` field is
/// `id`.
pub(crate) fn find_by_id(doc: &AutoCommit, list: &ObjId, id: &str) -> Option<(usize, ObjId)> {
    (0..doc.length(list)).find_map(|i| match doc.get(list, i) {
        Ok(Some((Value::Object(ObjType::Map), obj))) => {
            (get_str(doc, &obj, "id").as_deref() == Some(id)).then_some((i, obj))
        }
        _ => None,
    })
}

/// Put the string fields `fields` into map `obj`.
pub(crate) fn put_strs(
    doc: &mut AutoCommit,
    obj: &ObjId,
    fields: &[(&str, &str)],
) -> Result<(), CommunityError> {
    for (k, v) in fields {
        doc.put(obj, *k, *v)?;
    }
    Ok(())
}

/// The string at `key` of a JSON object, `""` when missing.
pub(crate) fn s(v: &Json, key: &str) -> String {
    v.get(key)
        .and_then(Json::as_str)
        .unwrap_or_default()
        .to_owned()
}

/// The integer at `key` of a JSON object, 0 when missing.
pub(crate) fn i(v: &Json, key: &str) -> i64 {
    v.get(key).and_then(Json::as_i64).unwrap_or_default()
}

/// The boolean at `key` of a JSON object, false when missing.
pub(crate) fn b(v: &Json, key: &str) -> bool {
    v.get(key).and_then(Json::as_bool).unwrap_or_default()
}

/// The array at `key` of a JSON object, empty when missing.
pub(crate) fn arr<'a>(v: &'a Json, key: &str) -> &'a [Json] {
    v.get(key)
        .and_then(Json::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default()
}

/// The entries of the object at `key` of a JSON object, none when missing.
pub(crate) fn entries<'a>(v: &'a Json, key: &str) -> impl Iterator<Item = (&'a String, &'a Json)> {
    v.get(key)
        .and_then(Json::as_object)
        .into_iter()
        .flat_map(|m| m.iter())
}
