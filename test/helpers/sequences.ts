import assert from "node:assert/strict";
import type { AttentionArgs, RecurrentArgs } from "../../src/backend/sequence_kernels.js";
import { randomValues } from "./random.js";

/* Shared inputs and comparisons for the sequence-kernel tests (composed and native cross-checks). */

export function closeArrays(actual: ArrayLike<number> | null, expected: ArrayLike<number> | null, what: string, tol = 2e-6): void {
  assert.ok((actual === null) === (expected === null), `${what}: one is null`);
  if (actual === null || expected === null) return;
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    if (!(Math.abs(actual[i] - expected[i]) <= tol * (1 + Math.abs(expected[i])))) assert.fail(`${what}[${i}]: got ${actual[i]}, expected ${expected[i]}`);
  }
}

/** A mask with whole rows on, rows off, leading and trailing gaps. */
export function sequenceMask(batch: number, timesteps: number, seed: number): Uint8Array {
  const r = randomValues(batch * timesteps, seed, 0, 1);
  return Uint8Array.from(r, (v, i) => (Math.floor(i / timesteps) === 0 ? 1 : Math.floor(i / timesteps) === 1 ? (i % timesteps < timesteps - 2 ? 1 : 0) : v < 0.7 ? 1 : 0));
}

export const RECURRENT_CASES: RecurrentArgs[] = [];
for (const [batch, timesteps, units] of [[1, 1, 1], [3, 4, 2], [5, 6, 3], [2, 0, 2]]) {
  for (const goBackwards of [false, true]) {
    for (const zeroOutputForMask of [false, true]) {
      RECURRENT_CASES.push({ batch, timesteps, units, goBackwards, zeroOutputForMask, returnSequences: true, training: true });
    }
  }
}

export const ATTENTION_CASES: { args: AttentionArgs; mask: boolean }[] = [];
for (const [batch, queryLength, keyLength, heads, depth, valueDepth] of [[1, 1, 1, 1, 1, 1], [2, 3, 5, 2, 4, 3], [3, 4, 4, 1, 2, 2]]) {
  for (const causal of [false, true]) {
    for (const maskShape of [null, [batch, 1, 1, keyLength], [batch, heads, queryLength, keyLength]]) {
      ATTENTION_CASES.push({ args: { batch, queryLength, keyLength, heads, depth, valueDepth, scale: 1 / Math.sqrt(depth), causal, maskShape }, mask: maskShape !== null });
    }
  }
}

/** A random mask of `shape` with some rows entirely off. */
export function attentionMask(shape: readonly number[], seed: number): Uint8Array {
  const n = shape.reduce((a, d) => a * d, 1);
  const last = shape[shape.length - 1];
  return Uint8Array.from(randomValues(n, seed, 0, 1), (v, i) => (Math.floor(i / last) === 1 ? 0 : v < 0.6 ? 1 : 0));
}
