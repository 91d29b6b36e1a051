import { test } from "node:test";
import assert from "node:assert/strict";
import { schedules } from "../../src/optimizers/index.js";
import { assertClose } from "./helpers.js";

const at = (s: schedules.LearningRateSchedule, steps: number[]) => steps.map((step) => s.call(step));

test("ExponentialDecay: initial * rate^(step/decaySteps)", () => {
  const s = new schedules.ExponentialDecay(0.1, 10, 0.5);
  assertClose(at(s, [0, 5, 10, 25]), [0.1, 0.1 * Math.SQRT1_2, 0.05, 0.1 * 0.5 ** 2.5], 1e-12);
});

test("ExponentialDecay: staircase floors the exponent", () => {
  const s = new schedules.ExponentialDecay(0.1, 10, 0.5, true);
  assertClose(at(s, [0, 9, 10, 19, 20]), [0.1, 0.1, 0.05, 0.05, 0.025], 1e-12);
  assert.throws(() => new schedules.ExponentialDecay(0.1, 0, 0.5), /decay_steps.*must be > 0/);
});

test("PiecewiseConstantDecay: values[i] up to and including boundaries[i]", () => {
  const s = new schedules.PiecewiseConstantDecay([100, 110], [1.0, 0.5, 0.1]);
  assert.deepEqual(at(s, [0, 100, 101, 110, 111, 1e6]), [1.0, 1.0, 0.5, 0.5, 0.1, 0.1]);
  assert.throws(() => new schedules.PiecewiseConstantDecay([1, 2], [1, 2]), /1 less than the length of values/);
});

test("CosineDecay: 0.5 * (1 + cos(pi * step / decaySteps)), floored at alpha", () => {
  const s = new schedules.CosineDecay(0.1, 100);
  assertClose(at(s, [0, 25, 50, 100, 200]), [0.1, 0.1 * (0.5 + 0.5 * Math.SQRT1_2), 0.05, 0, 0], 1e-12);
  const withAlpha = new schedules.CosineDecay(0.1, 100, 0.2);
  // decayed = (1 - alpha) * cosine + alpha
  assertClose(at(withAlpha, [0, 50, 100, 1000]), [0.1, 0.1 * (0.8 * 0.5 + 0.2), 0.02, 0.02], 1e-12);
});

test("CosineDecay with warmup: linear to warmupTarget, then cosine from it", () => {
  const s = new schedules.CosineDecay(0.0, 100, 0.0, 1.0, 10);
  assertClose(at(s, [0, 5, 10, 60, 110, 500]), [0, 0.5, 1.0, 0.5, 0, 0], 1e-12);
  const fromNonZero = new schedules.CosineDecay(0.2, 10, 0.1, 1.0, 4);
  // warmup: 0.2 + (1 - 0.2) * 2/4; decay 5 steps into 10: 1 * (0.9 * 0.5 * (1 + cos(pi/2)) + 0.1)
  assertClose(at(fromNonZero, [2, 9]), [0.6, 0.9 * 0.5 + 0.1], 1e-12);
});

test("PolynomialDecay and InverseTimeDecay", () => {
  const p = new schedules.PolynomialDecay(0.1, 10, 0.01, 2);
  assertClose(at(p, [0, 5, 10, 20]), [0.1, 0.09 * 0.25 + 0.01, 0.01, 0.01], 1e-12);
  const cyc = new schedules.PolynomialDecay(0.1, 10, 0.0, 1, true);
  assertClose(at(cyc, [0, 5, 15]), [0.1, 0.05, 0.1 * (1 - 15 / 20)], 1e-12);
  const inv = new schedules.InverseTimeDecay(0.1, 1.0, 0.5);
  assertClose(at(inv, [0, 1, 2]), [0.1, 0.1 / 1.5, 0.05], 1e-12);
  const invStair = new schedules.InverseTimeDecay(0.1, 2, 1, true);
  assertClose(at(invStair, [1, 2, 3]), [0.1, 0.05, 0.05], 1e-12);
});

test("schedules: getConfig (Keras keys), className, serialize/deserialize round trip", () => {
  const list: schedules.LearningRateSchedule[] = [
    new schedules.ExponentialDecay(0.1, 1000, 0.96, true),
    new schedules.PiecewiseConstantDecay([10, 20], [1, 0.5, 0.1]),
    new schedules.CosineDecay(0.0, 100, 0.1, 0.5, 10),
    new schedules.PolynomialDecay(0.1, 50, 0.001, 0.5, true),
    new schedules.InverseTimeDecay(0.1, 10, 0.5),
  ];
  assert.deepEqual(list[0].getConfig(), { initial_learning_rate: 0.1, decay_steps: 1000, decay_rate: 0.96, staircase: true, name: "ExponentialDecay" });
  assert.deepEqual(list[1].getConfig(), { boundaries: [10, 20], values: [1, 0.5, 0.1], name: "PiecewiseConstant" });
  assert.deepEqual(list[2].getConfig(), { initial_learning_rate: 0, decay_steps: 100, alpha: 0.1, name: "CosineDecay", warmup_target: 0.5, warmup_steps: 10 });
  for (const s of list) {
    const ser = schedules.serialize(s);
    assert.equal(ser.module, "keras.optimizers.schedules");
    assert.equal(ser.class_name, s.className());
    assert.equal(ser.registered_name, null);
    const back = schedules.deserialize(JSON.parse(JSON.stringify(ser)));
    assert.equal(back.className(), s.className());
    assert.deepEqual(back.getConfig(), s.getConfig());
    assert.deepEqual(at(back, [0, 7, 15, 60]), at(s, [0, 7, 15, 60]));
  }
  assert.throws(() => schedules.deserialize({ class_name: "Nope", config: {} }), /Unknown learning rate schedule: 'Nope'/);
});
