import { test } from "node:test";
import assert from "node:assert/strict";
import { LambdaCallback, LearningRateScheduler } from "../../src/callbacks/index.js";
import { ExponentialDecay } from "../../src/optimizers/schedules/learning_rate_schedule.js";
import { captureOutput, fakeModel, losses, simulateFit } from "./helpers.js";

test("LearningRateScheduler: sets schedule(epoch, lr) at each epoch begin and logs learning_rate", async (t) => {
  const out = captureOutput(t);
  const model = fakeModel(0.5);
  const seen: [number, number][] = [];
  const during: number[] = [];
  const logged: number[] = [];
  const scheduler = new LearningRateScheduler(
    (epoch, lr) => {
      seen.push([epoch, lr]);
      return epoch < 1 ? lr : lr * 0.5;
    },
    { verbose: 1 },
  );
  const probe = new LambdaCallback({
    onEpochBegin: () => void during.push(model.optimizer.learningRate as number),
    onEpochEnd: (_e, logs) => void logged.push(logs!.learning_rate),
  });
  await simulateFit([scheduler, probe], model, losses(1, 1, 1));
  assert.deepEqual(seen, [
    [0, 0.5],
    [1, 0.5],
    [2, 0.25],
  ]);
  assert.deepEqual(during, [0.5, 0.25, 0.125]);
  assert.deepEqual(logged, [0.5, 0.25, 0.125]);
  assert.equal(scheduler.verbose, 1);
  assert.deepEqual(out.printed(), [
    "\nEpoch 1: LearningRateScheduler setting learning rate to 0.5.",
    "\nEpoch 2: LearningRateScheduler setting learning rate to 0.25.",
    "\nEpoch 3: LearningRateScheduler setting learning rate to 0.125.",
  ]);
});

test("LearningRateScheduler: the current learning rate is read as float32, as Keras stores it", async () => {
  const model = fakeModel(0.1);
  const seen: number[] = [];
  await simulateFit([new LearningRateScheduler((_e, lr) => (seen.push(lr), 0.01))], model, losses(1, 1));
  assert.deepEqual(seen, [Math.fround(0.1), Math.fround(0.01)]);
  assert.equal(model.optimizer.learningRate, 0.01);
});

test("LearningRateScheduler: a one-argument schedule, verbose default 0", async (t) => {
  const out = captureOutput(t);
  const model = fakeModel(1);
  const scheduler = new LearningRateScheduler((epoch) => 1 / (epoch + 1));
  assert.equal(scheduler.verbose, 0);
  await simulateFit([scheduler], model, losses(1, 1, 1, 1));
  assert.equal(model.optimizer.learningRate, 0.25);
  assert.deepEqual(out.printed(), []);
});

test("LearningRateScheduler: a schedule that does not return a number is an error", async () => {
  await assert.rejects(simulateFit([new LearningRateScheduler((() => "fast") as never)], fakeModel(), losses(1)), /The output of the `schedule` function should be a float. Got: fast/);
});

test("LearningRateScheduler: a schedule-built optimizer's learning rate is not settable", async () => {
  await assert.rejects(simulateFit([new LearningRateScheduler((_e, lr) => lr)], fakeModel(new ExponentialDecay(0.1, 10, 0.5)), losses(1)), /not settable/);
});
