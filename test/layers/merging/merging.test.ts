import { test } from "node:test";
import assert from "node:assert/strict";
import * as keras from "../../../src/index.js";
import { assertClose, assertRoundTrip, baseConfig, f32 } from "../helpers.js";

const { layers, ops } = keras;

const a = () => f32([[1, 5], [-2, 4]]);
const b = () => f32([[3, 1], [0, -6]]);
const c = () => f32([[2, 2], [2, 2]]);

test("Add, Subtract, Multiply, Average, Maximum, Minimum: numeric cases", () => {
  assertClose(new layers.Add().apply([a(), b()]), [[4, 6], [-2, -2]]);
  assertClose(new layers.Add().apply([a(), b(), c()]), [[6, 8], [0, 0]]);
  assertClose(new layers.Subtract().apply([a(), b()]), [[-2, 4], [-2, 10]]);
  assertClose(new layers.Multiply().apply([a(), b(), c()]), [[6, 10], [0, -48]]);
  assertClose(new layers.Average().apply([a(), b()]), [[2, 3], [-1, -1]]);
  assertClose(new layers.Average().apply([a(), b(), c()]), [[2, 8 / 3], [0, 0]]);
  assertClose(new layers.Maximum().apply([a(), b(), c()]), [[3, 5], [2, 4]]);
  assertClose(new layers.Minimum().apply([a(), b(), c()]), [[1, 1], [-2, -6]]);
  // A single input is allowed (Keras 3 accepts one or more).
  assertClose(new layers.Add().apply([a()]), [[1, 5], [-2, 4]]);
  // Functional forms.
  assertClose(layers.add([a(), b()]), [[4, 6], [-2, -2]]);
  assertClose(layers.subtract([a(), b()]), [[-2, 4], [-2, 10]]);
  assertClose(layers.maximum([a(), b()]), [[3, 5], [0, 4]]);
});

test("Merge layers: auto names", () => {
  keras.utils.clearSession();
  const names = [new layers.Add(), new layers.Add(), new layers.Subtract(), new layers.Multiply(), new layers.Average(), new layers.Maximum(), new layers.Minimum()].map((l) => l.name);
  assert.deepEqual(names, ["add", "add_1", "subtract", "multiply", "average", "maximum", "minimum"]);
});

test("Merge layers: broadcasting, including inputs of different ranks", () => {
  // [2, 1] with [2, 3] -> [2, 3]
  assertClose(new layers.Add().apply([f32([[1], [2]]), f32([[10, 20, 30], [40, 50, 60]])]), [[11, 21, 31], [42, 52, 62]]);
  // [2, 3] with [2, 2, 3]: the lower-rank input gains an axis after the batch axis.
  const y = new layers.Multiply().apply([f32([[1, 2, 3], [4, 5, 6]]), ops.ones([2, 2, 3])]);
  assert.deepEqual(y.shape, [2, 2, 3]);
  assertClose(y, [[[1, 2, 3], [1, 2, 3]], [[4, 5, 6], [4, 5, 6]]]);
});

test("Merge layers: symbolic output shapes and a functional model", () => {
  const x1 = keras.Input({ shape: [4] });
  const x2 = keras.Input({ shape: [4] });
  for (const Cls of [layers.Add, layers.Subtract, layers.Multiply, layers.Average, layers.Maximum, layers.Minimum]) {
    const out = new Cls().apply([x1, x2]);
    assert.ok(out instanceof keras.KerasTensor);
    assert.deepEqual(out.shape, [null, 4], Cls.className);
  }
  assert.deepEqual(new layers.Add().apply([keras.Input({ shape: [3, 1] }), keras.Input({ shape: [5] })]).shape, [null, 3, 5]);
  assert.deepEqual(new layers.Add().apply([keras.Input({ shape: [null, 4] }), keras.Input({ shape: [6, 4] })]).shape, [null, null, 4]);
  assert.deepEqual(new layers.Add().apply([keras.Input({ shape: [2], batchSize: 8 }), keras.Input({ shape: [2] })]).shape, [8, 2]);

  const sum = new layers.Add().apply([x1, x2]);
  const diff = new layers.Subtract().apply([x1, x2]);
  const out = new layers.Multiply().apply([sum, diff]); // (a + b)(a - b) = a^2 - b^2
  const model = new keras.Model({ inputs: [x1, x2], outputs: out });
  assertClose(model.apply([f32([[1, 2, 3, 4]]), f32([[0, 1, 1, 2]])]), [[1, 3, 8, 12]]);
});

test("Merge layers: incompatible shapes fail naming the layer and the shapes", () => {
  keras.utils.clearSession();
  assert.throws(
    () => new layers.Add().apply([keras.Input({ shape: [3] }), keras.Input({ shape: [4] })]),
    /^Error: Add layer 'add': inputs have incompatible shapes. Received shapes \(None, 3\) and \(None, 4\)$/,
  );
  assert.throws(
    () => new layers.Multiply().apply([ops.ones([2, 3]), ops.ones([2, 3]), ops.ones([2, 5])]),
    /Multiply layer 'multiply': inputs have incompatible shapes. Received shapes \(2, 3\), \(2, 3\) and \(2, 5\)/,
  );
  assert.throws(
    () => new layers.Average().apply([ops.ones([2, 3]), ops.ones([4, 3])]),
    /Average layer 'average': cannot merge tensors with different batch sizes. Received tensors with shapes \(2, 3\) and \(4, 3\)/,
  );
  // A built layer still checks the shapes of every later call.
  const max = new layers.Maximum();
  max.apply([ops.ones([1, 3]), ops.ones([1, 3])]);
  assert.throws(() => max.apply([ops.ones([1, 3]), ops.ones([1, 2])]), /Maximum layer 'maximum': inputs have incompatible shapes. Received shapes \(1, 3\) and \(1, 2\)/);
  assert.throws(() => new layers.Minimum().apply(ops.ones([2, 3])), /Minimum layer 'minimum': a merge layer should be called on a list of inputs/);
  assert.throws(() => new layers.Add().apply(keras.Input({ shape: [3] })), /Add layer 'add_1': a merge layer should be called on a list of inputs/);
  assert.throws(
    () => new layers.Subtract().apply([ops.ones([1, 2]), ops.ones([1, 2]), ops.ones([1, 2])]),
    /Subtract layer 'subtract': a Subtract layer should be called on exactly 2 inputs. Received 3 inputs/,
  );
  assert.throws(() => new layers.Subtract().apply([keras.Input({ shape: [2] })]), /Subtract layer 'subtract_1': a Subtract layer should be called on exactly 2 inputs/);
});

test("Merge layers: config round trip", () => {
  keras.utils.clearSession();
  const add = new layers.Add();
  assert.deepEqual(add.getConfig(), baseConfig("add"));
  for (const layer of [add, new layers.Subtract(), new layers.Multiply({ name: "m" }), new layers.Average(), new layers.Maximum(), new layers.Minimum()]) {
    assertRoundTrip(layer);
  }
});
