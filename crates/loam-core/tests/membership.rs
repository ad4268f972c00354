//! The membership log: the fold rule's consequences, convergence whatever
//! the order entries arrive in, and decoding arbitrary bytes.

#![allow(clippy::unwrap_used)]

use loam_core::{
    Action, Entry, EntryHash, Inserted, InviteKey, InviteRefusal, MemberKey, MembershipError,
    MembershipLog, NoEffect, Role,
};

const T0: i64 = 1_763_600_000_000;

fn key(name: char) -> MemberKey {
    MemberKey::from_seed(&[name as u8; 32])
}

fn id(name: char) -> loam_core::MemberId {
    key(name).member()
}

/// A garden founded by `a`.
fn garden() -> MembershipLog {
    MembershipLog::found(&key('a'), "Workshop", "Ada", T0, [1; 16])
        .unwrap()
        .0
}

/// An entry by `author` on `parents`, signed but not checked against any
/// state (so that conflicting entries can be made).
fn entry(author: char, parents: &[EntryHash], action: Action) -> Entry {
    Entry::sign(&key(author), parents.to_vec(), T0 + 1, action).unwrap()
}

fn add(member: char, role: Role) -> Action {
    Action::Add {
        member: id(member),
        role,
        name: member.to_string(),
    }
}

/// The roles of every current member, as `a:facilitator b:member`.
fn roles(log: &MembershipLog) -> String {
    let mut names: Vec<String> = log
        .state()
        .members()
        .map(|m| format!("{}:{}", m.name.chars().next().unwrap(), m.role))
        .collect();
    names.sort();
    names.join(" ")
}

/// Both orders of inserting `entries` after the log's own give `expected`.
fn check_both_orders(log: &MembershipLog, entries: &[Entry], expected: &str) {
    for reversed in [false, true] {
        let mut copy = log.clone();
        let mut list = entries.to_vec();
        if reversed {
            list.reverse();
        }
        for e in list {
            copy.insert(e).unwrap();
        }
        assert_eq!(roles(&copy), expected, "reversed: {reversed}");
    }
}

#[test]
fn the_founder_is_the_only_facilitator_and_the_garden_id_comes_from_the_genesis() {
    let (log, genesis) = MembershipLog::found(&key('a'), "Workshop", "Ada", T0, [1; 16]).unwrap();
    assert_eq!(log.garden(), genesis.founds().unwrap());
    assert_eq!(log.heads(), [genesis.hash()]);
    assert_eq!(log.state().garden_name(), "Workshop");
    assert_eq!(roles(&log), "A:facilitator");
    assert_eq!(log.state().facilitators(), [id('a')]);
    let again = MembershipLog::from_entries(vec![genesis]).unwrap();
    assert_eq!(again.garden(), log.garden());
    assert_eq!(again.state(), log.state());
}

#[test]
fn append_refuses_what_would_have_no_effect() {
    let mut log = garden();
    log.append(&key('a'), add('b', Role::Member), T0 + 1)
        .unwrap();
    let invite = InviteKey::from_seed(&[7; 32]);
    let check = |log: &mut MembershipLog, who: char, action: Action, expected: &str| {
        let heads = log.heads();
        let err = log.append(&key(who), action, T0 + 2).unwrap_err();
        assert_eq!(err.to_string(), expected);
        assert_eq!(log.heads(), heads, "nothing added");
    };
    let b = id('b').short();
    check(
        &mut log,
        'b',
        Action::Invite {
            invite_key: invite.public(),
            role: Role::Member,
            expires_ms: None,
            uses: 1,
        },
        &format!("only facilitators can invite; {b} is a member"),
    );
    check(
        &mut log,
        'c',
        Action::SetName { name: "Cy".into() },
        &format!("{} is not a member of this garden", id('c').short()),
    );
    check(
        &mut log,
        'a',
        Action::Remove { member: id('a') },
        "the garden would have no facilitator left; make someone else a facilitator first",
    );
    check(
        &mut log,
        'a',
        Action::SetRole {
            member: id('b'),
            role: Role::Member,
        },
        &format!("{b} is a member already"),
    );
    check(
        &mut log,
        'a',
        Action::Revoke {
            invite_key: invite.public(),
        },
        "this invite is not known in this garden",
    );
    let err = log
        .append(
            &key('a'),
            Action::Genesis {
                garden_name: "x".into(),
                founder_name: "y".into(),
                nonce: [0; 16],
            },
            T0,
        )
        .unwrap_err();
    assert_eq!(err, MembershipError::Refused(NoEffect::SecondGenesis));
}

