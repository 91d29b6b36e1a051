import { test } from "node:test";
import assert from "node:assert/strict";
import * as keras from "../../src/index.js";
import { checkGradients, randomTensor } from "../helpers/gradcheck.js";

const { ops } = keras;
type Tensor = keras.Tensor;

const f32 = (v: keras.NestedArray) => ops.convertToTensor(v, "float32");
const x23 = () => f32([[1, 2, 3], [4, 5, 6]]);
const arange = (shape: number[], dtype: keras.DType = "float32") => {
  const n = shape.reduce((a, b) => a * b, 1);
  return ops.reshape(ops.convertToTensor(Array.from({ length: n }, (_, i) => i), dtype), shape);
};

function assertClose(actual: Tensor, expected: keras.NestedArray, tol = 1e-5): void {
  const flat = (v: keras.NestedArray): number[] => (Array.isArray(v) ? v.flatMap(flat) : [Number(v)]);
  const a = flat(actual.arraySync());
  const e = flat(expected);
  assert.equal(a.length, e.length, `size: got ${JSON.stringify(actual.arraySync())}, expected ${JSON.stringify(expected)}`);
  for (let i = 0; i < a.length; i++) {
    const ok = Object.is(a[i], e[i]) || Math.abs(a[i] - e[i]) <= tol * Math.max(1, Math.abs(e[i]));
    assert.ok(ok, `element ${i}: got ${a[i]}, expected ${e[i]} (got ${JSON.stringify(actual.arraySync())})`);
  }
}

test("sum over each axis, with and without keepdims, negative and multiple axes", () => {
  const x = x23();
  assert.deepEqual(ops.sum(x, 0).arraySync(), [5, 7, 9]);
  assert.deepEqual(ops.sum(x, 1).arraySync(), [6, 15]);
  assert.deepEqual(ops.sum(x, -1).arraySync(), [6, 15]);
  assert.deepEqual(ops.sum(x, -2).arraySync(), [5, 7, 9]);
  assert.deepEqual(ops.sum(x, 0, true).arraySync(), [[5, 7, 9]]);
  assert.deepEqual(ops.sum(x, 1, true).arraySync(), [[6], [15]]);
  assert.equal(ops.sum(x).arraySync(), 21);
  assert.equal(ops.sum(x, null).arraySync(), 21);
  assert.equal(ops.sum(x, [0, 1]).arraySync(), 21);
  assert.deepEqual(ops.sum(x, null, true).arraySync(), [[21]]);
  assert.deepEqual(ops.sum(x, []).arraySync(), [[1, 2, 3], [4, 5, 6]]);
  const x3 = arange([2, 3, 4]);
  assert.deepEqual(ops.sum(x3, [0, 2]).arraySync(), [60, 92, 124]);
  assert.deepEqual(ops.sum(x3, [-1, 0]).arraySync(), [60, 92, 124]);
  assert.deepEqual([...ops.sum(x3, [0, 2], true).shape], [1, 3, 1]);
  assert.deepEqual(ops.sum(x3, 1).arraySync(), [[12, 15, 18, 21], [48, 51, 54, 57]]);
});

test("mean, max, min, prod over axes", () => {
  const x = x23();
  assert.deepEqual(ops.mean(x, 0).arraySync(), [2.5, 3.5, 4.5]);
  assert.deepEqual(ops.mean(x, -1, true).arraySync(), [[2], [5]]);
  assert.equal(ops.mean(x).arraySync(), 3.5);
  assert.deepEqual(ops.max(x, 0).arraySync(), [4, 5, 6]);
  assert.deepEqual(ops.max(x, 1, true).arraySync(), [[3], [6]]);
  assert.equal(ops.max(x).arraySync(), 6);
  assert.deepEqual(ops.min(x, -1).arraySync(), [1, 4]);
  assert.equal(ops.min(x, [0, 1]).arraySync(), 1);
  assert.deepEqual(ops.prod(x, 0).arraySync(), [4, 10, 18]);
  assert.deepEqual(ops.prod(x, 1, true).arraySync(), [[6], [120]]);
  assert.equal(ops.prod(x).arraySync(), 720);
  assert.deepEqual(ops.max(arange([2, 3, 4]), [0, 2]).arraySync(), [15, 19, 23]);
});

