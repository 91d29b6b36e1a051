import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as ops from "../../src/ops/index.js";
import type { Tensor } from "../../src/backend/tensor.js";
import { Dense, Flatten, Input, Concatenate, Dropout, Layer, type LayerArgs } from "../../src/layers/index.js";
import * as layersModule from "../../src/layers/index.js";
import { serializeLayer } from "../../src/saving/layer_serialization.js";
import type { LayerShape } from "../../src/layers/layer.js";
import type { Variable } from "../../src/backend/variable.js";
import { Model } from "../../src/models/model.js";
import { Sequential } from "../../src/models/sequential.js";
import { Functional } from "../../src/models/functional.js";
import "../../src/models/functional.js";
import { loadModel, registerKerasSerializable } from "../../src/saving/index.js";
import { Adam } from "../../src/optimizers/index.js";
import { readKerasArchive } from "../../src/saving/keras_zip.js";
import { getH5Dataset, getH5Group, readH5, readH5File } from "../../src/saving/h5_io.js";
import { assertTensorsIdentical, h5Listing, withTempDir } from "./helpers.js";

/** Deterministic pseudo-data: no dependence on the random generator. */
function data(shape: number[], salt: number): Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  const values = Array.from({ length: size }, (_, i) => Math.sin(i * 12.9898 + salt * 78.233) * 0.5);
  return ops.reshape(ops.convertToTensor(values, "float32"), shape);
}

function labels(n: number, classes: number): Tensor {
  return ops.convertToTensor(Array.from({ length: n }, (_, i) => (i * 7 + 3) % classes), "int32");
}

function makeSequential(): Sequential {
  return new Sequential([
    Input({ shape: [4, 3] }),
    new Flatten(),
    new Dense(8, { activation: "relu" }),
    new Dense(3, { activation: "softmax" }),
  ]);
}

function makeFunctional(): Model {
  const a = Input({ shape: [3], name: "left" });
  const b = Input({ shape: [3], name: "right" });
  const shared = new Dense(4, { activation: "tanh" });
  const ha = shared.apply(a);
  const hb = shared.apply(b);
  const merged = new Concatenate().apply([ha, hb]);
  const hidden = new Dense(5, { activation: "relu" }).apply(merged);
  const main = new Dense(2, { name: "main" }).apply(hidden);
  const aux = new Dense(1, { name: "aux" }).apply(ha);
  return new Model({ inputs: [a, b], outputs: [main, aux], name: "two_in_two_out" });
}

async function predict(model: Model, x: Tensor | Tensor[]): Promise<Tensor | Tensor[]> {
  return model.predict(x, { verbose: 0, batchSize: 64 });
}

test("Sequential (Flatten, Dense, Dense): save -> loadModel gives identical predictions, compile config and optimizer state", async () => {
  await withTempDir(async (dir) => {
    const model = makeSequential();
    // A learning rate exact in float32: Keras keeps (and saves) the learning rate as a float32
    // variable, so a loaded optimizer runs with float32(lr); with this one, training after the
    // reload is bit-for-bit the training of the original.
    model.compile({ optimizer: new Adam({ learningRate: 2 ** -10 }), loss: "sparse_categorical_crossentropy", metrics: ["accuracy"] });
    const x = data([10, 4, 3], 1);
    const y = labels(10, 3);
    await model.fit(x, y, { epochs: 2, batchSize: 4, verbose: 0, shuffle: false });
    const file = path.join(dir, "seq.keras");
    await model.save(file);

    const loaded = await loadModel(file);
    assert.ok(loaded instanceof Sequential, "a Sequential model comes back");
    assert.deepEqual(loaded.layers.map((l) => l.name), model.layers.map((l) => l.name));
    assertTensorsIdentical(await predict(loaded, x), await predict(model, x), "predictions");

    // Compile config.
    assert.equal(loaded.compiled, true);
    assert.deepEqual(loaded.getCompileConfig(), model.getCompileConfig());
    assert.equal(loaded.optimizer!.className(), "Adam");
    assert.equal(loaded.optimizer!.learningRate, 2 ** -10);

    // Optimizer state: iterations and every slot.
    assert.equal(model.optimizer!.iterations, 6);
    assert.equal(loaded.optimizer!.iterations, model.optimizer!.iterations);
    assert.equal(loaded.optimizer!.variables.length, 8);
    loaded.optimizer!.variables.forEach((v, i) => assertTensorsIdentical(v.value, model.optimizer!.variables[i].value, `slot ${i}`));

    // Training resumes exactly where it stopped: one more identical epoch on both.
    await model.fit(x, y, { epochs: 1, batchSize: 4, verbose: 0, shuffle: false });
    await loaded.fit(x, y, { epochs: 1, batchSize: 4, verbose: 0, shuffle: false });
    assert.equal(loaded.optimizer!.iterations, 9);
    loaded.weights.forEach((w, i) => assertTensorsIdentical(w.value, model.weights[i].value, `weight ${i} after resumed training`));
  });
});