#[test]
fn invites_are_redeemed_until_used_up_expired_or_revoked() {
    let mut log = garden();
    let invite = InviteKey::generate().unwrap();
    let made = log
        .append(
            &key('a'),
            Action::Invite {
                invite_key: invite.public(),
                role: Role::Reader,
                expires_ms: Some(T0 + 100),
                uses: 2,
            },
            T0 + 1,
        )
        .unwrap();
    let state = log.state();
    assert_eq!(
        state.check_invite(invite.public(), T0 + 50),
        Ok(Role::Reader)
    );
    assert_eq!(
        state.check_invite(invite.public(), T0 + 101),
        Err(InviteRefusal::Expired {
            expires_ms: T0 + 100
        })
    );
    assert_eq!(state.check_invite(id('z'), T0), Err(InviteRefusal::Unknown));

    let redeem = |who: char, at: i64, log: &MembershipLog| {
        Entry::redeem(
            &key(who),
            &invite.seed(),
            log.garden(),
            log.heads(),
            &who.to_string(),
            at,
        )
        .unwrap()
    };
    let b = redeem('b', T0 + 10, &log);
    assert_eq!(log.check_redeem(&b, T0 + 10), Ok(Role::Reader));
    assert!(matches!(log.insert(b.clone()).unwrap(), Inserted::Added(_)));
    assert_eq!(log.insert(b.clone()).unwrap(), Inserted::Known);
    assert_eq!(
        log.check_redeem(&b, T0 + 10),
        Err(MembershipError::Refused(NoEffect::AlreadyMember(id('b'))))
    );
    // Too late by the admitting member's clock, and by the entry's own.
    let late = redeem('c', T0 + 200, &log);
    assert_eq!(
        log.check_redeem(&late, T0 + 200),
        Err(MembershipError::Refused(NoEffect::Invite(
            InviteRefusal::Expired {
                expires_ms: T0 + 100
            }
        )))
    );
    log.insert(late).unwrap();
    assert_eq!(roles(&log), "A:facilitator b:reader");
    let c = redeem('c', T0 + 20, &log);
    log.insert(c).unwrap();
    assert_eq!(roles(&log), "A:facilitator b:reader c:reader");
    // Two uses, both taken. (Concurrent redeems would be decided by
    // hash: see concurrent_redeems_beyond_the_uses_have_no_effect.)
    let d = redeem('d', T0 + 30, &log);
    assert_eq!(
        log.check_redeem(&d, T0 + 30),
        Err(MembershipError::Refused(NoEffect::Invite(
            InviteRefusal::UsedUp { uses: 2 }
        )))
    );
    log.insert(d.clone()).unwrap();
    assert_eq!(roles(&log), "A:facilitator b:reader c:reader");
    let line = log
        .state()
        .log()
        .iter()
        .find(|l| l.hash == d.hash())
        .unwrap();
    assert_eq!(
        line.ignored,
        Some(NoEffect::Invite(InviteRefusal::UsedUp { uses: 2 }))
    );

    // A redeem signed for another garden, or a forged proof, is refused.
    let elsewhere = Entry::redeem(
        &key('e'),
        &invite.seed(),
        loam_core::GardenId::from_bytes([9; 16]),
        vec![made.hash()],
        "E",
        T0,
    )
    .unwrap();
    assert_eq!(
        log.insert(elsewhere),
        Err(MembershipError::BadProof(id('e')))
    );
}

