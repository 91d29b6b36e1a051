import { test } from "node:test";
import assert from "node:assert/strict";
import * as keras from "../../../src/index.js";
import { assertClose, assertRoundTrip, baseConfig, f32 } from "../helpers.js";

const { layers, ops } = keras;

test("Dot: per-sample dot product over axis 1 of two vectors", () => {
  keras.utils.clearSession();
  const layer = new layers.Dot(1);
  assert.equal(layer.name, "dot");
  // [1, 2] . [3, 4] = 11; [0, 1] . [5, 6] = 6
  const y = layer.apply([f32([[1, 2], [0, 1]]), f32([[3, 4], [5, 6]])]);
  assert.deepEqual(y.shape, [2, 1]);
  assertClose(y, [[11], [6]]);
  assertClose(layers.dot([f32([[1, 2]]), f32([[3, 4]])], -1), [[11]]);
});

test("Dot: Keras's docstring example, axes [1, 2]", () => {
  // x = arange(10).reshape(1, 5, 2), y = arange(10, 20).reshape(1, 2, 5): out[i][j] = sum_k x[k][i] * y[j][k]
  const x = ops.reshape(ops.arange(10), [1, 5, 2]);
  const y = ops.reshape(ops.arange(10, 20), [1, 2, 5]);
  const out = new layers.Dot({ axes: [1, 2] }).apply([x, y]);
  assert.deepEqual(out.shape, [1, 2, 2]);
  assertClose(out, [[[260, 360], [320, 445]]]);
});

test("Dot: normalize gives the cosine similarity", () => {
  const out = new layers.Dot(-1, { normalize: true }).apply([f32([[3, 4], [1, 0]]), f32([[4, 3], [0, 2]])]);
  assertClose(out, [[24 / 25], [0]]);
  // A zero vector gives 0, not NaN.
  assertClose(new layers.Dot(1, { normalize: true }).apply([f32([[0, 0]]), f32([[1, 1]])]), [[0]]);
});

test("Dot: symbolic output shapes", () => {
  const shape = (axes: number | [number, number], s1: number[], s2: number[]) =>
    new layers.Dot(axes).apply([keras.Input({ shape: s1 }), keras.Input({ shape: s2 })]).shape;
  assert.deepEqual(shape(1, [8], [8]), [null, 1]);
  assert.deepEqual(shape([1, 2], [3, 5], [10, 3]), [null, 5, 10]);
  assert.deepEqual(shape([1, 2], [20], [30, 20]), [null, 30]);
  assert.deepEqual(shape(-1, [4, 6], [7, 6]), [null, 4, 7]);
  const a = keras.Input({ shape: [3] });
  const b = keras.Input({ shape: [3] });
  const model = new keras.Model({ inputs: [a, b], outputs: new layers.Dot(1).apply([a, b]) });
  assertClose(model.apply([f32([[1, 2, 3]]), f32([[1, 1, 1]])]), [[6]]);
});

test("Dot: errors name the layer and the shapes", () => {
  keras.utils.clearSession();
  assert.throws(
    () => new layers.Dot(1).apply([keras.Input({ shape: [3] }), keras.Input({ shape: [4] })]),
    /^Error: Dot layer 'dot': incompatible input shapes: axis values 3 \(at axis 1\) != 4 \(at axis 1\). Full input shapes: \(None, 3\) and \(None, 4\)$/,
  );
  assert.throws(() => new layers.Dot(1).apply([ops.ones([2, 3]), ops.ones([2, 3]), ops.ones([2, 3])]), /Dot layer 'dot_1': a Dot layer should be called on a list of exactly 2 inputs/);
  assert.throws(() => new layers.Dot(0).apply([ops.ones([2, 3]), ops.ones([2, 3])]), /Dot layer 'dot_2': axes 0 are out of range.*batch axis/);
  assert.throws(() => new layers.Dot(1).apply([ops.ones([2, 3]), ops.ones([5, 3])]), /Dot layer 'dot_3': cannot take a batch dot product of inputs with different batch sizes/);
  assert.throws(() => new layers.Dot([1, 2, 3] as unknown as [number, number]), /invalid format for argument `axes`: it should contain two integers/);
});

test("Dot: config round trip", () => {
  keras.utils.clearSession();
  const layer = new layers.Dot([1, 2], { normalize: true });
  assert.deepEqual(layer.getConfig(), { ...baseConfig("dot"), axes: [1, 2], normalize: true });
  assertRoundTrip(layer);
  const simple = assertRoundTrip(new layers.Dot(-1));
  assert.equal(simple.axes, -1);
  assert.equal(simple.normalize, false);
});

test("Dot: gradients match finite differences", async () => {
  const { checkGradients, randomTensor } = await import("../../helpers/gradcheck.js");
  checkGradients((x, y) => new layers.Dot([1, 2]).apply([x, y]), [randomTensor([2, 3, 4], 1), randomTensor([2, 5, 3], 2)]);
  checkGradients((x, y) => new layers.Dot(-1, { normalize: true }).apply([x, y]), [randomTensor([2, 4], 3), randomTensor([2, 4], 4)]);
});
