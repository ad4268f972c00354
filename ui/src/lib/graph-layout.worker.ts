// The graph layout's web worker: runs `runLayout` off the window's thread
// and posts each batch's positions back (their buffers transferred).
import { runLayout } from "./graph-forces";
import type { LayoutRequest } from "./graph-layout";

self.onmessage = (event: MessageEvent<LayoutRequest>) => {
  runLayout(event.data, (answer) => {
    (self as unknown as Worker).postMessage(answer, [answer.x.buffer, answer.y.buffer]);
  });
};
