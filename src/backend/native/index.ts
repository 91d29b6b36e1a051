import type { BinaryOp, MatmulArgs, ReduceOp, UnaryOp } from "../core_kernels.js";
import type { AdamUpdateArgs, EpilogueActivation, GradientTarget, LinearGrads, NormalizeArgs, RMSpropUpdateArgs, SGDUpdateArgs } from "../fused_kernels.js";
import type { AttentionArgs, AttentionGrads, GruForwardResult, GruGrads, LstmForwardResult, LstmGrads, RecurrentArgs } from "../sequence_kernels.js";
import { recordFallback } from "../fallbacks.js";
import type { DType, Shape, TypedArray } from "../dtypes.js";
import { ReferenceBackend } from "../reference/index.js";
// The reference kernels' layouts, so that both backends reduce and transpose the same merged axes.
import { simplifyPermutation } from "../reference/layout.js";
import { canonicalize } from "../reference/reduce.js";
import { sizeOf } from "../shape.js";
import { loadNativeAddon, type NativeAddon } from "./addon.js";

export { loadNativeAddon, type NativeAddon } from "./addon.js";

/*
 * The native CPU backend: C kernels (native/, an N-API addon built by `npm install`), each one call
 * across the boundary with inputs read in place and the output a fresh typed array the garbage
 * collector owns. It extends the reference backend and overrides every kernel: a call the C code
 * covers runs there; any other calls the reference kernel through `viaReference`, which records a
 * fallback (see src/backend/fallbacks.ts), so such a call is visible and, under
 * KERAS_TS_STRICT_NATIVE=1, an error. The one deliberate exception is `smallSize`: tiny arrays are
 * faster in JavaScript than across N-API, and run the reference loops by design. Results are
 * those of the reference backend (bit for bit for elementwise ops; float32 accumulation order
 * differs in GEMM and sums).
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
const ACTIVATION_CODE: Record<EpilogueActivation, number> = { linear: 0, relu: 1, sigmoid: 2, tanh: 3 };
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

/** Kernels in C where the addon covers the call; the reference kernels, counted as fallbacks, otherwise. */
export class NativeBackend extends ReferenceBackend {
  override readonly name: string = "native";
  private readonly addon: NativeAddon;
  /**
   * Elementwise ops and reductions over at most this many elements (arg-reductions and argmax
   * counts: 4 times as many) run the reference loops by design, not as a fallback: a call into the
   * addon costs ~0.5 µs, more than the JavaScript loop takes on such sizes (a training step makes a
   * dozen of them on per-sample losses and metrics). The cross-check tests set it to 0 to test the
   * C kernels on every size.
   */
  smallSize = 128;

  constructor(addon?: NativeAddon) {
    super();
    if (addon === undefined) {
      const loaded = loadNativeAddon();
      if ("error" in loaded) throw new Error(`keras-ts: native backend unavailable (${loaded.error})`);
      addon = loaded.addon;
    }
    this.addon = addon;
  }

  /** SIMD level and thread count of the C kernels. */
  info(): { isa: string; threads: number } {
    return this.addon.info();
  }

  /** Threads the C kernels use from now on (1 = the calling thread only). */
  setNumThreads(n: number): void {
    this.addon.setNumThreads(n);
  }

  /** Records that `kernel` is about to run on the reference code instead of C, and why. */
  private viaReference(kernel: string, reason: string): void {
    recordFallback(this.name, kernel, "reference", reason);
  }

  override fill(size: number, value: number, dtype: DType): TypedArray {
    if (!isCount(size) || !(dtype in DTYPE_CODE) || size <= this.smallSize) return super.fill(size, value, dtype);
    const out = this.addon.fill(size, value, DTYPE_CODE[dtype]);
    if (out !== undefined) return out;
    this.viaReference("fill", `dtype ${dtype}`);
    return super.fill(size, value, dtype);
  }

  override cast(x: TypedArray, dtype: DType): TypedArray {
    if (!(dtype in DTYPE_CODE) || x.length <= this.smallSize) return super.cast(x, dtype);
    const out = this.addon.cast(x, DTYPE_CODE[dtype]);
    if (out !== undefined) return out;
    this.viaReference("cast", `${x.constructor.name} to ${dtype}`);
    return super.cast(x, dtype);
  }

