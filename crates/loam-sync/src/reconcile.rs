//! Range-based set reconciliation of `(DocId → heads digest)`.
//!
//! Both sides sort their documents by id. The initiator sends the whole id
//! space split into [`Limits::split`] ranges, each with its
//! [`Fingerprint`]. A side receiving a range's fingerprint compares it with
//! its own: equal ranges are skipped; a differing range is answered with
//! its items when it holds at most [`Limits::items_below`] documents, else
//! split again. A side receiving items compares them with its own and
//! starts syncing every document that differs (missing on either side, or
//! with other heads); it answers nothing for that range, since only one
//! side needs to know a document differs to start its Automerge sync.
//!
//! Cost: each round multiplies the differing ranges by the split factor
//! and divides their size by it, so the bytes spent grow with the number of
//! differing documents times the log of the garden's size, and an equal
//! garden costs one fingerprint.

use std::collections::HashMap;

use loam_core::DocId;

use crate::fingerprint::{Accumulator, Fingerprint, HeadsDigest, item_hash};
use crate::frame::{Bound, Range, RangePayload, ShortDigest};
use crate::limits::Limits;

/// One side's documents, sorted by id, with their item hashes.
#[derive(Debug, Default)]
pub(crate) struct ItemSet {
    ids: Vec<u128>,
    docs: Vec<DocId>,
    digests: Vec<HeadsDigest>,
    hashes: Vec<[u8; 32]>,
}

/// What a side makes of a `Ranges` frame.
#[derive(Debug, Default)]
pub(crate) struct Reply {
    /// The ranges to send back (empty: nothing to say).
    pub ranges: Vec<Range>,
    /// Documents found to differ, to sync.
    pub differing: Vec<DocId>,
    /// Those of `differing` the peer holds none of (they are not among its
    /// items): they can be sent whole, without a first exchange of heads.
    pub missing_there: Vec<DocId>,
}

impl Reply {
    /// Whether the peer must answer this reply.
    pub fn asks(&self) -> bool {
        self.ranges
            .iter()
            .any(|r| matches!(r.payload, RangePayload::Fingerprint(_)))
    }
}

impl ItemSet {
    /// The set of these items (sorted here; a repeated id keeps its first
    /// digest).
    pub fn new(mut items: Vec<(DocId, HeadsDigest)>) -> Self {
        items.sort_by_key(|item| item.0);
        items.dedup_by(|a, b| a.0 == b.0);
        let mut set = Self {
            ids: Vec::with_capacity(items.len()),
            docs: Vec::with_capacity(items.len()),
            digests: Vec::with_capacity(items.len()),
            hashes: Vec::with_capacity(items.len()),
        };
        for (doc, digest) in items {
            set.ids.push(u128::from_be_bytes(*doc.as_bytes()));
            set.hashes.push(item_hash(doc, &digest));
            set.docs.push(doc);
            set.digests.push(digest);
        }
        set
    }

