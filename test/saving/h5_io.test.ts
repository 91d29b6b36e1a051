import { test } from "node:test";
import { fixturePath, fixturesMissing } from "../helpers/fixtures.js";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { getH5Dataset, getH5Group, isHdf5, readH5, readH5File, writeH5, type H5Group } from "../../src/saving/h5_io.js";
import { readKerasArchive } from "../../src/saving/keras_zip.js";

const fixture = fixturePath;

function smallTree(): H5Group {
  return {
    attrs: { title: "héllo wörld", names: ["kernel", "bias"], scale: 0.25, values: [1, 2.5, -3], nothing: [] },
    groups: {
      layers: {
        groups: {
          dense: {
            attrs: { name: "dense_3" },
            groups: {},
            datasets: {
              "0": { shape: [2, 3], dtype: "float32", data: new Float32Array([1, 2, 3, 4, 5, 6.5]) },
              "1": { shape: [3], dtype: "float32", data: new Float32Array([-1, 0, 1e-7]) },
            },
          },
        },
        datasets: {},
      },
      optimizer: {
        groups: {
          vars: {
            groups: {},
            datasets: {
              "0": { shape: [], dtype: "int64", data: new BigInt64Array([9007199254740993n]) },
              "1": { shape: [], dtype: "float32", data: new Float32Array([0.001]) },
            },
          },
        },
        datasets: {},
      },
      vars: { groups: {}, datasets: {} },
    },
    datasets: {
      ints: { shape: [2, 2], dtype: "int32", data: new Int32Array([1, -2, 3, -4]), attrs: { unit: "count" } },
      bytes: { shape: [4], dtype: "uint8", data: new Uint8Array([0, 1, 254, 255]) },
      doubles: { shape: [2], dtype: "float64", data: new Float64Array([Math.PI, -1e300]) },
      empty: { shape: [0, 4], dtype: "float32", data: new Float32Array(0) },
    },
  };
}

test("writeH5/readH5 round trip: attrs, nested and empty groups, all dtypes", async () => {
  const tree = smallTree();
  const bytes = await writeH5(tree);
  assert.ok(isHdf5(bytes), "output starts with the HDF5 signature");
  assert.equal(bytes[8], 0, "superblock version 0, the layout h5py (so Keras) writes");
  const back = await readH5(bytes, "roundtrip.h5");

  assert.deepEqual(back.attrs, { title: "héllo wörld", names: ["kernel", "bias"], scale: 0.25, values: [1, 2.5, -3], nothing: [] });
  assert.deepEqual(Object.keys(back.groups).sort(), ["layers", "optimizer", "vars"]);
  assert.deepEqual(back.groups.vars, { attrs: {}, groups: {}, datasets: {} });
  assert.deepEqual(back.groups.layers.groups.dense.attrs, { name: "dense_3" });

  const kernel = getH5Dataset(back, "/layers/dense/0");
  assert.ok(kernel);
  assert.deepEqual(kernel.shape, [2, 3]);
  assert.equal(kernel.dtype, "float32");
  assert.deepEqual(kernel.data, new Float32Array([1, 2, 3, 4, 5, 6.5]));
  assert.deepEqual(getH5Dataset(back, "layers/dense/1")?.data, new Float32Array([-1, 0, 1e-7]));

  const iterations = getH5Dataset(back, "optimizer/vars/0");
  assert.ok(iterations);
  assert.equal(iterations.dtype, "int64");
  assert.deepEqual(iterations.shape, []);
  assert.deepEqual(iterations.data, new BigInt64Array([9007199254740993n]));
  const lr = getH5Dataset(back, "optimizer/vars/1");
  assert.deepEqual(lr?.shape, []);
  assert.deepEqual(lr?.data, new Float32Array([0.001]));

  assert.deepEqual(back.datasets.ints, { shape: [2, 2], dtype: "int32", data: new Int32Array([1, -2, 3, -4]), attrs: { unit: "count" } });
  assert.deepEqual(back.datasets.bytes, { shape: [4], dtype: "uint8", data: new Uint8Array([0, 1, 254, 255]) });
  assert.deepEqual(back.datasets.doubles, { shape: [2], dtype: "float64", data: new Float64Array([Math.PI, -1e300]) });
  assert.deepEqual(back.datasets.empty, { shape: [0, 4], dtype: "float32", data: new Float32Array(0) });
  assert.equal(getH5Group(back, "layers/nope"), undefined);
  assert.equal(getH5Dataset(back, "layers/dense"), undefined);
});

