import { test } from "node:test";
import assert from "node:assert/strict";
import { ReferenceBackend } from "../../src/backend/reference/index.js";
import { composedKernels } from "../../src/backend/composed.js";
import { randomValues } from "../helpers/random.js";
import { ATTENTION_CASES, RECURRENT_CASES, attentionMask, closeArrays, sequenceMask } from "../helpers/sequences.js";

/*
 * The composed LSTM / GRU recurrences and attention (core kernels, one op at a time) against the
 * reference fused kernels, over masks, walking backwards, zeroed masked outputs and both modes.
 * They round alike except in the products' summation order, so they agree to float32 accuracy.
 */

const reference = new ReferenceBackend();
const composed = composedKernels(reference);

test("composed lstmForward / lstmBackward match the reference kernels", () => {
  let seed = 1;
  for (const args of RECURRENT_CASES) {
    const { batch: B, timesteps: T, units: U } = args;
    for (const masked of [false, true]) {
      const what = `lstm ${JSON.stringify(args)} masked=${masked}`;
      const x = randomValues(B * T * 4 * U, seed++, -2, 2);
      const h0 = randomValues(B * U, seed++);
      const c0 = randomValues(B * U, seed++);
      const r = randomValues(U * 4 * U, seed++);
      const mask = masked ? sequenceMask(B, T, seed++) : null;
      const want = reference.lstmForward(x, h0, c0, r, mask, args);
      const got = composed.lstmForward(x, h0, c0, r, mask, args);
      closeArrays(got.outputs, want.outputs, `${what} outputs`);
      closeArrays(got.h, want.h, `${what} h`);
      closeArrays(got.c, want.c, `${what} c`);
      closeArrays(got.workspace, want.workspace, `${what} workspace`);
      const dOut = randomValues(B * T * U, seed++);
      const dH = randomValues(B * U, seed++);
      const dC = randomValues(B * U, seed++);
      const gWant = reference.lstmBackward(dOut, dH, dC, r, mask, want.workspace!, args, true);
      const target = new Float32Array(U * 4 * U);
      const gGot = composed.lstmBackward(dOut, dH, dC, r, mask, want.workspace!, args, target);
      assert.equal(gGot.dRecurrentKernel, target, `${what}: dRecurrentKernel written into its target`);
      closeArrays(gGot.dX, gWant.dX, `${what} dX`);
      closeArrays(gGot.dH0, gWant.dH0, `${what} dH0`);
      closeArrays(gGot.dC0, gWant.dC0, `${what} dC0`);
      closeArrays(gGot.dRecurrentKernel, gWant.dRecurrentKernel, `${what} dRecurrentKernel`);
      const partial = composed.lstmBackward(null, dH, null, r, mask, want.workspace!, args, false);
      closeArrays(partial.dX, reference.lstmBackward(null, dH, null, r, mask, want.workspace!, args, false).dX, `${what} dX from dH alone`);
      assert.equal(partial.dRecurrentKernel, null);
    }
  }
});

test("composed gruForward / gruBackward match the reference kernels", () => {
  let seed = 100;
  for (const args of RECURRENT_CASES) {
    const { batch: B, timesteps: T, units: U } = args;
    for (const [masked, withBias] of [[false, true], [true, true], [true, false]]) {
      const what = `gru ${JSON.stringify(args)} masked=${masked} bias=${withBias}`;
      const x = randomValues(B * T * 3 * U, seed++, -2, 2);
      const h0 = randomValues(B * U, seed++);
      const r = randomValues(U * 3 * U, seed++);
      const bias = withBias ? randomValues(3 * U, seed++) : null;
      const mask = masked ? sequenceMask(B, T, seed++) : null;
      const want = reference.gruForward(x, h0, r, bias, mask, args);
      const got = composed.gruForward(x, h0, r, bias, mask, args);
      closeArrays(got.outputs, want.outputs, `${what} outputs`);
      closeArrays(got.h, want.h, `${what} h`);
      closeArrays(got.workspace, want.workspace, `${what} workspace`);
      const dOut = randomValues(B * T * U, seed++);
      const dH = randomValues(B * U, seed++);
      const gWant = reference.gruBackward(dOut, dH, r, withBias, mask, want.workspace!, args, true, true);
      const gGot = composed.gruBackward(dOut, dH, r, withBias, mask, want.workspace!, args, true, true);
      closeArrays(gGot.dX, gWant.dX, `${what} dX`);
      closeArrays(gGot.dH0, gWant.dH0, `${what} dH0`);
      closeArrays(gGot.dRecurrentKernel, gWant.dRecurrentKernel, `${what} dRecurrentKernel`);
      closeArrays(gGot.dRecurrentBias, gWant.dRecurrentBias, `${what} dRecurrentBias`);
    }
  }
});

test("composed attentionForward / attentionBackward match the reference kernels", () => {
  let seed = 200;
  for (const { args } of ATTENTION_CASES) {
    const { batch: B, queryLength: Tq, keyLength: Tk, heads: N, depth: D, valueDepth: Dv } = args;
    const what = `attention ${JSON.stringify(args)}`;
    const q = randomValues(B * Tq * N * D, seed++, -2, 2);
    const k = randomValues(B * Tk * N * D, seed++, -2, 2);
    const v = randomValues(B * Tk * N * Dv, seed++);
    const mask = args.maskShape === null ? null : attentionMask(args.maskShape, seed++);
    const want = reference.attentionForward(q, k, v, mask, args);
    const got = composed.attentionForward(q, k, v, mask, args);
    closeArrays(got.out, want.out, `${what} out`);
    closeArrays(got.probabilities, want.probabilities, `${what} probabilities`);
    const dOut = randomValues(B * Tq * N * Dv, seed++);
    const gWant = reference.attentionBackward(dOut, q, k, v, mask, want.probabilities, args);
    const gGot = composed.attentionBackward(dOut, q, k, v, mask, want.probabilities, args);
    closeArrays(gGot.dQ, gWant.dQ, `${what} dQ`, 1e-5);
    closeArrays(gGot.dK, gWant.dK, `${what} dK`, 1e-5);
    closeArrays(gGot.dV, gWant.dV, `${what} dV`, 1e-5);
  }
});
