import { SpareWorkspaces } from "../spare_workspaces.js";
import { reduceAsOneBlock, split3 } from "../reduce_blocks.js";
import { mergedBroadcastStrides } from "../broadcast_strides.js";
import type { BinaryOp, MatmulArgs, ReduceOp, UnaryOp } from "../core_kernels.js";
import type { AttentionArgs, AttentionGrads, GruForwardResult, GruGrads, LstmForwardResult, LstmGrads, RecurrentArgs } from "../sequence_kernels.js";
import type {
  AdamUpdateArgs, BatchNormArgs, BatchNormGrads, BatchNormResult, ConvArgs, ConvGrads, EpilogueActivation, GradientTarget, LinearGrads, NormalizeArgs, PoolArgs,
  RMSpropUpdateArgs, SGDUpdateArgs,
} from "../fused_kernels.js";
import { recordFallback } from "../fallbacks.js";
import { storageMatches, type DType, type Shape, type TypedArray } from "../dtypes.js";
import { ReferenceBackend } from "../reference/index.js";
// The reference kernels' layouts, so that both backends reduce, transpose and normalize the same
// merged axes (normalize: in the same order, for the same float64 sums).
import { simplifyPermutation } from "../reference/layout.js";
import { normalizeConstants, normalizeLayout, type OrderKind } from "../reference/normalize.js";
import { canonicalize } from "../reference/reduce.js";
import { sizeOf, stridesOf } from "../shape.js";
import { convSizes, convSpatial, poolSizes, poolSpatial, type Spatial3 } from "../conv_geometry.js";
import { loadNativeAddon, type NativeAddon } from "./addon.js";

export { loadNativeAddon, type NativeAddon } from "./addon.js";

/*
 * The native CPU backend: C kernels (native/, an N-API addon built by `npm install`), each one call
 * across the boundary with inputs read in place and the output a fresh typed array the garbage
 * collector owns. It extends the reference backend and overrides every kernel: a call the C code
 * covers runs there; any other calls the reference kernel through `viaReference`, which records a
 * fallback (see src/backend/fallbacks.ts), so such a call is visible and, under
 * KERAS_TS_STRICT_NATIVE=1, an error. The C code covers every kernel for every storage type and
 * dtype the ops produce; what is left to the reference is arguments the C code refuses (an index
 * out of range, a rank above 32, mixed-type matmul), where the reference gives its error. The one
 * deliberate exception is `smallSize`: tiny arrays are faster in JavaScript than across N-API,
 * and run the reference loops by design. Results are those of the reference backend (bit for bit
 * for elementwise, layout, integer and normalize kernels; float32 accumulation order differs in
 * GEMM and float32 sums).
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
const REDUCE_CODE: Record<ReduceOp, number> = { sum: 0, prod: 1, max: 2, min: 3, any: 4, all: 5 };
const NORM_KIND_CODE: Record<OrderKind, number> = { "2": 0, "1": 1, inf: 2, p: 3 };

/** Broadcast plans longer than this go to the reference kernels (the C side's limit). */
const MAX_RANK = 32;

/**
 * Strides of each input against `outShape` after merging neighbouring axes that broadcast alike
 * (as the reference kernels do): [rank, dims..., strides of input 0..., ..., inner, inner strides...].
 */
function broadcastPlan(inputs: readonly Shape[], outShape: Shape): Int32Array | undefined {
  let { dims, strides } = mergedBroadcastStrides(inputs, outShape);
  if (dims.length === 0) [dims, strides] = [[1], inputs.map(() => [1])];
  const r = dims.length - 1;
  if (r > MAX_RANK) return undefined;
  const k = inputs.length;
  const plan = new Int32Array(1 + (k + 1) * r + 1 + k);
  plan[0] = r;
  for (let d = 0; d < r; d++) plan[1 + d] = dims[d];
  for (let i = 0; i < k; i++) {
    for (let d = 0; d < r; d++) plan[1 + (i + 1) * r + d] = strides[i][d];
    plan[1 + (k + 1) * r + 1 + i] = strides[i][r];
  }
  plan[1 + (k + 1) * r] = dims[r];
  return plan;
}

function isCount(v: number): boolean {
  return Number.isInteger(v) && v >= 0;
}

/** The dtype whose array stores `dtype` with the same conversion on store (bool: a Uint8Array written as uint8). */
function storageDType(dtype: DType): DType {
  return dtype === "bool" ? "uint8" : dtype;
}

function isAxis(axis: number, rank: number): boolean {
  return Number.isInteger(axis) && axis >= 0 && axis < rank;
}

