import * as keras from "../../src/index.js";

/* A small classification problem and model that the fit tests (arrays, generators, PyDatasets) share. */

/** n samples of 3 normal features, labelled 1 where their sum is positive. */
export function sumSignProblem(n: number, seed: number): [keras.Tensor, keras.Tensor] {
  const x = keras.random.normal([n, 3], { seed });
  const y = keras.ops.cast(keras.ops.greater(keras.ops.sum(x, 1), 0), "int32");
  return [x, y];
}

/** A compiled, seeded classifier for that problem. */
export function sumSignClassifier(): keras.Sequential {
  keras.utils.setRandomSeed(2);
  const model = new keras.Sequential([new keras.layers.Dense(4, { activation: "relu", inputShape: [3] }), new keras.layers.Dense(2, { activation: "softmax" })]);
  model.compile({ optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"] });
  return model;
}

/** A model's weights as plain arrays, to compare two models. */
export const weightsOf = (model: keras.Model): number[][] => model.getWeights().map((w) => Array.from(w.dataSync()));