  override unary(op: UnaryOp, x: TypedArray, outDtype: DType): TypedArray {
    const code = UNARY_CODE.get(op);
    if (code === undefined || !(outDtype in DTYPE_CODE) || x.length <= this.smallSize) return super.unary(op, x, outDtype);
    const out = this.addon.unary(code, x, DTYPE_CODE[outDtype]);
    if (out !== undefined) return out;
    this.viaReference("unary", `${op} of ${x.constructor.name} to ${outDtype}`);
    return super.unary(op, x, outDtype);
  }

  override binary(op: BinaryOp, a: TypedArray, aShape: Shape, b: TypedArray, bShape: Shape, outShape: Shape, outDtype: DType): TypedArray {
    const code = BINARY_CODE.get(op);
    const n = sizeOf(outShape);
    if (code === undefined || !(outDtype in DTYPE_CODE) || n <= this.smallSize) return super.binary(op, a, aShape, b, bShape, outShape, outDtype);
    let out: TypedArray | undefined;
    if (storageCode(a) === storageCode(b)) {
      if (a.length === n && b.length === n) out = this.addon.binary(code, a, b, DTYPE_CODE[outDtype], n, 0);
      else if (a.length === 1 && b.length === n) out = this.addon.binary(code, a, b, DTYPE_CODE[outDtype], n, 1);
      else if (b.length === 1 && a.length === n) out = this.addon.binary(code, a, b, DTYPE_CODE[outDtype], n, 2);
      else {
        const plan = broadcastPlan([aShape, bShape], outShape);
        if (plan !== undefined) out = this.addon.binary(code, a, b, DTYPE_CODE[outDtype], n, 3, plan);
      }
    }
    if (out !== undefined) return out;
    this.viaReference("binary", `${op} of ${a.constructor.name} and ${b.constructor.name} to ${outDtype}`);
    return super.binary(op, a, aShape, b, bShape, outShape, outDtype);
  }

  override select(cond: TypedArray, condShape: Shape, a: TypedArray, aShape: Shape, b: TypedArray, bShape: Shape, outShape: Shape, outDtype: DType): TypedArray {
    const n = sizeOf(outShape);
    if (n <= this.smallSize) return super.select(cond, condShape, a, aShape, b, bShape, outShape, outDtype);
    if (outDtype in DTYPE_CODE && cond instanceof Uint8Array) {
      const plan = broadcastPlan([condShape, aShape, bShape], outShape);
      const out = plan && this.addon.select(cond, a, b, DTYPE_CODE[outDtype], n, plan);
      if (out !== undefined) return out;
    }
    this.viaReference("select", `${a.constructor.name} and ${b.constructor.name} to ${outDtype}`);
    return super.select(cond, condShape, a, aShape, b, bShape, outShape, outDtype);
  }

  override reduce(op: ReduceOp, x: TypedArray, shape: Shape, axes: readonly number[], outDtype: DType): TypedArray {
    if (x.length <= this.smallSize) return super.reduce(op, x, shape, axes, outDtype);
    const code = REDUCE_CODE[op];
    if (code !== undefined && outDtype === "float32" && x instanceof Float32Array) {
      const { dims, reduced } = canonicalize(shape, axes);
      const groups = reduced.filter((r) => r).length;
      if (groups > 1) {
        // Several separate reduced blocks: move them to the end (a transpose) and reduce them as one.
        const kept: number[] = [];
        const moved: number[] = [];
        reduced.forEach((r, d) => (r ? moved : kept).push(d));
        const perm = [...kept, ...moved];
        const t = this.transpose(x, dims, perm);
        return this.reduce(op, t, perm.map((p) => dims[p]), moved.map((_, i) => kept.length + i), outDtype);
      }
      if (groups === 1) {
        const at = reduced.indexOf(true);
        const out = this.addon.reduce(code, x, sizeOf(dims.slice(0, at)), dims[at], sizeOf(dims.slice(at + 1)));
        if (out !== undefined) return out;
      } else {
        // Only size-1 axes reduced: the values themselves.
        return x.slice();
      }
    }
    this.viaReference("reduce", `${op} of ${x.constructor.name} to ${outDtype}`);
    return super.reduce(op, x, shape, axes, outDtype);
  }