#[test]
fn two_facilitators_removing_each_other_remove_exactly_one() {
    let mut log = garden();
    log.append(&key('a'), add('b', Role::Facilitator), T0 + 1)
        .unwrap();
    let heads = log.heads();
    let a_removes_b = entry('a', &heads, Action::Remove { member: id('b') });
    let b_removes_a = entry('b', &heads, Action::Remove { member: id('a') });
    let expected = if a_removes_b.hash() < b_removes_a.hash() {
        "A:facilitator"
    } else {
        "b:facilitator"
    };
    check_both_orders(&log, &[a_removes_b, b_removes_a], expected);
}

#[test]
fn a_redeem_racing_the_revoke_of_its_invite_has_no_effect() {
    let mut log = garden();
    let invite = InviteKey::from_seed(&[5; 32]);
    let made = log
        .append(
            &key('a'),
            Action::Invite {
                invite_key: invite.public(),
                role: Role::Member,
                expires_ms: None,
                uses: 1,
            },
            T0 + 1,
        )
        .unwrap();
    let revoke = entry(
        'a',
        &[made.hash()],
        Action::Revoke {
            invite_key: invite.public(),
        },
    );
    let redeem = Entry::redeem(
        &key('b'),
        &invite.seed(),
        log.garden(),
        vec![made.hash()],
        "b",
        T0 + 1,
    )
    .unwrap();
    check_both_orders(&log, &[revoke.clone(), redeem.clone()], "A:facilitator");
    log.insert(redeem.clone()).unwrap();
    log.insert(revoke).unwrap();
    let line = log
        .state()
        .log()
        .iter()
        .find(|l| l.hash == redeem.hash())
        .unwrap();
    assert_eq!(line.ignored, Some(NoEffect::Invite(InviteRefusal::Revoked)));
}

#[test]
fn concurrent_redeems_beyond_the_uses_have_no_effect() {
    let mut log = garden();
    let invite = InviteKey::from_seed(&[6; 32]);
    let made = log
        .append(
            &key('a'),
            Action::Invite {
                invite_key: invite.public(),
                role: Role::Member,
                expires_ms: None,
                uses: 1,
            },
            T0 + 1,
        )
        .unwrap();
    let redeems: Vec<Entry> = ['b', 'c']
        .into_iter()
        .map(|who| {
            Entry::redeem(
                &key(who),
                &invite.seed(),
                log.garden(),
                vec![made.hash()],
                &who.to_string(),
                T0 + 2,
            )
            .unwrap()
        })
        .collect();
    let winner = if redeems[0].hash() < redeems[1].hash() {
        "b"
    } else {
        "c"
    };
    check_both_orders(&log, &redeems, &format!("A:facilitator {winner}:member"));
}

#[test]
fn entries_concurrent_with_or_after_their_authors_removal_have_no_effect() {
    let mut log = garden();
    log.append(&key('a'), add('b', Role::Facilitator), T0 + 1)
        .unwrap();
    let heads = log.heads();
    let removal = entry('a', &heads, Action::Remove { member: id('b') });
    let invite = entry(
        'b',
        &heads,
        Action::Invite {
            invite_key: id('x'),
            role: Role::Member,
            expires_ms: None,
            uses: 1,
        },
    );
    let add_c = entry('b', &heads, add('c', Role::Member));
    check_both_orders(
        &log,
        &[invite.clone(), add_c, removal.clone()],
        "A:facilitator",
    );
    log.insert(invite).unwrap();
    log.insert(removal.clone()).unwrap();
    assert_eq!(
        log.state().check_invite(id('x'), T0),
        Err(InviteRefusal::Unknown)
    );
    // After the removal, by someone who saw it.
    let later = entry('b', &log.heads(), Action::SetName { name: "B2".into() });
    log.insert(later).unwrap();
    let last = log.state().log().last().unwrap();
    assert_eq!(last.ignored, Some(NoEffect::AuthorRemoved(id('b'))));
    assert_eq!(log.state().removed().next().unwrap().id, id('b'));
    // Re-admitted, their entries count again.
    log.append(&key('a'), add('b', Role::Reader), T0 + 5)
        .unwrap();
    assert_eq!(roles(&log), "A:facilitator b:reader");
    assert_eq!(log.state().removed().count(), 0);
}

