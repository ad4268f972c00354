// Automerge in the webview: the slim build, its wasm fetched from the app's
// own assets (the CSP allows wasm compilation and same-origin fetches only).
// Started as the app starts, so it is ready by the time a note opens; in the
// unit tests (Node, no fetch of app assets) the wasm comes inlined.
import type * as AM from "@automerge/automerge/slim";
import wasmUrl from "@automerge/automerge/automerge.wasm?url";

let loading: Promise<typeof AM> | null = null;

/** Automerge, initialised once. */
export function automerge(): Promise<typeof AM> {
  loading ??= (async () => {
    const A = await import("@automerge/automerge/slim");
    if (typeof window === "undefined") {
      const wasm = await import("@automerge/automerge/automerge.wasm.base64");
      await A.initializeBase64Wasm(wasm.automergeWasmBase64);
    } else {
      const response = await fetch(wasmUrl);
      await A.initializeWasm(new Uint8Array(await response.arrayBuffer()));
    }
    return A;
  })();
  return loading;
}

export type A = typeof AM;
