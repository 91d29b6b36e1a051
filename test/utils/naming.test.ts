import { test } from "node:test";
import assert from "node:assert/strict";
import * as keras from "../../src/index.js";
import { toSnakeCase } from "../../src/utils/naming.js";

// What Keras 3's naming.to_snake_case gives for its own class names (the auto-names of its layers).
const KERAS_NAMES: [string, string][] = [
  ["Dense", "dense"],
  ["Conv2D", "conv2d"],
  ["MaxPooling2D", "max_pooling2d"],
  ["BatchNormalization", "batch_normalization"],
  ["LSTM", "lstm"],
  ["GRU", "gru"],
  ["SimpleRNN", "simple_rnn"],
  ["Conv2DTranspose", "conv2d_transpose"],
  ["Conv1DTranspose", "conv1d_transpose"],
  ["GlobalAveragePooling2D", "global_average_pooling2d"],
  ["UpSampling2D", "up_sampling2d"],
  ["ZeroPadding2D", "zero_padding2d"],
  ["ReLU", "re_lu"],
  ["PReLU", "p_re_lu"],
  ["ELU", "elu"],
  ["LeakyReLU", "leaky_re_lu"],
  ["InputLayer", "input_layer"],
  ["F1Score", "f1_score"],
  ["TopKCategoricalAccuracy", "top_k_categorical_accuracy"],
  ["Sequential", "sequential"],
];

test("toSnakeCase gives Keras's snake case for Keras's class names", () => {
  for (const [cls, snake] of KERAS_NAMES) assert.equal(toSnakeCase(cls), snake, cls);
});

test("toSnakeCase drops non-word characters first, as Keras's \\W+ does (letters of any script stay)", () => {
  assert.equal(toSnakeCase("My-Layer 2D!"), "my_layer2d");
  assert.equal(toSnakeCase("Schicht\u00c4hnlich"), "schicht\u00e4hnlich");
  assert.equal(toSnakeCase("already_snake"), "already_snake");
});

test("user layer and model classes are auto-named from their class names", () => {
  keras.utils.clearSession();
  class Conv2D extends keras.layers.Layer {}
  class MaxPooling2D extends keras.layers.Layer {}
  class Conv1DTranspose extends keras.layers.Layer {}
  class MyDense extends keras.layers.Dense {}
  class SimpleRNN extends keras.layers.Layer {}
  class ResidualModel extends keras.Model {}
  assert.equal(new Conv2D().name, "conv2d");
  assert.equal(new Conv2D().name, "conv2d_1");
  assert.equal(new MaxPooling2D().name, "max_pooling2d");
  assert.equal(new Conv1DTranspose().name, "conv1d_transpose");
  assert.equal(new SimpleRNN().name, "simple_rnn");
  // A subclass is named after itself, not after the class it extends.
  assert.equal(new MyDense(2).name, "my_dense");
  assert.equal(new keras.layers.Dense(2).name, "dense");
  assert.equal(new ResidualModel().name, "residual_model");
  assert.equal(new keras.Sequential().name, "sequential");
  const input = keras.Input({ shape: [3] });
  assert.equal(new keras.Model({ inputs: input, outputs: new keras.layers.Dense(1).apply(input) }).name, "functional");
  // A class that names itself (as the built-in layers do) is named from that name.
  class Renamed extends keras.layers.Layer {
    static override className = "UpSampling2D";
  }
  assert.equal(new Renamed().name, "up_sampling2d");
  keras.utils.clearSession();
});