test("max / min with initial", () => {
  const x = x23();
  assert.deepEqual(ops.max(x, 1, false, 4).arraySync(), [4, 6]);
  assert.deepEqual(ops.min(x, 0, true, 2).arraySync(), [[1, 2, 2]]);
  assert.deepEqual(ops.max(ops.zeros([2, 0]), 1, false, -7).arraySync(), [-7, -7]);
  assert.deepEqual(ops.min(ops.zeros([0, 2], "int32"), null, false, 3).arraySync(), 3);
  assert.equal(ops.min(ops.zeros([0], "int32"), null, false, 3).dtype, "int32");
  const g = keras.grad((a: Tensor) => ops.sum(ops.max(a, 1, false, 2.5)))(f32([[1, 3], [2, 0]]));
  assert.deepEqual(g.arraySync(), [[0, 1], [0, 0]]);
});

test("max and min propagate NaN", () => {
  const x = f32([[1, NaN, 3], [4, 5, 6]]);
  assertClose(ops.max(x, 1), [NaN, 6]);
  assertClose(ops.min(x, 0), [1, NaN, 3]);
  assertClose(ops.max(x), NaN);
});

test("var and std are population statistics (ddof 0)", () => {
  const x = x23();
  assertClose(ops.var(x, 1), [2 / 3, 2 / 3]);
  assertClose(ops.var(x, 0, true), [[2.25, 2.25, 2.25]]);
  assertClose(ops.var(x), 17.5 / 6);
  assertClose(ops.std(x), Math.sqrt(17.5 / 6));
  assertClose(ops.std(x, -1), [Math.sqrt(2 / 3), Math.sqrt(2 / 3)]);
  // A large common offset must not cancel the variance away.
  assertClose(ops.var(f32([1e4 + 1, 1e4 + 2, 1e4 + 3])), 2 / 3, 1e-3);
});

test("argmax / argmin: flattened by default, first of ties, NaN wins, keepdims", () => {
  const x = x23();
  assert.equal(ops.argmax(x).arraySync(), 5);
  assert.equal(ops.argmin(x).arraySync(), 0);
  assert.deepEqual(ops.argmax(x, 0).arraySync(), [1, 1, 1]);
  assert.deepEqual(ops.argmax(x, -1).arraySync(), [2, 2]);
  assert.deepEqual(ops.argmin(x, 1, true).arraySync(), [[0], [0]]);
  assert.deepEqual(ops.argmax(x, null, true).arraySync(), [[5]]);
  assert.equal(ops.argmax(f32([1, 3, 3])).arraySync(), 1);
  assert.equal(ops.argmin(f32([2, 1, 1])).arraySync(), 1);
  assert.equal(ops.argmax(f32([1, NaN, 3, NaN])).arraySync(), 1);
  assert.equal(ops.argmax(f32([NaN, 1, NaN])).arraySync(), 0);
  assert.deepEqual(ops.argmin(f32([[NaN, 1], [2, NaN], [NaN, 0]]), 0).arraySync(), [0, 1]);
  assert.deepEqual(ops.argmax(f32([[1, 5], [NaN, 2], [3, NaN]]), 0).arraySync(), [1, 2]);
  assert.deepEqual(ops.argmin(f32([[1, NaN, 0], [9, 8, 7]]), 1).arraySync(), [1, 2]);
  assert.equal(ops.argmax(f32([-Infinity, -Infinity])).arraySync(), 0);
  assert.equal(ops.argmax(f32(7)).arraySync(), 0);
});

test("logsumexp is numerically stable and handles infinities", () => {
  assertClose(ops.logsumexp(f32([[0, 0], [1000, 1000]]), 1), [Math.LN2, 1000 + Math.LN2]);
  assertClose(ops.logsumexp(f32([[0, 0], [1000, 1000]]), 1, true), [[Math.LN2], [1000 + Math.LN2]]);
  assertClose(ops.logsumexp(f32([-1000, -1000])), -1000 + Math.LN2, 1e-6);
  assertClose(ops.logsumexp(x23(), 0), [1, 2, 3].map((v) => Math.log(Math.exp(v) + Math.exp(v + 3))));
  assertClose(ops.logsumexp(f32([-Infinity, -Infinity])), -Infinity);
  assertClose(ops.logsumexp(f32([Infinity, 0])), Infinity);
  assertClose(ops.logsumexp(ops.zeros([0, 2]), 0), [-Infinity, -Infinity]);
});

