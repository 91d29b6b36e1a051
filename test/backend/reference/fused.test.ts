import { test } from "node:test";
import assert from "node:assert/strict";
import { ReferenceBackend } from "../../../src/backend/reference/index.js";
import type { EpilogueActivation } from "../../../src/backend/fused_kernels.js";
import { matmul } from "../../../src/backend/reference/matmul.js";
import { randomValues } from "../../helpers/random.js";

/*
 * The reference fused kernels against the unfused composition of the reference's own kernels
 * (matmul, binary add, unary activation, softmax, ...) on random inputs, and the optimizer kernels
 * against Keras's update rules written out per element in float64.
 */

const backend = new ReferenceBackend();


function assertClose(actual: ArrayLike<number> | null, expected: ArrayLike<number>, what: string, tol = 1e-5): void {
  assert.ok(actual !== null, `${what}: missing`);
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    const a: number = actual[i];
    const e: number = expected[i];
    if (!(Math.abs(a - e) <= tol * (1 + Math.abs(e))) && !(Number.isNaN(a) && Number.isNaN(e))) {
      assert.fail(`${what}[${i}]: got ${a}, expected ${e}`);
    }
  }
}

const ACTIVATIONS: EpilogueActivation[] = ["linear", "relu", "sigmoid", "tanh"];

/** activation(add(matmul(x, w), bias)) with the reference's separate kernels. */
function unfusedForward(x: Float32Array, w: Float32Array, bias: Float32Array | null, m: number, k: number, n: number, act: EpilogueActivation): Float32Array {
  let z = matmul(x, w, { batch: 1, m, n, k, transA: false, transB: false, aBatchStride: 0, bBatchStride: 0 }) as Float32Array;
  if (bias !== null) z = backend.binary("add", z, [m, n], bias, [n], [m, n], "float32") as Float32Array;
  return act === "linear" ? z : (backend.unary(act, z, "float32") as Float32Array);
}

const SHAPES: [number, number, number][] = [
  [1, 1, 1],
  [2, 3, 5],
  [32, 20, 16],
  [7, 33, 10],
  [5, 0, 4],
];

test("linearForward equals matmul + bias + activation, for every activation, with and without bias", () => {
  let seed = 1;
  for (const [m, k, n] of SHAPES) {
    for (const act of ACTIVATIONS) {
      for (const withBias of [true, false]) {
        const x = randomValues(m * k, seed++, -2, 2);
        const w = randomValues(k * n, seed++);
        const b = withBias ? randomValues(n, seed++) : null;
        const out = backend.linearForward(x, w, b, m, k, n, act);
        assert.ok(out instanceof Float32Array);
        assertClose(out, unfusedForward(x, w, b, m, k, n, act), `${act} bias=${withBias} ${m}x${k}x${n}`);
      }
    }
  }
});

test("linearForward does not write its inputs and keeps relu(NaN) = NaN", () => {
  const x = Float32Array.from([NaN, 1, -1, 2]);
  const w = Float32Array.from([1, 0, 0, 1]);
  const b = Float32Array.from([0.5, -0.5]);
  const copies = [x, w, b].map((a) => a.slice());
  const out = backend.linearForward(x, w, b, 2, 2, 2, "relu");
  assert.deepEqual([x, w, b], copies);
  // Row 0 holds a NaN, so both its outputs are NaN (not clamped to 0); row 1 is [-1, 2] @ I + b.
  assert.ok(Number.isNaN(out[0]) && Number.isNaN(out[1]));
  assert.equal(out[2], 0); // relu(-1 + 0.5)
  assert.equal(out[3], 1.5); // relu(2 - 0.5)
});

/** The VJPs of matmul, add and the activation, composed from the reference kernels in float64 loops. */
function unfusedBackward(dOut: Float32Array, out: Float32Array, x: Float32Array, w: Float32Array, m: number, k: number, n: number, act: EpilogueActivation) {
  const dz = new Float64Array(m * n);
  for (let i = 0; i < m * n; i++) {
    const o = out[i];
    const d = act === "linear" ? 1 : act === "relu" ? (o > 0 ? 1 : 0) : act === "sigmoid" ? o * (1 - o) : 1 - o * o;
    dz[i] = dOut[i] * d;
  }
  const dX = new Float64Array(m * k);
  const dW = new Float64Array(k * n);
  const db = new Float64Array(n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      const g = dz[i * n + j];
      db[j] += g;
      for (let p = 0; p < k; p++) {
        dX[i * k + p] += g * w[p * n + j];
        dW[p * n + j] += x[i * k + p] * g;
      }
    }
  }
  return { dX, dW, db };
}

