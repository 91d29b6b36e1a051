/**
 * The MLP program whose bundle `npm run bench:browser` weighs: keras-ts on WebAssembly in a page,
 * the seed-001 model trained on MNIST and used for predictions. mlp_tfjs.ts is the same program in
 * TensorFlow.js.
 */
import * as keras from "keras-ts";

export async function main(mnistUrl: string, wasmUrl: string): Promise<number> {
  await keras.backend.ready({ wasm: { baseUrl: wasmUrl } });
  const [[xTrain, yTrain], [xTest, yTest]] = await keras.datasets.mnist.loadData({ url: mnistUrl });
  const model = new keras.Sequential([
    keras.Input({ shape: [28, 28] }),
    new keras.layers.Flatten(),
    new keras.layers.Dense(128, { activation: "relu" }),
    new keras.layers.Dense(128, { activation: "relu" }),
    new keras.layers.Dense(10, { activation: "softmax" }),
  ]);
  model.compile({ optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"] });
  await model.fit(keras.utils.normalize(xTrain, 1), yTrain, { epochs: 1, batchSize: 32 });
  const { accuracy } = await model.evaluate(keras.utils.normalize(xTest, 1), yTest, { returnDict: true });
  return accuracy;
}
