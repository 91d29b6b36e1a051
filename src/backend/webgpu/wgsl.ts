import type { BinaryOp, UnaryOp } from "../core_kernels.js";
import type { DType } from "../dtypes.js";
import { WGSL_TYPE, WORKGROUP, type StorageType } from "./context.js";

/*
 * WGSL pieces shared by the kernels: the binding header, the linear thread index, conversions that
 * reproduce the reference's typed-array stores, and the elementwise expressions.
 *
 * WGSL lets an implementation assume floats are never NaN or infinite, and constant expressions
 * may not be, so NaN and Inf are made from bit patterns at run time and tested on the bits. Where
 * the reference defines a result for NaN, an infinity, a negative square root or a zero divisor,
 * the expression below spells it out instead of trusting the builtin.
 */

export const PRELUDE = /* wgsl */ `
var<private> NAN_BITS: u32 = 0x7fc00000u;
var<private> INF_BITS: u32 = 0x7f800000u;
fn nan_f() -> f32 { return bitcast<f32>(NAN_BITS); }
fn inf_f() -> f32 { return bitcast<f32>(INF_BITS); }
fn is_nan(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }
fn is_inf(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) == 0x7f800000u; }
fn is_finite(x: f32) -> bool { return (bitcast<u32>(x) & 0x7f800000u) != 0x7f800000u; }
fn nonzero(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) != 0u; }
fn pf(i: u32) -> f32 { return bitcast<f32>(prm[i]); }
fn pi(i: u32) -> i32 { return bitcast<i32>(prm[i]); }
// JavaScript's ToInt32: truncate, wrap modulo 2^32; NaN and infinities give 0.
fn f2i(x: f32) -> i32 {
  if (!is_finite(x)) { return 0; }
  let t = trunc(x);
  if (abs(t) < 2147483648.0) { return i32(t); }
  // |t| >= 2^31 is a multiple of 256, and so is t mod 2^32: both exact in f32.
  let m = t - 4294967296.0 * floor(t / 4294967296.0);
  return bitcast<i32>(u32(m));
}
// The builtins' NaN handling is left to the implementation (SwiftShader's exp(NaN) is +Inf).
fn exp_f(x: f32) -> f32 { return select(exp(x), x, is_nan(x)); }
fn floor_f(x: f32) -> f32 { return select(floor(x), x, is_nan(x)); }
fn ceil_f(x: f32) -> f32 { return select(ceil(x), x, is_nan(x)); }
fn atan_f(x: f32) -> f32 { return select(atan(x), x, is_nan(x)); }
fn atan2_f(a: f32, b: f32) -> f32 {
  if (is_nan(a) || is_nan(b)) { return nan_f(); }
  return atan2(a, b);
}
// sin and cos reduced to [-pi/4, pi/4] by x - k pi/2 (pi/2 split in three parts, Cody-Waite), then
// Cephes's single-precision polynomials: the builtins lose 1e-4 absolute on SwiftShader.
fn sin_poly(r: f32) -> f32 {
  let z = r * r;
  return r + r * z * (-1.6666654611e-1 + z * (8.3321608736e-3 + z * -1.9515295891e-4));
}
fn cos_poly(r: f32) -> f32 {
  let z = r * r;
  return 1.0 - 0.5 * z + z * z * (4.166664568298827e-2 + z * (-1.388731625493765e-3 + z * 2.443315711809948e-5));
}
fn sin_cos(x: f32, want_cos: bool) -> f32 {
  if (!is_finite(x)) { return nan_f(); }
  let k = round(x * 0.63661977236);
  let r = ((x - k * 1.5703125) - k * 4.837512969970703125e-4) - k * 7.54978995489188216e-8;
  var q = i32(k) & 3;
  if (want_cos) { q = (q + 1) & 3; }
  let s = sin_poly(r);
  let c = cos_poly(r);
  if (q == 0) { return s; }
  if (q == 1) { return c; }
  if (q == 2) { return -s; }
  return -c;
}
fn sin_f(x: f32) -> f32 { return sin_cos(x, false); }
fn cos_f(x: f32) -> f32 { return sin_cos(x, true); }
fn tan_f(x: f32) -> f32 { return sin_cos(x, false) / sin_cos(x, true); }
fn expm1_f(x: f32) -> f32 {
  if (abs(x) < 0.5) {
    return x * (1.0 + x * (0.5 + x * (0.16666667 + x * (0.041666668 + x * (0.008333334 + x * (0.0013888889 + x * (0.0001984127 + x * 0.0000248016)))))));
  }
  return exp_f(x) - 1.0;
}
fn log_f(x: f32) -> f32 {
  if (is_nan(x) || x < 0.0) { return nan_f(); }
  if (x == 0.0) { return -inf_f(); }
  if (is_inf(x)) { return x; }
  return log(x);
}
fn log1p_f(x: f32) -> f32 {
  if (is_nan(x) || x < -1.0) { return nan_f(); }
  if (x == -1.0) { return -inf_f(); }
  if (is_inf(x)) { return x; }
  let u = 1.0 + x;
  if (u == 1.0) { return x; }
  return log(u) * (x / (u - 1.0));
}
fn sqrt_f(x: f32) -> f32 {
  if (is_nan(x) || x < 0.0) { return nan_f(); }
  return sqrt(x);
}
fn tanh_f(x: f32) -> f32 {
  if (is_nan(x)) { return x; }
  let a = abs(x);
  if (a > 9.0) { return sign(x); }
  let t = expm1_f(2.0 * a);
  return sign(x) * (t / (t + 2.0));
}
fn sigmoid_f(x: f32) -> f32 {
  if (x >= 0.0) { return 1.0 / (1.0 + exp(-x)); }
  if (is_nan(x)) { return x; }
  let t = exp(x);
  return t / (1.0 + t);
}
fn softplus_f(x: f32) -> f32 {
  if (is_nan(x)) { return x; }
  if (x > 0.0) { return x + log1p_f(exp(-x)); }
  return log1p_f(exp(x));
}
fn sinh_f(x: f32) -> f32 {
  if (is_nan(x)) { return x; }
  let a = abs(x);
  if (a > 20.0) { return sign(x) * 0.5 * exp(a); }
  let t = expm1_f(a);
  return sign(x) * 0.5 * (t + t / (t + 1.0));
}
fn cosh_f(x: f32) -> f32 {
  let e = exp_f(abs(x));
  return 0.5 * (e + 1.0 / e);
}
fn asinh_f(x: f32) -> f32 {
  let a = abs(x);
  if (a > 1.0e18) { return sign(x) * (log(a) + 0.6931472); }
  return sign(x) * log1p_f(a + a * a / (1.0 + sqrt(1.0 + a * a)));
}
fn acosh_f(x: f32) -> f32 {
  if (is_nan(x) || x < 1.0) { return nan_f(); }
  if (x > 1.0e18) { return log(x) + 0.6931472; }
  let d = x - 1.0;
  return log1p_f(d + sqrt(d * (x + 1.0)));
}
fn atanh_f(x: f32) -> f32 {
  if (is_nan(x) || abs(x) > 1.0) { return nan_f(); }
  if (abs(x) == 1.0) { return x * inf_f(); }
  return 0.5 * log1p_f(2.0 * x / (1.0 - x));
}
fn asin_f(x: f32) -> f32 {
  if (is_nan(x) || abs(x) > 1.0) { return nan_f(); }
  return asin(x);
}
fn acos_f(x: f32) -> f32 {
  if (is_nan(x) || abs(x) > 1.0) { return nan_f(); }
  return acos(x);
}
fn erf_f(x: f32) -> f32 {
  if (is_nan(x)) { return x; }
  let a = abs(x);
  if (a < 2.0) {
    // Maclaurin series: 2/sqrt(pi) * sum (-1)^n x^(2n+1) / (n! (2n+1)).
    var term = x;
    var sum = x;
    let x2 = x * x;
    for (var n = 1; n < 40; n++) {
      term = term * (-x2 / f32(n));
      let add = term / f32(2 * n + 1);
      sum = sum + add;
      if (abs(add) < 1.0e-9 * abs(sum)) { break; }
    }
    return 1.1283792 * sum;
  }
  if (a > 6.0) { return sign(x); }
  // erfc by its continued fraction (Lentz), as the reference does.
  var f = a;
  var c = a;
  var d = 0.0;
  for (var n = 1; n < 60; n++) {
    let an = f32(n) * 0.5;
    d = a + an * d;
    d = 1.0 / d;
    c = a + an / c;
    let delta = c * d;
    f = f * delta;
    if (abs(delta - 1.0) < 1.0e-7) { break; }
  }
  let erfc = exp(-a * a) / (f * 1.7724539);
  return sign(x) * (1.0 - erfc);
}
fn round_even(x: f32) -> f32 {
  // WGSL's round() rounds half to even, as NumPy does.
  return select(round(x), x, is_nan(x));
}
fn pow_f(a: f32, b: f32) -> f32 {
  if (a == 1.0) { return 1.0; }
  if (a == -1.0 && is_inf(b)) { return 1.0; }
  if (is_nan(a) || is_nan(b)) { return nan_f(); }
  if (b == 0.0) { return 1.0; }
  let bInt = floor(b) == b && is_finite(b);
  if (a == 0.0) {
    let odd = bInt && abs(b) < 16777216.0 && (i32(abs(b)) & 1) == 1;
    if (b > 0.0) { return select(0.0, a, odd); }
    return select(inf_f(), 1.0 / a, odd);
  }
  if (is_inf(b)) {
    let big = abs(a) > 1.0;
    if (b > 0.0) { return select(0.0, inf_f(), big); }
    return select(inf_f(), 0.0, big);
  }
  if (is_inf(a)) {
    let odd = bInt && abs(b) < 16777216.0 && (i32(abs(b)) & 1) == 1;
    let mag = select(0.0, inf_f(), b > 0.0);
    if (a > 0.0) { return mag; }
    return select(mag, -mag, odd);
  }
  if (a < 0.0) {
    if (!bInt) { return nan_f(); }
    let m = exp2(b * log2(-a));
    let odd = abs(b) < 16777216.0 && (i32(abs(b)) & 1) == 1;
    return select(m, -m, odd);
  }
  return exp2(b * log2(a));
}
fn ipow(base: i32, e: i32) -> i32 {
  if (e < 0) {
    if (base == 1) { return 1; }
    if (base == -1) { return select(-1, 1, (e & 1) == 0); }
    return 0;
  }
  var result = 1;
  var b = base;
  var k = u32(e);
  loop {
    if (k == 0u) { break; }
    if ((k & 1u) == 1u) { result = result * b; }
    b = b * b;
    k = k >> 1u;
  }
  return result;
}
fn fmax_nan(a: f32, b: f32) -> f32 {
  if (is_nan(a) || is_nan(b)) { return nan_f(); }
  return select(b, a, a > b);
}
fn fmin_nan(a: f32, b: f32) -> f32 {
  if (is_nan(a) || is_nan(b)) { return nan_f(); }
  return select(b, a, a < b);
}
fn floordiv_f(a: f32, b: f32) -> f32 {
  if (b == 0.0) { return a / b; }
  if (is_nan(a) || is_nan(b) || is_inf(a)) { return nan_f(); }
  // Python's: a finite a over an infinite b is 0, or -1 when the signs differ.
  if (is_inf(b)) { return select(0.0, -1.0, a != 0.0 && ((a < 0.0) != (b < 0.0))); }
  let q = floor(a / b);
  // Python's a - q*b keeps the divisor's sign; correct a quotient that division rounded across an integer.
  let r = a - q * b;
  if (r != 0.0 && ((r < 0.0) != (b < 0.0))) { return q - 1.0; }
  if (abs(r) >= abs(b)) { return q + 1.0; }
  return q;
}
fn mod_f(a: f32, b: f32) -> f32 {
  if (b == 0.0 || is_nan(a) || is_nan(b) || is_inf(a)) { return nan_f(); }
  if (is_inf(b)) {
    if (a == 0.0 || (a < 0.0) == (b < 0.0)) { return a; }
    return b;
  }
  var t = a - b * trunc(a / b);
  if (abs(t) >= abs(b)) { t = t - b * trunc(t / b); }
  if (t != 0.0 && ((t < 0.0) != (b < 0.0))) { t = t + b; }
  if (t == 0.0) { return select(0.0, -0.0 * 1.0, b < 0.0); }
  return t;
}
fn floordiv_i(a: i32, b: i32) -> i32 {
  if (b == 0) { return 0; }
  var q = a / b;
  if ((a % b) != 0 && ((a < 0) != (b < 0))) { q = q - 1; }
  return q;
}
fn mod_i(a: i32, b: i32) -> i32 {
  if (b == 0) { return 0; }
  var r = a % b;
  if (r != 0 && ((r < 0) != (b < 0))) { r = r + b; }
  return r;
}
`;

