import { test } from "node:test";
import assert from "node:assert/strict";
import { matmul } from "../../../src/backend/reference/matmul.js";
import type { MatmulArgs } from "../../../src/backend/backend.js";
import { randomValues } from "../../helpers/random.js";


function randomInt(n: number, seed: number, lo: number, hi: number): Int32Array {
  const f = randomValues(n, seed);
  return Int32Array.from(f, (v) => lo + Math.floor(((v + 1) / 2) * (hi - lo + 1)));
}

/**
 * Triple loop in float64 straight from the definition. Returns the product and, per element, the
 * sum of |a||b| terms, which bounds the rounding error of any summation order.
 */
function naive(a: ArrayLike<number>, b: ArrayLike<number>, args: MatmulArgs): { value: Float64Array; scale: Float64Array } {
  const { batch, m, n, k, transA, transB, aBatchStride, bBatchStride } = args;
  const value = new Float64Array(batch * m * n);
  const scale = new Float64Array(batch * m * n);
  for (let bi = 0; bi < batch; bi++) {
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        let t = 0;
        for (let p = 0; p < k; p++) {
          const av = a[bi * aBatchStride + (transA ? p * m + i : i * k + p)];
          const bv = b[bi * bBatchStride + (transB ? j * k + p : p * n + j)];
          s += av * bv;
          t += Math.abs(av * bv);
        }
        value[(bi * m + i) * n + j] = s;
        scale[(bi * m + i) * n + j] = t;
      }
    }
  }
  return { value, scale };
}

function mismatch(actual: ArrayLike<number>, expected: { value: Float64Array; scale: Float64Array }): string | null {
  if (actual.length !== expected.value.length) return `length ${actual.length} != ${expected.value.length}`;
  for (let i = 0; i < actual.length; i++) {
    const tol = 2e-6 * expected.scale[i] + 1e-6;
    if (!(Math.abs(actual[i] - expected.value[i]) <= tol)) return `element ${i}: got ${actual[i]}, expected ${expected.value[i]}`;
  }
  return null;
}

function check(m: number, n: number, k: number, transA: boolean, transB: boolean, seed: number, batch = 1, shareA = false, shareB = false): void {
  const args: MatmulArgs = {
    batch, m, n, k, transA, transB,
    aBatchStride: shareA ? 0 : m * k,
    bBatchStride: shareB ? 0 : k * n,
  };
  const a = randomValues((shareA ? 1 : batch) * m * k, seed);
  const b = randomValues((shareB ? 1 : batch) * k * n, seed + 101);
  const out = matmul(a, b, args);
  assert.ok(out instanceof Float32Array, "float32 inputs give a Float32Array");
  const problem = mismatch(out, naive(a, b, args));
  if (problem !== null) assert.fail(`m=${m} n=${n} k=${k} transA=${transA} transB=${transB} batch=${batch} shareA=${shareA} shareB=${shareB}: ${problem}`);
}

const TRANSPOSES = [[false, false], [true, false], [false, true], [true, true]] as const;

test("the comparison itself catches a wrong product", () => {
  const args: MatmulArgs = { batch: 1, m: 5, n: 6, k: 7, transA: false, transB: false, aBatchStride: 0, bBatchStride: 0 };
  const a = randomValues(35, 3);
  const b = randomValues(42, 4);
  const out = matmul(a, b, args) as Float32Array;
  assert.equal(mismatch(out, naive(a, b, args)), null);
  out[17] += 1e-3;
  assert.match(mismatch(out, naive(a, b, args)) ?? "", /element 17/);
});

test("small and odd shapes, every transpose combination", () => {
  const dims = [1, 2, 3, 4, 5, 7, 8, 9, 13, 17];
  let seed = 1;
  for (const [transA, transB] of TRANSPOSES) {
    for (const m of dims) for (const n of dims) for (const k of [1, 3, 4, 6, 11]) check(m, n, k, transA, transB, seed++);
  }
});

test("shapes that cross the cache-block boundaries (MC=128, KC=256, NC=1024)", () => {
  let seed = 500;
  for (const [transA, transB] of TRANSPOSES) {
    check(131, 37, 263, transA, transB, seed++);
    check(5, 1030, 3, transA, transB, seed++);
    check(129, 6, 257, transA, transB, seed++);
  }
  check(64, 64, 512, false, false, seed++);
  check(33, 70, 300, true, true, seed++);
});

test("random shapes, including 1-sized dimensions", () => {
  const pick = (s: number, hi: number) => 1 + (Math.abs(Math.imul(s, 2654435761)) % hi);
  for (let t = 0; t < 120; t++) {
    const [transA, transB] = TRANSPOSES[t % 4];
    check(pick(t * 3 + 1, 40), pick(t * 3 + 2, 40), pick(t * 3 + 3, 60), transA, transB, 1000 + t);
  }
});