  override argReduce(op: "argmax" | "argmin", x: TypedArray, shape: Shape, axis: number): Int32Array {
    if (x.length <= 4 * this.smallSize) return super.argReduce(op, x, shape, axis);
    if (x instanceof Float32Array && Number.isInteger(axis) && axis >= 0 && axis < shape.length) {
      const out = this.addon.argReduce(op === "argmax", x, sizeOf(shape.slice(0, axis)), shape[axis], sizeOf(shape.slice(axis + 1)));
      if (out !== undefined) return out;
    }
    this.viaReference("argReduce", `${op} of ${x.constructor.name}`);
    return super.argReduce(op, x, shape, axis);
  }

  override cumulative(op: "sum" | "prod", x: TypedArray, shape: Shape, axis: number, outDtype: DType): TypedArray {
    if (x.length > this.smallSize) this.viaReference("cumulative", "no C kernel");
    return super.cumulative(op, x, shape, axis, outDtype);
  }

  override transpose(x: TypedArray, shape: Shape, perm: readonly number[]): TypedArray {
    if (x.length <= this.smallSize) return super.transpose(x, shape, perm);
    const { dims, perm: p } = simplifyPermutation(shape, perm);
    let out: TypedArray | undefined;
    if (dims.length <= 1) return x.slice();
    if (dims.length === 2 && p[0] === 1) out = this.addon.transpose2d(x, 1, dims[0], dims[1]);
    else if (dims.length === 3 && p[0] === 0 && p[1] === 2 && p[2] === 1) out = this.addon.transpose2d(x, dims[0], dims[1], dims[2]);
    if (out !== undefined) return out;
    this.viaReference("transpose", `permutation [${p.join(",")}] of merged dims [${dims.join(",")}]`);
    return super.transpose(x, shape, perm);
  }

  override broadcastTo(x: TypedArray, shape: Shape, outShape: Shape): TypedArray {
    const n = sizeOf(outShape);
    if (n <= this.smallSize) return super.broadcastTo(x, shape, outShape);
    // One value everywhere (a reduction's gradient): a fill of its storage type (the fill kernel
    // stores +0 for -0 and one NaN for every NaN, so those copy through the reference kernel).
    if (x.length === 1 && x[0] === x[0] && !Object.is(x[0], -0) && isCount(n)) {
      const out = this.addon.fill(n, x[0], storageCode(x));
      if (out !== undefined) return out;
    }
    this.viaReference("broadcastTo", `from ${formatDims(shape)} to ${formatDims(outShape)}`);
    return super.broadcastTo(x, shape, outShape);
  }

  override slice(x: TypedArray, shape: Shape, begin: readonly number[], size: readonly number[]): TypedArray {
    // A box that is one contiguous run of x (leading axes of size 1, then one partial axis, then
    // whole axes): one copy.
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
    const count = sizeOf(size);
    if (count <= this.smallSize) return super.slice(x, shape, begin, size);
    if (contiguous && isCount(start) && isCount(count) && start + count <= x.length) {
      const out = this.addon.sliceRange(x, start, count);
      if (out !== undefined) return out;
    }
    this.viaReference("slice", "a box that is not one contiguous run");
    return super.slice(x, shape, begin, size);
  }

  override pad(x: TypedArray, shape: Shape, paddings: readonly (readonly [number, number])[], value: number): TypedArray {
    if (x.length > this.smallSize) this.viaReference("pad", "no C kernel");
    return super.pad(x, shape, paddings, value);
  }

  override concat(xs: readonly TypedArray[], shapes: readonly Shape[], axis: number, outDtype: DType): TypedArray {
    if (xs.reduce((n, x) => n + x.length, 0) > this.smallSize) this.viaReference("concat", "no C kernel");
    return super.concat(xs, shapes, axis, outDtype);
  }

  override reverse(x: TypedArray, shape: Shape, axes: readonly number[]): TypedArray {
    if (x.length > this.smallSize) this.viaReference("reverse", "no C kernel");
    return super.reverse(x, shape, axes);
  }

  override gather(x: TypedArray, shape: Shape, indices: Int32Array, axis: number, into?: TypedArray): TypedArray {
    if (Number.isInteger(axis) && axis >= 0 && axis < shape.length) {
      const out = this.addon.gather(x, sizeOf(shape.slice(0, axis)), shape[axis], sizeOf(shape.slice(axis + 1)), indices, into);
      if (out !== undefined) return out;
    }
    // Out-of-range indices and bad arguments take the reference kernel for its error message.
    this.viaReference("gather", "arguments the C kernel rejects");
    return super.gather(x, shape, indices, axis, into);
  }

