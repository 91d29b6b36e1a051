import { test } from "node:test";
import assert from "node:assert/strict";
import * as keras from "../../../src/index.js";
import { assertClose, f32 } from "../helpers.js";

const { layers, ops } = keras;

test("Lambda: wraps a function, eagerly and in a functional model", () => {
  keras.utils.clearSession();
  const square = new layers.Lambda((x: keras.Tensor) => ops.square(x));
  assert.equal(square.name, "lambda");
  assertClose(square.apply(f32([[1, -2, 3]])), [[1, 4, 9]]);
  const input = keras.Input({ shape: [3] });
  const y = square.apply(input);
  assert.deepEqual(y.shape, [null, 3]); // inferred by running the function
  const model = new keras.Model({ inputs: input, outputs: y });
  assertClose(model.apply(f32([[2, 0, -1]])), [[4, 0, 1]]);
});

test("Lambda: multiple inputs, arguments and outputShape", () => {
  const sum = new layers.Lambda((xs: keras.Tensor[]) => ops.add(xs[0], xs[1]));
  assertClose(sum.apply([f32([[1, 2]]), f32([[10, 20]])]), [[11, 22]]);
  const scale = new layers.Lambda((x: keras.Tensor, args: { factor: number }) => ops.multiply(x, args.factor), { arguments: { factor: 3 } });
  assertClose(scale.apply(f32([1, 2])), [3, 6]);
  // A declared output shape (without batch axis) is used as given, the batch axis copied from the input.
  const rowSum = new layers.Lambda((x: keras.Tensor) => ops.sum(x, -1, true), { outputShape: [1] });
  assert.deepEqual(rowSum.apply(keras.Input({ shape: [4] })).shape, [null, 1]);
  const fnShape = new layers.Lambda((x: keras.Tensor) => ops.sum(x, -1), { outputShape: (s) => (s as (number | null)[]).slice(0, -1) });
  assert.deepEqual(fnShape.apply(keras.Input({ shape: [4, 5] })).shape, [null, 4]);
});

test("Lambda: getConfig throws a clear error (a JS function cannot be saved)", () => {
  keras.utils.clearSession();
  const layer = new layers.Lambda((x: keras.Tensor) => x);
  assert.throws(() => layer.getConfig(), /^Error: Lambda layer 'lambda': a Lambda wrapping a TypeScript function cannot be saved.*write a custom layer/);
  assert.throws(
    () => layers.Lambda.fromConfig({ name: "lambda_1", function: { class_name: "__lambda__", config: { code: "4wEAAA..." } } }),
    /Lambda layer 'lambda_1': `function` must be a JavaScript function.*write a custom layer instead/,
  );
  const failing = new layers.Lambda(() => {
    throw new Error("boom");
  });
  assert.throws(() => failing.apply(keras.Input({ shape: [2] })), /Lambda layer 'lambda_\d+': could not infer the output shape .*boom.*outputShape/);
});
