import { test } from "node:test";
import assert from "node:assert/strict";
import * as keras from "../../../src/index.js";
import { fallbacks, resetFallbacks, setStrictKernels } from "../../../src/backend/fallbacks.js";
import { tryCreateNativeBackend } from "../../../src/backend/native/index.js";

/*
 * The seed programs' whole path (data preparation, fit with validation, evaluate, predict) on the
 * native backend with strict kernels: any kernel the C code does not cover would throw. Small
 * synthetic MNIST-shaped data, but over 1M pixels, so the preparation takes the same deferred-cast
 * paths as on the real set.
 */

const native = tryCreateNativeBackend();
const skip = keras.backend.backend() !== "native" ? `the active backend is ${keras.backend.backend()}` : "error" in native ? native.error : false;

function images(n: number, seed: number): keras.Tensor {
  keras.utils.setRandomSeed(seed);
  return keras.ops.cast(keras.random.randint([n, 28, 28], 0, 256), "uint8");
}

function labels(n: number, seed: number): keras.Tensor {
  keras.utils.setRandomSeed(seed);
  return keras.ops.cast(keras.random.randint([n], 0, 10), "uint8");
}

async function strictly(body: () => Promise<void>): Promise<void> {
  resetFallbacks();
  const previous = setStrictKernels(true);
  try {
    await body();
  } finally {
    setStrictKernels(previous);
  }
  assert.deepEqual(fallbacks(), []);
}

test("seed 001 (normalize, Flatten, Dense relu, Adam, sparse CE, accuracy) runs on native kernels only", { skip }, async () => {
  await strictly(async () => {
    let xTrain = images(1400, 1);
    let xTest = images(300, 2);
    xTrain = keras.utils.normalize(xTrain, 1);
    xTest = keras.utils.normalize(xTest, 1);
    const model = new keras.Sequential([
      new keras.layers.Flatten(),
      new keras.layers.Dense(128, { activation: keras.activations.relu }),
      new keras.layers.Dense(128, { activation: keras.activations.relu }),
      new keras.layers.Dense(10, { activation: "softmax" }),
    ]);
    model.compile({ optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"] });
    await model.fit(xTrain, labels(1400, 3), { epochs: 1, batchSize: 32, validationData: [xTest, labels(300, 4)], verbose: 0 });
    await model.evaluate(xTest, labels(300, 4), { verbose: 0 });
    const probs = (await model.predict(xTest, { verbose: 0 })) as keras.Tensor;
    assert.deepEqual(probs.shape, [300, 10]);
  });
});

test("seeds 002 and 003 (x / 255 of a deferred cast, one-hot labels, SGD and RMSprop, categorical CE) run on native kernels only", { skip }, async () => {
  for (const [units, activation, optimizer, batchSize] of [[25, "sigmoid", "SGD", 32], [512, "relu", "rmsprop", 128]] as const) {
    await strictly(async () => {
      let xTrain = images(1400, 5);
      let xTest = images(300, 6);
      xTrain = keras.ops.divide(xTrain.reshape([1400, 784]).astype("float32"), 255);
      xTest = keras.ops.divide(xTest.reshape([300, 784]).astype("float32"), 255);
      const yTrain = keras.utils.toCategorical(labels(1400, 7), 10);
      const yTest = keras.utils.toCategorical(labels(300, 8), 10);
      const model = new keras.Sequential([
        new keras.layers.Dense(units, { activation, inputShape: [784] }),
        new keras.layers.Dense(10, { activation: "softmax" }),
      ]);
      model.compile({ loss: "categorical_crossentropy", optimizer, metrics: ["accuracy"] });
      await model.fit(xTrain, yTrain, { batchSize, epochs: 1, validationData: [xTest, yTest], verbose: 0 });
      await model.evaluate(xTest, yTest, { verbose: 0 });
      await model.predict(xTest, { verbose: 0 });
    });
  }
});
