import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { binary, broadcastTo, cast, fill, select, unary } from "../../../src/backend/reference/elementwise.js";
import type { BinaryOp, UnaryOp } from "../../../src/backend/backend.js";
import type { DType, TypedArray } from "../../../src/backend/dtypes.js";

/*
 * The reference kernels against an independent oracle: every output element's multi-index is
 * mapped to each input by hand (size-1 axes read index 0), with no axis merging or fast paths.
 */

function broadcastShape(...shapes: number[][]): number[] {
  const rank = Math.max(...shapes.map((s) => s.length));
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    let d = 1;
    for (const s of shapes) {
      const k = i - (rank - s.length);
      const dim = k < 0 ? 1 : s[k];
      if (dim !== 1) {
        if (d !== 1 && d !== dim) throw new Error("oracle: incompatible shapes");
        d = dim;
      }
    }
    out.push(d);
  }
  return out;
}

/** Flat index into an input of `shape` for the output multi-index `idx`. */
function sourceIndex(idx: number[], shape: number[]): number {
  const lead = idx.length - shape.length;
  let flat = 0;
  for (let k = 0; k < shape.length; k++) flat = flat * shape[k] + (shape[k] === 1 ? 0 : idx[lead + k]);
  return flat;
}

function forEachIndex(shape: number[], fn: (idx: number[], flat: number) => void): void {
  const size = shape.reduce((a, b) => a * b, 1);
  const idx = new Array<number>(shape.length).fill(0);
  for (let flat = 0; flat < size; flat++) {
    fn(idx, flat);
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++idx[d] < shape[d]) break;
      idx[d] = 0;
    }
  }
}

/** Deterministic small values (with repeats, so equality ops see both outcomes). */
function values(n: number, seed: number, kind: "f" | "i" = "f"): TypedArray {
  const out = kind === "f" ? new Float32Array(n) : new Int32Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    const v = (s % 9) - 4;
    out[i] = kind === "f" ? v / 2 + (v === 0 ? 0 : 0.25) : v;
  }
  return out;
}

const ORACLE: Partial<Record<BinaryOp, (a: number, b: number) => number>> = {
  add: (a, b) => a + b,
  subtract: (a, b) => a - b,
  multiply: (a, b) => a * b,
  divide: (a, b) => a / b,
  atan2: Math.atan2,
  less: (a, b) => (a < b ? 1 : 0),
  equal: (a, b) => (a === b ? 1 : 0),
};

function checkBinary(op: BinaryOp, aShape: number[], bShape: number[], aKind: "f" | "i" = "f", bKind: "f" | "i" = "f"): void {
  const f = ORACLE[op]!;
  const size = (s: number[]) => s.reduce((x, y) => x * y, 1);
  const a = values(size(aShape), 3, aKind);
  const b = values(size(bShape), 11, bKind);
  const outShape = broadcastShape(aShape, bShape);
  const outDtype: DType = op === "less" || op === "equal" ? "bool" : "float32";
  const out = binary(op, a, aShape, b, bShape, outShape, outDtype);
  assert.equal(out.length, size(outShape), `${op} ${JSON.stringify(aShape)} x ${JSON.stringify(bShape)} size`);
  forEachIndex(outShape, (idx, flat) => {
    const expected = Math.fround(f(a[sourceIndex(idx, aShape)], b[sourceIndex(idx, bShape)]));
    assert.equal(out[flat], expected, `${op} ${JSON.stringify(aShape)} x ${JSON.stringify(bShape)} at [${idx.join(",")}]`);
  });
}

const AWKWARD_SHAPES: [number[], number[]][] = [
  [[4], [4]], // same shape: flat loop
  [[1, 3, 1], [3]], // same size, different rank: flat loop
  [[5], []], // scalar right
  [[], [5]], // scalar left
  [[], []],
  [[1], [2, 3]],
  [[1, 3], [2, 1]],
  [[2, 1], [1, 3]],
  [[2, 1, 4], [3, 1]],
  [[3, 1], [2, 1, 4]],
  [[2, 3, 4], [2, 1, 4]],
  [[2, 3, 4], [4]],
  [[2, 3, 4], [3, 1]],
  [[4, 1, 3, 1], [2, 1, 5]],
  [[2, 1, 3, 1, 2], [1, 4, 1, 5, 2]],
  [[0, 3], [1, 3]], // zero-size dims
  [[2, 0], [2, 1]],
  [[0], []],
  [[3, 1, 0], [1, 4, 1]],
];

