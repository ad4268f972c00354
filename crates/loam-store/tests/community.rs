//! The community documents' rows (manifest and journals: bytes, JSON form,
//! heads, signatures) and the facts the dashboard reads.

#![allow(clippy::unwrap_used)]

use loam_core::community::{CommunityDoc, CommunityKind, manifest_id};
use loam_core::{GardenId, MemberKey, SignedChanges};
use loam_store::{CommunityWrite, Store};

const GARDEN: GardenId = GardenId::from_bytes([7; 16]);

#[test]
fn a_community_document_is_stored_whole_with_its_state_and_signatures() {
    let mut store = Store::temporary().unwrap();
    let key = MemberKey::from_seed(&[3; 32]);
    let mut doc = CommunityDoc::new(CommunityKind::Manifest, key.member());
    doc.add_section("Start", None).unwrap();
    let first = doc.commit(1, "one").unwrap();
    let id = manifest_id(GARDEN);
    let write = |store: &mut Store, doc: &mut CommunityDoc, hash| {
        let heads = doc.heads();
        let bytes = doc.save();
        let state = doc.to_json().to_string();
        let signatures = SignedChanges::sign(&key, GARDEN, id, &[hash]);
        store
            .write_community_doc(&CommunityWrite {
                id,
                kind: "manifest",
                owner: None,
                heads: &heads,
                bytes: &bytes,
                state: &state,
                signatures: &signatures,
                time: 5,
            })
            .unwrap();
    };
    write(&mut store, &mut doc, first);
    doc.add_section("More", None).unwrap();
    let second = doc.commit(2, "two").unwrap();
    write(&mut store, &mut doc, second);

    let rows = store.community_docs().unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!((rows[0].id, rows[0].kind.as_str()), (id, "manifest"));
    assert!(rows[0].state.contains("More"));
    assert_eq!(store.community_heads().unwrap(), [(id, vec![second])]);
    let loaded = CommunityDoc::load(
        CommunityKind::Manifest,
        &store.community_doc_bytes(id).unwrap().unwrap(),
        key.member(),
    )
    .unwrap();
    assert_eq!(loaded.to_json(), doc.to_json());
    let sigs = store
        .community_signatures_for(id, &[first, second])
        .unwrap();
    assert_eq!(sigs.len(), 2);
    assert!(sigs.iter().all(|s| s.signer() == key.member()));
    // Notes and pages do not see community documents.
    assert!(store.doc_heads().unwrap().is_empty());
}
