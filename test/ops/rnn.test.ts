import { test } from "node:test";
import assert from "node:assert/strict";
import * as keras from "../../src/index.js";
import { checkGradients, randomTensor } from "../helpers/gradcheck.js";
import { gru, lstm, rnn, type GruWeights, type LstmWeights, type RnnOptions } from "../../src/ops/rnn.js";
import { fallbacks, resetFallbacks } from "../../src/backend/fallbacks.js";
import { assertAllClose as assertClose } from "../helpers/close.js";

const { ops } = keras;
type Tensor = keras.Tensor;

// The same activations without their epilogue tags: the ops then take the generic loop.
const plainTanh = (x: Tensor) => ops.tanh(x);
const plainSigmoid = (x: Tensor) => ops.sigmoid(x);

function lstmWeights(features: number, units: number, seed: number, fused = true): LstmWeights {
  return {
    kernel: randomTensor([features, 4 * units], seed),
    recurrentKernel: randomTensor([units, 4 * units], seed + 1),
    bias: randomTensor([4 * units], seed + 2),
    activation: fused ? keras.activations.tanh : plainTanh,
    recurrentActivation: fused ? keras.activations.sigmoid : plainSigmoid,
  };
}

function gruWeights(features: number, units: number, seed: number, fused = true, resetAfter = true): GruWeights {
  return {
    kernel: randomTensor([features, 3 * units], seed),
    recurrentKernel: randomTensor([units, 3 * units], seed + 1),
    bias: randomTensor(resetAfter ? [2, 3 * units] : [3 * units], seed + 2),
    activation: fused ? keras.activations.tanh : plainTanh,
    recurrentActivation: fused ? keras.activations.sigmoid : plainSigmoid,
    resetAfter,
  };
}

/** [batch, timesteps] bool: row 0 all on, row 1 trailing padding, row 2 a gap and a masked start. */
function maskFor(batch: number, timesteps: number): Tensor {
  const rows = Array.from({ length: batch }, (_, b) =>
    Array.from({ length: timesteps }, (_, t) => (b === 0 ? true : b === 1 ? t < timesteps - 2 : t !== 0 && t !== 2)));
  return ops.convertToTensor(rows);
}

const OPTION_CASES: (RnnOptions & { masked: boolean })[] = [];
for (const goBackwards of [false, true]) {
  for (const masked of [false, true]) {
    for (const zeroOutputForMask of masked ? [false, true] : [false]) OPTION_CASES.push({ goBackwards, masked, zeroOutputForMask, returnSequences: true });
  }
}

test("lstm: the fused recurrence equals Keras's cell step in the generic rnn loop (masks, backwards, zeroed outputs)", () => {
  const [B, T, F, U] = [3, 5, 4, 3];
  const x = randomTensor([B, T, F], 1, -2, 2);
  const h0 = randomTensor([B, U], 2);
  const c0 = randomTensor([B, U], 3);
  for (const options of OPTION_CASES) {
    const opts = { ...options, mask: options.masked ? maskFor(B, T) : null };
    const what = JSON.stringify(options);
    const fused = lstm(x, h0, c0, lstmWeights(F, U, 10), opts);
    const loop = lstm(x, h0, c0, lstmWeights(F, U, 10, false), opts);
    assertClose(fused.outputs!, loop.outputs!, `${what} outputs`);
    assertClose(fused.lastOutput, loop.lastOutput, `${what} last output`);
    assertClose(fused.states[0], loop.states[0], `${what} h`);
    assertClose(fused.states[1], loop.states[1], `${what} c`);
  }
});

test("gru: the fused recurrence equals Keras's cell step in the generic rnn loop; reset_after=false runs the loop", () => {
  const [B, T, F, U] = [3, 5, 4, 3];
  const x = randomTensor([B, T, F], 4, -2, 2);
  const h0 = randomTensor([B, U], 5);
  for (const options of OPTION_CASES) {
    const opts = { ...options, mask: options.masked ? maskFor(B, T) : null };
    const what = JSON.stringify(options);
    const fused = gru(x, h0, gruWeights(F, U, 20), opts);
    const loop = gru(x, h0, gruWeights(F, U, 20, false), opts);
    assertClose(fused.outputs!, loop.outputs!, `${what} outputs`);
    assertClose(fused.lastOutput, loop.lastOutput, `${what} last output`);
    assertClose(fused.states[0], loop.states[0], `${what} h`);
  }
  const v1 = gru(x, h0, gruWeights(F, U, 30, true, false), { returnSequences: false });
  assert.deepEqual([...v1.lastOutput.shape], [B, U]);
  assert.equal(v1.outputs, null);
});

