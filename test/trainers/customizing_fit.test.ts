/**
 * Keras's guide "Customizing what happens in fit()" (keras.io/guides/custom_train_step_in_*),
 * translated to keras-ts: its models and calls, with checks of what the guide says they do.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as keras from "../../src/index.js";
import { weightsOf } from "../helpers/training.js";

const { ops, layers } = keras;
type Tensor = keras.Tensor;

/** The guide's data: x of shape (n, 32), y of shape (n, 1), uniform in [0, 1). */
function data(n: number, seed: number): [Tensor, Tensor, Tensor] {
  return [keras.random.uniform([n, 32], { seed }), keras.random.uniform([n, 1], { seed: seed + 1 }), keras.random.uniform([n, 1], { seed: seed + 2 })];
}

/** `inputs = keras.Input(shape=(32,)); outputs = keras.layers.Dense(1)(inputs)`, with seeded weights. */
function graph(): { inputs: keras.KerasTensor; outputs: keras.KerasTensor } {
  keras.utils.setRandomSeed(1);
  const inputs = keras.Input({ shape: [32] });
  const outputs = new layers.Dense(1).apply(inputs) as keras.KerasTensor;
  return { inputs, outputs };
}

function close(actual: number, expected: number, tolerance = 1e-5, what = ""): void {
  assert.ok(Math.abs(actual - expected) <= tolerance * Math.max(1, Math.abs(expected)), `${what} ${actual} vs ${expected}`);
}

// "A first simple example": train_step computes the loss with compute_loss, applies the optimizer,
// updates self.metrics and returns {m.name: m.result() for m in self.metrics}.
class CustomModel extends keras.Model {
  override trainStep(data: keras.StepData): keras.StepLogs {
    const [x, y] = data as [Tensor, Tensor];
    const variables = this.trainableWeights;
    const [[loss, yPred], grads] = keras.valueAndGrad(
      (): [Tensor, Tensor] => {
        const yPred = this.apply(x, { training: true }) as Tensor;
        return [this.computeLoss({ y, yPred }), yPred];
      },
      { variables, hasAux: true },
    )();
    this.optimizer!.apply(grads, variables);
    for (const metric of this.metrics) {
      if (metric.name === "loss") (metric as keras.metrics.Mean).updateState(loss);
      else metric.updateState(y, yPred);
    }
    return Object.fromEntries(this.metrics.map((m) => [m.name, m.result()]));
  }
}

test("guide, a first simple example: a custom trainStep on a functional subclass trains as the default one does", async () => {
  const [x, y] = data(1024, 10);
  const model = new CustomModel(graph());
  assert.equal(model.layers.length, 2, "the subclass runs the graph it was given");
  model.compile({ optimizer: "adam", loss: "mse", metrics: ["mae"] });
  assert.deepEqual(model.metricsNames, ["loss", "compile_metrics"]);
  const history = await model.fit(x, y, { epochs: 3, verbose: 0, shuffle: false });
  // As in Keras: the step's logs hold `compile_metrics` as an object, flattened in sorted key order.
  assert.deepEqual(Object.keys(history.history), ["mae", "loss"]);

  // The same model with Keras's own trainStep: every batch has 32 samples, so the per-batch mean
  // of the guide's loss tracker equals the default's mean weighted by batch size.
  const plain = new keras.Model(graph());
  plain.compile({ optimizer: "adam", loss: "mse", metrics: ["mae"] });
  const expected = await plain.fit(x, y, { epochs: 3, verbose: 0, shuffle: false });
  assert.deepEqual(weightsOf(model), weightsOf(plain));
  for (let epoch = 0; epoch < 3; epoch++) {
    close(history.history.loss[epoch], expected.history.loss[epoch], 1e-6, `loss of epoch ${epoch}`);
    close(history.history.mae[epoch], expected.history.mae[epoch], 1e-6, `mae of epoch ${epoch}`);
  }
  assert.ok(history.history.loss[2] < history.history.loss[0]);
});

