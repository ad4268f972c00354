//! `id`, `members` and `member add|set-role|remove`.

use crate::support::Dir;

const BO: &str = "b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0";
const BEA: &str = "beabeabeabeabeabeabeabeabeabeabeabeabeabeabeabeabeabeabeabeabeab";

#[test]
fn id_prints_the_member_id_alone() {
    let dir = Dir::garden();
    let id = dir.run(&["id"]).ok();
    let id = id.trim();
    assert_eq!(id.len(), 64, "{id}");
    assert!(dir.run(&["whoami"]).ok().contains(id));
    let json = dir.run(&["--json", "id"]).json();
    assert_eq!(json["member_id"], id);
    assert_eq!(json["short"], &id[..8]);
}

#[test]
fn the_founder_is_the_facilitator_and_manages_members() {
    let dir = Dir::garden();
    dir.run(&["whoami", "--set-name", "Ada"]).ok();
    let out = dir.run(&["members"]).ok();
    let first = out.lines().nth(1).unwrap();
    assert!(
        first.contains("(you)") && first.contains("facilitator"),
        "{out}"
    );

    let out = dir
        .run(&["member", "add", BO, "--name", "Bo", "--role", "reader"])
        .ok();
    assert_eq!(out, "Added Bo (b0b0b0b0) to My garden as a reader.\n");
    let out = dir.run(&["member", "set-role", "bo", "member"]).ok();
    assert_eq!(out, "Bo (b0b0b0b0) is now a member.\n");
    let json = dir.run(&["--json", "members"]).json();
    let roles: Vec<(&str, &str)> = json["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["name"].as_str().unwrap(), m["role"].as_str().unwrap()))
        .collect();
    assert_eq!(roles.last().unwrap(), &("Bo", "member"));
    assert_eq!(json["garden"], "My garden");

    // The same role again, or the last facilitator stepping down: refused.
    let err = dir.run(&["member", "set-role", "b0b0", "member"]).fails(65);
    assert!(err.contains("b0b0b0b0 is a member already"), "{err}");
    let me = dir.run(&["id"]).ok();
    let err = dir.run(&["member", "remove", me.trim()]).fails(65);
    assert!(err.contains("no facilitator left"), "{err}");

    let out = dir.run(&["member", "remove", "Bo"]).ok();
    assert_eq!(out, "Removed Bo (b0b0b0b0) from My garden.\n");
    let out = dir.run(&["members"]).ok();
    assert!(out.contains("Removed: Bo (b0b0b0b0)"), "{out}");
    let err = dir.run(&["member", "remove", "Bo"]).fails(65);
    assert!(
        err.contains("b0b0b0b0 is not a member of this garden"),
        "{err}"
    );
}

#[test]
fn member_names_that_match_several_or_none_are_errors() {
    let dir = Dir::garden();
    dir.run(&["member", "add", BO, "--name", "Bo"]).ok();
    dir.run(&["member", "add", BEA, "--name", "bo"]).ok();
    let err = dir.run(&["member", "remove", "BO"]).fails(65);
    assert!(
        err.contains("`BO` names 2 members; use more of an id: b0b0b0b0 (Bo), beabeabe (bo)"),
        "{err}"
    );
    let err = dir.run(&["member", "set-role", "Cy", "reader"]).fails(66);
    assert!(
        err.contains("no member of this garden is called `Cy`"),
        "{err}"
    );
    let err = dir.run(&["member", "set-role", "bea", "admin"]).fails(2);
    assert!(err.contains("admin"), "{err}");
}