/** What elementwise expressions compute in: f32, or i32 (integer inputs and an integer or bool result, where the reference's float64 agrees with wrapping i32). */
export type ComputeKind = "f" | "i";

/** Declarations of the bindings, in `GpuContext.run`'s order: inputs, outputs, then the parameter words `prm`. */
export function header(inputs: readonly [string, StorageType][], outputs: readonly [string, StorageType][]): string {
  const lines: string[] = [];
  let binding = 0;
  for (const [name, type] of inputs) lines.push(`@group(0) @binding(${binding++}) var<storage, read> ${name}: array<${WGSL_TYPE[type]}>;`);
  for (const [name, type] of outputs) lines.push(`@group(0) @binding(${binding++}) var<storage, read_write> ${name}: array<${WGSL_TYPE[type]}>;`);
  lines.push(`@group(0) @binding(${binding}) var<storage, read> prm: array<u32>;`);
  return lines.join("\n");
}

/** The entry point of a one-thread-per-element kernel; `body` sees the linear index `i` (already below prm[0]). */
export function elementwiseMain(body: string): string {
  return `
@compute @workgroup_size(${WORKGROUP})
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = (wid.y * nwg.x + wid.x) * ${WORKGROUP}u + lid;
  if (i >= prm[0]) { return; }
  ${body}
}`;
}

