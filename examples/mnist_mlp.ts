/**
 * Seeds 000 and 001: a 128-128-10 network on MNIST, trained with Adam for 3 epochs.
 * `npm run mnist` runs this file.
 */
import * as keras from "keras-ts";

keras.utils.setRandomSeed(42);
let [[xTrain, yTrain], [xTest, yTest]] = await keras.datasets.mnist.loadData();
console.log(`x_train ${xTrain.shape}, y_train ${yTrain.shape}, x_test ${xTest.shape}, first labels: ${yTrain.dataSync().slice(0, 5).join(", ")}`);

// Scale each image column to unit L2 norm, exactly as the seed does with keras.utils.normalize(x, axis=1).
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

const [loss, accuracy] = (await model.evaluate(xTest, yTest, { verbose: 0 })) as number[];
console.log(`test loss ${loss.toFixed(4)}, test accuracy ${accuracy.toFixed(4)}  (${(seconds / 3).toFixed(1)} s/epoch on backend "${keras.backend.backend()}")`);
console.log("val_accuracy per epoch:", history.history.val_accuracy.map((a) => a.toFixed(4)).join(", "));

const probabilities = (await model.predict(xTest, { verbose: 0 })) as keras.Tensor;
const predicted = keras.ops.argmax(probabilities, -1).dataSync();
console.log(`first predictions: ${Array.from(predicted.slice(0, 10)).join(" ")}  labels: ${Array.from(yTest.dataSync().slice(0, 10)).join(" ")}`);

await model.save("first_model.keras");
const again = await keras.models.loadModel("first_model.keras");
const reloaded = (await again.predict(xTest, { verbose: 0 })) as keras.Tensor;
const same = keras.ops.all(keras.ops.equal(reloaded, probabilities)).item() === 1;
console.log(`saved first_model.keras; the reloaded model predicts ${same ? "identically" : "DIFFERENTLY"}`);
