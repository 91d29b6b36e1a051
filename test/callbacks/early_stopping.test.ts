import { test } from "node:test";
import assert from "node:assert/strict";
import { EarlyStopping } from "../../src/callbacks/index.js";
import { captureOutput, fakeModel, losses, simulateFit } from "./helpers.js";

test("EarlyStopping: Keras 3 defaults", () => {
  const es = new EarlyStopping();
  assert.equal(es.monitor, "val_loss");
  assert.equal(es.minDelta, 0);
  assert.equal(es.patience, 0);
  assert.equal(es.verbose, 0);
  assert.equal(es.mode, "auto");
  assert.equal(es.baseline, null);
  assert.equal(es.restoreBestWeights, false);
  assert.equal(es.startFromEpoch, 0);
});

test("EarlyStopping: stops after `patience` epochs without improvement", async () => {
  const model = fakeModel();
  const es = new EarlyStopping({ patience: 2 });
  // 0.9 and 0.85 do not beat 0.8: the wait reaches 2 at epoch 3.
  const ran = await simulateFit([es], model, losses(1.0, 0.8, 0.9, 0.85, 0.7, 0.6));
  assert.equal(ran, 4);
  assert.equal(es.stoppedEpoch, 3);
  assert.equal(es.best, 0.8);
  assert.equal(es.bestEpoch, 1);
  assert.equal(model.setWeightsCalls.length, 0, "weights are not restored without restoreBestWeights");
});

test("EarlyStopping: patience 0 stops at the first epoch without improvement (never at epoch 0)", async () => {
  const model = fakeModel();
  assert.equal(await simulateFit([new EarlyStopping({ monitor: "loss" })], model, losses(1, 0.5, 0.5, 0.1)), 3);
});

test("EarlyStopping: restoreBestWeights restores the best epoch's weights when it stops, with Keras's messages", async (t) => {
  const out = captureOutput(t);
  const model = fakeModel();
  const es = new EarlyStopping({ patience: 2, restoreBestWeights: true, verbose: 1 });
  await simulateFit([es], model, losses(1.0, 0.8, 0.9, 0.85, 0.7));
  assert.deepEqual(model.weights, [10, 11], "weights of epoch 1");
  assert.deepEqual(out.printed(), ["Epoch 4: early stopping", "Restoring model weights from the end of the best epoch: 2."]);
});

test("EarlyStopping: restoreBestWeights also restores when training runs to the end (Keras 3)", async () => {
  const model = fakeModel();
  await simulateFit([new EarlyStopping({ patience: 5, restoreBestWeights: true })], model, losses(1, 0.5, 0.7));
  assert.deepEqual(model.weights, [10, 11]);
});

test("EarlyStopping: mode auto maximizes accuracy; mode max/min are honoured", async () => {
  const model = fakeModel();
  const acc = new EarlyStopping({ monitor: "val_accuracy", patience: 1 });
  const logs = [0.5, 0.6, 0.55, 0.7].map((v) => ({ val_accuracy: v }));
  assert.equal(await simulateFit([acc], model, logs), 3);
  assert.equal(acc.monitorOp, "greater");
  assert.equal(acc.best, 0.6);

  const auc = new EarlyStopping({ monitor: "val_auc" });
  await simulateFit([auc], model, [{ val_auc: 0.5 }]);
  assert.equal(auc.monitorOp, "greater");

  const max = new EarlyStopping({ mode: "max", patience: 1 });
  assert.equal(await simulateFit([max], model, losses(1, 2, 1.5, 3)), 3);
  const min = new EarlyStopping({ monitor: "val_accuracy", mode: "min", patience: 1 });
  assert.equal(await simulateFit([min], model, logs), 2);
});

test("EarlyStopping: a compiled metric's direction decides in auto mode", async () => {
  const model = fakeModel();
  model.metrics = [{ name: "loss" }, { name: "my_score", direction: "up" }];
  const es = new EarlyStopping({ monitor: "val_my_score" });
  await simulateFit([es], model, [{ val_my_score: 1 }]);
  assert.equal(es.monitorOp, "greater");
});

test("EarlyStopping: auto mode cannot infer an unknown metric's direction (Keras's error)", async () => {
  const es = new EarlyStopping({ monitor: "val_custom_thing" });
  await assert.rejects(simulateFit([es], fakeModel(), [{ val_custom_thing: 1 }]), /EarlyStopping callback received monitor=val_custom_thing but Keras isn't able to automatically determine/);
});

test("EarlyStopping: minDelta counts small changes as no improvement", async () => {
  const model = fakeModel();
  const es = new EarlyStopping({ minDelta: -0.1, patience: 1 });
  assert.equal(es.minDelta, 0.1, "absolute value");
  assert.equal(await simulateFit([es], model, losses(1.0, 0.95, 0.5)), 2);
  assert.equal(es.minDelta, -0.1, "negated when minimizing");
  const plain = new EarlyStopping({ patience: 1 });
  assert.equal(await simulateFit([plain], model, losses(1.0, 0.95, 0.5)), 3);
});

test("EarlyStopping: baseline: improvements that do not beat it do not reset the wait", async () => {
  const model = fakeModel();
  assert.equal(await simulateFit([new EarlyStopping({ baseline: 0.5, patience: 2 })], model, losses(0.9, 0.95, 0.4, 0.3)), 2);
  assert.equal(await simulateFit([new EarlyStopping({ patience: 2 })], model, losses(0.9, 0.95, 0.4, 0.3)), 4);
  assert.equal(await simulateFit([new EarlyStopping({ baseline: 1.0, patience: 2 })], model, losses(0.9, 0.95, 0.4, 0.3)), 4);
});

test("EarlyStopping: startFromEpoch ignores the warm-up epochs", async () => {
  const model = fakeModel();
  const es = new EarlyStopping({ patience: 1, startFromEpoch: 2, restoreBestWeights: true });
  assert.equal(await simulateFit([es], model, losses(0.1, 0.2, 0.5, 0.6, 0.4)), 4);
  assert.equal(es.bestEpoch, 2);
  assert.deepEqual(model.weights, [20, 21]);
});

test("EarlyStopping: a missing monitor warns (once per message) and does not stop or crash", async (t) => {
  const out = captureOutput(t);
  const model = fakeModel();
  const es = new EarlyStopping({ monitor: "val_missing_loss" });
  assert.equal(await simulateFit([es], model, [{ loss: 1 }, { loss: 2 }, { loss: 3 }]), 3);
  assert.deepEqual(out.warned(), ["UserWarning: Early stopping conditioned on metric `val_missing_loss` which is not available. Available metrics are: loss"]);
});

test("EarlyStopping: an unknown mode warns and falls back to auto", (t) => {
  const out = captureOutput(t);
  const es = new EarlyStopping({ mode: "sideways" as never });
  assert.equal(es.mode, "auto");
  assert.deepEqual(out.warned(), ["UserWarning: EarlyStopping mode sideways is unknown, fallback to auto mode."]);
});

test("EarlyStopping: the instance can be reused for another fit", async () => {
  const model = fakeModel();
  const es = new EarlyStopping({ patience: 1, restoreBestWeights: true });
  assert.equal(await simulateFit([es], model, losses(0.1, 0.2, 0.3)), 2);
  // A fresh run starts from a fresh best (not 0.1 from the previous run).
  assert.equal(await simulateFit([es], model, losses(0.5, 0.4, 0.3)), 3);
  assert.equal(es.best, 0.3);
  assert.equal(es.stoppedEpoch, 0);
  assert.deepEqual(model.weights, [20, 21]);
});