/** An element of storage type `type` read as the compute kind. */
export function load(type: StorageType, kind: ComputeKind, expr: string): string {
  if (kind === "f") return type === "Float32Array" ? expr : `f32(${expr})`;
  return type === "Int32Array" ? expr : `i32(${expr})`;
}

/** The WGSL that stores `value` (of the compute kind, or a WGSL bool when `predicate`) as `dtype` is stored by the reference. */
export function store(dtype: DType, kind: ComputeKind, value: string, predicate: boolean): string {
  if (predicate) {
    if (dtype === "float32") return `select(0.0, 1.0, ${value})`;
    if (dtype === "int32") return `select(0, 1, ${value})`;
    return `select(0u, 1u, ${value})`;
  }
  switch (dtype) {
    case "float32":
      return kind === "f" ? value : `f32(${value})`;
    case "int32":
      return kind === "f" ? `f2i(${value})` : value;
    case "uint8":
      return kind === "f" ? `(bitcast<u32>(f2i(${value})) & 255u)` : `(bitcast<u32>(${value}) & 255u)`;
    case "bool":
      return kind === "f" ? `select(0u, 1u, nonzero(${value}))` : `select(0u, 1u, (${value}) != 0)`;
  }
}

/** The storage type of a dtype. */
export function storageOf(dtype: DType): StorageType {
  return dtype === "float32" ? "Float32Array" : dtype === "int32" ? "Int32Array" : "Uint8Array";
}

