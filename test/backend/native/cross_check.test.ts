import { describe, test } from "node:test";
import assert from "node:assert/strict";
import type { Backend, BinaryOp, MatmulArgs, ReduceOp, UnaryOp } from "../../../src/backend/backend.js";
import type { DType, TypedArray } from "../../../src/backend/dtypes.js";
import { ReferenceBackend } from "../../../src/backend/reference/index.js";
import { tryCreateNativeBackend, type NativeBackend } from "../../../src/backend/native/index.js";
import { arrayOf, assertClose, assertSame, assertSameWrapped, bytes, floats, forEachIsa, ints, matmulScale, rng, size, uniform } from "./kernel_check.js";

/*
 * Randomized cross-check of the native kernels against the reference kernels, on random shapes
 * with odd sizes, size-1 axes, lengths that are not multiples of any vector width, every
 * transpose combination and batch stride of matmul, and NaN / Inf / -0 inputs. Elementwise
 * results must match bit for bit (NaN matches NaN), except ops that call a libm transcendental
 * (libm and V8 may round the float64 result differently, which changes the float32 result by at
 * most one unit in the last place). GEMM and float sums may differ by accumulation order:
 * 1e-5 of the sum of |terms|. Every SIMD level the CPU has is checked (AVX-512, AVX2, C).
 */

const created = tryCreateNativeBackend();
const skip = "error" in created ? `native addon not built: ${created.error}` : false;
const ref = new ReferenceBackend();

const TRANSCENDENTAL = new Set<string>([
  "exp", "expm1", "log", "log1p", "sin", "cos", "tan", "tanh", "sigmoid", "erf", "softplus", "atan", "sinh", "cosh",
  "asin", "acos", "arcsinh", "arccosh", "arctanh", "power", "atan2",
]);
const UNARY: UnaryOp[] = [
  "negative", "abs", "sign", "sqrt", "rsqrt", "square", "reciprocal", "exp", "expm1", "log", "log1p", "sin", "cos", "tan",
  "tanh", "sigmoid", "relu", "floor", "ceil", "round", "isnan", "isfinite", "isinf", "logicalNot", "erf", "softplus", "atan",
  "sinh", "cosh", "asin", "acos", "arcsinh", "arccosh", "arctanh",
];
const PREDICATES = new Set<string>(["isnan", "isfinite", "isinf", "logicalNot"]);
const BINARY: BinaryOp[] = [
  "add", "subtract", "multiply", "divide", "floorDivide", "mod", "power", "maximum", "minimum", "atan2", "equal", "notEqual",
  "less", "lessEqual", "greater", "greaterEqual", "logicalAnd", "logicalOr", "logicalXor",
];
const COMPARISONS = new Set<string>(["equal", "notEqual", "less", "lessEqual", "greater", "greaterEqual", "logicalAnd", "logicalOr", "logicalXor"]);
const DTYPES: DType[] = ["float32", "int32", "uint8", "bool"];

/** Pairs of broadcast-compatible shapes: same, scalar, row, column, general, size-1 axes, empty. */
const BINARY_SHAPES: [number[], number[]][] = [
  [[37], [37]], [[5, 7], [5, 7]], [[1], [33]], [[33], [1]], [[], [19]], [[6, 17], [17]], [[17], [6, 17]],
  [[6, 17], [6, 1]], [[6, 1], [6, 17]], [[3, 1, 5], [1, 4, 1]], [[2, 3, 4, 5], [3, 1, 5]], [[1, 1, 7], [7, 1, 1]],
  [[0, 3], [3]], [[4, 0], [4, 1]], [[1, 1], [1, 1]], [[300, 301], [301]], [[300, 301], [300, 301]], [[257, 1], [1, 259]],
];

function broadcast(a: number[], b: number[]): number[] {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const x = a[i - (rank - a.length)] ?? 1;
    const y = b[i - (rank - b.length)] ?? 1;
    out.push(x === 1 ? y : x);
  }
  return out;
}

