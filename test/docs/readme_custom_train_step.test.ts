import { test } from "node:test";
import assert from "node:assert/strict";
import * as keras from "../../src/index.js";

// The README's "Customizing fit" example, as written there, must train.
test("the README's custom trainStep trains a functional subclass", async () => {
  keras.utils.setRandomSeed(0);
  class CustomModel extends keras.Model<keras.KerasTensor> {
    override trainStep(data: keras.StepData): keras.StepLogs {
      const [x, y, sampleWeight] = keras.utils.unpackXYSampleWeight<keras.Tensor, keras.Tensor, keras.Tensor>(data);
      const variables = this.trainableWeights;
      const [[loss, yPred], grads] = keras.valueAndGrad(
        (): [keras.Tensor, keras.Tensor] => {
          const yPred = this.apply(x, { training: true });
          return [this.computeLoss({ x, y, yPred, sampleWeight }), yPred];
        },
        { variables, hasAux: true },
      )();
      this.optimizer!.apply(grads, variables);
      for (const metric of this.metrics) {
        if (metric.name === "loss" && metric instanceof keras.metrics.Mean) metric.updateState(loss);
        else metric.updateState(y!, yPred, sampleWeight);
      }
      return Object.fromEntries(this.metrics.map((m) => [m.name, m.result()]));
    }
  }
  const inputs = keras.Input({ shape: [32] });
  const model = new CustomModel({ inputs, outputs: new keras.layers.Dense(1).apply(inputs) });
  model.compile({ optimizer: "adam", loss: "mse", metrics: ["mae"] });

  const x = keras.random.uniform([256, 32], { seed: 1 });
  const y = keras.random.uniform([256, 1], { seed: 2 });
  const history = await model.fit(x, y, { epochs: 4, verbose: 0 });
  assert.deepEqual(Object.keys(history.history).sort(), ["loss", "mae"]);
  assert.ok(history.history.loss[3] < history.history.loss[0], `${history.history.loss}`);
});