describe("binary kernel broadcasting matches an index-by-index oracle", () => {
  for (const op of ["subtract", "atan2", "less"] as BinaryOp[]) {
    test(op, () => {
      for (const [aShape, bShape] of AWKWARD_SHAPES) checkBinary(op, aShape, bShape);
    });
  }

  test("mixed input array types (int32 with float32)", () => {
    for (const [aShape, bShape] of AWKWARD_SHAPES) {
      checkBinary("divide", aShape, bShape, "i", "f");
      checkBinary("equal", aShape, bShape, "f", "i");
    }
  });
});

describe("select and broadcastTo match the oracle", () => {
  test("select over three broadcast shapes", () => {
    const cases: [number[], number[], number[]][] = [
      [[4], [4], [4]],
      [[2, 1], [1, 3], []],
      [[3, 1], [2, 1, 4], [4]],
      [[], [2, 3], [3]],
      [[1, 1, 2], [2, 1, 1], [1, 3, 1]],
      [[0, 2], [2], [1]],
    ];
    for (const [cShape, aShape, bShape] of cases) {
      const size = (s: number[]) => s.reduce((x, y) => x * y, 1);
      const cond = Uint8Array.from(values(size(cShape), 5, "i"), (v) => (v > 0 ? 1 : 0));
      const a = values(size(aShape), 7);
      const b = values(size(bShape), 9);
      const outShape = broadcastShape(cShape, aShape, bShape);
      const out = select(cond, cShape, a, aShape, b, bShape, outShape, "float32");
      assert.equal(out.length, size(outShape));
      forEachIndex(outShape, (idx, flat) => {
        const expected = cond[sourceIndex(idx, cShape)] !== 0 ? a[sourceIndex(idx, aShape)] : b[sourceIndex(idx, bShape)];
        assert.equal(out[flat], expected, `select ${JSON.stringify([cShape, aShape, bShape])} at [${idx.join(",")}]`);
      });
    }
  });

  test("broadcastTo", () => {
    for (const [shape, outShape] of [[[3], [2, 3]], [[2, 1], [2, 4]], [[1, 3, 1], [2, 3, 2]], [[], [3]], [[1], [0]]] as [number[], number[]][]) {
      const x = values(shape.reduce((p, q) => p * q, 1), 13);
      const out = broadcastTo(x, shape, outShape);
      forEachIndex(outShape, (idx, flat) => assert.equal(out[flat], x[sourceIndex(idx, shape)]));
      assert.equal(out.length, outShape.reduce((p, q) => p * q, 1));
    }
  });
});

