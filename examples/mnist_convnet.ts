/**
 * Keras's "Simple MNIST convnet" (keras-io/examples/vision/mnist_convnet.py): two conv/pool
 * blocks, dropout and a softmax classifier, 34,826 parameters; about 99% test accuracy.
 * `npm run example:convnet` runs it (15 epochs; `--epochs=3` for a quicker run).
 */
import * as keras from "keras-ts";
import { layers } from "keras-ts";

const epochsFlag = process.argv.find((a) => a.startsWith("--epochs="));
const epochs = epochsFlag === undefined ? 15 : Number(epochsFlag.slice("--epochs=".length));
if (!Number.isInteger(epochs) || epochs < 1) throw new Error(`--epochs must be a positive integer, got ${epochsFlag}`);

keras.utils.setRandomSeed(1337);
const numClasses = 10;
const inputShape = [28, 28, 1];

// Scale images to the [0, 1] range and give them a channel axis: [60000, 28, 28, 1].
let [[xTrain, yTrain], [xTest, yTest]] = await keras.datasets.mnist.loadData();
xTrain = keras.ops.expandDims(keras.ops.divide(xTrain.astype("float32"), 255), -1);
xTest = keras.ops.expandDims(keras.ops.divide(xTest.astype("float32"), 255), -1);
console.log("x_train shape:", xTrain.shape);
console.log(xTrain.shape[0], "train samples");
console.log(xTest.shape[0], "test samples");

// One-hot class vectors.
yTrain = keras.utils.toCategorical(yTrain, numClasses);
yTest = keras.utils.toCategorical(yTest, numClasses);

const model = new keras.Sequential([
  keras.Input({ shape: inputShape }),
  new layers.Conv2D(32, [3, 3], { activation: "relu" }),
  new layers.MaxPooling2D({ poolSize: [2, 2] }),
  new layers.Conv2D(64, [3, 3], { activation: "relu" }),
  new layers.MaxPooling2D({ poolSize: [2, 2] }),
  new layers.Flatten(),
  new layers.Dropout(0.5),
  new layers.Dense(numClasses, { activation: "softmax" }),
]);
model.summary();

const batchSize = 128;
model.compile({ loss: "categorical_crossentropy", optimizer: "adam", metrics: ["accuracy"] });

const epochSeconds: number[] = [];
let epochStart = 0;
const timer = new keras.callbacks.LambdaCallback({
  onEpochBegin: () => {
    epochStart = performance.now();
  },
  onEpochEnd: () => {
    epochSeconds.push((performance.now() - epochStart) / 1000);
  },
});
await model.fit(xTrain, yTrain, { batchSize, epochs, validationSplit: 0.1, callbacks: [timer] });

const { loss, accuracy } = await model.evaluate(xTest, yTest, { verbose: 0, returnDict: true });
console.log("Test loss:", loss);
console.log("Test accuracy:", accuracy);
const mean = epochSeconds.reduce((a, b) => a + b, 0) / epochSeconds.length;
console.log(`${epochs} epochs, ${mean.toFixed(1)} s per epoch on backend "${keras.backend.backend()}" (${epochSeconds.map((s) => s.toFixed(1)).join(", ")})`);
