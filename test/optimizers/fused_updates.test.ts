import { test } from "node:test";
import assert from "node:assert/strict";
import * as ops from "../../src/ops/index.js";
import { Adam, AdamW, RMSprop, SGD, type Optimizer } from "../../src/optimizers/index.js";
import { getBackend, setBackend, type Backend } from "../../src/backend/backend.js";
import { fallbacks, resetFallbacks } from "../../src/backend/fallbacks.js";
import { coreOnly } from "../helpers/backends.js";
import type { Tensor } from "../../src/backend/tensor.js";
import type { Variable } from "../../src/backend/variable.js";
import { assertClose, variable, values } from "./helpers.js";

/*
 * The fused optimizer kernels (one per variable per step) against their composed defaults (the
 * same rules written with the core kernels, what a backend without them runs): same values after
 * several steps, weight decay and its exclusions included.
 */

const INITS = [
  [1, -0.5, 0.25, 2, -3, 0.125],
  [0.75, -1.25],
];

function grads(step: number): number[][] {
  return INITS.map((init, v) => init.map((_, i) => Math.sin(1 + step * 3.7 + v * 11.3 + i * 1.9) * (i === 2 ? 1e-6 : 1)));
}

function run(make: () => Optimizer, fused: boolean): { vars: number[][]; slots: number[][] } {
  const previous = getBackend();
  if (!fused) setBackend(coreOnly(previous));
  try {
    const opt = make();
    const vars = INITS.map((init, i) => variable(init, `w${i}`));
    if (opt.weightDecay !== null) opt.excludeFromWeightDecay({ varNames: ["w1"] });
    for (let step = 0; step < 4; step++) opt.apply(grads(step).map((g) => ops.convertToTensor(g, "float32")), vars);
    return { vars: vars.map(values), slots: opt.variables.map(values) };
  } finally {
    setBackend(previous);
  }
}

const CONFIGS: [string, () => Optimizer][] = [
  ["SGD", () => new SGD({ learningRate: 0.1 })],
  ["SGD momentum", () => new SGD({ learningRate: 0.1, momentum: 0.9 })],
  ["SGD nesterov + weight decay", () => new SGD({ learningRate: 0.1, momentum: 0.8, nesterov: true, weightDecay: 0.05 })],
  ["RMSprop", () => new RMSprop({ learningRate: 0.01 })],
  ["RMSprop momentum centered", () => new RMSprop({ learningRate: 0.01, rho: 0.8, momentum: 0.5, centered: true, epsilon: 1e-6 })],
  ["RMSprop weight decay", () => new RMSprop({ learningRate: 0.01, momentum: 0.3, weightDecay: 0.1 })],
  ["Adam", () => new Adam({ learningRate: 0.05 })],
  ["Adam amsgrad", () => new Adam({ learningRate: 0.05, beta1: 0.5, beta2: 0.67, amsgrad: true })],
  ["Adam weight decay", () => new Adam({ learningRate: 0.05, weightDecay: 0.2 })],
  ["AdamW", () => new AdamW({ learningRate: 0.05, weightDecay: 0.3 })],
  ["AdamW amsgrad", () => new AdamW({ learningRate: 0.05, weightDecay: 0.3, amsgrad: true })],
];

for (const [name, make] of CONFIGS) {
  test(`${name}: the fused update equals its composition of core kernels bit for bit (variables and slots, 4 steps)`, () => {
    const fused = run(make, true);
    resetFallbacks();
    const plain = run(make, false);
    assert.ok(fallbacks().some((f) => f.ranOn === "composed" && /Update$/.test(f.kernel)), "the composed update ran, and was counted");
    fused.vars.forEach((v, i) => assert.deepEqual(v, plain.vars[i], `${name} variable ${i}`));
    assert.equal(fused.slots.length, plain.slots.length);
    fused.slots.forEach((s, i) => assert.deepEqual(s, plain.slots[i], `${name} slot ${i}`));
  });
}

