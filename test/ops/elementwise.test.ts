import { describe, test } from "node:test";
import assert from "node:assert/strict";
import * as keras from "../../src/index.js";
import type { NestedArray, Tensor } from "../../src/index.js";
import { checkGradients, randomTensor } from "../helpers/gradcheck.js";

const { ops } = keras;
type Expected = number | boolean | Expected[];

const f32 = (values: NestedArray): Tensor => ops.convertToTensor(values, "float32");

function shapeOf(value: Expected): number[] {
  const shape: number[] = [];
  let probe = value;
  while (Array.isArray(probe)) {
    shape.push(probe.length);
    probe = probe[0];
  }
  return shape;
}

/**
 * Checks dtype, shape and values. Numbers match to a relative 1e-6 (float32 rounding of the
 * hand-computed value); NaN must be NaN; booleans must match exactly.
 */
function expectTensor(actual: Tensor, expected: Expected, dtype: string, what = ""): void {
  assert.equal(actual.dtype, dtype, `${what} dtype`);
  assert.deepEqual([...actual.shape], shapeOf(expected), `${what} shape`);
  const walk = (a: NestedArray, e: Expected, path: string): void => {
    if (Array.isArray(e)) {
      assert.ok(Array.isArray(a), `${what}${path}: expected an array`);
      e.forEach((ei, i) => walk((a as NestedArray[])[i], ei, `${path}[${i}]`));
    } else if (typeof e === "boolean") {
      assert.equal(a, e, `${what}${path}`);
    } else if (Number.isNaN(e)) {
      assert.ok(Number.isNaN(a), `${what}${path}: expected NaN, got ${String(a)}`);
    } else {
      assert.equal(typeof a, "number", `${what}${path}`);
      const tol = Number.isFinite(e) ? 1e-6 * Math.max(1, Math.abs(e)) : 0;
      if (!(Math.abs((a as number) - e) <= tol) && a !== e) assert.fail(`${what}${path}: expected ${e}, got ${String(a)}`);
    }
  };
  walk(actual.arraySync(), expected, "");
}

/* ------------------------------------------------------------- binary ops: broadcasting */

type BinaryFn = (x: keras.ops.TensorLike, y: keras.ops.TensorLike) => Tensor;

interface BinaryCase {
  fn: BinaryFn;
  /** Result dtype for the float32 inputs used here. */
  dtype: string;
  // Inputs default to the shared ones below; comparison and logical ops override them.
  inputs?: { same: [NestedArray, NestedArray]; scalarX: NestedArray; scalar: number; outer: [NestedArray, NestedArray]; rank: [NestedArray, NestedArray] };
  same: Expected; // x[4] op y[4]
  scalarRight: Expected; // x[3] op number
  scalarLeft: Expected; // number op x[3]
  outer: Expected; // [2,1] op [1,3]
  rank: Expected; // [2,3] op [3]
}

const SHARED = {
  same: [[1, -2, 3.5, 0.5], [4, 5, -1.5, 2]] as [NestedArray, NestedArray],
  scalarX: [1, -2, 3.5],
  scalar: 2,
  outer: [[[1], [-2]], [[4, 5, -1.5]]] as [NestedArray, NestedArray],
  rank: [[[1, -2, 3.5], [0.5, 4, -3]], [4, 5, -1.5]] as [NestedArray, NestedArray],
};
const COMPARE = {
  same: [[1, 2, 3, 4], [1, 3, 3, 0]] as [NestedArray, NestedArray],
  scalarX: [1, 2, 3],
  scalar: 2,
  outer: [[[1], [2]], [[1, 2, 3]]] as [NestedArray, NestedArray],
  rank: [[[1, 2, 3], [3, 2, 1]], [1, 2, 2]] as [NestedArray, NestedArray],
};
const logicalInputs = (scalar: number) => ({
  same: [[0, 0, 1, 2], [0, 3, 0, -1]] as [NestedArray, NestedArray],
  scalarX: [0, 1, 2],
  scalar,
  outer: [[[0], [1]], [[0, 1, 5]]] as [NestedArray, NestedArray],
  rank: [[[0, 1, 2], [3, 0, 0]], [1, 0, 1]] as [NestedArray, NestedArray],
});
const T = true;
const F = false;
const NaN_ = Number.NaN;

