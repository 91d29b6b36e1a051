/** The base optimizer: clipping, missing gradients, constraints, schedules, slot order, saved state. */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as ops from "../../src/ops/index.js";
import { NonNeg } from "../../src/constraints/index.js";
import { Adadelta, Adagrad, Adam, Adamax, AdamW, Nadam, RMSprop, SGD, schedules, type Optimizer } from "../../src/optimizers/index.js";
import { assertClose, GRADS, INITS, runSteps, values, variable } from "./helpers.js";

const t = (x: number[]) => ops.convertToTensor(x, "float32");

/* ---------------------------------------------------------------- clipping */

test("clipnorm: each gradient scaled to norm <= clipnorm (g * c / max(|g|, c))", () => {
  const a = variable([0, 0], "a");
  const b = variable([0, 0], "b");
  new SGD({ learningRate: 1, clipnorm: 1 }).apply([t([3, 4]), t([0.3, 0.4])], [a, b]);
  assertClose(values(a), [-0.6, -0.8], 1e-6, "clipped");
  assertClose(values(b), [-0.3, -0.4], 1e-6, "under the norm: unchanged");
  // Keras's test_clip_norm.
  const c = variable([0, 0], "c");
  new Adam({ learningRate: 1, clipnorm: 1 }).apply([t([100, 100])], [c]);
  const zero = variable([0, 0], "zero");
  new SGD({ learningRate: 1, clipnorm: 1 }).apply([t([0, 0])], [zero]);
  assertClose(values(zero), [0, 0], 0, "zero gradient stays zero");
});

test("clipvalue: elementwise clip to [-c, c]", () => {
  const a = variable([0, 0, 0], "a");
  new SGD({ learningRate: 1, clipvalue: 1 }).apply([t([100, -0.5, -100])], [a]);
  assertClose(values(a), [-1, 0.5, 1], 1e-6);
});

test("globalClipnorm: all gradients scaled together", () => {
  const a = variable([0], "a");
  const b = variable([0, 0], "b");
  new SGD({ learningRate: 1, globalClipnorm: 1 }).apply([t([3]), t([0, 4])], [a, b]);
  assertClose(values(a), [-0.6], 1e-6, "a");
  assertClose(values(b), [0, -0.8], 1e-6, "b");
  const c = variable([0], "c");
  const d = variable([0], "d");
  new SGD({ learningRate: 1, globalClipnorm: 10 }).apply([t([3]), t([4])], [c, d]);
  assertClose([...values(c), ...values(d)], [-3, -4], 1e-6, "under the norm: unchanged");
  // Keras: an infinite global norm gives NaN gradients (scale + (norm - norm)).
  const e = variable([0, 0], "e");
  new SGD({ learningRate: 1, globalClipnorm: 1 }).apply([t([Infinity, 1])], [e]);
  assert.ok(values(e).every(Number.isNaN));
});

test("clipping happens before the update rule (Adam sees the clipped gradient)", () => {
  const clipped = runSteps(new Adam({ learningRate: 0.1, clipvalue: 0.5 }), INITS, GRADS).history;
  const manual = runSteps(
    new Adam({ learningRate: 0.1 }),
    INITS,
    GRADS.map((step) => step.map((g) => g.map((x) => Math.max(-0.5, Math.min(0.5, x))))),
  ).history;
  assert.deepEqual(clipped, manual);
});

test("only one clipping option may be set", () => {
  assert.throws(() => new SGD({ clipnorm: 1, clipvalue: 1 }), /only one of clipnorm, clipvalue and globalClipnorm/);
  assert.throws(() => new Adam({ clipnorm: 1, globalClipnorm: 1 }), /only one of/);
});

/* ---------------------------------------------------------------- apply */

test("a missing gradient skips its variable; all missing is an error", () => {
  const opt = new SGD({ learningRate: 1 });
  const a = variable([1], "a");
  const b = variable([1], "b");
  opt.apply([null, t([0.5])], [a, b]);
  assert.deepEqual(values(a), [1]);
  assert.deepEqual(values(b), [0.5]);
  assert.throws(() => opt.apply([null, undefined], [a, b]), /no gradients provided/);
});