    /// How many documents.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    fn index_range(&self, lower: u128, upper: &Bound) -> std::ops::Range<usize> {
        let start = self.ids.partition_point(|id| *id < lower);
        let end = match upper.value() {
            Some(v) => self.ids.partition_point(|id| *id < v),
            None => self.ids.len(),
        };
        start..end.max(start)
    }

    fn fingerprint(&self, r: std::ops::Range<usize>) -> Fingerprint {
        let mut acc = Accumulator::new();
        for h in &self.hashes[r] {
            acc.add(h);
        }
        acc.fingerprint()
    }

    fn items(&self, r: std::ops::Range<usize>) -> Vec<(DocId, ShortDigest)> {
        r.map(|i| (self.docs[i], short(&self.digests[i]))).collect()
    }

    /// The first step: the whole id space.
    pub fn initial(&self, limits: &Limits) -> Vec<Range> {
        let mut out = Vec::new();
        self.describe(0..self.len(), Bound::End, limits, &mut out);
        out
    }

    /// Describe `r` (ending at `upper`) to the peer: its items when few,
    /// else fingerprints of sub-ranges.
    fn describe(
        &self,
        r: std::ops::Range<usize>,
        upper: Bound,
        limits: &Limits,
        out: &mut Vec<Range>,
    ) {
        let n = r.len();
        if n <= limits.items_below {
            out.push(Range {
                upper,
                payload: RangePayload::Items(self.items(r)),
            });
            return;
        }
        let k = limits.split.clamp(2, n);
        for j in 0..k {
            let s = r.start + j * n / k;
            let e = r.start + (j + 1) * n / k;
            let bound = if j + 1 == k {
                upper
            } else {
                Bound::between(self.ids[e - 1], self.ids[e])
            };
            out.push(Range {
                upper: bound,
                payload: RangePayload::Fingerprint(self.fingerprint(s..e)),
            });
        }
    }

    /// Answer the peer's ranges.
    pub fn respond(&self, incoming: &[Range], limits: &Limits) -> Result<Reply, &'static str> {
        let mut reply = Reply::default();
        let mut lower: Option<u128> = Some(0);
        for range in incoming {
            let Some(low) = lower else {
                return Err("a range after the end of the id space");
            };
            if let Some(v) = range.upper.value()
                && v <= low
                && !(v == 0 && low == 0)
            {
                return Err("range bounds do not increase");
            }
            let r = self.index_range(low, &range.upper);
            match &range.payload {
                RangePayload::Skip => skip(&mut reply.ranges, range.upper),
                RangePayload::Fingerprint(theirs) => {
                    if self.fingerprint(r.clone()) == *theirs {
                        skip(&mut reply.ranges, range.upper);
                    } else {
                        self.describe(r, range.upper, limits, &mut reply.ranges);
                    }
                }
                RangePayload::Items(items) => {
                    let mine: HashMap<DocId, ShortDigest> = r
                        .clone()
                        .map(|i| (self.docs[i], short(&self.digests[i])))
                        .collect();
                    let mut seen = HashMap::with_capacity(items.len());
                    for (doc, digest) in items {
                        let id = u128::from_be_bytes(*doc.as_bytes());
                        if id < low || !range.upper.above(id) {
                            return Err("an item outside its range");
                        }
                        if seen.insert(*doc, ()).is_some() {
                            continue;
                        }
                        if mine.get(doc) != Some(digest) {
                            reply.differing.push(*doc);
                        }
                    }
                    for i in r {
                        if !seen.contains_key(&self.docs[i]) {
                            reply.differing.push(self.docs[i]);
                            reply.missing_there.push(self.docs[i]);
                        }
                    }
                    skip(&mut reply.ranges, range.upper);
                }
            }
            lower = range.upper.value();
        }
        while matches!(
            reply.ranges.last(),
            Some(Range {
                payload: RangePayload::Skip,
                ..
            })
        ) {
            reply.ranges.pop();
        }
        Ok(reply)
    }
}

/// Append a skip up to `upper`, merged into a skip before it.
fn skip(out: &mut Vec<Range>, upper: Bound) {
    if let Some(Range {
        upper: last,
        payload: RangePayload::Skip,
    }) = out.last_mut()
    {
        *last = upper;
    } else {
        out.push(Range {
            upper,
            payload: RangePayload::Skip,
        });
    }
}

