import { test } from "node:test";
import assert from "node:assert/strict";
import * as keras from "../../../src/index.js";
import { assertClose, assertRoundTrip, baseConfig, f32 } from "../helpers.js";

const { layers } = keras;
const x = () => f32([-10, -5, 0, 1, 5, 10]);

test("ReLU: defaults and Keras's formula with maxValue, negativeSlope, threshold", () => {
  keras.utils.clearSession();
  const plain = new layers.ReLU();
  assert.equal(plain.name, "re_lu");
  assertClose(plain.apply(x()), [0, 0, 0, 1, 5, 10]);
  // Keras docstring example: max_value=10, negative_slope=0.5 -> [-5, -2.5, 0, 5, 10]
  assertClose(new layers.ReLU({ maxValue: 10, negativeSlope: 0.5 }).apply(f32([-10, -5, 0, 5, 10])), [-5, -2.5, 0, 5, 10]);
  assertClose(new layers.ReLU({ maxValue: 6 }).apply(x()), [0, 0, 0, 1, 5, 6]);
  assertClose(new layers.ReLU({ maxValue: 4 }).apply(x()), [0, 0, 0, 1, 4, 4]);
  // threshold 2: x for x > 2, else negativeSlope * (x - 2)
  assertClose(new layers.ReLU({ threshold: 2 }).apply(x()), [0, 0, 0, 0, 5, 10]);
  assertClose(new layers.ReLU({ threshold: 2, negativeSlope: 0.1 }).apply(x()), [-1.2, -0.7, -0.2, -0.1, 5, 10]);
  assertClose(new layers.ReLU({ negativeSlope: 0.1 }).apply(x()), [-1, -0.5, 0, 1, 5, 10]);
});

test("ReLU: symbolic shape, errors and config round trip", () => {
  keras.utils.clearSession();
  assert.deepEqual(new layers.ReLU().apply(keras.Input({ shape: [3, 4] })).shape, [null, 3, 4]);
  assert.throws(() => new layers.ReLU({ maxValue: -1 }), /ReLU layer 're_lu_1': max_value cannot be a negative value. Received: max_value=-1/);
  assert.throws(() => new layers.ReLU({ negativeSlope: -0.1 }), /negative_slope cannot be null or a negative value/);
  assert.throws(() => new layers.ReLU({ threshold: -1 }), /threshold cannot be null or a negative value/);
  const layer = new layers.ReLU({ name: "r" });
  assert.deepEqual(layer.getConfig(), { ...baseConfig("r"), max_value: null, negative_slope: 0, threshold: 0 });
  assertRoundTrip(layer);
  const custom = assertRoundTrip(new layers.ReLU({ maxValue: 6, negativeSlope: 0.2, threshold: 1 }));
  assert.equal(custom.maxValue, 6);
  assert.equal(custom.threshold, 1);
});