test("unknown variables and mismatched lengths are errors; grads alone use the built list", () => {
  const opt = new SGD({ learningRate: 1 });
  const a = variable([1], "a");
  assert.throws(() => opt.apply([t([1])]), /must already be built/);
  opt.apply([t([1])], [a]);
  assert.throws(() => opt.apply([t([1])], [variable([1], "other")]), /unknown variable 'other'/);
  assert.throws(() => opt.apply([t([1]), t([1])], [a]), /2 gradients for 1 variables/);
  opt.apply([t([0.5])]);
  assert.deepEqual(values(a), [-0.5]);
  assert.equal(opt.iterations, 2);
  opt.apply([], []);
  assert.equal(opt.iterations, 2, "no gradients at all: a no-op, as in Keras");
});

test("a subset of the built variables can be updated; slots are matched by variable", () => {
  const opt = new Adam({ learningRate: 0.1 });
  const a = variable([1], "a");
  const b = variable([1], "b");
  opt.build([a, b]);
  opt.apply([t([1])], [b]);
  assert.deepEqual(values(a), [1]);
  const [ma, , mb] = opt.variables;
  assert.deepEqual(values(ma), [0]);
  assertClose(values(mb), [0.1], 1e-7);
});

test("weight constraints are applied after the update", () => {
  const a = variable([0.5, 1], "a");
  a.constraint = new NonNeg();
  new SGD({ learningRate: 1 }).apply([t([1, 0.5])], [a]);
  assertClose(values(a), [0, 0.5], 0);
});

test("build is idempotent", () => {
  const opt = new Adam();
  const a = variable([1, 2], "a");
  opt.build([a]);
  opt.build([a]);
  assert.equal(opt.variables.length, 2);
});

test("a learning-rate schedule is evaluated at iterations (0 on the first step)", () => {
  const schedule = new schedules.PiecewiseConstantDecay([0, 1], [1.0, 0.5, 0.25]);
  const opt = new SGD({ learningRate: schedule });
  const a = variable([0], "a");
  assert.equal(opt.currentLearningRate, 1.0);
  const seen: number[] = [];
  for (let i = 0; i < 4; i++) {
    const before = values(a)[0];
    opt.apply([t([1])], [a]);
    seen.push(before - values(a)[0]);
  }
  assertClose(seen, [1.0, 0.5, 0.25, 0.25], 1e-6);
});

test("weight decay uses the scheduled learning rate of the step", () => {
  const opt = new SGD({ learningRate: new schedules.ExponentialDecay(1.0, 1, 0.5), weightDecay: 0.1 });
  const a = variable([1], "a");
  opt.apply([t([0])], [a]); // lr 1: 1 * (1 - 0.1)
  opt.apply([t([0])], [a]); // lr 0.5: 0.9 * (1 - 0.05)
  assertClose(values(a), [0.9 * 0.95], 1e-6);
});

test("learningRate must be a number or a schedule", () => {
  assert.throws(() => new Adam({ learningRate: Number.NaN }), /learningRate must be/);
  assert.throws(() => new Adam({ learningRate: "0.1" as unknown as number }), /learningRate must be/);
});

/* ---------------------------------------------------------------- slot order (= Keras's optimizer/vars/<i> from 2 on) */

function slotNames(opt: Optimizer): string[] {
  opt.build([variable([1, 2], "a"), variable([3], "b")]);
  return opt.variables.map((v) => v.name);
}

test("slot order and names match Keras 3's build()", () => {
  assert.deepEqual(slotNames(new SGD()), []);
  assert.deepEqual(slotNames(new SGD({ momentum: 0.9 })), ["a_momentum", "b_momentum"]);
  assert.deepEqual(slotNames(new RMSprop()), ["a_velocity", "b_velocity"]);
  assert.deepEqual(slotNames(new RMSprop({ momentum: 0.5, centered: true })), [
    "a_velocity", "b_velocity", "a_momentum", "b_momentum", "a_average_gradient", "b_average_gradient",
  ]);
  // Interleaved, as in the Keras 3.3 / 3.8 / 3.11 .keras files (m0, v0, m1, v1).
  assert.deepEqual(slotNames(new Adam()), ["a_momentum", "a_velocity", "b_momentum", "b_velocity"]);
  assert.deepEqual(slotNames(new Adam({ amsgrad: true })), [
    "a_momentum", "a_velocity", "b_momentum", "b_velocity", "a_velocity_hat", "b_velocity_hat",
  ]);
  assert.deepEqual(slotNames(new AdamW()), ["a_momentum", "a_velocity", "b_momentum", "b_velocity"]);
  assert.deepEqual(slotNames(new Adagrad()), ["a_accumulator", "b_accumulator"]);
  assert.deepEqual(slotNames(new Adadelta()), ["a_accumulated_grad", "a_accumulated_delta_var", "b_accumulated_grad", "b_accumulated_delta_var"]);
  assert.deepEqual(slotNames(new Adamax()), ["a_momentum", "a_norm", "b_momentum", "b_norm"]);
  assert.deepEqual(slotNames(new Nadam()), ["a_momentum", "a_velocity", "b_momentum", "b_velocity", "u_product"]);
});

