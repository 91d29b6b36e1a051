import type { BinaryOp, UnaryOp } from "../backend.js";
import { allocate, dtypeOfTypedArray, type DType, type Shape, type TypedArray } from "../dtypes.js";
import { sizeOf } from "../shape.js";

/*
 * Elementwise kernels are generated once per op from an expression, so each op gets its own
 * monomorphic loop over typed arrays (no per-element function call), then cached.
 */

const UNARY_EXPR: Record<UnaryOp, string> = {
  negative: "-a",
  abs: "Math.abs(a)",
  sign: "(a > 0 ? 1 : a < 0 ? -1 : a)",
  sqrt: "Math.sqrt(a)",
  rsqrt: "1 / Math.sqrt(a)",
  square: "a * a",
  reciprocal: "1 / a",
  exp: "Math.exp(a)",
  expm1: "Math.expm1(a)",
  log: "Math.log(a)",
  log1p: "Math.log1p(a)",
  sin: "Math.sin(a)",
  cos: "Math.cos(a)",
  tan: "Math.tan(a)",
  tanh: "Math.tanh(a)",
  // Written so neither branch overflows exp for large |a|.
  sigmoid: "(a >= 0 ? 1 / (1 + Math.exp(-a)) : Math.exp(a) / (1 + Math.exp(a)))",
  relu: "(a > 0 ? a : 0)",
  floor: "Math.floor(a)",
  ceil: "Math.ceil(a)",
  // Round half to even, as NumPy and Keras do.
  round: "(Math.abs(a - Math.trunc(a)) === 0.5 ? 2 * Math.round(a / 2) : Math.round(a))",
  isnan: "(a !== a ? 1 : 0)",
  isfinite: "(Number.isFinite(a) ? 1 : 0)",
  isinf: "(a === Infinity || a === -Infinity ? 1 : 0)",
  logicalNot: "(a === 0 ? 1 : 0)",
  erf: "erf(a)",
  softplus: "(a > 0 ? a + Math.log1p(Math.exp(-a)) : Math.log1p(Math.exp(a)))",
  atan: "Math.atan(a)",
  sinh: "Math.sinh(a)",
  cosh: "Math.cosh(a)",
  asin: "Math.asin(a)",
  acos: "Math.acos(a)",
  arcsinh: "Math.asinh(a)",
  arccosh: "Math.acosh(a)",
  arctanh: "Math.atanh(a)",
};

const BINARY_EXPR: Record<BinaryOp, string> = {
  add: "a + b",
  subtract: "a - b",
  multiply: "a * b",
  divide: "a / b",
  floorDivide: "Math.floor(a / b)",
  // Python's modulo: the result takes the sign of the divisor.
  mod: "(b === 0 ? NaN : a - Math.floor(a / b) * b)",
  power: "Math.pow(a, b)",
  maximum: "(a !== a || b !== b ? NaN : a > b ? a : b)",
  minimum: "(a !== a || b !== b ? NaN : a < b ? a : b)",
  atan2: "Math.atan2(a, b)",
  equal: "(a === b ? 1 : 0)",
  notEqual: "(a !== b ? 1 : 0)",
  less: "(a < b ? 1 : 0)",
  lessEqual: "(a <= b ? 1 : 0)",
  greater: "(a > b ? 1 : 0)",
  greaterEqual: "(a >= b ? 1 : 0)",
  logicalAnd: "(a !== 0 && b !== 0 ? 1 : 0)",
  logicalOr: "(a !== 0 || b !== 0 ? 1 : 0)",
  logicalXor: "((a !== 0) !== (b !== 0) ? 1 : 0)",
};

