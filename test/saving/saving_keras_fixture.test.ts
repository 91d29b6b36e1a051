import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import * as ops from "../../src/ops/index.js";
import type { Tensor } from "../../src/backend/tensor.js";
import { Sequential } from "../../src/models/sequential.js";
import { Dense, Flatten, Input } from "../../src/layers/index.js";
import { loadModel } from "../../src/saving/index.js";
import { readKerasArchive } from "../../src/saving/keras_zip.js";
import { readH5, type H5Group } from "../../src/saving/h5_io.js";
import { unzipSync } from "fflate";
import { assertTensorsIdentical, fixture, h5Listing, withTempDir, fixturesMissing } from "./helpers.js";

interface ReferenceCase {
  name: string;
  input?: { shape: number[]; data: number[] };
  pixels?: { shape: number[]; data: number[] };
  input_shape?: number[];
  output: { shape: number[]; data: number[] };
  argmax?: number[];
}

const MLP = fixture("keras3_mnist_mlp.keras");
const fixturesAbsent = fixturesMissing();
const reference = (fixturesAbsent ? { suggested_tolerance: { atol: 0 }, cases: [] } : JSON.parse(fs.readFileSync(fixture("keras3_mnist_mlp.reference.json"), "utf8"))) as {
  suggested_tolerance: { atol: number };
  cases: ReferenceCase[];
};

function caseInput(c: ReferenceCase): Tensor {
  if (c.input !== undefined) return ops.reshape(ops.convertToTensor(c.input.data, "float32"), c.input.shape);
  const pixels = c.pixels!;
  const scaled = pixels.data.map((p) => Math.fround(Math.fround(p) / 255));
  // input_shape is the full input shape, batch axis included ([8, 28, 28]).
  return ops.reshape(ops.convertToTensor(scaled, "float32"), c.input_shape!);
}

function assertClose(actual: Tensor, expected: { shape: number[]; data: number[] }, atol: number, what: string): void {
  assert.deepEqual([...actual.shape], expected.shape, `${what}: shape`);
  const values = actual.dataSync();
  let worst = 0;
  for (let i = 0; i < values.length; i++) worst = Math.max(worst, Math.abs(values[i] - expected.data[i]));
  assert.ok(worst <= atol, `${what}: max abs difference ${worst} > ${atol}`);
}

test("loads Keras 3.8's keras3_mnist_mlp.keras and matches the reference outputs (random_seed0, mnist_test_first8)", { skip: fixturesMissing() }, async () => {
  const model = await loadModel(MLP);
  assert.ok(model instanceof Sequential);
  assert.deepEqual(model.layers.map((l) => `${l.className()}:${l.name}`), ["Flatten:flatten_1", "Dense:dense_3", "Dense:dense_4"]);
  assert.deepEqual([...(model as Sequential).inputShape!], [null, 28, 28]);
  const names = reference.cases.map((c) => c.name);
  assert.deepEqual(names, ["random_seed0", "mnist_test_first8"]);
  for (const c of reference.cases) {
    const out = (await model.predict(caseInput(c), { verbose: 0 })) as Tensor;
    assertClose(out, c.output, reference.suggested_tolerance.atol, c.name);
    if (c.argmax !== undefined) assert.deepEqual([...ops.argmax(out, -1).dataSync()], c.argmax, `${c.name}: argmax`);
  }
});

test("the Keras fixture's compile config and Adam state are restored", { skip: fixturesMissing() }, async () => {
  const model = await loadModel(MLP);
  assert.equal(model.compiled, true);
  const optimizer = model.optimizer!;
  assert.equal(optimizer.className(), "Adam");
  assert.equal(optimizer.iterations, 5625);
  assert.equal(optimizer.learningRate, Math.fround(0.001));
  assert.equal(optimizer.variables.length, 8);
  const cc = model.getCompileConfig()!;
  assert.equal(cc.loss, "sparse_categorical_crossentropy");
  assert.deepEqual(cc.metrics, ["accuracy"]);
  // The first momentum slot equals the file's optimizer/vars/2.
  const archive = await readKerasArchive(MLP);
  const tree = await readH5(archive.weightsH5, "mlp");
  const m0 = tree.groups.optimizer.groups.vars.datasets["2"];
  assertTensorsIdentical(optimizer.variables[0].value, ops.reshape(ops.convertToTensor(m0.data as Float32Array), m0.shape), "momentum of dense_3/kernel");
  // compile: false skips all of it.
  const bare = await loadModel(MLP, { compile: false });
  assert.equal(bare.compiled, false);
  assert.equal(bare.optimizer, undefined);
});

