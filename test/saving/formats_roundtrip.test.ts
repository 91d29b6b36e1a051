import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as tf from "@tensorflow/tfjs";
import * as ops from "../../src/ops/index.js";
import type { Tensor } from "../../src/backend/tensor.js";
import { Activation, Dense, Dropout, Flatten, Input } from "../../src/layers/index.js";
import { Sequential } from "../../src/models/sequential.js";
import { Functional } from "../../src/models/functional.js";
import type { Model } from "../../src/models/model.js";
import { loadModel } from "../../src/saving/index.js";
import { readH5File, writeH5 } from "../../src/saving/h5_io.js";
import { readKerasArchive } from "../../src/saving/keras_zip.js";
import { assertTensorsIdentical, withTempDir } from "./helpers.js";

function input(shape: number[], phase = 0.3): Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  return ops.reshape(ops.convertToTensor(Array.from({ length: size }, (_, i) => Math.sin(i * phase + 0.1)), "float32"), shape);
}

function sequentialMlp(): Sequential {
  return new Sequential([Input({ shape: [3, 4] }), new Flatten(), new Dense(16, { activation: "relu" }), new Dropout(0.3), new Dense(5, { activation: "tanh" }), new Activation("softmax")]);
}

function functionalMlp(): Functional {
  const x = Input({ shape: [6] });
  const h = new Dense(8, { activation: "sigmoid", name: "hidden" }).apply(x);
  const out = new Dense(2, { name: "out" }).apply(h);
  return new Functional({ inputs: x, outputs: out as never, name: "functional_mlp" });
}

async function predict(model: Model, x: Tensor): Promise<Tensor> {
  return (await model.predict(x, { verbose: 0 })) as Tensor;
}

/** A functional model around a Sequential one (two Dense layers whose variables are both "kernel"). */
function nestedModel(): Functional {
  const inner = new Sequential([Input({ shape: [4] }), new Dense(3, { activation: "relu" }), new Dense(2)]);
  const x = Input({ shape: [4] });
  return new Functional({ inputs: x, outputs: new Dense(1).apply(inner.apply(x) as never) as never, name: "outer" });
}

for (const [label, make, shape] of [
  ["Sequential", sequentialMlp, [4, 3, 4]],
  ["functional", functionalMlp, [3, 6]],
  ["nested", nestedModel, [2, 4]],
] as const) {
  test(`${label}: keras-ts -> .keras / .h5 / TF.js -> keras-ts predicts identically`, async () => {
    await withTempDir(async (dir) => {
      const model = make();
      const x = input([...shape]);
      const expected = await predict(model, x);
      for (const target of [path.join(dir, "m.keras"), path.join(dir, "m.h5"), `tfjs://${path.join(dir, "tfjs")}`]) {
        await model.save(target);
        const back = await loadModel(target);
        assertTensorsIdentical(await predict(back, x), expected, target);
        assert.deepEqual(back.layers.map((l) => l.name), model.layers.map((l) => l.name), `${target}: layer names`);
      }
    });
  });
}

/** Loads a keras-ts TF.js export with TF.js itself (tf.loadLayersModel through an IOHandler). */
async function loadWithTfjs(dir: string): Promise<tf.LayersModel> {
  const modelJson = JSON.parse(fs.readFileSync(path.join(dir, "model.json"), "utf8"));
  const group = modelJson.weightsManifest[0];
  const shards = group.paths.map((p: string) => fs.readFileSync(path.join(dir, p)));
  const data = Buffer.concat(shards);
  return tf.loadLayersModel({
    load: async () => ({
      modelTopology: modelJson.modelTopology,
      weightSpecs: group.weights,
      weightData: data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength),
      format: modelJson.format,
      generatedBy: modelJson.generatedBy,
      convertedBy: modelJson.convertedBy,
    }),
  });
}

