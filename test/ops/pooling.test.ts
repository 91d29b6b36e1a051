import { test } from "node:test";
import assert from "node:assert/strict";
import * as keras from "../../src/index.js";
import { checkGradients, randomTensor } from "../helpers/gradcheck.js";
import { oraclePool, poolWindows } from "../helpers/conv_oracle.js";
import { computePoolingOutputShape } from "../../src/ops/operation_utils.js";
import { assertAllClose } from "../helpers/close.js";

const { ops } = keras;
type Tensor = keras.Tensor;
const assertClose = (actual: Tensor, expected: ArrayLike<number>, what: string, tol = 1e-6): void => assertAllClose(actual, expected, what, tol);

const values = (t: Tensor) => Array.from(t.dataSync());

test("maxPool and averagePool: hand-computed values (valid, same, strides, channels first)", () => {
  const x = ops.reshape(ops.arange(16, null, 1, "float32"), [1, 4, 4, 1]);
  assert.deepEqual(values(ops.maxPool(x, 2)), [5, 7, 13, 15]);
  assert.deepEqual(values(ops.averagePool(x, 2)), [2.5, 4.5, 10.5, 12.5]);
  assert.deepEqual(values(ops.maxPool(x, 3, 1)), [10, 11, 14, 15]);
  // "same", stride 1, window 3: the padding is never the max and never counted in the mean.
  assert.deepEqual(values(ops.averagePool(x, 3, 1, "same")), [2.5, 3, 4, 4.5, 4.5, 5, 6, 6.5, 8.5, 9, 10, 10.5, 10.5, 11, 12, 12.5]);
  assert.deepEqual(values(ops.maxPool(ops.negative(x), 3, 1, "same")).slice(0, 4), [-0, -0, -1, -2]);
  // 1-d, window 2 stride 2 "same" over 5 values: the last window holds 5 alone.
  const line = ops.reshape(ops.convertToTensor([1, 2, 3, 4, 5], "float32"), [1, 5, 1]);
  assert.deepEqual(values(ops.averagePool(line, 2, 2, "same")), [1.5, 3.5, 5]);
  assert.deepEqual(values(ops.maxPool(line, [2], [2], "same")), [2, 4, 5]);
  // Channels first: the same numbers for each channel plane.
  const cf = ops.reshape(ops.concatenate([ops.reshape(x, [16]), ops.negative(ops.reshape(x, [16]))]), [1, 2, 4, 4]);
  assert.deepEqual(values(ops.maxPool(cf, 2, null, "valid", "channels_first")), [5, 7, 13, 15, -0, -2, -8, -10]);
  // 3-d.
  assert.deepEqual(values(ops.averagePool(ops.reshape(ops.arange(8, null, 1, "float32"), [1, 2, 2, 2, 1]), 2)), [3.5]);
  // NaN propagates through max.
  assert.ok(Number.isNaN(values(ops.maxPool(ops.convertToTensor([[[1], [NaN], [3]]], "float32"), 3))[0]));
});

test("pooling equals the definition on seeded cases (1-3 spatial axes, valid / same, strides, both formats)", () => {
  let seed = 1;
  for (const spatial of [[7], [5, 6], [4, 3, 5], [3, 9], [6, 6]]) {
    for (const padding of ["valid", "same"] as const) {
      for (const channelsFirst of [false, true]) {
        const n = spatial.length;
        const poolSize = spatial.map((_, d) => 1 + ((seed + d) % 3));
        const strides = spatial.map((_, d) => 1 + ((seed + 2 * d) % 2));
        seed++;
        const { padBefore, outputSize } = poolWindows(spatial, poolSize, strides, padding);
        const x = randomTensor(channelsFirst ? [2, 3, ...spatial] : [2, ...spatial, 3], seed);
        const format = channelsFirst ? "channels_first" : "channels_last";
        const g = { batch: 2, channels: 3, inputSize: spatial, poolSize, strides, padBefore, outputSize, channelsFirst };
        const what = `${JSON.stringify({ spatial, poolSize, strides, padding, format })}`;
        const maxOut = ops.maxPool(x, poolSize, strides, padding, format);
        assert.deepEqual([...maxOut.shape], computePoolingOutputShape(x.shape, poolSize, strides, padding, format), what);
        assert.equal(maxOut.rank, n + 2);
        assertClose(maxOut, oraclePool(x.dataSync(), "max", g), `max ${what}`);
        assertClose(ops.averagePool(x, poolSize, strides, padding, format), oraclePool(x.dataSync(), "avg", g), `avg ${what}`);
      }
    }
  }
});

test("pooling gradients match finite differences; max pooling's goes to the window's maximum only", () => {
  checkGradients((x) => ops.maxPool(x, [2, 3], [1, 2], "same"), [randomTensor([2, 4, 5, 2], 3)], { eps: 1e-3 });
  checkGradients((x) => ops.maxPool(x, 2, null, "valid", "channels_first"), [randomTensor([1, 2, 4, 5], 4)], { eps: 1e-3 });
  checkGradients((x) => ops.averagePool(x, [3, 2], [2, 1], "same"), [randomTensor([2, 5, 4, 2], 5)]);
  checkGradients((x) => ops.averagePool(x, 2, 1, "valid", "channels_first"), [randomTensor([1, 2, 3, 3, 3], 6)]);
  checkGradients((x) => ops.maxPool(x, 3, 2, "same"), [randomTensor([2, 7, 3], 7)], { eps: 1e-3 });
  // Overlapping windows add up; ties go to the first maximum.
  const [, g] = keras.valueAndGrad((x: Tensor) => ops.sum(ops.maxPool(x, 2, 1)))(ops.convertToTensor([[[1], [3], [2], [3]]], "float32"));
  assert.deepEqual(values(g), [0, 2, 0, 1]);
});

test("pooling errors name the argument and the values", () => {
  assert.throws(() => ops.maxPool(ops.ones([1, 2, 2, 1]), 3), /computed output size would be zero or negative.*pool_size=\[3,3\]/);
  assert.throws(() => ops.averagePool(ops.ones([1, 4, 4, 1]), 2, null, "causal"), /`padding` must be one of 'valid', 'same'/);
  assert.throws(() => ops.maxPool(ops.ones([4, 4]), 2), /rank 3, 4 or 5/);
  assert.throws(() => ops.maxPool(ops.ones([1, 4, 4, 1]), [2, 2, 2]), /the `pool_size` argument must be a tuple of 2 integers/);
  assert.deepEqual(computePoolingOutputShape([null, 7, null, 3], [2, 2], null, "valid"), [null, 3, null, 3]);
});