const BINARY_CASES: Record<string, BinaryCase> = {
  add: {
    fn: ops.add, dtype: "float32",
    same: [5, 3, 2, 2.5], scalarRight: [3, 0, 5.5], scalarLeft: [3, 0, 5.5],
    outer: [[5, 6, -0.5], [2, 3, -3.5]], rank: [[5, 3, 2], [4.5, 9, -4.5]],
  },
  subtract: {
    fn: ops.subtract, dtype: "float32",
    same: [-3, -7, 5, -1.5], scalarRight: [-1, -4, 1.5], scalarLeft: [1, 4, -1.5],
    outer: [[-3, -4, 2.5], [-6, -7, -0.5]], rank: [[-3, -7, 5], [-3.5, -1, -1.5]],
  },
  multiply: {
    fn: ops.multiply, dtype: "float32",
    same: [4, -10, -5.25, 1], scalarRight: [2, -4, 7], scalarLeft: [2, -4, 7],
    outer: [[4, 5, -1.5], [-8, -10, 3]], rank: [[4, -10, -5.25], [2, 20, 4.5]],
  },
  divide: {
    fn: ops.divide, dtype: "float32",
    same: [0.25, -0.4, -2.3333333, 0.25], scalarRight: [0.5, -1, 1.75], scalarLeft: [2, -1, 0.5714286],
    outer: [[0.25, 0.2, -0.6666667], [-0.5, -0.4, 1.3333334]], rank: [[0.25, -0.4, -2.3333333], [0.125, 0.8, 2]],
  },
  floorDivide: {
    fn: ops.floorDivide, dtype: "float32",
    same: [0, -1, -3, 0], scalarRight: [0, -1, 1], scalarLeft: [2, -1, 0],
    outer: [[0, 0, -1], [-1, -1, 1]], rank: [[0, -1, -3], [0, 0, 2]],
  },
  mod: {
    fn: ops.mod, dtype: "float32",
    same: [1, 3, -1, 0.5], scalarRight: [1, 0, 1.5], scalarLeft: [0, 0, 2],
    outer: [[1, 1, -0.5], [2, 3, -0.5]], rank: [[1, 3, -1], [0.5, 4, 0]],
  },
  power: {
    fn: ops.power, dtype: "float32",
    same: [1, -32, 0.1527207, 0.25], scalarRight: [1, 4, 12.25], scalarLeft: [2, 0.25, 11.3137083],
    outer: [[1, 1, 1], [16, -32, NaN_]], rank: [[1, -32, 0.1527207], [0.0625, 1024, NaN_]],
  },
  maximum: {
    fn: ops.maximum, dtype: "float32",
    same: [4, 5, 3.5, 2], scalarRight: [2, 2, 3.5], scalarLeft: [2, 2, 3.5],
    outer: [[4, 5, 1], [4, 5, -1.5]], rank: [[4, 5, 3.5], [4, 5, -1.5]],
  },
  minimum: {
    fn: ops.minimum, dtype: "float32",
    same: [1, -2, -1.5, 0.5], scalarRight: [1, -2, 2], scalarLeft: [1, -2, 2],
    outer: [[1, 1, -1.5], [-2, -2, -2]], rank: [[1, -2, -1.5], [0.5, 4, -3]],
  },
  arctan2: {
    fn: ops.arctan2, dtype: "float32",
    same: [0.2449787, -0.3805064, 1.9756882, 0.2449787],
    scalarRight: [0.4636476, -0.7853981, 1.0516503], scalarLeft: [1.1071488, 2.3561945, 0.5191461],
    outer: [[0.2449787, 0.1973956, 2.5535903], [-0.4636476, -0.3805064, -2.2142975]],
    rank: [[0.2449787, -0.3805064, 1.9756882], [0.124355, 0.674741, -2.0344439]],
  },
  equal: {
    fn: ops.equal, dtype: "bool", inputs: COMPARE,
    same: [T, F, T, F], scalarRight: [F, T, F], scalarLeft: [F, T, F],
    outer: [[T, F, F], [F, T, F]], rank: [[T, T, F], [F, T, F]],
  },
  notEqual: {
    fn: ops.notEqual, dtype: "bool", inputs: COMPARE,
    same: [F, T, F, T], scalarRight: [T, F, T], scalarLeft: [T, F, T],
    outer: [[F, T, T], [T, F, T]], rank: [[F, F, T], [T, F, T]],
  },
  less: {
    fn: ops.less, dtype: "bool", inputs: COMPARE,
    same: [F, T, F, F], scalarRight: [T, F, F], scalarLeft: [F, F, T],
    outer: [[F, T, T], [F, F, T]], rank: [[F, F, F], [F, F, T]],
  },
  lessEqual: {
    fn: ops.lessEqual, dtype: "bool", inputs: COMPARE,
    same: [T, T, T, F], scalarRight: [T, T, F], scalarLeft: [F, T, T],
    outer: [[T, T, T], [F, T, T]], rank: [[T, T, F], [F, T, T]],
  },
  greater: {
    fn: ops.greater, dtype: "bool", inputs: COMPARE,
    same: [F, F, F, T], scalarRight: [F, F, T], scalarLeft: [T, F, F],
    outer: [[F, F, F], [T, F, F]], rank: [[F, F, T], [T, F, F]],
  },
  greaterEqual: {
    fn: ops.greaterEqual, dtype: "bool", inputs: COMPARE,
    same: [T, F, T, T], scalarRight: [F, T, T], scalarLeft: [T, T, F],
    outer: [[T, F, F], [T, T, F]], rank: [[T, T, T], [T, T, F]],
  },
  logicalAnd: {
    fn: ops.logicalAnd, dtype: "bool", inputs: logicalInputs(1),
    same: [F, F, F, T], scalarRight: [F, T, T], scalarLeft: [F, T, T],
    outer: [[F, F, F], [F, T, T]], rank: [[F, F, T], [T, F, F]],
  },
  logicalOr: {
    fn: ops.logicalOr, dtype: "bool", inputs: logicalInputs(0),
    same: [F, T, T, T], scalarRight: [F, T, T], scalarLeft: [F, T, T],
    outer: [[F, T, T], [T, T, T]], rank: [[T, T, T], [T, F, T]],
  },
  logicalXor: {
    fn: ops.logicalXor, dtype: "bool", inputs: logicalInputs(1),
    same: [F, T, T, F], scalarRight: [T, F, F], scalarLeft: [T, F, F],
    outer: [[F, T, T], [T, F, F]], rank: [[T, T, F], [F, F, T]],
  },
};