test("linearBackward equals the composed VJPs (dZ from the output, then dX, dW, db) for every activation", () => {
  let seed = 100;
  for (const [m, k, n] of SHAPES) {
    for (const act of ACTIVATIONS) {
      const x = randomValues(m * k, seed++, -2, 2);
      const w = randomValues(k * n, seed++);
      const b = randomValues(n, seed++);
      const out = backend.linearForward(x, w, b, m, k, n, act);
      const dOut = randomValues(m * n, seed++);
      const expected = unfusedBackward(dOut, out, x, w, m, k, n, act);
      const inputs = [dOut, out, x, w].map((a) => a.slice());
      const got = backend.linearBackward(dOut, out, x, w, m, k, n, act, true, true, true);
      assert.deepEqual([dOut, out, x, w], inputs, "inputs untouched");
      const what = `${act} ${m}x${k}x${n}`;
      assertClose(got.dX, expected.dX, `${what} dX`);
      assertClose(got.dW, expected.dW, `${what} dW`);
      assertClose(got.db, expected.db, `${what} db`);
      // Only what is asked for.
      const some = backend.linearBackward(dOut, out, x, w, m, k, n, act, false, true, false);
      assert.equal(some.dX, null);
      assert.equal(some.db, null);
      assertClose(some.dW, expected.dW, `${what} dW alone`);
      const none = backend.linearBackward(dOut, out, x, w, m, k, n, act, true, false, false);
      assert.equal(none.dW, null);
      assertClose(none.dX, expected.dX, `${what} dX alone`);
    }
  }
});

test("linearBackward: relu passes the gradient only where the output is positive", () => {
  const out = Float32Array.from([0, 2, NaN, -0]);
  const dOut = Float32Array.from([5, 6, 7, 8]);
  const x = Float32Array.from([1, 1, 1, 1]);
  const w = Float32Array.from([1]);
  const { db } = backend.linearBackward(dOut, out, x, w, 4, 1, 1, "relu", false, false, true);
  assert.deepEqual(Array.from(db!), [6]);
});

/** -sum(t * logSoftmax(z), -1) with the reference's logSoftmax kernel. */
function unfusedCrossEntropy(logits: Float32Array, rows: number, cols: number, targets: Float64Array): Float64Array {
  const logp = backend.logSoftmax(logits, rows, cols);
  const out = new Float64Array(rows);
  for (let r = 0; r < rows; r++) for (let j = 0; j < cols; j++) out[r] -= targets[r * cols + j] * logp[r * cols + j];
  return out;
}

function oneHot(labels: Int32Array, cols: number): Float64Array {
  const t = new Float64Array(labels.length * cols);
  labels.forEach((l, r) => {
    if (l >= 0 && l < cols) t[r * cols + l] = 1;
  });
  return t;
}

/** Gradient of Σ scale[r] * loss[r]: scale * (softmax * Σt - t). */
function unfusedCrossEntropyGrad(logits: Float32Array, rows: number, cols: number, targets: Float64Array, scale: Float32Array): Float64Array {
  const p = backend.softmax(logits, rows, cols);
  const out = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    let total = 0;
    for (let j = 0; j < cols; j++) total += targets[r * cols + j];
    for (let j = 0; j < cols; j++) out[r * cols + j] = scale[r] * (p[r * cols + j] * total - targets[r * cols + j]);
  }
  return out;
}

test("softmaxCrossEntropy: sparse labels and dense (one-hot and soft) targets equal -sum(t * logSoftmax(z))", () => {
  for (const [rows, cols, seed] of [[1, 1, 1], [4, 3, 2], [32, 10, 3], [5, 100, 4]]) {
    // Large logits: the kernel must subtract the max.
    const logits = randomValues(rows * cols, seed, -30, 30);
    const labels = Int32Array.from(randomValues(rows, seed + 10, 0, cols), Math.floor);
    const sparse = backend.softmaxCrossEntropy(logits, rows, cols, labels, null);
    assertClose(sparse, unfusedCrossEntropy(logits, rows, cols, oneHot(labels, cols)), `sparse ${rows}x${cols}`);
    const hot = Float32Array.from(oneHot(labels, cols));
    assertClose(backend.softmaxCrossEntropy(logits, rows, cols, null, hot), sparse, `one-hot ${rows}x${cols}`);
    const soft = randomValues(rows * cols, seed + 20, 0, 1);
    assertClose(backend.softmaxCrossEntropy(logits, rows, cols, null, soft), unfusedCrossEntropy(logits, rows, cols, Float64Array.from(soft)), `soft ${rows}x${cols}`);
  }
});

