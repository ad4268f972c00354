// The webview's replica against a stand-in for the node (another Automerge
// document in the test), connected by an in-memory transport.
import { describe, expect, it, vi } from "vitest";
import { automerge } from "../lib/automerge";
import { Replica } from "../lib/replica";
import { applyChanges, type TextChange } from "../lib/patches";

async function setup(body: string) {
  const am = await automerge();
  let node = am.from<Record<string, unknown>>({ body, title: "Plan" }, { actor: "aa".repeat(40) as never });
  let nodeSync = am.initSyncState();
  const toNode: Uint8Array[] = [];
  let shown = body;
  const remote: (TextChange[] | null)[] = [];
  const replica = Replica.load(
    am,
    am.save(node),
    "bb".repeat(40),
    { send: async (m) => void toNode.push(m) },
    {
      idleMs: 50,
      maxMs: 200,
      onRemote: (changes, text) => {
        remote.push(changes);
        shown = changes ? applyChanges(shown, changes) : text;
      },
    },
  );
  // Deliver messages both ways until quiet (bounded).
  const settle = async () => {
    for (let round = 0; round < 50; round++) {
      await Promise.resolve();
      await new Promise((r) => setTimeout(r, 0));
      const inbox = toNode.splice(0);
      for (const m of inbox) [node, nodeSync] = am.receiveSyncMessage(node, nodeSync, m);
      const [s, reply] = am.generateSyncMessage(node, nodeSync);
      nodeSync = s;
      if (reply) replica.receive(reply);
      if (!reply && inbox.length === 0 && toNode.length === 0) return;
    }
    throw new Error("did not settle");
  };
  const nodeEdit = (pos: number, del: number, text: string) => {
    node = am.change(node, (d) => am.splice(d, ["body"], pos, del, text));
  };
  // What the member types: shown at once, given to the replica.
  const type = (changes: TextChange[]) => {
    shown = applyChanges(shown, changes);
    replica.edit(changes);
  };
  return { am, replica, settle, nodeText: () => String(node.body), nodeEdit, type, shown: () => shown, remote, node: () => node };
}

describe("replica", () => {
  it("groups a burst of keystrokes into one change", async () => {
    vi.useFakeTimers();
    const t = await setup("soil");
    for (const [i, c] of [..." is alive"].entries()) {
      t.replica.edit([{ from: 4 + i, to: 4 + i, insert: c }]);
      vi.advanceTimersByTime(10);
    }
    expect(t.replica.commits).toBe(0);
    vi.advanceTimersByTime(60);
    expect(t.replica.commits).toBe(1);
    vi.useRealTimers();
    await t.settle();
    expect(t.nodeText()).toBe("soil is alive");
    expect(t.am.getHistory(t.node()).length).toBe(2);
  });

  it("commits a long burst at least every maxMs", async () => {
    vi.useFakeTimers();
    const t = await setup("");
    for (let i = 0; i < 50; i++) {
      t.replica.edit([{ from: i, to: i, insert: "x" }]);
      vi.advanceTimersByTime(20);
    }
    expect(t.replica.commits).toBeGreaterThanOrEqual(4);
    expect(t.replica.commits).toBeLessThanOrEqual(6);
    vi.useRealTimers();
  });

  it("applies remote edits as patches and keeps local typing", async () => {
    const t = await setup("one\n");
    await t.settle();
    t.nodeEdit(0, 0, "zero\n");
    t.type([{ from: 3, to: 3, insert: " two" }]); // typed, not yet committed
    await t.settle();
    expect(t.replica.text()).toBe("zero\none two\n");
    expect(t.nodeText()).toBe("zero\none two\n");
    expect(t.shown()).toBe("zero\none two\n");
    expect(t.remote.every((c) => c !== null)).toBe(true);
  });

  it("works in UTF-16 units with characters outside the BMP", async () => {
    const t = await setup("🌱 soil");
    await t.settle();
    t.type([{ from: 2, to: 2, insert: "🍂" }]);
    t.replica.flush();
    await t.settle();
    expect(t.nodeText()).toBe("🌱🍂 soil");
    t.nodeEdit(4, 0, "!");
    await t.settle();
    expect(t.shown()).toBe("🌱🍂! soil");
  });
});