test("saved config.json / metadata.json / model.weights.h5 have Keras 3's structure", async () => {
  await withTempDir(async (dir) => {
    const model = makeSequential();
    model.compile({ optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"] });
    await model.fit(data([6, 4, 3], 2), labels(6, 3), { epochs: 1, batchSize: 3, verbose: 0 });
    const file = path.join(dir, "m.keras");
    await model.save(file);
    const archive = await readKerasArchive(file);

    assert.deepEqual(Object.keys(archive.metadata!).slice(0, 2), ["keras_version", "date_saved"]);
    assert.match(String(archive.metadata!.keras_version), /^3\.\d+\.\d+$/);
    assert.match(String(archive.metadata!.date_saved), /^\d{4}-\d{2}-\d{2}@\d{2}:\d{2}:\d{2}$/);

    const config = archive.config as Record<string, any>;
    assert.deepEqual(Object.keys(config), ["module", "class_name", "config", "registered_name", "build_config", "compile_config"]);
    assert.equal(config.module, "keras");
    assert.equal(config.class_name, "Sequential");
    assert.equal(config.registered_name, null);
    assert.deepEqual(config.build_config, { input_shape: [null, 4, 3] });
    assert.deepEqual(Object.keys(config.config), ["name", "trainable", "dtype", "layers", "build_input_shape"]);
    assert.deepEqual(config.config.build_input_shape, [null, 4, 3]);
    const layers = config.config.layers as Record<string, any>[];
    assert.deepEqual(layers.map((l) => l.class_name), ["InputLayer", "Flatten", "Dense", "Dense"]);
    assert.deepEqual(layers[0], {
      module: "keras.layers",
      class_name: "InputLayer",
      config: { batch_shape: [null, 4, 3], dtype: "float32", sparse: false, name: model.inputShape && layers[0].config.name },
      registered_name: null,
    });
    for (const layer of layers.slice(1)) {
      assert.deepEqual(Object.keys(layer), ["module", "class_name", "config", "registered_name", "build_config"]);
      assert.equal(layer.module, "keras.layers");
      assert.equal(layer.registered_name, null);
    }
    assert.deepEqual(layers[2].build_config, { input_shape: [null, 12] });
    assert.deepEqual(Object.keys(config.compile_config), [
      "optimizer", "loss", "loss_weights", "metrics", "weighted_metrics", "run_eagerly", "steps_per_execution", "jit_compile",
    ]);
    const cc = config.compile_config;
    assert.deepEqual(Object.keys(cc.optimizer), ["module", "class_name", "config", "registered_name"]);
    assert.equal(cc.optimizer.module, "keras.optimizers");
    assert.equal(cc.optimizer.class_name, "Adam");
    assert.equal(cc.optimizer.config.learning_rate, Math.fround(0.001));
    assert.equal(cc.loss, "sparse_categorical_crossentropy");
    assert.deepEqual(cc.metrics, ["accuracy"]);
    assert.equal(cc.loss_weights, null);
    assert.equal(cc.weighted_metrics, null);
    assert.equal(cc.run_eagerly, false);
    assert.equal(cc.steps_per_execution, 1);
    assert.equal(cc.jit_compile, false);

    // model.weights.h5: layers keyed by class name + counter, not by configured name.
    const tree = await readH5(archive.weightsH5, "m.keras");
    const { datasets, groups } = h5Listing(tree);
    assert.deepEqual([...datasets.entries()].sort(), [
      ["layers/dense/vars/0", "float32 [12,8]"],
      ["layers/dense/vars/1", "float32 [8]"],
      ["layers/dense_1/vars/0", "float32 [8,3]"],
      ["layers/dense_1/vars/1", "float32 [3]"],
      ["optimizer/vars/0", "int64 []"],
      ["optimizer/vars/1", "float32 []"],
      ["optimizer/vars/2", "float32 [12,8]"],
      ["optimizer/vars/3", "float32 [12,8]"],
      ["optimizer/vars/4", "float32 [8]"],
      ["optimizer/vars/5", "float32 [8]"],
      ["optimizer/vars/6", "float32 [8,3]"],
      ["optimizer/vars/7", "float32 [8,3]"],
      ["optimizer/vars/8", "float32 [3]"],
      ["optimizer/vars/9", "float32 [3]"],
    ]);
    assert.ok(groups.has("vars") && groups.has("layers/flatten/vars"), "empty vars groups for the model and the Flatten layer");
    assert.equal(getH5Group(tree, "vars")!.attrs!.name, model.name);
    assert.equal(getH5Group(tree, "layers/dense/vars")!.attrs!.name, model.layers[1].name);
    assert.equal(getH5Group(tree, "layers/flatten/vars")!.attrs!.name, model.layers[0].name);
    assert.equal(getH5Group(tree, "optimizer/vars")!.attrs!.name, "adam");
    assert.equal((getH5Dataset(tree, "optimizer/vars/0")!.data as BigInt64Array)[0], 2n);
    assert.equal(getH5Dataset(tree, "optimizer/vars/1")!.data[0], Math.fround(0.001));
    assertTensorsIdentical(
      ops.convertToTensor(getH5Dataset(tree, "layers/dense_1/vars/0")!.data as Float32Array).reshape([8, 3]),
      model.layers[2].weights[0].value,
      "dense_1 kernel",
    );
  });
});

test("functional model with two inputs, two outputs, a shared layer and Concatenate round-trips bit for bit", async () => {
  await withTempDir(async (dir) => {
    const model = makeFunctional();
    model.compile({ optimizer: "rmsprop", loss: ["mse", "mean_absolute_error"], lossWeights: [1, 0.5], metrics: [["mae"], []] });
    const xa = data([8, 3], 3);
    const xb = data([8, 3], 4);
    await model.fit([xa, xb], [data([8, 2], 5), data([8, 1], 6)], { epochs: 1, batchSize: 4, verbose: 0, shuffle: false });
    const file = path.join(dir, "functional.keras");
    await model.save(file);

    const loaded = await loadModel(file);
    assert.ok(loaded instanceof Functional);
    assertTensorsIdentical(await predict(loaded, [xa, xb]), await predict(model, [xa, xb]), "predictions");
    assert.deepEqual(loaded.getConfig(), model.getConfig(), "the rebuilt model has the same config");
    assert.deepEqual(loaded.getCompileConfig(), model.getCompileConfig());
    assert.equal(loaded.optimizer!.iterations, 2);
    loaded.optimizer!.variables.forEach((v, i) => assertTensorsIdentical(v.value, model.optimizer!.variables[i].value, `slot ${i}`));

    const archive = await readKerasArchive(file);
    const config = archive.config as Record<string, any>;
    assert.equal(config.module, "keras.src.models.functional");
    assert.equal(config.class_name, "Functional");
    assert.equal(config.registered_name, "Functional");
    assert.deepEqual(Object.keys(config.config), ["name", "trainable", "layers", "input_layers", "output_layers"]);
    assert.deepEqual(config.config.input_layers, [["left", 0, 0], ["right", 0, 0]]);
    assert.deepEqual(config.config.output_layers, [["main", 0, 0], ["aux", 0, 0]]);
    const byName = new Map((config.config.layers as any[]).map((l) => [l.name, l]));
    assert.deepEqual(byName.get("left").inbound_nodes, []);
    const sharedEntry = (config.config.layers as any[]).find((l) => l.class_name === "Dense" && l.inbound_nodes.length === 2);
    assert.ok(sharedEntry, "the shared Dense has two inbound nodes");
    assert.deepEqual(sharedEntry.inbound_nodes[1], {
      args: [{ class_name: "__keras_tensor__", config: { shape: [null, 3], dtype: "float32", keras_history: ["right", 0, 0] } }],
      kwargs: {},
    });
    const concat = (config.config.layers as any[]).find((l) => l.class_name === "Concatenate");
    assert.deepEqual(
      concat.inbound_nodes[0].args[0].map((t: any) => t.config.keras_history),
      [[sharedEntry.name, 0, 0], [sharedEntry.name, 1, 0]],
      "a list input is one positional argument holding a list of tensors",
    );
    // Keras's layer order: inputs first (deepest), then by depth.
    assert.deepEqual((config.config.layers as any[]).slice(0, 2).map((l) => l.name), ["left", "right"]);
    const tree = await readH5(archive.weightsH5, "functional.keras");
    const { groups } = h5Listing(tree);
    for (const g of ["layers/input_layer/vars", "layers/input_layer_1/vars", "layers/dense/vars", "layers/concatenate/vars", "layers/dense_3/vars"]) {
      assert.ok(groups.has(g), `group ${g}`);
    }
  });
});

test("a Sequential nested in a functional model is saved under layers/sequential/layers/... and reloads", async () => {
  await withTempDir(async (dir) => {
    const inner = new Sequential([Input({ shape: [4] }), new Dense(3, { activation: "relu" }), new Dropout(0.5)]);
    const x = Input({ shape: [4] });
    const y = new Dense(2).apply(inner.apply(x));
    const model = new Model({ inputs: x, outputs: y });
    const file = path.join(dir, "nested.keras");
    await model.save(file);
    const loaded = await loadModel(file);
    const input = data([5, 4], 7);
    assertTensorsIdentical(await predict(loaded, input), await predict(model, input), "predictions");
    assert.equal(loaded.compiled, false, "an uncompiled model loads uncompiled");
    const archive = await readKerasArchive(file);
    assert.equal("compile_config" in archive.config, false);
    const { datasets } = h5Listing(await readH5(archive.weightsH5, "nested.keras"));
    assert.deepEqual([...datasets.keys()].sort(), [
      "layers/dense/vars/0",
      "layers/dense/vars/1",
      "layers/sequential/layers/dense/vars/0",
      "layers/sequential/layers/dense/vars/1",
    ]);
  });
});

test("saveWeights / loadWeights: .weights.h5 in the layers/<key>/vars layout, loaded by position", async () => {
  await withTempDir(async (dir) => {
    const model = makeSequential();
    const file = path.join(dir, "w.weights.h5");
    await model.saveWeights(file);
    const tree = await readH5File(file);
    const { datasets } = h5Listing(tree);
    assert.deepEqual([...datasets.keys()].sort(), ["layers/dense/vars/0", "layers/dense/vars/1", "layers/dense_1/vars/0", "layers/dense_1/vars/1"]);

    const other = makeSequential(); // Different names and random weights.
    const x = data([3, 4, 3], 8);
    await other.loadWeights(file);
    assertTensorsIdentical(await predict(other, x), await predict(model, x), "predictions after loadWeights");

    // Also from a .keras file.
    const third = makeSequential();
    const kerasFile = path.join(dir, "m.keras");
    await model.save(kerasFile);
    await third.loadWeights(kerasFile);
    assertTensorsIdentical(await predict(third, x), await predict(model, x), "predictions after loadWeights(.keras)");

    // Weights-only files carry the optimizer state too, as in Keras.
    model.compile({ optimizer: "sgd", loss: "sparse_categorical_crossentropy" });
    await model.fit(x, labels(3, 3), { epochs: 1, verbose: 0 });
    await model.saveWeights(file);
    assert.ok(h5Listing(await readH5File(file)).datasets.has("optimizer/vars/0"));

    // As Keras 3: weights alone are written as .weights.h5 only (whole models may be .h5).
    await assert.rejects(model.saveWeights(path.join(dir, "w.h5")), /expected a "\.weights\.h5" extension/);
    await assert.rejects(model.saveWeights(path.join(dir, "w.bin")), /expected a "\.weights\.h5" extension/);
    await assert.rejects(model.save(path.join(dir, "w.model")), /expected a "\.keras" or "\.h5" extension/);
    assert.deepEqual(fs.readdirSync(dir).sort(), ["m.keras", "w.weights.h5"]);
  });
});

// ---- user classes -----------------------------------------------------------------------------

class Scale extends Layer {
  static override className = "Scale";
  readonly initialValue: number;
  scale?: Variable;

  constructor(args: LayerArgs & { initialValue?: number } = {}) {
    super(args);
    this.initialValue = args.initialValue ?? 1;
  }

  override build(inputShape: LayerShape): void {
    const shape = inputShape as (number | null)[];
    this.scale = this.addWeight({ name: "scale", shape: [shape[shape.length - 1] as number], initializer: "ones" });
    this.scale.assign(ops.multiply(this.scale.value, this.initialValue));
    this.built = true;
  }

  override call(inputs: Tensor | Tensor[]): Tensor {
    return ops.multiply(inputs as Tensor, this.scale!.value);
  }

  override computeOutputShape(inputShape: LayerShape): LayerShape {
    return inputShape;
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), initial_value: this.initialValue };
  }
}
registerKerasSerializable(Scale, { package: "MyPkg" });

