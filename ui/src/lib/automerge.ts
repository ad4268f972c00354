// Automerge in the webview: the slim build with its wasm inlined as base64,
// so that nothing is fetched (the CSP allows wasm compilation only). Loaded
// on first use, in its own chunk, so the window shows before it is parsed.
import type * as AM from "@automerge/automerge/slim";

let loading: Promise<typeof AM> | null = null;

/** Automerge, initialised once. */
export function automerge(): Promise<typeof AM> {
  loading ??= (async () => {
    const [A, wasm] = await Promise.all([
      import("@automerge/automerge/slim"),
      import("@automerge/automerge/automerge.wasm.base64"),
    ]);
    await A.initializeBase64Wasm(wasm.automergeWasmBase64);
    return A;
  })();
  return loading;
}

export type A = typeof AM;
