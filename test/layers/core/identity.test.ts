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
  assert.deepEqual(layer.apply(x).arraySync(), [[1, 2], [3, 4]]);
  const ints = keras.ops.convertToTensor([1, 2], "int32");
  assert.equal(layer.apply(ints).dtype, "int32");
  const input = keras.Input({ shape: [3, 2], dtype: "int32" });
  const y = layer.apply(input);
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