test("updates run in place, without writing tensors the variables were given", () => {
  for (const make of [() => new SGD({ momentum: 0.9 }), () => new RMSprop({ centered: true, momentum: 0.5 }), () => new Adam({ amsgrad: true })]) {
    const opt = make();
    const initial = ops.convertToTensor([1, 2, 3], "float32");
    const w = variable([0, 0, 0], "w");
    w.assign(initial);
    const g = ops.convertToTensor([0.5, -0.5, 0.25], "float32");
    opt.apply([g], [w]);
    assert.deepEqual(Array.from(initial.dataSync()), [1, 2, 3], `${opt.name}: the assigned tensor is untouched`);
    const afterFirst = w.value;
    const firstValues = values(w);
    opt.apply([g], [w]);
    assert.equal(w.value, afterFirst, `${opt.name}: the second step reuses the variable's tensor`);
    assert.notDeepEqual(values(w), firstValues, `${opt.name}: and changes its values`);
    // A gradient that is the variable itself is read before it is overwritten.
    const current = values(w);
    const expected = run1(make, current, current);
    const w2 = variable(current, "w2");
    const opt2 = make();
    opt2.apply([w2.writableValue()], [w2]);
    assert.deepEqual(values(w2), expected, `${opt.name}: gradient aliasing the variable`);
  }
});

/** One step of a fresh optimizer on a fresh variable with a separate gradient array. */
function run1(make: () => Optimizer, init: number[], grad: number[]): number[] {
  const opt = make();
  const w = variable(init, "w1");
  opt.apply([ops.convertToTensor(grad, "float32")], [w]);
  return values(w);
}

test("weight decay is applied once, before the update, and not to excluded variables", () => {
  // With a zero gradient AdamW only decays: w * (1 - wd * lr) per step.
  const opt = new AdamW({ learningRate: 0.5, weightDecay: 0.2 });
  const w0 = variable([1, -2], "w0");
  const w1 = variable([3], "w1");
  opt.excludeFromWeightDecay({ varList: [w1] });
  opt.apply([ops.zeros([2]), ops.zeros([1])], [w0, w1]);
  assertClose(values(w0), [0.9, -1.8], 1e-6, "decayed once");
  assertClose(values(w1), [3], 0, "excluded");
});

test("the optimizers call one fused kernel per variable per step", () => {
  const real = getBackend();
  const counts: Record<string, number> = {};
  const spy: Backend = Object.create(real);
  for (const name of ["sgdUpdate", "rmspropUpdate", "adamUpdate"] as const) {
    const fn = (real[name] as (...a: unknown[]) => unknown).bind(real);
    (spy as unknown as Record<string, unknown>)[name] = (...args: unknown[]) => {
      counts[name] = (counts[name] ?? 0) + 1;
      return fn(...args);
    };
  }
  setBackend(spy);
  try {
    for (const opt of [new SGD({ momentum: 0.5 }), new RMSprop(), new AdamW()]) {
      const vars = INITS.map((init, i) => variable(init, `w${i}`));
      opt.apply(grads(0).map((g) => ops.convertToTensor(g, "float32")), vars);
      opt.apply(grads(1).map((g) => ops.convertToTensor(g, "float32")), vars);
    }
  } finally {
    setBackend(real);
  }
  assert.deepEqual(counts, { sgdUpdate: 4, rmspropUpdate: 4, adamUpdate: 4 });
});

test("a subclass that replaces updateStep keeps the base class's weight decay", () => {
  class PlainStep extends SGD {
    protected override updateStep(gradient: Tensor, v: Variable, lr: number): void {
      v.assign(ops.subtract(v.value, ops.multiply(gradient, lr)));
    }
  }
  const opt = new PlainStep({ learningRate: 0.5, weightDecay: 0.2 });
  const w = variable([1, -2], "w");
  opt.apply([ops.zeros([2])], [w]);
  assertClose(values(w), [0.9, -1.8], 1e-6, "decayed by the base class");
});

test("a gradient that does not fit its variable, or a non-float32 variable, is an error naming it", () => {
  const w = variable([1, 2, 3], "w");
  assert.throws(() => new Adam().apply([ops.convertToTensor([1, 2], "float32")], [w]), /Adam: the gradient of shape \(2\) does not fit variable 'w' of shape \(3\)/);
  const counter = new (w.constructor as typeof Variable)(ops.convertToTensor([1, 2], "int32"), { name: "count" });
  assert.throws(() => new SGD().apply([ops.convertToTensor([1, 2], "float32")], [counter]), /SGD: variable 'count' has dtype int32; only float32 variables can be trained/);
});
