import type {
  AdamUpdateArgs, Backend, BinaryOp, DenseActivation, DenseGrads, GradientTarget, MatmulArgs, ReduceOp, RMSpropUpdateArgs, SGDUpdateArgs, UnaryOp,
} from "../backend.js";
import type { DType, Shape, TypedArray } from "../dtypes.js";
import { ReferenceBackend } from "../reference/index.js";
// The reference kernels' layouts, so that both backends reduce and transpose the same merged axes.
import { simplifyPermutation } from "../reference/layout.js";
import { canonicalize } from "../reference/reduce.js";
import { sizeOf } from "../shape.js";
import { loadNativeAddon, type NativeAddon } from "./addon.js";

export { loadNativeAddon, type NativeAddon } from "./addon.js";

/*
 * The native CPU backend: C kernels (native/, an N-API addon built by `npm install`) for the hot
 * paths (matmul, elementwise, select, cast, fill, reductions, arg-reductions, softmax, 2-d
 * transposes, gather, and the fused dense / cross-entropy / optimizer kernels), each one call across the boundary with inputs read in place and the output
 * a fresh typed array the garbage collector owns. Every other kernel, and every type combination
 * the C code does not implement, runs the reference kernel, so results are those of the reference
 * backend (bit for bit for elementwise ops; float32 accumulation order differs in GEMM and sums).
 */

const DTYPE_CODE: Record<DType, number> = { float32: 0, int32: 1, uint8: 2, bool: 3 };

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
const UNARY_CODE = new Map<string, number>(UNARY_OPS.map((op, i) => [op, i]));
const BINARY_CODE = new Map<string, number>(BINARY_OPS.map((op, i) => [op, i]));
const ACTIVATION_CODE: Record<DenseActivation, number> = { linear: 0, relu: 1, sigmoid: 2, tanh: 3 };
const REDUCE_CODE: Partial<Record<ReduceOp, number>> = { sum: 0, prod: 1, max: 2, min: 3 };

/** Broadcast plans longer than this go to the reference kernels (the C side's limit). */
const MAX_RANK = 32;

/**
 * Strides of each input against `outShape` after merging neighbouring axes that broadcast alike
 * (as the reference kernels do): [rank, dims..., strides of input 0..., ..., inner, inner strides...].
 */