fn short(digest: &HeadsDigest) -> ShortDigest {
    let mut out = [0u8; 16];
    out.copy_from_slice(&digest[..16]);
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::collections::BTreeSet;

    use super::*;

    /// Items `0..n` with digest `version`, as a tiny deterministic garden.
    fn garden(n: u32, changed: &[u32], missing: &[u32]) -> Vec<(DocId, HeadsDigest)> {
        (0..n)
            .filter(|i| !missing.contains(i))
            .map(|i| {
                let mut id = [0u8; 16];
                // Spread ids over the space like random ones.
                id.copy_from_slice(&item_hash(DocId::from_bytes([0; 16]), &[i as u8; 32])[..16]);
                id[12..].copy_from_slice(&i.to_be_bytes());
                let digest = [u8::from(changed.contains(&i)); 32];
                (DocId::from_bytes(id), digest)
            })
            .collect()
    }

    /// What a whole reconciliation found.
    struct Found {
        differing: BTreeSet<DocId>,
        /// Documents a side said the other holds none of, with that side
        /// (`true`: a).
        missing_there: Vec<(bool, DocId)>,
        bytes: usize,
        frames: usize,
    }

    /// Run reconciliation to the end.
    fn reconcile(a: &ItemSet, b: &ItemSet, limits: &Limits) -> Found {
        let mut found = Found {
            differing: BTreeSet::new(),
            missing_there: Vec::new(),
            bytes: 0,
            frames: 0,
        };
        let mut frame = a.initial(limits);
        let mut sides = [(b, false), (a, true)];
        while !frame.is_empty() {
            found.frames += 1;
            found.bytes += crate::Frame::Ranges {
                ranges: frame.clone(),
            }
            .encoded_len();
            let (side, is_a) = sides[0];
            let reply = side.respond(&frame, limits).unwrap();
            found.differing.extend(reply.differing.iter().copied());
            found
                .missing_there
                .extend(reply.missing_there.iter().map(|d| (is_a, *d)));
            frame = reply.ranges;
            sides.swap(0, 1);
            assert!(found.frames < 20);
        }
        found
    }

    fn check(n: u32, changed: &[u32], missing_a: &[u32], missing_b: &[u32]) {
        let limits = Limits::default();
        let a_items = garden(n, &[], missing_a);
        let b_items = garden(n, changed, missing_b);
        let expected: BTreeSet<DocId> = {
            let a: HashMap<_, _> = a_items.iter().copied().collect();
            let b: HashMap<_, _> = b_items.iter().copied().collect();
            a.keys()
                .chain(b.keys())
                .filter(|d| a.get(d) != b.get(d))
                .copied()
                .collect()
        };
        let a: HashMap<_, _> = a_items.iter().copied().collect();
        let b: HashMap<_, _> = b_items.iter().copied().collect();
        let found = reconcile(&ItemSet::new(a_items), &ItemSet::new(b_items), &limits);
        assert_eq!(found.differing, expected, "n={n} changed={changed:?}");
        for (by_a, doc) in found.missing_there {
            let (here, there) = if by_a { (&a, &b) } else { (&b, &a) };
            assert!(
                here.contains_key(&doc) && !there.contains_key(&doc),
                "{doc}"
            );
        }
    }

    #[test]
    fn documents_an_empty_peer_lacks_are_reported_missing_there() {
        let limits = Limits::default();
        let full = garden(1000, &[], &[]);
        let found = reconcile(&ItemSet::new(full.clone()), &ItemSet::default(), &limits);
        let missing: BTreeSet<DocId> = found
            .missing_there
            .iter()
            .map(|(by_a, doc)| {
                assert!(by_a);
                *doc
            })
            .collect();
        assert_eq!(missing.len(), 1000);
        assert_eq!(missing, found.differing);
    }

    #[test]
    fn finds_exactly_the_documents_that_differ() {
        check(0, &[], &[], &[]);
        check(1, &[0], &[], &[]);
        check(3, &[], &[], &[1]);
        check(3, &[], &[0, 1, 2], &[]);
        check(100, &[5, 50, 99], &[7], &[8, 9]);
        check(1000, &[], &[], &[]);
        check(1000, &(0..1000).step_by(7).collect::<Vec<_>>(), &[3], &[]);
        check(1000, &[], &[], &(0..1000).collect::<Vec<_>>());
    }

    #[test]
    fn one_percent_of_ten_thousand_costs_in_proportion() {
        let limits = Limits::default();
        let changed: Vec<u32> = (0..10_000).step_by(100).map(|i| i + 37).collect();
        let a = ItemSet::new(garden(10_000, &[], &[]));
        let b = ItemSet::new(garden(10_000, &changed, &[]));
        let Found {
            differing: found,
            bytes,
            frames,
            ..
        } = reconcile(&a, &b, &limits);
        assert_eq!(found.len(), 100);
        println!("reconcile 100 of 10000: {bytes} bytes in {frames} frames");
        assert!(bytes < 100 * 1000, "{bytes} bytes");
    }

    #[test]
    #[ignore = "a table for tuning split and items_below"]
    fn tuning_table() {
        let changed: Vec<u32> = (0..10_000).step_by(100).map(|i| i + 37).collect();
        let a = ItemSet::new(garden(10_000, &[], &[]));
        let b = ItemSet::new(garden(10_000, &changed, &[]));
        for split in [4, 8, 16, 32] {
            for items_below in [1, 2, 4, 8, 16] {
                let limits = Limits {
                    split,
                    items_below,
                    ..Limits::default()
                };
                let Found {
                    differing: found,
                    bytes,
                    frames,
                    ..
                } = reconcile(&a, &b, &limits);
                assert_eq!(found.len(), 100);
                println!(
                    "split {split:2} items_below {items_below:2}: {bytes:6} bytes, {frames} frames"
                );
            }
        }
    }

    #[test]
    fn malformed_ranges_are_refused() {
        let set = ItemSet::new(garden(10, &[], &[]));
        let limits = Limits::default();
        let end_then_more = [
            Range {
                upper: Bound::End,
                payload: RangePayload::Skip,
            },
            Range {
                upper: Bound::End,
                payload: RangePayload::Skip,
            },
        ];
        assert!(set.respond(&end_then_more, &limits).is_err());
        let decreasing = [
            Range {
                upper: Bound::Below { value: 10, len: 16 },
                payload: RangePayload::Skip,
            },
            Range {
                upper: Bound::Below { value: 5, len: 16 },
                payload: RangePayload::Skip,
            },
        ];
        assert!(set.respond(&decreasing, &limits).is_err());
        let outside = [Range {
            upper: Bound::Below { value: 1, len: 16 },
            payload: RangePayload::Items(vec![(DocId::from_bytes([9; 16]), [0; 16])]),
        }];
        assert!(set.respond(&outside, &limits).is_err());
    }
}
