/**
 * Seed 003: 512 relu units, RMSprop, batch 128, 5 epochs, categorical crossentropy
 * (Chollet's first example).
 */
import * as keras from "keras-ts";

keras.utils.setRandomSeed(42);
let [[trainImages, trainLabels], [testImages, testLabels]] = await keras.datasets.mnist.loadData();
console.log(trainImages.shape, trainLabels.size, testImages.shape, testLabels.size);

const model = new keras.Sequential([
  new keras.layers.Dense(512, { activation: "relu", inputShape: [28 * 28] }),
  new keras.layers.Dense(10, { activation: "softmax" }),
]);
model.compile({ optimizer: "rmsprop", loss: "categorical_crossentropy", metrics: ["accuracy"] });

// Rebound, as the seed does, so the uint8 images are unreachable once converted (the cast to
// float32 is deferred, and the division reads the images directly: one float32 array each).
trainImages = keras.ops.divide(trainImages.reshape([60000, 28 * 28]).astype("float32"), 255);
testImages = keras.ops.divide(testImages.reshape([10000, 28 * 28]).astype("float32"), 255);
trainLabels = keras.utils.toCategorical(trainLabels);
testLabels = keras.utils.toCategorical(testLabels);

model.summary();
await model.fit(trainImages, trainLabels, { epochs: 5, batchSize: 128 });
const { accuracy: testAcc } = await model.evaluate(testImages, testLabels, { returnDict: true });
console.log("test_acc:", testAcc);
