//! The byte-level encoding frames are made of: LEB128 varints, fixed
//! arrays, length-prefixed byte strings, and counted lists.
//!
//! Writing goes to a [`Sink`] (a `Vec<u8>`, or a [`Counter`] that only
//! measures). Reading goes through a [`Reader`] that never panics and never
//! allocates more than the bytes it was given can justify: every count is
//! checked against a limit and against the bytes that remain.

use crate::frame::FrameError;

/// Where encoded bytes go.
pub(crate) trait Sink {
    fn put(&mut self, bytes: &[u8]);

    fn put_u8(&mut self, byte: u8) {
        self.put(&[byte]);
    }

    fn put_varint(&mut self, mut value: u64) {
        let mut buf = [0u8; 10];
        let mut len = 0;
        loop {
            let byte = (value & 0x7f) as u8;
            value >>= 7;
            if value == 0 {
                buf[len] = byte;
                len += 1;
                break;
            }
            buf[len] = byte | 0x80;
            len += 1;
        }
        self.put(&buf[..len]);
    }

    fn put_len(&mut self, len: usize) {
        self.put_varint(len as u64);
    }

    fn put_bytes(&mut self, bytes: &[u8]) {
        self.put_len(bytes.len());
        self.put(bytes);
    }

    fn put_str(&mut self, s: &str) {
        self.put_bytes(s.as_bytes());
    }
}

impl Sink for Vec<u8> {
    fn put(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
    }
}

/// A sink that only counts, to size a frame without encoding it.
#[derive(Debug, Default)]
pub(crate) struct Counter(pub(crate) usize);

impl Sink for Counter {
    fn put(&mut self, bytes: &[u8]) {
        self.0 += bytes.len();
    }
}

/// Reads a frame's payload front to back.
#[derive(Debug)]
pub(crate) struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    pub(crate) fn new(bytes: &'a [u8]) -> Self {
        Self { rest: bytes }
    }

    pub(crate) fn remaining(&self) -> usize {
        self.rest.len()
    }

    pub(crate) fn u8(&mut self) -> Result<u8, FrameError> {
        let (&first, rest) = self.rest.split_first().ok_or(FrameError::Truncated)?;
        self.rest = rest;
        Ok(first)
    }

    pub(crate) fn take(&mut self, len: usize) -> Result<&'a [u8], FrameError> {
        if len > self.rest.len() {
            return Err(FrameError::Truncated);
        }
        let (head, rest) = self.rest.split_at(len);
        self.rest = rest;
        Ok(head)
    }

    pub(crate) fn array<const N: usize>(&mut self) -> Result<[u8; N], FrameError> {
        let bytes = self.take(N)?;
        let mut out = [0u8; N];
        out.copy_from_slice(bytes);
        Ok(out)
    }

    pub(crate) fn varint(&mut self) -> Result<u64, FrameError> {
        let mut value: u64 = 0;
        for i in 0..10 {
            let byte = self.u8()?;
            let bits = u64::from(byte & 0x7f);
            if i == 9 && byte > 1 {
                return Err(FrameError::Malformed("varint overflows 64 bits"));
            }
            value |= bits << (7 * i);
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(FrameError::Malformed("varint longer than 10 bytes"))
    }

    /// A count of items that each take at least `min_item_bytes` bytes,
    /// at most `limit` of them: refused before anything is allocated for
    /// them when the count is over the limit or more than the remaining
    /// bytes could hold.
    pub(crate) fn count(
        &mut self,
        what: &'static str,
        limit: usize,
        min_item_bytes: usize,
    ) -> Result<usize, FrameError> {
        let n = self.varint()?;
        let n = usize::try_from(n).map_err(|_| FrameError::TooMany { what, limit })?;
        if n > limit {
            return Err(FrameError::TooMany { what, limit });
        }
        if n.saturating_mul(min_item_bytes.max(1)) > self.remaining() && min_item_bytes > 0 {
            return Err(FrameError::Truncated);
        }
        Ok(n)
    }

    pub(crate) fn bytes(&mut self) -> Result<&'a [u8], FrameError> {
        let len = self.varint()?;
        let len = usize::try_from(len).map_err(|_| FrameError::Truncated)?;
        self.take(len)
    }

    pub(crate) fn string(&mut self) -> Result<String, FrameError> {
        let bytes = self.bytes()?;
        std::str::from_utf8(bytes)
            .map(str::to_owned)
            .map_err(|_| FrameError::Malformed("text is not utf-8"))
    }

    pub(crate) fn finish(self) -> Result<(), FrameError> {
        if self.rest.is_empty() {
            Ok(())
        } else {
            Err(FrameError::TrailingBytes(self.rest.len()))
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    fn check_varint(value: u64, expected_len: usize) {
        let mut out = Vec::new();
        out.put_varint(value);
        assert_eq!(out.len(), expected_len, "{value}");
        let mut counter = Counter::default();
        counter.put_varint(value);
        assert_eq!(counter.0, expected_len);
        let mut r = Reader::new(&out);
        assert_eq!(r.varint().unwrap(), value);
        r.finish().unwrap();
    }

    #[test]
    fn varints_round_trip_at_their_boundaries() {
        check_varint(0, 1);
        check_varint(127, 1);
        check_varint(128, 2);
        check_varint(16_383, 2);
        check_varint(16_384, 3);
        check_varint(u64::from(u32::MAX), 5);
        check_varint(u64::MAX, 10);
    }

    #[test]
    fn overlong_varints_are_refused() {
        let eleven = [0xffu8; 11];
        assert!(Reader::new(&eleven).varint().is_err());
        let mut too_big = vec![0xffu8; 9];
        too_big.push(0x02);
        assert!(Reader::new(&too_big).varint().is_err());
        assert!(Reader::new(&[0x80]).varint().is_err());
    }

    #[test]
    fn counts_are_checked_against_limit_and_remaining_bytes() {
        let mut out = Vec::new();
        out.put_varint(1_000_000);
        assert!(matches!(
            Reader::new(&out).count("things", 10, 1),
            Err(FrameError::TooMany { .. })
        ));
        assert!(matches!(
            Reader::new(&out).count("things", usize::MAX, 32),
            Err(FrameError::Truncated)
        ));
    }
}
