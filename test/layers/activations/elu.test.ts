import { test } from "node:test";
import assert from "node:assert/strict";
import * as keras from "../../../src/index.js";
import { assertClose, assertRoundTrip, baseConfig, f32 } from "../helpers.js";

const { layers } = keras;

test("ELU: x for x >= 0, alpha * (exp(x) - 1) otherwise", () => {
  keras.utils.clearSession();
  const layer = new layers.ELU();
  assert.equal(layer.name, "elu");
  assert.equal(layer.alpha, 1);
  assertClose(layer.apply(f32([-1, 0, 2])), [Math.exp(-1) - 1, 0, 2]);
  assertClose(new layers.ELU({ alpha: 0.5 }).apply(f32([-2, 3])), [0.5 * (Math.exp(-2) - 1), 3]);
  assert.deepEqual(layer.apply(keras.Input({ shape: [2, 3] })).shape, [null, 2, 3]);
});

test("ELU: config round trip keeps alpha", () => {
  keras.utils.clearSession();
  const layer = new layers.ELU({ alpha: 0.7 });
  assert.deepEqual(layer.getConfig(), { ...baseConfig("elu"), alpha: 0.7 });
  assert.equal(assertRoundTrip(layer).alpha, 0.7);
  // A Keras 3 config has no alpha (its ELU does not write it): the default 1.0 applies.
  assert.equal(layers.ELU.fromConfig({ name: "elu_k" }).alpha, 1);
});
