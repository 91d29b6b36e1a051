import { test } from "node:test";
import assert from "node:assert/strict";
import * as keras from "../../src/index.js";
import { fusedKernels, getBackend, setBackend } from "../../src/backend/backend.js";
import { CORE_KERNEL_NAMES } from "../../src/backend/core_kernels.js";
import { FUSED_KERNEL_NAMES } from "../../src/backend/fused_kernels.js";
import { fallbacks, resetFallbacks, setStrictKernels } from "../../src/backend/fallbacks.js";
import { NativeBackend, tryCreateNativeBackend } from "../../src/backend/native/index.js";
import { ReferenceBackend } from "../../src/backend/reference/index.js";
import { WasmBackend } from "../../src/backend/wasm/index.js";
import { coreOnly } from "../helpers/backends.js";

function withBackend<T>(backend: ReturnType<typeof getBackend>, body: () => T): T {
  const previous = getBackend();
  setBackend(backend);
  try {
    return body();
  } finally {
    setBackend(previous);
  }
}

test("a backend without a fused kernel runs its composed default, and each call is counted", () => {
  resetFallbacks();
  const backend = coreOnly(new ReferenceBackend());
  const out = withBackend(backend, () => {
    const layer = new keras.layers.Dense(3, { activation: "relu" });
    return layer.apply(keras.ops.ones([2, 4])) as keras.Tensor;
  });
  assert.deepEqual(out.shape, [2, 3]);
  const records = fallbacks();
  assert.deepEqual(records.map((r) => [r.backend, r.kernel, r.ranOn, r.count]), [["reference-core-only", "linearForward", "composed", 1]]);
  resetFallbacks();
  assert.deepEqual(fallbacks(), []);
});

test("strict kernels turn a fallback into an error that names the backend, the kernel and the switch", () => {
  const previous = setStrictKernels(true);
  try {
    withBackend(coreOnly(new ReferenceBackend()), () => {
      assert.throws(() => fusedKernels().countArgmaxMatches(new Float32Array(4), 2, 2, Int32Array.of(0, 1), null), /the reference-core-only backend has no kernel for countArgmaxMatches .*KERAS_TS_STRICT_NATIVE=1/);
    });
  } finally {
    setStrictKernels(previous);
  }
});

test("the reference backend has every kernel; NativeBackend overrides every one explicitly, and WasmBackend is NativeBackend on the wasm module", () => {
  const reference = new ReferenceBackend();
  for (const name of [...CORE_KERNEL_NAMES, ...FUSED_KERNEL_NAMES]) {
    assert.equal(typeof reference[name], "function", name);
    // An own method of the native class: C or a counted fallback, never a silent inheritance.
    assert.ok(Object.prototype.hasOwnProperty.call(NativeBackend.prototype, name), `NativeBackend.${name}`);
    assert.equal(WasmBackend.prototype[name], NativeBackend.prototype[name], `WasmBackend.${name}`);
  }
});

const native = tryCreateNativeBackend();
test("the native backend counts a call its C code does not cover, and strict mode refuses it", { skip: "error" in native ? native.error : false }, () => {
  const backend = (native as { backend: NativeBackend }).backend;
  resetFallbacks();
  // Operands of two element types: the C GEMM takes one type, so this runs the reference kernel.
  const args = { batch: 1, m: 20, n: 20, k: 20, transA: false, transB: false, aBatchStride: 0, bBatchStride: 0 };
  const mixed = backend.matmul(new Float32Array(400).fill(1), new Int32Array(400).fill(2), args);
  assert.equal(mixed[0], 40);
  assert.deepEqual(fallbacks().map((r) => [r.kernel, r.ranOn, r.reason, r.count]), [["matmul", "reference", "Float32Array @ Int32Array", 1]]);
  const x = new Float32Array(1000).fill(1);
  const previous = setStrictKernels(true);
  try {
    // Every C-covered call still works under strict kernels; the mixed one does not.
    assert.equal(backend.reduce("sum", x, [1000], [0], "float32")[0], 1000);
    assert.throws(() => backend.matmul(new Float32Array(400), new Int32Array(400), args), /native backend has no kernel for matmul \(Float32Array @ Int32Array\)/);
  } finally {
    setStrictKernels(previous);
  }
});