test("member order: by name by default (as h5py writes), insertion order with trackOrder", async () => {
  const tree: H5Group = {
    groups: { zeta: { groups: {}, datasets: {} }, alpha: { groups: {}, datasets: {} }, mid: { groups: {}, datasets: {} } },
    datasets: {},
  };
  const sorted = await readH5(await writeH5(tree), "sorted.h5");
  assert.deepEqual(Object.keys(sorted.groups), ["alpha", "mid", "zeta"]);
  const tracked = await readH5(await writeH5(tree, { trackOrder: true }), "tracked.h5");
  assert.deepEqual(Object.keys(tracked.groups), ["zeta", "alpha", "mid"]);
});

test("writeH5 rejects bad trees with a clear message", async () => {
  const ds = { shape: [2], dtype: "float32" as const, data: new Float32Array(2) };
  await assert.rejects(writeH5({ groups: {}, datasets: { "a/b": ds } }), /invalid name "a\/b"/);
  await assert.rejects(writeH5({ groups: {}, datasets: { w: { ...ds, shape: [3] } } }), /\/w has 2 elements but shape \[3\] needs 3/);
  await assert.rejects(writeH5({ groups: {}, datasets: { w: { ...ds, dtype: "int64" } } }), /needs a BigInt64Array, got Float32Array/);
  await assert.rejects(
    writeH5({ groups: { w: { groups: {}, datasets: {} } }, datasets: { w: ds } }),
    /"w" at \/ is both a group and a dataset/,
  );
});

test("reads model.weights.h5 inside keras3_mnist_mlp.keras", { skip: fixturesMissing() }, async () => {
  const archive = await readKerasArchive(fixture("keras3_mnist_mlp.keras"));
  const tree = await readH5(archive.weightsH5, "keras3_mnist_mlp.keras (model.weights.h5)");
  assert.deepEqual(Object.keys(tree.groups).sort(), ["layers", "optimizer", "vars"]);
  assert.deepEqual(Object.keys(tree.groups.layers.groups).sort(), ["dense", "dense_1", "flatten"]);
  // Keras 3.8 names each vars group with the layer's configured name.
  assert.deepEqual(getH5Group(tree, "layers/dense/vars")?.attrs, { name: "dense_3" });
  assert.deepEqual(tree.groups.vars, { attrs: { name: "sequential_1" }, groups: {}, datasets: {} });

  const expected: Record<string, number[]> = {
    "layers/dense/vars/0": [784, 128],
    "layers/dense/vars/1": [128],
    "layers/dense_1/vars/0": [128, 10],
    "layers/dense_1/vars/1": [10],
  };
  const fileBytes = Buffer.from(archive.weightsH5);
  for (const [p, shape] of Object.entries(expected)) {
    const ds = getH5Dataset(tree, p);
    assert.ok(ds, p);
    assert.equal(ds.dtype, "float32", p);
    assert.deepEqual(ds.shape, shape, p);
    assert.ok(ds.data instanceof Float32Array);
    // Datasets are stored contiguous and uncompressed: the values read must be the file's bytes.
    const raw = Buffer.from(ds.data.buffer, ds.data.byteOffset, ds.data.byteLength);
    assert.ok(fileBytes.indexOf(raw) > 0, `${p}: values not found verbatim in the file`);
    assert.ok(ds.data.some((v) => v !== 0));
  }
  assert.equal(getH5Dataset(tree, "layers/flatten/vars/0"), undefined);

  const optimizerVars = getH5Group(tree, "optimizer/vars");
  assert.ok(optimizerVars);
  assert.equal(Object.keys(optimizerVars.datasets).length, 10);
  const iterations = optimizerVars.datasets["0"];
  assert.equal(iterations.dtype, "int64");
  assert.deepEqual(iterations.shape, []);
  assert.ok((iterations.data as BigInt64Array)[0] > 0n);
  assert.equal(optimizerVars.datasets["1"].dtype, "float32");
  assert.deepEqual(optimizerVars.datasets["2"].shape, [784, 128]);
});

