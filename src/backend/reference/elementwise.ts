import type { BinaryOp, UnaryOp } from "../core_kernels.js";
import { allocate, checkDType, dtypeOfTypedArray, type DType, type Shape, type TypedArray } from "../dtypes.js";
import { sizeOf } from "../shape.js";

/*
 * Elementwise kernels are generated once per (op, input array types, output dtype) from an
 * expression in `a` (and `b`), so every op gets its own monomorphic loop over typed arrays: no
 * per-element function call, no boxed numbers. Expressions are evaluated in float64 and rounded
 * on store: float32 by the Float32Array, int32 by `| 0` (wrapping like C), uint8 by the
 * Uint8Array (modulo 256), bool as `!== 0`.
 *
 * Expressions may use the scratch locals `t`, `u`, `v` (declared in every kernel) and the helpers
 * `erf` and `ipow`.
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
  sigmoid: "(a >= 0 ? 1 / (1 + Math.exp(-a)) : (t = Math.exp(a), t / (1 + t)))",
  // NaN propagates, as jnp.maximum(x, 0) does.
  relu: "(a > 0 || a !== a ? a : 0)",
  floor: "Math.floor(a)",
  ceil: "Math.ceil(a)",
  // Round half to even, as NumPy and Keras do.
  round: "(Math.abs(a - Math.trunc(a)) === 0.5 ? 2 * Math.round(a / 2) : Math.round(a))",
  isnan: "(a !== a ? 1 : 0)",
  isfinite: "(a - a === 0 ? 1 : 0)",
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

/** Integer variants, used when the input is an integer array and the output int32 / uint8. */
const UNARY_INT_EXPR: Partial<Record<UnaryOp, string>> = {
  // Exact low 32 bits of the product, like NumPy's wrapping int32 multiply.
  square: "Math.imul(a, a)",
};