test("any / all give bool", () => {
  const x = f32([[0, 1], [0, 0]]);
  assert.deepEqual(ops.any(x, 1).arraySync(), [true, false]);
  assert.deepEqual(ops.all(f32([[1, 1], [0, 1]]), 0).arraySync(), [false, true]);
  assert.equal(ops.any(x).arraySync(), true);
  assert.equal(ops.all(x).arraySync(), false);
  assert.deepEqual(ops.any(x, 0, true).arraySync(), [[false, true]]);
  assert.equal(ops.any(x).dtype, "bool");
  assert.equal(ops.all(ops.convertToTensor([2, 3])).dtype, "bool");
  // A size-1 reduced axis still converts to bool.
  assert.deepEqual(ops.any(f32([[0], [2.5]]), 1).arraySync(), [false, true]);
  assert.deepEqual(ops.all(f32([[0], [2.5]]), 1, true).arraySync(), [[false], [true]]);
});

test("cumsum / cumprod: flatten by default, along an axis", () => {
  const x = x23();
  assert.deepEqual(ops.cumsum(x).arraySync(), [1, 3, 6, 10, 15, 21]);
  assert.deepEqual(ops.cumsum(x, 0).arraySync(), [[1, 2, 3], [5, 7, 9]]);
  assert.deepEqual(ops.cumsum(x, -1).arraySync(), [[1, 3, 6], [4, 9, 15]]);
  assert.deepEqual(ops.cumprod(x, 1).arraySync(), [[1, 2, 6], [4, 20, 120]]);
  assert.deepEqual(ops.cumprod(x, 0).arraySync(), [[1, 2, 3], [4, 10, 18]]);
  assert.deepEqual(ops.cumprod(x).arraySync(), [1, 2, 6, 24, 120, 720]);
  assert.deepEqual(ops.cumsum(arange([2, 2, 2]), 1).arraySync(), [[[0, 1], [2, 4]], [[4, 5], [10, 12]]]);
  assert.deepEqual(ops.cumsum(ops.zeros([0, 3]), 0).shape, [0, 3]);
});

test("result dtypes follow Keras / NumPy", () => {
  const b = ops.convertToTensor([[true, false], [true, true]]);
  const u8 = ops.convertToTensor([200, 100], "uint8");
  const i32 = ops.convertToTensor([1, 2]);
  assert.equal(ops.sum(b).dtype, "int32");
  assert.equal(ops.sum(b).arraySync(), 3);
  assert.deepEqual(ops.sum(b, 0).arraySync(), [2, 1]);
  assert.equal(ops.sum(u8).dtype, "int32");
  assert.equal(ops.sum(u8).arraySync(), 300);
  assert.equal(ops.sum(i32).dtype, "int32");
  assert.equal(ops.sum(x23()).dtype, "float32");
  assert.equal(ops.prod(b).dtype, "int32");
  assert.equal(ops.prod(u8).arraySync(), 20000);
  assert.equal(ops.mean(i32).dtype, "float32");
  assert.equal(ops.mean(i32).arraySync(), 1.5);
  assert.equal(ops.mean(b).arraySync(), 0.75);
  assert.equal(ops.var(i32).dtype, "float32");
  assert.equal(ops.var(i32).arraySync(), 0.25);
  assert.equal(ops.std(i32).dtype, "float32");
  assert.equal(ops.max(i32).dtype, "int32");
  assert.equal(ops.min(u8).dtype, "uint8");
  assert.equal(ops.argmax(x23()).dtype, "int32");
  assert.equal(ops.argmin(x23(), 0).dtype, "int32");
  assert.equal(ops.logsumexp(i32).dtype, "float32");
  assert.equal(ops.cumsum(b).dtype, "int32");
  assert.deepEqual(ops.cumsum(b).arraySync(), [1, 1, 2, 3]);
  assert.equal(ops.cumsum(i32).dtype, "int32");
  assert.equal(ops.cumsum(i32, null, "float32").dtype, "float32");
  assert.equal(ops.cumprod(u8).dtype, "uint8");
  assert.equal(ops.cumprod(b, 0).dtype, "int32");
});

