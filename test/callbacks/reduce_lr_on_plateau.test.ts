import { test } from "node:test";
import assert from "node:assert/strict";
import { LambdaCallback, ReduceLROnPlateau } from "../../src/callbacks/index.js";
import type { Logs } from "../../src/callbacks/callback.js";
import { ExponentialDecay } from "../../src/optimizers/schedules/learning_rate_schedule.js";
import { captureOutput, fakeModel, losses, simulateFit, type FakeModel } from "./helpers.js";

/** Runs the epochs and returns the learning rate after each one, and the logs seen after the callback. */
async function lrTrace(cb: ReduceLROnPlateau, model: FakeModel, values: number[]): Promise<{ lrs: number[]; logs: Logs[] }> {
  const lrs: number[] = [];
  const logs: Logs[] = [];
  const after = new LambdaCallback({
    onEpochEnd: (_e, l) => {
      lrs.push(model.optimizer.learningRate as number);
      logs.push({ ...l });
    },
  });
  await simulateFit([cb, after], model, losses(...values));
  return { lrs, logs };
}

const f32 = Math.fround;

test("ReduceLROnPlateau: Keras 3 defaults", () => {
  const cb = new ReduceLROnPlateau();
  assert.equal(cb.monitor, "val_loss");
  assert.equal(cb.factor, 0.1);
  assert.equal(cb.patience, 10);
  assert.equal(cb.verbose, 0);
  assert.equal(cb.mode, "auto");
  assert.equal(cb.minDelta, 1e-4);
  assert.equal(cb.cooldown, 0);
  assert.equal(cb.minLr, 0);
});

test("ReduceLROnPlateau: reduces after `patience` epochs without improvement; logs learning_rate", async (t) => {
  const out = captureOutput(t);
  const model = fakeModel(0.1);
  const { lrs, logs } = await lrTrace(new ReduceLROnPlateau({ patience: 2, factor: 0.5, verbose: 1 }), model, [1, 1, 1, 0.5, 0.5, 0.5]);
  const first = f32(0.1) * 0.5;
  const second = f32(first) * 0.5;
  assert.deepEqual(lrs, [0.1, 0.1, first, first, first, second]);
  // The learning rate in the logs is the one used in the epoch (read before any reduction), as float32.
  assert.deepEqual(logs.map((l) => l.learning_rate), [f32(0.1), f32(0.1), f32(0.1), f32(first), f32(first), f32(first)]);
  assert.deepEqual(out.printed(), [
    "\nEpoch 3: ReduceLROnPlateau reducing learning rate to 0.05000000074505806.",
    "\nEpoch 6: ReduceLROnPlateau reducing learning rate to 0.02500000037252903.",
  ]);
});

test("ReduceLROnPlateau: the float32 learning rate gives Keras's familiar printed value", async (t) => {
  const out = captureOutput(t);
  await lrTrace(new ReduceLROnPlateau({ patience: 1, verbose: 1 }), fakeModel(0.1), [1, 1]);
  assert.deepEqual(out.printed(), ["\nEpoch 2: ReduceLROnPlateau reducing learning rate to 0.010000000149011612."]);
});

test("ReduceLROnPlateau: minDelta: changes smaller than it are no improvement", async () => {
  const model = fakeModel(1);
  const { lrs } = await lrTrace(new ReduceLROnPlateau({ patience: 1, factor: 0.5, minDelta: 0.1 }), model, [1, 0.95, 0.5]);
  assert.deepEqual(lrs, [1, 0.5, 0.5]);
  const model2 = fakeModel(1);
  const { lrs: lrs2 } = await lrTrace(new ReduceLROnPlateau({ patience: 1, factor: 0.5, minDelta: 0 }), model2, [1, 0.95, 0.5]);
  assert.deepEqual(lrs2, [1, 1, 1]);
});

test("ReduceLROnPlateau: cooldown skips epochs after a reduction", async () => {
  const model = fakeModel(1);
  const { lrs } = await lrTrace(new ReduceLROnPlateau({ patience: 1, factor: 0.5, cooldown: 2 }), model, [1, 1, 1, 1, 1, 1, 1]);
  // Reductions at epochs 1, 3 and 5: two cooldown epochs each time (the wait restarts on the second).
  assert.deepEqual(lrs, [1, 0.5, 0.5, 0.25, 0.25, 0.125, 0.125]);
  const noCooldown = fakeModel(1);
  const { lrs: plain } = await lrTrace(new ReduceLROnPlateau({ patience: 1, factor: 0.5 }), noCooldown, [1, 1, 1, 1]);
  assert.deepEqual(plain, [1, 0.5, 0.25, 0.125]);
});

test("ReduceLROnPlateau: never goes below minLr", async () => {
  const model = fakeModel(0.1);
  const { lrs } = await lrTrace(new ReduceLROnPlateau({ patience: 1, minLr: 0.005 }), model, [1, 1, 1, 1, 1]);
  assert.deepEqual(lrs, [0.1, f32(0.1) * 0.1, 0.005, 0.005, 0.005]);
});

test("ReduceLROnPlateau: mode auto maximizes accuracy", async () => {
  const model = fakeModel(1);
  const cb = new ReduceLROnPlateau({ monitor: "val_accuracy", patience: 1, factor: 0.5 });
  const lrs: number[] = [];
  await simulateFit([cb, new LambdaCallback({ onEpochEnd: () => void lrs.push(model.optimizer.learningRate as number) })], model, [0.5, 0.6, 0.7, 0.65].map((v) => ({ val_accuracy: v })));
  assert.equal(cb.monitorOp, "greater");
  assert.deepEqual(lrs, [1, 1, 1, 0.5]);
});

test("ReduceLROnPlateau: factor >= 1 is rejected", () => {
  assert.throws(() => new ReduceLROnPlateau({ factor: 1 }), /ReduceLROnPlateau does not support a factor >= 1.0. Received factor=1.0/);
});

test("ReduceLROnPlateau: a missing monitor warns with the available keys and changes nothing", async (t) => {
  const out = captureOutput(t);
  const model = fakeModel(0.1);
  const { lrs } = await lrTrace(new ReduceLROnPlateau({ monitor: "val_nope_loss", patience: 0 }), model, [1, 1, 1]);
  assert.deepEqual(lrs, [0.1, 0.1, 0.1]);
  assert.deepEqual(out.warned(), ["UserWarning: Learning rate reduction is conditioned on metric `val_nope_loss` which is not available. Available metrics are: loss,val_loss,learning_rate."]);
});

test("ReduceLROnPlateau: an optimizer built with a schedule cannot have its learning rate set (Keras's TypeError)", async () => {
  const model = fakeModel(new ExponentialDecay(0.1, 10, 0.5));
  await assert.rejects(lrTrace(new ReduceLROnPlateau({ patience: 1 }), model, [1, 1]), /created with a `LearningRateSchedule` object .* not settable/);
});