test("lstm one step by hand: units 1, feature 1", () => {
  // z = x*W + h*R + b per gate; i,f,o = sigmoid, g = tanh.
  const W = [0.5, -0.25, 1.0, 0.75];
  const R = [0.1, 0.2, -0.3, 0.4];
  const b = [0.0, 1.0, 0.0, 0.0];
  const sig = (v: number) => 1 / (1 + Math.exp(-v));
  let h = 0.2;
  let c = -0.1;
  const xs = [0.8, -1.5];
  const expected: number[] = [];
  for (const xv of xs) {
    const z = W.map((w, k) => xv * w + h * R[k] + b[k]);
    const i = sig(z[0]);
    const f = sig(z[1]);
    const g = Math.tanh(z[2]);
    const o = sig(z[3]);
    c = f * c + i * g;
    h = o * Math.tanh(c);
    expected.push(h);
  }
  const weights: LstmWeights = {
    kernel: ops.convertToTensor([W]), recurrentKernel: ops.convertToTensor([R]), bias: ops.convertToTensor(b),
    activation: keras.activations.tanh, recurrentActivation: keras.activations.sigmoid,
  };
  const out = lstm(ops.convertToTensor([[[0.8], [-1.5]]]), ops.convertToTensor([[0.2]]), ops.convertToTensor([[-0.1]]), weights, { returnSequences: true });
  assertClose(out.outputs!, expected, "h per step", 1e-6);
  assertClose(out.states[1], [c], "final c", 1e-6);
});

test("gru two steps by hand: units 1, reset_after", () => {
  const W = [0.5, -0.25, 1.0];
  const R = [0.1, 0.2, -0.3];
  const bIn = [0.1, 0.0, -0.2];
  const bRec = [0.0, 0.3, 0.05];
  const sig = (v: number) => 1 / (1 + Math.exp(-v));
  let h = 0.4;
  const expected: number[] = [];
  for (const xv of [0.8, -1.5]) {
    const z = sig(xv * W[0] + bIn[0] + h * R[0] + bRec[0]);
    const r = sig(xv * W[1] + bIn[1] + h * R[1] + bRec[1]);
    const hh = Math.tanh(xv * W[2] + bIn[2] + r * (h * R[2] + bRec[2]));
    h = z * h + (1 - z) * hh;
    expected.push(h);
  }
  const weights: GruWeights = {
    kernel: ops.convertToTensor([W]), recurrentKernel: ops.convertToTensor([R]), bias: ops.convertToTensor([bIn, bRec]),
    activation: keras.activations.tanh, recurrentActivation: keras.activations.sigmoid, resetAfter: true,
  };
  const out = gru(ops.convertToTensor([[[0.8], [-1.5]]]), ops.convertToTensor([[0.4]]), weights);
  assertClose(out.outputs!, expected, "h per step", 1e-6);
});

test("lstm / gru gradients through time match finite differences (fused and loop, masked, backwards)", () => {
  const [B, T, F, U] = [3, 4, 2, 2];
  const x = randomTensor([B, T, F], 40, -1, 1);
  const h0 = randomTensor([B, U], 41);
  const c0 = randomTensor([B, U], 42);
  const mask = maskFor(B, T);
  for (const fused of [true, false]) {
    for (const goBackwards of [false, true]) {
      const base = lstmWeights(F, U, 50, fused);
      const lstmFn = (xv: Tensor, h: Tensor, c: Tensor, k: Tensor, r: Tensor, b: Tensor) => {
        const res = lstm(xv, h, c, { ...base, kernel: k, recurrentKernel: r, bias: b }, { mask, goBackwards, returnSequences: true });
        return ops.concatenate([ops.reshape(res.outputs!, [B, T * U]), res.states[0], res.states[1]], 1);
      };
      checkGradients(lstmFn, [x, h0, c0, base.kernel, base.recurrentKernel, base.bias!]);
      const gw = gruWeights(F, U, 60, fused);
      const gruFn = (xv: Tensor, h: Tensor, k: Tensor, r: Tensor, b: Tensor) => {
        const res = gru(xv, h, { ...gw, kernel: k, recurrentKernel: r, bias: b }, { mask, goBackwards, zeroOutputForMask: goBackwards, returnSequences: true });
        return ops.concatenate([ops.reshape(res.outputs!, [B, T * U]), res.lastOutput], 1);
      };
      checkGradients(gruFn, [x, h0, gw.kernel, gw.recurrentKernel, gw.bias!]);
    }
  }
});

