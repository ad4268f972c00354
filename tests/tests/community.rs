//! The community layer across real `loam` processes over loopback: a
//! facilitator features a page with a reason and the member sees it after a
//! sync; the member's kudos show on the facilitator's profile; a reader
//! cannot change the index; every member computes the same dashboard.

#![allow(clippy::unwrap_used)]

use loam_e2e::Member;

#[test]
fn a_featured_page_kudos_and_roles_travel_between_members() -> anyhow::Result<()> {
    let mut ada = Member::new("Ada")?;
    let bo = Member::new("Bo")?;
    let cy = Member::new("Cy")?;

    ada.run(&["init", "Commons"]).ok()?;
    ada.run(&["new", "--page", "Soil", "--body", "Loam is soil."])
        .ok()?;
    ada.run(&["guidelines", "set", "--text", "Be kind."]).ok()?;
    ada.serve()?;
    for (member, role) in [(&bo, "member"), (&cy, "reader")] {
        let ticket = ada.run(&["invite", "--role", role]).ok()?.trim().to_owned();
        let joined = member.run(&["join", &ticket]).ok()?;
        // Newcomers are shown the guidelines on joining, and acknowledge.
        assert!(joined.contains("This garden has guidelines"), "{joined}");
        member.run(&["guidelines", "ack"]).ok()?;
    }

    // Ada curates while serving; Bo and Cy sync.
    ada.run(&["index", "section", "add", "Start here"]).ok()?;
    ada.run(&["index", "add", "Start here", "Soil"]).ok()?;
    ada.run(&["index", "feature", "Soil", "--reason", "the clearest intro"])
        .ok()?;
    bo.run(&["sync", "--once"]).ok()?;
    let index = bo.run(&["index"]).ok()?;
    assert!(index.contains("★ Soil"), "{index}");
    assert!(index.contains("featured: the clearest intro"), "{index}");

    // Bo thanks Ada for the page; Ada's profile shows it.
    bo.run(&["kudos", "give", "Soil", "-m", "lovely page"])
        .ok()?;
    bo.run(&["sync", "--once"]).ok()?;
    let profile = ada.run(&["who", "Ada"]).ok()?;
    assert!(profile.contains("from Bo: “lovely page”"), "{profile}");

    // Cy, a reader, sees the index and cannot change it.
    cy.run(&["sync", "--once"]).ok()?;
    assert!(cy.run(&["index"]).ok()?.contains("★ Soil"));
    let refused = cy.run(&["index", "section", "add", "Mine"]);
    assert_eq!(refused.code, 77, "{refused:?}");
    assert!(
        refused
            .stderr
            .contains("only facilitators can change the index"),
        "{}",
        refused.stderr
    );

    // Ada sees who acknowledged the guidelines.
    cy.run(&["sync", "--once"]).ok()?;
    let acks = ada.run(&["guidelines", "acks"]).ok()?;
    assert!(
        acks.contains("Cy: acknowledged the current version"),
        "{acks}"
    );

    // Everyone computes the same figures.
    bo.run(&["sync", "--once"]).ok()?;
    let figures = |m: &Member| -> anyhow::Result<serde_json::Value> {
        let mut v = m.run(&["--json", "stats"]).json()?;
        v.as_object_mut().unwrap().remove("garden");
        Ok(v)
    };
    assert_eq!(figures(&ada)?, figures(&bo)?);
    ada.stop()?;
    Ok(())
}