/** [outer, shape[axis], inner]. */
/** A plan of int32 lists for the C layout kernels: [rank, ...lists], or undefined past the C side's rank limit. */
function layoutPlan(rank: number, ...lists: (readonly number[])[]): Int32Array | undefined {
  if (rank > MAX_RANK) return undefined;
  const plan = new Int32Array(1 + lists.length * rank);
  plan[0] = rank;
  lists.forEach((list, i) => plan.set(list, 1 + i * rank));
  return plan;
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
  /** Recurrent workspaces the backward kernels consumed (see sequence_kernels.ts), for reuse. */
  private readonly spareWorkspaces = new SpareWorkspaces();

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

  /**
   * Arguments the C code refuses: bad ones get the reference kernel's error; any the reference
   * takes after all ran there, and that is recorded as a fallback.
   */
  private refused<T>(kernel: string, reason: string, reference: () => T): T {
    const out = reference();
    this.viaReference(kernel, reason);
    return out;
  }

  override fill(size: number, value: number, dtype: DType): TypedArray {
    if (!isCount(size) || !(dtype in DTYPE_CODE) || size <= this.smallSize) return super.fill(size, value, dtype);
    const out = this.addon.fill(size, value, DTYPE_CODE[dtype]);
    if (out !== undefined) return out;
    return this.refused("fill", `dtype ${dtype}`, () => super.fill(size, value, dtype));
  }

  override cast(x: TypedArray, dtype: DType): TypedArray {
    if (!(dtype in DTYPE_CODE) || x.length <= this.smallSize) return super.cast(x, dtype);
    const out = this.addon.cast(x, DTYPE_CODE[dtype]);
    if (out !== undefined) return out;
    return this.refused("cast", `${x.constructor.name} to ${dtype}`, () => super.cast(x, dtype));
  }

  override unary(op: UnaryOp, x: TypedArray, outDtype: DType): TypedArray {
    const code = UNARY_CODE.get(op);
    if (code === undefined || !(outDtype in DTYPE_CODE) || x.length <= this.smallSize) return super.unary(op, x, outDtype);
    const out = this.addon.unary(code, x, DTYPE_CODE[outDtype]);
    if (out !== undefined) return out;
    return this.refused("unary", `${op} of ${x.constructor.name} to ${outDtype}`, () => super.unary(op, x, outDtype));
  }

  override binary(op: BinaryOp, a: TypedArray, aShape: Shape, b: TypedArray, bShape: Shape, outShape: Shape, outDtype: DType): TypedArray {
    const code = BINARY_CODE.get(op);
    const n = sizeOf(outShape);
    if (code === undefined || !(outDtype in DTYPE_CODE) || n <= this.smallSize) return super.binary(op, a, aShape, b, bShape, outShape, outDtype);
    // Operands of different storage types (a deferred cast's uint8 source and a float32 scalar)
    // are converted on read by the C kernel.
    let out: TypedArray | undefined;
    if (a.length === n && b.length === n) out = this.addon.binary(code, a, b, DTYPE_CODE[outDtype], n, 0);
    else if (a.length === 1 && b.length === n) out = this.addon.binary(code, a, b, DTYPE_CODE[outDtype], n, 1);
    else if (b.length === 1 && a.length === n) out = this.addon.binary(code, a, b, DTYPE_CODE[outDtype], n, 2);
    else {
      const plan = broadcastPlan([aShape, bShape], outShape);
      if (plan !== undefined) out = this.addon.binary(code, a, b, DTYPE_CODE[outDtype], n, 3, plan);
    }
    if (out !== undefined) return out;
    return this.refused("binary", `${op} of ${a.constructor.name} ${formatDims(aShape)} and ${b.constructor.name} ${formatDims(bShape)} to ${outDtype}`, () =>
      super.binary(op, a, aShape, b, bShape, outShape, outDtype));
  }

  override select(cond: TypedArray, condShape: Shape, a: TypedArray, aShape: Shape, b: TypedArray, bShape: Shape, outShape: Shape, outDtype: DType): TypedArray {
    const n = sizeOf(outShape);
    if (n <= this.smallSize || !(outDtype in DTYPE_CODE)) return super.select(cond, condShape, a, aShape, b, bShape, outShape, outDtype);
    // The C kernel takes a bool condition and branches already in the output's storage: others are
    // cast first, with the conversions the reference applies on read (`!== 0`) and on store.
    const c = cond instanceof Uint8Array ? cond : this.cast(cond, "bool");
    const stored = storageDType(outDtype);
    const a2 = storageMatches(a, stored) ? a : this.cast(a, stored);
    const b2 = storageMatches(b, stored) ? b : this.cast(b, stored);
    const plan = broadcastPlan([condShape, aShape, bShape], outShape);
    const out = plan && this.addon.select(c, a2, b2, DTYPE_CODE[outDtype], n, plan);
    if (out !== undefined) return out;
    return this.refused("select", `${a.constructor.name} and ${b.constructor.name} to ${outDtype}`, () =>
      super.select(cond, condShape, a, aShape, b, bShape, outShape, outDtype));
  }

  override reduce(op: ReduceOp, x: TypedArray, shape: Shape, axes: readonly number[], outDtype: DType): TypedArray {
    if (x.length <= this.smallSize || !(outDtype in DTYPE_CODE) || !Object.prototype.hasOwnProperty.call(REDUCE_CODE, op)) {
      return super.reduce(op, x, shape, axes, outDtype);
    }
    const { dims, reduced } = canonicalize(shape, axes);
    const planned = reduceAsOneBlock(this, op, x, dims, reduced, outDtype);
    if (!("block" in planned)) return planned;
    const [outer, n, inner] = planned.block;
    const code = REDUCE_CODE[op];
    const out = x instanceof Float32Array && outDtype === "float32" && code <= REDUCE_CODE.min
      ? this.addon.reduce(code, x, outer, n, inner)
      // A bool result is stored as the reference stores it: a Uint8Array's conversion, as uint8.
      : this.addon.reduceAny(code, x, outer, n, inner, DTYPE_CODE[storageDType(outDtype)]);
    if (out !== undefined) return out;
    return this.refused("reduce", `${op} of ${x.constructor.name} ${formatDims(shape)} to ${outDtype}`, () => super.reduce(op, x, shape, axes, outDtype));
  }

  override argReduce(op: "argmax" | "argmin", x: TypedArray, shape: Shape, axis: number): Int32Array {
    if (x.length <= 4 * this.smallSize) return super.argReduce(op, x, shape, axis);
    if (isAxis(axis, shape.length)) {
      const [outer, n, inner] = split3(shape, axis);
      const out = x instanceof Float32Array ? this.addon.argReduce(op === "argmax", x, outer, n, inner) : this.addon.argReduceInt(op === "argmax", x, outer, n, inner);
      if (out !== undefined) return out;
    }
    return this.refused("argReduce", `${op} of ${x.constructor.name} ${formatDims(shape)} along axis ${axis}`, () => super.argReduce(op, x, shape, axis));
  }

  override cumulative(op: "sum" | "prod", x: TypedArray, shape: Shape, axis: number, outDtype: DType): TypedArray {
    if (x.length <= this.smallSize || (op !== "sum" && op !== "prod") || !(outDtype in DTYPE_CODE)) return super.cumulative(op, x, shape, axis, outDtype);
    if (isAxis(axis, shape.length)) {
      // A bool result is stored as the reference stores it: a Uint8Array's conversion, as uint8.
      const out = this.addon.cumulative(op === "prod", x, ...split3(shape, axis), DTYPE_CODE[storageDType(outDtype)]);
      if (out !== undefined) return out;
    }
    return this.refused("cumulative", `${op} of ${x.constructor.name} ${formatDims(shape)} along axis ${axis}`, () => super.cumulative(op, x, shape, axis, outDtype));
  }

  override transpose(x: TypedArray, shape: Shape, perm: readonly number[]): TypedArray {
    if (x.length <= this.smallSize) return super.transpose(x, shape, perm);
    const { dims, perm: p } = simplifyPermutation(shape, perm);
    let out: TypedArray | undefined;
    if (dims.length <= 1) return x.slice();
    if (dims.length === 2 && p[0] === 1) out = this.addon.transpose2d(x, 1, dims[0], dims[1]);
    else if (dims.length === 3 && p[0] === 0 && p[1] === 2 && p[2] === 1) out = this.addon.transpose2d(x, dims[0], dims[1], dims[2]);
    else {
      // Any other permutation: a strided read of x in the output's order.
      const strides = stridesOf(dims);
      const plan = layoutPlan(p.length, p.map((a) => dims[a]), p.map((a) => strides[a]));
      if (plan !== undefined) out = this.addon.copyStrided(x, 0, plan);
    }
    if (out !== undefined) return out;
    return this.refused("transpose", `permutation [${p.join(",")}] of merged dims [${dims.join(",")}]`, () => super.transpose(x, shape, perm));
  }

  override broadcastTo(x: TypedArray, shape: Shape, outShape: Shape): TypedArray {
    const n = sizeOf(outShape);
    if (n <= this.smallSize) return super.broadcastTo(x, shape, outShape);
    // A strided read with stride 0 along the broadcast axes.
    const lead = outShape.length - shape.length;
    const inStrides = stridesOf(shape);
    let compatible = lead >= 0;
    const strides = outShape.map((d, i) => {
      const s = shape[i - lead];
      if (s === undefined || s === 1) return 0;
      if (s !== d) compatible = false;
      return inStrides[i - lead];
    });
    const plan = compatible ? layoutPlan(outShape.length, outShape, strides) : undefined;
    const out = plan && this.addon.copyStrided(x, 0, plan);
    if (out !== undefined) return out;
    return this.refused("broadcastTo", `from ${formatDims(shape)} to ${formatDims(outShape)}`, () => super.broadcastTo(x, shape, outShape));
  }

  override slice(x: TypedArray, shape: Shape, begin: readonly number[], size: readonly number[]): TypedArray {
    const count = sizeOf(size);
    if (count <= this.smallSize) return super.slice(x, shape, begin, size);
    const rank = shape.length;
    const inside = begin.length === rank && size.length === rank && shape.every((d, i) => isCount(begin[i]) && isCount(size[i]) && begin[i] + size[i] <= d);
    let out: TypedArray | undefined;
    if (inside) {
      // A box that is one contiguous run of x (leading axes of size 1, then one partial axis, then
      // whole axes): one copy; any other box: a strided read.
      let p = 0;
      while (p < rank - 1 && size[p] === 1) p++;
      let contiguous = rank > 0;
      for (let d = p + 1; d < rank; d++) if (begin[d] !== 0 || size[d] !== shape[d]) contiguous = false;
      const strides = stridesOf(shape);
      const start = begin.reduce((acc, b, d) => acc + b * strides[d], 0);
      if (contiguous && start + count <= x.length) out = this.addon.sliceRange(x, start, count);
      else {
        const plan = layoutPlan(rank, size, strides);
        if (plan !== undefined) out = this.addon.copyStrided(x, start, plan);
      }
    }
    if (out !== undefined) return out;
    return this.refused("slice", `[${begin.join(",")}] + [${size.join(",")}] of ${formatDims(shape)}`, () => super.slice(x, shape, begin, size));
  }

  override pad(x: TypedArray, shape: Shape, paddings: readonly (readonly [number, number])[], value: number): TypedArray {
    const rank = shape.length;
    const valid = paddings.length === rank && paddings.every(([before, after]) => isCount(before) && isCount(after));
    if (valid && sizeOf(shape.map((d, i) => d + paddings[i][0] + paddings[i][1])) <= this.smallSize) return super.pad(x, shape, paddings, value);
    const plan = valid ? layoutPlan(rank, shape, paddings.map((p) => p[0]), paddings.map((p) => p[1])) : undefined;
    const out = plan && this.addon.pad(x, plan, value);
    if (out !== undefined) return out;
    return this.refused("pad", `${formatDims(shape)} by ${JSON.stringify(paddings)}`, () => super.pad(x, shape, paddings, value));
  }

  override concat(xs: readonly TypedArray[], shapes: readonly Shape[], axis: number, outDtype: DType): TypedArray {
    if (xs.reduce((n, x) => n + x.length, 0) <= this.smallSize || !(outDtype in DTYPE_CODE)) return super.concat(xs, shapes, axis, outDtype);
    let out: TypedArray | undefined;
    if (xs.length > 0 && xs.length === shapes.length && isAxis(axis, shapes[0].length)) {
      // Inputs of another storage type convert as the reference's stores convert them.
      const stored = storageDType(outDtype);
      const parts = xs.map((x) => (storageMatches(x, stored) ? x : this.cast(x, stored)));
      const widths = Int32Array.from(shapes, (s) => sizeOf(s.slice(axis)));
      out = this.addon.concat(parts, widths, sizeOf(shapes[0].slice(0, axis)), DTYPE_CODE[outDtype]);
    }
    if (out !== undefined) return out;
    return this.refused("concat", `${xs.length} arrays of shapes ${shapes.map(formatDims).join(" ")} along axis ${axis}`, () => super.concat(xs, shapes, axis, outDtype));
  }

  override reverse(x: TypedArray, shape: Shape, axes: readonly number[]): TypedArray {
    if (x.length <= this.smallSize) return super.reverse(x, shape, axes);
    // A strided read running backwards along the flipped axes.
    const rank = shape.length;
    const flipped = new Set(axes);
    const strides = stridesOf(shape);
    let offset = 0;
    for (const a of flipped) if (isAxis(a, rank) && shape[a] > 0) offset += (shape[a] - 1) * strides[a];
    const plan = axes.every((a) => isAxis(a, rank)) ? layoutPlan(rank, shape, strides.map((s, d) => (flipped.has(d) ? -s : s))) : undefined;
    const out = plan && this.addon.copyStrided(x, offset, plan);
    if (out !== undefined) return out;
    return this.refused("reverse", `axes [${axes.join(",")}] of ${formatDims(shape)}`, () => super.reverse(x, shape, axes));
  }

  override gather(x: TypedArray, shape: Shape, indices: Int32Array, axis: number, into?: TypedArray): TypedArray {
    if (isAxis(axis, shape.length)) {
      const out = this.addon.gather(x, ...split3(shape, axis), indices, into);
      if (out !== undefined) return out;
    }
    // Out-of-range indices and bad arguments take the reference kernel for its error message.
    return this.refused("gather", "arguments the C kernel rejects", () => super.gather(x, shape, indices, axis, into));
  }

  override scatterAdd(updates: TypedArray, indices: Int32Array, axis: number, outShape: Shape): TypedArray {
    if (updates.length <= this.smallSize) return super.scatterAdd(updates, indices, axis, outShape);
    if (isAxis(axis, outShape.length)) {
      const out = this.addon.scatterAdd(updates, indices, ...split3(outShape, axis));
      if (out !== undefined) return out;
    }
    return this.refused("scatterAdd", "arguments the C kernel rejects (an index out of range?)", () => super.scatterAdd(updates, indices, axis, outShape));
  }

  override gatherAlongAxis(x: TypedArray, shape: Shape, indices: Int32Array, indicesShape: Shape, axis: number): TypedArray {
    if (indices.length <= this.smallSize) return super.gatherAlongAxis(x, shape, indices, indicesShape, axis);
    if (isAxis(axis, shape.length) && isAxis(axis, indicesShape.length)) {
      const [outer, m, inner] = split3(indicesShape, axis);
      const out = this.addon.gatherAlongAxis(x, indices, outer, shape[axis], m, inner);
      if (out !== undefined) return out;
    }
    return this.refused("gatherAlongAxis", "arguments the C kernel rejects (an index out of range?)", () => super.gatherAlongAxis(x, shape, indices, indicesShape, axis));
  }

  override scatterAddAlongAxis(updates: TypedArray, indices: Int32Array, indicesShape: Shape, axis: number, outShape: Shape): TypedArray {
    if (updates.length <= this.smallSize) return super.scatterAddAlongAxis(updates, indices, indicesShape, axis, outShape);
    if (isAxis(axis, outShape.length) && isAxis(axis, indicesShape.length)) {
      const [outer, m, inner] = split3(indicesShape, axis);
      const out = this.addon.scatterAddAlongAxis(updates, indices, outer, outShape[axis], m, inner);
      if (out !== undefined) return out;
    }
    return this.refused("scatterAddAlongAxis", "arguments the C kernel rejects (an index out of range?)", () =>
      super.scatterAddAlongAxis(updates, indices, indicesShape, axis, outShape));
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
    // Mixed element types (which the ops never pass: they cast both to float32 or int32), or
    // arguments the reference kernel rejects with its own message.
    return this.refused("matmul", `${a.constructor.name} @ ${b.constructor.name}`, () => super.matmul(a, b, args));
  }

  override softmax(x: Float32Array, rows: number, cols: number): Float32Array {
    const out = x instanceof Float32Array && isCount(rows) && isCount(cols) ? this.addon.softmax(x, rows, cols, false) : undefined;
    if (out !== undefined) return out;
    return this.refused("softmax", "arguments the C kernel rejects", () => super.softmax(x, rows, cols));
  }

  override logSoftmax(x: Float32Array, rows: number, cols: number): Float32Array {
    const out = x instanceof Float32Array && isCount(rows) && isCount(cols) ? this.addon.softmax(x, rows, cols, true) : undefined;
    if (out !== undefined) return out;
    return this.refused("logSoftmax", "arguments the C kernel rejects", () => super.logSoftmax(x, rows, cols));
  }

  /* ---- fused kernels ---- */

  override linearForward(x: Float32Array, w: Float32Array, bias: Float32Array | null, m: number, k: number, n: number, activation: EpilogueActivation): Float32Array {
    const act = Object.prototype.hasOwnProperty.call(ACTIVATION_CODE, activation) ? ACTIVATION_CODE[activation] : undefined;
    const out = act !== undefined && isCount(m) && isCount(k) && isCount(n) ? this.addon.denseForward(x, w, bias, m, k, n, act) : undefined;
    if (out !== undefined) return out;
    return this.refused("linearForward", "arguments the C kernel rejects", () => super.linearForward(x, w, bias, m, k, n, activation));
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
    return this.refused("linearBackward", "arguments the C kernel rejects", () => super.linearBackward(dOut, out, x, w, m, k, n, activation, needDX, needDW, needDB));
  }

  override softmaxCrossEntropy(logits: Float32Array, rows: number, cols: number, labels: Int32Array | null, dense: Float32Array | null): Float32Array {
    const out = isCount(rows) && isCount(cols) ? this.addon.softmaxXent(logits, rows, cols, labels, dense, undefined) : undefined;
    if (out !== undefined) return out;
    return this.refused("softmaxCrossEntropy", "arguments the C kernel rejects", () => super.softmaxCrossEntropy(logits, rows, cols, labels, dense));
  }

  override softmaxCrossEntropyBackward(logits: Float32Array, rows: number, cols: number, labels: Int32Array | null, dense: Float32Array | null, rowScale: Float32Array): Float32Array {
    const out = isCount(rows) && isCount(cols) && rowScale instanceof Float32Array ? this.addon.softmaxXent(logits, rows, cols, labels, dense, rowScale) : undefined;
    if (out !== undefined) return out;
    return this.refused("softmaxCrossEntropyBackward", "arguments the C kernel rejects", () =>
      super.softmaxCrossEntropyBackward(logits, rows, cols, labels, dense, rowScale));
  }

  override countArgmaxMatches(pred: Float32Array, rows: number, cols: number, labels: TypedArray | null, oneHot: TypedArray | null): number {
    if (pred.length <= 4 * this.smallSize) return super.countArgmaxMatches(pred, rows, cols, labels, oneHot);
    const count = isCount(rows) && isCount(cols) ? this.addon.countArgmaxMatches(pred, rows, cols, labels, oneHot) : undefined;
    if (count !== undefined) return count;
    return this.refused("countArgmaxMatches", "arguments the C kernel rejects", () => super.countArgmaxMatches(pred, rows, cols, labels, oneHot));
  }

  override normalize(x: TypedArray, shape: Shape, axes: readonly number[], args: NormalizeArgs): Float32Array {
    if (x.length <= this.smallSize) return super.normalize(x, shape, axes, args);
    // The reference's constants (its error for bad arguments) and layout, so that every slice is summed in the same order.
    const { kind, p, q, bound } = normalizeConstants(args);
    let out: Float32Array | undefined;
    if (x.length === sizeOf(shape)) {
      const layout = normalizeLayout(shape, axes);
      const rank = layout.dims.length;
      if (rank <= MAX_RANK) {
        const plan = Int32Array.of(layout.blocks, rank, ...layout.dims, ...layout.sliceStrides, layout.inner, layout.innerKept ? 1 : 0, layout.slices);
        out = this.addon.normalize(x, plan, NORM_KIND_CODE[kind], args.mode === "epsilon" ? 1 : 0, p, q, bound);
      }
    }
    if (out !== undefined) return out;
    return this.refused("normalize", `${x.constructor.name} ${formatDims(shape)} over axes [${axes.join(",")}]`, () => super.normalize(x, shape, axes, args));
  }

  override sgdUpdate(variable: Float32Array, grad: Float32Array, momentum: Float32Array | null, args: SGDUpdateArgs): void {
    if (this.addon.sgd(variable, grad, momentum, args.lr, args.momentum, 1, args.nesterov === true) !== undefined) return;
    this.refused("sgdUpdate", "arguments the C kernel rejects", () => super.sgdUpdate(variable, grad, momentum, args));
  }

  override rmspropUpdate(
    variable: Float32Array, grad: Float32Array, velocity: Float32Array, momentum: Float32Array | null, averageGradient: Float32Array | null, args: RMSpropUpdateArgs,
  ): void {
    if (this.addon.rmsprop(variable, grad, velocity, momentum, averageGradient, args.lr, args.rho, args.momentum, args.epsilon, 1) !== undefined) return;
    this.refused("rmspropUpdate", "arguments the C kernel rejects", () => super.rmspropUpdate(variable, grad, velocity, momentum, averageGradient, args));
  }

  override adamUpdate(
    variable: Float32Array, grad: Float32Array, momentum: Float32Array, velocity: Float32Array, velocityHat: Float32Array | null, args: AdamUpdateArgs,
  ): void {
    if (this.addon.adam(variable, grad, momentum, velocity, velocityHat, args.alpha, args.beta1, args.beta2, args.epsilon, 1) !== undefined) return;
    this.refused("adamUpdate", "arguments the C kernel rejects", () => super.adamUpdate(variable, grad, momentum, velocity, velocityHat, args));
  }

  override convForward(x: Float32Array, w: Float32Array, bias: Float32Array | null, args: ConvArgs, activation: EpilogueActivation): Float32Array {
    const geom = convGeometryCode(args);
    const act = activationCode(activation);
    const out = geom !== undefined && act !== undefined ? this.addon.convForward(x, w, bias, geom, act) : undefined;
    if (out !== undefined) return out;
    return this.refused("convForward", "arguments the C kernel rejects", () => super.convForward(x, w, bias, args, activation));
  }

  override convBackward(
    dOut: Float32Array, out: Float32Array | null, x: Float32Array | null, w: Float32Array | null, args: ConvArgs, activation: EpilogueActivation,
    needDX: boolean, needDW: GradientTarget, needDB: GradientTarget,
  ): ConvGrads {
    const geom = convGeometryCode(args);
    const act = activationCode(activation);
    const r = geom !== undefined && act !== undefined
      ? this.addon.convBackward(dOut, act === 0 ? null : out, needDW !== false ? x : null, needDX ? w : null, geom, act, needDX === true, targetOf(needDW), targetOf(needDB))
      : undefined;
    if (r !== undefined) return { dX: r[0], dW: r[1], db: r[2] };
    return this.refused("convBackward", "arguments the C kernel rejects", () => super.convBackward(dOut, out, x, w, args, activation, needDX, needDW, needDB));
  }

  /** One of the addon's pooling kernels (mode as `NativeAddon.pool`), or the reference's when C refuses the arguments. */
  private pool(kernel: string, mode: number, a: Float32Array, x: Float32Array | null, args: PoolArgs, reference: () => Float32Array): Float32Array {
    const geom = poolGeometryCode(args);
    const out = geom !== undefined ? this.addon.pool(mode, a, x, geom) : undefined;
    return out ?? this.refused(kernel, "arguments the C kernel rejects", reference);
  }

  override maxPoolForward(x: Float32Array, args: PoolArgs): Float32Array {
    return this.pool("maxPoolForward", 0, x, null, args, () => super.maxPoolForward(x, args));
  }

  override maxPoolBackward(dOut: Float32Array, x: Float32Array, args: PoolArgs): Float32Array {
    return this.pool("maxPoolBackward", 1, dOut, x, args, () => super.maxPoolBackward(dOut, x, args));
  }

  override avgPoolForward(x: Float32Array, args: PoolArgs): Float32Array {
    return this.pool("avgPoolForward", 2, x, null, args, () => super.avgPoolForward(x, args));
  }

  override avgPoolBackward(dOut: Float32Array, args: PoolArgs): Float32Array {
    return this.pool("avgPoolBackward", 3, dOut, null, args, () => super.avgPoolBackward(dOut, args));
  }

  override batchNormTraining(x: Float32Array, gamma: Float32Array | null, beta: Float32Array | null, args: BatchNormArgs): BatchNormResult {
    const r = bnCountsValid(args) ? this.addon.bnTraining(x, gamma, beta, args.outer, args.channels, args.inner, args.epsilon) : undefined;
    if (r !== undefined) return { out: r[0], mean: r[1], variance: r[2] };
    return this.refused("batchNormTraining", "arguments the C kernel rejects", () => super.batchNormTraining(x, gamma, beta, args));
  }

  override batchNormTrainingBackward(
    dOut: Float32Array, x: Float32Array, mean: Float32Array, variance: Float32Array, gamma: Float32Array | null, args: BatchNormArgs,
    needDX: boolean, needDGamma: GradientTarget, needDBeta: GradientTarget,
  ): BatchNormGrads {
    const r = bnCountsValid(args)
      ? this.addon.bnTrainingBackward(dOut, x, mean, variance, gamma, args.outer, args.channels, args.inner, args.epsilon, needDX === true, targetOf(needDGamma), targetOf(needDBeta))
      : undefined;
    if (r !== undefined) return { dX: r[0], dGamma: r[1], dBeta: r[2] };
    return this.refused("batchNormTrainingBackward", "arguments the C kernel rejects", () =>
      super.batchNormTrainingBackward(dOut, x, mean, variance, gamma, args, needDX, needDGamma, needDBeta));
  }

  override batchNormInference(
    x: Float32Array, mean: Float32Array, variance: Float32Array, gamma: Float32Array | null, beta: Float32Array | null, args: BatchNormArgs,
  ): Float32Array {
    const out = bnCountsValid(args) ? this.addon.bnInference(x, mean, variance, gamma, beta, args.outer, args.channels, args.inner, args.epsilon) : undefined;
    if (out !== undefined) return out;
    return this.refused("batchNormInference", "arguments the C kernel rejects", () => super.batchNormInference(x, mean, variance, gamma, beta, args));
  }

  /* ---- sequence kernels ---- */

  override lstmForward(x: Float32Array, h0: Float32Array, c0: Float32Array, recurrentKernel: Float32Array, mask: Uint8Array | null, args: RecurrentArgs): LstmForwardResult {
    const spare = args.training ? this.spareWorkspaces.take(args.batch * args.timesteps * 7 * args.units) : undefined;
    const r = recurrentShapeOk(args) && this.addon.lstmForward(x, h0, c0, recurrentKernel, mask, args.batch, args.timesteps, args.units, recurrentFlags(args), spare);
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
    if (r) {
      this.spareWorkspaces.give(workspace);
      return { dX: r[0], dH0: r[1], dC0: r[2], dRecurrentKernel: r[3] };
    }
    this.viaReference("lstmBackward", "arguments the C kernel rejects");
    return super.lstmBackward(dOutputs, dH, dC, recurrentKernel, mask, workspace, args, needDRecurrentKernel);
  }

  override gruForward(x: Float32Array, h0: Float32Array, recurrentKernel: Float32Array, recurrentBias: Float32Array | null, mask: Uint8Array | null, args: RecurrentArgs): GruForwardResult {
    const spare = args.training ? this.spareWorkspaces.take(args.batch * args.timesteps * 5 * args.units) : undefined;
    const r = recurrentShapeOk(args) && this.addon.gruForward(x, h0, recurrentKernel, recurrentBias, mask, args.batch, args.timesteps, args.units, recurrentFlags(args), spare);
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
    if (r) {
      this.spareWorkspaces.give(workspace);
      return { dX: r[0], dH0: r[1], dRecurrentKernel: r[2], dRecurrentBias: r[3] };
    }
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

function activationCode(activation: EpilogueActivation): number | undefined {
  return Object.prototype.hasOwnProperty.call(ACTIVATION_CODE, activation) ? ACTIVATION_CODE[activation] : undefined;
}

/** A gradient target as the addon takes it: false, true, or the array to write into. */
function targetOf(t: GradientTarget): boolean | Float32Array {
  return t instanceof Float32Array ? t : t === true;
}

const INT32_MAX = 2147483647;

/** Int32 fields, or undefined when one is not an int32 count. */
function int32Code(values: readonly number[]): Int32Array | undefined {
  return values.every((v) => Number.isInteger(v) && v >= 0 && v <= INT32_MAX) ? Int32Array.from(values) : undefined;
}

/** `ConvArgs` as native/addon.c's js_conv_forward reads it (3 spatial axes), or undefined when invalid. */
function convGeometryCode(args: ConvArgs): Int32Array | undefined {
  let s: Spatial3;
  try {
    s = convSpatial("conv", args);
  } catch {
    return undefined;
  }
  const sizes = convSizes(args);
  if (![sizes.x, sizes.w, sizes.out].every((v) => v <= INT32_MAX)) return undefined;
  return int32Code([
    args.batch, args.inChannels, args.outChannels, args.groups, ...s.input, ...s.output, ...s.window, ...s.strides, ...s.dilations, ...s.padBefore, args.channelsFirst ? 1 : 0,
  ]);
}

/** `PoolArgs` as js_pool reads it, or undefined when invalid. */
function poolGeometryCode(args: PoolArgs): Int32Array | undefined {
  let s: Spatial3;
  try {
    s = poolSpatial("pool", args);
  } catch {
    return undefined;
  }
  const sizes = poolSizes(args);
  if (![sizes.x, sizes.out].every((v) => v <= INT32_MAX)) return undefined;
  return int32Code([args.batch, args.channels, ...s.input, ...s.output, ...s.window, ...s.strides, ...s.padBefore, args.channelsFirst ? 1 : 0]);
}

function bnCountsValid(args: BatchNormArgs): boolean {
  return isCount(args.outer) && isCount(args.channels) && isCount(args.inner) && args.epsilon >= 0 && args.outer * args.channels * args.inner <= INT32_MAX;
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