describe("binary ops broadcast with NumPy rules", () => {
  for (const [name, c] of Object.entries(BINARY_CASES)) {
    test(name, () => {
      const inputs = c.inputs ?? SHARED;
      // Arithmetic runs on float32 tensors; comparisons and logical ops on int32 ones.
      const conv = c.inputs ? (v: NestedArray) => ops.convertToTensor(v) : f32;
      expectTensor(c.fn(conv(inputs.same[0]), conv(inputs.same[1])), c.same, c.dtype, `${name} same shape`);
      expectTensor(c.fn(conv(inputs.scalarX), inputs.scalar), c.scalarRight, c.dtype, `${name} tensor-number`);
      expectTensor(c.fn(inputs.scalar, conv(inputs.scalarX)), c.scalarLeft, c.dtype, `${name} number-tensor`);
      expectTensor(c.fn(conv(inputs.outer[0]), conv(inputs.outer[1])), c.outer, c.dtype, `${name} [2,1] x [1,3]`);
      expectTensor(c.fn(conv(inputs.rank[0]), conv(inputs.rank[1])), c.rank, c.dtype, `${name} [2,3] x [3]`);
      // Broadcasting is symmetric in shape: [3] x [2,3] gives [2,3] too.
      assert.deepEqual([...c.fn(conv(inputs.rank[1]), conv(inputs.rank[0])).shape], [2, 3]);
      // A rank-0 tensor broadcasts like a number.
      expectTensor(c.fn(conv(inputs.scalarX), conv(inputs.scalar)), c.scalarRight, c.dtype, `${name} tensor-rank0`);
      // Zero-size dimensions broadcast to zero-size results.
      const empty = c.fn(ops.zeros([0, 3], c.inputs ? "int32" : "float32"), conv(inputs.rank[1]));
      assert.deepEqual([...empty.shape], [0, 3]);
      assert.equal(empty.dtype, c.dtype);
    });
  }

  test("a mismatch names the op and both shapes", () => {
    for (const [name, c] of Object.entries(BINARY_CASES)) {
      assert.throws(() => c.fn(ops.ones([2, 3]), ops.ones([4])), (e: Error) => e.message === `${name}: shapes cannot be broadcast together: [2,3] and [4]`, name);
    }
    assert.throws(() => ops.clip(ops.ones([2]), ops.zeros([3]), 1), /clip: shapes cannot be broadcast together: \[2\] and \[3\]/);
    assert.throws(() => ops.add(ops.ones([0]), ops.ones([2])), /add: shapes cannot be broadcast together: \[0\] and \[2\]/);
  });
});

/* --------------------------------------------------------------- integer semantics */

describe("integer semantics", () => {
  test("floorDivide and mod on int32 follow Python, including negatives and division by zero", () => {
    const x = [7, -7, 7, -7, 6, 5, 0, -2147483648];
    const y = [2, 2, -2, -2, 3, 0, 0, -1];
    // Integer division by zero gives 0 (NumPy's result); INT_MIN // -1 wraps as in NumPy.
    expectTensor(ops.floorDivide(x, y), [3, -4, -4, 3, 2, 0, 0, -2147483648], "int32");
    expectTensor(ops.mod(x, y), [1, 1, -1, -1, 0, 0, 0, 0], "int32");
    expectTensor(ops.floorDivide(ops.convertToTensor([7, 200], "uint8"), ops.convertToTensor([2, 0], "uint8")), [3, 0], "uint8");
    expectTensor(ops.mod(ops.convertToTensor([7, 200], "uint8"), 0), [0, 0], "uint8");
  });

  test("floorDivide and mod on floats follow NumPy at zero and infinity", () => {
    expectTensor(ops.floorDivide(f32([1, -1, 0, -5, 5, -7.5]), f32([0, 0, 0, Infinity, Infinity, 2])), [Infinity, -Infinity, NaN_, -1, 0, -4], "float32");
    expectTensor(ops.mod(f32([1, -5, 5, -7.5, 7.5]), f32([0, Infinity, Infinity, 2, -2])), [NaN_, Infinity, 5, 0.5, -0.5], "float32");
    // float32(0.1) is slightly above 0.1, so 1 // 0.1 is 9, as in NumPy.
    expectTensor(ops.floorDivide(f32([1]), f32([0.1])), [9], "float32");
  });

  test("int32 arithmetic wraps like NumPy instead of losing precision", () => {
    expectTensor(ops.add([2147483647], [1]), [-2147483648], "int32");
    expectTensor(ops.multiply([65536, 123456789], [65536, 1000]), [0, -1097262584], "int32");
    // Products beyond 2^53 are inexact in float64; NumPy keeps the exact low 32 bits.
    expectTensor(ops.multiply([2147483647, 123456789, -46341], [2147483647, 987654321, 46341]), [1, -67153019, 2147479015], "int32");
    expectTensor(ops.square([65536, -3, 2147483647, 123456789]), [0, 9, 1, -1757895751], "int32");
    expectTensor(ops.power([3, 2, -2, 7], [40, 10, 3, 0]), [689956897, 1024, -8, 1], "int32");
    expectTensor(ops.abs([-2147483648, -3]), [-2147483648, 3], "int32");
  });

  test("integer power with a negative exponent truncates 1 / x ** -y", () => {
    expectTensor(ops.power([2, 1, -1, -1, 0], [-1, -5, -3, -2, -1]), [0, 1, -1, 1, 0], "int32");
  });

  test("uint8 arithmetic wraps modulo 256", () => {
    const x = ops.convertToTensor([250, 3], "uint8");
    expectTensor(ops.add(x, 10), [4, 13], "uint8");
    expectTensor(ops.subtract(x, 5), [245, 254], "uint8");
    expectTensor(ops.negative(x), [6, 253], "uint8");
    expectTensor(ops.multiply(x, x), [36, 9], "uint8");
  });

  test("C pow special cases where JavaScript differs", () => {
    expectTensor(ops.power(f32([1, -1, -1, 2]), f32([NaN_, Infinity, -Infinity, 0])), [1, 1, 1, 1], "float32");
  });
});

