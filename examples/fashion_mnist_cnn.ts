/**
 * A Fashion-MNIST classifier: data augmentation layers (active in training only), two conv blocks
 * with BatchNormalization, dropout and a softmax head. It trains, saves to .keras, reloads, and
 * draws its predictions on test images into fashion_predictions.png.
 * `npm run example:fashion-cnn` runs it (5 epochs; `--epochs=N` to change).
 */
import * as keras from "keras-ts";
import { layers } from "keras-ts";

const epochsFlag = process.argv.find((a) => a.startsWith("--epochs="));
const epochs = epochsFlag === undefined ? 5 : Number(epochsFlag.slice("--epochs=".length));
if (!Number.isInteger(epochs) || epochs < 1) throw new Error(`--epochs must be a positive integer, got ${epochsFlag}`);

const classNames = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

keras.utils.setRandomSeed(7);
let [[xTrain, yTrain], [xTest, yTest]] = await keras.datasets.fashion_mnist.loadData();
const shown = 32;
const firstTestImages = keras.ops.slice(xTest, [0, 0, 0], [shown, 28, 28]);
xTrain = keras.ops.expandDims(xTrain, -1); // uint8 [60000, 28, 28, 1]; Rescaling makes it [0, 1] floats
xTest = keras.ops.expandDims(xTest, -1);

// Augmentation runs inside the model: fit turns it on, evaluate and predict leave images as they are.
const augmentation = [
  new layers.RandomFlip("horizontal", { seed: 1 }),
  new layers.RandomTranslation(0.08, 0.08, { fillMode: "constant", seed: 2 }),
  new layers.RandomZoom(0.08, { fillMode: "constant", seed: 3 }),
];

// Conv -> BatchNormalization -> ReLU -> pool; the conv has no bias, as BatchNormalization's beta is one.
const block = (filters: number): keras.layers.Layer[] => [
  new layers.Conv2D(filters, 3, { padding: "same", useBias: false }),
  new layers.BatchNormalization(),
  new layers.Activation("relu"),
  new layers.MaxPooling2D(2),
];

const model = new keras.Sequential([
  keras.Input({ shape: [28, 28, 1], dtype: "uint8" }),
  new layers.Rescaling(1 / 255),
  ...augmentation,
  ...block(32),
  ...block(64),
  new layers.Flatten(),
  new layers.Dropout(0.3),
  new layers.Dense(128, { activation: "relu" }),
  new layers.Dropout(0.3),
  new layers.Dense(10, { activation: "softmax" }),
], { name: "fashion_cnn" });
model.summary();
model.compile({ optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"] });

const started = performance.now();
await model.fit(xTrain, yTrain, { batchSize: 128, epochs, validationSplit: 0.1 });
const seconds = (performance.now() - started) / 1000;
const { loss, accuracy } = await model.evaluate(xTest, yTest, { verbose: 0, returnDict: true });
console.log(`test loss ${loss.toFixed(4)}, test accuracy ${accuracy.toFixed(4)} (${(seconds / epochs).toFixed(1)} s per epoch on backend "${keras.backend.backend()}")`);

await model.save("fashion_cnn.keras");
const reloaded = await keras.models.loadModel("fashion_cnn.keras");
const firstTest = keras.ops.slice(xTest, [0, 0, 0, 0], [shown, 28, 28, 1]);
// A loaded model's type does not say how many outputs it has: a Tensor is one, a list several.
const probabilities = await reloaded.predict(firstTest, { verbose: 0 });
if (!(probabilities instanceof keras.Tensor)) throw new Error(`expected one output, got ${probabilities.length}`);
const original = await model.predict(firstTest, { verbose: 0 });
const same = keras.ops.all(keras.ops.equal(probabilities, original)).item() === 1;
console.log(`saved fashion_cnn.keras; the reloaded model predicts ${same ? "identically" : "DIFFERENTLY"}`);

const grid = await keras.utils.saveImageGrid("fashion_predictions.png", firstTestImages, {
  labels: keras.ops.slice(yTest, [0], [shown]),
  predictions: probabilities,
  classNames,
  title: `Fashion-MNIST: the first ${shown} test images, predicted by the reloaded model`,
});
const wrong = grid.cells.filter((cell) => cell.wrong).length;
console.log(`saved fashion_predictions.png (${wrong} of ${shown} predicted wrong)`);