test("zero-size and size-1 axes", () => {
  const empty = ops.zeros([0, 3]);
  assert.deepEqual(ops.sum(empty, 0).arraySync(), [0, 0, 0]);
  assert.deepEqual(ops.prod(empty, 0).arraySync(), [1, 1, 1]);
  assert.deepEqual([...ops.sum(empty, 1).shape], [0]);
  assert.deepEqual([...ops.max(empty, 1).shape], [0]);
  assert.equal(ops.sum(empty).arraySync(), 0);
  assert.ok(Number.isNaN(ops.mean(empty).arraySync() as number));
  assert.equal(ops.any(empty).arraySync(), false);
  assert.equal(ops.all(empty).arraySync(), true);
  const ones = arange([3, 1, 2]);
  assert.deepEqual(ops.sum(ones, 1).arraySync(), [[0, 1], [2, 3], [4, 5]]);
  assert.deepEqual(ops.max(ones, [1, 2]).arraySync(), [1, 3, 5]);
  assert.deepEqual(ops.sum(ones, [0, 2]).arraySync(), [15]);
  assert.deepEqual(ops.argmax(ones, 1).arraySync(), [[0, 0], [0, 0], [0, 0]]);
  assert.equal(ops.sum(f32(4)).arraySync(), 4);
  assert.equal(ops.max(f32(4), null).arraySync(), 4);
});

// A reference reduction written the obvious way, to check the kernel's fast paths on many layouts.
function naiveReduce(values: ArrayLike<number>, shape: number[], axes: number[], op: string): number[] {
  const outShape = shape.filter((_, i) => !axes.includes(i));
  const outSize = outShape.reduce((a, b) => a * b, 1);
  const init: Record<string, number> = { sum: 0, prod: 1, max: -Infinity, min: Infinity, any: 0, all: 1 };
  const out = new Array<number>(outSize).fill(init[op]);
  const idx = new Array<number>(shape.length).fill(0);
  for (let flat = 0; flat < values.length; flat++) {
    let o = 0;
    for (let d = 0; d < shape.length; d++) if (!axes.includes(d)) o = o * shape[d] + idx[d];
    const v = values[flat];
    if (op === "sum") out[o] += v;
    else if (op === "prod") out[o] *= v;
    else if (op === "max") out[o] = Math.max(out[o], v);
    else if (op === "min") out[o] = Math.min(out[o], v);
    else if (op === "any") out[o] = out[o] || v !== 0 ? 1 : 0;
    else out[o] = out[o] && v !== 0 ? 1 : 0;
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++idx[d] < shape[d]) break;
      idx[d] = 0;
    }
  }
  return out;
}

function smallInts(shape: number[], seed: number, dtype: keras.DType): Tensor {
  const t = randomTensor(shape, seed, -3, 3);
  return ops.convertToTensor(Array.from(t.dataSync(), (v) => Math.round(v)), dtype).reshape(shape);
}

test("the reduce kernel matches a naive reduction on odd, size-1 and zero-size shapes", () => {
  const shapes = [[7], [5, 3], [1, 4], [4, 1], [3, 1, 5], [2, 3, 4], [3, 2, 1, 3], [2, 0, 3], [0], [1, 1, 1], [2, 3, 2, 2]];
  let seed = 11;
  for (const shape of shapes) {
    const rank = shape.length;
    // Every subset of axes.
    for (let mask = 0; mask < 1 << rank; mask++) {
      const axes = Array.from({ length: rank }, (_, i) => i).filter((i) => mask & (1 << i));
      for (const dtype of ["float32", "int32"] as const) {
        const x = smallInts(shape, seed++, dtype);
        const values = x.dataSync();
        for (const op of ["sum", "prod", "max", "min", "any", "all"] as const) {
          if ((op === "max" || op === "min") && axes.some((a) => shape[a] === 0)) continue;
          const got = ops[op](x, axes);
          // + 0 folds -0 into 0 (an int32 result cannot hold -0).
          const expected = naiveReduce(values, shape, axes, op).map((v) => v + 0);
          const actual = Array.from(got.dataSync(), (v) => v + 0);
          assert.deepEqual(actual, expected, `${op} over ${JSON.stringify(axes)} of ${dtype} ${JSON.stringify(shape)}`);
        }
      }
    }
  }
});