/* ---------------------------------------------------------------------- dtypes */

describe("result dtypes follow Keras", () => {
  const u8 = ops.convertToTensor([1, 2], "uint8");
  const i32 = ops.convertToTensor([1, 2], "int32");
  const b = ops.convertToTensor([true, false]);
  const x = f32([1, 2]);

  test("weak numbers keep the tensor's dtype when they fit", () => {
    assert.equal(ops.add(u8, 3).dtype, "uint8");
    assert.equal(ops.multiply(3, u8).dtype, "uint8");
    assert.equal(ops.multiply(i32, 2).dtype, "int32");
    expectTensor(ops.multiply(i32, 0.5), [0.5, 1], "float32");
    expectTensor(ops.add(u8, 0.5), [1.5, 2.5], "float32");
    expectTensor(ops.add(b, 1), [2, 1], "int32");
    assert.equal(ops.add(x, 3).dtype, "float32");
    expectTensor(ops.add(2, 3), 5, "int32");
    expectTensor(ops.add(2, 0.5), 2.5, "float32");
  });

  test("two tensors promote on bool < uint8 < int32 < float32", () => {
    assert.equal(ops.add(u8, i32).dtype, "int32");
    assert.equal(ops.add(i32, x).dtype, "float32");
    assert.equal(ops.maximum(u8, b).dtype, "uint8");
    expectTensor(ops.add(b, ops.convertToTensor([true, true])), [true, true], "bool");
    expectTensor(ops.multiply(b, ops.convertToTensor([true, true])), [true, false], "bool");
    expectTensor(ops.maximum(b, ops.convertToTensor([false, false])), [true, false], "bool");
  });

  test("true division of integers gives float32", () => {
    expectTensor(ops.divide([1, 3], [2, 2]), [0.5, 1.5], "float32");
    expectTensor(ops.divide(u8, u8), [1, 1], "float32");
    expectTensor(ops.divide(b, 2), [0.5, 0], "float32");
    expectTensor(ops.arctan2([1], [1]), [Math.PI / 4], "float32");
  });

  test("floorDivide, mod and power keep integers; bool computes in int32", () => {
    expectTensor(ops.floorDivide([7], [2]), [3], "int32");
    expectTensor(ops.floorDivide(u8, u8), [1, 1], "uint8");
    expectTensor(ops.floorDivide(b, ops.convertToTensor([true, true])), [1, 0], "int32");
    expectTensor(ops.mod(b, ops.convertToTensor([true, true])), [0, 0], "int32");
    expectTensor(ops.power(b, ops.convertToTensor([true, true])), [1, 0], "int32");
    expectTensor(ops.power(i32, 2), [1, 4], "int32");
    expectTensor(ops.power(i32, 0.5), [1, Math.SQRT2], "float32");
  });

  test("comparisons, logical ops and predicates give bool for every input dtype", () => {
    for (const t of [u8, i32, b, x]) {
      for (const fn of [ops.equal, ops.notEqual, ops.less, ops.lessEqual, ops.greater, ops.greaterEqual, ops.logicalAnd, ops.logicalOr, ops.logicalXor]) {
        assert.equal(fn(t, t).dtype, "bool", `${fn.name} of ${t.dtype}`);
      }
      for (const fn of [ops.logicalNot, ops.isnan, ops.isinf, ops.isfinite]) assert.equal(fn(t).dtype, "bool", `${fn.name} of ${t.dtype}`);
    }
    expectTensor(ops.equal(i32, x), [true, true], "bool");
    expectTensor(ops.less(i32, 1.5), [true, false], "bool");
  });

  test("a comparison with a number the dtype cannot hold is exact", () => {
    const img = ops.convertToTensor([0, 44, 255], "uint8");
    expectTensor(ops.less(img, 300), [true, true, true], "bool");
    expectTensor(ops.equal(img, 300), [false, false, false], "bool");
    expectTensor(ops.greater(img, -1), [true, true, true], "bool");
    expectTensor(ops.less(ops.convertToTensor([5]), 2 ** 40), [true], "bool");
  });

  test("abs, sign, negative, relu, square, round keep integer dtypes", () => {
    expectTensor(ops.abs([-3, 2]), [3, 2], "int32");
    expectTensor(ops.abs(u8), [1, 2], "uint8");
    expectTensor(ops.sign([-3, 0, 2]), [-1, 0, 1], "int32");
    expectTensor(ops.negative([-3, 2]), [3, -2], "int32");
    expectTensor(ops.relu([-3, 2]), [0, 2], "int32");
    expectTensor(ops.square([-3, 2]), [9, 4], "int32");
    expectTensor(ops.square(b), [1, 0], "int32");
    expectTensor(ops.round([-3, 2]), [-3, 2], "int32");
  });

  test("float functions of integers and bools give float32", () => {
    const fns = [ops.sqrt, ops.exp, ops.expm1, ops.log, ops.log1p, ops.sin, ops.cos, ops.tan, ops.tanh, ops.sigmoid, ops.softplus, ops.erf,
      ops.reciprocal, ops.arcsin, ops.arccos, ops.arctan, ops.sinh, ops.cosh, ops.arcsinh, ops.arccosh, ops.arctanh, ops.floor, ops.ceil];
    for (const fn of fns) {
      for (const t of [u8, i32, b]) assert.equal(fn(t).dtype, "float32", `${fn.name} of ${t.dtype}`);
      assert.equal(fn(x).dtype, "float32", `${fn.name} of float32`);
    }
    expectTensor(ops.sqrt([4, 9]), [2, 3], "float32");
    expectTensor(ops.reciprocal([2, 4]), [0.5, 0.25], "float32");
    expectTensor(ops.floor([3, -3]), [3, -3], "float32");
    expectTensor(ops.exp(b), [Math.E, 1], "float32");
  });

  test("clip keeps the dtype of x (bool becomes int32)", () => {
    expectTensor(ops.clip([-3, 1, 3], 0, 2), [0, 1, 2], "int32");
    // Fractional bounds compute in float32, then cast back: [0.5, 1, 2.5] -> [0, 1, 2].
    expectTensor(ops.clip([-3, 1, 3], 0.5, 2.5), [0, 1, 2], "int32");
    expectTensor(ops.clip(ops.convertToTensor([250, 3], "uint8"), 5, 300), [250, 5], "uint8");
    expectTensor(ops.clip(b, 0, 1), [1, 0], "int32");
    expectTensor(ops.clip(f32([-2, 0.5, 7]), 0, 1), [0, 0.5, 1], "float32");
    // Tensor bounds broadcast.
    expectTensor(ops.clip(f32([[-2, 0.5, 7]]), f32([[0], [1]]), 5), [[0, 0.5, 5], [1, 1, 5]], "float32");
  });

  test("where takes the promoted dtype of x and y", () => {
    expectTensor(ops.where([true, false], 1, 0), [1, 0], "int32");
    expectTensor(ops.where([true, false], i32, 0.5), [1, 0.5], "float32");
    expectTensor(ops.where([true, false], u8, 7), [1, 7], "uint8");
    expectTensor(ops.where([true, false], b, ops.convertToTensor([true, true])), [true, true], "bool");
  });
});