test("TF.js loads what model.save('tfjs://dir') writes and predicts the same (Sequential and functional)", async () => {
  await withTempDir(async (dir) => {
    for (const [make, shape] of [
      [sequentialMlp, [4, 3, 4]],
      [functionalMlp, [3, 6]],
    ] as const) {
      const model = make();
      const x = input([...shape]);
      const folder = path.join(dir, model.name);
      await model.save(`tfjs://${folder}`);
      assert.deepEqual(fs.readdirSync(folder).sort(), ["group1-shard1of1.bin", "model.json"]);
      const theirs = await loadWithTfjs(folder);
      const tfOut = theirs.predict(tf.tensor(Array.from(x.dataSync()), [...x.shape])) as tf.Tensor;
      const ours = (await predict(model, x)).dataSync();
      const their = tfOut.dataSync();
      assert.equal(their.length, ours.length);
      for (let i = 0; i < ours.length; i++) assert.ok(Math.abs(their[i] - ours[i]) <= 1e-6, `${model.name}: element ${i}: TF.js ${their[i]}, keras-ts ${ours[i]}`);
    }
  });
});

test("TF.js export: large models are split into 4 MiB shards in manifest order", async () => {
  await withTempDir(async (dir) => {
    const model = new Sequential([Input({ shape: [1200] }), new Dense(1000), new Dense(3)]);
    const folder = path.join(dir, "big");
    await model.save(`tfjs://${folder}`);
    const manifest = JSON.parse(fs.readFileSync(path.join(folder, "model.json"), "utf8")).weightsManifest[0];
    assert.deepEqual(manifest.paths, ["group1-shard1of2.bin", "group1-shard2of2.bin"]);
    assert.equal(fs.statSync(path.join(folder, "group1-shard1of2.bin")).size, 4 * 1024 * 1024);
    const x = input([2, 1200]);
    assertTensorsIdentical(await predict(await loadModel(folder), x), await predict(model, x), "sharded");
  });
});

