import { test } from "node:test";
import assert from "node:assert/strict";
import * as keras from "../../../src/index.js";
import { assertRoundTrip, baseConfig, f32 } from "../helpers.js";

const { layers } = keras;

test("Identity: returns its inputs, eagerly and symbolically", () => {
  keras.utils.clearSession();
  const layer = new layers.Identity();
  assert.equal(layer.name, "identity");
  const x = f32([[1, 2], [3, 4]]);
  const same = layer.apply(x);
  assert.ok(same instanceof keras.Tensor);
  assert.deepEqual(same.arraySync(), [[1, 2], [3, 4]]);
  const ints = layer.apply(keras.ops.convertToTensor([1, 2], "int32"));
  assert.ok(ints instanceof keras.Tensor);
  assert.equal(ints.dtype, "int32");
  const input = keras.Input({ shape: [3, 2], dtype: "int32" });
  const y = layer.apply(input);
  assert.ok(y instanceof keras.KerasTensor);
  assert.deepEqual(y.shape, [null, 3, 2]);
  assert.equal(y.dtype, "int32");
  const model = new keras.Model({ inputs: input, outputs: y });
  assert.deepEqual(model.apply(keras.ops.ones([1, 3, 2], "int32")).shape, [1, 3, 2]);
});

test("Identity: config round trip", () => {
  keras.utils.clearSession();
  const layer = new layers.Identity({ name: "skip" });
  assert.deepEqual(layer.getConfig(), baseConfig("skip"));
  assertRoundTrip(layer);
});
