import type { BinaryOp, ReduceOp, UnaryOp } from "./core_kernels.js";
import type { EpilogueActivation } from "./fused_kernels.js";
import type { DType, Shape, TypedArray } from "./dtypes.js";

/*
 * What the C kernels take, shared by the backends that call them (the native addon and the
 * WebAssembly module): dtype, op and activation codes in the order of native/kt.h and
 * native/ew_ops.h, and broadcast plans.
 */

export const DTYPE_CODE: Record<DType, number> = { float32: 0, int32: 1, uint8: 2, bool: 3 };

/** Same order as the enums in native/ew_ops.h. */
const UNARY_OPS: readonly UnaryOp[] = [
  "negative", "abs", "sign", "sqrt", "rsqrt", "square", "reciprocal", "exp", "expm1", "log", "log1p",
  "sin", "cos", "tan", "tanh", "sigmoid", "relu", "floor", "ceil", "round", "isnan", "isfinite",
  "isinf", "logicalNot", "erf", "softplus", "atan", "sinh", "cosh", "asin", "acos", "arcsinh",
  "arccosh", "arctanh",
];
const BINARY_OPS: readonly BinaryOp[] = [
  "add", "subtract", "multiply", "divide", "floorDivide", "mod", "power", "maximum", "minimum", "atan2",
  "equal", "notEqual", "less", "lessEqual", "greater", "greaterEqual", "logicalAnd", "logicalOr",
  "logicalXor",
];
export const UNARY_CODE = new Map<string, number>(UNARY_OPS.map((op, i) => [op, i]));
export const BINARY_CODE = new Map<string, number>(BINARY_OPS.map((op, i) => [op, i]));
export const ACTIVATION_CODE: Record<EpilogueActivation, number> = { linear: 0, relu: 1, sigmoid: 2, tanh: 3 };
export const REDUCE_CODE: Partial<Record<ReduceOp, number>> = { sum: 0, prod: 1, max: 2, min: 3 };

/** Broadcast plans longer than this go to the reference kernels (the C side's limit). */
export const MAX_RANK = 32;

/**
 * Strides of each input against `outShape` after merging neighbouring axes that broadcast alike
 * (as the reference kernels do): [rank, dims..., strides of input 0..., ..., inner, inner strides...].
 */
export function broadcastPlan(inputs: readonly Shape[], outShape: Shape): Int32Array | undefined {
  const rank = outShape.length;
  const padded = inputs.map((s) => {
    const p = new Array<number>(rank).fill(1);
    for (let i = 0; i < s.length; i++) p[rank - s.length + i] = s[i];
    return p;
  });
  const dims: number[] = [];
  const flags: boolean[][] = [];
  for (let d = 0; d < rank; d++) {
    if (outShape[d] === 1) continue;
    const varies = padded.map((s) => s[d] !== 1);
    const last = flags.length - 1;
    if (last >= 0 && varies.every((v, i) => v === flags[last][i])) dims[last] *= outShape[d];
    else {
      dims.push(outShape[d]);
      flags.push(varies);
    }
  }
  if (dims.length === 0) {
    dims.push(1);
    flags.push(inputs.map(() => true));
  }
  const r = dims.length - 1;
  if (r > MAX_RANK) return undefined;
  const k = inputs.length;
  const plan = new Int32Array(1 + (k + 1) * r + 1 + k);
  plan[0] = r;
  for (let d = 0; d < r; d++) plan[1 + d] = dims[d];
  for (let i = 0; i < k; i++) {
    let stride = 1;
    const strides = new Array<number>(dims.length);
    for (let d = dims.length - 1; d >= 0; d--) {
      strides[d] = flags[d][i] ? stride : 0;
      if (flags[d][i]) stride *= dims[d];
    }
    for (let d = 0; d < r; d++) plan[1 + (i + 1) * r + d] = strides[d];
    plan[1 + (k + 1) * r + 1 + i] = strides[r];
  }
  plan[1 + (k + 1) * r] = dims[r];
  return plan;
}

export function isCount(v: number): boolean {
  return Number.isInteger(v) && v >= 0;
}

export function storageCode(x: TypedArray): number {
  return x instanceof Float32Array ? 0 : x instanceof Int32Array ? 1 : 2;
}