/** A layer holding two sub-layers in properties, as Keras's RNN holds its `cell`. */
class Block extends Layer {
  static override className = "Block";
  readonly outerDense: Dense;
  readonly inner: Dense;

  constructor(args: LayerArgs = {}) {
    super(args);
    this.outerDense = new Dense(2);
    this.inner = new Dense(3, { activation: "relu" });
  }

  override call(inputs: Tensor | Tensor[]): Tensor {
    return this.outerDense.apply(this.inner.apply(inputs as Tensor)) as Tensor;
  }
  // No computeOutputShape: the default runs `call`, which builds the sub-layers.
}

test("user layers: registered ones load by registered name, others via customObjects; sub-layers nest as <attr>/vars", async () => {
  await withTempDir(async (dir) => {
    const model = new Sequential([Input({ shape: [4] }), new Scale({ initialValue: 3 }), new Block()]);
    const file = path.join(dir, "custom.keras");
    await model.save(file);
    const archive = await readKerasArchive(file);
    const layers = (archive.config as any).config.layers;
    assert.equal(layers[1].registered_name, "MyPkg>Scale");
    assert.equal(layers[1].module, "MyPkg");
    assert.equal(layers[2].registered_name, "Block", "an unregistered class is written under its class name, as Keras does");
    const { datasets } = h5Listing(await readH5(archive.weightsH5, "custom.keras"));
    assert.deepEqual([...datasets.keys()].sort(), [
      "layers/block/inner/vars/0",
      "layers/block/inner/vars/1",
      "layers/block/outer_dense/vars/0",
      "layers/block/outer_dense/vars/1",
      "layers/scale/vars/0",
    ]);

    await assert.rejects(loadModel(file), /Unknown layer class 'Block' in .*custom\.keras; keras-ts supports: .*Dense.*customObjects/s);
    const loaded = await loadModel(file, { customObjects: { Block } });
    const x = data([3, 4], 9);
    assertTensorsIdentical(await predict(loaded, x), await predict(model, x), "predictions");
    assert.equal((loaded.layers[0] as Scale).initialValue, 3);
  });
});

