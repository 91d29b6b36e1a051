import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { RecurrentArgs } from "../../../src/backend/sequence_kernels.js";
import { ReferenceBackend } from "../../../src/backend/reference/index.js";
import { tryCreateNativeBackend, type NativeBackend } from "../../../src/backend/native/index.js";
import { loadNativeAddon } from "../../../src/backend/native/addon.js";
import { fallbacks, resetFallbacks } from "../../../src/backend/fallbacks.js";
import { randomValues } from "../../helpers/random.js";
import { ATTENTION_CASES, RECURRENT_CASES, attentionMask, closeArrays, sequenceMask } from "../../helpers/sequences.js";

/*
 * The C sequence kernels (native/rnn.c, native/attention.c) against the reference kernels, at
 * every SIMD level the CPU has: small shapes with every option, and shapes large enough to be
 * split into per-thread batch bands. The C kernels sum products in float32 and use float32
 * activations (a few ulps), so results agree to float32 accuracy accumulated over the steps.
 */

const created = tryCreateNativeBackend();
const skip = "error" in created ? `native addon not built: ${created.error}` : false;
const ref = new ReferenceBackend();
const TOL = 5e-5;

function forEachIsa(fn: (isa: string) => void): void {
  const loaded = loadNativeAddon();
  if ("error" in loaded) return;
  const best = loaded.addon.info().isa;
  const levels = best === "avx512" ? ["avx512", "avx2", "c"] : best === "avx2" ? ["avx2", "c"] : ["c"];
  try {
    for (const isa of levels) {
      loaded.addon.setIsa(isa as "avx512" | "avx2" | "c");
      fn(isa);
    }
  } finally {
    loaded.addon.setIsa(levels[0] as "avx512" | "avx2" | "c");
  }
}

const CASES: RecurrentArgs[] = [
  ...RECURRENT_CASES,
  // Banded over threads: at least 8 rows and 2^20 multiply-adds.
  { batch: 33, timesteps: 9, units: 17, goBackwards: false, zeroOutputForMask: false, returnSequences: true, training: true },
  { batch: 40, timesteps: 7, units: 24, goBackwards: true, zeroOutputForMask: true, returnSequences: true, training: true },
  // Inference: no sequence, no workspace.
  { batch: 5, timesteps: 4, units: 3, goBackwards: false, zeroOutputForMask: false, returnSequences: false, training: false },
];