/** Abramowitz-Stegun 7.1.26 is too coarse for gelu; this series/continued-fraction pair is ~1e-7. */
function erf(x: number): number {
  const ax = Math.abs(x);
  if (ax < 2) {
    // Maclaurin series converges quickly here.
    let term = x;
    let sum = x;
    const x2 = x * x;
    for (let n = 1; n < 60; n++) {
      term *= -x2 / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return (2 / Math.sqrt(Math.PI)) * sum;
  }
  if (ax > 6) return Math.sign(x);
  // erfc continued fraction (Lentz) for the tail.
  const z = ax;
  let f = z;
  let c = z;
  let d = 0;
  for (let n = 1; n < 200; n++) {
    const an = n / 2;
    d = z + an * d;
    d = d === 0 ? 1e-300 : 1 / d;
    c = z + an / c;
    if (c === 0) c = 1e-300;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  const erfc = Math.exp(-z * z) / (f * Math.sqrt(Math.PI));
  return Math.sign(x) * (1 - erfc);
}

/** Integer outputs truncate toward zero on store; int32 division and remainder need that. */
function storeExpr(dtype: DType, expr: string): string {
  if (dtype === "int32") return `(${expr}) | 0`;
  if (dtype === "bool") return `(${expr}) !== 0 ? 1 : 0`;
  return expr;
}

type UnaryKernel = (x: TypedArray, out: TypedArray, n: number, erf: (v: number) => number) => void;
const unaryCache = new Map<string, UnaryKernel>();

function unaryKernel(op: UnaryOp, outDtype: DType): UnaryKernel {
  const key = `${op}:${outDtype}`;
  let kernel = unaryCache.get(key);
  if (kernel === undefined) {
    kernel = new Function("x", "out", "n", "erf", `for (let i = 0; i < n; i++) { const a = x[i]; out[i] = ${storeExpr(outDtype, UNARY_EXPR[op])}; }`) as UnaryKernel;
    unaryCache.set(key, kernel);
  }
  return kernel;
}

export function unary(op: UnaryOp, x: TypedArray, outDtype: DType): TypedArray {
  const out = allocate(outDtype, x.length);
  unaryKernel(op, outDtype)(x, out, x.length, erf);
  return out;
}

/*
 * Broadcasting: both inputs are viewed with the output's rank (leading 1s), adjacent axes that
 * broadcast the same way are merged, and the kernel walks the output with an odometer over the
 * outer axes and a tight loop over the innermost one, whose input strides are 0 or 1.
 */
type BinaryKernel = (
  a: TypedArray, b: TypedArray, out: TypedArray,
  outer: Int32Array, aStrides: Int32Array, bStrides: Int32Array, inner: number, sa: number, sb: number,
) => void;
const binaryCache = new Map<string, BinaryKernel>();

function binaryKernel(op: BinaryOp, outDtype: DType): BinaryKernel {
  const key = `${op}:${outDtype}`;
  let kernel = binaryCache.get(key);
  if (kernel === undefined) {
    const expr = storeExpr(outDtype, BINARY_EXPR[op]);
    kernel = new Function(
      "a", "b", "out", "outer", "aStrides", "bStrides", "inner", "sa", "sb",
      `
      const rank = outer.length;
      const counter = new Int32Array(rank);
      let total = 1;
      for (let d = 0; d < rank; d++) total *= outer[d];
      let ia = 0, ib = 0, o = 0;
      for (let step = 0; step < total; step++) {
        if (sa === 1 && sb === 1) {
          for (let j = 0; j < inner; j++) { const a_ = a[ia + j], b_ = b[ib + j]; { const a = a_, b = b_; out[o + j] = ${expr}; } }
        } else if (sa === 1) {
          const b_ = b[ib];
          for (let j = 0; j < inner; j++) { const a_ = a[ia + j]; { const a = a_, b = b_; out[o + j] = ${expr}; } }
        } else if (sb === 1) {
          const a_ = a[ia];
          for (let j = 0; j < inner; j++) { const b_ = b[ib + j]; { const a = a_, b = b_; out[o + j] = ${expr}; } }
        } else {
          const a_ = a[ia], b_ = b[ib];
          { const a = a_, b = b_; out[o] = ${expr}; }
          for (let j = 1; j < inner; j++) out[o + j] = out[o];
        }
        o += inner;
        for (let d = rank - 1; d >= 0; d--) {
          counter[d]++;
          ia += aStrides[d];
          ib += bStrides[d];
          if (counter[d] < outer[d]) break;
          ia -= aStrides[d] * outer[d];
          ib -= bStrides[d] * outer[d];
          counter[d] = 0;
        }
      }`,
    ) as BinaryKernel;
    binaryCache.set(key, kernel);
  }
  return kernel;
}

interface BroadcastPlan {
  outer: Int32Array;
  aStrides: Int32Array[];
  inner: number;
  innerStrides: number[];
}

/** Merges axes and computes per-input strides (0 where an input broadcasts) for `inputs` against `outShape`. */
function planBroadcast(inputs: readonly Shape[], outShape: Shape): BroadcastPlan {
  const rank = outShape.length;
  const padded = inputs.map((s) => [...new Array<number>(rank - s.length).fill(1), ...s]);
  // Collapse runs of axes where every input either matches or broadcasts in the same way.
  const dims: number[] = [];
  const flags: boolean[][] = []; // per merged axis, per input: does the input vary along it
  for (let d = 0; d < rank; d++) {
    if (outShape[d] === 1) continue;
    const varies = padded.map((s) => s[d] !== 1);
    const last = flags.length - 1;
    if (last >= 0 && varies.every((v, i) => v === flags[last][i])) {
      dims[last] *= outShape[d];
    } else {
      dims.push(outShape[d]);
      flags.push(varies);
    }
  }
  if (dims.length === 0) {
    dims.push(1);
    flags.push(inputs.map(() => true));
  }
  const stridesPerInput = inputs.map((_, i) => {
    const strides = new Array<number>(dims.length);
    let stride = 1;
    for (let d = dims.length - 1; d >= 0; d--) {
      strides[d] = flags[d][i] ? stride : 0;
      if (flags[d][i]) stride *= dims[d];
    }
    return strides;
  });
  const inner = dims[dims.length - 1];
  return {
    outer: Int32Array.from(dims.slice(0, -1)),
    aStrides: stridesPerInput.map((s) => Int32Array.from(s.slice(0, -1))),
    inner,
    innerStrides: stridesPerInput.map((s) => s[s.length - 1]),
  };
}

export function binary(op: BinaryOp, a: TypedArray, aShape: Shape, b: TypedArray, bShape: Shape, outShape: Shape, outDtype: DType): TypedArray {
  const out = allocate(outDtype, sizeOf(outShape));
  if (out.length === 0) return out;
  const plan = planBroadcast([aShape, bShape], outShape);
  binaryKernel(op, outDtype)(a, b, out, plan.outer, plan.aStrides[0], plan.aStrides[1], plan.inner, plan.innerStrides[0], plan.innerStrides[1]);
  return out;
}

export function select(
  cond: TypedArray, condShape: Shape, a: TypedArray, aShape: Shape, b: TypedArray, bShape: Shape, outShape: Shape, outDtype: DType,
): TypedArray {
  const out = allocate(outDtype, sizeOf(outShape));
  if (out.length === 0) return out;
  const plan = planBroadcast([condShape, aShape, bShape], outShape);
  const rank = plan.outer.length;
  const counter = new Int32Array(rank);
  let total = 1;
  for (let d = 0; d < rank; d++) total *= plan.outer[d];
  const [sc, sa, sb] = plan.innerStrides;
  const [cs, as, bs] = plan.aStrides;
  const inner = plan.inner;
  let ic = 0, ia = 0, ib = 0, o = 0;
  for (let step = 0; step < total; step++) {
    for (let j = 0; j < inner; j++) out[o + j] = cond[ic + j * sc] !== 0 ? a[ia + j * sa] : b[ib + j * sb];
    o += inner;
    for (let d = rank - 1; d >= 0; d--) {
      counter[d]++;
      ic += cs[d];
      ia += as[d];
      ib += bs[d];
      if (counter[d] < plan.outer[d]) break;
      ic -= cs[d] * plan.outer[d];
      ia -= as[d] * plan.outer[d];
      ib -= bs[d] * plan.outer[d];
      counter[d] = 0;
    }
  }
  return out;
}

export function broadcastTo(x: TypedArray, shape: Shape, outShape: Shape): TypedArray {
  const out = allocate(dtypeOfTypedArray(x), sizeOf(outShape));
  if (out.length === 0) return out;
  const plan = planBroadcast([shape], outShape);
  const rank = plan.outer.length;
  const counter = new Int32Array(rank);
  let total = 1;
  for (let d = 0; d < rank; d++) total *= plan.outer[d];
  const s = plan.innerStrides[0];
  const strides = plan.aStrides[0];
  const inner = plan.inner;
  let ix = 0, o = 0;
  for (let step = 0; step < total; step++) {
    if (s === 1) out.set(x.subarray(ix, ix + inner), o);
    else out.fill(x[ix], o, o + inner);
    o += inner;
    for (let d = rank - 1; d >= 0; d--) {
      counter[d]++;
      ix += strides[d];
      if (counter[d] < plan.outer[d]) break;
      ix -= strides[d] * plan.outer[d];
      counter[d] = 0;
    }
  }
  return out;
}

export function cast(x: TypedArray, dtype: DType): TypedArray {
  const out = allocate(dtype, x.length);
  if (dtype === "bool") {
    for (let i = 0; i < x.length; i++) out[i] = x[i] !== 0 ? 1 : 0;
  } else {
    // Typed-array conversion truncates toward zero and wraps, as a C cast does for in-range values.
    out.set(x);
  }
  return out;
}

export function fill(size: number, value: number, dtype: DType): TypedArray {
  const out = allocate(dtype, size);
  if (value !== 0) out.fill(dtype === "bool" ? (value !== 0 ? 1 : 0) : value);
  return out;
}
