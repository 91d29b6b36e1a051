import { test } from "node:test";
import assert from "node:assert/strict";
import { ReferenceBackend } from "../../src/backend/reference/index.js";
import { composedKernels } from "../../src/backend/composed.js";
import { EPILOGUE_ACTIVATIONS } from "../../src/backend/fused_kernels.js";
import { randomValues } from "../helpers/random.js";
import { convCases, poolCases } from "../helpers/conv_oracle.js";
import { convSizes } from "../../src/backend/conv_geometry.js";

/*
 * The composed defaults of the fused kernels (core kernels only) against the reference backend's
 * own fused kernels: bit for bit where the fused kernel promises the composition's rounding
 * (linear, the optimizer updates, normalize, argmax counts), to float32 accuracy for the
 * cross-entropies (one float64 pass against separate float32 ops).
 */

const reference = new ReferenceBackend();
const composed = composedKernels(reference);

function same(actual: ArrayLike<number> | null, expected: ArrayLike<number> | null, what: string): void {
  assert.ok(actual !== null && expected !== null, `${what}: missing`);
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    if (!Object.is(actual[i], expected[i])) assert.fail(`${what}[${i}]: got ${actual[i]}, expected ${expected[i]}`);
  }
}

function close(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string, tol = 2e-6): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    if (!(Math.abs(actual[i] - expected[i]) <= tol * (1 + Math.abs(expected[i])))) assert.fail(`${what}[${i}]: got ${actual[i]}, expected ${expected[i]}`);
  }
}

test("composed linearForward / linearBackward equal the reference fused kernels bit for bit", () => {
  let seed = 1;
  for (const [m, k, n] of [[1, 1, 1], [4, 3, 5], [33, 17, 9], [6, 0, 3]]) {
    for (const act of EPILOGUE_ACTIVATIONS) {
      for (const withBias of [true, false]) {
        const x = randomValues(m * k, seed++, -2, 2);
        const w = randomValues(k * n, seed++);
        const b = withBias ? randomValues(n, seed++) : null;
        const what = `${m}x${k}x${n} ${act} bias=${withBias}`;
        const out = reference.linearForward(x, w, b, m, k, n, act);
        same(composed.linearForward(x, w, b, m, k, n, act), out, `${what} forward`);
        const dOut = randomValues(m * n, seed++);
        const want = reference.linearBackward(dOut, out, x, w, m, k, n, act, true, true, withBias);
        const dW = new Float32Array(k * n);
        const got = composed.linearBackward(dOut, out, x, w, m, k, n, act, true, dW, withBias);
        same(got.dX, want.dX, `${what} dX`);
        assert.equal(got.dW, dW, `${what}: dW written into the target given`);
        same(got.dW, want.dW, `${what} dW`);
        if (withBias) close(got.db!, want.db!, `${what} db`, 1e-6);
        else assert.equal(got.db, null);
      }
    }
  }
  assert.throws(() => composed.linearForward(new Float32Array(5), new Float32Array(6), null, 2, 3, 2, "relu"), /linearForward kernel: x has 5 elements, expected 6/);
});

test("composed softmax cross-entropy and its gradient match the reference kernels (sparse, out-of-range labels, dense)", () => {
  for (const [rows, cols] of [[1, 1], [8, 10], [5, 33]]) {
    const logits = randomValues(rows * cols, rows + cols, -6, 6);
    const labels = Int32Array.from({ length: rows }, (_, r) => (r === 2 ? cols : r === 3 ? -1 : (r * 7) % cols));
    const dense = randomValues(rows * cols, 5, 0, 1);
    const scale = randomValues(rows, 6, 0, 1);
    for (const [lab, den, kind] of [[labels, null, "sparse"], [null, dense, "dense"]] as const) {
      close(composed.softmaxCrossEntropy(logits, rows, cols, lab, den), reference.softmaxCrossEntropy(logits, rows, cols, lab, den), `${kind} ${rows}x${cols} loss`);
      close(
        composed.softmaxCrossEntropyBackward(logits, rows, cols, lab, den, scale),
        reference.softmaxCrossEntropyBackward(logits, rows, cols, lab, den, scale),
        `${kind} ${rows}x${cols} gradient`,
      );
    }
  }
});