  override scatterAdd(updates: TypedArray, indices: Int32Array, axis: number, outShape: Shape): TypedArray {
    if (updates.length > this.smallSize) this.viaReference("scatterAdd", "no C kernel");
    return super.scatterAdd(updates, indices, axis, outShape);
  }

  override gatherAlongAxis(x: TypedArray, shape: Shape, indices: Int32Array, indicesShape: Shape, axis: number): TypedArray {
    if (indices.length > this.smallSize) this.viaReference("gatherAlongAxis", "no C kernel");
    return super.gatherAlongAxis(x, shape, indices, indicesShape, axis);
  }

  override scatterAddAlongAxis(updates: TypedArray, indices: Int32Array, indicesShape: Shape, axis: number, outShape: Shape): TypedArray {
    if (updates.length > this.smallSize) this.viaReference("scatterAddAlongAxis", "no C kernel");
    return super.scatterAddAlongAxis(updates, indices, indicesShape, axis, outShape);
  }

  override matmul(a: TypedArray, b: TypedArray, args: MatmulArgs): TypedArray {
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
    this.viaReference("matmul", `${a.constructor.name} @ ${b.constructor.name}`);
    return super.matmul(a, b, args);
  }

  override softmax(x: Float32Array, rows: number, cols: number): Float32Array {
    const out = x instanceof Float32Array && isCount(rows) && isCount(cols) ? this.addon.softmax(x, rows, cols, false) : undefined;
    if (out !== undefined) return out;
    this.viaReference("softmax", "arguments the C kernel rejects");
    return super.softmax(x, rows, cols);
  }

  override logSoftmax(x: Float32Array, rows: number, cols: number): Float32Array {
    const out = x instanceof Float32Array && isCount(rows) && isCount(cols) ? this.addon.softmax(x, rows, cols, true) : undefined;
    if (out !== undefined) return out;
    this.viaReference("logSoftmax", "arguments the C kernel rejects");
    return super.logSoftmax(x, rows, cols);
  }

  /* ---- fused kernels ---- */

  override linearForward(x: Float32Array, w: Float32Array, bias: Float32Array | null, m: number, k: number, n: number, activation: EpilogueActivation): Float32Array {
    const act = Object.prototype.hasOwnProperty.call(ACTIVATION_CODE, activation) ? ACTIVATION_CODE[activation] : undefined;
    const out = act !== undefined && isCount(m) && isCount(k) && isCount(n) ? this.addon.denseForward(x, w, bias, m, k, n, act) : undefined;
    if (out !== undefined) return out;
    this.viaReference("linearForward", "arguments the C kernel rejects");
    return super.linearForward(x, w, bias, m, k, n, activation);
  }

  override linearBackward(
    dOut: Float32Array, out: Float32Array, x: Float32Array, w: Float32Array,
    m: number, k: number, n: number, activation: EpilogueActivation,
    needDX: boolean, needDW: GradientTarget, needDB: GradientTarget,
  ): LinearGrads {
    const act = Object.prototype.hasOwnProperty.call(ACTIVATION_CODE, activation) ? ACTIVATION_CODE[activation] : undefined;
    const target = (t: GradientTarget) => (t instanceof Float32Array ? t : t === true);
    const r = act !== undefined && isCount(m) && isCount(k) && isCount(n)
      ? this.addon.denseBackward(dOut, out, x, w, m, k, n, act, needDX === true, target(needDW), target(needDB))
      : undefined;
    if (r !== undefined) return { dX: r[0], dW: r[1], db: r[2] };
    this.viaReference("linearBackward", "arguments the C kernel rejects");
    return super.linearBackward(dOut, out, x, w, m, k, n, activation, needDX, needDW, needDB);
  }

  override softmaxCrossEntropy(logits: Float32Array, rows: number, cols: number, labels: Int32Array | null, dense: Float32Array | null): Float32Array {
    const out = isCount(rows) && isCount(cols) ? this.addon.softmaxXent(logits, rows, cols, labels, dense, undefined) : undefined;
    if (out !== undefined) return out;
    this.viaReference("softmaxCrossEntropy", "arguments the C kernel rejects");
    return super.softmaxCrossEntropy(logits, rows, cols, labels, dense);
  }

