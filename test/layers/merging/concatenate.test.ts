import { test } from "node:test";
import assert from "node:assert/strict";
import * as keras from "../../../src/index.js";
import { assertRoundTrip, baseConfig, f32 } from "../helpers.js";

const { layers, ops } = keras;

test("Concatenate: along the last axis by default, or the given one", () => {
  keras.utils.clearSession();
  const layer = new layers.Concatenate();
  assert.equal(layer.name, "concatenate");
  assert.deepEqual(layer.apply([f32([[1, 2], [3, 4]]), f32([[5], [6]])]).arraySync(), [[1, 2, 5], [3, 4, 6]]);
  // Keras docstring example: shapes (2, 2, 5) and (2, 1, 5) along axis 1 -> (2, 3, 5)
  const x = ops.reshape(ops.arange(20), [2, 2, 5]);
  const y = ops.reshape(ops.arange(20, 30), [2, 1, 5]);
  const z = new layers.Concatenate(1).apply([x, y]);
  assert.deepEqual(z.shape, [2, 3, 5]);
  assert.deepEqual((z.arraySync() as number[][][])[1], [[10, 11, 12, 13, 14], [15, 16, 17, 18, 19], [25, 26, 27, 28, 29]]);
  assert.deepEqual(layers.concatenate([f32([[1]]), f32([[2]]), f32([[3]])]).arraySync(), [[1, 2, 3]]);
});

test("Concatenate: symbolic output shapes", () => {
  const a = keras.Input({ shape: [4, 3] });
  const b = keras.Input({ shape: [4, 5] });
  assert.deepEqual(new layers.Concatenate().apply([a, b]).shape, [null, 4, 8]);
  assert.deepEqual(new layers.Concatenate({ axis: 1 }).apply([a, keras.Input({ shape: [2, 3] })]).shape, [null, 6, 3]);
  assert.deepEqual(new layers.Concatenate({ axis: 1 }).apply([a, keras.Input({ shape: [null, 3] })]).shape, [null, null, 3]);
  const out = new layers.Concatenate().apply([a, b]);
  const model = new keras.Model({ inputs: [a, b], outputs: out });
  assert.deepEqual(model.apply([ops.ones([2, 4, 3]), ops.zeros([2, 4, 5])]).shape, [2, 4, 8]);
});

test("Concatenate: mismatched shapes fail naming the layer and the shapes", () => {
  keras.utils.clearSession();
  assert.throws(
    () => new layers.Concatenate().apply([keras.Input({ shape: [4, 3] }), keras.Input({ shape: [5, 3] })]),
    /^Error: Concatenate layer 'concatenate': a Concatenate layer requires inputs with matching shapes except for the concatenation axis \(axis=-1\). Received: input shapes \(None, 4, 3\) and \(None, 5, 3\)$/,
  );
  assert.throws(
    () => new layers.Concatenate().apply([ops.ones([2, 3]), ops.ones([2, 3, 1])]),
    /Concatenate layer 'concatenate_1': a Concatenate layer requires inputs with matching shapes.*\(2, 3\) and \(2, 3, 1\)/,
  );
  assert.throws(() => new layers.Concatenate(3).apply([ops.ones([2, 3]), ops.ones([2, 3])]), /Concatenate layer 'concatenate_2': axis 3 is out of bounds for inputs of rank 2/);
});

test("Concatenate: config round trip", () => {
  keras.utils.clearSession();
  const layer = new layers.Concatenate({ axis: 1 });
  assert.deepEqual(layer.getConfig(), { ...baseConfig("concatenate"), axis: 1 });
  assertRoundTrip(layer);
  assert.equal(assertRoundTrip(new layers.Concatenate()).axis, -1);
});