const BINARY_EXPR: Record<BinaryOp, string> = {
  add: "a + b",
  subtract: "a - b",
  multiply: "a * b",
  divide: "a / b",
  // NumPy's float floor_divide (npy_divmod): exact where floor(a / b) would round a near-integer
  // quotient the wrong way; x // 0 is +-inf (or NaN for 0 // 0).
  floorDivide:
    "(b === 0 ? a / b : (t = a % b, u = (a - t) / b, (t !== 0 && (t < 0) !== (b < 0)) ? (u -= 1) : 0," +
    " u !== 0 ? (v = Math.floor(u), u - v > 0.5 ? v + 1 : v) : 0 * (a / b)))",
  // Python's modulo: the result takes the sign of the divisor; x % 0 is NaN.
  mod: "(t = a % b, t !== 0 ? ((t < 0) !== (b < 0) ? t + b : t) : (b < 0 ? -0 : 0))",
  // C's pow where JavaScript's differs: pow(1, y) = 1 and pow(-1, +-inf) = 1 (JS gives NaN).
  power: "(a === 1 ? 1 : a === -1 && (b === Infinity || b === -Infinity) ? 1 : Math.pow(a, b))",
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

/**
 * Integer variants. Division by zero gives 0 for both floorDivide and mod, as NumPy does for
 * integers (it also warns); nothing throws. Negative exponents give trunc(1 / a ** -b).
 */
const BINARY_INT_EXPR: Partial<Record<BinaryOp, string>> = {
  multiply: "Math.imul(a, b)",
  floorDivide: "(b === 0 ? 0 : Math.floor(a / b))",
  mod: "(b === 0 ? 0 : a - Math.floor(a / b) * b)",
  power: "ipow(a, b)",
};

/** Ops whose expression is already 0 or 1, so a bool output needs no conversion. */
const PREDICATES = new Set<string>([
  "isnan", "isfinite", "isinf", "logicalNot",
  "equal", "notEqual", "less", "lessEqual", "greater", "greaterEqual", "logicalAnd", "logicalOr", "logicalXor",
]);

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

/** Integer power by squaring, wrapping modulo 2^32 like NumPy's int32 power (exact low bits). */
function ipow(base: number, exponent: number): number {
  if (exponent < 0) return base === 1 ? 1 : base === -1 ? ((exponent & 1) === 0 ? 1 : -1) : 0;
  let result = 1;
  let b = base | 0;
  let e = exponent;
  while (e > 0) {
    if ((e & 1) === 1) result = Math.imul(result, b);
    b = Math.imul(b, b);
    e >>>= 1;
  }
  return result;
}

/** Integer outputs truncate toward zero on store; bool is `!== 0`. */
function storeExpr(dtype: DType, expr: string, isPredicate: boolean): string {
  if (dtype === "int32") return `(${expr}) | 0`;
  if (dtype === "bool" && !isPredicate) return `((${expr}) !== 0 ? 1 : 0)`;
  return expr;
}

type Kind = "f" | "i" | "u";

function kindOf(x: TypedArray): Kind {
  return x instanceof Float32Array ? "f" : x instanceof Int32Array ? "i" : "u";
}

function checkOutDType(outDtype: DType, where: string): void {
  checkDType(outDtype, `reference backend ${where}`);
}

const SCRATCH = "let t = 0, u = 0, v = 0;";

type UnaryKernel = (x: TypedArray, out: TypedArray, n: number) => void;
const unaryCache = new Map<string, UnaryKernel>();

function unaryKernel(op: UnaryOp, x: TypedArray, outDtype: DType): UnaryKernel {
  const inKind = kindOf(x);
  const key = `${op}:${inKind}:${outDtype}`;
  let kernel = unaryCache.get(key);
  if (kernel === undefined) {
    if (!Object.prototype.hasOwnProperty.call(UNARY_EXPR, op)) throw new Error(`reference backend: unknown unary op ${JSON.stringify(op)}`);
    checkOutDType(outDtype, `unary ${op}`);
    const intOut = outDtype === "int32" || outDtype === "uint8";
    const expr = (inKind !== "f" && intOut ? UNARY_INT_EXPR[op] : undefined) ?? UNARY_EXPR[op];
    const body = `"use strict"; return function unary_${op}(x, out, n) { ${SCRATCH} for (let i = 0; i < n; i++) { const a = x[i]; out[i] = ${storeExpr(outDtype, expr, PREDICATES.has(op))}; } };`;
    kernel = new Function("erf", "ipow", body)(erf, ipow) as UnaryKernel;
    unaryCache.set(key, kernel);
  }
  return kernel;
}

export function unary(op: UnaryOp, x: TypedArray, outDtype: DType): TypedArray {
  const kernel = unaryKernel(op, x, outDtype);
  const out = allocate(outDtype, x.length);
  kernel(x, out, x.length);
  return out;
}

/*
 * Binary kernels come in four loops. `same` (both inputs have the output's size, so the same
 * row-major order) and `scalarA` / `scalarB` (one input has one element, read once) are single
 * flat loops. Everything else goes to `general`: both inputs are viewed with the output's rank,
 * adjacent axes that broadcast the same way are merged, and the kernel walks the output with an
 * odometer over the outer axes and a tight loop over the innermost one, whose input strides are 0
 * or 1.
 */
interface BinaryKernel {
  same(a: TypedArray, b: TypedArray, out: TypedArray, n: number): void;
  scalarA(a: number, b: TypedArray, out: TypedArray, n: number): void;
  scalarB(a: TypedArray, b: number, out: TypedArray, n: number): void;
  general(
    a: TypedArray, b: TypedArray, out: TypedArray,
    outer: Int32Array, aStrides: Int32Array, bStrides: Int32Array, inner: number, sa: number, sb: number,
  ): void;
}
const binaryCache = new Map<string, BinaryKernel>();

function binaryKernel(op: BinaryOp, a: TypedArray, b: TypedArray, outDtype: DType): BinaryKernel {
  const aKind = kindOf(a);
  const bKind = kindOf(b);
  const key = `${op}:${aKind}${bKind}:${outDtype}`;
  let kernel = binaryCache.get(key);
  if (kernel === undefined) {
    if (!Object.prototype.hasOwnProperty.call(BINARY_EXPR, op)) throw new Error(`reference backend: unknown binary op ${JSON.stringify(op)}`);
    checkOutDType(outDtype, `binary ${op}`);
    const intOut = outDtype === "int32" || outDtype === "uint8";
    const expr = (aKind !== "f" && bKind !== "f" && intOut ? BINARY_INT_EXPR[op] : undefined) ?? BINARY_EXPR[op];
    const e = storeExpr(outDtype, expr, PREDICATES.has(op));
    const body = `"use strict";
      return {
        same: function ${op}_same(A, B, out, n) {
          ${SCRATCH}
          for (let i = 0; i < n; i++) { const a = A[i], b = B[i]; out[i] = ${e}; }
        },
        scalarA: function ${op}_scalarA(a, B, out, n) {
          ${SCRATCH}
          for (let i = 0; i < n; i++) { const b = B[i]; out[i] = ${e}; }
        },
        scalarB: function ${op}_scalarB(A, b, out, n) {
          ${SCRATCH}
          for (let i = 0; i < n; i++) { const a = A[i]; out[i] = ${e}; }
        },
        general: function ${op}_general(A, B, out, outer, aStrides, bStrides, inner, sa, sb) {
          ${SCRATCH}
          const rank = outer.length;
          const counter = new Int32Array(rank);
          let total = 1;
          for (let d = 0; d < rank; d++) total *= outer[d];
          let ia = 0, ib = 0, o = 0;
          for (let step = 0; step < total; step++) {
            if (sa === 1 && sb === 1) {
              for (let j = 0; j < inner; j++) { const a = A[ia + j], b = B[ib + j]; out[o + j] = ${e}; }
            } else if (sa === 1) {
              const b = B[ib];
              for (let j = 0; j < inner; j++) { const a = A[ia + j]; out[o + j] = ${e}; }
            } else if (sb === 1) {
              const a = A[ia];
              for (let j = 0; j < inner; j++) { const b = B[ib + j]; out[o + j] = ${e}; }
            } else {
              const a = A[ia], b = B[ib];
              out[o] = ${e};
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
          }
        },
      };`;
    kernel = new Function("erf", "ipow", body)(erf, ipow) as BinaryKernel;
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
  const kernel = binaryKernel(op, a, b, outDtype);
  const n = sizeOf(outShape);
  const out = allocate(outDtype, n);
  if (n === 0) return out;
  // Equal sizes mean the shapes differ at most by size-1 axes, so the row-major orders agree.
  if (a.length === n && b.length === n) kernel.same(a, b, out, n);
  else if (b.length === 1 && a.length === n) kernel.scalarB(a, b[0], out, n);
  else if (a.length === 1 && b.length === n) kernel.scalarA(a[0], b, out, n);
  else {
    const plan = planBroadcast([aShape, bShape], outShape);
    kernel.general(a, b, out, plan.outer, plan.aStrides[0], plan.aStrides[1], plan.inner, plan.innerStrides[0], plan.innerStrides[1]);
  }
  return out;
}

type SelectKernel = (
  C: TypedArray, A: TypedArray, B: TypedArray, out: TypedArray,
  outer: Int32Array, cs: Int32Array, as: Int32Array, bs: Int32Array, inner: number, sc: number, sa: number, sb: number,
) => void;
const selectCache = new Map<string, SelectKernel>();

/** One generated copy per combination of array types, so each loop sees monomorphic loads. */
function selectKernel(cond: TypedArray, a: TypedArray, b: TypedArray, outDtype: DType): SelectKernel {
  const key = `${kindOf(cond)}${kindOf(a)}${kindOf(b)}:${outDtype}`;
  let kernel = selectCache.get(key);
  if (kernel === undefined) {
    checkOutDType(outDtype, "select");
    const body = `"use strict";
      return function select(C, A, B, out, outer, cs, as, bs, inner, sc, sa, sb) {
        const rank = outer.length;
        const counter = new Int32Array(rank);
        let total = 1;
        for (let d = 0; d < rank; d++) total *= outer[d];
        let ic = 0, ia = 0, ib = 0, o = 0;
        for (let step = 0; step < total; step++) {
          if (sc === 1 && sa === 1 && sb === 1) {
            for (let j = 0; j < inner; j++) out[o + j] = C[ic + j] !== 0 ? A[ia + j] : B[ib + j];
          } else {
            for (let j = 0; j < inner; j++) out[o + j] = C[ic + j * sc] !== 0 ? A[ia + j * sa] : B[ib + j * sb];
          }
          o += inner;
          for (let d = rank - 1; d >= 0; d--) {
            counter[d]++;
            ic += cs[d];
            ia += as[d];
            ib += bs[d];
            if (counter[d] < outer[d]) break;
            ic -= cs[d] * outer[d];
            ia -= as[d] * outer[d];
            ib -= bs[d] * outer[d];
            counter[d] = 0;
          }
        }
      };`;
    kernel = new Function(body)() as SelectKernel;
    selectCache.set(key, kernel);
  }
  return kernel;
}

export function select(
  cond: TypedArray, condShape: Shape, a: TypedArray, aShape: Shape, b: TypedArray, bShape: Shape, outShape: Shape, outDtype: DType,
): TypedArray {
  const kernel = selectKernel(cond, a, b, outDtype);
  const out = allocate(outDtype, sizeOf(outShape));
  if (out.length === 0) return out;
  const plan = planBroadcast([condShape, aShape, bShape], outShape);
  const [sc, sa, sb] = plan.innerStrides;
  const [cs, as, bs] = plan.aStrides;
  kernel(cond, a, b, out, plan.outer, cs, as, bs, plan.inner, sc, sa, sb);
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
  checkOutDType(dtype, "cast");
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
  checkOutDType(dtype, "fill");
  const out = allocate(dtype, size);
  if (value !== 0) out.fill(dtype === "bool" ? (value !== 0 ? 1 : 0) : value);
  return out;
}
