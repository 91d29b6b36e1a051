import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as keras from "../../../src/index.js";
import { getBackend, setBackend, type Backend } from "../../../src/backend/backend.js";
import { fallbacks, resetFallbacks, setStrictKernels } from "../../../src/backend/fallbacks.js";
import { ReferenceBackend } from "../../../src/backend/reference/index.js";
import { tryCreateWasmBackend } from "../../../src/backend/wasm/load_node.js";
import { MODELS, SEED_IDS, type MlpSpec } from "../../../bench/peers/common.js";

/*
 * The seed programs (the seed MLPs of MODELS in bench/peers/common.ts: Adam, SGD and RMSprop,
 * sparse and one-hot cross-entropy, normalize or /255 inputs) train a few steps on the wasm backend with
 * strict kernels, so any kernel call the module does not cover fails the test, and end where the
 * same steps on the reference backend end.
 */

const created = tryCreateWasmBackend();
const skip = "error" in created ? `wasm backend unavailable: ${created.error}` : false;

const SAMPLES = 192;

/** Digit-like data the models can learn: the label is the brightest of ten bands of rows. */
function data(): { x: keras.Tensor; y: keras.Tensor } {
  let s = 12345;
  const next = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) >>> 8) / 16777216;
  const pixels = new Uint8Array(SAMPLES * 784);
  const labels = new Uint8Array(SAMPLES);
  for (let i = 0; i < SAMPLES; i++) {
    const label = Math.floor(next() * 10);
    labels[i] = label;
    for (let p = 0; p < 784; p++) {
      const band = Math.min(9, Math.floor(Math.floor(p / 28) / 2.8));
      pixels[i * 784 + p] = Math.floor(next() * (band === label ? 255 : 90));
    }
  }
  return { x: keras.ops.convertToTensor(pixels, "uint8").reshape([SAMPLES, 28, 28]), y: keras.ops.convertToTensor(labels, "uint8") };
}

/** The seed's program from its input pipeline to a predict; returns the losses and the predictions. */
async function train(spec: MlpSpec): Promise<{ before: number; after: number; probs: Float32Array }> {
  keras.utils.setRandomSeed(7);
  let { x, y } = data();
  x = spec.inputs === "normalize" ? keras.utils.normalize(x, 1) : keras.ops.divide(x.reshape([SAMPLES, 784]).astype("float32"), 255);
  if (spec.loss !== "sparse") y = keras.utils.toCategorical(y, 10);
  const m = new keras.Sequential();
  if (spec.inputs === "normalize") m.add(new keras.layers.Flatten());
  for (const h of spec.hidden) m.add(new keras.layers.Dense(h.units, { activation: h.activation }));
  m.add(new keras.layers.Dense(10, { activation: "softmax" }));
  m.compile({ optimizer: spec.optimizer, loss: spec.loss === "sparse" ? "sparse_categorical_crossentropy" : "categorical_crossentropy", metrics: ["accuracy"] });
  const before = (await m.evaluate(x, y, { verbose: 0, returnDict: true })).loss;
  await m.fit(x, y, { epochs: 3, batchSize: spec.batchSize, verbose: 0 });
  const after = (await m.evaluate(x, y, { verbose: 0, returnDict: true })).loss;
  const probs = (await m.predict(x, { verbose: 0, batchSize: 32 })).dataSync() as Float32Array;
  return { before, after, probs };
}

async function on<T>(backend: Backend, body: () => Promise<T>): Promise<T> {
  const previous = getBackend();
  setBackend(backend);
  try {
    return await body();
  } finally {
    setBackend(previous);
  }
}

describe("seed models on the wasm backend", { skip }, () => {
  for (const spec of SEED_IDS.map((id) => MODELS[id] as MlpSpec)) {
    test(`seed ${spec.label}: trains with strict kernels, no fallback, as on the reference backend`, async () => {
      const wasm = (created as { backend: Backend }).backend;
      resetFallbacks();
      const previous = setStrictKernels(true);
      let got;
      try {
        got = await on(wasm, () => train(spec));
      } finally {
        setStrictKernels(previous);
      }
      assert.deepEqual(fallbacks(), []);
      assert.ok(got.after < got.before, `loss ${got.before} -> ${got.after}`);
      const want = await on(new ReferenceBackend(), () => train(spec));
      assert.ok(Math.abs(got.after - want.after) <= 1e-3 * (1 + want.after), `loss after training: wasm ${got.after}, reference ${want.after}`);
      for (let i = 0; i < want.probs.length; i++) {
        if (!(Math.abs(got.probs[i] - want.probs[i]) <= 1e-3)) assert.fail(`prediction ${i}: wasm ${got.probs[i]}, reference ${want.probs[i]}`);
      }
    });
  }
});