test("softmaxCrossEntropy: a label outside [0, classes) gives loss 0 and gradient 0", () => {
  const logits = randomValues(12, 5);
  const labels = Int32Array.from([1, -1, 3, 2]);
  const loss = backend.softmaxCrossEntropy(logits, 4, 3, labels, null);
  assert.equal(loss[1], 0);
  assert.equal(loss[2], 0);
  assert.ok(loss[0] > 0 && loss[3] > 0);
  const grad = backend.softmaxCrossEntropyBackward(logits, 4, 3, labels, null, Float32Array.from([1, 1, 1, 1]));
  assert.deepEqual(Array.from(grad.slice(3, 9)), [0, 0, 0, 0, 0, 0]);
  assert.throws(() => backend.softmaxCrossEntropy(logits, 4, 3, null, null), /exactly one/);
});

test("softmaxCrossEntropyBackward equals rowScale * (softmax * sum(t) - t), sparse and dense", () => {
  for (const [rows, cols, seed] of [[1, 1, 1], [4, 3, 2], [32, 10, 3], [6, 50, 4]]) {
    const logits = randomValues(rows * cols, seed, -20, 20);
    const labels = Int32Array.from(randomValues(rows, seed + 10, 0, cols), Math.floor);
    const scale = randomValues(rows, seed + 30, 0.1, 2);
    const copy = logits.slice();
    const sparse = backend.softmaxCrossEntropyBackward(logits, rows, cols, labels, null, scale);
    assert.deepEqual(logits, copy);
    assertClose(sparse, unfusedCrossEntropyGrad(logits, rows, cols, oneHot(labels, cols), scale), `sparse ${rows}x${cols}`);
    const soft = randomValues(rows * cols, seed + 20, 0, 1);
    assertClose(
      backend.softmaxCrossEntropyBackward(logits, rows, cols, null, soft, scale),
      unfusedCrossEntropyGrad(logits, rows, cols, Float64Array.from(soft), scale),
      `soft ${rows}x${cols}`,
    );
  }
});

/* ---- optimizer updates, in place: Keras's rules per element, checked against float64 ---- */

const N = 37;

function slots(count: number, seed: number, lo = -1, hi = 1): Float32Array[] {
  return Array.from({ length: count }, (_, i) => randomValues(N, seed + i, lo, hi));
}

/** Runs an in-place update on copies of `state` and returns them; the gradient must stay as it was. */
function updated<S extends (Float32Array | null)[]>(grad: Float32Array, state: S, run: (g: Float32Array, ...s: S) => void): S {
  const before = grad.slice();
  const copies = state.map((a) => a?.slice() ?? null) as S;
  run(grad, ...copies);
  assert.deepEqual(grad, before, "gradient untouched");
  return copies;
}

test("sgdUpdate: plain, momentum and nesterov", () => {
  const [w, g, m] = slots(3, 1);
  {
    for (const [momentum, nesterov] of [[0, false], [0.9, false], [0.9, true]] as const) {
      const lr = 0.05;
      const [rw, rm] = updated(g, [w, momentum === 0 ? null : m], (gg, ww, mm) => backend.sgdUpdate(ww!, gg, mm, { lr, momentum, nesterov }));
      const r = { variable: rw!, momentum: rm };
      const ew = new Float64Array(N);
      const em = new Float64Array(N);
      for (let i = 0; i < N; i++) {
        const w0 = w[i];
        if (momentum === 0) {
          ew[i] = w0 - lr * g[i];
        } else {
          em[i] = momentum * m[i] - lr * g[i];
          ew[i] = nesterov ? w0 + momentum * em[i] - lr * g[i] : w0 + em[i];
        }
      }
      const what = `momentum=${momentum} nesterov=${nesterov}`;
      assertClose(r.variable, ew, `${what} variable`, 1e-6);
      if (momentum === 0) assert.equal(r.momentum, null);
      else assertClose(r.momentum, em, `${what} momentum`, 1e-6);
    }
  }
});

