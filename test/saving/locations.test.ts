/**
 * Model files by URL and as bytes, and the browser's places (indexeddb://, downloads://) refused
 * in Node with words. (In Chromium, npm run test:browser saves to and loads from both.)
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as keras from "../../src/index.js";
import { saveModelToBytes, loadModelFromBytes } from "../../src/saving/saving_lib.js";
import { serve } from "../datasets/helpers.js";

function smallModel(): keras.Sequential {
  keras.utils.setRandomSeed(3);
  const model = new keras.Sequential([keras.Input({ shape: [3] }), new keras.layers.Dense(4, { activation: "relu" }), new keras.layers.Dense(2, { activation: "softmax" })]);
  model.compile({ optimizer: "adam", loss: "sparse_categorical_crossentropy" });
  return model;
}

const input = keras.ops.convertToTensor([[0.5, -1, 2], [1, 1, 1]]);

async function outputs(model: keras.Model): Promise<number[]> {
  return [...((await model.predict(input, { verbose: 0 })) as keras.Tensor).dataSync()];
}

test("saveModelToBytes and loadModelFromBytes round trip a model as .keras and as .h5", async () => {
  const model = smallModel();
  const expected = await outputs(model);
  for (const format of ["keras", "h5"] as const) {
    const bytes = await saveModelToBytes(model, format);
    assert.deepEqual([...bytes.subarray(0, 2)], format === "keras" ? [0x50, 0x4b] : [0x89, 0x48]);
    const loaded = await loadModelFromBytes(bytes, { source: `model.${format}` });
    assert.deepEqual(await outputs(loaded), expected, format);
    assert.equal(loaded.optimizer?.name, "adam");
  }
  await assert.rejects(loadModelFromBytes(new TextEncoder().encode('{"format": "layers-model"}')), /<bytes> is a TF\.js model\.json: load it by its URL/);
  await assert.rejects(loadModelFromBytes(new Uint8Array([1, 2, 3])), /"<bytes>" is not a valid \.keras file: not a zip archive/);
});

test("loadModel takes an http URL of a .keras or .h5 file and reads its format from its bytes", async (t) => {
  const model = smallModel();
  const expected = await outputs(model);
  const server = await serve(t, { "models/m.keras": await saveModelToBytes(model), "models/legacy": await saveModelToBytes(model, "h5"), "models/gone.keras": 404 });
  assert.deepEqual(await outputs(await keras.saving.loadModel(`${server.baseUrl}models/m.keras`)), expected);
  assert.deepEqual(await outputs(await keras.saving.loadModel(`${server.baseUrl}models/legacy`)), expected);
  await assert.rejects(keras.saving.loadModel(`${server.baseUrl}models/gone.keras`), /cannot fetch http:\/\/127\.0\.0\.1:\d+\/models\/gone\.keras: HTTP 404/);
  await model.loadWeights(`${server.baseUrl}models/m.keras`);
});

test("indexeddb:// and downloads:// are a browser's: in Node they are refused in words", async () => {
  const model = smallModel();
  await assert.rejects(model.save("indexeddb://mnist"), /"indexeddb:\/\/mnist": IndexedDB exists in browsers only; in Node save to a file path/);
  await assert.rejects(model.save("downloads://mnist"), /"downloads:\/\/mnist\.keras": downloads exist in browsers only/);
  await assert.rejects(keras.saving.loadModel("indexeddb://mnist"), /IndexedDB exists in browsers only/);
  await assert.rejects(keras.saving.loadModel("downloads://mnist.keras"), /downloads:\/\/ is for saving only/);
});
