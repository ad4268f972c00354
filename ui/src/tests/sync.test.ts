import { describe, expect, it } from "vitest";
import { ago, cleanTicket, isOnline, sentence, syncSummary } from "../lib/sync";
import type { MemberDto, SyncStatus } from "../lib/ipc-types";

const status = (over: Partial<SyncStatus> = {}): SyncStatus => ({
  network: "online",
  peersOnline: 0,
  peersKnown: 0,
  online: [],
  path: null,
  lastSync: null,
  problem: null,
  ...over,
});

const NOW = 1_800_000_000_000;

describe("the footer's sync line", () => {
  const check = (s: SyncStatus | null, text: string, tone: string) => {
    const summary = syncSummary(s, NOW);
    expect([summary.text, summary.tone]).toEqual([text, tone]);
  };

  it("says what the network is doing, in words", () => {
    check(null, "Connecting…", "busy");
    check(status({ network: "starting" }), "Connecting…", "busy");
    check(status({ network: "failed", problem: "Offline: the network could not start (port)" }), "Offline: the network could not start", "problem");
    check(status({ network: "stopped" }), "Offline", "idle");
    check(status(), "Not shared yet", "idle");
    check(
      status({ peersOnline: 1, peersKnown: 1, online: ["b"], path: "direct", lastSync: NOW - 3000 }),
      "1 peer online · LAN/direct · synced just now",
      "ok",
    );
    check(
      status({ peersOnline: 2, peersKnown: 3, online: ["b", "c"], path: "mixed", lastSync: NOW - 125_000 }),
      "2 peers online · LAN and relay · synced 2 min ago",
      "ok",
    );
    check(status({ peersOnline: 1, peersKnown: 1, path: "relay" }), "1 peer online · via relay · not synced yet", "ok");
    check(
      status({ peersKnown: 2, problem: "Offline: cannot reach Bo (no answer)" }),
      "Offline: cannot reach Bo (no answer)",
      "problem",
    );
    check(status({ peersKnown: 2 }), "Offline: no other member is reachable now", "problem");
  });
});

describe("times ago", () => {
  it("rounds to what a member reads at a glance", () => {
    const check = (ms: number, words: string) => expect(ago(NOW - ms, NOW)).toBe(words);
    check(0, "just now");
    check(-5000, "just now");
    check(42_000, "42 s ago");
    check(60_000, "1 min ago");
    check(3 * 3_600_000, "3 h ago");
    check(3 * 86_400_000, "3 days ago");
  });
});

describe("members online", () => {
  const member = (id: string, you = false): MemberDto => ({
    id,
    short: id.slice(0, 8),
    name: id,
    role: "member",
    you,
    online: false,
    joined: 0,
  });

  it("follows the live sessions; you are always online", () => {
    const s = status({ peersOnline: 1, online: ["bo"] });
    expect(isOnline(member("bo"), s)).toBe(true);
    expect(isOnline(member("cy"), s)).toBe(false);
    expect(isOnline(member("ana", true), null)).toBe(true);
    expect(isOnline(member("bo"), null)).toBe(false);
  });
});

describe("words from Rust", () => {
  it("become sentences", () => {
    expect(sentence("you are a reader in this garden")).toBe("You are a reader in this garden.");
    expect(sentence("Done.")).toBe("Done.");
    expect(sentence("  ")).toBe("");
  });

  it("tickets lose the line breaks a chat app adds", () => {
    expect(cleanTicket(" loam1abc\n def \t")).toBe("loam1abcdef");
  });
});