/* -------------------------------------------------------------- unary op values */

describe("unary op values", () => {
  const u = f32([-1.5, -0.5, 0, 0.5, 2]);
  const pos = f32([0.5, 1, 2, 4]);
  const w = f32([-0.9, -0.5, 0, 0.5, 0.9]);
  const cases: [string, (x: Tensor) => Tensor, Tensor, Expected][] = [
    ["negative", ops.negative, u, [1.5, 0.5, 0, -0.5, -2]],
    ["abs", ops.abs, u, [1.5, 0.5, 0, 0.5, 2]],
    ["sign", ops.sign, u, [-1, -1, 0, 1, 1]],
    ["square", ops.square, u, [2.25, 0.25, 0, 0.25, 4]],
    ["relu", ops.relu, u, [0, 0, 0, 0.5, 2]],
    ["exp", ops.exp, u, [0.2231302, 0.6065307, 1, 1.6487212, 7.3890561]],
    ["expm1", ops.expm1, u, [-0.7768698, -0.3934693, 0, 0.6487213, 6.3890561]],
    ["sin", ops.sin, u, [-0.997495, -0.4794255, 0, 0.4794255, 0.9092974]],
    ["cos", ops.cos, u, [0.0707372, 0.8775826, 1, 0.8775826, -0.4161468]],
    ["tan", ops.tan, u, [-14.1014204, -0.5463025, 0, 0.5463025, -2.18504]],
    ["tanh", ops.tanh, u, [-0.9051482, -0.4621172, 0, 0.4621172, 0.9640276]],
    ["sigmoid", ops.sigmoid, u, [0.1824255, 0.3775407, 0.5, 0.6224593, 0.8807971]],
    ["softplus", ops.softplus, u, [0.2014133, 0.474077, 0.6931472, 0.974077, 2.126928]],
    ["erf", ops.erf, u, [-0.9661051, -0.5204999, 0, 0.5204999, 0.9953223]],
    ["arctan", ops.arctan, u, [-0.9827937, -0.4636476, 0, 0.4636476, 1.1071488]],
    ["sinh", ops.sinh, u, [-2.1292794, -0.5210953, 0, 0.5210953, 3.6268604]],
    ["cosh", ops.cosh, u, [2.3524096, 1.1276261, 1, 1.1276261, 3.7621956]],
    ["arcsinh", ops.arcsinh, u, [-1.1947632, -0.4812118, 0, 0.4812118, 1.4436355]],
    ["sqrt", ops.sqrt, pos, [0.7071068, 1, 1.4142135, 2]],
    ["log", ops.log, pos, [-0.6931472, 0, 0.6931472, 1.3862944]],
    ["log1p", ops.log1p, pos, [0.4054651, 0.6931472, 1.0986123, 1.6094379]],
    ["reciprocal", ops.reciprocal, pos, [2, 1, 0.5, 0.25]],
    ["arcsin", ops.arcsin, w, [-1.1197696, -0.5235988, 0, 0.5235988, 1.1197696]],
    ["arccos", ops.arccos, w, [2.6905658, 2.0943952, 1.5707964, 1.0471976, 0.4510269]],
    ["arctanh", ops.arctanh, w, [-1.4722193, -0.5493062, 0, 0.5493062, 1.4722193]],
    ["arccosh", ops.arccosh, f32([1, 1.5, 2, 10]), [0, 0.9624236, 1.316958, 2.993223]],
    ["floor", ops.floor, f32([-1.5, -0.5, 0.5, 2.7]), [-2, -1, 0, 2]],
    ["ceil", ops.ceil, f32([-1.5, -0.5, 0.5, 2.7]), [-1, 0, 1, 3]],
    ["round", ops.round, f32([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 2.4, -2.6]), [0, 2, 2, 0, -2, -2, 2, -3]],
  ];
  for (const [name, fn, input, expected] of cases) {
    test(name, () => {
      expectTensor(fn(input), expected, "float32", name);
      // Shape is preserved for higher ranks.
      assert.deepEqual([...fn(ops.reshape(input, [1, input.size, 1])).shape], [1, input.size, 1]);
    });
  }

  test("round to decimals (half to even) and to tens for integers", () => {
    expectTensor(ops.round(f32([1.234, 15.5, -2.675]), 1), [1.2, 15.5, -2.7], "float32");
    expectTensor(ops.round([15, 25, 14, -15], -1), [20, 20, 10, -20], "int32");
    expectTensor(ops.round(f32([1250, 1350]), -2), [1200, 1400], "float32");
    assert.throws(() => ops.round(f32([1]), 0.5), /round: decimals must be an integer/);
  });

  test("NaN, infinity and large inputs", () => {
    const specials = f32([Number.NaN, Infinity, -Infinity, 1]);
    expectTensor(ops.isnan(specials), [true, false, false, false], "bool");
    expectTensor(ops.isinf(specials), [false, true, true, false], "bool");
    expectTensor(ops.isfinite(specials), [false, false, false, true], "bool");
    expectTensor(ops.isfinite([3, -2147483648]), [true, true], "bool");
    expectTensor(ops.logicalNot(f32([0, Number.NaN, -2])), [true, false, false], "bool");
    expectTensor(ops.relu(specials), [NaN_, Infinity, 0, 1], "float32");
    expectTensor(ops.sign(specials), [NaN_, 1, -1, 1], "float32");
    expectTensor(ops.maximum(specials, 0), [NaN_, Infinity, 0, 1], "float32");
    expectTensor(ops.minimum(0, specials), [NaN_, 0, -Infinity, 0], "float32");
    // No overflow to NaN in either tail.
    expectTensor(ops.sigmoid(f32([-100, 100])), [3.7200760e-44, 1], "float32");
    expectTensor(ops.softplus(f32([-100, 100])), [3.7200760e-44, 100], "float32");
    expectTensor(ops.erf(f32([-7, 3])), [-1, 0.9999779], "float32");
  });

  test("where picks by a broadcast condition; nonzero is true", () => {
    expectTensor(ops.where([[true], [false]], f32([1, 2, 3]), 0.5), [[1, 2, 3], [0.5, 0.5, 0.5]], "float32");
    expectTensor(ops.where(f32([0, -1, Number.NaN]), 1, 2), [2, 1, 1], "int32");
    expectTensor(ops.where(true, f32([1, 2]), f32([[3], [4]])), [[1, 2], [1, 2]], "float32");
  });
});

