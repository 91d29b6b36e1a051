/**
 * mlp_keras.ts's program in TensorFlow.js (@tensorflow/tfjs with @tensorflow/tfjs-backend-wasm),
 * for the bundle comparison of `npm run bench:browser`. MNIST arrives as the same IDX files.
 */
import * as tf from "@tensorflow/tfjs";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";

async function idx(url: string): Promise<{ shape: number[]; data: Uint8Array }> {
  const bytes = new Uint8Array(await (await fetch(url)).arrayBuffer());
  const view = new DataView(bytes.buffer);
  const rank = bytes[3];
  const shape = Array.from({ length: rank }, (_, k) => view.getUint32(4 + 4 * k));
  return { shape, data: bytes.subarray(4 + 4 * rank) };
}

/** keras.utils.normalize(x, axis=1): each image column scaled to unit L2 norm. */
function normalize(images: { shape: number[]; data: Uint8Array }): tf.Tensor {
  return tf.tidy(() => {
    const x = tf.tensor3d(Float32Array.from(images.data), images.shape as [number, number, number]);
    const norm = tf.sqrt(tf.sum(tf.square(x), 1, true));
    return tf.div(x, tf.where(tf.equal(norm, 0), tf.onesLike(norm), norm));
  });
}

export async function main(mnistUrl: string, wasmUrl: string): Promise<number> {
  setWasmPaths(wasmUrl);
  await tf.setBackend("wasm");
  await tf.ready();
  const [xTrain, yTrain, xTest, yTest] = await Promise.all(
    ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"].map((f) => idx(`${mnistUrl}${f}`)),
  );
  const model = tf.sequential();
  model.add(tf.layers.flatten({ inputShape: [28, 28] }));
  model.add(tf.layers.dense({ units: 128, activation: "relu" }));
  model.add(tf.layers.dense({ units: 128, activation: "relu" }));
  model.add(tf.layers.dense({ units: 10, activation: "softmax" }));
  model.compile({ optimizer: tf.train.adam(0.001, 0.9, 0.999, 1e-7), loss: "sparseCategoricalCrossentropy", metrics: ["accuracy"] });
  await model.fit(normalize(xTrain), tf.tensor1d(Float32Array.from(yTrain.data)), { epochs: 1, batchSize: 32 });
  const [, accuracy] = model.evaluate(normalize(xTest), tf.tensor1d(Float32Array.from(yTest.data))) as tf.Scalar[];
  return (await accuracy.data())[0];
}
