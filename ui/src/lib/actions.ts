// Every action the app offers, with its shortcut: the command palette lists
// them and the window's key handler runs them.
import { store } from "./store.svelte";

export interface Action {
  id: string;
  label: string;
  shortcut?: string;
  run(): void;
}

/** Ask for a name and plant a garden with it. */
export function newGarden() {
  store.modal = {
    kind: "prompt",
    title: "New garden",
    label: "Its name, as members will see it",
    value: "",
    ok: "Plant it",
    required: true,
    submit: (name) => store.createGarden(name),
  };
}

export const actions: Action[] = [
  { id: "switcher", label: "Open note…", shortcut: "Mod+O", run: () => (store.modal = { kind: "switcher" }) },
  { id: "palette", label: "Command palette", shortcut: "Mod+P", run: () => (store.modal = { kind: "palette" }) },
  {
    id: "search",
    label: "Search the garden",
    shortcut: "Mod+Shift+F",
    run: () => {
      store.leftTab = "search";
      queueMicrotask(() => document.getElementById("search-input")?.focus());
    },
  },
  { id: "new-note", label: "New note", shortcut: "Mod+N", run: () => (store.modal = { kind: "create", title: "", pageKind: "note" }) },
  { id: "new-page", label: "New page", shortcut: "Mod+Shift+N", run: () => (store.modal = { kind: "create", title: "", pageKind: "page" }) },
  { id: "preview", label: "Preview: beside, instead of, or hidden", shortcut: "Mod+E", run: () => store.cycleView() },
  {
    id: "rename",
    label: "Rename note",
    shortcut: "F2",
    run: () => store.openRow && (store.modal = { kind: "rename", title: store.openRow.title }),
  },
  { id: "archive", label: "Archive or restore note", run: () => store.archiveOpen() },
  { id: "notes", label: "Show notes", shortcut: "Mod+1", run: () => (store.leftTab = "notes") },
  { id: "tags", label: "Show tags", shortcut: "Mod+2", run: () => (store.leftTab = "tags") },
  { id: "links", label: "Show backlinks and links", shortcut: "Mod+3", run: () => (store.rightTab = "links") },
  { id: "history", label: "Show history", shortcut: "Mod+4", run: () => (store.rightTab = "history") },
  { id: "members", label: "Show members", shortcut: "Mod+5", run: () => (store.rightTab = "members") },
  { id: "home", label: "Show home (the curated index)", shortcut: "Mod+H", run: () => (store.main = "home") },
  { id: "people", label: "Show people (who knows what)", run: () => (store.main = "people") },
  { id: "dashboard", label: "Show the dashboard", run: () => (store.main = "dashboard") },
  { id: "graph", label: "Show the graph", run: () => (store.main = "graph") },
  { id: "moderation", label: "Show moderation", run: () => (store.main = "moderation") },
  { id: "discuss", label: "Show the discussion", shortcut: "Mod+6", run: () => (store.rightTab = "discuss") },
  { id: "guidelines", label: "Read the guidelines", run: () => (store.modal = { kind: "guidelines" }) },
  {
    id: "invite",
    label: "Invite someone…",
    run: () => (store.modal = { kind: "invite" }),
  },
  { id: "join", label: "Join a garden…", run: () => (store.modal = { kind: "join" }) },
  { id: "gardens", label: "Switch garden…", shortcut: "Mod+Shift+O", run: () => (store.modal = { kind: "gardens" }) },
  { id: "new-garden", label: "New garden…", run: () => newGarden() },
  {
    id: "focus-editor",
    label: "Focus the editor",
    shortcut: "Mod+J",
    run: () => (document.querySelector(".cm-content") as HTMLElement | null)?.focus(),
  },
  { id: "follow", label: "Follow link at cursor", shortcut: "Mod+Enter", run: () => window.dispatchEvent(new CustomEvent("loam:follow")) },
  { id: "archived", label: "Show archived notes", run: () => { store.showArchived = !store.showArchived; store.leftTab = "notes"; store.refresh(); } },
  { id: "theme-system", label: "Theme: follow the system", run: () => store.setTheme("system") },
  { id: "theme-light", label: "Theme: light", run: () => store.setTheme("light") },
  { id: "theme-dark", label: "Theme: dark", run: () => store.setTheme("dark") },
];