test("argmax / argmin / cumsum / cumprod match naive loops along every axis", () => {
  const shapes = [[5], [3, 4], [4, 1], [1, 4], [2, 3, 5], [3, 1, 2], [2, 2, 2, 3]];
  let seed = 101;
  for (const shape of shapes) {
    const x = smallInts(shape, seed++, "float32");
    const v = x.dataSync();
    for (let axis = 0; axis < shape.length; axis++) {
      const outer = shape.slice(0, axis).reduce((a, b) => a * b, 1);
      const n = shape[axis];
      const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
      const amax: number[] = [];
      const amin: number[] = [];
      const csum = new Array<number>(v.length);
      const cprod = new Array<number>(v.length);
      for (let o = 0; o < outer; o++) {
        for (let i = 0; i < inner; i++) {
          let bi = 0;
          let si = 0;
          let s = 0;
          let p = 1;
          for (let r = 0; r < n; r++) {
            const at = (o * n + r) * inner + i;
            if (v[at] > v[(o * n + bi) * inner + i]) bi = r;
            if (v[at] < v[(o * n + si) * inner + i]) si = r;
            csum[at] = s += v[at];
            cprod[at] = p *= v[at];
          }
          amax.push(bi);
          amin.push(si);
        }
      }
      const where = `axis ${axis} of ${JSON.stringify(shape)}`;
      assert.deepEqual(Array.from(ops.argmax(x, axis).dataSync()), amax, `argmax ${where}`);
      assert.deepEqual(Array.from(ops.argmin(x, axis).dataSync()), amin, `argmin ${where}`);
      assert.deepEqual(Array.from(ops.cumsum(x, axis).dataSync()), csum, `cumsum ${where}`);
      assert.deepEqual(Array.from(ops.cumprod(x, axis).dataSync()), cprod, `cumprod ${where}`);
    }
  }
});

test("max gradient splits ties equally", () => {
  const g = keras.grad((x: Tensor) => ops.max(x))(f32([1, 3, 3]));
  assert.deepEqual(g.arraySync(), [0, 0.5, 0.5]);
  const gmin = keras.grad((x: Tensor) => ops.sum(ops.min(x, 1)))(f32([[2, 1], [5, 7]]));
  assert.deepEqual(gmin.arraySync(), [[0, 1], [1, 0]]);
});

test("prod gradient is exact with zeros", () => {
  const g = keras.grad((x: Tensor) => ops.prod(x))(f32([2, 0, 3]));
  assert.deepEqual(g.arraySync(), [0, 6, 0]);
  const g2 = keras.grad((x: Tensor) => ops.prod(x))(f32([0, 0, 3]));
  assert.deepEqual(g2.arraySync(), [0, 0, 0]);
});

test("gradients of scalar and empty-axes reductions, and logsumexp at -Infinity", () => {
  assert.equal(keras.grad((x: Tensor) => ops.prod(x))(f32(3)).arraySync(), 1);
  assert.deepEqual(keras.grad((x: Tensor) => ops.sum(ops.prod(x, [])))(f32([2, 3])).arraySync(), [1, 1]);
  assert.deepEqual(keras.grad((x: Tensor) => ops.logsumexp(x))(f32([-Infinity, 0])).arraySync(), [0, 1]);
  assert.deepEqual(keras.grad((x: Tensor) => ops.sum(ops.cumsum(x, 0)))(f32([[1, 2], [3, 4], [5, 6]])).arraySync(), [[3, 3], [2, 2], [1, 1]]);
});

test("cumprod gradient is exact with zeros", () => {
  // out = [2, 0, 0]; d(sum out)/dx = [1 + x1 + x1*x2, x0 + x0*x2, x0*x1] = [1, 2 + 8, 0]
  const g = keras.grad((x: Tensor) => ops.sum(ops.cumprod(x)))(f32([2, 0, 4]));
  assert.deepEqual(g.arraySync(), [1, 10, 0]);
});