test("a subclassed model without a config cannot be saved as .keras (clear error) but its weights can", async () => {
  class TwoLayers extends Model {
    readonly first = new Dense(3);
    readonly second = new Dense(1);
    override call(inputs: Tensor | Tensor[]): Tensor {
      return this.second.apply(this.first.apply(inputs as Tensor)) as Tensor;
    }
  }
  await withTempDir(async (dir) => {
    const model = new TwoLayers();
    const x = data([2, 5], 10);
    await predict(model, x);
    await assert.rejects(model.save(path.join(dir, "sub.keras")), /a subclassed model needs getConfig\(\) \/ static fromConfig\(\) and registerKerasSerializable\(\).*use saveWeights\(\)/);
    assert.deepEqual(fs.readdirSync(dir), []);
    const file = path.join(dir, "sub.weights.h5");
    await model.saveWeights(file);
    assert.deepEqual([...h5Listing(await readH5File(file)).datasets.keys()].sort(), [
      // As Keras walks a subclassed model: attributes in sorted order, its `layers` list among
      // them ("first" < "layers" < "second"); `first` is reached first, `second` as layers' 2nd Dense.
      "first/vars/0",
      "first/vars/1",
      "layers/dense_1/vars/0",
      "layers/dense_1/vars/1",
    ]);
    const copy = new TwoLayers();
    await predict(copy, x);
    await copy.loadWeights(file);
    assertTensorsIdentical(await predict(copy, x), await predict(model, x), "predictions");
  });
});