test("rmspropUpdate: plain, momentum, centered", () => {
  const [w, g, m, a] = slots(4, 10);
  const [v] = slots(1, 20, 0, 1);
  {
    for (const [momentum, centered] of [[0, false], [0.5, false], [0, true], [0.5, true]] as const) {
      const args = { lr: 0.01, rho: 0.8, momentum, epsilon: 1e-3 };
      const [rw, rv, rm, ra] = updated(g, [w, v, momentum > 0 ? m : null, centered ? a : null], (gg, ww, vv, mm, aa) => backend.rmspropUpdate(ww!, gg, vv!, mm, aa, args));
      const r = { variable: rw!, velocity: rv!, momentum: rm, averageGradient: ra };
      const ew = new Float64Array(N), ev = new Float64Array(N), em = new Float64Array(N), ea = new Float64Array(N);
      for (let i = 0; i < N; i++) {
        ev[i] = args.rho * v[i] + (1 - args.rho) * g[i] * g[i];
        let denom = ev[i] + args.epsilon;
        if (centered) {
          ea[i] = args.rho * a[i] + (1 - args.rho) * g[i];
          denom = ev[i] - ea[i] * ea[i] + args.epsilon;
        }
        const inc = (args.lr * g[i]) / Math.sqrt(denom);
        if (momentum > 0) {
          em[i] = momentum * m[i] + inc;
          ew[i] = w[i] - em[i];
        } else {
          ew[i] = w[i] - inc;
        }
      }
      const what = `momentum=${momentum} centered=${centered}`;
      assertClose(r.variable, ew, `${what} variable`, 1e-6);
      assertClose(r.velocity, ev, `${what} velocity`, 1e-6);
      if (momentum > 0) assertClose(r.momentum, em, `${what} momentum`, 1e-6);
      else assert.equal(r.momentum, null);
      if (centered) assertClose(r.averageGradient, ea, `${what} average`, 1e-6);
      else assert.equal(r.averageGradient, null);
    }
  }
});

test("adamUpdate: Adam and amsgrad, with a bias-corrected alpha", () => {
  const [w, g, m] = slots(3, 30);
  const [v, vh] = slots(2, 40, 0, 0.5);
  const beta1 = 0.9, beta2 = 0.999, epsilon = 1e-7, lr = 0.01, t = 3;
  const alpha = (lr * Math.sqrt(1 - beta2 ** t)) / (1 - beta1 ** t);
  {
    for (const amsgrad of [false, true]) {
      const [rw, rm, rv, rh] = updated(g, [w, m, v, amsgrad ? vh : null], (gg, ww, mm, vv, hh) => backend.adamUpdate(ww!, gg, mm!, vv!, hh, { alpha, beta1, beta2, epsilon }));
      const r = { variable: rw!, momentum: rm!, velocity: rv!, velocityHat: rh };
      const ew = new Float64Array(N), em = new Float64Array(N), ev = new Float64Array(N), eh = new Float64Array(N);
      for (let i = 0; i < N; i++) {
        em[i] = m[i] + (g[i] - m[i]) * (1 - beta1);
        ev[i] = v[i] + (g[i] * g[i] - v[i]) * (1 - beta2);
        eh[i] = Math.max(vh[i], ev[i]);
        ew[i] = w[i] - (em[i] * alpha) / (Math.sqrt(amsgrad ? eh[i] : ev[i]) + epsilon);
      }
      const what = `amsgrad=${amsgrad}`;
      assertClose(r.variable, ew, `${what} variable`, 1e-6);
      assertClose(r.momentum, em, `${what} momentum`, 1e-6);
      assertClose(r.velocity, ev, `${what} velocity`, 1e-6);
      if (amsgrad) assertClose(r.velocityHat, eh, `${what} velocityHat`, 1e-6);
      else assert.equal(r.velocityHat, null);
    }
  }
});

test("fused kernels check their sizes", () => {
  assert.throws(() => backend.linearForward(new Float32Array(5), new Float32Array(6), null, 2, 3, 2, "relu"), /x has 5 elements/);
  assert.throws(() => backend.linearBackward(new Float32Array(4), new Float32Array(4), new Float32Array(6), new Float32Array(5), 2, 3, 2, "relu", true, true, true), /w has 5/);
  assert.throws(() => backend.adamUpdate(new Float32Array(3), new Float32Array(2), new Float32Array(3), new Float32Array(3), null, { alpha: 1, beta1: 0.9, beta2: 0.9, epsilon: 1e-7 }), /grad has 2/);
});