  override softmaxCrossEntropyBackward(logits: Float32Array, rows: number, cols: number, labels: Int32Array | null, dense: Float32Array | null, rowScale: Float32Array): Float32Array {
    const out = isCount(rows) && isCount(cols) && rowScale instanceof Float32Array ? this.addon.softmaxXent(logits, rows, cols, labels, dense, rowScale) : undefined;
    if (out !== undefined) return out;
    this.viaReference("softmaxCrossEntropyBackward", "arguments the C kernel rejects");
    return super.softmaxCrossEntropyBackward(logits, rows, cols, labels, dense, rowScale);
  }

  override countArgmaxMatches(pred: Float32Array, rows: number, cols: number, labels: TypedArray | null, oneHot: TypedArray | null): number {
    if (pred.length > 4 * this.smallSize) this.viaReference("countArgmaxMatches", "no C kernel");
    return super.countArgmaxMatches(pred, rows, cols, labels, oneHot);
  }

  override normalize(x: TypedArray, shape: Shape, axes: readonly number[], args: NormalizeArgs): Float32Array {
    if (x.length > this.smallSize) this.viaReference("normalize", "no C kernel");
    return super.normalize(x, shape, axes, args);
  }

  override sgdUpdate(variable: Float32Array, grad: Float32Array, momentum: Float32Array | null, args: SGDUpdateArgs): void {
    if (this.addon.sgd(variable, grad, momentum, args.lr, args.momentum, 1, args.nesterov === true) !== undefined) return;
    this.viaReference("sgdUpdate", "arguments the C kernel rejects");
    super.sgdUpdate(variable, grad, momentum, args);
  }

  override rmspropUpdate(
    variable: Float32Array, grad: Float32Array, velocity: Float32Array, momentum: Float32Array | null, averageGradient: Float32Array | null, args: RMSpropUpdateArgs,
  ): void {
    if (this.addon.rmsprop(variable, grad, velocity, momentum, averageGradient, args.lr, args.rho, args.momentum, args.epsilon, 1) !== undefined) return;
    this.viaReference("rmspropUpdate", "arguments the C kernel rejects");
    super.rmspropUpdate(variable, grad, velocity, momentum, averageGradient, args);
  }

  override adamUpdate(
    variable: Float32Array, grad: Float32Array, momentum: Float32Array, velocity: Float32Array, velocityHat: Float32Array | null, args: AdamUpdateArgs,
  ): void {
    if (this.addon.adam(variable, grad, momentum, velocity, velocityHat, args.alpha, args.beta1, args.beta2, args.epsilon, 1) !== undefined) return;
    this.viaReference("adamUpdate", "arguments the C kernel rejects");
    super.adamUpdate(variable, grad, momentum, velocity, velocityHat, args);
  }

  /* ---- sequence kernels ---- */

  override lstmForward(x: Float32Array, h0: Float32Array, c0: Float32Array, recurrentKernel: Float32Array, mask: Uint8Array | null, args: RecurrentArgs): LstmForwardResult {
    const r = recurrentShapeOk(args) && this.addon.lstmForward(x, h0, c0, recurrentKernel, mask, args.batch, args.timesteps, args.units, recurrentFlags(args));
    if (r) return { outputs: r[0], h: r[1], c: r[2], workspace: r[3] };
    this.viaReference("lstmForward", "arguments the C kernel rejects");
    return super.lstmForward(x, h0, c0, recurrentKernel, mask, args);
  }

  override lstmBackward(
    dOutputs: Float32Array | null, dH: Float32Array | null, dC: Float32Array | null,
    recurrentKernel: Float32Array, mask: Uint8Array | null, workspace: Float32Array, args: RecurrentArgs, needDRecurrentKernel: GradientTarget,
  ): LstmGrads {
    const r = recurrentShapeOk(args) &&
      this.addon.lstmBackward(dOutputs, dH, dC, recurrentKernel, mask, workspace, args.batch, args.timesteps, args.units, recurrentFlags(args), needDRecurrentKernel);
    if (r) return { dX: r[0], dH0: r[1], dC0: r[2], dRecurrentKernel: r[3] };
    this.viaReference("lstmBackward", "arguments the C kernel rejects");
    return super.lstmBackward(dOutputs, dH, dC, recurrentKernel, mask, workspace, args, needDRecurrentKernel);
  }