/* --------------------------------------------------------------------- gradients */

const c = (values: number[], shape?: number[]): Tensor => (shape ? ops.reshape(f32(values), shape) : f32(values));

describe("gradients match finite differences", () => {
  const gradCases: [string, (...xs: Tensor[]) => Tensor, Tensor[]][] = [
    ["add (broadcast)", ops.add, [randomTensor([2, 3], 1), randomTensor([3], 2)]],
    ["subtract (broadcast)", ops.subtract, [randomTensor([2, 1], 3), randomTensor([1, 3], 4)]],
    ["multiply (broadcast)", ops.multiply, [randomTensor([2, 3], 5), randomTensor([2, 1], 6)]],
    ["divide (broadcast)", ops.divide, [randomTensor([2, 3], 7), randomTensor([3], 8, 0.5, 2)]],
    // a / b stays at least 0.2 away from an integer, so floor(a / b) is locally constant.
    ["mod", ops.mod, [c([0.3, 1.7, -0.4, 2.6, -2.3, 5.5]), c([1, 1.5, 1, -1, 1, 2])]],
    ["power", ops.power, [randomTensor([2, 3], 9, 0.5, 2), randomTensor([3], 10, -1.5, 1.5)]],
    ["maximum (broadcast)", ops.maximum, [c([0.1, -0.9, 0.5, 0.8, -0.3, 0.2], [2, 3]), c([0.3, -0.5, 0.6])]],
    ["minimum (broadcast)", ops.minimum, [c([0.1, -0.9, 0.5, 0.8, -0.3, 0.2], [2, 3]), c([0.3, -0.5, 0.6])]],
    ["arctan2", ops.arctan2, [randomTensor([2, 3], 11), randomTensor([3], 12, 0.5, 1.5)]],
    ["negative", ops.negative, [randomTensor([2, 3], 13)]],
    ["abs", ops.abs, [c([-0.9, -0.5, 0.3, 0.7])]],
    ["sqrt", ops.sqrt, [randomTensor([4], 14, 0.5, 2)]],
    ["square", ops.square, [randomTensor([4], 15)]],
    ["reciprocal", ops.reciprocal, [randomTensor([4], 16, 0.5, 2)]],
    ["exp", ops.exp, [randomTensor([4], 17)]],
    ["expm1", ops.expm1, [randomTensor([4], 18)]],
    ["log", ops.log, [randomTensor([4], 19, 0.5, 2)]],
    ["log1p", ops.log1p, [randomTensor([4], 20, -0.5, 1)]],
    ["sin", ops.sin, [randomTensor([4], 21, -2, 2)]],
    ["cos", ops.cos, [randomTensor([4], 22, -2, 2)]],
    ["tan", ops.tan, [randomTensor([4], 23, -1, 1)]],
    ["tanh", ops.tanh, [randomTensor([4], 24, -2, 2)]],
    ["sigmoid", ops.sigmoid, [randomTensor([4], 25, -3, 3)]],
    ["relu", ops.relu, [c([-0.9, -0.5, 0.3, 0.7])]],
    ["softplus", ops.softplus, [randomTensor([4], 26, -3, 3)]],
    ["erf", ops.erf, [randomTensor([4], 27, -2, 2)]],
    ["arcsin", ops.arcsin, [randomTensor([4], 28, -0.8, 0.8)]],
    ["arccos", ops.arccos, [randomTensor([4], 29, -0.8, 0.8)]],
    ["arctan", ops.arctan, [randomTensor([4], 30, -2, 2)]],
    ["sinh", ops.sinh, [randomTensor([4], 31, -2, 2)]],
    ["cosh", ops.cosh, [randomTensor([4], 32, -2, 2)]],
    ["arcsinh", ops.arcsinh, [randomTensor([4], 33, -2, 2)]],
    ["arccosh", ops.arccosh, [randomTensor([4], 34, 1.5, 3)]],
    ["arctanh", ops.arctanh, [randomTensor([4], 35, -0.8, 0.8)]],
    ["clip", (x) => ops.clip(x, -0.5, 0.5), [c([-0.9, -0.3, 0.1, 0.45, 0.8])]],
    ["clip with tensor bounds", (x, lo, hi) => ops.clip(x, lo, hi), [c([-0.9, -0.3, 0.1, 0.8]), c([-0.5]), c([0.2, 0.2, 0.2, 0.5])]],
    ["where (broadcast)", (x, y) => ops.where([[true, false, true], [false, false, true]], x, y), [randomTensor([2, 3], 36), randomTensor([3], 37)]],
    ["composite", (x, y) => ops.tanh(ops.add(ops.multiply(ops.sigmoid(x), y), ops.square(ops.sin(y)))), [randomTensor([2, 3], 38), randomTensor([3], 39)]],
  ];
  for (const [name, fn, inputs] of gradCases) {
    test(name, () => checkGradients(fn, inputs));
  }
});

