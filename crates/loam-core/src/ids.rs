//! Random 128-bit identifiers, shown as 32 lowercase hex digits.

use std::fmt;
use std::str::FromStr;

/// Why a string is not an id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{input}` is not an id: expected 32 hexadecimal digits")]
pub struct IdParseError {
    /// The text that failed to parse.
    pub input: String,
}

macro_rules! id_type {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name([u8; 16]);

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

            /// The id with exactly these bytes.
            pub const fn from_bytes(bytes: [u8; 16]) -> Self {
                Self(bytes)
            }

            /// The raw bytes.
            pub const fn as_bytes(&self) -> &[u8; 16] {
                &self.0
            }

            /// The id from a byte slice of length 16.
            pub fn from_slice(bytes: &[u8]) -> Option<Self> {
                <[u8; 16]>::try_from(bytes).ok().map(Self)
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
                parse_hex16(s).map(Self).ok_or_else(|| IdParseError { input: s.to_owned() })
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

id_type!(
    /// A garden: one community's shared space.
    GardenId
);
id_type!(
    /// A note or wiki page (each is its own Automerge document).
    DocId
);

fn parse_hex16(s: &str) -> Option<[u8; 16]> {
    let s = s.as_bytes();
    if s.len() != 32 {
        return None;
    }
    let mut out = [0u8; 16];
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
        }
    }
}