const UNARY_F: Record<UnaryOp, string> = {
  negative: "-a",
  abs: "abs(a)",
  sign: "select(select(a, -1.0, a < 0.0), 1.0, a > 0.0)",
  sqrt: "sqrt_f(a)",
  rsqrt: "(1.0 / sqrt_f(a))",
  square: "a * a",
  reciprocal: "(1.0 / a)",
  exp: "exp_f(a)",
  expm1: "expm1_f(a)",
  log: "log_f(a)",
  log1p: "log1p_f(a)",
  sin: "sin_f(a)",
  cos: "cos_f(a)",
  tan: "tan_f(a)",
  tanh: "tanh_f(a)",
  sigmoid: "sigmoid_f(a)",
  relu: "select(0.0, a, a > 0.0 || is_nan(a))",
  floor: "floor_f(a)",
  ceil: "ceil_f(a)",
  round: "round_even(a)",
  isnan: "is_nan(a)",
  isfinite: "is_finite(a)",
  isinf: "is_inf(a)",
  logicalNot: "(a == 0.0)",
  erf: "erf_f(a)",
  softplus: "softplus_f(a)",
  atan: "atan_f(a)",
  sinh: "sinh_f(a)",
  cosh: "cosh_f(a)",
  asin: "asin_f(a)",
  acos: "acos_f(a)",
  arcsinh: "asinh_f(a)",
  arccosh: "acosh_f(a)",
  arctanh: "atanh_f(a)",
};

