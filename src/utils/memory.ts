import v8 from "node:v8";
import vm from "node:vm";

/*
 * A full garbage collection on demand. V8 frees an unreachable ArrayBuffer's memory only when it
 * collects the old generation, which it starts when new buffers have grown by tens of MB since
 * the last collection. A training loop that reuses its memory allocates little, so the arrays a
 * program dropped while preparing its data (MNIST's uint8 images once rebound to float32: 55 MB)
 * can stay resident for the whole of `fit`. `fit` collects once before it starts.
 */

let collect: (() => void) | null | undefined;

/** V8's `gc()`, obtained by exposing it for one new context only; null where that is not possible. */
function collector(): (() => void) | null {
  if (collect === undefined) {
    try {
      v8.setFlagsFromString("--expose-gc");
      const gc = vm.runInNewContext("gc") as unknown;
      collect = typeof gc === "function" ? (gc as () => void) : null;
    } catch {
      collect = null;
    } finally {
      // Later contexts (the user's vm contexts) do not get a `gc` global.
      try {
        v8.setFlagsFromString("--no-expose-gc");
      } catch {
        // Nothing to undo.
      }
    }
  }
  return collect;
}

/** Runs a full garbage collection (about 10 ms with a small heap); does nothing where unavailable. */
export function collectGarbage(): void {
  collector()?.();
}