describe("native backend against the reference backend", { skip }, () => {
  const nat = ("backend" in created ? created.backend : undefined) as NativeBackend;
  // Every size through the C kernels, the small ones included (by default those run the reference kernels).
  if (nat !== undefined) nat.smallSize = 0;

  test("it is the native backend", () => {
    assert.equal(nat.name, "native");
    const info = nat.info();
    assert.ok(["avx512", "avx2", "c"].includes(info.isa));
    assert.ok(info.threads >= 1);
  });

  test("matmul: random shapes, all transposes, batch strides, float32 and int32", () => {
    forEachIsa((isa) => {
      const r = rng(isa.length * 7919);
      const dims = [1, 2, 3, 5, 7, 12, 13, 16, 17, 31, 32, 33, 47, 64, 65, 97, 130];
      for (let trial = 0; trial < 160; trial++) {
        const pick = () => dims[Math.floor(r() * dims.length)];
        let m = pick(), n = pick(), k = pick();
        if (trial % 40 === 0) [m, n, k] = [150 + Math.floor(r() * 60), 140 + Math.floor(r() * 70), 200 + Math.floor(r() * 150)];
        if (trial % 53 === 0) k = 0;
        const batch = trial % 5 === 0 ? 1 + Math.floor(r() * 4) : 1;
        const transA = r() < 0.5, transB = r() < 0.5;
        const shareA = batch > 1 && r() < 0.3, shareB = batch > 1 && r() < 0.4;
        const args: MatmulArgs = { batch, m, n, k, transA, transB, aBatchStride: shareA ? 0 : m * k, bBatchStride: shareB ? 0 : k * n };
        const isInt = trial % 11 === 5;
        const aLen = shareA ? m * k : batch * m * k, bLen = shareB ? k * n : batch * k * n;
        const a = isInt ? ints(aLen, r) : floats(aLen, r, trial % 7 === 3);
        const b = isInt ? ints(bLen, r) : floats(bLen, r, trial % 7 === 4);
        const what = `${isa} matmul ${batch}x${m}x${k}x${n} tA=${transA} tB=${transB} strides=${args.aBatchStride},${args.bBatchStride}`;
        const want = ref.matmul(a, b, args);
        const got = nat.matmul(a, b, args);
        if (isInt) {
          assertSame(got, want, what);
          continue;
        }
        assertClose(got, want, matmulScale(a, b, args), 1e-5, what);
      }
    });
  });

  test("matmul: the paths of larger products (direct, blocked, thread tiles, B transposed once), every transpose", () => {
    // 32x128x784 (a dense backward's dX): small, B transposed once, then split over the threads;
    // 40x784x200: the direct kernel past the small-product bound; 70x100x801: blocked, with edges.
    const shapes: [number, number, number][] = [[32, 128, 784], [40, 784, 200], [70, 100, 801]];
    forEachIsa((isa) => {
      const r = rng(isa.length * 31);
      for (const [m, k, n] of shapes)
        for (const transA of [false, true])
          for (const transB of [false, true]) {
            const args: MatmulArgs = { batch: 1, m, n, k, transA, transB, aBatchStride: 0, bBatchStride: 0 };
            const a = uniform(m * k, r), b = uniform(k * n, r);
            assertClose(nat.matmul(a, b, args), ref.matmul(a, b, args), matmulScale(a, b, args), 1e-5, `${isa} matmul ${m}x${k}x${n} tA=${transA} tB=${transB}`);
          }
    });
  });

  test("matmul: NaN and Inf propagate like the reference", () => {
    const args: MatmulArgs = { batch: 1, m: 13, n: 37, k: 19, transA: false, transB: false, aBatchStride: 0, bBatchStride: 0 };
    for (const tA of [false, true])
      for (const tB of [false, true]) {
        const a = floats(13 * 19, rng(3), false), b = floats(19 * 37, rng(4), false);
        a[5] = NaN;
        a[40] = Infinity;
        b[100] = -Infinity;
        const as = { ...args, transA: tA, transB: tB };
        const want = ref.matmul(a, b, as), got = nat.matmul(a, b, as);
        for (let i = 0; i < want.length; i++) {
          if (!Number.isFinite(want[i])) assert.ok(Object.is(got[i], want[i]) || (Number.isNaN(got[i]) && Number.isNaN(want[i])), `element ${i}: ${got[i]} vs ${want[i]}`);
        }
      }
  });

  test("matmul: invalid arguments fail as the reference does", () => {
    const a = new Float32Array(6), b = new Float32Array(6);
    const args: MatmulArgs = { batch: 1, m: 2, n: 4, k: 3, transA: false, transB: false, aBatchStride: 0, bBatchStride: 0 };
    assert.throws(() => nat.matmul(a, b, args), RangeError);
    assert.throws(() => nat.matmul(a, b, { ...args, m: -1 }), RangeError);
  });

  test("unary: every op and dtype pair matches (bit for bit, 1 ulp for libm functions)", () => {
    forEachIsa((isa) => {
      const r = rng(11);
      for (const op of UNARY)
        for (const inDtype of DTYPES)
          for (const outDtype of DTYPES) {
            if (PREDICATES.has(op) !== (outDtype === "bool") && !(outDtype === "float32" && inDtype !== "float32")) continue;
            for (const n of [0, 1, 15, 16, 17, 63, 1000, 70001]) {
              if (n > 1000 && (inDtype !== "float32" || op === "erf")) continue;
              const x = arrayOf(inDtype, n, r);
              const want = ref.unary(op, x, outDtype);
              const got = nat.unary(op, x, outDtype);
              const what = `${isa} unary ${op} ${inDtype}->${outDtype} n=${n}`;
              if (TRANSCENDENTAL.has(op) && !(want instanceof Float32Array)) assertSameWrapped(got, want, ref.unary(op, x, "float32") as Float32Array, what);
              else assertSame(got, want, what, TRANSCENDENTAL.has(op) ? 1 : 0);
            }
          }
    });
  });

  test("binary: every op, dtype and broadcast pattern matches", () => {
    forEachIsa((isa) => {
      const r = rng(23);
      for (const op of BINARY)
        for (const inDtype of DTYPES)
          for (const [aShape, bShape] of BINARY_SHAPES) {
            const outShape = broadcast(aShape, bShape);
            if (size(outShape) > 2000 && (isa !== "avx512" || (inDtype !== "float32" && op !== "add"))) continue;
            const outDtypes: DType[] = COMPARISONS.has(op) ? ["bool"] : inDtype === "float32" ? ["float32"] : inDtype === "bool" ? ["int32"] : [inDtype, "float32"];
            for (const outDtype of outDtypes) {
              const a = arrayOf(inDtype, size(aShape), r), b = arrayOf(inDtype, size(bShape), r);
              const want = ref.binary(op, a, aShape, b, bShape, outShape, outDtype);
              const got = nat.binary(op, a, aShape, b, bShape, outShape, outDtype);
              assertSame(got, want, `${isa} binary ${op} ${inDtype}->${outDtype} [${aShape}] [${bShape}]`, TRANSCENDENTAL.has(op) ? 1 : 0);
            }
          }
    });
  });

  test("binary: mixed operand storage converts on read", () => {
    const a = new Float32Array([1.5, -2, 3]), b = new Int32Array([2, 2, 2]);
    assertSame(nat.binary("multiply", a, [3], b, [3], [3], "float32"), ref.binary("multiply", a, [3], b, [3], [3], "float32"), "mixed");
  });

  test("select: broadcast condition and branches, every dtype", () => {
    const r = rng(31);
    const cases: [number[], number[], number[]][] = [
      [[7], [7], [7]], [[1], [5, 3], [3]], [[4, 1], [1, 6], [4, 6]], [[2, 3, 4], [4], [3, 1]], [[0, 2], [2], [1]], [[300, 250], [250], [300, 1]],
    ];
    for (const dtype of DTYPES)
      for (const [cs, as, bs] of cases) {
        const out = broadcast(broadcast(cs, as), bs);
        const c = bytes(size(cs), r, true), a = arrayOf(dtype, size(as), r), b = arrayOf(dtype, size(bs), r);
        assertSame(nat.select(c, cs, a, as, b, bs, out, dtype), ref.select(c, cs, a, as, b, bs, out, dtype), `select ${dtype} [${cs}] [${as}] [${bs}]`);
      }
    const fc = floats(6, r);
    const fa = floats(6, r), fb = floats(6, r);
    assertSame(nat.select(fc, [6], fa, [6], fb, [6], [6], "float32"), ref.select(fc, [6], fa, [6], fb, [6], [6], "float32"), "float condition");
  });

  test("cast and fill: every dtype pair, out-of-range values, -0 and NaN", () => {
    const r = rng(41);
    for (const from of DTYPES)
      for (const to of DTYPES) {
        const x = arrayOf(from, 1001, r);
        if (x instanceof Float32Array) x.set([NaN, Infinity, -Infinity, -0, 2147483648, -2147483649, 4294967296 + 5, 255.9, 256, -1.5, 1e10, -1e10], 0);
        assertSame(nat.cast(x, to), ref.cast(x, to), `cast ${from}->${to}`);
      }
    for (const dtype of DTYPES)
      for (const v of [0, -0, 1, -1, 2.7, -2.7, 300, -300, 2 ** 31, 2 ** 32 + 3, NaN, Infinity, 1e40])
        for (const n of [0, 1, 33]) assertSame(nat.fill(n, v, dtype), ref.fill(n, v, dtype), `fill ${dtype} ${v} n=${n}`);
  });

  test("reduce: sum / prod / max / min over any axes; -0, NaN and empty axes", () => {
    forEachIsa((isa) => {
      const r = rng(53);
      const shapes: [number[], number[]][] = [
        [[37], [0]], [[6, 17], [1]], [[6, 17], [0]], [[3, 4, 5], [0, 2]], [[3, 4, 5], [1]], [[2, 1, 9], [2]], [[5, 0], [1]], [[0, 5], [1]],
        [[4, 1], [1]], [[], []], [[3, 5], []], [[300, 301], [0]], [[301, 300], [1]], [[2, 3, 4, 5], [1, 3]], [[1000], [0]], [[2, 600], [0]],
      ];
      for (const op of ["sum", "prod", "max", "min", "any", "all"] as ReduceOp[])
        for (const [shape, axes] of shapes) {
          const x = floats(size(shape), r, true);
          if (op === "prod") for (let i = 0; i < x.length; i++) x[i] = Number.isFinite(x[i]) ? 0.75 + (r() * 0.5) : x[i];
          const want = ref.reduce(op, x, shape, axes, op === "any" || op === "all" ? "bool" : "float32");
          const got = nat.reduce(op, x, shape, axes, op === "any" || op === "all" ? "bool" : "float32");
          const what = `${isa} reduce ${op} [${shape}] axes [${axes}]`;
          if (op === "sum" || op === "prod") {
            // Bound by the sum of |terms| (sum) or |result| (prod) in float64.
            const scale = Float64Array.from(want, (w) => Math.max(Math.abs(w), 1e-30));
            if (op === "sum") {
              const abs = Float32Array.from(x, Math.abs);
              const s = ref.reduce("sum", abs, shape, axes, "float32");
              for (let i = 0; i < s.length; i++) scale[i] = s[i];
            }
            assertClose(got, want, scale, 1e-5, what);
          } else assertSame(got, want, what);
        }
      const zeros = new Float32Array([-0, 0, -0, -0, -0, 0]);
      for (const op of ["max", "min"] as ReduceOp[]) {
        assertSame(nat.reduce(op, zeros, [6], [0], "float32"), ref.reduce(op, zeros, [6], [0], "float32"), `${op} of signed zeros`);
        assertSame(nat.reduce(op, zeros, [3, 2], [0], "float32"), ref.reduce(op, zeros, [3, 2], [0], "float32"), `${op} of signed zeros, axis 0`);
        const allNeg = new Float32Array([-0, -0]);
        assertSame(nat.reduce(op, allNeg, [2], [0], "float32"), ref.reduce(op, allNeg, [2], [0], "float32"), `${op} of -0s`);
      }
      const ix = ints(60, r);
      assertSame(nat.reduce("sum", ix, [6, 10], [1], "int32"), ref.reduce("sum", ix, [6, 10], [1], "int32"), "int32 sum");
    });
  });

  test("argReduce: any axis, ties and NaN", () => {
    const r = rng(61);
    for (const [shape, axis] of [[[37], 0], [[6, 17], 1], [[6, 17], 0], [[3, 4, 5], 1], [[2, 0], 1], [[0, 3], 0], [[5, 1], 1], [[700, 3], 0]] as [number[], number][])
      for (const op of ["argmax", "argmin"] as const) {
        const x = floats(size(shape), r, true);
        for (let i = 0; i < x.length; i += 5) x[i] = Math.round(x[i]);
        assertSame(nat.argReduce(op, x, shape, axis), ref.argReduce(op, x, shape, axis), `${op} [${shape}] axis ${axis}`);
      }
  });

  test("softmax and logSoftmax rows, with -Inf, NaN and huge values", () => {
    const r = rng(71);
    for (const [rows, cols] of [[1, 1], [3, 7], [32, 10], [17, 33], [1, 1000], [300, 301], [4, 0]]) {
      const x = floats(rows * cols, r, false);
      if (x.length > 10) {
        x[3] = -Infinity;
        x[7] = 80;
      }
      assertSame(nat.softmax(x, rows, cols), ref.softmax(x, rows, cols), `softmax ${rows}x${cols}`, 1);
      assertSame(nat.logSoftmax(x, rows, cols), ref.logSoftmax(x, rows, cols), `logSoftmax ${rows}x${cols}`, 1);
    }
    const withNaN = new Float32Array([1, NaN, 2, -Infinity, -Infinity, -Infinity]);
    assertSame(nat.softmax(withNaN, 2, 3), ref.softmax(withNaN, 2, 3), "softmax NaN / all -Inf");
    assertSame(nat.logSoftmax(withNaN, 2, 3), ref.logSoftmax(withNaN, 2, 3), "logSoftmax NaN / all -Inf");
  });

  test("transpose: 2-d, batched, general permutations, every element size", () => {
    const r = rng(83);
    const cases: [number[], number[]][] = [
      [[7, 13], [1, 0]], [[1, 5], [1, 0]], [[33, 17], [1, 0]], [[4, 6, 9], [0, 2, 1]], [[4, 6, 9], [2, 0, 1]], [[2, 3, 4, 5], [0, 3, 1, 2]],
      [[300, 257], [1, 0]], [[3, 1, 4], [2, 1, 0]], [[0, 4], [1, 0]], [[5], [0]], [[700, 2, 100], [0, 2, 1]],
    ];
    for (const dtype of DTYPES)
      for (const [shape, perm] of cases) {
        const x = arrayOf(dtype, size(shape), r);
        assertSame(nat.transpose(x, shape, perm), ref.transpose(x, shape, perm), `transpose ${dtype} [${shape}] perm [${perm}]`);
      }
  });

  test("gather: along axis 0 (minibatch rows) and other axes", () => {
    const r = rng(97);
    for (const dtype of DTYPES)
      for (const [shape, axis, m] of [[[10, 7], 0, 32], [[10, 7], 1, 5], [[4, 5, 6], 1, 9], [[50], 0, 17], [[6, 0], 0, 3], [[6, 3], 0, 0]] as [number[], number, number][]) {
        const x = arrayOf(dtype, size(shape), r);
        const idx = Int32Array.from({ length: m }, () => Math.floor(r() * shape[axis]));
        assertSame(nat.gather(x, shape, idx, axis), ref.gather(x, shape, idx, axis), `gather ${dtype} [${shape}] axis ${axis}`);
      }
  });

  test("fused dense forward / backward: every activation, bias or none, odd shapes", () => {
    const r = rng(131);
    const close = (got: ArrayLike<number> | null, want: ArrayLike<number> | null, what: string) => {
      if (want === null) return assert.equal(got, null, `${what}: should be null`);
      assert.ok(got !== null, `${what}: missing`);
      assert.equal(got.length, want.length, `${what}: length`);
      for (let i = 0; i < want.length; i++) {
        const g: number = got[i], w: number = want[i];
        if (Number.isNaN(w) && Number.isNaN(g)) continue;
        if (!(Math.abs(g - w) <= 1e-5 * (1 + Math.abs(w)))) assert.fail(`${what}[${i}]: ${g} vs reference ${w}`);
      }
    };
    for (const [m, k, n] of [[1, 1, 1], [32, 784, 128], [32, 128, 10], [7, 13, 33], [5, 0, 4], [0, 3, 2], [64, 300, 17]])
      for (const act of ["linear", "relu", "sigmoid", "tanh"] as const)
        for (const withBias of [true, false]) {
          const x = uniform(m * k, r), w = uniform(k * n, r).map((v) => v / 8);
          const bias = withBias ? uniform(n, r) : null;
          const what = `dense ${m}x${k}x${n} ${act} bias=${withBias}`;
          const out = ref.linearForward(x, w, bias, m, k, n, act);
          close(nat.linearForward(x, w, bias, m, k, n, act), out, `${what} forward`);
          const dOut = uniform(m * n, r);
          const flags: [boolean, boolean, boolean] = [m % 2 === 0, true, withBias];
          const want = ref.linearBackward(dOut, out, x, w, m, k, n, act, ...flags);
          const got = nat.linearBackward(dOut, out, x, w, m, k, n, act, ...flags);
          close(got.dX, want.dX, `${what} dX`);
          close(got.dW, want.dW, `${what} dW`);
          close(got.db, want.db, `${what} db`);
        }
    assert.throws(() => nat.linearForward(new Float32Array(3), new Float32Array(4), null, 2, 2, 2, "relu"), RangeError);
  });

  test("fused softmax cross-entropy and its gradient: sparse (incl. out-of-range labels) and dense targets", () => {
    const r = rng(137);
    for (const [rows, cols] of [[1, 1], [32, 10], [17, 33], [4, 1000]]) {
      const logits = uniform(rows * cols, r).map((v) => v * 8);
      const labels = Int32Array.from({ length: rows }, (_, i) => (i % 7 === 3 ? cols + 2 : i % 11 === 5 ? -1 : Math.floor(r() * cols)));
      const dense = Float32Array.from({ length: rows * cols }, () => (r() < 0.3 ? r() : 0));
      const scale = Float32Array.from({ length: rows }, () => r() / rows);
      for (const [lab, den] of [[labels, null], [null, dense]] as [Int32Array | null, Float32Array | null][]) {
        const what = `xent ${rows}x${cols} ${lab ? "sparse" : "dense"}`;
        const l1 = nat.softmaxCrossEntropy(logits, rows, cols, lab, den), l2 = ref.softmaxCrossEntropy(logits, rows, cols, lab, den);
        assertClose(l1, l2, Float64Array.from(l2, (v) => 1 + Math.abs(v)), 1e-5, `${what} loss`);
        const g1 = nat.softmaxCrossEntropyBackward(logits, rows, cols, lab, den, scale);
        const g2 = ref.softmaxCrossEntropyBackward(logits, rows, cols, lab, den, scale);
        assertClose(g1, g2, Float64Array.from(g2, (v) => 1e-3 + Math.abs(v)), 1e-5, `${what} gradient`);
      }
    }
  });

  test("fused optimizer updates match bit for bit", () => {
    const r = rng(139);
    /** Both backends update their own copies of `state` in place; every array must come out identical. */
    const same = (what: string, state: (Float32Array | null)[], run: (b: ReferenceBackend, s: (Float32Array | null)[]) => void) => {
      const a = state.map((x) => x?.slice() ?? null), b = state.map((x) => x?.slice() ?? null);
      run(nat, a);
      run(ref, b);
      a.forEach((x, i) => (x === null ? assert.equal(b[i], null) : assertSame(x, b[i]!, `${what} array ${i}`)));
    };
    // Sizes around the vector widths and the thread split (1 << 15 elements).
    for (const size of [1, 17, 1000, 40000]) {
      const v = floats(size, r, false), g = floats(size, r, false), m = floats(size, r, false);
      const vel = Float32Array.from(floats(size, r, false), Math.abs), hat = Float32Array.from(floats(size, r, false), Math.abs);
      for (const nesterov of [false, true])
          for (const mom of [null, m]) {
            const args = { lr: 0.01, momentum: 0.9, nesterov };
            same(`sgd ${size}`, [v, mom], (be, [w, mm]) => be.sgdUpdate(w!, g, mm, args));
          }
      for (const mom of [null, m])
        for (const avg of [null, g.map((x) => x / 2)]) {
          const args = { lr: 0.001, rho: 0.9, momentum: mom ? 0.5 : 0, epsilon: 1e-7 };
          same(`rmsprop ${size}`, [v, vel, mom, avg], (be, [w, vv, mm, aa]) => be.rmspropUpdate(w!, g, vv!, mm, aa, args));
        }
      for (const vh of [null, hat]) {
        const args = { alpha: 0.001 * Math.sqrt(1 - 0.999 ** 3) / (1 - 0.9 ** 3), beta1: 0.9, beta2: 0.999, epsilon: 1e-7 };
        same(`adam ${size}`, [v, m, vel, vh], (be, [w, mm, vv, hh]) => be.adamUpdate(w!, g, mm!, vv!, hh, args));
      }
    }
    assert.throws(() => nat.adamUpdate(new Float32Array(3), new Float32Array(2), new Float32Array(3), new Float32Array(3), null, { alpha: 1, beta1: 0.9, beta2: 0.9, epsilon: 1 }), RangeError);
  });

  test("threads: 1 thread and the pool give the same results", () => {
    const r = rng(101);
    const a = floats(300 * 256, r, false), b = floats(256 * 200, r, false);
    const args: MatmulArgs = { batch: 1, m: 300, n: 200, k: 256, transA: false, transB: false, aBatchStride: 0, bBatchStride: 0 };
    const threads = nat.info().threads;
    const pooled = nat.matmul(a, b, args);
    const sumPooled = nat.reduce("sum", a, [300, 256], [0], "float32");
    const expPooled = nat.unary("exp", a, "float32");
    nat.setNumThreads(1);
    try {
      assertSame(nat.matmul(a, b, args), pooled, "matmul 1 thread vs pool");
      assertSame(nat.reduce("sum", a, [300, 256], [0], "float32"), sumPooled, "column sums 1 thread vs pool");
      assertSame(nat.unary("exp", a, "float32"), expPooled, "exp 1 thread vs pool");
    } finally {
      nat.setNumThreads(threads);
    }
  });
});