test("a user subclass that names no className is written under its own class name, as Keras writes __class__.__name__", async () => {
  class MyDense extends Dense {}
  const model = new Sequential([Input({ shape: [3] }), new MyDense(2)]);
  const layer = model.layers[0];
  assert.equal(layer.className(), "MyDense");
  assert.equal(layer.name.startsWith("my_dense"), true);
  const lines: string[] = [];
  model.summary({ printFn: (line: string) => lines.push(line) });
  assert.match(lines.join("\n"), /my_dense\S* \(MyDense\)/);
  await withTempDir(async (dir) => {
    const file = path.join(dir, "subclass.keras");
    await model.save(file);
    const archive = await readKerasArchive(file);
    const entry = (archive.config as any).config.layers[1];
    assert.deepEqual([entry.module, entry.class_name, entry.registered_name], ["custom", "MyDense", "MyDense"]);
    assert.deepEqual([...h5Listing(await readH5(archive.weightsH5, "subclass.keras")).datasets.keys()].sort(), ["layers/my_dense/vars/0", "layers/my_dense/vars/1"]);
    // As in Keras, a file naming a user class needs that class: it must not load as a plain Dense.
    await assert.rejects(loadModel(file), /Unknown layer class 'MyDense'/);
    const loaded = await loadModel(file, { customObjects: { MyDense } });
    assert.ok(loaded.layers[0] instanceof MyDense);
    const x = data([2, 3], 11);
    assertTensorsIdentical(await predict(loaded, x), await predict(model, x), "predictions");
  });
  // Registered without a name, it is registered under its own class name too.
  class OtherDense extends Dense {}
  registerKerasSerializable(OtherDense, { package: "Pkg" });
  assert.equal(serializeLayer(new OtherDense(1)).registered_name, "Pkg>OtherDense");
});

test("every class keras.layers exports names itself, so none is written under its parent's name", () => {
  // DropoutRNNCell is an abstract base (a mixin in Keras), never written to a config.
  for (const [exported, value] of Object.entries(layersModule)) {
    if (typeof value !== "function" || !(value.prototype instanceof Layer) || exported === "DropoutRNNCell") continue;
    assert.ok(Object.prototype.hasOwnProperty.call(value, "className"), `${exported} sets no static className`);
  }
});