test("composed countArgmaxMatches and normalize equal the reference kernels", () => {
  const pred = randomValues(40, 3);
  pred[7] = NaN;
  const labels = Float32Array.from({ length: 8 }, (_, r) => (r % 2 === 0 ? 2.5 : r % 5));
  const oneHot = randomValues(40, 4);
  assert.equal(composed.countArgmaxMatches(pred, 8, 5, labels, null), reference.countArgmaxMatches(pred, 8, 5, labels, null));
  assert.equal(composed.countArgmaxMatches(pred, 8, 5, null, oneHot), reference.countArgmaxMatches(pred, 8, 5, null, oneHot));
  const x = randomValues(3 * 4 * 5, 9, -3, 3);
  x.fill(0, 20, 25);
  const bytes = Uint8Array.from(randomValues(60, 10, 0, 255));
  for (const order of [2, 1, Infinity, 3]) {
    for (const mode of ["zeroAsOne", "epsilon"] as const) {
      for (const axes of [[1], [0, 2], [2]]) {
        const args = { order, mode, epsilon: 1e-3 };
        same(composed.normalize(x, [3, 4, 5], axes, args), reference.normalize(x, [3, 4, 5], axes, args), `normalize p=${order} ${mode} axes=${axes}`);
        same(composed.normalize(bytes, [3, 4, 5], axes, args), reference.normalize(bytes, [3, 4, 5], axes, args), `normalize uint8 p=${order} ${mode} axes=${axes}`);
      }
    }
  }
});

test("composed optimizer updates equal the reference kernels bit for bit, in place", () => {
  const n = 37;
  const fresh = (seed: number, lo = -1, hi = 1) => randomValues(n, seed, lo, hi);
  const pair = (make: () => (Float32Array | null)[], run: (kernels: typeof composed, arrays: (Float32Array | null)[]) => void, what: string) => {
    const a = make();
    const b = make();
    run(composed, a);
    run(reference, b);
    a.forEach((x, i) => (x === null ? assert.equal(b[i], null) : same(x, b[i], `${what} array ${i}`)));
  };
  const g = fresh(1);
  for (const nesterov of [false, true]) {
    for (const withMomentum of [false, true]) {
      pair(() => [fresh(2), withMomentum ? fresh(3) : null], (k, [w, m]) => k.sgdUpdate(w!, g, m, { lr: 0.05, momentum: 0.9, nesterov }), `sgd nesterov=${nesterov} momentum=${withMomentum}`);
    }
  }
  for (const withMomentum of [false, true]) {
    for (const centered of [false, true]) {
      pair(
        () => [fresh(4), fresh(5, 0, 1), withMomentum ? fresh(6) : null, centered ? fresh(7, -0.1, 0.1) : null],
        (k, [w, v, m, a]) => k.rmspropUpdate(w!, g, v!, m, a, { lr: 0.01, rho: 0.8, momentum: withMomentum ? 0.5 : 0, epsilon: 1e-3 }),
        `rmsprop momentum=${withMomentum} centered=${centered}`,
      );
    }
  }
  for (const amsgrad of [false, true]) {
    pair(
      () => [fresh(8), fresh(9), fresh(10, 0, 0.5), amsgrad ? fresh(11, 0, 0.5) : null],
      (k, [w, m, v, h]) => k.adamUpdate(w!, g, m!, v!, h, { alpha: 0.003, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 }),
      `adam amsgrad=${amsgrad}`,
    );
  }
});

/** Closeness relative to the largest magnitude in `expected` (sums in a different order). */
function closeScaled(actual: ArrayLike<number> | null, expected: ArrayLike<number> | null, what: string, tol = 1e-5): void {
  assert.ok(actual !== null && expected !== null, `${what}: missing`);
  assert.equal(actual.length, expected.length, `${what}: length`);
  let scale = 1;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]));
  for (let i = 0; i < expected.length; i++) {
    if (!(Math.abs(actual[i] - expected[i]) <= tol * scale)) assert.fail(`${what}[${i}]: got ${actual[i]}, expected ${expected[i]}`);
  }
}