describe("gradient conventions at kinks and edges", () => {
  const gradOf = (fn: (x: Tensor) => Tensor, x: Tensor): Tensor => keras.grad((t: Tensor) => ops.sum(fn(t)))(x);

  test("relu'(0) = 0 and abs'(0) = 0", () => {
    expectTensor(gradOf(ops.relu, f32([-1, 0, 2])), [0, 0, 1], "float32");
    expectTensor(gradOf(ops.abs, f32([-1, 0, 2])), [-1, 0, 1], "float32");
  });

  test("maximum and minimum send ties to the first operand", () => {
    const [ga, gb] = keras.grad((a: Tensor, b: Tensor) => ops.sum(ops.maximum(a, b)), { argnums: [0, 1] })(f32([1, 2, 3]), f32([1, 5, 0]));
    expectTensor(ga, [1, 0, 1], "float32");
    expectTensor(gb, [0, 1, 0], "float32");
    const [ma, mb] = keras.grad((a: Tensor, b: Tensor) => ops.sum(ops.minimum(a, b)), { argnums: [0, 1] })(f32([1, 2, 3]), f32([1, 5, 0]));
    expectTensor(ma, [1, 1, 0], "float32");
    expectTensor(mb, [0, 0, 1], "float32");
  });

  test("clip passes the gradient where min <= x <= max, boundaries included", () => {
    expectTensor(gradOf((x) => ops.clip(x, 0, 1), f32([-1, 0, 0.5, 1, 2])), [0, 1, 1, 1, 0], "float32");
  });

  test("where sends the gradient to the chosen branch, summed over broadcasting", () => {
    const [gx, gy] = keras.grad((x: Tensor, y: Tensor) => ops.sum(ops.where([[true, false], [true, true]], x, y)), { argnums: [0, 1] })(f32([1, 2]), f32(3));
    expectTensor(gx, [2, 1], "float32");
    expectTensor(gy, 1, "float32");
  });

  test("power: no NaN at base 0 or below, and the exponent gets out * log(base) only where base > 0", () => {
    const [ga, gb] = keras.grad((a: Tensor, b: Tensor) => ops.sum(ops.power(a, b)), { argnums: [0, 1] })(f32([0, -2, 0, 2]), f32([2, 2, 0, 3]));
    expectTensor(ga, [0, -4, 0, 12], "float32");
    expectTensor(gb, [0, 0, 0, 8 * Math.LN2], "float32");
  });

  test("piecewise-constant ops give zero gradients", () => {
    for (const fn of [ops.floor, ops.ceil, ops.round, ops.sign, (x: Tensor) => ops.floorDivide(x, 0.7)]) {
      expectTensor(gradOf(fn, f32([-1.3, 0.2, 2.6])), [0, 0, 0], "float32");
    }
    const viaComparison = (x: Tensor) => ops.multiply(ops.cast(ops.greater(x, 0), "float32"), 3);
    expectTensor(gradOf(viaComparison, f32([-1, 2])), [0, 0], "float32");
  });

  test("integer operands get no gradient but do not break the float one", () => {
    const g = gradOf((x) => ops.multiply(x, ops.convertToTensor([2, 3])), f32([1, 1]));
    expectTensor(g, [2, 3], "float32");
    const gd = gradOf((x) => ops.divide(ops.convertToTensor([2, 3]), x), f32([1, 2]));
    expectTensor(gd, [-2, -0.75], "float32");
  });
});

