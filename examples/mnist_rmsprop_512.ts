/**
 * Seed 003: 512 relu units, RMSprop, batch 128, 5 epochs, categorical crossentropy
 * (Chollet's first example).
 */
import * as keras from "keras-ts";

keras.utils.setRandomSeed(42);
const [[trainImages, trainLabels], [testImages, testLabels]] = await keras.datasets.mnist.loadData();
console.log(trainImages.shape, trainLabels.size, testImages.shape, testLabels.size);

const model = new keras.Sequential([
  new keras.layers.Dense(512, { activation: "relu", inputShape: [28 * 28] }),
  new keras.layers.Dense(10, { activation: "softmax" }),
]);
model.compile({ optimizer: "rmsprop", loss: "categorical_crossentropy", metrics: ["accuracy"] });

const xTrain = keras.ops.divide(trainImages.reshape([60000, 28 * 28]).astype("float32"), 255);
const xTest = keras.ops.divide(testImages.reshape([10000, 28 * 28]).astype("float32"), 255);
const yTrain = keras.utils.toCategorical(trainLabels);
const yTest = keras.utils.toCategorical(testLabels);

model.summary();
await model.fit(xTrain, yTrain, { epochs: 5, batchSize: 128 });
const [, testAcc] = (await model.evaluate(xTest, yTest)) as number[];
console.log("test_acc:", testAcc);
