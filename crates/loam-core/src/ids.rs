//! Identifiers shown as lowercase hex: random 128-bit ids for gardens and
//! documents (32 digits), and members' public keys (64 digits).

use std::fmt;
use std::str::FromStr;

/// Why a string is not an id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{input}` is not an id: expected {digits} hexadecimal digits")]
pub struct IdParseError {
    /// The text that failed to parse.
    pub input: String,
    /// How many hex digits the id has.
    pub digits: usize,
}

/// An id type over `$len` bytes, shown as hex.
macro_rules! hex_id_type {
    ($(#[$meta:meta])* $name:ident, $len:literal) => {
        $(#[$meta])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name([u8; $len]);

        impl $name {
            /// The id with exactly these bytes.
            pub const fn from_bytes(bytes: [u8; $len]) -> Self {
                Self(bytes)
            }

            /// The raw bytes.
            pub const fn as_bytes(&self) -> &[u8; $len] {
                &self.0
            }

            /// The id from a byte slice of the right length.
            pub fn from_slice(bytes: &[u8]) -> Option<Self> {
                <[u8; $len]>::try_from(bytes).ok().map(Self)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                for b in self.0 {
                    write!(f, "{b:02x}")?;
                }
                Ok(())
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({self})", stringify!($name))
            }
        }

        impl FromStr for $name {
            type Err = IdParseError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                parse_hex::<$len>(s).map(Self).ok_or_else(|| IdParseError {
                    input: s.to_owned(),
                    digits: 2 * $len,
                })
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_str(self)
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                s.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}

/// A random 128-bit id.
macro_rules! id_type {
    ($(#[$meta:meta])* $name:ident) => {
        hex_id_type!($(#[$meta])* $name, 16);

        impl $name {
            /// A new id from the operating system's random source.
            ///
            /// # Panics
            /// Never in practice: only if the OS has no entropy source at all.
            #[allow(clippy::expect_used)]
            pub fn random() -> Self {
                let mut bytes = [0u8; 16];
                getrandom::fill(&mut bytes).expect("the operating system has no random source");
                Self(bytes)
            }
        }
    };
}

id_type!(
    /// A garden: one community's shared space.
    GardenId
);
id_type!(
    /// A note or wiki page (each is its own Automerge document).
    DocId
);
hex_id_type!(
    /// The SHA-256 hash of an encoded membership entry: its name in the
    /// log (64 hex digits).
    EntryHash,
    32
);

hex_id_type!(
    /// A member: the ed25519 public key of one install's identity (its
    /// secret key stays in the data directory). Shown as 64 hex digits, or
    /// the first 8 of them ([`MemberId::short`]) where a person reads it.
    MemberId,
    32
);

impl MemberId {
    /// How many hex digits [`MemberId::short`] shows.
    pub const SHORT_DIGITS: usize = 8;

    /// The first [`MemberId::SHORT_DIGITS`] hex digits: enough to tell the
    /// members of a garden apart when no name is known.
    pub fn short(&self) -> String {
        let mut out = self.to_string();
        out.truncate(Self::SHORT_DIGITS);
        out
    }
}

fn parse_hex<const N: usize>(s: &str) -> Option<[u8; N]> {
    let s = s.as_bytes();
    if s.len() != 2 * N {
        return None;
    }
    let mut out = [0u8; N];
    for (i, pair) in s.chunks_exact(2).enumerate() {
        let hi = (pair[0] as char).to_digit(16)?;
        let lo = (pair[1] as char).to_digit(16)?;
        out[i] = u8::try_from(hi * 16 + lo).ok()?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_and_parse_round_trip() {
        let id = DocId::random();
        let text = id.to_string();
        assert_eq!(text.len(), 32);
        assert_eq!(text.parse::<DocId>().unwrap(), id);
        assert_eq!(text.to_uppercase().parse::<DocId>().unwrap(), id);
    }

    #[test]
    fn rejects_malformed_ids() {
        for bad in [
            "",
            "abc",
            &"g".repeat(32),
            &"0".repeat(31),
            &"0".repeat(33),
            "ééééééééééééééé",
        ] {
            let err = bad.parse::<GardenId>().unwrap_err();
            assert_eq!(err.input, bad);
            assert_eq!(err.digits, 32);
        }
    }

    #[test]
    fn member_ids_are_64_digits_with_a_short_form() {
        let id = MemberId::from_bytes([0xab; 32]);
        let text = id.to_string();
        assert_eq!(text, "ab".repeat(32));
        assert_eq!(id.short(), "abababab");
        assert_eq!(text.parse::<MemberId>().unwrap(), id);
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, format!("\"{text}\""));
        assert_eq!(serde_json::from_str::<MemberId>(&json).unwrap(), id);
        let err = "ab".repeat(16).parse::<MemberId>().unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "`{}` is not an id: expected 64 hexadecimal digits",
                "ab".repeat(16)
            )
        );
        assert_eq!(format!("{id:?}"), format!("MemberId({text})"));
    }
}