// "Going lower-level": compile() only configures the optimizer; the model tracks its own loss and
// MAE and lists them in `metrics`, so that fit resets them at every epoch.
class LowerLevelModel extends keras.Model {
  lossTracker = new keras.metrics.Mean({ name: "loss" });
  maeMetric = new keras.metrics.MeanAbsoluteError({ name: "mae" });
  lossFn = new keras.losses.MeanSquaredError();
  batchLosses: number[] = [];

  override trainStep(data: keras.StepData): keras.StepLogs {
    const [x, y] = data as [Tensor, Tensor];
    const variables = this.trainableWeights;
    const [[loss, yPred], grads] = keras.valueAndGrad(
      (): [Tensor, Tensor] => {
        const yPred = this.apply(x, { training: true }) as Tensor;
        return [this.lossFn.apply(y, yPred), yPred];
      },
      { variables, hasAux: true },
    )();
    this.optimizer!.apply(grads, variables);
    this.batchLosses.push(loss.item());
    this.lossTracker.updateState(loss);
    this.maeMetric.updateState(y, yPred);
    return { loss: this.lossTracker.result(), mae: this.maeMetric.result() };
  }
}

class LowerLevelModelListingMetrics extends LowerLevelModel {
  override get metrics(): keras.metrics.Metric[] {
    return [this.lossTracker, this.maeMetric];
  }
}

for (const [title, Model] of [["listing its metrics in `get metrics()`", LowerLevelModelListingMetrics], ["with its metrics found on the model", LowerLevelModel]] as const) {
  test(`guide, going lower-level (compile() without a loss), ${title}: fit trains and resets the metrics every epoch`, async () => {
    const [x, y] = data(320, 20);
    const model = new Model(graph());
    model.compile({ optimizer: "adam" });
    const history = await model.fit(x, y, { epochs: 5, verbose: 0, batchSize: 32 });
    assert.deepEqual(Object.keys(history.history), ["loss", "mae"]);
    assert.equal(model.batchLosses.length, 50);
    for (let epoch = 0; epoch < 5; epoch++) {
      const losses = model.batchLosses.slice(epoch * 10, epoch * 10 + 10);
      close(history.history.loss[epoch], losses.reduce((a, b) => a + b) / 10, 1e-5, `epoch ${epoch}: the logged loss is the mean of this epoch's batches only`);
    }
    assert.ok(history.history.loss[4] < history.history.loss[0]);
    assert.ok(model.metrics.includes(model.lossTracker) && model.metrics.includes(model.maeMetric));
  });
}

test("compile() without a loss and the default trainStep is an error that says what to do", async () => {
  const [x, y] = data(64, 30);
  const model = new keras.Model(graph());
  model.compile({ optimizer: "adam" });
  await assert.rejects(model.fit(x, y, { verbose: 0 }), /No loss to compute\. Provide a `loss` argument in `compile\(\)`, or override `trainStep`/);
  await assert.rejects(model.evaluate(x, y, { verbose: 0 }), /No loss to compute/);
});

// "Supporting sample_weight & class_weight": unpack a third element when fit is given weights.
class WeightedModel extends keras.Model {
  seenWeights = 0;
  override trainStep(data: keras.StepData): keras.StepLogs {
    const [x, y, sampleWeight] = keras.utils.unpackXYSampleWeight<Tensor, Tensor, Tensor>(data);
    if (sampleWeight !== undefined) this.seenWeights++;
    const variables = this.trainableWeights;
    const [[loss, yPred], grads] = keras.valueAndGrad(
      (): [Tensor, Tensor] => {
        const yPred = this.apply(x, { training: true }) as Tensor;
        return [this.computeLoss({ x, y, yPred, sampleWeight }), yPred];
      },
      { variables, hasAux: true },
    )();
    this.optimizer!.apply(grads, variables);
    for (const metric of this.metrics) {
      if (metric.name === "loss") (metric as keras.metrics.Mean).updateState(loss);
      else metric.updateState(y!, yPred, sampleWeight);
    }
    return Object.fromEntries(this.metrics.map((m) => [m.name, m.result()]));
  }
}