describe("native sequence kernels against the reference", { skip }, () => {
  const nat = ("backend" in created ? created.backend : undefined) as NativeBackend;

  test("lstmForward / lstmBackward", () => {
    resetFallbacks();
    forEachIsa((isa) => {
      let seed = 1;
      for (const args of CASES) {
        const { batch: B, timesteps: T, units: U } = args;
        for (const masked of [false, true]) {
          const what = `${isa} lstm ${JSON.stringify(args)} masked=${masked}`;
          const x = randomValues(B * T * 4 * U, seed++, -2, 2);
          const h0 = randomValues(B * U, seed++);
          const c0 = randomValues(B * U, seed++);
          const r = randomValues(U * 4 * U, seed++, -0.5, 0.5);
          const mask = masked ? sequenceMask(B, T, seed++) : null;
          const want = ref.lstmForward(x, h0, c0, r, mask, args);
          const got = nat.lstmForward(x, h0, c0, r, mask, args);
          closeArrays(got.outputs, want.outputs, `${what} outputs`, TOL);
          closeArrays(got.h, want.h, `${what} h`, TOL);
          closeArrays(got.c, want.c, `${what} c`, TOL);
          closeArrays(got.workspace, want.workspace, `${what} workspace`, TOL);
          if (!args.training) continue;
          const dOut = randomValues(B * T * U, seed++);
          const dH = randomValues(B * U, seed++);
          const dC = randomValues(B * U, seed++);
          const gWant = ref.lstmBackward(dOut, dH, dC, r, mask, want.workspace!, args, true);
          const target = new Float32Array(U * 4 * U);
          const gGot = nat.lstmBackward(dOut, dH, dC, r, mask, want.workspace!, args, target);
          assert.equal(gGot.dRecurrentKernel, target, `${what}: dRecurrentKernel written into its target`);
          closeArrays(gGot.dX, gWant.dX, `${what} dX`, TOL);
          closeArrays(gGot.dH0, gWant.dH0, `${what} dH0`, TOL);
          closeArrays(gGot.dC0, gWant.dC0, `${what} dC0`, TOL);
          closeArrays(gGot.dRecurrentKernel, gWant.dRecurrentKernel, `${what} dRecurrentKernel`, TOL);
          const partial = nat.lstmBackward(null, dH, null, r, mask, want.workspace!, args, false);
          closeArrays(partial.dX, ref.lstmBackward(null, dH, null, r, mask, want.workspace!, args, false).dX, `${what} dX from dH alone`, TOL);
          assert.equal(partial.dRecurrentKernel, null);
        }
      }
    });
    assert.deepEqual(fallbacks().filter((f) => f.kernel.startsWith("lstm")), [], "no LSTM call left the C kernels");
  });

  test("a workspace the backward kernel consumed is written over by the next training forward of its size", () => {
    const args: RecurrentArgs = { batch: 6, timesteps: 5, units: 4, goBackwards: false, zeroOutputForMask: false, returnSequences: true, training: true };
    const { batch: B, timesteps: T, units: U } = args;
    for (const [kind, gates] of [["lstm", 4], ["gru", 3]] as const) {
      const run = (seed: number) => {
        const x = randomValues(B * T * gates * U, seed, -2, 2), h0 = randomValues(B * U, seed + 1), r = randomValues(U * gates * U, seed + 2, -0.5, 0.5);
        return kind === "lstm" ? nat.lstmForward(x, h0, randomValues(B * U, seed + 3), r, null, args) : nat.gruForward(x, h0, r, null, null, args);
      };
      const first = run(1);
      const second = run(10);
      assert.notEqual(second.workspace, first.workspace, `${kind}: a workspace not yet consumed is not reused`);
      const dH = randomValues(B * U, 20);
      const r = randomValues(U * gates * U, 12, -0.5, 0.5);
      if (kind === "lstm") nat.lstmBackward(null, dH, null, r, null, first.workspace!, args, false);
      else nat.gruBackward(null, dH, r, false, null, first.workspace!, args, false, false);
      const third = run(30);
      assert.equal(third.workspace, first.workspace, `${kind}: the consumed workspace is reused`);
      const fresh = kind === "lstm"
        ? ref.lstmForward(randomValues(B * T * 4 * U, 30, -2, 2), randomValues(B * U, 31), randomValues(B * U, 33), randomValues(U * 4 * U, 32, -0.5, 0.5), null, args)
        : ref.gruForward(randomValues(B * T * 3 * U, 30, -2, 2), randomValues(B * U, 31), randomValues(U * 3 * U, 32, -0.5, 0.5), null, null, args);
      closeArrays(third.workspace, fresh.workspace, `${kind}: every element of the reused workspace is written`, TOL);
      closeArrays(third.outputs, fresh.outputs, `${kind}: outputs`, TOL);
    }
  });

  test("gruForward / gruBackward", () => {
    resetFallbacks();
    forEachIsa((isa) => {
      let seed = 500;
      for (const args of CASES) {
        const { batch: B, timesteps: T, units: U } = args;
        for (const [masked, withBias] of [[false, true], [true, true], [true, false]]) {
          const what = `${isa} gru ${JSON.stringify(args)} masked=${masked} bias=${withBias}`;
          const x = randomValues(B * T * 3 * U, seed++, -2, 2);
          const h0 = randomValues(B * U, seed++);
          const r = randomValues(U * 3 * U, seed++, -0.5, 0.5);
          const bias = withBias ? randomValues(3 * U, seed++) : null;
          const mask = masked ? sequenceMask(B, T, seed++) : null;
          const want = ref.gruForward(x, h0, r, bias, mask, args);
          const got = nat.gruForward(x, h0, r, bias, mask, args);
          closeArrays(got.outputs, want.outputs, `${what} outputs`, TOL);
          closeArrays(got.h, want.h, `${what} h`, TOL);
          closeArrays(got.workspace, want.workspace, `${what} workspace`, TOL);
          if (!args.training) continue;
          const dOut = randomValues(B * T * U, seed++);
          const dH = randomValues(B * U, seed++);
          const gWant = ref.gruBackward(dOut, dH, r, withBias, mask, want.workspace!, args, true, true);
          const gGot = nat.gruBackward(dOut, dH, r, withBias, mask, want.workspace!, args, true, true);
          closeArrays(gGot.dX, gWant.dX, `${what} dX`, TOL);
          closeArrays(gGot.dH0, gWant.dH0, `${what} dH0`, TOL);
          closeArrays(gGot.dRecurrentKernel, gWant.dRecurrentKernel, `${what} dRecurrentKernel`, TOL);
          closeArrays(gGot.dRecurrentBias, gWant.dRecurrentBias, `${what} dRecurrentBias`, TOL);
        }
      }
    });
    assert.deepEqual(fallbacks().filter((f) => f.kernel.startsWith("gru")), [], "no GRU call left the C kernels");
  });

  test("attentionForward / attentionBackward", () => {
    resetFallbacks();
    const cases = [
      ...ATTENTION_CASES,
      { args: { batch: 2, queryLength: 17, keyLength: 33, heads: 3, depth: 8, valueDepth: 5, scale: 0.3, causal: true, maskShape: [2, 1, 17, 33] }, mask: true },
    ];
    forEachIsa((isa) => {
      let seed = 900;
      for (const { args } of cases) {
        const { batch: B, queryLength: Tq, keyLength: Tk, heads: N, depth: D, valueDepth: Dv } = args;
        const what = `${isa} attention ${JSON.stringify(args)}`;
        const q = randomValues(B * Tq * N * D, seed++, -2, 2);
        const k = randomValues(B * Tk * N * D, seed++, -2, 2);
        const v = randomValues(B * Tk * N * Dv, seed++);
        const mask = args.maskShape === null ? null : attentionMask(args.maskShape, seed++);
        const want = ref.attentionForward(q, k, v, mask, args);
        const got = nat.attentionForward(q, k, v, mask, args);
        closeArrays(got.out, want.out, `${what} out`, TOL);
        closeArrays(got.probabilities, want.probabilities, `${what} probabilities`, TOL);
        const dOut = randomValues(B * Tq * N * Dv, seed++);
        const gWant = ref.attentionBackward(dOut, q, k, v, mask, want.probabilities, args);
        const gGot = nat.attentionBackward(dOut, q, k, v, mask, want.probabilities, args);
        closeArrays(gGot.dQ, gWant.dQ, `${what} dQ`, TOL);
        closeArrays(gGot.dK, gWant.dK, `${what} dK`, TOL);
        closeArrays(gGot.dV, gWant.dV, `${what} dV`, TOL);
      }
    });
    assert.deepEqual(fallbacks().filter((f) => f.kernel.startsWith("attention")), [], "no attention call left the C kernels");
  });

  test("bad arguments take the reference kernel, which names them", () => {
    const args = CASES[2];
    assert.throws(() => nat.lstmForward(new Float32Array(3), new Float32Array(6), new Float32Array(6), new Float32Array(48), null, args), /lstmForward kernel: x has 3 elements/);
  });
});