test("slots have their variable's shape; Adagrad's start at initialAccumulatorValue; Nadam's u_product at 1", () => {
  const opt = new Adagrad({ initialAccumulatorValue: 0.25 });
  opt.build([variable([1, 2], "a"), variable([3], "b")]);
  assert.deepEqual(opt.variables.map((v) => v.shape), [[2], [1]]);
  assert.deepEqual(values(opt.variables[0]), [0.25, 0.25]);
  assert.ok(opt.variables.every((v) => !v.trainable));
  const nadam = new Nadam();
  nadam.build([variable([1, 2], "a")]);
  assert.deepEqual(nadam.variables[2].shape, []);
  assert.equal(nadam.variables[2].value.item(), 1);
});

test("momentum and velocity land in the right slots (the interleaving is not just names)", () => {
  const opt = new Adam({ learningRate: 0.1 });
  const a = variable([0], "a");
  const b = variable([0], "b");
  opt.apply([t([1]), t([-2])], [a, b]);
  const [ma, va, mb, vb] = opt.variables.map((v) => values(v)[0]);
  assertClose([ma, va, mb, vb], [0.1, 0.001, -0.2, 0.004], 1e-7);
});

/* ---------------------------------------------------------------- saved state */

test("saveOwnVariables: iteration, learning_rate, then slots (Keras's optimizer/vars order)", () => {
  const opt = new Adam({ learningRate: 0.01 });
  const vars = runSteps(opt, INITS, GRADS).vars;
  const saved = opt.saveOwnVariables();
  assert.equal(saved.length, 2 + 4);
  assert.equal(saved[0].dtype, "int32");
  assert.equal(saved[0].item(), 3);
  assert.equal(saved[1].dtype, "float32");
  assert.equal(saved[1].item(), Math.fround(0.01));
  assert.deepEqual(saved.slice(2).map((s) => s.shape), [[4], [4], [2], [2]]);

  // A schedule has no learning_rate entry.
  const scheduled = new SGD({ learningRate: new schedules.ExponentialDecay(0.1, 10, 0.5), momentum: 0.9 });
  scheduled.build(vars);
  assert.equal(scheduled.saveOwnVariables().length, 1 + 2);

  // Loading into a fresh optimizer continues training identically.
  const fresh = new Adam({ learningRate: 0.5 });
  const copies = INITS.map((_, i) => variable(values(vars[i]), `c${i}`));
  fresh.build(copies);
  assert.equal(fresh.loadOwnVariables([BigInt(3), ...saved.slice(1)]), true);
  assert.equal(fresh.iterations, 3);
  assert.equal(fresh.learningRate, Math.fround(0.01));
  opt.apply(GRADS[0].map(t), vars);
  fresh.apply(GRADS[0].map(t), copies);
  assert.deepEqual(copies.map(values), vars.map(values));
});

test("loadOwnVariables skips (with a warning) when the counts differ", () => {
  const opt = new Adam();
  const warn = console.warn;
  const messages: string[] = [];
  console.warn = (m: string) => messages.push(m);
  try {
    assert.equal(opt.loadOwnVariables([0, 0.001, [1], [1]]), false);
  } finally {
    console.warn = warn;
  }
  assert.match(messages[0], /Skipping variable loading for optimizer 'adam'.*has 2 variables.*saved optimizer has 4.*not been called\/built/);
});
