import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { ModelCheckpoint } from "../../src/callbacks/index.js";
import { captureOutput, fakeModel, losses, simulateFit, tempDir } from "./helpers.js";

test("ModelCheckpoint: Keras 3 defaults", () => {
  const cb = new ModelCheckpoint("m.keras");
  assert.equal(cb.monitor, "val_loss");
  assert.equal(cb.verbose, 0);
  assert.equal(cb.saveBestOnly, false);
  assert.equal(cb.saveWeightsOnly, false);
  assert.equal(cb.mode, "auto");
  assert.equal(cb.saveFreq, "epoch");
  assert.equal(cb.best, null);
});

test("ModelCheckpoint: saves the full model every epoch with the formatted file name", async (t) => {
  const dir = await tempDir(t);
  const model = fakeModel();
  await simulateFit([new ModelCheckpoint(join(dir, "model_{epoch:02d}-{val_loss:.2f}.keras"))], model, losses(0.5, 0.6, 0.125));
  assert.deepEqual(
    model.saved.map((s) => [s.method, s.path]),
    [
      ["save", join(dir, "model_01-0.50.keras")],
      ["save", join(dir, "model_02-0.60.keras")],
      // 0.125 is a tie: Python rounds half to even.
      ["save", join(dir, "model_03-0.12.keras")],
    ],
  );
  assert.deepEqual(model.saved[0].options, { overwrite: true });
});

test("ModelCheckpoint: saveBestOnly saves only on improvement, with Keras's messages", async (t) => {
  const out = captureOutput(t);
  const dir = await tempDir(t);
  const model = fakeModel();
  const cb = new ModelCheckpoint(join(dir, "best_{epoch}_{val_loss:.4f}.keras"), { saveBestOnly: true, verbose: 1 });
  await simulateFit([cb], model, losses(0.5, 0.6, 0.4, 0.4));
  assert.deepEqual(
    model.saved.map((s) => s.path),
    [join(dir, "best_1_0.5000.keras"), join(dir, "best_3_0.4000.keras")],
  );
  assert.equal(cb.best, 0.4);
  assert.deepEqual(out.printed(), [
    `\nEpoch 1: val_loss improved from inf to 0.50000, saving model to ${join(dir, "best_1_0.5000.keras")}`,
    "\nEpoch 2: val_loss did not improve from 0.50000",
    `\nEpoch 3: val_loss improved from 0.50000 to 0.40000, saving model to ${join(dir, "best_3_0.4000.keras")}`,
    "\nEpoch 4: val_loss did not improve from 0.40000",
  ]);
});

test("ModelCheckpoint: saveBestOnly on accuracy (auto = max) and initialValueThreshold", async (t) => {
  const dir = await tempDir(t);
  const model = fakeModel();
  const logs = [0.5, 0.7, 0.6, 0.8].map((v) => ({ val_accuracy: v }));
  await simulateFit([new ModelCheckpoint(join(dir, "a{epoch}.keras"), { monitor: "val_accuracy", saveBestOnly: true })], model, logs);
  assert.deepEqual(model.saved.map((s) => s.path), ["a1", "a2", "a4"].map((n) => join(dir, `${n}.keras`)));
  const model2 = fakeModel();
  await simulateFit([new ModelCheckpoint(join(dir, "b{epoch}.keras"), { monitor: "val_accuracy", saveBestOnly: true, initialValueThreshold: 0.65 })], model2, logs);
  assert.deepEqual(model2.saved.map((s) => s.path), ["b2", "b4"].map((n) => join(dir, `${n}.keras`)));
});

test("ModelCheckpoint: saveWeightsOnly calls saveWeights and needs .weights.h5; full saves need .keras", async (t) => {
  const dir = await tempDir(t);
  const model = fakeModel();
  await simulateFit([new ModelCheckpoint(join(dir, "w.weights.h5"), { saveWeightsOnly: true })], model, losses(1));
  assert.deepEqual(model.saved.map((s) => [s.method, s.path]), [["saveWeights", join(dir, "w.weights.h5")]]);
  assert.throws(
    () => new ModelCheckpoint("w.h5", { saveWeightsOnly: true }),
    /^Error: When using `save_weights_only=True` in `ModelCheckpoint`, the filepath provided must end in `.weights.h5` \(Keras weights format\). Received: filepath=w.h5$/,
  );
  assert.throws(() => new ModelCheckpoint("model.h5"), /^Error: The filepath provided must end in `.keras` \(Keras model format\). Received: filepath=model.h5$/);
  assert.throws(() => new ModelCheckpoint("m.keras", { saveFreq: "batch" as never }), /^Error: ModelCheckpoint: unrecognized saveFreq: "batch"\. Expected 'epoch' or a positive integer/);
});

test("ModelCheckpoint: a saveFreq of 0, a negative count, a fraction or NaN is refused, naming the value", () => {
  for (const bad of [0, -3, 2.5, Number.NaN]) {
    assert.throws(() => new ModelCheckpoint("m.keras", { saveFreq: bad }), new RegExp(`unrecognized saveFreq: ${bad}\\. Expected 'epoch' or a positive integer`), String(bad));
  }
});

test("ModelCheckpoint: integer saveFreq saves every N batches, across epochs", async (t) => {
  const dir = await tempDir(t);
  const model = fakeModel();
  const cb = new ModelCheckpoint(join(dir, "e{epoch}-b{batch}.weights.h5"), { saveWeightsOnly: true, saveFreq: 2 });
  await simulateFit([cb], model, losses(1, 1), 3);
  assert.deepEqual(model.saved.map((s) => s.path), ["e1-b2", "e2-b1", "e2-b3"].map((n) => join(dir, `${n}.weights.h5`)));
});

test("ModelCheckpoint: creates missing directories; a directory path is rejected", async (t) => {
  const dir = await tempDir(t);
  const model = fakeModel();
  await simulateFit([new ModelCheckpoint(join(dir, "a", "b", "m.keras"))], model, losses(1));
  assert.deepEqual(model.saved.map((s) => s.path), [join(dir, "a", "b", "m.keras")]);
  await mkdir(join(dir, "taken.keras"));
  await assert.rejects(simulateFit([new ModelCheckpoint(join(dir, "taken.keras"))], fakeModel(), losses(1)), /Please specify a non-directory filepath for ModelCheckpoint/);
});

test("ModelCheckpoint: a template key missing from the logs is Keras's KeyError message", async () => {
  await assert.rejects(
    simulateFit([new ModelCheckpoint("m_{val_acc:.2f}.keras")], fakeModel(), losses(1)),
    (e: Error) => e.message === `Failed to format this callback filepath: "m_{val_acc:.2f}.keras". Reason: 'val_acc'`,
  );
});

test("ModelCheckpoint: a missing monitor with saveBestOnly warns and saves anyway (Keras)", async (t) => {
  const out = captureOutput(t);
  const dir = await tempDir(t);
  const model = fakeModel();
  await simulateFit([new ModelCheckpoint(join(dir, "m.keras"), { monitor: "val_gone_loss", saveBestOnly: true })], model, [{ loss: 1 }, { loss: 2 }]);
  assert.equal(model.saved.length, 2);
  assert.deepEqual(out.warned(), ["UserWarning: Can save best model only with val_gone_loss available."]);
});

test("ModelCheckpoint: a model without save() gets a clear error", async (t) => {
  const dir = await tempDir(t);
  const model = fakeModel() as unknown as Record<string, unknown>;
  delete model.save;
  await assert.rejects(simulateFit([new ModelCheckpoint(join(dir, "m.keras"))], model as never, losses(1)), /ModelCheckpoint: the model has no save\(\) method/);
});
