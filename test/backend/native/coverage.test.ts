import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import type { BinaryOp, ReduceOp, UnaryOp } from "../../../src/backend/backend.js";
import type { DType, Shape, TypedArray } from "../../../src/backend/dtypes.js";
import type { NormalizeArgs } from "../../../src/backend/fused_kernels.js";
import { fallbacks, resetFallbacks, setStrictKernels } from "../../../src/backend/fallbacks.js";
import { ReferenceBackend } from "../../../src/backend/reference/index.js";
import { tryCreateNativeBackend, type NativeBackend } from "../../../src/backend/native/index.js";
import { arrayOf, assertSame, assertSameWrapped, floats, forEachIsa, ints, rng, size } from "./kernel_check.js";

/*
 * The native backend runs every kernel in C for every storage type and dtype: with strict kernels
 * on (any fallback to the reference throws) and `smallSize` 0 (every size through C), each kernel
 * is called with every combination of input storage types and output dtypes, odd and empty shapes,
 * broadcasting, and compared with the reference: bit for bit, except 1 float32 ulp for libm
 * functions (libm and V8 may round their float64 results differently).
 */

const created = tryCreateNativeBackend();
const skip = "error" in created ? `native addon not built: ${created.error}` : false;
const ref = new ReferenceBackend();
const DTYPES: DType[] = ["float32", "int32", "uint8", "bool"];
/** A Uint8Array holds both uint8 and bool; as an input only its values matter. */
const STORAGES: DType[] = ["float32", "int32", "uint8"];
const LIBM = new Set<string>([
  "exp", "expm1", "log", "log1p", "sin", "cos", "tan", "tanh", "sigmoid", "erf", "softplus", "atan", "sinh", "cosh",
  "asin", "acos", "arcsinh", "arccosh", "arctanh", "power", "atan2",
]);
const UNARY: UnaryOp[] = [
  "negative", "abs", "sign", "sqrt", "rsqrt", "square", "reciprocal", "exp", "expm1", "log", "log1p", "sin", "cos", "tan",
  "tanh", "sigmoid", "relu", "floor", "ceil", "round", "isnan", "isfinite", "isinf", "logicalNot", "erf", "softplus", "atan",
  "sinh", "cosh", "asin", "acos", "arcsinh", "arccosh", "arctanh",
];
const BINARY: BinaryOp[] = [
  "add", "subtract", "multiply", "divide", "floorDivide", "mod", "power", "maximum", "minimum", "atan2", "equal", "notEqual",
  "less", "lessEqual", "greater", "greaterEqual", "logicalAnd", "logicalOr", "logicalXor",
];

function broadcast(a: readonly number[], b: readonly number[]): number[] {
  const rank = Math.max(a.length, b.length);
  return Array.from({ length: rank }, (_, i) => {
    const x = a[i - (rank - a.length)] ?? 1;
    const y = b[i - (rank - b.length)] ?? 1;
    return x === 1 ? y : x;
  });
}

/** Compares results of an elementwise op that may call libm. */
function assertElementwise(got: TypedArray, want: TypedArray, libm: boolean, real: () => Float32Array, what: string): void {
  if (libm && !(want instanceof Float32Array)) assertSameWrapped(got, want, real(), what);
  else assertSame(got, want, what, libm ? 1 : 0);
}

