import { test } from "node:test";
import assert from "node:assert/strict";
import { collectGarbage } from "../../src/utils/memory.js";

test("collectGarbage returns the memory of unreachable array buffers at once", () => {
  const mb = () => process.memoryUsage().arrayBuffers / 1048576;
  let big: Uint8Array | null = new Uint8Array(64 << 20).fill(1);
  const held = mb();
  assert.ok(held >= 64, `the 64 MB buffer is counted (${held.toFixed(0)} MB)`);
  big = null;
  collectGarbage();
  assert.ok(mb() <= held - 60, `after collecting: ${mb().toFixed(0)} MB, before: ${held.toFixed(0)} MB`);
  assert.equal(big, null);
});
