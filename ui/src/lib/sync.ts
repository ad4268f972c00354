// Words for sync: the footer's status line, times ago, invite expiry
// choices and what a role means. Pure, so Vitest covers it.
import type { MemberDto, RoleDto, SyncStatus } from "./ipc-types";

export type Tone = "ok" | "idle" | "busy" | "problem";

export interface SyncSummary {
  /** The footer's words. */
  text: string;
  /** Its colour. */
  tone: Tone;
  /** More detail, for the tooltip. */
  detail: string;
}

/** `at` as "just now", "5 min ago", "3 h ago", "2 days ago". */
export function ago(at: number, now: number): string {
  const s = Math.max(0, Math.round((now - at) / 1000));
  if (s < 10) return "just now";
  if (s < 60) return `${s} s ago`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ago`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ago`;
  return `${Math.floor(h / 24)} days ago`;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

const pathWords = { direct: "LAN/direct", relay: "via relay", mixed: "LAN and relay" } as const;

/** The footer's line for `status` at `now`. */
export function syncSummary(status: SyncStatus | null, now: number): SyncSummary {
  if (!status || status.network === "starting") {
    return { text: "Connecting…", tone: "busy", detail: "Loam is going online" };
  }
  if (status.network === "stopped") {
    return { text: "Offline", tone: "idle", detail: "The network is shut down" };
  }
  if (status.network === "failed") {
    return { text: "Offline: the network could not start", tone: "problem", detail: status.problem ?? "" };
  }
  const last = status.lastSync !== null ? `synced ${ago(status.lastSync, now)}` : "not synced yet";
  if (status.peersOnline > 0) {
    const path = status.path ? ` · ${pathWords[status.path]}` : "";
    return {
      text: `${plural(status.peersOnline, "peer")} online${path} · ${last}`,
      tone: "ok",
      detail: `Connected to ${plural(status.peersOnline, "member")} (${status.peersKnown} other members in all); ${last}`,
    };
  }
  if (status.peersKnown === 0) {
    return {
      text: "Not shared yet",
      tone: "idle",
      detail: "No other member is known yet: invite someone, or join a garden with a ticket",
    };
  }
  return {
    text: status.problem ?? "Offline: no other member is reachable now",
    tone: "problem",
    detail: `${plural(status.peersKnown, "other member")}, none reachable now; ${last}. Edits are kept and sync when a member is back.`,
  };
}

/** Whether `member` is connected now (you always are). */
export function isOnline(member: MemberDto, status: SyncStatus | null): boolean {
  return member.you || (status?.online.includes(member.id) ?? false);
}

export const roleWords: Record<RoleDto, string> = {
  facilitator: "Facilitator: manages members, reads and writes",
  member: "Member: reads and writes",
  reader: "Reader: reads only",
};

/** How long an invite may work, in hours (`null`: no expiry). */
export const expiryChoices: { label: string; hours: number | null }[] = [
  { label: "1 hour", hours: 1 },
  { label: "1 day", hours: 24 },
  { label: "7 days", hours: 24 * 7 },
  { label: "30 days", hours: 24 * 30 },
  { label: "Never", hours: null },
];

/** When an invite ends, in words. */
export function expiryWords(expires: number | null): string {
  if (expires === null) return "never expires";
  return `expires ${new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" }).format(expires)}`;
}

/** A pasted ticket with blanks and line breaks taken out. */
export function cleanTicket(text: string): string {
  return text.replace(/\s+/g, "");
}

/** Rust's lowercase messages as a sentence: capital first, full stop last. */
export function sentence(text: string): string {
  const t = text.trim();
  if (!t) return t;
  const first = t.charAt(0).toUpperCase() + t.slice(1);
  return /[.!?…]$/.test(first) ? first : `${first}.`;
}