test("lstm: the last state alone (no sequences) has the right gradient; only the weights asked for", () => {
  const [B, T, F, U] = [2, 3, 2, 2];
  const w = lstmWeights(F, U, 70);
  const x = randomTensor([B, T, F], 71);
  const zeros = ops.zeros([B, U]);
  checkGradients((xv, r) => lstm(xv, zeros, zeros, { ...w, recurrentKernel: r }, { returnSequences: false }).lastOutput, [x, w.recurrentKernel]);
  checkGradients((xv) => lstm(xv, zeros, zeros, w, { returnSequences: false }).states[1], [x]);
});

test("a sequence padded with masked trailing steps gives the unpadded result exactly", () => {
  const [F, U] = [3, 4];
  const w = lstmWeights(F, U, 80);
  const gw = gruWeights(F, U, 90);
  const short = randomTensor([1, 3, F], 81);
  const padded = ops.concatenate([short, ops.zeros([1, 4, F])], 1);
  const mask = ops.convertToTensor([[true, true, true, false, false, false, false]]);
  const zeros = ops.zeros([1, U]);
  const a = lstm(short, zeros, zeros, w, { returnSequences: false });
  const b = lstm(padded, zeros, zeros, w, { mask, returnSequences: false });
  assert.deepEqual(Array.from(b.lastOutput.dataSync()), Array.from(a.lastOutput.dataSync()));
  assert.deepEqual(Array.from(b.states[1].dataSync()), Array.from(a.states[1].dataSync()));
  const g1 = gru(short, zeros, gw, { returnSequences: false });
  const g2 = gru(padded, zeros, gw, { mask, returnSequences: false });
  assert.deepEqual(Array.from(g2.lastOutput.dataSync()), Array.from(g1.lastOutput.dataSync()));
});

test("rnn: Keras's masked-output rule (previous state or zeros), walk order and errors", () => {
  // A cell that outputs a running sum: h' = h + x.
  const step = (x: Tensor, [h]: Tensor[]): [Tensor, Tensor[]] => {
    const next = ops.add(h, x);
    return [next, [next]];
  };
  const x = ops.convertToTensor([[[1], [2], [3]]]);
  const h0 = ops.convertToTensor([[10]]);
  const mask = ops.convertToTensor([[true, false, true]]);
  assert.deepEqual(rnn(step, x, [h0], { mask }).outputs!.arraySync(), [[[11], [11], [14]]]);
  assert.deepEqual(rnn(step, x, [h0], { mask, zeroOutputForMask: true }).outputs!.arraySync(), [[[11], [0], [14]]]);
  const back = rnn(step, x, [h0], { goBackwards: true });
  assert.deepEqual(back.outputs!.arraySync(), [[[13], [15], [16]]]);
  assert.deepEqual(back.lastOutput.arraySync(), [[16]]);
  assert.throws(() => rnn(step, ops.zeros([2, 3]), [h0]), /rank >= 3/);
  assert.throws(() => rnn(step, x, [h0], { mask: ops.ones([1, 2]) }), /mask must have shape \[batch, timesteps\] = \[1, 3\]/);
  assert.throws(() => lstm(x, h0, h0, lstmWeights(1, 2, 1)), /initial hidden state must have shape \[1, 2\]/);
});

test("the fused recurrences run their fused kernels, forward and backward (no fallback)", () => {
  resetFallbacks();
  const w = lstmWeights(2, 2, 3);
  const gw = gruWeights(2, 2, 4);
  const x = randomTensor([2, 3, 2], 4);
  const h0 = ops.zeros([2, 2]);
  keras.valueAndGrad((k: Tensor) => ops.sum(lstm(x, h0, h0, { ...w, kernel: k }).outputs!))(w.kernel);
  keras.valueAndGrad((k: Tensor) => ops.sum(gru(x, h0, { ...gw, kernel: k }).outputs!))(gw.kernel);
  const names = fallbacks().map((f) => f.kernel);
  for (const kernel of ["lstmForward", "lstmBackward", "gruForward", "gruBackward"]) assert.ok(!names.includes(kernel), `${kernel} fell back: ${JSON.stringify(fallbacks())}`);
});
