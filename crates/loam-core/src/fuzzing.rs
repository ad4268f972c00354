//! Fuzz target bodies (feature `fuzzing`): each takes arbitrary bytes and
//! panics only when an invariant breaks. The cargo-fuzz targets in `fuzz/`
//! and this crate's stable test (`tests/fuzz_bodies.rs`) call these same
//! functions, so what the fuzzer checks and what `cargo test` checks cannot
//! drift apart.

// A fuzz body's job is to panic when an invariant breaks.
#![allow(clippy::expect_used)]

use crate::{Action, Entry, MemberId, MemberKey, MembershipLog, NoteDoc, Role, normalise_title};

/// Inputs longer than this are cut: the targets look for wrong answers and
/// panics, not for how long Automerge takes over megabytes.
pub const MAX_INPUT: usize = 256 * 1024;

/// Membership entries: `data` decoded as one entry (it must re-encode to
/// the same bytes and hash), then read as a script of signed entries by
/// four keys on a garden (add, set-role, remove, invite, set-name on
/// parents the script picks), folded in three orders: forwards, backwards
/// and one at a time with parents arriving late. Every order must fold to
/// the same heads and roles, and the garden keeps a facilitator.
pub fn membership_entries(data: &[u8]) {
    let data = &data[..data.len().min(MAX_INPUT)];
    if let Ok(entry) = Entry::decode(data) {
        assert_eq!(entry.encoded(), data, "an entry re-encodes as it came");
        let again = Entry::decode(entry.encoded()).expect("an entry decodes twice");
        assert_eq!(again.hash(), entry.hash());
        let _ = entry.verify_signature();
    }
    membership_script(data);
}

/// The script half of [`membership_entries`]: three bytes per entry, at
/// most 24 entries.
fn membership_script(data: &[u8]) {
    let keys: Vec<MemberKey> = (1..=4u8).map(|n| MemberKey::from_seed(&[n; 32])).collect();
    let Ok((_, genesis)) = MembershipLog::found(&keys[0], "Fuzz", "Founder", 0, [0; 16]) else {
        panic!("a genesis entry can always be made");
    };
    let mut entries = vec![genesis];
    for (i, op) in data.chunks(3).take(24).enumerate() {
        let byte = |n: usize| usize::from(op.get(n).copied().unwrap_or(0));
        let (a, b, c) = (byte(0), byte(1), byte(2));
        let author = &keys[a % 4];
        let target = keys[b % 4].member();
        let role = [Role::Reader, Role::Member, Role::Facilitator][c % 3];
        let action = match (b / 4) % 5 {
            0 => Action::Add {
                member: target,
                role,
                name: format!("m{}", b % 4),
            },
            1 => Action::SetRole {
                member: target,
                role,
            },
            2 => Action::Remove { member: target },
            3 => Action::SetName {
                name: format!("n{c}"),
            },
            _ => Action::Invite {
                invite_key: target,
                role,
                expires_ms: None,
                uses: 1,
            },
        };
        let parents = vec![
            entries[c % entries.len()].hash(),
            entries[(a / 4) % entries.len()].hash(),
        ];
        let time = i64::try_from(i).unwrap_or(0) + 1;
        if let Ok(entry) = Entry::sign(author, parents, time, action) {
            entries.push(entry);
        }
    }
    let forwards = MembershipLog::from_entries(entries.clone()).expect("signed entries fold");
    let mut reversed = entries.clone();
    reversed.reverse();
    let backwards = MembershipLog::from_entries(reversed).expect("in any order");
    let mut one_by_one = MembershipLog::from_entries(vec![entries[0].clone()]).expect("genesis");
    // Odd entries first (their parents often arrive later), then even.
    let late = entries.iter().skip(1).step_by(2);
    let early = entries.iter().skip(2).step_by(2);
    for entry in late.chain(early) {
        one_by_one
            .insert(entry.clone())
            .expect("a signed entry of the garden is added or waits");
    }
    let members: Vec<MemberId> = keys.iter().map(MemberKey::member).collect();
    for log in [&backwards, &one_by_one] {
        assert_eq!(log.heads(), forwards.heads(), "heads differ by order");
        assert_eq!(log.pending(), 0);
        for member in &members {
            assert_eq!(
                log.state().role(*member),
                forwards.state().role(*member),
                "roles differ by order"
            );
        }
        assert_eq!(log.state().facilitators(), forwards.state().facilitators());
    }
    assert!(
        !forwards.state().facilitators().is_empty(),
        "the garden was left without a facilitator"
    );
}

/// Saved documents: `data` loaded as a note (a save, chunks, or both). A
/// document that loads can be read, edited, saved and loaded again to the
/// same heads and text.
pub fn saved_document(data: &[u8]) {
    let data = &data[..data.len().min(MAX_INPUT)];
    let author = MemberId::from_bytes([7; 32]);
    let Ok(mut doc) = NoteDoc::load(data, author) else {
        return;
    };
    let Ok(text) = doc.text() else {
        return;
    };
    if let Ok(snapshot) = doc.snapshot() {
        let _ = normalise_title(&snapshot.title);
    }
    let _ = doc.history();
    let saved = doc.save().expect("a loaded document saves");
    let mut again = NoteDoc::load(&saved, author).expect("a saved document loads");
    assert_eq!(again.text().ok().as_deref(), Some(text.as_str()));
    assert_eq!(
        again.automerge().get_heads(),
        doc.automerge().get_heads(),
        "saving changed the heads"
    );
    let end = doc.len_chars();
    if doc.splice(end, 0, "!").is_ok() {
        let _ = doc.commit(1, None);
        let mut edited = doc.text().expect("an edited document reads");
        assert_eq!(edited.pop(), Some('!'));
        assert_eq!(edited, text);
    }
}