#[test]
fn entries_wait_for_their_parents_and_missing_entries_are_found() {
    let mut a = garden();
    let genesis = a.entries().next().unwrap().clone();
    let e1 = a.append(&key('a'), add('b', Role::Member), T0 + 1).unwrap();
    let e2 = a.append(&key('a'), add('c', Role::Reader), T0 + 2).unwrap();
    let e3 = a
        .append(&key('b'), Action::SetName { name: "Bo".into() }, T0 + 3)
        .unwrap();

    let mut b = MembershipLog::from_entries(vec![genesis.clone()]).unwrap();
    assert_eq!(b.insert(e3.clone()).unwrap(), Inserted::Pending);
    assert_eq!(b.insert(e2.clone()).unwrap(), Inserted::Pending);
    assert_eq!(b.pending(), 2);
    assert!(!b.contains(&e3.hash()));
    assert_eq!(
        b.insert(e1.clone()).unwrap(),
        Inserted::Added(vec![e1.hash(), e2.hash(), e3.hash()])
    );
    assert_eq!(b.pending(), 0);
    assert_eq!(b.state(), a.state());
    assert_eq!(b.heads(), [e3.hash()]);

    let hashes = |entries: Vec<&Entry>| entries.iter().map(|e| e.hash()).collect::<Vec<_>>();
    assert_eq!(
        hashes(a.entries_missing_from(&[e1.hash()])),
        [e2.hash(), e3.hash()]
    );
    assert!(a.entries_missing_from(&a.heads()).is_empty());
    // Heads we do not know are ignored: send everything.
    assert_eq!(
        a.entries_missing_from(&[EntryHash::from_bytes([0; 32])])
            .len(),
        4
    );

    // Another garden's genesis is refused; so is a forged signature.
    let (other, other_genesis) =
        MembershipLog::found(&key('a'), "Other", "Ada", T0, [2; 16]).unwrap();
    assert_eq!(
        b.insert(other_genesis),
        Err(MembershipError::OtherGarden {
            ours: b.garden(),
            theirs: other.garden()
        })
    );
    let mut forged = e1.encoded().to_vec();
    let last = forged.len() - 1;
    forged[last] ^= 1;
    let forged = Entry::decode(&forged).unwrap();
    let mut c = MembershipLog::from_entries(vec![genesis]).unwrap();
    assert_eq!(
        c.insert(forged),
        Err(MembershipError::BadSignature(id('a')))
    );
}

/// A small deterministic random source (xorshift64).
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }

    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            items.swap(i, self.below(i + 1));
        }
    }
}

fn seed() -> u64 {
    let seed = std::env::var("LOAM_TEST_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
        });
    println!("seed: {seed} (LOAM_TEST_SEED={seed} replays it)");
    seed
}

