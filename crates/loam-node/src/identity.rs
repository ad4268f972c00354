//! The member's identity: an ed25519 key pair kept in the data directory.
//!
//! `<data dir>/identity.key` holds the 32-byte secret seed, nothing else
//! (the same bytes iroh's `SecretKey::from_bytes` takes, so the network
//! layer will use this key as its endpoint key). Its public key is the
//! [`MemberId`] every change this install makes is attributed to.
//!
//! The file is created on the first [`crate::Node::open`], readable by its
//! owner only (mode 0600, set when the file is created, never afterwards).
//! Like ssh with a private key, a node refuses a key file that other users
//! can read: it says which `chmod` fixes it, and does not touch the file
//! itself. Two processes opening a new data directory at once agree on one
//! key: the file appears whole (written beside it, then linked into place)
//! and the second process reads the first one's.

use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use loam_core::{MemberId, MemberKey};

use crate::NodeError;

/// The key file's name in the data directory.
pub const IDENTITY_FILE: &str = "identity.key";

/// The length of the secret seed.
const SEED_LEN: usize = 32;

/// This install's member identity.
#[derive(Debug, Clone)]
pub(crate) struct Identity {
    key: MemberKey,
}

impl Identity {
    /// The identity in `data_dir`, created if there is none.
    pub(crate) fn load_or_create(data_dir: &Path) -> Result<Self, NodeError> {
        let path = data_dir.join(IDENTITY_FILE);
        let seed = match read_seed(&path)? {
            Some(seed) => seed,
            None => create(data_dir, &path)?,
        };
        Ok(Self::from_seed(&seed))
    }

    fn from_seed(seed: &[u8; SEED_LEN]) -> Self {
        Self {
            key: MemberKey::from_seed(seed),
        }
    }

    /// The member id: the public key.
    pub(crate) fn member(&self) -> MemberId {
        self.key.member()
    }

    /// The signing key: what signs changes and membership entries.
    pub(crate) fn key(&self) -> &MemberKey {
        &self.key
    }
}

fn identity_error(path: &Path, reason: impl Into<String>) -> NodeError {
    NodeError::Identity {
        path: path.to_owned(),
        reason: reason.into(),
    }
}

/// The seed in the key file, `None` when there is no file.
fn read_seed(path: &Path) -> Result<Option<[u8; SEED_LEN]>, NodeError> {
    let mut file = match File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(identity_error(path, format!("cannot read it: {e}"))),
    };
    check_private(&file, path)?;
    let mut bytes = Vec::with_capacity(SEED_LEN);
    Read::by_ref(&mut file)
        .take(SEED_LEN as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| identity_error(path, format!("cannot read it: {e}")))?;
    let seed = <[u8; SEED_LEN]>::try_from(bytes.as_slice()).map_err(|_| {
        identity_error(
            path,
            format!(
                "it holds {} bytes where a key has {SEED_LEN}",
                if bytes.len() > SEED_LEN {
                    "more".to_owned()
                } else {
                    bytes.len().to_string()
                }
            ),
        )
    })?;
    Ok(Some(seed))
}

/// Refuse a key file other users can read or write.
#[cfg(unix)]
fn check_private(file: &File, path: &Path) -> Result<(), NodeError> {
    use std::os::unix::fs::PermissionsExt;
    let mode = file
        .metadata()
        .map_err(|e| identity_error(path, format!("cannot read it: {e}")))?
        .permissions()
        .mode();
    if mode & 0o077 != 0 {
        return Err(NodeError::IdentityExposed {
            path: path.to_owned(),
            mode: mode & 0o777,
        });
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_private(_file: &File, _path: &Path) -> Result<(), NodeError> {
    Ok(())
}

/// Create the key file with a new random seed and return the seed in it
/// (another process's, if it created the file first).
fn create(data_dir: &Path, path: &Path) -> Result<[u8; SEED_LEN], NodeError> {
    let mut seed = [0u8; SEED_LEN];
    getrandom::fill(&mut seed)
        .map_err(|e| identity_error(path, format!("no random source to make a key: {e}")))?;
    let mut suffix = [0u8; 8];
    getrandom::fill(&mut suffix)
        .map_err(|e| identity_error(path, format!("no random source to make a key: {e}")))?;
    let tmp: PathBuf = data_dir.join(format!(
        ".{IDENTITY_FILE}.{}",
        suffix
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    ));
    let write = || -> std::io::Result<()> {
        let mut file = private_file(&tmp)?;
        file.write_all(&seed)?;
        file.sync_all()
    };
    let result = write().and_then(|()| std::fs::hard_link(&tmp, path));
    let _ = std::fs::remove_file(&tmp);
    match result {
        Ok(()) => Ok(seed),
        // Another process made one first: use it.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            read_seed(path)?.ok_or_else(|| identity_error(path, "it vanished while being created"))
        }
        Err(e) => Err(identity_error(path, format!("cannot create it: {e}"))),
    }
}

/// A new file only its owner can read and write.
fn private_file(path: &Path) -> std::io::Result<File> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_public_key_is_derived_from_the_seed() {
        // RFC 8032, test 1: the secret key and the public key it gives.
        let hex = |s: &str| -> Vec<u8> {
            (0..s.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
                .collect()
        };
        let seed: [u8; 32] =
            hex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
                .try_into()
                .unwrap();
        assert_eq!(
            Identity::from_seed(&seed).member().to_string(),
            "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
        );
    }

    #[test]
    fn a_key_file_of_the_wrong_size_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(IDENTITY_FILE);
        private_file(&path)
            .unwrap()
            .write_all(b"too short")
            .unwrap();
        let err = Identity::load_or_create(dir.path()).unwrap_err();
        assert!(
            err.to_string()
                .contains("it holds 9 bytes where a key has 32"),
            "{err}"
        );
    }
}
