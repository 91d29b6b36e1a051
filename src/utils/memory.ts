import { platform } from "../platform/platform.js";

/**
 * Runs a full garbage collection (about 10 ms with a small heap) where the host allows it (Node:
 * see src/platform/node.ts for why `fit` wants one); does nothing elsewhere.
 */
export function collectGarbage(): void {
  platform().collectGarbage();
}
