import { test } from "node:test";
import assert from "node:assert/strict";
import { TerminateOnNaN } from "../../src/callbacks/index.js";
import { captureOutput, fakeModel, losses, simulateFit } from "./helpers.js";

test("TerminateOnNaN: a NaN batch loss stops training with Keras's message", async (t) => {
  const out = captureOutput(t);
  const model = fakeModel();
  const batches: number[] = [];
  const ran = await simulateFit([new TerminateOnNaN()], model, losses(1, 1, 1), 4, (epoch, step) => {
    batches.push(epoch * 10 + step);
    return { loss: epoch === 1 && step === 2 ? NaN : 0.5 };
  });
  assert.equal(ran, 2);
  assert.deepEqual(batches, [0, 1, 2, 3, 10, 11, 12]);
  assert.equal(model.stopTraining, true);
  assert.deepEqual(out.printed(), ["Batch 2: Invalid loss, terminating training"]);
});

test("TerminateOnNaN: infinite losses stop too; finite ones and missing losses do not", async (t) => {
  captureOutput(t);
  for (const bad of [Infinity, -Infinity]) {
    const model = fakeModel();
    assert.equal(await simulateFit([new TerminateOnNaN()], model, losses(1, 1), 2, () => ({ loss: bad })), 1);
  }
  const model = fakeModel();
  assert.equal(await simulateFit([new TerminateOnNaN()], model, losses(1, 1), 2, () => ({ loss: 1e30 })), 2);
  assert.equal(await simulateFit([new TerminateOnNaN()], model, losses(1, 1), 2, () => ({ accuracy: NaN })), 2);
});

test("TerminateOnNaN: raiseError throws instead", async () => {
  await assert.rejects(
    simulateFit([new TerminateOnNaN({ raiseError: true })], fakeModel(), losses(1), 2, (_e, s) => ({ loss: s === 1 ? NaN : 1 })),
    (e: Error) => e.message === "NaN or Inf loss encountered at batch 1. Loss value: nan. Terminating training immediately.",
  );
});