test("model.save('m.h5') writes Keras 3's legacy layout", async () => {
  await withTempDir(async (dir) => {
    const model = sequentialMlp();
    model.compile({ optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"] });
    await model.fit(input([4, 3, 4]), ops.convertToTensor([0, 1, 2, 3], "int32"), { epochs: 1, verbose: 0 });
    const file = path.join(dir, "m.h5");
    await model.save(file);
    const tree = await readH5File(file);
    assert.deepEqual(Object.keys(tree.attrs!).sort(), ["backend", "keras_version", "model_config", "training_config"]);
    const modelConfig = JSON.parse(tree.attrs!.model_config as string);
    assert.equal(modelConfig.class_name, "Sequential");
    for (const entry of modelConfig.config.layers) assert.deepEqual(Object.keys(entry).sort(), ["class_name", "config"]);
    const training = JSON.parse(tree.attrs!.training_config as string);
    assert.equal(training.optimizer_config.class_name, "Adam");
    assert.equal(training.loss, "sparse_categorical_crossentropy");
    const weights = tree.groups.model_weights;
    assert.deepEqual(weights.attrs!.layer_names, model.layers.map((l) => l.name));
    const dense = model.layers[1];
    assert.deepEqual(weights.groups[dense.name].attrs!.weight_names, [`${model.name}/${dense.name}/kernel`, `${model.name}/${dense.name}/bias`]);
    assert.deepEqual(weights.groups[dense.name].groups[model.name].groups[dense.name].datasets.kernel.shape, [12, 16]);
    assert.deepEqual(weights.groups[model.layers[0].name].attrs!.weight_names, []);
    assert.ok("top_level_model_weights" in weights.groups);
    const optimizerNames = tree.groups.optimizer_weights.attrs!.weight_names as string[];
    assert.equal(optimizerNames.length, 2 + 2 * 4);
    assert.deepEqual(optimizerNames.slice(0, 2), [`${model.optimizer!.name}/iteration`, `${model.optimizer!.name}/learning_rate`]);
    const again = await loadModel(file);
    assert.equal(again.optimizer!.iterations, model.optimizer!.iterations);
    assertTensorsIdentical(again.optimizer!.variables[3].value, model.optimizer!.variables[3].value, "an Adam slot");
  });
});

test("loadWeights reads legacy .h5 files by layer order, byName, and with skipMismatch", async () => {
  await withTempDir(async (dir) => {
    const source = new Sequential([Input({ shape: [4] }), new Dense(3, { name: "a" }), new Dense(2, { name: "b" })]);
    const file = path.join(dir, "source.h5");
    await source.save(file);

    const byOrder = new Sequential([Input({ shape: [4] }), new Dense(3, { name: "x" }), new Dense(2, { name: "y" })]);
    await byOrder.loadWeights(file);
    assertTensorsIdentical(byOrder.getWeights(), source.getWeights(), "by order");

    const renamed = new Sequential([Input({ shape: [4] }), new Dense(3, { name: "b_is_not_here" }), new Dense(3, { name: "a" })]);
    await assert.rejects(renamed.loadWeights(file), /the model expects \[3, 3\], the file has \[4, 3\]|expects/);
    const byName = new Sequential([Input({ shape: [4] }), new Dense(3, { name: "a" }), new Dense(7, { name: "c" }), new Dense(2, { name: "b" })]);
    await assert.rejects(byName.loadWeights(file, { byName: true }), /layer 'b' \(Dense\): shape mismatch for weight 'kernel': the model expects \[7, 2\], the file has \[3, 2\]/);
    const before = byName.getWeights();
    const warn = console.warn;
    const warnings: string[] = [];
    console.warn = (message: string) => void warnings.push(message);
    try {
      await byName.loadWeights(file, { byName: true, skipMismatch: true });
    } finally {
      console.warn = warn;
    }
    assert.match(warnings.join("\n"), /skipped \(skipMismatch\)/);
    assertTensorsIdentical(byName.layers[0].getWeights(), source.layers[0].getWeights(), "layer a by name");
    assertTensorsIdentical(byName.layers[2].getWeights(), before.slice(4), "layer b skipped");
    await assert.rejects(byOrder.loadWeights(path.join(dir, "m.keras").replace(".keras", ".bin")), /expected a "\.weights\.h5", "\.h5" or "\.keras" file/);
  });
});

test("Keras 2's hard_sigmoid is clip(0.2x + 0.5, 0, 1), Keras 3's relu6(x + 3) / 6: picked by the file's keras_version", async () => {
  await withTempDir(async (dir) => {
    const model = new Sequential([Input({ shape: [1] }), new Dense(1, { activation: "hard_sigmoid", kernelInitializer: "ones", biasInitializer: "zeros" })]);
    const file = path.join(dir, "m.h5");
    await model.save(file);
    const x = ops.convertToTensor([[-4], [-2], [0], [1], [2.4], [4]], "float32");
    const keras3 = Array.from((await predict(await loadModel(file), x)).dataSync());
    assert.deepEqual(keras3.map((v) => Math.round(v * 1e6) / 1e6), [0, 0.166667, 0.5, 0.666667, 0.9, 1]);
    const tree = await readH5File(file);
    tree.attrs!.keras_version = "2.4.0";
    const keras2File = path.join(dir, "keras2.h5");
    fs.writeFileSync(keras2File, await writeH5(tree));
    const keras2Model = await loadModel(keras2File);
    const keras2 = Array.from((await predict(keras2Model, x)).dataSync());
    assert.deepEqual(keras2.map((v) => Math.round(v * 1e6) / 1e6), [0, 0.1, 0.5, 0.7, 0.98, 1]);
    // Re-saved, the Keras 2 formula keeps its own name.
    await keras2Model.save(path.join(dir, "again.keras"));
    const archive = await readKerasArchive(path.join(dir, "again.keras"));
    assert.equal((archive.config as any).config.layers[1].config.activation, "keras2_hard_sigmoid");
    // TF.js computes Keras 2's formula under the name hard_sigmoid.
    await keras2Model.save(`tfjs://${path.join(dir, "tfjs")}`);
    assert.match(fs.readFileSync(path.join(dir, "tfjs", "model.json"), "utf8"), /"activation":"hard_sigmoid"/);
    await assert.rejects(model.save(`tfjs://${path.join(dir, "tfjs3")}`), /Keras 3's hard_sigmoid .* has no TF.js equivalent/);
  });
});

test("legacy .h5: Keras 2.0/2.1's list-style Sequential config and Keras 2's `:0` weight names load", async () => {
  await withTempDir(async (dir) => {
    const model = new Sequential([Input({ shape: [4] }), new Dense(3, { activation: "relu", name: "dense_1" }), new Dense(2, { name: "dense_2" })]);
    const file = path.join(dir, "m.h5");
    await model.save(file);
    const tree = await readH5File(file);
    const config = JSON.parse(tree.attrs!.model_config as string);
    // Keras 2.0: the config is the bare list of layers, the first carrying batch_input_shape.
    const layers = config.config.layers.slice(1).map((entry: any) => ({ class_name: entry.class_name, config: { ...entry.config, dtype: "float32" } }));
    layers[0].config.batch_input_shape = [null, 4];
    tree.attrs = { keras_version: "2.0.8", backend: "tensorflow", model_config: JSON.stringify({ class_name: "Sequential", config: layers }) };
    const weights = tree.groups.model_weights;
    weights.attrs!.layer_names = ["dense_1", "dense_2"];
    for (const name of ["dense_1", "dense_2"]) {
      const group = weights.groups[name];
      const stored = group.groups[model.name].groups[name].datasets;
      group.groups = { [name]: { groups: {}, datasets: { "kernel:0": stored.kernel, "bias:0": stored.bias } } };
      group.attrs!.weight_names = [`${name}/kernel:0`, `${name}/bias:0`];
    }
    const keras2 = path.join(dir, "keras2.h5");
    fs.writeFileSync(keras2, await writeH5(tree));
    const x = input([3, 4]);
    assertTensorsIdentical(await predict(await loadModel(keras2), x), await predict(model, x), "Keras 2.0 file");
  });
});

test("TF.js converter output (modelTopology.model_config, scoped weight names) loads", async () => {
  await withTempDir(async (dir) => {
    const model = functionalMlp();
    const folder = path.join(dir, "exported");
    await model.save(`tfjs://${folder}`);
    const modelJson = JSON.parse(fs.readFileSync(path.join(folder, "model.json"), "utf8"));
    const { keras_version: _v, backend: _b, ...modelConfig } = modelJson.modelTopology;
    modelJson.modelTopology = { keras_version: "2.12.0", backend: "tensorflow", model_config: modelConfig, training_config: { loss: "mse", metrics: [], optimizer_config: { class_name: "SGD", config: { learning_rate: 0.01, momentum: 0 } } } };
    modelJson.convertedBy = "TensorFlow.js Converter v4.5.0";
    for (const w of modelJson.weightsManifest[0].weights) w.name = `functional_mlp/${w.name}`;
    fs.writeFileSync(path.join(folder, "model.json"), JSON.stringify(modelJson));
    const back = await loadModel(folder);
    assert.equal(back.optimizer!.className(), "SGD");
    const x = input([2, 6]);
    assertTensorsIdentical(await predict(back, x), await predict(model, x), "converter form");
    // A shard path leaving the folder is refused.
    modelJson.weightsManifest[0].paths = ["../elsewhere.bin"];
    fs.writeFileSync(path.join(folder, "model.json"), JSON.stringify(modelJson));
    await assert.rejects(loadModel(folder), /weight shard path "\.\.\/elsewhere\.bin" leaves the model's folder/);
  });
});