function broadcastPlan(inputs: readonly Shape[], outShape: Shape): Int32Array | undefined {
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

function isCount(v: number): boolean {
  return Number.isInteger(v) && v >= 0;
}

function storageCode(x: TypedArray): number {
  return x instanceof Float32Array ? 0 : x instanceof Int32Array ? 1 : 2;
}

/**
 * The interface half of NativeBackend: every Backend kernel the class below does not define is
 * copied from a ReferenceBackend in the constructor, so kernels added to the Backend interface
 * later work (on the reference code) before they are written in C.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-interface, @typescript-eslint/no-unsafe-declaration-merging
export interface NativeBackend extends Backend {}

/** Kernels in C where the addon has them, the reference kernels otherwise. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export class NativeBackend {
  readonly name = "native";
  private readonly ref: ReferenceBackend;
  private readonly addon: NativeAddon;
  /**
   * Elementwise ops and reductions over at most this many elements (arg-reductions: 4 times as
   * many) run the reference kernels: a call into the addon costs ~0.5 µs, more than the JavaScript loop takes on
   * such sizes (a training step makes a dozen of them on per-sample losses and metrics). The
   * cross-check tests set it to 0 to test the C kernels on every size.
   */
  smallSize = 128;

  constructor(addon?: NativeAddon) {
    if (addon === undefined) {
      const loaded = loadNativeAddon();
      if ("error" in loaded) throw new Error(`keras-ts: native backend unavailable (${loaded.error})`);
      addon = loaded.addon;
    }
    this.addon = addon;
    const ref = new ReferenceBackend();
    this.ref = ref;
    // Kernels added to the Backend interface later run on the reference backend until written in C.
    const self = this as unknown as Record<string, unknown>;
    const source = ref as unknown as Record<string, unknown>;
    for (let o: object | null = ref; o !== null && o !== Object.prototype; o = Object.getPrototypeOf(o)) {
      for (const key of Object.getOwnPropertyNames(o)) {
        if (key === "constructor" || key in self) continue;
        const v = source[key];
        if (typeof v === "function") self[key] = (v as (...args: unknown[]) => unknown).bind(ref);
      }
    }
  }

  /** SIMD level and thread count of the C kernels. */
  info(): { isa: string; threads: number } {
    return this.addon.info();
  }

  /** Threads the C kernels use from now on (1 = the calling thread only). */
  setNumThreads(n: number): void {
    this.addon.setNumThreads(n);
  }

  fill(size: number, value: number, dtype: DType): TypedArray {
    if (!isCount(size) || !(dtype in DTYPE_CODE) || size <= this.smallSize) return this.ref.fill(size, value, dtype);
    return this.addon.fill(size, value, DTYPE_CODE[dtype]) ?? this.ref.fill(size, value, dtype);
  }

  cast(x: TypedArray, dtype: DType): TypedArray {
    if (!(dtype in DTYPE_CODE) || x.length <= this.smallSize) return this.ref.cast(x, dtype);
    return this.addon.cast(x, DTYPE_CODE[dtype]) ?? this.ref.cast(x, dtype);
  }

  unary(op: UnaryOp, x: TypedArray, outDtype: DType): TypedArray {
    const code = UNARY_CODE.get(op);
    if (code === undefined || !(outDtype in DTYPE_CODE) || x.length <= this.smallSize) return this.ref.unary(op, x, outDtype);
    return this.addon.unary(code, x, DTYPE_CODE[outDtype]) ?? this.ref.unary(op, x, outDtype);
  }

  binary(op: BinaryOp, a: TypedArray, aShape: Shape, b: TypedArray, bShape: Shape, outShape: Shape, outDtype: DType): TypedArray {
    const code = BINARY_CODE.get(op);
    if (code === undefined || !(outDtype in DTYPE_CODE) || storageCode(a) !== storageCode(b)) {
      return this.ref.binary(op, a, aShape, b, bShape, outShape, outDtype);
    }
    const n = sizeOf(outShape);
    if (n <= this.smallSize) return this.ref.binary(op, a, aShape, b, bShape, outShape, outDtype);
    let out: TypedArray | undefined;
    if (a.length === n && b.length === n) out = this.addon.binary(code, a, b, DTYPE_CODE[outDtype], n, 0);
    else if (a.length === 1 && b.length === n) out = this.addon.binary(code, a, b, DTYPE_CODE[outDtype], n, 1);
    else if (b.length === 1 && a.length === n) out = this.addon.binary(code, a, b, DTYPE_CODE[outDtype], n, 2);
    else if (n > 0) {
      const plan = broadcastPlan([aShape, bShape], outShape);
      if (plan !== undefined) out = this.addon.binary(code, a, b, DTYPE_CODE[outDtype], n, 3, plan);
    }
    return out ?? this.ref.binary(op, a, aShape, b, bShape, outShape, outDtype);
  }

  select(cond: TypedArray, condShape: Shape, a: TypedArray, aShape: Shape, b: TypedArray, bShape: Shape, outShape: Shape, outDtype: DType): TypedArray {
    const n = sizeOf(outShape);
    if (n > 0 && outDtype in DTYPE_CODE && cond instanceof Uint8Array) {
      const plan = broadcastPlan([condShape, aShape, bShape], outShape);
      const out = plan && this.addon.select(cond, a, b, DTYPE_CODE[outDtype], n, plan);
      if (out !== undefined) return out;
    }
    return this.ref.select(cond, condShape, a, aShape, b, bShape, outShape, outDtype);
  }

  reduce(op: ReduceOp, x: TypedArray, shape: Shape, axes: readonly number[], outDtype: DType): TypedArray {
    const code = REDUCE_CODE[op];
    if (code === undefined || outDtype !== "float32" || !(x instanceof Float32Array) || x.length <= this.smallSize) return this.ref.reduce(op, x, shape, axes, outDtype);
    const { dims, reduced } = canonicalize(shape, axes);
    const groups = reduced.filter((r) => r).length;
    if (groups === 0) return this.ref.reduce(op, x, shape, axes, outDtype);
    if (groups > 1) {
      // Several separate reduced blocks: move them to the end (a transpose) and reduce them as one.
      const kept: number[] = [];
      const moved: number[] = [];
      reduced.forEach((r, d) => (r ? moved : kept).push(d));
      const perm = [...kept, ...moved];
      const t = this.transpose(x, dims, perm);
      return this.reduce(op, t, perm.map((p) => dims[p]), moved.map((_, i) => kept.length + i), outDtype);
    }
    const at = reduced.indexOf(true);
    const outer = sizeOf(dims.slice(0, at));
    const inner = sizeOf(dims.slice(at + 1));
    return this.addon.reduce(code, x, outer, dims[at], inner) ?? this.ref.reduce(op, x, shape, axes, outDtype);
  }

  argReduce(op: "argmax" | "argmin", x: TypedArray, shape: Shape, axis: number): Int32Array {
    // Arg-reductions stay in JavaScript up to a few hundred elements (a batch's [32, 10] predictions).
    if (x instanceof Float32Array && x.length > 4 * this.smallSize && (op === "argmax" || op === "argmin") && Number.isInteger(axis) && axis >= 0 && axis < shape.length) {
      const out = this.addon.argReduce(op === "argmax", x, sizeOf(shape.slice(0, axis)), shape[axis], sizeOf(shape.slice(axis + 1)));
      if (out !== undefined) return out;
    }
    return this.ref.argReduce(op, x, shape, axis);
  }

  cumulative(op: "sum" | "prod", x: TypedArray, shape: Shape, axis: number, outDtype: DType): TypedArray {
    return this.ref.cumulative(op, x, shape, axis, outDtype);
  }

  transpose(x: TypedArray, shape: Shape, perm: readonly number[]): TypedArray {
    if (x.length > 0) {
      const { dims, perm: p } = simplifyPermutation(shape, perm);
      let out: TypedArray | undefined;
      if (dims.length === 2 && p[0] === 1) out = this.addon.transpose2d(x, 1, dims[0], dims[1]);
      else if (dims.length === 3 && p[0] === 0 && p[1] === 2 && p[2] === 1) out = this.addon.transpose2d(x, dims[0], dims[1], dims[2]);
      if (out !== undefined) return out;
    }
    return this.ref.transpose(x, shape, perm);
  }

  broadcastTo(x: TypedArray, shape: Shape, outShape: Shape): TypedArray {
    // One value everywhere (a reduction's gradient): a fill of its storage type (the fill kernel
    // stores +0 for -0 and one NaN for every NaN, so those copy through the reference kernel).
    if (x.length === 1 && x[0] === x[0] && !Object.is(x[0], -0)) {
      const n = sizeOf(outShape);
      const out = isCount(n) && n > this.smallSize ? this.addon.fill(n, x[0], storageCode(x)) : undefined;
      if (out !== undefined) return out;
    }
    return this.ref.broadcastTo(x, shape, outShape);
  }

  slice(x: TypedArray, shape: Shape, begin: readonly number[], size: readonly number[]): TypedArray {
    // A box that is one contiguous run of x (leading axes of size 1, then one partial axis, then
    // whole axes): one copy. Other boxes run the reference kernel.
    const rank = shape.length;
    let p = 0;
    while (p < rank - 1 && size[p] === 1) p++;
    let contiguous = rank > 0;
    let start = 0;
    let stride = 1;
    for (let d = rank - 1; d >= 0 && contiguous; d--) {
      if (d > p && (begin[d] !== 0 || size[d] !== shape[d])) contiguous = false;
      start += begin[d] * stride;
      stride *= shape[d];
    }
    if (contiguous && isCount(start)) {
      const count = sizeOf(size);
      if (isCount(count) && start + count <= x.length) {
        const out = this.addon.sliceRange(x, start, count);
        if (out !== undefined) return out;
      }
    }
    return this.ref.slice(x, shape, begin, size);
  }

  pad(x: TypedArray, shape: Shape, paddings: readonly (readonly [number, number])[], value: number): TypedArray {
    return this.ref.pad(x, shape, paddings, value);
  }

  concat(xs: readonly TypedArray[], shapes: readonly Shape[], axis: number, outDtype: DType): TypedArray {
    return this.ref.concat(xs, shapes, axis, outDtype);
  }

  reverse(x: TypedArray, shape: Shape, axes: readonly number[]): TypedArray {
    return this.ref.reverse(x, shape, axes);
  }

  gather(x: TypedArray, shape: Shape, indices: Int32Array, axis: number, into?: TypedArray): TypedArray {
    if (Number.isInteger(axis) && axis >= 0 && axis < shape.length) {
      const out = this.addon.gather(x, sizeOf(shape.slice(0, axis)), shape[axis], sizeOf(shape.slice(axis + 1)), indices, into);
      if (out !== undefined) return out;
    }
    return this.ref.gather(x, shape, indices, axis, into);
  }

  scatterAdd(updates: TypedArray, indices: Int32Array, axis: number, outShape: Shape): TypedArray {
    return this.ref.scatterAdd(updates, indices, axis, outShape);
  }

  gatherAlongAxis(x: TypedArray, shape: Shape, indices: Int32Array, indicesShape: Shape, axis: number): TypedArray {
    return this.ref.gatherAlongAxis(x, shape, indices, indicesShape, axis);
  }

  scatterAddAlongAxis(updates: TypedArray, indices: Int32Array, indicesShape: Shape, axis: number, outShape: Shape): TypedArray {
    return this.ref.scatterAddAlongAxis(updates, indices, indicesShape, axis, outShape);
  }

  matmul(a: TypedArray, b: TypedArray, args: MatmulArgs): TypedArray {
    const { batch, m, n, k, transA, transB, aBatchStride, bBatchStride } = args;
    const sameType = (a instanceof Float32Array && b instanceof Float32Array) || (a instanceof Int32Array && b instanceof Int32Array);
    if (
      sameType && isCount(batch) && isCount(m) && isCount(n) && isCount(k) && isCount(aBatchStride) && isCount(bBatchStride) &&
      (batch === 0 || (a.length >= (batch - 1) * aBatchStride + m * k && b.length >= (batch - 1) * bBatchStride + k * n))
    ) {
      const out = this.addon.matmul(a, b, batch, m, n, k, transA === true, transB === true, aBatchStride, bBatchStride);
      if (out !== undefined) return out;
    }
    // Mixed element types, or arguments the reference kernel rejects with its own message.
    return this.ref.matmul(a, b, args);
  }

  softmax(x: Float32Array, rows: number, cols: number): Float32Array {
    return (x instanceof Float32Array && isCount(rows) && isCount(cols) ? this.addon.softmax(x, rows, cols, false) : undefined) ?? this.ref.softmax(x, rows, cols);
  }

  logSoftmax(x: Float32Array, rows: number, cols: number): Float32Array {
    return (x instanceof Float32Array && isCount(rows) && isCount(cols) ? this.addon.softmax(x, rows, cols, true) : undefined) ?? this.ref.logSoftmax(x, rows, cols);
  }

  /* ---- fused kernels: C where the arguments are as the contract says, the reference otherwise (its errors) ---- */

  denseForward(x: Float32Array, w: Float32Array, bias: Float32Array | null, m: number, k: number, n: number, activation: DenseActivation): Float32Array {
    const act = Object.prototype.hasOwnProperty.call(ACTIVATION_CODE, activation) ? ACTIVATION_CODE[activation] : undefined;
    const out = act !== undefined && isCount(m) && isCount(k) && isCount(n) ? this.addon.denseForward(x, w, bias, m, k, n, act) : undefined;
    return out ?? this.ref.denseForward(x, w, bias, m, k, n, activation);
  }

  denseBackward(
    dOut: Float32Array, out: Float32Array, x: Float32Array, w: Float32Array,
    m: number, k: number, n: number, activation: DenseActivation,
    needDX: boolean, needDW: GradientTarget, needDB: GradientTarget,
  ): DenseGrads {
    const act = Object.prototype.hasOwnProperty.call(ACTIVATION_CODE, activation) ? ACTIVATION_CODE[activation] : undefined;
    const target = (t: GradientTarget) => (t instanceof Float32Array ? t : t === true);
    const r = act !== undefined && isCount(m) && isCount(k) && isCount(n)
      ? this.addon.denseBackward(dOut, out, x, w, m, k, n, act, needDX === true, target(needDW), target(needDB))
      : undefined;
    if (r !== undefined) return { dX: r[0], dW: r[1], db: r[2] };
    return this.ref.denseBackward(dOut, out, x, w, m, k, n, activation, needDX, needDW, needDB);
  }

  softmaxCrossEntropy(logits: Float32Array, rows: number, cols: number, labels: Int32Array | null, dense: Float32Array | null): Float32Array {
    const out = isCount(rows) && isCount(cols) ? this.addon.softmaxXent(logits, rows, cols, labels, dense, undefined) : undefined;
    return out ?? this.ref.softmaxCrossEntropy(logits, rows, cols, labels, dense);
  }

  softmaxCrossEntropyBackward(logits: Float32Array, rows: number, cols: number, labels: Int32Array | null, dense: Float32Array | null, rowScale: Float32Array): Float32Array {
    const out = isCount(rows) && isCount(cols) && rowScale instanceof Float32Array ? this.addon.softmaxXent(logits, rows, cols, labels, dense, rowScale) : undefined;
    return out ?? this.ref.softmaxCrossEntropyBackward(logits, rows, cols, labels, dense, rowScale);
  }

  sgdUpdate(variable: Float32Array, grad: Float32Array, momentum: Float32Array | null, args: SGDUpdateArgs): void {
    if (this.addon.sgd(variable, grad, momentum, args.lr, args.momentum, args.decay, args.nesterov === true) === undefined) {
      this.ref.sgdUpdate(variable, grad, momentum, args);
    }
  }

  rmspropUpdate(
    variable: Float32Array, grad: Float32Array, velocity: Float32Array, momentum: Float32Array | null, averageGradient: Float32Array | null, args: RMSpropUpdateArgs,
  ): void {
    if (this.addon.rmsprop(variable, grad, velocity, momentum, averageGradient, args.lr, args.rho, args.momentum, args.epsilon, args.decay) === undefined) {
      this.ref.rmspropUpdate(variable, grad, velocity, momentum, averageGradient, args);
    }
  }

  adamUpdate(
    variable: Float32Array, grad: Float32Array, momentum: Float32Array, velocity: Float32Array, velocityHat: Float32Array | null, args: AdamUpdateArgs,
  ): void {
    if (this.addon.adam(variable, grad, momentum, velocity, velocityHat, args.alpha, args.beta1, args.beta2, args.epsilon, args.decay) === undefined) {
      this.ref.adamUpdate(variable, grad, momentum, velocity, velocityHat, args);
    }
  }
}

/** A NativeBackend, or the reason the addon cannot be used here. */
export function tryCreateNativeBackend(): { backend: NativeBackend } | { error: string } {
  const loaded = loadNativeAddon();
  if ("error" in loaded) return loaded;
  return { backend: new NativeBackend(loaded.addon) };
}