/* ------------------------------------------------------------------------ errors */

describe("errors are clear and name the op", () => {
  test("non-tensor inputs", () => {
    // The wording after "op:" belongs to convertToTensor; these check the op name, error type and subject.
    assert.throws(() => ops.add("x" as never, 1), /^TypeError: add: .*\bstring\b/);
    assert.throws(() => ops.exp(null as never), /^TypeError: exp: .*\bnull\b/);
    assert.throws(() => ops.where([true], {} as never, 1), /^TypeError: where: .*\bobject\b/);
    assert.throws(() => ops.multiply(new Float64Array(2) as never, 1), /^TypeError: multiply: .*Float64Array/);
    assert.throws(() => ops.sin([[1, 2], [3]]), /^(Type)?Error: sin: .*ragged/);
    // Ops whose kernel has another name still report the keras.ops name.
    assert.throws(() => ops.arcsin("x" as never), /^TypeError: arcsin: /);
    assert.throws(() => ops.arctan2(ops.ones([2]), ops.ones([3])), /^Error: arctan2: shapes cannot be broadcast together: \[2\] and \[3\]$/);
  });

  test("three-way where mismatch names all three shapes", () => {
    assert.throws(() => ops.where([true, false], f32([1, 2, 3]), 0), (e: Error) => e.message === "where: shapes cannot be broadcast together: condition [2], x [3], y []");
  });

  test("bool subtract and negative are rejected, as in NumPy", () => {
    assert.throws(() => ops.subtract([true], [false]), /^TypeError: subtract: not supported for bool tensors; use logicalXor/);
    assert.throws(() => ops.negative([true]), /^TypeError: negative: not supported for bool tensors; use logicalNot/);
    expectTensor(ops.subtract([true], 1), [0], "int32");
  });

  test("a number out of range for an integer tensor's dtype", () => {
    const img = ops.convertToTensor([1], "uint8");
    assert.throws(() => ops.add(img, 300), /^RangeError: add: the number 300 is out of range for a tensor of dtype uint8/);
    assert.throws(() => ops.multiply(-1, img), /multiply: the number -1 is out of range for a tensor of dtype uint8/);
    assert.throws(() => ops.maximum(ops.convertToTensor([1]), 2 ** 31), /maximum: the number 2147483648 is out of range for a tensor of dtype int32/);
    expectTensor(ops.add(img, -1.5), [-0.5], "float32");
    expectTensor(ops.add(2 ** 40, 1), 2 ** 40 + 1, "float32");
  });
});