test("guide, supporting sampleWeight and classWeight: the step gets [x, y, sampleWeight] and weights the loss", async () => {
  const [x, y, sw] = data(256, 40);
  const model = new WeightedModel(graph());
  model.compile({ optimizer: "adam", loss: "mse", metrics: ["mae"] });
  await model.fit(x, y, { sampleWeight: sw, epochs: 1, verbose: 0, shuffle: false });
  assert.equal(model.seenWeights, 8);
  const plain = new keras.Model(graph());
  plain.compile({ optimizer: "adam", loss: "mse", metrics: ["mae"] });
  await plain.fit(x, y, { sampleWeight: sw, epochs: 1, verbose: 0, shuffle: false });
  assert.deepEqual(weightsOf(model), weightsOf(plain));
  // Without weights the step gets [x, y] and trains differently.
  const unweighted = new WeightedModel(graph());
  unweighted.compile({ optimizer: "adam", loss: "mse" });
  await unweighted.fit(x, y, { epochs: 1, verbose: 0, shuffle: false });
  assert.equal(unweighted.seenWeights, 0);
  assert.notDeepEqual(weightsOf(unweighted), weightsOf(model));
});

// "Providing your own evaluation step".
class EvalModel extends keras.Model {
  override testStep(data: keras.StepData): keras.StepLogs {
    const [x, y] = data as [Tensor, Tensor];
    const yPred = this.apply(x, { training: false }) as Tensor;
    const loss = this.computeLoss({ y, yPred });
    for (const metric of this.metrics) {
      if (metric.name === "loss") (metric as keras.metrics.Mean).updateState(loss);
      else metric.updateState(y, yPred);
    }
    return Object.fromEntries(this.metrics.map((m) => [m.name, m.result()]));
  }
}

test("guide, providing your own evaluation step: evaluate runs the custom testStep", async () => {
  const [x, y] = data(1024, 50);
  const model = new EvalModel(graph());
  model.compile({ loss: "mse", metrics: ["mae"] });
  const [loss, mae] = (await model.evaluate(x, y, { verbose: 0 })) as number[];
  const plain = new keras.Model(graph());
  plain.compile({ loss: "mse", metrics: ["mae"] });
  const [expectedLoss, expectedMae] = (await plain.evaluate(x, y, { verbose: 0 })) as number[];
  close(loss, expectedLoss, 1e-6, "loss");
  close(mae, expectedMae, 1e-6, "mae");
  // By hand: the mean squared and absolute errors of the whole set.
  const yPred = (await plain.predict(x, { verbose: 0 })) as Tensor;
  close(mae, ops.mean(ops.abs(ops.subtract(y, yPred))).item(), 1e-5, "mae by hand");
  close(loss, ops.mean(ops.square(ops.subtract(y, yPred))).item(), 1e-5, "loss by hand");
  // The custom step also serves validation inside fit.
  let calls = 0;
  class Counting extends EvalModel {
    override testStep(data: keras.StepData): keras.StepLogs {
      calls++;
      return super.testStep(data);
    }
  }
  const counted = new Counting(graph());
  counted.compile({ optimizer: "sgd", loss: "mse", metrics: ["mae"] });
  const history = await counted.fit(x, y, { epochs: 1, verbose: 0, validationData: [x, y] });
  assert.equal(calls, 32);
  assert.deepEqual(Object.keys(history.history).sort(), ["loss", "mae", "val_loss", "val_mae"]);
});

