/**
 * Seeds 000 and 001: a 128-128-10 network on MNIST, trained with Adam for 3 epochs.
 * `npm run mnist` runs this file.
 */
import * as keras from "keras-ts";

keras.utils.setRandomSeed(42);
let [[xTrain, yTrain], [xTest, yTest]] = await keras.datasets.mnist.loadData();
console.log(`x_train ${xTrain.shape}, y_train ${yTrain.shape}, x_test ${xTest.shape}, first labels: ${yTrain.dataSync().slice(0, 5).join(", ")}`);

// The seed's plt.imshow(x_train[0], cmap=plt.cm.binary) and print(y_train[0]), in the terminal.
const firstDigit = keras.ops.take(xTrain, 0, 0); // x_train[0]: uint8 [28, 28]
keras.utils.imshow(firstDigit);
console.log(`y_train[0] = ${keras.ops.take(yTrain, 0).item()}`);
await keras.utils.saveImg("first_digit.png", firstDigit);
const shown = 32;
const firstTestImages = keras.ops.slice(xTest, [0, 0, 0], [shown, 28, 28]); // raw pixels for the picture below

// Scale each image column to unit L2 norm, exactly as the seed does with keras.utils.normalize(x, axis=1).
// Rebinding the names, as the seed does, leaves the uint8 images unreachable: only the float32 copies stay.
xTrain = keras.utils.normalize(xTrain, 1);
xTest = keras.utils.normalize(xTest, 1);

const model = new keras.Sequential();
model.add(new keras.layers.Flatten());
model.add(new keras.layers.Dense(128, { activation: keras.activations.relu }));
model.add(new keras.layers.Dense(128, { activation: keras.activations.relu }));
model.add(new keras.layers.Dense(10, { activation: "softmax" }));
model.compile({ optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"] });

const started = performance.now();
const history = await model.fit(xTrain, yTrain, { epochs: 3, batchSize: 32, validationData: [xTest, yTest] });
const seconds = (performance.now() - started) / 1000;
model.summary();

const { loss, accuracy } = await model.evaluate(xTest, yTest, { verbose: 0, returnDict: true });
console.log(`test loss ${loss.toFixed(4)}, test accuracy ${accuracy.toFixed(4)}  (${(seconds / 3).toFixed(1)} s/epoch on backend "${keras.backend.backend()}")`);
console.log("val_accuracy per epoch:", history.history.val_accuracy.map((a) => a.toFixed(4)).join(", "));

const probabilities = await model.predict(xTest, { verbose: 0 });
const predicted = keras.ops.argmax(probabilities, -1).dataSync();
console.log(`first predictions: ${Array.from(predicted.slice(0, 10)).join(" ")}  labels: ${Array.from(yTest.dataSync().slice(0, 10)).join(" ")}`);

// The first 32 test digits with "predicted/true" under each; wrong ones framed in red.
const grid = await keras.utils.saveImageGrid("test_predictions.png", firstTestImages, {
  labels: yTest,
  predictions: probabilities,
  title: `The first ${shown} MNIST test digits`,
});
const wrong = grid.cells.filter((cell) => cell.wrong).length;
console.log(`saved first_digit.png and test_predictions.png (${wrong} of the first ${shown} test digits predicted wrong)`);

await model.save("first_model.keras");
const again = await keras.models.loadModel("first_model.keras");
// A loaded model's type does not say how many outputs it has: a Tensor is one, a list several.
const reloaded = await again.predict(xTest, { verbose: 0 });
if (!(reloaded instanceof keras.Tensor)) throw new Error(`expected one output, got ${reloaded.length}`);
const same = keras.ops.all(keras.ops.equal(reloaded, probabilities)).item() === 1;
console.log(`saved first_model.keras; the reloaded model predicts ${same ? "identically" : "DIFFERENTLY"}`);