test("keras3_mnist_cnn.keras weights equal its legacy .h5 twin (bit for bit)", { skip: fixturesMissing() }, async () => {
  const archive = await readKerasArchive(fixture("keras3_mnist_cnn.keras"));
  const modern = await readH5(archive.weightsH5, "keras3_mnist_cnn.keras");
  const legacy = await readH5File(fixture("keras3_mnist_cnn_legacy.h5"));
  const pairs: Array<[string, string, number[]]> = [
    ["layers/conv2d/vars/0", "model_weights/conv2d_2/sequential_1/conv2d_2/kernel", [3, 3, 1, 32]],
    ["layers/conv2d_1/vars/1", "model_weights/conv2d_3/sequential_1/conv2d_3/bias", [64]],
    ["layers/dense/vars/0", "model_weights/dense_2/sequential_1/dense_2/kernel", [1600, 128]],
    ["layers/dense_1/vars/0", "model_weights/dense_3/sequential_1/dense_3/kernel", [128, 10]],
  ];
  for (const [a, b, shape] of pairs) {
    const x = getH5Dataset(modern, a);
    const y = getH5Dataset(legacy, b);
    assert.ok(x && y, `${a} / ${b}`);
    assert.deepEqual(x.shape, shape);
    assert.deepEqual(y.shape, shape);
    assert.deepEqual(x.data, y.data, `${a} differs from ${b}`);
  }
  assert.equal(Object.keys(getH5Group(modern, "optimizer/vars")?.datasets ?? {}).length, 18);
  // Keras 3 legacy h5 uses variable-length string arrays.
  assert.deepEqual(getH5Group(legacy, "model_weights/dense_2")?.attrs?.weight_names, [
    "sequential_1/dense_2/kernel",
    "sequential_1/dense_2/bias",
  ]);
});

test("reads the legacy Keras 2 keras2_mnist_mlp.h5", { skip: fixturesMissing() }, async () => {
  const bytes = new Uint8Array(fs.readFileSync(fixture("keras2_mnist_mlp.h5")));
  const tree = await readH5(bytes, "keras2_mnist_mlp.h5");
  assert.equal(tree.attrs?.keras_version, "2.4.0");
  assert.equal(tree.attrs?.backend, "tensorflow");
  const modelConfig = JSON.parse(tree.attrs?.model_config as string);
  assert.equal(modelConfig.class_name, "Sequential");
  assert.deepEqual(
    modelConfig.config.layers.map((layer: { class_name: string }) => layer.class_name),
    ["InputLayer", "Flatten", "Dense", "Dropout", "Dense"],
  );
  assert.equal(typeof JSON.parse(tree.attrs?.training_config as string), "object");

  const weights = getH5Group(tree, "model_weights");
  assert.ok(weights);
  assert.deepEqual(Object.keys(weights.groups).sort(), ["dense_2", "dense_3", "dropout_1", "flatten_1"]);
  // Fixed-length byte-string arrays in Keras 2.4.
  assert.deepEqual(weights.attrs?.layer_names, ["flatten_1", "dense_2", "dropout_1", "dense_3"]);
  assert.deepEqual(weights.groups.dense_2.attrs?.weight_names, ["dense_2/kernel:0", "dense_2/bias:0"]);
  // A weightless layer stores weight_names as an empty float64 array.
  assert.deepEqual(weights.groups.dropout_1.attrs?.weight_names, []);
  const kernel = getH5Dataset(tree, "model_weights/dense_2/dense_2/kernel:0");
  assert.deepEqual(kernel?.shape, [784, 128]);
  assert.equal(kernel?.dtype, "float32");
  assert.deepEqual(getH5Dataset(tree, "model_weights/dense_3/dense_3/bias:0")?.shape, [10]);
  assert.equal(getH5Dataset(tree, "optimizer_weights/Adam/iter:0")?.dtype, "int64");

  // The same file read in place gives the same tree.
  assert.deepEqual(await readH5File(fixture("keras2_mnist_mlp.h5")), tree);
});

