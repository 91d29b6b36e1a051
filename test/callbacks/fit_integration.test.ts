import { test } from "node:test";
import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import * as keras from "../../src/index.js";
import { CSVLogger, EarlyStopping, LambdaCallback, ModelCheckpoint } from "../../src/callbacks/index.js";
import { tempDir } from "./helpers.js";

test("fit + EarlyStopping(restoreBestWeights) stops early and restores the best epoch's weights", async (t) => {
  // Training pulls the prediction from 0 towards +1 while validation wants -1: val_loss rises
  // every epoch, so the best epoch is the first and training stops after `patience` more.
  const model = new keras.Sequential([new keras.layers.Dense(1, { kernelInitializer: "zeros", biasInitializer: "zeros" })]);
  model.compile({ optimizer: "sgd", loss: "mse" });
  const x = keras.ops.ones([8, 1]);
  const y = keras.ops.ones([8, 1]);
  const yVal = keras.ops.full([8, 1], -1);
  const snapshots: number[][] = [];
  const snap = new LambdaCallback({ onEpochEnd: () => void snapshots.push(model.getWeights().flatMap((w) => Array.from(w.dataSync()))) });
  const es = new EarlyStopping({ patience: 2, restoreBestWeights: true });
  const file = join(await tempDir(t), "log.csv");
  const history = await model.fit(x, y, { epochs: 20, batchSize: 8, verbose: 0, validationData: [x, yVal], callbacks: [snap, es, new CSVLogger(file)] });

  assert.equal(history.history.loss.length, 3);
  assert.equal(es.stoppedEpoch, 2);
  assert.equal(es.bestEpoch, 0);
  const valLoss = history.history.val_loss;
  assert.ok(valLoss[0] < valLoss[1] && valLoss[1] < valLoss[2], `val_loss rises: ${valLoss}`);
  const final = model.getWeights().flatMap((w) => Array.from(w.dataSync()));
  assert.deepEqual(final, snapshots[0]);
  assert.notDeepEqual(final, snapshots[2]);

  const csv = (await readFile(file, "utf8")).split("\r\n");
  assert.equal(csv[0], "epoch,loss,val_loss");
  assert.equal(csv.length, 5, "header, three rows, trailing empty string");
  assert.match(csv[1], /^0,[0-9.e-]+,[0-9.e-]+$/);
});

test("fit + ModelCheckpoint writes real .keras and .weights.h5 files through model.save / saveWeights", async (t) => {
  const dir = await tempDir(t);
  const model = new keras.Sequential([new keras.layers.Dense(1, { kernelInitializer: "zeros", biasInitializer: "zeros" })]);
  model.compile({ optimizer: "sgd", loss: "mse" });
  const x = keras.ops.ones([8, 1]);
  const y = keras.ops.ones([8, 1]);
  const yVal = keras.ops.full([8, 1], -1);
  const full = new ModelCheckpoint(join(dir, "model_{epoch:02d}.keras"));
  const best = new ModelCheckpoint(join(dir, "best.weights.h5"), { saveWeightsOnly: true, saveBestOnly: true });
  let firstEpochWeights: number[] = [];
  const snap = new LambdaCallback({ onEpochEnd: (epoch) => void (epoch === 0 && (firstEpochWeights = model.getWeights().flatMap((w) => Array.from(w.dataSync())))) });
  await model.fit(x, y, { epochs: 3, batchSize: 8, verbose: 0, validationData: [x, yVal], callbacks: [snap, full, best] });
  assert.deepEqual((await readdir(dir)).sort(), ["best.weights.h5", "model_01.keras", "model_02.keras", "model_03.keras"]);
  // val_loss only rises, so the best weights are those of the first epoch.
  await model.loadWeights(join(dir, "best.weights.h5"));
  assert.deepEqual(model.getWeights().flatMap((w) => Array.from(w.dataSync())), firstEpochWeights);
});