/// Random concurrent histories: several authors, each writing on what it
/// has seen, syncing now and then with another; then every entry inserted
/// in a random order (some twice) on each of several peers. Every peer
/// must fold to the same membership.
#[test]
fn every_peer_folds_the_same_membership_whatever_the_order() {
    let seed = seed();
    let mut rng = Rng(seed | 1);
    let authors = ['a', 'b', 'c', 'd', 'e', 'f'];
    let invites: Vec<InviteKey> = (0..3u8)
        .map(|i| InviteKey::from_seed(&[100 + i; 32]))
        .collect();
    for round in 0..30 {
        let (mut founder, genesis) =
            MembershipLog::found(&key('a'), "Garden", "a", T0, [round; 16]).unwrap();
        let garden = founder.garden();
        // Three facilitators and a member to start with.
        let mut all: Vec<Entry> = [
            ('b', Role::Facilitator),
            ('c', Role::Facilitator),
            ('d', Role::Member),
        ]
        .into_iter()
        .map(|(who, role)| founder.append(&key('a'), add(who, role), T0).unwrap())
        .collect();
        let mut views: Vec<MembershipLog> = authors.iter().map(|_| founder.clone()).collect();
        for step in 0..40 {
            let mut i = rng.below(authors.len());
            // Mostly someone who (as far as they know) may manage.
            if rng.below(3) > 0 && views[i].role(id(authors[i])) != Some(Role::Facilitator) {
                i = rng.below(3);
            }
            if rng.below(4) == 0 {
                // Sync with another author.
                let j = rng.below(authors.len());
                let missing: Vec<Entry> = views[j]
                    .entries_missing_from(&views[i].heads())
                    .into_iter()
                    .cloned()
                    .collect();
                views[i].insert_many(missing);
                continue;
            }
            let member = id(authors[rng.below(authors.len())]);
            let role = Role::ALL[rng.below(3)];
            let invite = &invites[rng.below(invites.len())];
            let action = match rng.below(8) {
                0 | 1 => Action::Add {
                    member,
                    role,
                    name: "m".into(),
                },
                2 => Action::SetRole { member, role },
                3 => Action::Remove { member },
                4 => Action::Invite {
                    invite_key: invite.public(),
                    role,
                    expires_ms: Some(T0 + 20 * rng.below(40) as i64),
                    uses: 1 + rng.below(2) as u32,
                },
                5 => Action::Revoke {
                    invite_key: invite.public(),
                },
                6 => Action::SetName {
                    name: format!("n{step}"),
                },
                _ => {
                    let e = Entry::redeem(
                        &key(authors[i]),
                        &invite.seed(),
                        garden,
                        views[i].heads(),
                        "r",
                        T0 + 20 * step,
                    )
                    .unwrap();
                    views[i].insert(e.clone()).unwrap();
                    all.push(e);
                    continue;
                }
            };
            let e =
                Entry::sign(&key(authors[i]), views[i].heads(), T0 + 20 * step, action).unwrap();
            views[i].insert(e.clone()).unwrap();
            all.push(e);
        }
        let mut expected = None;
        for peer in 0..4 {
            let mut order = all.clone();
            rng.shuffle(&mut order);
            let mut log = MembershipLog::from_entries(vec![genesis.clone()]).unwrap();
            for e in order {
                if rng.below(5) == 0 {
                    log.insert(e.clone()).unwrap();
                }
                log.insert(e).unwrap();
            }
            assert_eq!(log.pending(), 0);
            assert_eq!(log.len(), all.len() + 1);
            assert!(
                !log.state().facilitators().is_empty(),
                "round {round}, seed {seed}: no facilitator left"
            );
            match &expected {
                None => expected = Some(log),
                Some(first) => {
                    assert_eq!(
                        log.state(),
                        first.state(),
                        "round {round}, peer {peer}, seed {seed}"
                    );
                    assert_eq!(log.heads(), first.heads(), "seed {seed}");
                }
            }
        }
        // A log made from all entries at once folds the same too.
        let mut everything = all.clone();
        everything.push(genesis);
        rng.shuffle(&mut everything);
        let at_once = MembershipLog::from_entries(everything).unwrap();
        assert_eq!(at_once.state(), expected.unwrap().state(), "seed {seed}");
    }
}

proptest::proptest! {
    #[test]
    fn decoding_arbitrary_bytes_never_panics(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..600)) {
        let _ = Entry::decode(&bytes);
    }

    #[test]
    fn decoding_mutated_entries_never_panics(flip in 0usize..400, byte in proptest::num::u8::ANY, cut in 0usize..400) {
        let log = garden();
        let invite = InviteKey::from_seed(&[3; 32]);
        let e = Entry::redeem(&key('b'), &invite.seed(), log.garden(), log.heads(), "Bo", T0).unwrap();
        let mut bytes = e.encoded().to_vec();
        let at = flip % bytes.len();
        bytes[at] = byte;
        bytes.truncate(bytes.len() - cut % bytes.len());
        if let Ok(decoded) = Entry::decode(&bytes) {
            // Whatever decodes encodes back to the same bytes.
            proptest::prop_assert_eq!(decoded.encoded(), bytes.as_slice());
        }
    }
}