describe("the native backend covers every kernel and type combination in C", { skip }, () => {
  const nat = ("backend" in created ? created.backend : undefined) as NativeBackend;
  let strict = false;
  before(() => {
    nat.smallSize = 0;
    strict = setStrictKernels(true);
    resetFallbacks();
  });
  after(() => {
    setStrictKernels(strict);
    assert.deepEqual(fallbacks(), []);
  });

  test("unary: every op, input storage and output dtype", () => {
    forEachIsa((isa) => {
      const r = rng(3);
      for (const op of UNARY)
        for (const from of DTYPES)
          for (const to of DTYPES)
            for (const n of [0, 1, 33, 1500]) {
              const x = arrayOf(from, n, r);
              const what = `${isa} unary ${op} ${from}->${to} n=${n}`;
              assertElementwise(nat.unary(op, x, to), ref.unary(op, x, to), LIBM.has(op), () => ref.unary(op, x, "float32") as Float32Array, what);
            }
    });
  });

  test("binary: every op, pair of storages (mixed included), output dtype and broadcast", () => {
    const shapes: [number[], number[]][] = [[[37], [37]], [[1], [700]], [[700], [1]], [[6, 17], [17]], [[6, 1], [1, 19]], [[0, 3], [3]], [[3, 1, 5], [1, 4, 1]]];
    forEachIsa((isa) => {
      const r = rng(5);
      for (const op of BINARY)
        for (const ta of STORAGES)
          for (const tb of STORAGES)
            for (const to of DTYPES)
              for (const [as, bs] of shapes) {
                const os = broadcast(as, bs);
                const a = arrayOf(ta, size(as), r), b = arrayOf(tb, size(bs), r);
                const what = `${isa} binary ${op} ${ta}[${as}] ${tb}[${bs}] -> ${to}`;
                assertElementwise(nat.binary(op, a, as, b, bs, os, to), ref.binary(op, a, as, b, bs, os, to), LIBM.has(op),
                  () => ref.binary(op, a, as, b, bs, os, "float32") as Float32Array, what);
              }
    });
  });

  test("binary: a deferred cast's uint8 source with a float32 scalar, large enough to be threaded", () => {
    const r = rng(7);
    const images = arrayOf("uint8", 300001, r);
    for (const op of ["divide", "multiply", "add", "subtract"] as BinaryOp[]) {
      const scale = Float32Array.of(255);
      assertSame(nat.binary(op, images, [300001], scale, [], [300001], "float32"), ref.binary(op, images, [300001], scale, [], [300001], "float32"), `${op} by 255`);
      assertSame(nat.binary(op, scale, [], images, [300001], [300001], "float32"), ref.binary(op, scale, [], images, [300001], [300001], "float32"), `255 ${op}`);
    }
  });

  test("select: conditions and branches of every storage, every output dtype", () => {
    const r = rng(11);
    const cases: [number[], number[], number[]][] = [[[7], [7], [7]], [[1], [5, 3], [3]], [[4, 1], [1, 6], [4, 6]], [[0, 2], [2], [1]]];
    for (const tc of STORAGES)
      for (const ta of STORAGES)
        for (const tb of STORAGES)
          for (const to of DTYPES)
            for (const [cs, as, bs] of cases) {
              const os = broadcast(broadcast(cs, as), bs);
              const c = arrayOf(tc, size(cs), r), a = arrayOf(ta, size(as), r), b = arrayOf(tb, size(bs), r);
              assertSame(nat.select(c, cs, a, as, b, bs, os, to), ref.select(c, cs, a, as, b, bs, os, to), `select ${tc} ${ta} ${tb} -> ${to} [${cs}] [${as}] [${bs}]`);
            }
  });

  test("reduce: every op, input storage and output dtype, any axes", () => {
    const r = rng(13);
    const shapes: [number[], number[]][] = [
      [[37], [0]], [[6, 17], [1]], [[6, 17], [0]], [[3, 4, 5], [0, 2]], [[2, 1, 9], [2]], [[5, 0], [1]], [[0, 5], [1]], [[4, 1], [1]],
      [[3, 5], []], [[700, 3], [0]], [[3, 700], [1]], [[2, 3, 4, 5], [1, 3]], [[40000, 3], [0]],
    ];
    for (const op of ["sum", "prod", "max", "min", "any", "all"] as ReduceOp[])
      for (const from of STORAGES)
        for (const to of DTYPES)
          for (const [shape, axes] of shapes) {
            if (from === "float32" && to === "float32" && (op === "sum" || op === "prod")) continue; // float32 sums: cross_check.test.ts (order differs)
            const x = arrayOf(from, size(shape), r);
            if (op === "prod" && from === "float32") for (let i = 0; i < x.length; i++) x[i] = 0.75 + r() / 2;
            assertSame(nat.reduce(op, x, shape, axes, to), ref.reduce(op, x, shape, axes, to), `reduce ${op} ${from}[${shape}] axes [${axes}] -> ${to}`);
          }
  });

  test("argReduce: int32 and uint8, any axis, ties", () => {
    const r = rng(17);
    for (const from of ["int32", "uint8"] as DType[])
      for (const [shape, axis] of [[[37], 0], [[6, 17], 1], [[6, 17], 0], [[3, 4, 5], 1], [[2, 0], 1], [[0, 3], 0], [[700, 3], 0], [[3, 700], 1]] as [number[], number][])
        for (const op of ["argmax", "argmin"] as const) {
          const x = arrayOf(from, size(shape), r);
          for (let i = 0; i < x.length; i += 3) x[i] = x[(i * 7) % x.length];
          assertSame(nat.argReduce(op, x, shape, axis), ref.argReduce(op, x, shape, axis), `${op} ${from}[${shape}] axis ${axis}`);
        }
  });

  test("cumulative: sum and product of every storage into every dtype, any axis", () => {
    const r = rng(19);
    for (const op of ["sum", "prod"] as const)
      for (const from of STORAGES)
        for (const to of DTYPES)
          for (const [shape, axis] of [[[37], 0], [[6, 17], 1], [[6, 17], 0], [[3, 4, 5], 1], [[0, 4], 1], [[3, 900], 1], [[900, 3], 0]] as [number[], number][]) {
            const x = from === "float32" && op === "prod" ? Float32Array.from(floats(size(shape), r, false), (v) => 0.8 + v / 40) : arrayOf(from, size(shape), r);
            assertSame(nat.cumulative(op, x, shape, axis, to), ref.cumulative(op, x, shape, axis, to), `cumulative ${op} ${from}[${shape}] axis ${axis} -> ${to}`);
          }
  });

  test("transpose: general permutations of ranks 3 to 5, every element size", () => {
    forEachIsa((isa) => {
      const r = rng(23);
      const cases: [number[], number[]][] = [
        [[3, 4, 5], [2, 1, 0]], [[3, 4, 5], [1, 2, 0]], [[2, 3, 4, 5], [3, 1, 0, 2]], [[2, 3, 4, 5, 6], [4, 2, 0, 3, 1]], [[17, 5, 33], [2, 1, 0]],
        [[40, 3, 50], [2, 1, 0]], [[64, 2, 48], [2, 1, 0]], [[8, 0, 3], [2, 1, 0]], [[40, 30, 60], [1, 2, 0]], [[70, 2, 60, 9], [2, 3, 0, 1]],
      ];
      for (const dtype of DTYPES)
        for (const [shape, perm] of cases) {
          const x = arrayOf(dtype, size(shape), r);
          assertSame(nat.transpose(x, shape, perm), ref.transpose(x, shape, perm), `${isa} transpose ${dtype} [${shape}] perm [${perm}]`);
        }
    });
  });

  test("broadcastTo: leading, middle and trailing axes, one value, a NaN and -0", () => {
    const r = rng(29);
    const cases: [number[], number[]][] = [[[6], [3, 6]], [[3, 1], [3, 7]], [[1, 5, 1], [4, 5, 6]], [[], [40]], [[1], [2, 3, 4]], [[2, 1, 3], [5, 2, 9, 3]], [[3], [0, 3]], [[500], [300, 500]]];
    for (const dtype of DTYPES)
      for (const [shape, out] of cases) {
        const x = arrayOf(dtype, size(shape), r);
        assertSame(nat.broadcastTo(x, shape, out), ref.broadcastTo(x, shape, out), `broadcastTo ${dtype} [${shape}] -> [${out}]`);
      }
    for (const v of [NaN, -0]) {
      const x = Float32Array.of(v);
      assertSame(nat.broadcastTo(x, [1], [5, 7]), ref.broadcastTo(x, [1], [5, 7]), `broadcastTo ${v}`);
    }
  });

  test("slice: strided boxes, contiguous runs, rank 0 and empty boxes", () => {
    const r = rng(31);
    const cases: [number[], number[], number[]][] = [
      [[4, 6], [1, 2], [2, 3]], [[4, 6], [1, 0], [2, 6]], [[5, 6, 7], [1, 2, 3], [3, 2, 4]], [[5, 6, 7], [0, 0, 3], [5, 6, 1]],
      [[3, 8], [0, 7], [3, 1]], [[], [], []], [[4, 6], [2, 2], [0, 3]], [[300, 400], [10, 100], [200, 250]], [[2, 3, 4, 5, 6], [1, 0, 1, 2, 0], [1, 3, 2, 3, 6]],
    ];
    for (const dtype of DTYPES)
      for (const [shape, begin, sz] of cases) {
        const x = arrayOf(dtype, size(shape), r);
        assertSame(nat.slice(x, shape, begin, sz), ref.slice(x, shape, begin, sz), `slice ${dtype} [${shape}] at [${begin}] size [${sz}]`);
      }
  });

  test("pad: values converted as the array stores them (NaN, -0, 2.5, 300, -1)", () => {
    const r = rng(37);
    const cases: [number[], [number, number][]][] = [[[4, 6], [[1, 2], [0, 3]]], [[5], [[0, 0]]], [[2, 3, 4], [[1, 0], [2, 2], [0, 1]]], [[0, 3], [[1, 1], [2, 0]]], [[], []], [[100, 100], [[3, 3], [3, 3]]]];
    for (const dtype of DTYPES)
      for (const [shape, paddings] of cases)
        for (const value of [0, -0, 2.5, 300, -1, NaN]) {
          const x = arrayOf(dtype, size(shape), r);
          assertSame(nat.pad(x, shape, paddings, value), ref.pad(x, shape, paddings, value), `pad ${dtype} [${shape}] ${JSON.stringify(paddings)} with ${value}`);
        }
  });

  test("concat: any axis, empty parts, parts of other storage types converted on store", () => {
    const r = rng(41);
    const cases: [number[][], number][] = [[[[3, 4], [3, 5]], 1], [[[3, 4], [2, 4], [0, 4]], 0], [[[2, 3, 4], [2, 1, 4], [2, 2, 4]], 1], [[[5], [7]], 0], [[[200, 30], [200, 1]], 1]];
    for (const to of DTYPES)
      for (const [shapes, axis] of cases)
        for (const mixed of [false, true]) {
          const xs = shapes.map((s, i) => arrayOf(mixed ? STORAGES[i % 3] : to, size(s), r));
          assertSame(nat.concat(xs, shapes, axis, to), ref.concat(xs, shapes, axis, to), `concat ${mixed ? "mixed" : to} -> ${to} ${JSON.stringify(shapes)} axis ${axis}`);
        }
  });

  test("reverse: any set of axes, size-1 and empty axes", () => {
    const r = rng(43);
    const cases: [number[], number[]][] = [[[37], [0]], [[6, 17], [1]], [[6, 17], [0]], [[6, 17], [0, 1]], [[3, 4, 5], [0, 2]], [[3, 1, 5], [1]], [[3, 0], [0]], [[0, 3], [0, 1]], [[2, 3, 4, 5], [1, 2]], [[300, 301], [0]]];
    for (const dtype of DTYPES)
      for (const [shape, axes] of cases) {
        const x = arrayOf(dtype, size(shape), r);
        assertSame(nat.reverse(x, shape, axes), ref.reverse(x, shape, axes), `reverse ${dtype} [${shape}] axes [${axes}]`);
      }
  });

  test("scatterAdd, gatherAlongAxis, scatterAddAlongAxis: every storage, repeated indices, any axis", () => {
    const r = rng(47);
    const index = (count: number, n: number) => Int32Array.from({ length: count }, () => Math.floor(r() * n));
    for (const dtype of STORAGES) {
      for (const [outShape, axis, m] of [[[10, 7], 0, 32], [[10, 7], 1, 5], [[4, 5, 6], 1, 9], [[50], 0, 170], [[6, 0], 0, 3], [[6, 3], 0, 0], [[3, 400], 0, 50]] as [number[], number, number][]) {
        const idx = index(m, outShape[axis]);
        const updShape = outShape.map((d, i) => (i === axis ? m : d));
        const upd = arrayOf(dtype, size(updShape), r);
        assertSame(nat.scatterAdd(upd, idx, axis, outShape), ref.scatterAdd(upd, idx, axis, outShape), `scatterAdd ${dtype} [${outShape}] axis ${axis} m=${m}`);
      }
      for (const [shape, axis, m] of [[[10, 7], 0, 4], [[10, 7], 1, 9], [[4, 5, 6], 1, 3], [[50], 0, 70], [[0, 3], 0, 0], [[30, 40], 1, 40]] as [number[], number, number][]) {
        const indicesShape = shape.map((d, i) => (i === axis ? m : d));
        const idx = index(size(indicesShape), shape[axis]);
        const x = arrayOf(dtype, size(shape), r);
        assertSame(nat.gatherAlongAxis(x, shape, idx, indicesShape, axis), ref.gatherAlongAxis(x, shape, idx, indicesShape, axis), `gatherAlongAxis ${dtype} [${shape}] axis ${axis}`);
        const upd = arrayOf(dtype, size(indicesShape), r);
        assertSame(nat.scatterAddAlongAxis(upd, idx, indicesShape, axis, shape), ref.scatterAddAlongAxis(upd, idx, indicesShape, axis, shape), `scatterAddAlongAxis ${dtype} [${shape}] axis ${axis}`);
      }
    }
  });

  test("countArgmaxMatches: labels and one-hot rows of every storage, ties, NaN, fractional labels", () => {
    const r = rng(53);
    for (const [rows, cols] of [[32, 10], [300, 7], [5, 1], [0, 4], [7, 0]]) {
      const pred = floats(rows * cols, r);
      for (let i = 0; i < pred.length; i += 4) pred[i] = Math.round(pred[i]);
      for (const storage of STORAGES) {
        const labels = arrayOf(storage, rows, r);
        for (let i = 0; i < rows; i++) labels[i] = i % 5 === 4 ? 2.5 : Math.floor(r() * cols);
        const oneHot = arrayOf(storage, rows * cols, r);
        for (let i = 0; i < oneHot.length; i++) oneHot[i] = r() < 0.2 ? 1 : 0;
        assert.equal(nat.countArgmaxMatches(pred, rows, cols, labels, null), ref.countArgmaxMatches(pred, rows, cols, labels, null), `labels ${storage} ${rows}x${cols}`);
        assert.equal(nat.countArgmaxMatches(pred, rows, cols, null, oneHot), ref.countArgmaxMatches(pred, rows, cols, null, oneHot), `one-hot ${storage} ${rows}x${cols}`);
      }
    }
  });

  test("normalize: every order and mode, any axes, every input storage (the reference's float64 sums, bit for bit)", () => {
    const r = rng(59);
    const cases: [number[], number[]][] = [
      [[37], [0]], [[6, 17], [1]], [[6, 17], [0]], [[3, 4, 5], [0, 2]], [[3, 4, 5], [1]], [[50, 28, 28], [1]], [[50, 28, 28], [1, 2]], [[4, 1, 6], [1]],
      [[2, 3, 4, 5], [0, 3]], [[0, 3], [1]], [[5], []], [[300, 40], [0]],
    ];
    const argsList: NormalizeArgs[] = [
      { order: 2, mode: "zeroAsOne", epsilon: 0 }, { order: 2, mode: "epsilon", epsilon: 1e-7 }, { order: 1, mode: "zeroAsOne", epsilon: 0 },
      { order: 1, mode: "epsilon", epsilon: 1e-3 }, { order: Infinity, mode: "zeroAsOne", epsilon: 0 }, { order: 3, mode: "epsilon", epsilon: 1e-7 },
      { order: 0.5, mode: "zeroAsOne", epsilon: 0 },
    ];
    for (const storage of STORAGES)
      for (const [shape, axes] of cases)
        for (const args of argsList) {
          const x = storage === "float32" ? floats(size(shape), r, false) : storage === "int32" ? ints(size(shape), r) : arrayOf("uint8", size(shape), r);
          if (x.length > 8) x.fill(0, 0, Math.min(x.length, shape[shape.length - 1] ?? 1));
          const what = `normalize ${storage}[${shape}] axes [${axes}] ${JSON.stringify(args)}`;
          // Orders other than 1, 2 and Infinity take libm's pow.
          const libm = args.order !== 1 && args.order !== 2 && args.order !== Infinity;
          assertSame(nat.normalize(x, shape, axes, args), ref.normalize(x, shape, axes, args), what, libm ? 1 : 0);
        }
    const withNaN = Float32Array.of(1, NaN, 2, 3, -0, 0);
    for (const args of argsList) assertSame(nat.normalize(withNaN, [2, 3], [1], args), ref.normalize(withNaN, [2, 3], [1], args), `normalize NaN ${JSON.stringify(args)}`);
    assert.throws(() => nat.normalize(withNaN, [2, 3], [1], { order: 0, mode: "epsilon", epsilon: 1 }), /order must be a positive number/);
  });

  test("sizes split over the threads give the reference's results", () => {
    const r = rng(61);
    const x = arrayOf("float32", 300 * 400, r), xi = arrayOf("int32", 300 * 400, r);
    const cases: [string, (b: ReferenceBackend) => TypedArray][] = [
      ["cumulative rows", (b) => b.cumulative("sum", xi, [300, 400], 1, "int32")],
      ["cumulative columns", (b) => b.cumulative("sum", x, [300, 400], 0, "float32")],
      ["reduce columns", (b) => b.reduce("max", xi, [300, 400], [0], "int32")],
      ["transpose", (b) => b.transpose(x, [30, 10, 400], [2, 1, 0])],
      ["broadcastTo", (b) => b.broadcastTo(x.subarray(0, 400), [400], [300, 400])],
      ["one long run", (b) => b.broadcastTo(x.subarray(0, 1), [1], [120000])],
      ["slice", (b) => b.slice(x, [300, 400], [1, 3], [299, 390])],
      ["pad", (b) => b.pad(x, [300, 400], [[2, 3], [4, 5]], 7)],
      ["concat", (b) => b.concat([x, xi], [[300, 400], [300, 400]], 1, "float32")],
      ["reverse", (b) => b.reverse(x, [300, 400], [1])],
      ["scatterAdd", (b) => b.scatterAdd(x, Int32Array.from({ length: 300 }, (_, i) => (i * 7) % 50), 0, [50, 400])],
      ["scatterAdd columns", (b) => b.scatterAdd(x, Int32Array.from({ length: 400 }, (_, i) => (i * 3) % 20), 1, [300, 20])],
      ["gatherAlongAxis", (b) => b.gatherAlongAxis(x, [300, 400], Int32Array.from({ length: 120000 }, (_, i) => (i * 13) % 300), [300, 400], 0)],
      ["scatterAddAlongAxis", (b) => b.scatterAddAlongAxis(x, Int32Array.from({ length: 120000 }, (_, i) => (i * 13) % 30), [300, 400], 0, [30, 400])],
      ["normalize", (b) => b.normalize(x, [300, 400], [0], { order: 2, mode: "epsilon", epsilon: 1e-7 })],
    ];
    const threads = nat.info().threads;
    for (const [what, run] of cases) {
      const want = run(ref);
      assertSame(run(nat), want, `${what}, ${threads} threads`);
      nat.setNumThreads(1);
      try {
        assertSame(run(nat), want, `${what}, 1 thread`);
      } finally {
        nat.setNumThreads(threads);
      }
    }
  });

  test("arguments the C code refuses get the reference's error, not a fallback", () => {
    assert.throws(() => nat.normalize(new Float32Array(6), [2, 3], [1], { order: 2, mode: "sideways" as "epsilon", epsilon: 1 }), /unknown mode/);
    assert.throws(() => nat.matmul(new Float32Array(6), new Float32Array(6), { batch: 1, m: 2, n: 4, k: 3, transA: false, transB: false, aBatchStride: 0, bBatchStride: 0 }), /B has 6 elements/);
  });
});

describe("a call the C code refuses is still a counted fallback", { skip }, () => {
  test("an index out of range runs the reference kernel and is recorded", () => {
    const nat = (created as { backend: NativeBackend }).backend;
    const previous = setStrictKernels(false);
    resetFallbacks();
    try {
      const updates = new Float32Array(400).fill(1);
      const indices = Int32Array.of(0, 1, 2, 7);
      const out = nat.scatterAdd(updates, indices, 0, [3, 100] as Shape);
      assert.deepEqual(Array.from(out.subarray(0, 3)), [1, 1, 1]);
      assert.deepEqual(fallbacks().map((f) => [f.kernel, f.count]), [["scatterAdd", 1]]);
      setStrictKernels(true);
      assert.throws(() => nat.scatterAdd(updates, indices, 0, [3, 100] as Shape), /native backend has no kernel for scatterAdd/);
    } finally {
      setStrictKernels(previous);
      resetFallbacks();
    }
  });
});
