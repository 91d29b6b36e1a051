/**
 * Seed 002: one hidden layer of 25 sigmoid units, plain SGD, one-hot labels, 10 epochs with the
 * test set as validation data, then the training history, printed and plotted to `history.png`
 * (accuracy and val_accuracy, loss and val_loss per epoch: curves that stay together mean no
 * overfitting yet).
 */
import * as keras from "keras-ts";

keras.utils.setRandomSeed(42);
let [[xTrain, yTrain], [xTest, yTest]] = await keras.datasets.mnist.loadData();
// Rebound, as the seed does, so the uint8 images are unreachable once converted (the cast to
// float32 is deferred, and the division reads the images directly: one float32 array each).
xTrain = keras.ops.divide(xTrain.reshape([60000, 784]).astype("float32"), 255);
xTest = keras.ops.divide(xTest.reshape([10000, 784]).astype("float32"), 255);
yTrain = keras.utils.toCategorical(yTrain, 10);
yTest = keras.utils.toCategorical(yTest, 10);

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
