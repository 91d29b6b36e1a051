import { test } from "node:test";
import assert from "node:assert/strict";
import * as keras from "../../src/index.js";

const { ops, layers } = keras;

function compiledClassifier(): keras.Sequential {
  const model = new keras.Sequential([new layers.Dense(2, { activation: "softmax", inputShape: [2] })]);
  model.compile({ optimizer: "sgd", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"] });
  return model;
}

const x = ops.zeros([8, 2]);
const y = ops.zeros([8], "int32");

test("fit and evaluate on zero samples are refused, naming the argument and its shape", async () => {
  const model = compiledClassifier();
  const none = ops.zeros([0, 2]);
  const noLabels = ops.zeros([0], "int32");
  await assert.rejects(model.fit(none, noLabels, { verbose: 0 }), /^RangeError: fit: x has 0 samples \(shape \[0, 2\]\); give at least one$/);
  await assert.rejects(model.evaluate(none, noLabels, { verbose: 0 }), /^RangeError: evaluate: x has 0 samples \(shape \[0, 2\]\)/);
  await assert.rejects(model.fit([], [], { verbose: 0 }), /fit: x has 0 samples \(shape \[0\]\)/);
  await assert.rejects(model.fit(x, y, { verbose: 0, validationData: [none, noLabels] }), /fit: validationData x has 0 samples/);
});

test("validationSplit outside [0, 1) or NaN is refused with its value", async () => {
  const model = compiledClassifier();
  for (const split of [-0.5, Number.NaN, 1, 1.5, Number.POSITIVE_INFINITY]) {
    await assert.rejects(model.fit(x, y, { verbose: 0, validationSplit: split }), new RegExp(`^RangeError: fit: validationSplit must be a fraction in \\[0, 1\\), got ${split}$`), String(split));
  }
  // 0 is Keras's default: no validation.
  const history = await model.fit(x, y, { verbose: 0, validationSplit: 0 });
  assert.deepEqual(Object.keys(history.history).sort(), ["accuracy", "loss"]);
});

test("epochs and initialEpoch must be non-negative integers; 0 epochs trains nothing, as in Keras", async () => {
  const model = compiledClassifier();
  for (const epochs of [-1, Number.NaN, 1.5, Number.POSITIVE_INFINITY]) {
    await assert.rejects(model.fit(x, y, { verbose: 0, epochs }), new RegExp(`^RangeError: fit: epochs must be a non-negative integer, got ${epochs}$`), String(epochs));
  }
  await assert.rejects(model.fit(x, y, { verbose: 0, initialEpoch: -2 }), /fit: initialEpoch must be a non-negative integer, got -2/);
  const history = await model.fit(x, y, { verbose: 0, epochs: 0 });
  assert.deepEqual(history.epoch, []);
});

test("step counts and frequencies must be positive integers", async () => {
  const model = compiledClassifier();
  await assert.rejects(model.fit(x, y, { verbose: 0, stepsPerEpoch: 0 }), /fit: stepsPerEpoch must be a positive integer, got 0/);
  await assert.rejects(model.fit(x, y, { verbose: 0, validationSplit: 0.25, validationSteps: Number.NaN }), /fit: validationSteps must be a positive integer, got NaN/);
  await assert.rejects(model.fit(x, y, { verbose: 0, validationSplit: 0.25, validationFreq: -1 }), /fit: validationFreq must be a positive integer, got -1/);
  await assert.rejects(model.fit(x, y, { verbose: 0, validationSplit: 0.25, validationBatchSize: 0 }), /fit: validationBatchSize must be a positive integer, got 0/);
  await assert.rejects(model.evaluate(x, y, { verbose: 0, steps: 0 }), /evaluate: steps must be a positive integer, got 0/);
});