test("k = 0 gives zeros, and m = 0 or n = 0 give empty outputs", () => {
  for (const [transA, transB] of TRANSPOSES) {
    const out = matmul(new Float32Array(0), new Float32Array(0), { batch: 2, m: 3, n: 4, k: 0, transA, transB, aBatchStride: 0, bBatchStride: 0 });
    assert.deepEqual([...out], new Array(24).fill(0));
  }
  assert.equal(matmul(new Float32Array(0), new Float32Array(12), { batch: 1, m: 0, n: 4, k: 3, transA: false, transB: false, aBatchStride: 0, bBatchStride: 0 }).length, 0);
  assert.equal(matmul(new Float32Array(6), new Float32Array(0), { batch: 1, m: 2, n: 0, k: 3, transA: false, transB: false, aBatchStride: 0, bBatchStride: 0 }).length, 0);
  assert.equal(matmul(new Float32Array(0), new Float32Array(0), { batch: 0, m: 2, n: 2, k: 2, transA: false, transB: false, aBatchStride: 4, bBatchStride: 4 }).length, 0);
});

test("batches: separate matrices, and stride 0 reusing one matrix on either or both sides", () => {
  let seed = 2000;
  for (const [transA, transB] of TRANSPOSES) {
    for (const [m, n, k] of [[3, 5, 2], [9, 6, 10], [20, 1, 7], [1, 12, 5]]) {
      check(m, n, k, transA, transB, seed++, 3);
      check(m, n, k, transA, transB, seed++, 4, true, false);
      check(m, n, k, transA, transB, seed++, 4, false, true);
      check(m, n, k, transA, transB, seed++, 3, true, true);
    }
  }
});

test("batch offsets with strides larger than one matrix (views into a bigger buffer)", () => {
  const m = 6, n = 5, k = 7, batch = 3;
  const args: MatmulArgs = { batch, m, n, k, transA: false, transB: true, aBatchStride: m * k + 3, bBatchStride: k * n + 1 };
  const a = randomValues((batch - 1) * args.aBatchStride + m * k, 77);
  const b = randomValues((batch - 1) * args.bBatchStride + k * n, 78);
  assert.equal(mismatch(matmul(a, b, args), naive(a, b, args)), null);
});

test("hand-computed 2x2 product and a transposed one", () => {
  const a = Float32Array.from([1, 2, 3, 4]);
  const b = Float32Array.from([5, 6, 7, 8]);
  const base = { batch: 1, m: 2, n: 2, k: 2, aBatchStride: 0, bBatchStride: 0 };
  assert.deepEqual([...matmul(a, b, { ...base, transA: false, transB: false })], [19, 22, 43, 50]);
  assert.deepEqual([...matmul(a, b, { ...base, transA: true, transB: false })], [26, 30, 38, 44]);
  assert.deepEqual([...matmul(a, b, { ...base, transA: false, transB: true })], [17, 23, 39, 53]);
  assert.deepEqual([...matmul(a, b, { ...base, transA: true, transB: true })], [23, 31, 34, 46]);
});

test("IEEE semantics: 0 * Infinity is NaN on the blocked path too", () => {
  for (const size of [2, 16]) {
    const a = new Float32Array(size * size);
    const b = new Float32Array(size * size);
    a[0] = Infinity; // a[0][0] = inf, b is all zeros
    const out = matmul(a, b, { batch: 1, m: size, n: size, k: size, transA: false, transB: false, aBatchStride: 0, bBatchStride: 0 });
    assert.ok(Number.isNaN(out[0]), `size ${size}: row 0 must be NaN`);
    assert.equal(out[size], 0, `size ${size}: row 1 is untouched`);
  }
});

test("int32 products are exact and wrap around like NumPy's int32", () => {
  let seed = 3000;
  for (const [transA, transB] of TRANSPOSES) {
    for (const [m, n, k, batch] of [[3, 4, 5, 1], [8, 8, 8, 2], [1, 7, 3, 3], [17, 9, 20, 1]]) {
      const args: MatmulArgs = { batch, m, n, k, transA, transB, aBatchStride: m * k, bBatchStride: 0 };
      const a = randomInt(batch * m * k, seed++, -50, 50);
      const b = randomInt(k * n, seed++, -50, 50);
      const out = matmul(a, b, args);
      assert.ok(out instanceof Int32Array);
      assert.deepEqual([...out], [...naive(a, b, args).value]);
    }
  }
  const big = Int32Array.from([65536, 65536]);
  const out = matmul(big, Int32Array.from([65536, 1]), { batch: 1, m: 1, n: 1, k: 2, transA: false, transB: false, aBatchStride: 0, bBatchStride: 0 });
  assert.deepEqual([...out], [65536]); // 2^32 wraps to 0, plus 65536
});

test("inconsistent sizes are rejected", () => {
  assert.throws(
    () => matmul(new Float32Array(5), new Float32Array(6), { batch: 1, m: 2, n: 2, k: 3, transA: false, transB: false, aBatchStride: 0, bBatchStride: 0 }),
    /A has 5 elements, 6 needed/,
  );
  assert.throws(
    () => matmul(new Float32Array(6), new Float32Array(6), { batch: 2, m: 2, n: 2, k: 3, transA: false, transB: false, aBatchStride: 0, bBatchStride: 6 }),
    /B has 6 elements, 12 needed/,
  );
  assert.throws(() => matmul(new Float32Array(0), new Float32Array(0), { batch: 1, m: -1, n: 2, k: 0, transA: false, transB: false, aBatchStride: 0, bBatchStride: 0 }), /m must be a non-negative integer/);
});
