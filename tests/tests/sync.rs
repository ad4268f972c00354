//! Members as real `loam` processes syncing over loopback: invites, offline
//! edits merging, a reader refused, a removed member cut off, strangers and
//! stale invites refused.

#![allow(clippy::unwrap_used)]

use std::time::Duration;

use loam_e2e::{Member, eventually};

#[test]
fn a_community_syncs_and_keeps_out_who_does_not_belong() -> anyhow::Result<()> {
    let mut ada = Member::new("Ada")?;
    let bo = Member::new("Bo")?;
    let cy = Member::new("Cy")?;
    let dee = Member::new("Dee")?;

    ada.run(&["init", "Commons"]).ok()?;
    ada.run(&["new", "Soil", "--body", "Loam is soil."]).ok()?;
    ada.serve()?;

    // Ada invites Bo as a member and Cy as a reader.
    let ticket_bo = ada
        .run(&["invite", "--role", "member"])
        .ok()?
        .trim()
        .to_owned();
    let joined = bo.run(&["join", &ticket_bo]).ok()?;
    assert!(joined.contains("Joined `Commons` as member"), "{joined}");
    assert_eq!(bo.run(&["cat", "Soil"]).ok()?.trim(), "Loam is soil.");
    let ticket_cy = ada
        .run(&["invite", "--role", "reader"])
        .ok()?
        .trim()
        .to_owned();
    cy.run(&["join", &ticket_cy]).ok()?;
    assert_eq!(cy.run(&["cat", "Soil"]).ok()?.trim(), "Loam is soil.");

    // Bo edits offline while Ada edits the same note; Bo comes back.
    bo.run(&["edit", "Soil", "--text", "Loam is soil. Bo adds worms."])
        .ok()?;
    ada.run(&["edit", "Soil", "--text", "Ada: Loam is soil."])
        .ok()?;
    let synced = bo.run(&["sync", "--once"]).ok()?;
    assert!(synced.contains("in sync"), "{synced}");
    let both = "Ada: Loam is soil. Bo adds worms.";
    assert_eq!(bo.run(&["cat", "Soil"]).ok()?.trim(), both);
    assert_eq!(ada.run(&["cat", "Soil"]).ok()?.trim(), both);
    // Authorship in the history comes from the signatures.
    let history = ada.run(&["history", "Soil"]).ok()?;
    assert!(
        history.contains("Bo") && history.contains("Ada"),
        "{history}"
    );

    // Cy, a reader, cannot write, and nothing of it reaches anyone.
    let refused = cy.run(&["edit", "Soil", "--text", "Cy was here"]);
    assert_eq!(refused.code, 77, "{refused:?}");
    assert!(refused.stderr.contains("reader"), "{}", refused.stderr);
    cy.run(&["sync", "--once"]).ok()?;
    assert_eq!(ada.run(&["cat", "Soil"]).ok()?.trim(), both);

    // Cy is removed: no new content reaches them.
    ada.run(&["member", "remove", "Cy"]).ok()?;
    ada.run(&["edit", "Soil", "--text", "After Cy left."])
        .ok()?;
    let cut_off = cy.run(&["sync", "--once"]);
    assert_ne!(cut_off.code, 0, "{cut_off:?}");
    assert!(
        format!("{}{}", cut_off.stdout, cut_off.stderr).contains("was removed from this garden"),
        "{cut_off:?}"
    );
    assert_eq!(cy.run(&["cat", "Soil"]).ok()?.trim(), both);
    // Refused, Cy was told the entry that removed them: their own log says
    // they are no longer a member (not still a reader).
    let gone = cy.run(&["edit", "Soil", "--text", "Cy again"]);
    assert!(
        gone.stderr.contains("you are not a member of this garden"),
        "{gone:?}"
    );

    // A replayed invite is refused, and so is a stranger holding nothing
    // valid, before any document arrives.
    let replay = dee.run(&["join", &ticket_bo]);
    assert_ne!(replay.code, 0, "{replay:?}");
    assert!(replay.stderr.contains("used up"), "{}", replay.stderr);
    assert_ne!(dee.run(&["ls"]).code, 0, "a refused joiner holds no garden");

    // An expired invite is refused with a clear reason.
    let short = ada
        .run(&["invite", "--expires", "1s"])
        .ok()?
        .trim()
        .to_owned();
    std::thread::sleep(Duration::from_millis(1500));
    let expired = dee.run(&["join", &short]);
    assert_ne!(expired.code, 0, "{expired:?}");
    assert!(expired.stderr.contains("expired"), "{}", expired.stderr);

    // Bo's live session sees Ada's next edit without asking.
    let mut bo = bo;
    bo.serve()?;
    eventually(Duration::from_secs(10), || {
        Ok(bo.run(&["cat", "Soil"]).ok()?.trim() == "After Cy left.")
    })?;
    ada.run(&["edit", "Soil", "--text", "Live from Ada."])
        .ok()?;
    eventually(Duration::from_secs(10), || {
        Ok(bo.run(&["cat", "Soil"]).ok()?.trim() == "Live from Ada.")
    })?;

    let log = ada.serve_log().join("\n");
    assert!(log.contains("refused") || log.contains("left"), "{log}");
    ada.stop()?;
    bo.stop()?;
    Ok(())
}
