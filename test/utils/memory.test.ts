import { test } from "node:test";
import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { collectGarbage } from "../../src/utils/memory.js";

test("collectGarbage returns the memory of unreachable array buffers at once", async () => {
  const mb = () => process.memoryUsage().arrayBuffers / 1048576;
  let big: Uint8Array | null = new Uint8Array(64 << 20).fill(1);
  const held = mb();
  assert.ok(held >= 64, `the 64 MB buffer is counted (${held.toFixed(0)} MB)`);
  big = null;
  collectGarbage();
  // V8 frees the buffers the collection found in a sweep on a helper thread, which a loaded machine
  // may run a moment later: "at once" is within a few milliseconds, not whenever V8 next collects.
  for (let waited = 0; waited < 500 && mb() > held - 60; waited += 5) await sleep(5);
  assert.ok(mb() <= held - 60, `after collecting: ${mb().toFixed(0)} MB, before: ${held.toFixed(0)} MB`);
  assert.equal(big, null);
});
