//! The crash harness's child: a write-heavy workload on one garden through
//! loam-node, printing `ack …` after each operation that stored its
//! change, until the parent kills it (see `loam_e2e::crash`).
//!
//! Usage: `loam-crash-workload DATA_DIR SEED VAULT PREFIX OPS`.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use loam_e2e::crash::Rng;
use loam_node::{DocId, ImportOptions, NewDoc, Node, TextEdit};

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [data_dir, seed, vault, prefix, ops] = args.as_slice() else {
        anyhow::bail!("usage: loam-crash-workload DATA_DIR SEED VAULT PREFIX OPS");
    };
    let mut rng = Rng::new(seed.parse().context("seed")?);
    let ops: u32 = ops.parse().context("ops")?;
    let vault = PathBuf::from(vault);
    let node = Node::open(data_dir)?;
    let garden = node.garden("Crash")?;
    let mut docs: Vec<DocId> = (0..3)
        .map(|i| garden.resolve(&format!("Shared {i}")))
        .collect::<Result<_, _>>()?;
    let mut out = std::io::stdout().lock();
    let mut ack = |line: String| -> anyhow::Result<()> {
        out.write_all(line.as_bytes())?;
        out.write_all(b"\n")?;
        out.flush()?;
        Ok(())
    };
    ack("ack open".to_owned())?;
    // Keystrokes committed but not yet flushed: acknowledged at the flush.
    let mut typed: Vec<(DocId, String)> = Vec::new();
    let mut imported = false;
    for seq in 0..ops {
        let marker = format!("m{prefix}{seq}");
        let target = docs[rng.below(docs.len() as u64) as usize];
        let line = format!(
            "{marker} #t{} [[{prefix}-n{}]]\n",
            rng.below(5),
            rng.below(docs.len() as u64)
        );
        match rng.below(100) {
            0..20 => {
                let id = garden.create(NewDoc::note(format!("{prefix}-n{seq}"), line))?;
                docs.push(id);
                ack(format!("ack mark {id} {marker}"))?;
            }
            20..50 => {
                garden.edit(
                    target,
                    &[TextEdit {
                        pos: 0,
                        delete: 0,
                        insert: line,
                    }],
                )?;
                ack(format!("ack mark {target} {marker}"))?;
            }
            50..72 => {
                garden.splice(target, 0, 0, &line)?;
                garden.commit(target)?;
                typed.push((target, marker));
                if rng.below(3) == 0 {
                    garden.flush()?;
                    for (id, marker) in typed.drain(..) {
                        ack(format!("ack mark {id} {marker}"))?;
                    }
                }
            }
            72..80 if docs.len() > 3 => {
                let own = docs[3 + rng.below(docs.len() as u64 - 3) as usize];
                garden.rename(own, &format!("{prefix}-n{seq}-renamed"))?;
                ack(format!("ack rename {own}"))?;
            }
            80..86 => {
                garden.set_tags(target, &[format!("s{}", rng.below(4))])?;
                ack(format!("ack tags {target}"))?;
            }
            86..90 => {
                garden.compact_all()?;
                ack("ack compact".to_owned())?;
            }
            90..93 if !imported && prefix == "a" => {
                garden.import(&vault, &ImportOptions::default(), &mut |_| {})?;
                imported = true;
                ack("ack import".to_owned())?;
            }
            _ => {
                // Whole-text replacement diffs against the stored text, so
                // first store what was typed (and acknowledge it).
                garden.flush()?;
                for (id, marker) in typed.drain(..) {
                    ack(format!("ack mark {id} {marker}"))?;
                }
                let text = garden.note(target)?.text;
                let summary = garden.replace_text(target, &format!("{text}\n{marker} end"))?;
                if summary.changed {
                    ack(format!("ack mark {target} {marker}"))?;
                }
            }
        }
    }
    garden.flush()?;
    for (id, marker) in typed.drain(..) {
        ack(format!("ack mark {id} {marker}"))?;
    }
    ack("ack done".to_owned())?;
    Ok(())
}
