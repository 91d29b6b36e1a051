/**
 * An LSTM reads each MNIST digit as a sequence of 28 rows of 28 pixels and classifies it from its
 * last state: Keras's classic "MNIST with an LSTM". `npm run example:lstm` runs this file.
 */
import * as keras from "keras-ts";

keras.utils.setRandomSeed(42);
const [[xTrainRaw, yTrain], [xTestRaw, yTest]] = await keras.datasets.mnist.loadData();
// [N, 28, 28]: 28 timesteps (rows) of 28 features (pixels), scaled to [0, 1].
const xTrain = keras.ops.divide(keras.ops.cast(xTrainRaw, "float32"), 255);
const xTest = keras.ops.divide(keras.ops.cast(xTestRaw, "float32"), 255);

const model = new keras.Sequential([
  keras.Input({ shape: [28, 28] }),
  new keras.layers.LSTM(128),
  new keras.layers.Dense(10, { activation: "softmax" }),
]);
model.compile({ optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"] });
model.summary();

// Keras's default batch size (32): 1,875 updates an epoch reach 97% in 2 epochs.
const epochs = 2;
const started = performance.now();
await model.fit(xTrain, yTrain, { epochs, batchSize: 32, validationData: [xTest, yTest] });
const seconds = (performance.now() - started) / 1000 / epochs;

const [loss, accuracy] = (await model.evaluate(xTest, yTest, { verbose: 0 })) as number[];
console.log(`test loss ${loss.toFixed(4)}, test accuracy ${accuracy.toFixed(4)}  (${seconds.toFixed(1)} s/epoch on backend "${keras.backend.backend()}")`);