test("finite-difference gradients of the differentiable reductions", () => {
  const x = randomTensor([3, 4], 1);
  const x3 = randomTensor([2, 3, 4], 2);
  checkGradients((a) => ops.sum(a, 0), [x]);
  checkGradients((a) => ops.sum(a, [0, 2], true), [x3]);
  checkGradients((a) => ops.sum(a), [x3]);
  checkGradients((a) => ops.mean(a, -1), [x]);
  checkGradients((a) => ops.mean(a, [0, 2]), [x3]);
  checkGradients((a) => ops.max(a, 1), [x]);
  checkGradients((a) => ops.max(a, [0, 2], true), [x3]);
  checkGradients((a) => ops.min(a, 0), [x]);
  checkGradients((a) => ops.prod(a, 1), [x]);
  checkGradients((a) => ops.prod(a, [0, 2]), [x3]);
  checkGradients((a) => ops.prod(a), [f32([[0.5, 0, 2], [1.5, -1, 0]])]);
  checkGradients((a) => ops.prod(a, 1), [f32([[0.5, 0, 2], [0, 0, 3]])]);
  checkGradients((a) => ops.var(a, 1), [x]);
  checkGradients((a) => ops.var(a), [x3]);
  checkGradients((a) => ops.std(a, 0), [x]);
  checkGradients((a) => ops.std(a, [1, 2], true), [randomTensor([2, 3, 4], 3, 1, 3)]);
  checkGradients((a) => ops.logsumexp(a, 1), [x]);
  checkGradients((a) => ops.logsumexp(a), [x3]);
  checkGradients((a) => ops.logsumexp(a, [0, 2], true), [x3]);
  checkGradients((a) => ops.cumsum(a, 1), [x]);
  checkGradients((a) => ops.cumsum(a), [x3]);
  checkGradients((a) => ops.cumsum(a, 0), [x3]);
  checkGradients((a) => ops.cumprod(a, 1), [x]);
  checkGradients((a) => ops.cumprod(a), [randomTensor([6], 4)]);
  checkGradients((a) => ops.cumprod(a, 0), [f32([[0, 2], [1.5, 0], [2, 3], [0, 0.5]])]);
  checkGradients((a) => ops.cumprod(a), [f32([1.5, 0, 2, 0, 3])]);
});

test("reductions on integer inputs record no gradient and argmax is not differentiable", () => {
  const f = (x: Tensor) => ops.sum(ops.multiply(ops.cast(ops.argmax(x, 1), "float32"), ops.sum(x)));
  const g = keras.grad(f)(f32([[1, 2], [4, 3]]));
  // d/dx of argmax(x) * sum(x) summed = sum(argmax) * ones.
  assert.deepEqual(g.arraySync(), [[1, 1], [1, 1]]);
});

test("errors name the op, the axis and the rank", () => {
  const x = x23();
  assert.throws(() => ops.sum(x, 2), /^RangeError: sum: axis 2 is out of bounds for a tensor of rank 2$/);
  assert.throws(() => ops.mean(x, -3), /mean: axis -3 is out of bounds for a tensor of rank 2/);
  assert.throws(() => ops.max(x, [0, 5]), /max: axis 5 is out of bounds/);
  assert.throws(() => ops.prod(x, [1, -1]), /prod: repeated axis/);
  assert.throws(() => ops.std(x, 3), /std: axis 3 is out of bounds/);
  assert.throws(() => ops.var(x, 3), /var: axis 3 is out of bounds/);
  assert.throws(() => ops.logsumexp(x, 2), /logsumexp: axis 2/);
  assert.throws(() => ops.any(x, 2), /any: axis 2/);
  assert.throws(() => ops.all(x, -3), /all: axis -3/);
  assert.throws(() => ops.sum(x, 1.5), /sum: axis must be an integer, got 1.5/);
  assert.throws(() => ops.sum(f32(3), 0), /sum: axis 0 is out of bounds for a tensor of rank 0/);
  assert.throws(() => ops.argmax(x, 2), /argmax: axis 2 is out of bounds/);
  assert.throws(() => ops.argmax(x, [0, 1] as unknown as number), /argmax: axis must be a single integer or null/);
  assert.throws(() => ops.argmin(ops.zeros([2, 0]), 1), /argmin: .*empty/);
  assert.throws(() => ops.argmax(ops.zeros([0])), /argmax: .*empty/);
  assert.throws(() => ops.max(ops.zeros([2, 0]), 1), /max: zero-size axis 1 of a tensor of shape \[2,0\] has no maximum; pass an initial value/);
  assert.throws(() => ops.max(x, 0, false, "1" as unknown as number), /max: initial must be a number/);
  assert.throws(() => ops.min(ops.zeros([0, 2])), /min: zero-size axis 0/);
  assert.throws(() => ops.cumsum(x, 2), /cumsum: axis 2 is out of bounds/);
  assert.throws(() => ops.cumprod(x, [0] as unknown as number), /cumprod: axis must be a single integer or null/);
  assert.throws(() => ops.cumsum(x, 0, "float64" as keras.DType), /cumsum: unsupported dtype "float64"/);
});
