import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { ReferenceBackend } from "../../../src/backend/reference/index.js";
import { backendName, getBackend, setBackend } from "../../../src/backend/backend.js";
import { createWasmBackend } from "../../../src/backend/wasm/load_node.js";
import { loadWasmBackend } from "../../../src/backend/wasm/load_url.js";
import { assertSame, floats, rng } from "../kernel_check.js";

/*
 * What is particular to the wasm backend: operands copied through the module's memory in chunks
 * (a data set never lands there whole), and the loader for hosts without a file system.
 */

const ref = new ReferenceBackend();
const moduleFile = fileURLToPath(new URL("../../../dist/wasm/keras_ts.wasm", import.meta.url));
let skip: string | false = false;
try {
  readFileSync(moduleFile);
} catch {
  skip = "dist/wasm not built (npm run build)";
}

describe("wasm backend", { skip }, () => {
  test("kernels over arrays larger than a chunk equal the reference, and the module's heap stays far below their size", () => {
    const wasm = createWasmBackend({ threads: 1 });
    const r = rng(17);
    const n = 2_500_001;
    const x = floats(n, r, false);
    const images = Uint8Array.from({ length: n }, () => Math.floor(r() * 256));
    const before = wasm.wasm.heapBytes();
    assertSame(wasm.unary("tanh", x, "float32"), ref.unary("tanh", x, "float32"), "tanh", 1);
    assertSame(wasm.binary("divide", images, [n], Float32Array.of(255), [], [n], "float32"), ref.binary("divide", images, [n], Float32Array.of(255), [], [n], "float32"), "uint8 / 255");
    assertSame(wasm.cast(x, "bool"), ref.cast(x, "bool"), "cast to bool");
    const rows = 2500;
    const images2d = floats(rows * 1000, r, false);
    const args = { order: 2, mode: "zeroAsOne" as const, epsilon: 0 };
    assertSame(wasm.normalize(images2d, [rows, 1000], [1], args), ref.normalize(images2d, [rows, 1000], [1], args), "normalize rows");
    const [w1, w2] = [x.slice(), x.slice()];
    const [m1, m2] = [x.map((v) => v / 3), x.map((v) => v / 3)];
    const [v1, v2] = [x.map(Math.abs), x.map(Math.abs)];
    const g = floats(n, r, false);
    const adam = { alpha: 1e-3, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 };
    wasm.adamUpdate(w1, g, m1, v1, null, adam);
    ref.adamUpdate(w2, g, m2, v2, null, adam);
    assertSame(w1, w2, "adam variable");
    assertSame(m1, m2, "adam momentum");
    assertSame(v1, v2, "adam velocity");
    // Five 10 MB operands went through; the chunks (4 MB per operand) are what the heap holds.
    const grown = wasm.wasm.heapBytes() - before;
    assert.ok(grown < 40e6, `the module's heap grew by ${grown} bytes`);
  });

  test("setBackend(\"wasm\") selects the wasm backend by name, and keras.backend.backend() reports it", async () => {
    const previous = getBackend();
    try {
      await setBackend("wasm");
      assert.equal(backendName(), "wasm");
    } finally {
      setBackend(previous);
    }
  });

  test("loadWasmBackend (the loader without a file system) takes the module's bytes and runs it on one thread where there is no Worker", async () => {
    const backend = await loadWasmBackend({ module: readFileSync(moduleFile), maxMemoryBytes: 64 << 20 });
    backend.smallSize = 0;
    assert.equal(backend.name, "wasm");
    assert.deepEqual(backend.info(), { isa: "simd128", threads: 1 });
    const a = floats(12 * 7, rng(3), false), b = floats(7 * 5, rng(4), false);
    const args = { batch: 1, m: 12, n: 5, k: 7, transA: false, transB: false, aBatchStride: 0, bBatchStride: 0 };
    const got = backend.matmul(a, b, args), want = ref.matmul(a, b, args);
    for (let i = 0; i < want.length; i++) assert.ok(Math.abs(got[i] - want[i]) <= 1e-5 * (1 + Math.abs(want[i])), `element ${i}: ${got[i]} vs ${want[i]}`);
    // A memory capped at 64 MB refuses a call whose operands need more (a transpose copies all of
    // x in), with a RangeError; chunked kernels go through any size.
    assert.throws(() => backend.transpose(new Float32Array(20 << 20), [4096, 5120], [1, 0]), /out of memory for \d+ bytes of operands/);
    assert.equal(backend.unary("exp", new Float32Array(20 << 20), "float32")[12345], 1);
  });
});
