/// <reference types="@webgpu/types" />
/*
 * The WebGPU backend against the reference backend, in a browser page (scripts/test_webgpu.mjs
 * bundles this file, opens it in headless Chromium on SwiftShader and prints the results).
 *
 * Every kernel runs on the GPU (`smallSize` 0: no call goes to the host for being small) on random
 * inputs with odd sizes, broadcasting, every transpose and batch stride of matmul, and NaN / Inf
 * where the reference defines the result. Tolerance: integer and bool results exactly, floats to
 * |gpu - ref| <= 1e-4 * |ref| + atol, NaN where the reference has NaN, infinities exactly. atol is
 * 1e-6 for elementwise results (1e-5 for the trigonometric functions, whose f32 GPU versions lose
 * absolute, not relative, accuracy near their zeros), and 1e-4 times the sum of |terms| for sums
 * and products (GEMM, reductions, scatter-adds), whose order of accumulation differs.
 *
 * Then the same through `keras`: ops and a model trained with `fit` on the webgpu backend, against
 * the same on the reference backend.
 */
import type { BinaryOp, MatmulArgs, ReduceOp, UnaryOp } from "../../../src/backend/core_kernels.js";
import type { DType, TypedArray } from "../../../src/backend/dtypes.js";
import type { BatchNormArgs, ConvArgs, EpilogueActivation, PoolArgs } from "../../../src/backend/fused_kernels.js";
import { ReferenceBackend } from "../../../src/backend/reference/index.js";
import { DeviceArray } from "../../../src/backend/device_array.js";
import { createWebGpuBackend, type WebGpuBackend } from "../../../src/backend/webgpu/index.js";
import { fallbacks, resetFallbacks } from "../../../src/backend/fallbacks.js";
import { runEndToEnd } from "./end_to_end.js";

// The trainer yields with setImmediate, which browsers lack (the browser build supplies its own).
(globalThis as { setImmediate?: unknown }).setImmediate ??= (f: () => void) => setTimeout(f, 0);

interface CaseResult {
  kernel: string;
  label: string;
  ok: boolean;
  /** The largest |gpu - ref| as a fraction of its tolerance (below 1 passes). */
  maxError: number;
  detail?: string;
}

const results: CaseResult[] = [];
const ref = new ReferenceBackend();
let gpu: WebGpuBackend;

/* ---- deterministic inputs ---- */

let seed = 12345;
function random(): number {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

function floats(n: number, lo = -3, hi = 3, specials = false): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * random();
  if (specials && n > 8) {
    out[1] = NaN;
    out[3] = Infinity;
    out[5] = -Infinity;
    out[7] = 0;
  }
  return out;
}

function ints(n: number, lo = -50, hi = 50): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = lo + Math.floor((hi - lo + 1) * random());
  return out;
}

function bytes(n: number, hi = 255): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.floor((hi + 1) * random());
  return out;
}

function arrayOf(dtype: DType, n: number): TypedArray {
  return dtype === "float32" ? floats(n) : dtype === "int32" ? ints(n) : bytes(n, dtype === "bool" ? 1 : 255);
}

