import assert from "node:assert/strict";
import { Variable } from "../../src/backend/variable.js";
import * as ops from "../../src/ops/index.js";
import type { Optimizer } from "../../src/optimizers/index.js";

/** Asserts |actual[i] - expected[i]| <= tol elementwise. */
export function assertClose(actual: ArrayLike<number>, expected: readonly number[], tol = 1e-6, what = ""): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    if (!(Math.abs(a - e) <= tol)) {
      assert.fail(`${what}[${i}]: got ${a}, expected ${e} (|diff| ${Math.abs(a - e)} > ${tol})\n got      ${Array.from(actual).join(", ")}\n expected ${expected.join(", ")}`);
    }
  }
}

export function values(v: Variable): number[] {
  return Array.from(v.value.dataSync() as Float32Array);
}

export function variable(data: number[], name: string): Variable {
  return new Variable(ops.convertToTensor(data, "float32"), { name });
}

/**
 * Runs `opt` for `grads.length` steps on variables starting at `inits` (one list of gradients per
 * step, one gradient per variable) and returns every variable's values after every step.
 */
export function runSteps(opt: Optimizer, inits: number[][], grads: number[][][]): { vars: Variable[]; history: number[][][] } {
  const vars = inits.map((init, i) => variable(init, `w${i}`));
  const history: number[][][] = [];
  for (const stepGrads of grads) {
    opt.apply(stepGrads.map((g) => ops.convertToTensor(g, "float32")), vars);
    history.push(vars.map(values));
  }
  return { vars, history };
}

/** An elementwise reference optimizer: `step(w, g, t, slots)` returns the new w for one element. */
export type ElementRule<S> = (w: number, g: number, t: number, state: S) => number;

/**
 * Runs a plain-number reference of an update rule: each element of each variable keeps its own
 * state object (created by `init`); `pre(t)` runs once per step before the elements (Nadam).
 */
export function reference<S>(
  inits: number[][],
  grads: number[][][],
  init: () => S,
  rule: ElementRule<S>,
  pre: (t: number) => void = () => {},
): number[][][] {
  const ws = inits.map((w) => [...w]);
  const states = inits.map((w) => w.map(() => init()));
  const history: number[][][] = [];
  grads.forEach((stepGrads, step) => {
    const t = step + 1;
    pre(t);
    ws.forEach((w, vi) => {
      for (let i = 0; i < w.length; i++) w[i] = rule(w[i], stepGrads[vi][i], t, states[vi][i]);
    });
    history.push(ws.map((w) => [...w]));
  });
  return history;
}

export function assertHistoryClose(actual: number[][][], expected: number[][][], tol = 1e-6, what = ""): void {
  assert.equal(actual.length, expected.length);
  actual.forEach((step, s) => step.forEach((vals, v) => assertClose(vals, expected[s][v], tol, `${what} step ${s + 1} var ${v}`)));
}

/** Starting values and three steps of gradients for two variables (4 and 2 elements). */
export const INITS = [
  [1, -0.5, 0.25, 2],
  [0.75, -1.25],
];
/** The 2e-6 / 1e-6 elements make epsilon matter, so a wrong epsilon shows. */
export const GRADS = [
  [[0.5, -1.5, 2e-6, 3], [0.2, -0.7]],
  [[-0.25, 1, -1e-6, 0], [0.9, 0.4]],
  [[1, 0.5, 3e-6, -2], [-0.3, 0.05]],
];
