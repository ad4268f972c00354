//! The member identity: a private key file made on first open, the same
//! member id ever after, and every change attributed to it.

#![allow(clippy::unwrap_used)] // Tests may panic; helpers outside #[test] fns count too.

use std::os::unix::fs::PermissionsExt;

use loam_node::identity::IDENTITY_FILE;
use loam_node::{NewDoc, Node, NodeError};

#[test]
fn the_key_file_is_private_and_the_member_stable() {
    let dir = tempfile::tempdir().unwrap();
    let first = Node::open(dir.path()).unwrap().member_id();
    let path = dir.path().join(IDENTITY_FILE);
    let meta = std::fs::metadata(&path).unwrap();
    assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    assert_eq!(meta.len(), 32);
    assert_eq!(Node::open(dir.path()).unwrap().member_id(), first);
    let other = tempfile::tempdir().unwrap();
    assert_ne!(Node::open(other.path()).unwrap().member_id(), first);
    // Nothing but the key file is left behind.
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("identity"))
        .collect();
    assert_eq!(names, [IDENTITY_FILE]);
}

/// A new data directory is entered by its owner only: the garden databases
/// in it are plain SQLite. One that exists already keeps its mode.
#[test]
fn a_new_data_dir_is_private() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("new").join("loam");
    let node = Node::open(&data).unwrap();
    node.create_garden("Commons").unwrap();
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&data), 0o700);

    let shared = dir.path().join("shared");
    std::fs::create_dir(&shared).unwrap();
    std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o750)).unwrap();
    Node::open(&shared).unwrap();
    assert_eq!(mode(&shared), 0o750);
}

#[test]
fn a_key_file_others_can_read_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let member = Node::open(dir.path()).unwrap().member_id();
    let path = dir.path().join(IDENTITY_FILE);
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let err = Node::open(dir.path()).unwrap_err();
    assert!(
        matches!(err, NodeError::IdentityExposed { mode: 0o644, .. }),
        "{err}"
    );
    let message = err.to_string();
    assert!(
        message.contains("can be read by other users (mode 644)"),
        "{message}"
    );
    assert!(message.contains("chmod 600"), "{message}");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    assert_eq!(Node::open(dir.path()).unwrap().member_id(), member);
}

#[test]
fn nodes_opening_a_new_data_dir_at_once_agree_on_one_member() {
    for _ in 0..10 {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().to_owned();
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let path = path.clone();
                std::thread::spawn(move || Node::open(path).unwrap().member_id())
            })
            .collect();
        let ids: Vec<_> = threads.into_iter().map(|t| t.join().unwrap()).collect();
        assert!(ids.windows(2).all(|w| w[0] == w[1]), "{ids:?}");
    }
}

#[test]
fn changes_are_attributed_to_the_member() {
    let dir = tempfile::tempdir().unwrap();
    let node = Node::open(dir.path()).unwrap();
    let garden = node.create_garden("G").unwrap();
    let id = garden.create(NewDoc::note("Plan", "one")).unwrap();
    garden.replace_text(id, "one two").unwrap();
    let history = garden.history(id).unwrap();
    assert_eq!(history.sessions.len(), 1);
    assert_eq!(history.sessions[0].author.member, Some(node.member_id()));
    assert_eq!(history.sessions[0].changes, 2);
}
