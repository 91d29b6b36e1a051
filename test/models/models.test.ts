import { test } from "node:test";
import assert from "node:assert/strict";
import * as keras from "../../src/index.js";

const { ops, layers } = keras;

test("Sequential with an input shape builds at once and counts Keras's parameters", () => {
  const model = new keras.Sequential([
    new layers.Dense(512, { activation: "relu", inputShape: [784] }),
    new layers.Dense(10, { activation: "softmax" }),
  ]);
  assert.equal(model.built, true);
  assert.equal(model.countParams(), 407_050);
  const seed002 = new keras.Sequential();
  seed002.add(new layers.Dense(25, { activation: "sigmoid", inputShape: [784] }));
  seed002.add(new layers.Dense(10, { activation: "softmax" }));
  assert.equal(seed002.countParams(), 19_885);
});

test("Sequential without an input shape builds on first data, with an unknown batch axis", () => {
  const model = new keras.Sequential([new layers.Flatten(), new layers.Dense(3)]);
  assert.equal(model.built, false);
  assert.throws(() => model.countParams(), /isn't built/);
  const out = model.apply(ops.zeros([4, 2, 5])) as keras.Tensor;
  assert.deepEqual(out.shape, [4, 3]);
  assert.equal(model.countParams(), 33);
  // Another batch size still fits.
  assert.deepEqual((model.apply(ops.zeros([7, 2, 5])) as keras.Tensor).shape, [7, 3]);
});

test("layer names follow Keras: dense, dense_1, ...; duplicates in a Sequential are rejected", () => {
  keras.utils.clearSession();
  const a = new layers.Dense(1);
  const b = new layers.Dense(1);
  assert.equal(a.name, "dense");
  assert.equal(b.name, "dense_1");
  const model = new keras.Sequential([new layers.Dense(1, { name: "same" })]);
  assert.throws(() => model.add(new layers.Dense(1, { name: "same" })), /unique names/);
});

test("a built model rejects inputs of the wrong shape, naming the layer", () => {
  const model = new keras.Sequential([new layers.Dense(4, { inputShape: [3] })]);
  assert.throws(() => model.apply(ops.zeros([2, 5])), /incompatible with the layer: expected shape=\(None, 3\), found shape=\(2, 5\)/);
});

test("functional model with two inputs, two outputs and a shared layer", () => {
  const a = keras.Input({ shape: [4], name: "a" });
  const b = keras.Input({ shape: [4], name: "b" });
  const shared = new layers.Dense(3, { name: "shared", kernelInitializer: "ones" });
  const ha = shared.apply(a);
  const hb = shared.apply(b);
  const sum = new layers.Dense(2, { name: "sum_head", kernelInitializer: "ones" }).apply(ha);
  const other = new layers.Dense(1, { name: "other_head", kernelInitializer: "ones" }).apply(hb);
  const model = new keras.Model({ inputs: [a, b], outputs: [sum, other] });
  assert.ok(model instanceof keras.models.Functional);
  assert.deepEqual((model as keras.models.Functional).outputNames, ["sum_head", "other_head"]);
  // shared: 4*3+3, heads: 3*2+2 and 3*1+1; the shared layer counts once.
  assert.equal(model.countParams(), 15 + 8 + 4);
  const [y1, y2] = model.apply([ops.ones([2, 4]), ops.full([2, 4], 2)]) as keras.Tensor[];
  // ones kernels: shared gives 4 per unit (or 8), head sums three of those.
  assert.deepEqual(y1.arraySync(), [[12, 12], [12, 12]]);
  assert.deepEqual(y2.arraySync(), [[24], [24]]);
  assert.equal(model.getLayer("shared"), shared);
  assert.throws(() => model.getLayer("nope"), /No such layer: nope/);
});

test("subclassed models find their layers and train", async () => {
  class TwoLayer extends keras.Model {
    hidden = new layers.Dense(8, { activation: "tanh" });
    head = new layers.Dense(1);
    override call(x: keras.Tensor | keras.Tensor[]): keras.Tensor {
      return this.head.apply(this.hidden.apply(x));
    }
  }
  keras.utils.setRandomSeed(3);
  const model = new TwoLayer();
  const x = keras.random.uniform([64, 2], { minval: -1, maxval: 1, seed: 1 });
  const y = ops.sum(ops.square(x), 1, true);
  model.compile({ optimizer: new keras.optimizers.Adam({ learningRate: 0.05 }), loss: "mse" });
  const history = await model.fit(x, y, { epochs: 40, batchSize: 16, verbose: 0 });
  assert.equal(model.layers.length, 2);
  assert.equal(model.trainableWeights.length, 4);
  const losses = history.history.loss;
  assert.ok(losses[losses.length - 1] < 0.25 * losses[0], `loss did not fall: ${losses[0]} -> ${losses[losses.length - 1]}`);
});

test("a keras.Model subclass constructed with { inputs, outputs } is a functional model, as Keras makes it", async () => {
  class Scaled extends keras.Model {
    calls = 0;
    override trainStep(data: keras.StepData): keras.StepLogs | Promise<keras.StepLogs> {
      this.calls++;
      return super.trainStep(data);
    }
  }
  keras.utils.clearSession();
  const input = keras.Input({ shape: [3] });
  const output = new layers.Dense(2, { kernelInitializer: "ones", name: "head" }).apply(input);
  const model = new Scaled({ inputs: input, outputs: output, name: "scaled" });
  assert.ok(model instanceof keras.models.Functional, "instanceof Functional, as Keras injects Functional into the subclass");
  assert.ok(model instanceof Scaled);
  assert.equal(model.layers.length, 2);
  assert.equal(model.weights.length, 2);
  assert.deepEqual(model.outputNames, ["head"]);
  const out = (await model.predict(ops.ones([2, 3]), { verbose: 0 })) as keras.Tensor;
  assert.deepEqual(out.arraySync(), [[3, 3], [3, 3]]);
  let text = "";
  model.summary({ printFn: (t) => (text = t) });
  assert.match(text, /Model: "scaled"[\s\S]*head \(Dense\)[\s\S]*Total params: 8/);
  // Its config is the graph, and it rebuilds as the same class.
  const plain = new keras.Model({ inputs: input, outputs: output, name: "scaled" });
  assert.deepEqual(model.getConfig(), plain.getConfig());
  const rebuilt = Scaled.fromConfig(model.getConfig());
  assert.ok(rebuilt instanceof Scaled && rebuilt.layers.length === 2);
  // The custom step trains it.
  model.compile({ optimizer: "sgd", loss: "mse" });
  await model.fit(ops.ones([4, 3]), ops.zeros([4, 2]), { epochs: 1, batchSize: 2, verbose: 0 });
  assert.equal(model.calls, 2);
  assert.notDeepEqual(model.getWeights()[0].arraySync(), ops.ones([3, 2]).arraySync());
});

test("new keras.Model({ inputs, outputs }) is named and serialized as Keras's Functional", () => {
  keras.utils.clearSession();
  const a = keras.Input({ shape: [2] });
  const model = new keras.Model({ inputs: a, outputs: new layers.Dense(1).apply(a) });
  assert.equal(model.name, "functional");
  assert.equal(model.className(), "Functional");
  const entry = keras.saving.serializeLayer(model);
  assert.equal(entry.class_name, "Functional");
  assert.equal(entry.module, "keras.src.models.functional");
  assert.equal(entry.registered_name, "Functional");
  const back = keras.saving.deserializeLayer(entry) as keras.Model;
  assert.ok(back instanceof keras.models.Functional);
  assert.equal(back.layers.length, 2);
});

test("keras.Model with only inputs or only outputs is an error", () => {
  const a = keras.Input({ shape: [2] });
  assert.throws(() => new keras.Model({ inputs: a } as never), /both `inputs` and `outputs`/);
});

test("outputs given as a list of one: a tensor from call and predict, a list from a symbolic call (Keras 3's Functional)", async () => {
  const input = keras.Input({ shape: [3] });
  const output = new layers.Dense(2, { kernelInitializer: "ones" }).apply(input);
  const model = new keras.Model({ inputs: input, outputs: [output] });
  const x = ops.ones([4, 3]);
  // Functional.call unpacks the list (unpack_singleton); predict returns what the step returns.
  for (const got of [model.apply(x), await model.predict(x, { verbose: 0, batchSize: 3 }), await model.predictOnBatch(x)]) {
    assert.ok(!Array.isArray(got));
    assert.deepEqual(got.arraySync(), [[3, 3], [3, 3], [3, 3], [3, 3]]);
  }
  // compute_output_spec keeps the structure the model was defined with.
  const outerInput = keras.Input({ shape: [3] });
  const symbolic = model.apply(outerInput);
  assert.ok(Array.isArray(symbolic) && symbolic.length === 1);
  assert.deepEqual(symbolic[0].shape, [null, 2]);
  assert.deepEqual(model.getConfig().output_layers, [[model.layers[1].name, 0, 0]]);
  // A model nested in another runs eagerly with its unpacked output.
  const outer = new keras.Model({ inputs: outerInput, outputs: new layers.Dense(1, { kernelInitializer: "ones" }).apply(symbolic[0]) });
  assert.deepEqual((outer.apply(x) as keras.Tensor).arraySync(), [[6], [6], [6], [6]]);
});

test("predict keeps a list of one that a subclassed model's call returns, as Keras's predict does", async () => {
  class ListOfOne extends keras.Model {
    override call(inputs: keras.Tensor | keras.Tensor[]): keras.Tensor[] {
      return [ops.multiply(inputs as keras.Tensor, 2)];
    }
  }
  const model = new ListOfOne();
  const out = await model.predict(ops.ones([5, 2]), { verbose: 0, batchSize: 2 });
  assert.ok(Array.isArray(out) && out.length === 1);
  assert.deepEqual(out[0].shape, [5, 2]);
  assert.deepEqual((out[0].arraySync() as number[][])[4], [2, 2]);
});