function size(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/* ---- comparison ---- */

async function values(x: TypedArray): Promise<TypedArray> {
  return x instanceof DeviceArray ? (x as DeviceArray).read() : x;
}

function compare(got: TypedArray, want: TypedArray, atol: number, scale?: Float64Array | number): { ok: boolean; maxError: number; detail?: string } {
  if (got.length !== want.length) return { ok: false, maxError: Infinity, detail: `length ${got.length}, expected ${want.length}` };
  if (got.constructor !== want.constructor) return { ok: false, maxError: Infinity, detail: `${got.constructor.name}, expected ${want.constructor.name}` };
  const exact = !(want instanceof Float32Array);
  let maxError = 0;
  for (let i = 0; i < want.length; i++) {
    const g = got[i];
    const w = want[i];
    if (exact || !Number.isFinite(w)) {
      if (!(g === w || (Number.isNaN(g) && Number.isNaN(w)))) return { ok: false, maxError: Infinity, detail: `[${i}] = ${g}, expected ${w}` };
      continue;
    }
    const s = scale === undefined ? 0 : typeof scale === "number" ? scale : scale[i];
    const tol = 1e-4 * Math.abs(w) + atol + 1e-4 * s;
    const err = Math.abs(g - w);
    maxError = Math.max(maxError, err / tol);
    if (!(err <= tol)) return { ok: false, maxError: err / tol, detail: `[${i}] = ${g}, expected ${w} (error ${err.toExponential(2)} > ${tol.toExponential(2)})` };
  }
  return { ok: true, maxError };
}

/**
 * Runs `run` on the reference backend, then on the GPU one with the same random inputs (the
 * generator is rewound, so inputs made inside `run` are the same both times), and compares.
 * `scale` gives Σ|terms| for outputs that are sums.
 */
async function check(
  kernel: string, label: string, run: (b: ReferenceBackend) => TypedArray | TypedArray[], atol = 1e-6,
  scale?: ((b: ReferenceBackend) => Float64Array | TypedArray[] | number) | number,
): Promise<void> {
  if ((globalThis as { __verbose?: boolean }).__verbose) console.log(`check ${kernel}: ${label}`);
  try {
    const start = seed;
    const want = run(ref);
    const after = seed;
    seed = start;
    const got = run(gpu);
    seed = after;
    const wantList = Array.isArray(want) ? want : [want];
    const gotList = Array.isArray(got) ? got : [got];
    const scaleOf = typeof scale === "number" ? scale : scale?.(ref);
    let worst = 0;
    for (let i = 0; i < wantList.length; i++) {
      if (!(gotList[i] instanceof DeviceArray) && wantList[i].length > 0) {
        results.push({ kernel, label, ok: false, maxError: Infinity, detail: `output ${i} was computed on the host, not the GPU` });
        return;
      }
      const s = Array.isArray(scaleOf) ? Float64Array.from(scaleOf[i]) : scaleOf;
      const r = compare(await values(gotList[i]), wantList[i], atol, s);
      worst = Math.max(worst, r.maxError);
      if (!r.ok) {
        results.push({ kernel, label, ok: false, maxError: r.maxError, detail: `output ${i}: ${r.detail}` });
        return;
      }
    }
    results.push({ kernel, label, ok: true, maxError: worst });
  } catch (error) {
    results.push({ kernel, label, ok: false, maxError: Infinity, detail: String((error as Error)?.stack ?? error) });
  }
}

function abs(x: Float32Array): Float32Array {
  return Float32Array.from(x, Math.abs);
}

/** Σ |terms| of each output of a GEMM: |A| @ |B| on the reference. */
function gemmScale(a: TypedArray, b: TypedArray, args: MatmulArgs): Float64Array {
  const abs = (x: TypedArray) => Float32Array.from(x, (v) => Math.abs(v));
  return Float64Array.from(ref.matmul(abs(a), abs(b), args) as Float32Array);
}

/* ---- the kernels ---- */

const UNARY: UnaryOp[] = [
  "negative", "abs", "sign", "sqrt", "rsqrt", "square", "reciprocal", "exp", "expm1", "log", "log1p", "sin", "cos", "tan",
  "tanh", "sigmoid", "relu", "floor", "ceil", "round", "isnan", "isfinite", "isinf", "logicalNot", "erf", "softplus", "atan",
  "sinh", "cosh", "asin", "acos", "arcsinh", "arccosh", "arctanh",
];
const PREDICATE_OPS = new Set<string>(["isnan", "isfinite", "isinf", "logicalNot"]);
const INT_UNARY = new Set<string>(["negative", "abs", "sign", "square", "relu", "floor", "ceil", "round", "logicalNot", "isnan", "isfinite", "isinf"]);
const TRIG = new Set<string>(["sin", "cos", "tan"]);
const BINARY: BinaryOp[] = [
  "add", "subtract", "multiply", "divide", "floorDivide", "mod", "power", "maximum", "minimum", "atan2", "equal", "notEqual",
  "less", "lessEqual", "greater", "greaterEqual", "logicalAnd", "logicalOr", "logicalXor",
];
const COMPARISONS = new Set<string>(["equal", "notEqual", "less", "lessEqual", "greater", "greaterEqual", "logicalAnd", "logicalOr", "logicalXor"]);
const INT_BINARY = new Set<string>(["add", "subtract", "multiply", "floorDivide", "mod", "power", "maximum", "minimum"]);

/** Inputs where each unary op is defined, with specials the reference defines. */
function unaryInput(op: UnaryOp, n: number): Float32Array {
  switch (op) {
    case "sqrt":
    case "rsqrt":
    case "log":
      return floats(n, 0.01, 20, false);
    case "asin":
    case "acos":
    case "arctanh":
      return floats(n, -0.99, 0.99);
    case "arccosh":
      return floats(n, 1.001, 30);
    case "exp":
    case "expm1":
    case "sinh":
    case "cosh":
      return floats(n, -10, 10);
    case "tan":
      return floats(n, -1.4, 1.4);
    default:
      return floats(n, -6, 6, true);
  }
}

async function elementwise(): Promise<void> {
  for (const op of UNARY) {
    const x = unaryInput(op, 1237);
    const outDtype: DType = PREDICATE_OPS.has(op) ? "bool" : "float32";
    await check("unary", `${op} float32 -> ${outDtype}`, (b) => b.unary(op, x, outDtype), TRIG.has(op) ? 1e-5 : 1e-6);
    if (INT_UNARY.has(op)) {
      const xi = ints(1001, -1000, 1000);
      await check("unary", `${op} int32 -> ${PREDICATE_OPS.has(op) ? "bool" : "int32"}`, (b) => b.unary(op, xi, PREDICATE_OPS.has(op) ? "bool" : "int32"));
    }
  }
  await check("unary", "special values (log, sqrt, tanh, sigmoid, relu of NaN / Inf / 0 / negatives)", (b) => {
    const x = Float32Array.of(NaN, Infinity, -Infinity, 0, -0, -1, 1e-30, -1e-30, 100, -100, 1e-3);
    return ["log", "sqrt", "tanh", "sigmoid", "relu", "exp", "log1p", "expm1", "softplus", "sign", "abs", "floor", "round", "isnan", "isinf", "isfinite"].map((op) =>
      b.unary(op as UnaryOp, x, ["isnan", "isinf", "isfinite"].includes(op) ? "bool" : "float32"));
  });
  await check("unary", "float32 -> int32 (floor) and uint8 input -> float32 (exp)", (b) => [
    b.unary("floor", floats(700, -1e3, 1e3), "int32"),
    b.unary("sqrt", bytes(555), "float32"),
  ]);
  await check("unary", "round half to even", (b) => b.unary("round", Float32Array.of(0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 3.49, -3.51, 1e7 + 0.5), "float32"));

  const shapes: [number[], number[]][] = [[[37], [37]], [[1], [33]], [[], [19]], [[6, 17], [17]], [[6, 1], [6, 17]], [[3, 1, 5], [1, 4, 1]], [[2, 3, 4, 5], [3, 1, 5]], [[300, 301], [301]], [[257, 1], [1, 259]]];
  for (const op of BINARY) {
    for (const [sa, sb] of op === "add" || op === "multiply" || op === "maximum" ? shapes : shapes.slice(0, 6)) {
      const outShape = broadcast(sa, sb);
      const special = op !== "power";
      const a = op === "power" ? floats(size(sa), 0.1, 4) : floats(size(sa), -5, 5, special);
      const b2 = op === "power" ? floats(size(sb), -3, 3) : floats(size(sb), -5, 5, special);
      const outDtype: DType = COMPARISONS.has(op) ? "bool" : "float32";
      await check("binary", `${op} f32 [${sa}] x [${sb}]`, (b) => b.binary(op, a, sa, b2, sb, outShape, outDtype));
    }
    if (INT_BINARY.has(op) || COMPARISONS.has(op)) {
      const a = ints(210, -1000, 1000);
      const b2 = op === "power" ? ints(15, -2, 6) : ints(15, -7, 7);
      const outDtype: DType = COMPARISONS.has(op) ? "bool" : "int32";
      await check("binary", `${op} int32 [14,15] x [15] -> ${outDtype}`, (b) => b.binary(op, a, [14, 15], b2, [15], [14, 15], outDtype));
    }
  }
  await check("binary", "power of negative bases, zero and one", (b) =>
    b.binary("power", Float32Array.of(-2, -2, -2, 0, 0, 0, 1, -1, 2.5, -8), [10], Float32Array.of(3, 2, 0.5, 2, 0, -1, NaN, Infinity, -2, 1 / 3), [10], [10], "float32"));
  await check("binary", "int32 wrap-around (add, multiply) and division by zero", (b) => [
    b.binary("add", Int32Array.of(2147483647, -2147483648, 5), [3], Int32Array.of(1, -1, 7), [3], [3], "int32"),
    b.binary("multiply", Int32Array.of(65536, 123456789, -7), [3], Int32Array.of(65536, 1000, 3), [3], [3], "int32"),
    b.binary("floorDivide", Int32Array.of(7, -7, 7, -2147483648), [4], Int32Array.of(0, 2, -2, -1), [4], [4], "int32"),
    b.binary("mod", Int32Array.of(7, -7, 7, 5), [4], Int32Array.of(0, 2, -2, 5), [4], [4], "int32"),
    b.binary("divide", Int32Array.of(7, -7, 0, 9), [4], Int32Array.of(2, 0, 0, -2), [4], [4], "int32"),
  ]);
  await check("binary", "mixed storage: uint8 x float32 -> float32, int32 x float32", (b) => [
    b.binary("divide", bytes(600), [20, 30], Float32Array.of(255), [], [20, 30], "float32"),
    b.binary("subtract", ints(600), [20, 30], floats(30), [30], [20, 30], "float32"),
  ]);
  await check("binary", "uint8 and bool results", (b) => [
    b.binary("add", bytes(500), [500], bytes(500), [500], [500], "uint8"),
    b.binary("logicalAnd", bytes(500, 1), [500], bytes(500, 1), [500], [500], "bool"),
  ]);

  for (const [cs, as, bs] of [[[4, 5], [4, 5], [4, 5]], [[4, 5], [5], []], [[3, 1], [1, 7], [3, 7]]] as number[][][]) {
    const out = broadcast(broadcast(cs, as), bs);
    const c = bytes(size(cs), 1);
    const a = floats(size(as));
    const b2 = floats(size(bs));
    await check("select", `[${cs}] ? [${as}] : [${bs}]`, (b) => b.select(c, cs, a, as, b2, bs, out, "float32"));
  }
  await check("select", "int32 branches, float32 condition", (b) => b.select(floats(60, -1, 1), [60], ints(60), [60], Int32Array.of(-9), [], [60], "int32"));

  const castInput = Float32Array.of(-2.7, 2.7, 3e9, -3e9, 2147483648, -2147483649, NaN, Infinity, -Infinity, 255.9, 256, -1, 0.4, -0, 1e20, 65537.5);
  for (const to of ["int32", "uint8", "bool", "float32"] as DType[]) await check("cast", `float32 -> ${to}`, (b) => b.cast(castInput, to));
  for (const [from, to] of [["int32", "float32"], ["int32", "uint8"], ["int32", "bool"], ["uint8", "float32"], ["uint8", "int32"], ["bool", "float32"]] as [DType, DType][]) {
    const x = from === "int32" ? Int32Array.of(0, 1, -1, 300, -300, 16777217, 2147483647, -2147483648) : bytes(9, from === "bool" ? 1 : 255);
    await check("cast", `${from} -> ${to}`, (b) => b.cast(x, to));
  }
  for (const [dtype, value] of [["float32", 1.5], ["int32", -3.7], ["uint8", 300], ["bool", 2]] as [DType, number][]) {
    await check("fill", `${dtype} ${value}`, (b) => b.fill(2049, value, dtype));
  }
}

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

async function reductions(): Promise<void> {
  const cases: [number[], number[]][] = [[[7, 300, 5], [1]], [[7, 300, 5], [0, 2]], [[40, 33], [1]], [[40, 33], [0]], [[1000], [0]], [[3, 4, 5, 6], [1, 3]], [[3, 4, 5], []], [[9, 1, 4], [1]]];
  for (const op of ["sum", "prod", "max", "min", "any", "all"] as ReduceOp[]) {
    for (const [shape, axes] of cases) {
      const x = op === "prod" ? floats(size(shape), 0.9, 1.1) : op === "any" || op === "all" ? Float32Array.from(floats(size(shape)), (v) => (v > -2.9 ? 1 : 0)) : floats(size(shape));
      const outDtype: DType = op === "any" || op === "all" ? "bool" : "float32";
      const scale = op === "sum" ? (b: ReferenceBackend) => Float64Array.from(b.reduce("sum", Float32Array.from(x, Math.abs), shape, axes, "float32") as Float32Array) : undefined;
      await check("reduce", `${op} [${shape}] over [${axes}]`, (b) => b.reduce(op, x, shape, axes, outDtype), 1e-6, scale);
    }
  }
  await check("reduce", "int32 sum / max / min, bool sum to int32, NaN in max", (b) => [
    b.reduce("sum", ints(3000, -1e6, 1e6), [30, 100], [1], "int32"),
    b.reduce("max", ints(3000), [30, 100], [0], "int32"),
    b.reduce("min", ints(3000), [3000], [0], "int32"),
    b.reduce("sum", bytes(3000, 1), [3000], [0], "int32"),
    b.reduce("max", Float32Array.of(1, NaN, 3, 2, 5, 4), [2, 3], [1], "float32"),
  ]);
  const argCases: number[][] = [[6, 50, 3], [100, 10], [10, 100], [1000]];
  for (const op of ["argmax", "argmin"] as const) {
    for (const shape of argCases) {
      const x = floats(size(shape));
      for (let axis = 0; axis < shape.length; axis++) await check("argReduce", `${op} [${shape}] axis ${axis}`, (b) => b.argReduce(op, x, shape, axis));
    }
    await check("argReduce", `${op} ties, NaN, int32`, (b) => [
      b.argReduce(op, Float32Array.of(1, 3, 3, 2, NaN, 5, 0, 0, 0), [3, 3], 1),
      b.argReduce(op, ints(400, -3, 3), [20, 20], 0),
    ]);
  }
  for (const op of ["sum", "prod"] as const) {
    for (const [shape, axis] of [[[5, 40, 3], 1], [[300], 0], [[20, 30], 0]] as [number[], number][]) {
      const x = op === "prod" ? floats(size(shape), 0.95, 1.05) : floats(size(shape));
      const scale = op === "sum" ? (b: ReferenceBackend) => Float64Array.from(b.cumulative("sum", Float32Array.from(x, Math.abs), shape, axis, "float32") as Float32Array) : undefined;
      await check("cumulative", `${op} [${shape}] axis ${axis}`, (b) => b.cumulative(op, x, shape, axis, "float32"), 1e-6, scale);
    }
  }
  await check("cumulative", "int32 sum, bool sum to int32", (b) => [b.cumulative("sum", ints(600), [20, 30], 1, "int32"), b.cumulative("sum", bytes(600, 1), [600], 0, "int32")]);
}

async function layout(): Promise<void> {
  const x4 = floats(2 * 3 * 4 * 5);
  for (const perm of [[3, 1, 0, 2], [0, 1, 2, 3], [1, 0, 2, 3], [3, 2, 1, 0]]) await check("transpose", `[2,3,4,5] by [${perm}]`, (b) => b.transpose(x4, [2, 3, 4, 5], perm));
  await check("transpose", "int32 and uint8 [300, 7]", (b) => [b.transpose(ints(2100), [300, 7], [1, 0]), b.transpose(bytes(2100), [300, 7], [1, 0])]);
  for (const [s, o] of [[[3, 1], [2, 3, 4]], [[], [5, 6]], [[4], [3, 4]], [[1, 4, 1], [2, 4, 3]]] as number[][][]) {
    const x = floats(size(s));
    await check("broadcastTo", `[${s}] -> [${o}]`, (b) => b.broadcastTo(x, s, o));
  }
  await check("slice", "[6, 7, 8] box", (b) => b.slice(x4.length ? floats(336) : x4, [6, 7, 8], [1, 2, 3], [4, 3, 5]));
  await check("slice", "int32 [100, 10] rows", (b) => b.slice(ints(1000), [100, 10], [10, 0], [50, 10]));
  await check("pad", "[3, 4] by [[1, 2], [0, 3]] with 7.5", (b) => b.pad(floats(12), [3, 4], [[1, 2], [0, 3]], 7.5));
  await check("pad", "int32 [2, 3, 4], zero", (b) => b.pad(ints(24), [2, 3, 4], [[0, 0], [2, 2], [1, 0]], 0));
  await check("concat", "three float32 along axis 1", (b) => b.concat([floats(12), floats(18), floats(6)], [[3, 4], [3, 6], [3, 2]], 1, "float32"));
  await check("concat", "int32 and uint8 into float32 along axis 0", (b) => b.concat([ints(12), bytes(8)], [[3, 4], [2, 4]], 0, "float32"));
  await check("reverse", "[4, 5, 6] over [0, 2]", (b) => b.reverse(floats(120), [4, 5, 6], [0, 2]));
  await check("reverse", "int32 [7] over [0]", (b) => b.reverse(ints(7), [7], [0]));
}

async function gathers(): Promise<void> {
  const x = floats(50 * 8);
  const onGpu = (b: ReferenceBackend, v: TypedArray): TypedArray => (b === gpu ? (gpu.context.toGpu(v) as unknown as TypedArray) : v);
  await check("gather", "rows of [50, 8]", (b) => b.gather(onGpu(b, x), [50, 8], Int32Array.from(ints(30, 0, 49)), 0));
  await check("gather", "axis 1 of [5, 10, 8], int32", (b) => b.gather(onGpu(b, ints(400)), [5, 10, 8], Int32Array.from(ints(7, 0, 9)), 1));
  await check("scatterAdd", "into [20, 6] with repeats", (b) => b.scatterAdd(floats(30 * 6), Int32Array.from(ints(30, 0, 19)), 0, [20, 6]), 1e-6, 1e-3);
  await check("scatterAdd", "axis 1 of [4, 9, 3], int32", (b) => b.scatterAdd(ints(4 * 12 * 3), Int32Array.from(ints(12, 0, 8)), 1, [4, 9, 3]));
  await check("gatherAlongAxis", "[6, 10, 4] axis 1", (b) => b.gatherAlongAxis(floats(240), [6, 10, 4], Int32Array.from(ints(6 * 7 * 4, 0, 9)), [6, 7, 4], 1));
  await check("scatterAddAlongAxis", "[6, 10, 4] axis 1", (b) => b.scatterAddAlongAxis(floats(6 * 7 * 4), Int32Array.from(ints(6 * 7 * 4, 0, 9)), [6, 7, 4], 1, [6, 10, 4]), 1e-6, 1e-3);
}

async function matmuls(): Promise<void> {
  const dims: [number, number, number][] = [[1, 1, 1], [17, 19, 23], [64, 64, 64], [100, 33, 250], [3, 129, 5], [33, 1, 70]];
  for (const [m, n, k] of dims) {
    for (const transA of [false, true]) {
      for (const transB of [false, true]) {
        const a = floats(m * k);
        const b2 = floats(k * n);
        const args: MatmulArgs = { batch: 1, m, n, k, transA, transB, aBatchStride: 0, bBatchStride: 0 };
        await check("matmul", `${m}x${k} @ ${k}x${n}${transA ? " A'" : ""}${transB ? " B'" : ""}`, (b) => b.matmul(a, b2, args), 1e-6, () => gemmScale(a, b2, args));
      }
    }
  }
  for (const [aStride, bStride] of [[5 * 7, 7 * 3], [0, 7 * 3], [5 * 7, 0]]) {
    const a = floats(4 * 5 * 7);
    const b2 = floats(4 * 7 * 3);
    const args: MatmulArgs = { batch: 4, m: 5, n: 3, k: 7, transA: false, transB: false, aBatchStride: aStride, bBatchStride: bStride };
    await check("matmul", `batch 4, strides ${aStride} / ${bStride}`, (b) => b.matmul(a, b2, args), 1e-6, () => {
      const s = new Float64Array(60);
      for (let i = 0; i < 4; i++) s.set(gemmScale(a.subarray(i * aStride, i * aStride + 35), b2.subarray(i * bStride, i * bStride + 21), { ...args, batch: 1 }), i * 15);
      return s;
    });
  }
  await check("matmul", "int32 40x30 @ 30x20 (wrapping)", (b) => b.matmul(ints(1200, -5000, 5000), ints(600, -5000, 5000), { batch: 1, m: 40, n: 20, k: 30, transA: false, transB: false, aBatchStride: 0, bBatchStride: 0 }));
  for (const [rows, cols] of [[33, 10], [5, 300], [1, 1]]) {
    const x = floats(rows * cols, -20, 20);
    await check("softmax", `[${rows}, ${cols}]`, (b) => b.softmax(x, rows, cols));
    await check("logSoftmax", `[${rows}, ${cols}]`, (b) => b.logSoftmax(x, rows, cols), 1e-5);
  }
}

async function fused(): Promise<void> {
  const [m, k, n] = [50, 70, 30];
  const x = floats(m * k, -1, 1);
  const w = floats(k * n, -0.5, 0.5);
  const bias = floats(n);
  const scale = () => gemmScale(x, w, { batch: 1, m, n, k, transA: false, transB: false, aBatchStride: 0, bBatchStride: 0 });
  for (const activation of ["linear", "relu", "sigmoid", "tanh"] as EpilogueActivation[]) {
    for (const withBias of [true, false]) {
      await check("linearForward", `${activation}${withBias ? " + bias" : ""}`, (b) => b.linearForward(x, w, withBias ? bias : null, m, k, n, activation), 1e-6, scale);
    }
    const out = ref.linearForward(x, w, bias, m, k, n, activation);
    const dOut = floats(m * n);
    await check("linearBackward", activation, (b) => {
      const g = b.linearBackward(dOut, out, x, w, m, k, n, activation, true, true, true);
      return [g.dX!, g.dW!, g.db!];
    }, 1e-6, (b) => {
      // Σ|terms| of each gradient: the linear backward of |dOut| on |x| and |w| (|act'| <= 1).
      const g = b.linearBackward(abs(dOut), out, abs(x), abs(w), m, k, n, "linear", true, true, true);
      return [g.dX!, g.dW!, g.db!];
    });
  }
  const rows = 40;
  const cols = 12;
  const logits = floats(rows * cols, -8, 8);
  const labels = Int32Array.from(ints(rows, 0, cols - 1));
  labels[3] = cols;
  labels[7] = -1;
  const dense = Float32Array.from(floats(rows * cols, 0, 1));
  const rowScale = floats(rows, 0, 1);
  await check("softmaxCrossEntropy", "sparse labels (two out of range)", (b) => b.softmaxCrossEntropy(logits, rows, cols, labels, null), 1e-5);
  await check("softmaxCrossEntropy", "dense soft targets", (b) => b.softmaxCrossEntropy(logits, rows, cols, null, dense), 1e-5);
  await check("softmaxCrossEntropyBackward", "sparse", (b) => b.softmaxCrossEntropyBackward(logits, rows, cols, labels, null, rowScale));
  await check("softmaxCrossEntropyBackward", "dense", (b) => b.softmaxCrossEntropyBackward(logits, rows, cols, null, dense, rowScale), 1e-5);
  await check("normalize", "order 2 over axis 1 (composed on the GPU)", (b) => b.normalize(floats(600), [20, 30], [1], { order: 2, mode: "epsilon", epsilon: 1e-12 }));

  const size = 3001;
  const updates: [string, (b: ReferenceBackend, s: TypedArray[]) => void, number][] = [
    ["sgdUpdate plain", (b, s) => b.sgdUpdate(s[0] as Float32Array, s[4] as Float32Array, null, { lr: 0.01, momentum: 0, nesterov: false }), 1],
    ["sgdUpdate momentum", (b, s) => b.sgdUpdate(s[0] as Float32Array, s[4] as Float32Array, s[1] as Float32Array, { lr: 0.01, momentum: 0.9, nesterov: false }), 2],
    ["sgdUpdate nesterov", (b, s) => b.sgdUpdate(s[0] as Float32Array, s[4] as Float32Array, s[1] as Float32Array, { lr: 0.01, momentum: 0.9, nesterov: true }), 2],
    ["rmspropUpdate plain", (b, s) => b.rmspropUpdate(s[0] as Float32Array, s[4] as Float32Array, s[1] as Float32Array, null, null, { lr: 0.001, rho: 0.9, momentum: 0, epsilon: 1e-7 }), 2],
    ["rmspropUpdate momentum + centered", (b, s) => b.rmspropUpdate(s[0] as Float32Array, s[4] as Float32Array, s[1] as Float32Array, s[2] as Float32Array, s[3] as Float32Array, { lr: 0.001, rho: 0.9, momentum: 0.5, epsilon: 1e-7 }), 4],
    ["adamUpdate", (b, s) => b.adamUpdate(s[0] as Float32Array, s[4] as Float32Array, s[1] as Float32Array, s[2] as Float32Array, null, { alpha: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 }), 3],
    ["adamUpdate amsgrad", (b, s) => b.adamUpdate(s[0] as Float32Array, s[4] as Float32Array, s[1] as Float32Array, s[2] as Float32Array, s[3] as Float32Array, { alpha: 0.001, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 }), 4],
  ];
  for (const [label, step, written] of updates) {
    const start = [floats(size), floats(size, -0.1, 0.1), floats(size, 0, 0.1), floats(size, 0, 0.1)];
    const grads = [floats(size), floats(size), floats(size)];
    await check(label.split(" ")[0], `${label}, three steps`, (b) => {
      const state = start.map((s) => (b === gpu ? gpu.writableCopy(s) : s.slice()));
      for (const g of grads) step(b, [...state, g]);
      return state.slice(0, written);
    }, 1e-6);
  }
}

/** Output extent along one axis for a window of `k` taps (dilation d) with padding before/after. */
function outExtent(input: number, k: number, stride: number, dilation: number, before: number, after: number): number {
  return Math.floor((input + before + after - dilation * (k - 1) - 1) / stride) + 1;
}

async function convolutions(): Promise<void> {
  const convCases: { label: string; args: ConvArgs }[] = [];
  const conv = (label: string, batch: number, cin: number, cout: number, groups: number, input: number[], kernel: number[], strides: number[], dilations: number[], pads: number[], channelsFirst = false) => {
    const outputSize = input.map((n, i) => outExtent(n, kernel[i], strides[i], dilations[i], pads[i], pads[i]));
    convCases.push({ label, args: { batch, inChannels: cin, outChannels: cout, groups, inputSize: input, outputSize, kernelSize: kernel, strides, dilations, padBefore: pads, channelsFirst } });
  };
  conv("2-d 3x3 same, 3 -> 4 channels", 2, 3, 4, 1, [9, 8], [3, 3], [1, 1], [1, 1], [1, 1]);
  conv("2-d 3x3 stride 2 valid, channels first", 2, 2, 5, 1, [11, 10], [3, 3], [2, 2], [1, 1], [0, 0], true);
  conv("2-d 3x3 dilation 2, 2 groups", 1, 4, 6, 2, [10, 9], [3, 3], [1, 1], [2, 2], [2, 2]);
  conv("1-d 5 taps stride 2", 3, 2, 3, 1, [17], [5], [2], [1], [2]);
  conv("3-d 2x2x2", 1, 2, 2, 1, [4, 5, 3], [2, 2, 2], [1, 1, 1], [1, 1, 1], [0, 0, 0]);
  for (const { label, args } of convCases) {
    const xSize = args.batch * args.inChannels * size(args.inputSize);
    const wSize = size(args.kernelSize) * (args.inChannels / args.groups) * args.outChannels;
    const oSize = args.batch * args.outChannels * size(args.outputSize);
    const x = floats(xSize, -1, 1);
    const w = floats(wSize, -0.5, 0.5);
    const bias = floats(args.outChannels);
    // Σ|terms| of each output: the same kernel on |inputs| (and linear, |act'| <= 1).
    const forwardScale = (b: ReferenceBackend) => Float64Array.from(b.convForward(abs(x), abs(w), abs(bias), args, "linear"));
    for (const activation of ["linear", "relu"] as EpilogueActivation[]) {
      await check("convForward", `${label}, ${activation}`, (b) => b.convForward(x, w, bias, args, activation), 1e-6, forwardScale);
    }
    const out = ref.convForward(x, w, bias, args, "tanh");
    const dOut = floats(oSize, -1, 1);
    await check("convBackward", `${label}, tanh`, (b) => {
      const g = b.convBackward(dOut, out, x, w, args, "tanh", true, true, true);
      return [g.dX!, g.dW!, g.db!];
    }, 1e-6, (b) => {
      const g = b.convBackward(abs(dOut), null, abs(x), abs(w), args, "linear", true, true, true);
      return [g.dX!, g.dW!, g.db!];
    });
  }
  const poolCases: { label: string; args: PoolArgs }[] = [];
  const pool = (label: string, batch: number, channels: number, input: number[], window: number[], strides: number[], pads: number[], channelsFirst = false) => {
    const outputSize = input.map((n, i) => outExtent(n, window[i], strides[i], 1, pads[i], pads[i]));
    poolCases.push({ label, args: { batch, channels, inputSize: input, outputSize, poolSize: window, strides, padBefore: pads, channelsFirst } });
  };
  pool("2x2 stride 2", 2, 3, [8, 9], [2, 2], [2, 2], [0, 0]);
  pool("3x3 stride 1 padded, channels first", 2, 2, [7, 6], [3, 3], [1, 1], [1, 1], true);
  pool("1-d 3 stride 2", 3, 4, [11], [3], [2], [1]);
  for (const { label, args } of poolCases) {
    const x = floats(args.batch * args.channels * size(args.inputSize));
    const dOut = floats(args.batch * args.channels * size(args.outputSize));
    await check("maxPoolForward", label, (b) => b.maxPoolForward(x, args));
    await check("maxPoolBackward", label, (b) => b.maxPoolBackward(dOut, x, args), 1e-6, (b) => Float64Array.from(b.maxPoolBackward(abs(dOut), x, args)));
    await check("avgPoolForward", label, (b) => b.avgPoolForward(x, args), 1e-6, (b) => Float64Array.from(b.avgPoolForward(abs(x), args)));
    await check("avgPoolBackward", label, (b) => b.avgPoolBackward(dOut, args), 1e-6, (b) => Float64Array.from(b.avgPoolBackward(abs(dOut), args)));
  }
  for (const bn of [{ outer: 64, channels: 5, inner: 1, epsilon: 1e-3 }, { outer: 4, channels: 3, inner: 30, epsilon: 1e-5 }] as BatchNormArgs[]) {
    const n = bn.outer * bn.channels * bn.inner;
    const x = floats(n, -2, 3);
    const gamma = floats(bn.channels, 0.5, 1.5);
    const beta = floats(bn.channels);
    const label = `[${bn.outer}, ${bn.channels}, ${bn.inner}]`;
    await check("batchNormTraining", label, (b) => {
      const r = b.batchNormTraining(x, gamma, beta, bn);
      return [r.out, r.mean, r.variance];
    }, 1e-5);
    const { mean, variance } = ref.batchNormTraining(x, gamma, beta, bn);
    const dOut = floats(n);
    await check("batchNormTrainingBackward", label, (b) => {
      const g = b.batchNormTrainingBackward(dOut, x, mean, variance, gamma, bn, true, true, true);
      return [g.dX!, g.dGamma!, g.dBeta!];
    }, 1e-5, (b) => {
      // dGamma and dBeta are channel sums: Σ|dOut| per channel (times 4 for dGamma, |xhat| < 4 here).
      const sums = b.batchNormTrainingBackward(abs(dOut), x, mean, variance, gamma, bn, false, true, true).dBeta!;
      return [new Float32Array(n), sums.map((v) => 4 * v), sums];
    });
    await check("batchNormInference", label, (b) => b.batchNormInference(x, mean, variance, gamma, beta, bn), 1e-5);
  }
}

async function main(): Promise<void> {
  const t0 = performance.now();
  gpu = await createWebGpuBackend();
  gpu.smallSize = 0;
  gpu.hostAfterReadback = false;
  resetFallbacks();
  await elementwise();
  await reductions();
  await layout();
  await gathers();
  await matmuls();
  await fused();
  await convolutions();
  const kernelFallbacks = fallbacks();
  const kernelTime = performance.now() - t0;
  const endToEnd = await runEndToEnd();
  (globalThis as Record<string, unknown>).__results = { results, kernelFallbacks, kernelTime, endToEnd, memory: gpu.memory() };
}

main().catch((error) => {
  (globalThis as Record<string, unknown>).__results = { fatal: String((error as Error)?.stack ?? error) };
});