  override gruForward(x: Float32Array, h0: Float32Array, recurrentKernel: Float32Array, recurrentBias: Float32Array | null, mask: Uint8Array | null, args: RecurrentArgs): GruForwardResult {
    const r = recurrentShapeOk(args) && this.addon.gruForward(x, h0, recurrentKernel, recurrentBias, mask, args.batch, args.timesteps, args.units, recurrentFlags(args));
    if (r) return { outputs: r[0], h: r[1], workspace: r[2] };
    this.viaReference("gruForward", "arguments the C kernel rejects");
    return super.gruForward(x, h0, recurrentKernel, recurrentBias, mask, args);
  }

  override gruBackward(
    dOutputs: Float32Array | null, dH: Float32Array | null, recurrentKernel: Float32Array, hasRecurrentBias: boolean, mask: Uint8Array | null,
    workspace: Float32Array, args: RecurrentArgs, needDRecurrentKernel: GradientTarget, needDRecurrentBias: GradientTarget,
  ): GruGrads {
    const r = recurrentShapeOk(args) && this.addon.gruBackward(
      dOutputs, dH, recurrentKernel, hasRecurrentBias === true, mask, workspace, args.batch, args.timesteps, args.units, recurrentFlags(args), needDRecurrentKernel, needDRecurrentBias,
    );
    if (r) return { dX: r[0], dH0: r[1], dRecurrentKernel: r[2], dRecurrentBias: r[3] };
    this.viaReference("gruBackward", "arguments the C kernel rejects");
    return super.gruBackward(dOutputs, dH, recurrentKernel, hasRecurrentBias, mask, workspace, args, needDRecurrentKernel, needDRecurrentBias);
  }

  override attentionForward(q: Float32Array, k: Float32Array, v: Float32Array, mask: Uint8Array | null, args: AttentionArgs): { out: Float32Array; probabilities: Float32Array } {
    const dims = attentionDims(args);
    const r = dims !== undefined && this.addon.attentionForward(q, k, v, mask, maskShapeOf(args), dims, args.scale, args.causal === true);
    if (r) return { out: r[0], probabilities: r[1] };
    this.viaReference("attentionForward", "arguments the C kernel rejects");
    return super.attentionForward(q, k, v, mask, args);
  }

  override attentionBackward(dOut: Float32Array, q: Float32Array, k: Float32Array, v: Float32Array, mask: Uint8Array | null, probabilities: Float32Array, args: AttentionArgs): AttentionGrads {
    const dims = attentionDims(args);
    const r = dims !== undefined && this.addon.attentionBackward(dOut, q, k, v, mask, maskShapeOf(args), probabilities, dims, args.scale, args.causal === true);
    if (r) return { dQ: r[0], dK: r[1], dV: r[2] };
    this.viaReference("attentionBackward", "arguments the C kernel rejects");
    return super.attentionBackward(dOut, q, k, v, mask, probabilities, args);
  }
}

function recurrentShapeOk(args: RecurrentArgs): boolean {
  return isCount(args.batch) && isCount(args.timesteps) && isCount(args.units);
}

function recurrentFlags(args: RecurrentArgs): number {
  return (args.goBackwards ? 1 : 0) | (args.zeroOutputForMask ? 2 : 0) | (args.returnSequences ? 4 : 0) | (args.training ? 8 : 0);
}

/** [batch, queryLength, keyLength, heads, depth, valueDepth] for the C kernel, or undefined for bad sizes. */
function attentionDims(args: AttentionArgs): Int32Array | undefined {
  const dims = [args.batch, args.queryLength, args.keyLength, args.heads, args.depth, args.valueDepth];
  if (!dims.every(isCount) || dims.some((d) => d > 0x7fffffff)) return undefined;
  if (args.maskShape !== null && (args.maskShape.length !== 4 || !args.maskShape.every(isCount))) return undefined;
  return Int32Array.from(dims);
}

function maskShapeOf(args: AttentionArgs): Int32Array | null {
  return args.maskShape === null ? null : Int32Array.from(args.maskShape);
}

function formatDims(shape: Shape): string {
  return `[${shape.join(",")}]`;
}

/** A NativeBackend, or the reason the addon cannot be used here. */
export function tryCreateNativeBackend(): { backend: NativeBackend } | { error: string } {
  const loaded = loadNativeAddon();
  if ("error" in loaded) return loaded;
  return { backend: new NativeBackend(loaded.addon) };
}
