/**
 * Seed 002: one hidden layer of 25 sigmoid units, plain SGD, one-hot labels, 10 epochs with the
 * test set as validation data, then the training history, printed and plotted to `history.png`
 * (accuracy and val_accuracy, loss and val_loss per epoch: curves that stay together mean no
 * overfitting yet).
 */
import * as keras from "keras-ts";

keras.utils.setRandomSeed(42);
const [[trainImages, trainLabels], [testImages, testLabels]] = await keras.datasets.mnist.loadData();
const xTrain = keras.ops.divide(trainImages.reshape([60000, 784]).astype("float32"), 255);
const xTest = keras.ops.divide(testImages.reshape([10000, 784]).astype("float32"), 255);
const yTrain = keras.utils.toCategorical(trainLabels, 10);
const yTest = keras.utils.toCategorical(testLabels, 10);

const model = new keras.Sequential();
model.add(new keras.layers.Dense(25, { activation: "sigmoid", inputShape: [784] }));
model.add(new keras.layers.Dense(10, { activation: "softmax" }));
model.summary();
model.compile({ loss: "categorical_crossentropy", optimizer: "SGD", metrics: ["accuracy"] });

const history = await model.fit(xTrain, yTrain, { batchSize: 32, epochs: 10, validationData: [xTest, yTest] });
console.log("history keys:", Object.keys(history.history).join(", "));
for (const [i, acc] of history.history.accuracy.entries()) {
  console.log(`epoch ${i + 1}: accuracy ${acc.toFixed(4)}  val_accuracy ${history.history.val_accuracy[i].toFixed(4)}`);
}
await keras.utils.plotHistory(history, { toFile: "history.png", metrics: ["accuracy", "loss"], title: "Seed 002: Dense 25 sigmoid, SGD" });
console.log("saved history.png");