test("reads keras2_mnist_cnn.h5 (variable-length string attrs, Keras 2.14)", { skip: fixturesMissing() }, async () => {
  const tree = await readH5File(fixture("keras2_mnist_cnn.h5"));
  assert.equal(tree.attrs?.keras_version, "2.14.0");
  const weights = getH5Group(tree, "model_weights");
  assert.deepEqual(weights?.attrs?.layer_names, [
    "conv2d",
    "max_pooling2d",
    "conv2d_1",
    "max_pooling2d_1",
    "conv2d_2",
    "flatten",
    "dense",
    "dense_1",
  ]);
  assert.deepEqual(getH5Dataset(tree, "model_weights/conv2d_2/conv2d_2/kernel:0")?.shape, [3, 3, 64, 64]);
});

test("readH5 of bytes that are not HDF5 fails naming the file", { skip: fixturesMissing() }, async () => {
  await assert.rejects(readH5(new TextEncoder().encode("this is not an HDF5 file at all"), "bogus.h5"), /^Error: bogus\.h5: not an HDF5 file/);
  await assert.rejects(readH5(new Uint8Array(0), "empty.h5"), /empty\.h5: not an HDF5 file/);
  // A real HDF5 signature but a truncated file: HDF5's own error, still naming the file.
  const truncated = new Uint8Array(fs.readFileSync(fixture("keras2_tiny_mlp.h5"))).subarray(0, 3000);
  await assert.rejects(readH5(truncated, "cut.h5"), (error: Error) => {
    assert.match(error.message, /^cut\.h5: cannot open as HDF5: /);
    assert.match(error.message, /truncated/);
    return true;
  });
  await assert.rejects(readH5File(path.join(os.tmpdir(), "keras-ts-no-such-file.h5")), /keras-ts-no-such-file\.h5: cannot read file/);
});

test("performance: 407,050 float32 params write + read", async (t) => {
  const shapes: Array<[string, number[]]> = [
    ["layers/dense/vars/0", [784, 512]],
    ["layers/dense/vars/1", [512]],
    ["layers/dense_1/vars/0", [512, 10]],
    ["layers/dense_1/vars/1", [10]],
  ];
  const tree: H5Group = { groups: {}, datasets: {} };
  let count = 0;
  for (const [p, shape] of shapes) {
    const parts = p.split("/");
    let g = tree;
    for (const part of parts.slice(0, -1)) g = g.groups[part] ??= { groups: {}, datasets: {} };
    const size = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(size);
    for (let i = 0; i < size; i++) data[i] = Math.sin(i + count);
    count += size;
    g.datasets[parts[parts.length - 1]] = { shape, dtype: "float32", data };
  }
  assert.equal(count, 407_050);
  await writeH5({ groups: {}, datasets: {} }); // load the wasm module outside the timing
  const t0 = performance.now();
  const bytes = await writeH5(tree);
  const t1 = performance.now();
  const back = await readH5(bytes, "perf.h5");
  const t2 = performance.now();
  t.diagnostic(`writeH5 ${(t1 - t0).toFixed(1)} ms, readH5 ${(t2 - t1).toFixed(1)} ms, ${bytes.length} bytes`);
  assert.deepEqual(getH5Dataset(back, "layers/dense/vars/0")?.data, getH5Dataset(tree, "layers/dense/vars/0")?.data);
  assert.ok(bytes.length > count * 4);
  assert.ok(t1 - t0 < 1000, `writeH5 took ${t1 - t0} ms`);
  assert.ok(t2 - t1 < 1000, `readH5 took ${t2 - t1} ms`);
});
