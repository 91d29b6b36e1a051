import { test } from "node:test";
import assert from "node:assert/strict";
import * as keras from "../../src/index.js";

// The custom training loop shown in the README, on small synthetic data, must train.
test("the README's custom training loop lowers the loss", () => {
  keras.utils.setRandomSeed(0);
  const x = keras.random.normal([128, 784], { seed: 1 });
  const y = keras.ops.argmax(keras.ops.slice(x, [0, 0], [128, 10]), -1);
  const nextBatch = (step: number): [keras.Tensor, keras.Tensor] => {
    const start = (step * 32) % 128;
    return [keras.ops.slice(x, [start, 0], [32, 784]), keras.ops.slice(y, [start], [32])];
  };
  const steps = 40;
  const losses: number[] = [];

  const model = new keras.Sequential([
    new keras.layers.Dense(64, { activation: "relu", inputShape: [784] }),
    new keras.layers.Dense(10),
  ]);
  const optimizer = new keras.optimizers.Adam({ learningRate: 1e-3 });
  const lossFn = new keras.losses.SparseCategoricalCrossentropy({ fromLogits: true });

  for (let step = 0; step < steps; step++) {
    const [xBatch, yBatch] = nextBatch(step);
    const weights = model.trainableWeights;
    const [loss, grads] = keras.valueAndGrad(
      () => lossFn.apply(yBatch, model.apply(xBatch, { training: true })),
      { variables: weights },
    )();
    optimizer.apply(grads, weights);
    losses.push(loss.item());
  }
  const early = losses.slice(0, 4).reduce((a, b) => a + b) / 4;
  const late = losses.slice(-4).reduce((a, b) => a + b) / 4;
  assert.ok(late < 0.5 * early, `loss went from ${early} to ${late}`);
});