test("re-saving the Keras fixture gives Keras's weights layout, and reloads identically", { skip: fixturesMissing() }, async () => {
  await withTempDir(async (dir) => {
    const model = await loadModel(MLP);
    const file = path.join(dir, "resaved.keras");
    await model.save(file);
    const ours = await readKerasArchive(file);
    const theirs = await readKerasArchive(MLP);
    const ourList = h5Listing(await readH5(ours.weightsH5, "ours"));
    const theirList = h5Listing(await readH5(theirs.weightsH5, "theirs"));
    assert.deepEqual([...ourList.datasets.entries()].sort(), [...theirList.datasets.entries()].sort(), "same datasets, dtypes and shapes");
    assert.deepEqual([...ourList.groups].sort(), [...theirList.groups].sort(), "same groups");

    // The same top-level, model-level and layer-entry keys as Keras's config.json.
    const a = ours.config as Record<string, any>;
    const b = theirs.config as Record<string, any>;
    assert.deepEqual(Object.keys(a), Object.keys(b));
    assert.deepEqual(Object.keys(a.config), Object.keys(b.config));
    assert.deepEqual(Object.keys(a.compile_config), Object.keys(b.compile_config));
    assert.deepEqual(Object.keys(a.compile_config.optimizer), Object.keys(b.compile_config.optimizer));
    assert.deepEqual(a.config.layers.map((l: any) => Object.keys(l)), b.config.layers.map((l: any) => Object.keys(l)));
    assert.deepEqual(a.build_config, b.build_config);
    assert.deepEqual(a.config.layers[0], b.config.layers[0], "identical InputLayer entry");
    assert.equal(a.compile_config.optimizer.config.learning_rate, b.compile_config.optimizer.config.learning_rate);

    const again = await loadModel(file);
    const x = caseInput(reference.cases[0]);
    assertTensorsIdentical(await again.predict(x, { verbose: 0 }), await model.predict(x, { verbose: 0 }), "predictions");
    assert.equal(again.optimizer!.iterations, 5625);
  });
});

test("a keras-ts model of the fixture's architecture loads the fixture's weights with loadWeights", { skip: fixturesMissing() }, async () => {
  const model = new Sequential([Input({ shape: [28, 28] }), new Flatten(), new Dense(128, { activation: "relu" }), new Dense(10, { activation: "softmax" })]);
  await model.loadWeights(MLP);
  const c = reference.cases[1];
  assertClose((await model.predict(caseInput(c), { verbose: 0 })) as Tensor, c.output, reference.suggested_tolerance.atol, c.name);
});

/** The shape of a config: keys everywhere, module / class_name / registered_name values, value types. */
function skeleton(value: unknown, key = ""): unknown {
  if (Array.isArray(value)) return value.map((v) => skeleton(v));
  if (typeof value === "object" && value !== null) {
    // Keras marks objects shared between layers with an id of its own; keras-ts shares none.
    const entries = Object.entries(value).filter(([k]) => k !== "shared_object_id");
    return Object.fromEntries(entries.sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => [k, skeleton(v, k)]));
  }
  if (["module", "class_name", "registered_name"].includes(key)) return value;
  return value === null ? null : typeof value;
}

test("a keras-ts model of keras3_mnist_mlp.keras's architecture saves what Keras 3.8 saved, path by path", { skip: fixturesMissing() }, async () => {
  await withTempDir(async (dir) => {
    const model = new Sequential([Input({ shape: [28, 28] }), new Flatten(), new Dense(128, { activation: "relu" }), new Dense(10, { activation: "softmax" })]);
    model.compile({ optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"] });
    await model.fit(ops.zeros([2, 28, 28]), ops.convertToTensor([1, 2], "int32"), { epochs: 1, verbose: 0 });
    const file = path.join(dir, "ours.keras");
    await model.save(file);
    const entryNames = (bytes: Uint8Array): string[] => {
      const names: string[] = [];
      unzipSync(bytes, { filter: (f) => void names.push(f.name) === undefined && false });
      return names;
    };
    assert.deepEqual(entryNames(fs.readFileSync(file)), entryNames(fs.readFileSync(MLP)), "zip entries, in order");
    const ours = await readKerasArchive(file);
    const theirs = await readKerasArchive(MLP);
    assert.deepEqual(skeleton(ours.config), skeleton(theirs.config), "config.json: every key, module and class name");
    // metadata.json: Keras's keys, plus keras-ts's version (Keras ignores keys it does not know).
    assert.deepEqual(Object.keys(ours.metadata!).filter((k) => k !== "keras_ts_version"), Object.keys(theirs.metadata!));
    const walk = (tree: H5Group, prefix = ""): string[] => [
      `${prefix}/ ${JSON.stringify(Object.keys(tree.attrs ?? {}))}`,
      ...Object.entries(tree.datasets).map(([name, d]) => `${prefix}/${name} ${d.dtype} [${d.shape.join(",")}]`),
      ...Object.entries(tree.groups).flatMap(([name, g]) => walk(g, `${prefix}/${name}`)),
    ];
    assert.deepEqual(walk(await readH5(ours.weightsH5, "ours")).sort(), walk(await readH5(theirs.weightsH5, "theirs")).sort(), "HDF5 paths, attributes, dtypes, shapes");
  });
});