/** Integer forms, where i32 arithmetic gives the reference's numbers exactly. */
const UNARY_I: Partial<Record<UnaryOp, string>> = {
  negative: "-a",
  abs: "abs(a)",
  sign: "sign(a)",
  square: "a * a",
  relu: "max(a, 0)",
  floor: "a",
  ceil: "a",
  round: "a",
  isnan: "false",
  isfinite: "true",
  isinf: "false",
  logicalNot: "(a == 0)",
};

export const PREDICATES = new Set<string>([
  "isnan", "isfinite", "isinf", "logicalNot",
  "equal", "notEqual", "less", "lessEqual", "greater", "greaterEqual", "logicalAnd", "logicalOr", "logicalXor",
]);

const BINARY_F: Record<BinaryOp, string> = {
  add: "a + b",
  subtract: "a - b",
  multiply: "a * b",
  divide: "a / b",
  floorDivide: "floordiv_f(a, b)",
  mod: "mod_f(a, b)",
  power: "pow_f(a, b)",
  maximum: "fmax_nan(a, b)",
  minimum: "fmin_nan(a, b)",
  atan2: "atan2_f(a, b)",
  equal: "(a == b && !is_nan(a))",
  notEqual: "(a != b || is_nan(a) || is_nan(b))",
  less: "(a < b && !is_nan(a) && !is_nan(b))",
  lessEqual: "(a <= b && !is_nan(a) && !is_nan(b))",
  greater: "(a > b && !is_nan(a) && !is_nan(b))",
  greaterEqual: "(a >= b && !is_nan(a) && !is_nan(b))",
  logicalAnd: "(nonzero(a) && nonzero(b))",
  logicalOr: "(nonzero(a) || nonzero(b))",
  logicalXor: "(nonzero(a) != nonzero(b))",
};

const BINARY_I: Partial<Record<BinaryOp, string>> = {
  add: "a + b",
  subtract: "a - b",
  multiply: "a * b",
  floorDivide: "floordiv_i(a, b)",
  mod: "mod_i(a, b)",
  power: "ipow(a, b)",
  maximum: "max(a, b)",
  minimum: "min(a, b)",
  equal: "(a == b)",
  notEqual: "(a != b)",
  less: "(a < b)",
  lessEqual: "(a <= b)",
  greater: "(a > b)",
  greaterEqual: "(a >= b)",
  logicalAnd: "(a != 0 && b != 0)",
  logicalOr: "(a != 0 || b != 0)",
  logicalXor: "((a != 0) != (b != 0))",
};

function isIntStorage(type: StorageType): boolean {
  return type !== "Float32Array";
}

function intResult(dtype: DType): boolean {
  return dtype !== "float32";
}

export function unaryExpr(op: UnaryOp, input: StorageType, outDtype: DType): { kind: ComputeKind; expr: string } | undefined {
  if (!Object.prototype.hasOwnProperty.call(UNARY_F, op)) return undefined;
  const intForm = UNARY_I[op];
  if (isIntStorage(input) && intResult(outDtype) && intForm !== undefined) return { kind: "i", expr: intForm };
  return { kind: "f", expr: UNARY_F[op] };
}

export function binaryExpr(op: BinaryOp, a: StorageType, b: StorageType, outDtype: DType): { kind: ComputeKind; expr: string } | undefined {
  if (!Object.prototype.hasOwnProperty.call(BINARY_F, op)) return undefined;
  const intForm = BINARY_I[op];
  if (isIntStorage(a) && isIntStorage(b) && intResult(outDtype) && intForm !== undefined) return { kind: "i", expr: intForm };
  return { kind: "f", expr: BINARY_F[op] };
}