test("composed conv kernels (im2col by gather, matmul, scatterAdd) equal the reference kernels", () => {
  let seed = 100;
  for (const args of convCases(24, 7)) {
    const sizes = convSizes(args);
    const x = randomValues(sizes.x, seed++, -2, 2);
    const w = randomValues(sizes.w, seed++);
    const bias = randomValues(args.outChannels, seed++);
    for (const act of EPILOGUE_ACTIVATIONS) {
      const what = `${JSON.stringify(args)} ${act}`;
      const out = reference.convForward(x, w, bias, args, act);
      closeScaled(composed.convForward(x, w, bias, args, act), out, `${what} forward`);
      const dOut = randomValues(sizes.out, seed++);
      const want = reference.convBackward(dOut, out, x, w, args, act, true, true, true);
      const dW = new Float32Array(sizes.w);
      const got = composed.convBackward(dOut, out, x, w, args, act, true, dW, true);
      assert.equal(got.dW, dW, `${what}: dW written into the target given`);
      closeScaled(got.dX, want.dX, `${what} dX`);
      closeScaled(got.dW, want.dW, `${what} dW`);
      closeScaled(got.db, want.db, `${what} db`);
    }
  }
  assert.throws(() => composed.convForward(new Float32Array(3), new Float32Array(1), null, convCases(1, 1)[0], "linear"), /convForward kernel: x has 3 elements/);
});

test("composed pooling kernels equal the reference kernels", () => {
  let seed = 300;
  for (const args of poolCases(24, 11)) {
    const sizes = { x: args.batch * args.channels * args.inputSize.reduce((a, b) => a * b, 1), out: args.batch * args.channels * args.outputSize.reduce((a, b) => a * b, 1) };
    const x = randomValues(sizes.x, seed++, -2, 2);
    const dOut = randomValues(sizes.out, seed++);
    const what = JSON.stringify(args);
    same(composed.maxPoolForward(x, args), reference.maxPoolForward(x, args), `${what} max`);
    same(composed.maxPoolBackward(dOut, x, args), reference.maxPoolBackward(dOut, x, args), `${what} max backward`);
    close(composed.avgPoolForward(x, args), reference.avgPoolForward(x, args), `${what} avg`);
    close(composed.avgPoolBackward(dOut, args), reference.avgPoolBackward(dOut, args), `${what} avg backward`);
  }
});

test("composed batch normalization kernels equal the reference kernels", () => {
  let seed = 500;
  for (const [outer, channels, inner] of [[6, 3, 1], [2, 4, 5], [1, 2, 7], [5, 1, 3]]) {
    const args = { outer, channels, inner, epsilon: 1e-3 };
    const n = outer * channels * inner;
    const x = randomValues(n, seed++, -2, 3);
    const gamma = randomValues(channels, seed++, 0.5, 1.5);
    const beta = randomValues(channels, seed++);
    const want = reference.batchNormTraining(x, gamma, beta, args);
    const got = composed.batchNormTraining(x, gamma, beta, args);
    close(got.mean, want.mean, "mean", 1e-6);
    close(got.variance, want.variance, "variance", 1e-5);
    close(got.out, want.out, "out", 1e-5);
    close(composed.batchNormTraining(x, null, null, args).out, reference.batchNormTraining(x, null, null, args).out, "out without gamma/beta", 1e-5);
    const dOut = randomValues(n, seed++);
    const wantG = reference.batchNormTrainingBackward(dOut, x, want.mean, want.variance, gamma, args, true, true, true);
    const dGamma = new Float32Array(channels);
    const gotG = composed.batchNormTrainingBackward(dOut, x, want.mean, want.variance, gamma, args, true, dGamma, true);
    assert.equal(gotG.dGamma, dGamma);
    close(gotG.dX!, wantG.dX!, "dX", 1e-4);
    close(gotG.dGamma!, wantG.dGamma!, "dGamma", 1e-4);
    close(gotG.dBeta!, wantG.dBeta!, "dBeta", 1e-5);
    close(composed.batchNormInference(x, want.mean, want.variance, gamma, beta, args), reference.batchNormInference(x, want.mean, want.variance, gamma, beta, args), "inference", 1e-6);
  }
});