describe("integer and bool semantics of the kernels", () => {
  const i32 = (...v: number[]) => Int32Array.from(v);
  const run = (op: BinaryOp, a: TypedArray, b: TypedArray, dtype: DType) => [...binary(op, a, [a.length], b, [b.length], [a.length], dtype)];

  test("int32 floorDivide / mod: floor semantics, x // 0 = x % 0 = 0, no throw", () => {
    const a = i32(7, -7, 7, -7, 0, 5, -5, -2147483648, 2147483647);
    const b = i32(2, 2, -2, -2, 3, 0, 0, -1, -2147483648);
    assert.deepEqual(run("floorDivide", a, b, "int32"), [3, -4, -4, 3, 0, 0, 0, -2147483648, -1]);
    assert.deepEqual(run("mod", a, b, "int32"), [1, 1, -1, -1, 0, 0, 0, 0, -1]);
  });

  test("scalar fast paths agree with the general loop for int ops", () => {
    const a = i32(-7, -3, 0, 3, 7);
    assert.deepEqual([...binary("floorDivide", a, [5], i32(-2), [], [5], "int32")], [3, 1, 0, -2, -4]);
    assert.deepEqual([...binary("mod", i32(-7), [], a, [5], [5], "int32")], [0, -1, 0, 2, 0]);
  });

  test("int32 add / multiply / power wrap modulo 2^32", () => {
    assert.deepEqual(run("add", i32(2147483647, -2147483648), i32(1, -1), "int32"), [-2147483648, 2147483647]);
    assert.deepEqual(run("multiply", i32(2147483647, 65537), i32(2147483647, 65537), "int32"), [1, 131073]);
    assert.deepEqual(run("power", i32(3, 2, 2, -3, 5), i32(40, 31, 32, 3, -1), "int32"), [689956897, -2147483648, 0, -27, 0]);
  });

  test("uint8 outputs wrap modulo 256; uint8 division by zero gives 0", () => {
    const u = (...v: number[]) => Uint8Array.from(v);
    assert.deepEqual(run("add", u(250, 255), u(10, 1), "uint8"), [4, 0]);
    assert.deepEqual(run("subtract", u(3), u(5), "uint8"), [254]);
    assert.deepEqual(run("floorDivide", u(9, 9), u(2, 0), "uint8"), [4, 0]);
    assert.deepEqual(run("power", u(3), u(6), "uint8"), [729 % 256]);
  });

  test("bool outputs are 0/1", () => {
    const u = (...v: number[]) => Uint8Array.from(v);
    assert.deepEqual(run("add", u(1, 1, 0), u(1, 0, 0), "bool"), [1, 1, 0]);
    assert.deepEqual(run("subtract", new Float32Array([0.5, 2]), new Float32Array([0.5, 0]), "bool"), [0, 1]);
    assert.deepEqual([...unary("relu", new Float32Array([-2, 3]), "bool")], [0, 1]);
  });

  test("unary kernels convert on read (int32 in, float32 out) and keep int semantics", () => {
    assert.deepEqual([...unary("sqrt", i32(4, 9), "float32")], [2, 3]);
    assert.deepEqual([...unary("square", i32(2147483647, -3), "int32")], [1, 9]);
    assert.deepEqual([...unary("abs", i32(-2147483648, -5), "int32")], [-2147483648, 5]);
    assert.deepEqual([...unary("isfinite", new Float32Array([NaN, Infinity, -Infinity, 0]), "bool")], [0, 0, 0, 1]);
  });

  test("every unary and binary op has a kernel for every dtype", () => {
    const unaryOps: UnaryOp[] = ["negative", "abs", "sign", "sqrt", "rsqrt", "square", "reciprocal", "exp", "expm1", "log", "log1p",
      "sin", "cos", "tan", "tanh", "sigmoid", "relu", "floor", "ceil", "round", "isnan", "isfinite", "isinf", "logicalNot",
      "erf", "softplus", "atan", "sinh", "cosh", "asin", "acos", "arcsinh", "arccosh", "arctanh"];
    const binaryOps: BinaryOp[] = ["add", "subtract", "multiply", "divide", "floorDivide", "mod", "power", "maximum", "minimum", "atan2",
      "equal", "notEqual", "less", "lessEqual", "greater", "greaterEqual", "logicalAnd", "logicalOr", "logicalXor"];
    const inputs: TypedArray[] = [new Float32Array([0.5, -2, 3]), i32(1, -2, 3), Uint8Array.from([0, 1, 2])];
    for (const dtype of ["float32", "int32", "uint8", "bool"] as DType[]) {
      for (const x of inputs) {
        for (const op of unaryOps) assert.equal(unary(op, x, dtype).length, 3, `${op} ${dtype}`);
        for (const op of binaryOps) assert.equal(run(op, x, x, dtype).length, 3, `${op} ${dtype}`);
      }
    }
    // Spot-check a few values through the generated code.
    assert.deepEqual([...unary("rsqrt", new Float32Array([4]), "float32")], [0.5]);
    assert.deepEqual([...unary("sign", i32(-5, 0, 5), "int32")], [-1, 0, 1]);
  });
});

describe("kernel errors", () => {
  test("unknown ops and dtypes are rejected with a clear message", () => {
    const x = new Float32Array([1]);
    assert.throws(() => unary("cube" as UnaryOp, x, "float32"), /reference backend: unknown unary op "cube"/);
    assert.throws(() => binary("hypot" as BinaryOp, x, [1], x, [1], [1], "float32"), /reference backend: unknown binary op "hypot"/);
    assert.throws(() => unary("exp", x, "float64" as DType), /reference backend unary exp: unsupported dtype "float64"/);
    assert.throws(() => binary("add", x, [1], x, [1], [1], "int64" as DType), /reference backend binary add: unsupported dtype "int64"/);
    assert.throws(() => select(Uint8Array.from([1]), [1], x, [1], x, [1], [1], "complex64" as DType), /reference backend select: unsupported dtype "complex64"/);
    assert.throws(() => cast(x, "float16" as DType), /reference backend cast: unsupported dtype "float16"/);
    assert.throws(() => fill(2, 0, "string" as DType), /reference backend fill: unsupported dtype "string"/);
    // Prototype names are not ops either.
    assert.throws(() => unary("toString" as UnaryOp, x, "float32"), /unknown unary op "toString"/);
  });
});