// "Wrapping up: an end-to-end GAN example", made small: a generator and a discriminator trained in
// turn by one trainStep with two optimizers, fed real samples alone (no targets).
class GAN extends keras.Model {
  readonly dLossTracker = new keras.metrics.Mean({ name: "d_loss" });
  readonly gLossTracker = new keras.metrics.Mean({ name: "g_loss" });
  readonly seedGenerator = new keras.random.SeedGenerator(1337);
  dOptimizer = new keras.optimizers.Adam({ learningRate: 0.0003 });
  gOptimizer = new keras.optimizers.Adam({ learningRate: 0.0003 });
  readonly lossFn = new keras.losses.BinaryCrossentropy({ fromLogits: true });

  constructor(
    readonly discriminator: keras.Sequential,
    readonly generator: keras.Sequential,
    readonly latentDim: number,
  ) {
    super();
    this.built = true;
  }

  override get metrics(): keras.metrics.Metric[] {
    return [this.dLossTracker, this.gLossTracker];
  }

  override trainStep(data: keras.StepData): keras.StepLogs {
    const [realImages] = keras.utils.unpackXYSampleWeight<Tensor>(data);
    const batchSize = realImages.shape[0];
    // Train the discriminator on generated and real images, with noisy labels.
    let latent = keras.random.normal([batchSize, this.latentDim], { seed: this.seedGenerator });
    const generated = this.generator.apply(latent) as Tensor;
    const combined = ops.concatenate([generated, realImages], 0);
    let labels = ops.concatenate([ops.ones([batchSize, 1]), ops.zeros([batchSize, 1])], 0);
    labels = ops.add(labels, ops.multiply(0.05, keras.random.uniform(labels.shape, { seed: this.seedGenerator })));
    const dWeights = this.discriminator.trainableWeights;
    const [dLoss, dGrads] = keras.valueAndGrad(() => this.lossFn.apply(labels, this.discriminator.apply(combined) as Tensor), { variables: dWeights })();
    this.dOptimizer.apply(dGrads, dWeights);
    // Train the generator to make the discriminator say "real" (without touching its weights).
    latent = keras.random.normal([batchSize, this.latentDim], { seed: this.seedGenerator });
    const misleading = ops.zeros([batchSize, 1]);
    const gWeights = this.generator.trainableWeights;
    const [gLoss, gGrads] = keras.valueAndGrad(() => this.lossFn.apply(misleading, this.discriminator.apply(this.generator.apply(latent)) as Tensor), { variables: gWeights })();
    this.gOptimizer.apply(gGrads, gWeights);
    this.dLossTracker.updateState(dLoss);
    this.gLossTracker.updateState(gLoss);
    return { d_loss: this.dLossTracker.result(), g_loss: this.gLossTracker.result() };
  }
}

test("guide, an end-to-end GAN: a trainStep with two optimizers, fed a generator of images alone", async () => {
  keras.utils.setRandomSeed(3);
  const discriminator = new keras.Sequential([keras.Input({ shape: [8] }), new layers.Dense(16), new layers.LeakyReLU({ negativeSlope: 0.2 }), new layers.Dense(1)], { name: "discriminator" });
  const generator = new keras.Sequential([keras.Input({ shape: [4] }), new layers.Dense(16), new layers.LeakyReLU({ negativeSlope: 0.2 }), new layers.Dense(8, { activation: "sigmoid" })], { name: "generator" });
  const gan = new GAN(discriminator, generator, 4);
  gan.compile();
  const dBefore = weightsOf(discriminator);
  const gBefore = weightsOf(generator);
  function* images() {
    for (let i = 0; i < 6; i++) yield [keras.random.uniform([16, 8], { seed: 100 + i })] as [Tensor];
  }
  const history = await gan.fit(images(), { epochs: 1, verbose: 0 });
  assert.deepEqual(Object.keys(history.history), ["d_loss", "g_loss"]);
  assert.ok(Number.isFinite(history.history.d_loss[0]) && Number.isFinite(history.history.g_loss[0]));
  assert.notDeepEqual(weightsOf(discriminator), dBefore);
  assert.notDeepEqual(weightsOf(generator), gBefore);
});
