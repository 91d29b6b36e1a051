import type { BinaryOp, MatmulArgs, ReduceOp, UnaryOp } from "../core_kernels.js";
import type { AdamUpdateArgs, EpilogueActivation, GradientTarget, LinearGrads, NormalizeArgs, RMSpropUpdateArgs, SGDUpdateArgs } from "../fused_kernels.js";
import { recordFallback } from "../fallbacks.js";
import { allocate, type DType, type Shape, type TypedArray } from "../dtypes.js";
import { ReferenceBackend } from "../reference/index.js";
// The reference kernels' layouts, so that both backends reduce, transpose and normalize the same merged axes.
import { simplifyPermutation } from "../reference/layout.js";
import { canonicalize } from "../reference/reduce.js";
import { normalizeLayout } from "../reference/normalize.js";
import { sizeOf, stridesOf } from "../shape.js";
import { ACTIVATION_CODE, BINARY_CODE, DTYPE_CODE, MAX_RANK, REDUCE_CODE, UNARY_CODE, broadcastPlan, isCount, storageCode } from "../c_abi.js";
import type { WasmInstance } from "./instance.js";

/*
 * The WebAssembly CPU backend: the native backend's C kernels compiled to WebAssembly with SIMD128
 * (scripts/build_wasm.mjs), for hosts where the addon cannot load: a browser, or Node without a
 * compiler. It extends the reference backend and overrides every kernel, as NativeBackend does: a
 * call the module covers runs there; any other calls the reference kernel through `viaReference`,
 * which records a fallback (src/backend/fallbacks.ts).
 *
 * Tensors stay in JavaScript ArrayBuffers: a call copies its inputs into the module's memory and
 * its outputs out (WasmInstance). Flat elementwise kernels, the optimizer updates and normalize
 * work through arrays of any size in chunks, so a data set never lands in the module's memory
 * whole; the other kernels copy their operands once.
 *
 * Deliberately in TypeScript, and not counted as fallbacks: tiny arrays (`smallSize`, as on the
 * native backend), and the kernels that are pure copies, which the reference already does with the
 * typed arrays' own bulk operations at memory speed (a trip through the module would copy the data
 * twice more): fill, cast to a non-bool type (`set` converts), gather (row copies; x may be a whole
 * data set), contiguous slices and broadcasts of one value.
 */

const DONE = 1;
const BAD_ARGS = -1;
/** Elements per chunk of the chunked kernels: 4 MB of float32 per operand. */
const CHUNK = 1 << 20;
/** Element size in bytes of each storage code (float32, int32, uint8). */
const ESIZE = [4, 4, 1];

function storageKind(dtype: DType): 0 | 1 | 2 {
  return dtype === "float32" ? 0 : dtype === "int32" ? 1 : 2;
}

const NORMALIZE_KIND = { "2": 0, "1": 1, inf: 2, p: 3 } as const;
/** Op codes of kt_reduce_any (native/reductions.c). */
const REDUCE_ANY_CODE: Record<ReduceOp, number> = { sum: 0, prod: 1, max: 2, min: 3, any: 4, all: 5 };

export class WasmBackend extends ReferenceBackend {
  override readonly name: string = "wasm";
  readonly wasm: WasmInstance;
  /** Elementwise ops and reductions over at most this many elements run the reference loops by design (see NativeBackend.smallSize). */
  smallSize = 128;

  constructor(wasm: WasmInstance) {
    super();
    this.wasm = wasm;
  }

  /** SIMD level and thread count of the kernels. */
  info(): { isa: string; threads: number } {
    return { isa: "simd128", threads: this.wasm.threads() };
  }

  /** Resolves once the worker threads have started (kernels called before run on the threads already there). */
  ready(): Promise<void> {
    return this.wasm.ready();
  }

  /** Threads the kernels use from now on (1 = the calling thread only; at most the workers started plus one). */
  setNumThreads(n: number): void {
    this.wasm.setThreads(n);
  }

  private viaReference(kernel: string, reason: string): void {
    recordFallback(this.name, kernel, "reference", reason);
  }

  /** Throws the module's RangeError for a call it refused as inconsistent. */
  private check(status: number): number {
    if (status === BAD_ARGS) throw new RangeError(`keras-ts wasm: ${this.wasm.lastError()}`);
    return status;
  }

  /**
   * Runs a flat kernel over n elements in chunks: `ins` are read at [i0, i1) (or whole when of
   * length 1, a scalar operand), `out` is written at [i0, i1); `call(inPtrs, outPtr, count)`.
   */
  private chunked(ins: readonly TypedArray[], out: TypedArray, outEsize: number, call: (inputs: number[], output: number, count: number) => void): void {
    const w = this.wasm;
    const n = out.length;
    for (let i0 = 0; i0 < n; i0 += CHUNK) {
      const i1 = Math.min(n, i0 + CHUNK);
      const count = i1 - i0;
      const parts = ins.map((x) => (x.length === 1 && n !== 1 ? x : x.subarray(i0, i1)));
      let bytes = count * outEsize + 64;
      for (const p of parts) bytes += p.byteLength + 64;
      if (!w.begin(bytes)) throw new RangeError(`keras-ts wasm: out of memory for ${bytes} bytes of operands`);
      const ptrs = parts.map((p) => w.put(p));
      const po = w.reserve(count * outEsize);
      call(ptrs, po, count);
      w.read(po, out.subarray(i0, i1));
    }
  }

  override fill(size: number, value: number, dtype: DType): TypedArray {
    return super.fill(size, value, dtype);
  }

  override cast(x: TypedArray, dtype: DType): TypedArray {
    if (dtype !== "bool" || x.length <= this.smallSize) return super.cast(x, dtype);
    const out = allocate("bool", x.length);
    const src = storageCode(x);
    this.chunked([x], out, 1, ([px], po, count) => this.wasm.exports.kt_cast(px, src, po, DTYPE_CODE.bool, count));
    return out;
  }

  override unary(op: UnaryOp, x: TypedArray, outDtype: DType): TypedArray {
    const code = UNARY_CODE.get(op);
    if (code === undefined || !(outDtype in DTYPE_CODE) || x.length <= this.smallSize) return super.unary(op, x, outDtype);
    const e = this.wasm.exports;
    const xd = storageCode(x), od = DTYPE_CODE[outDtype];
    if (e.kt_unary(code, xd, od, 0, 0, 0) === DONE) {
      const out = allocate(outDtype, x.length);
      this.chunked([x], out, ESIZE[storageKind(outDtype)], ([px], po, count) => e.kt_unary(code, xd, od, px, po, count));
      return out;
    }
    this.viaReference("unary", `${op} of ${x.constructor.name} to ${outDtype}`);
    return super.unary(op, x, outDtype);
  }

  override binary(op: BinaryOp, a: TypedArray, aShape: Shape, b: TypedArray, bShape: Shape, outShape: Shape, outDtype: DType): TypedArray {
    const code = BINARY_CODE.get(op);
    const n = sizeOf(outShape);
    if (code === undefined || !(outDtype in DTYPE_CODE) || n <= this.smallSize) return super.binary(op, a, aShape, b, bShape, outShape, outDtype);
    const w = this.wasm, e = w.exports;
    const dt = storageCode(a), od = DTYPE_CODE[outDtype];
    if (dt === storageCode(b) && e.kt_w_binary(code, dt, od, 0, 0, 0, 0, 0, 0, 0, 0, 0) === DONE) {
      const out = allocate(outDtype, n);
      const oe = ESIZE[storageKind(outDtype)];
      const mode = a.length === n && b.length === n ? 0 : a.length === 1 && b.length === n ? 1 : b.length === 1 && a.length === n ? 2 : 3;
      if (mode !== 3) {
        this.chunked([a, b], out, oe, ([pa, pb], po, count) => {
          this.check(e.kt_w_binary(code, dt, od, pa, mode === 1 ? 1 : count, pb, mode === 2 ? 1 : count, po, count, mode, 0, 0));
        });
        return out;
      }
      const plan = broadcastPlan([aShape, bShape], outShape);
      if (plan !== undefined) {
        if (!w.begin(a.byteLength + b.byteLength + plan.byteLength + n * oe + 256)) throw new RangeError("keras-ts wasm: out of memory for binary operands");
        const pa = w.put(a), pb = w.put(b), pp = w.put(plan), po = w.reserve(n * oe);
        this.check(e.kt_w_binary(code, dt, od, pa, a.length, pb, b.length, po, n, 3, pp, plan.length));
        w.read(po, out);
        return out;
      }
    }
    this.viaReference("binary", `${op} of ${a.constructor.name} and ${b.constructor.name} to ${outDtype}`);
    return super.binary(op, a, aShape, b, bShape, outShape, outDtype);
  }

  override select(cond: TypedArray, condShape: Shape, a: TypedArray, aShape: Shape, b: TypedArray, bShape: Shape, outShape: Shape, outDtype: DType): TypedArray {
    const n = sizeOf(outShape);
    if (n <= this.smallSize) return super.select(cond, condShape, a, aShape, b, bShape, outShape, outDtype);
    const store = storageKind(outDtype);
    if (outDtype in DTYPE_CODE && cond instanceof Uint8Array && storageCode(a) === store && storageCode(b) === store) {
      const plan = broadcastPlan([condShape, aShape, bShape], outShape);
      if (plan !== undefined) {
        const w = this.wasm;
        const out = allocate(outDtype, n);
        if (!w.begin(cond.byteLength + a.byteLength + b.byteLength + plan.byteLength + out.byteLength + 320)) throw new RangeError("keras-ts wasm: out of memory for select operands");
        const pc = w.put(cond), pa = w.put(a), pb = w.put(b), pp = w.put(plan), po = w.reserve(out.byteLength);
        this.check(w.exports.kt_w_select(DTYPE_CODE[outDtype], pc, cond.length, pa, a.length, pb, b.length, po, n, pp, plan.length));
        w.read(po, out);
        return out;
      }
    }
    this.viaReference("select", `${a.constructor.name} and ${b.constructor.name} to ${outDtype}`);
    return super.select(cond, condShape, a, aShape, b, bShape, outShape, outDtype);
  }

  override reduce(op: ReduceOp, x: TypedArray, shape: Shape, axes: readonly number[], outDtype: DType): TypedArray {
    if (x.length <= this.smallSize) return super.reduce(op, x, shape, axes, outDtype);
    const code = REDUCE_ANY_CODE[op];
    if (code !== undefined && outDtype in DTYPE_CODE && x.length === sizeOf(shape)) {
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
      // Only size-1 axes reduced: the values themselves, converted as the reference converts them.
      if (groups === 0) return op === "any" || op === "all" ? this.cast(x, "bool") : storageCode(x) === storageKind(outDtype) && outDtype !== "bool" ? x.slice() : this.cast(x, outDtype);
      const at = reduced.indexOf(true);
      const outer = sizeOf(dims.slice(0, at)), n = dims[at], inner = sizeOf(dims.slice(at + 1));
      const w = this.wasm;
      const out = allocate(outDtype, outer * inner);
      if (out.length === 0) return out;
      if (!w.begin(x.byteLength + out.byteLength + 128)) throw new RangeError("keras-ts wasm: out of memory for reduce operands");
      const px = w.put(x), po = w.reserve(out.byteLength);
      const f32 = REDUCE_CODE[op];
      // Float32 to float32 sums, products and extremes take the vectorized kernel (misc.c).
      if (f32 !== undefined && x instanceof Float32Array && outDtype === "float32") w.exports.kt_reduce_f32(f32, px, po, outer, n, inner);
      else w.exports.kt_reduce_any(code, px, storageCode(x), po, DTYPE_CODE[outDtype], outer, n, inner);
      w.read(po, out);
      return out;
    }
    this.viaReference("reduce", `${op} of ${x.constructor.name} to ${outDtype}`);
    return super.reduce(op, x, shape, axes, outDtype);
  }

  override argReduce(op: "argmax" | "argmin", x: TypedArray, shape: Shape, axis: number): Int32Array {
    if (x.length <= 4 * this.smallSize) return super.argReduce(op, x, shape, axis);
    if (x instanceof Float32Array && Number.isInteger(axis) && axis >= 0 && axis < shape.length && x.length === sizeOf(shape)) {
      const outer = sizeOf(shape.slice(0, axis)), n = shape[axis], inner = sizeOf(shape.slice(axis + 1));
      const out = new Int32Array(outer * inner);
      if (out.length === 0 || n === 0) return out;
      const w = this.wasm;
      if (!w.begin(x.byteLength + out.byteLength + 128)) throw new RangeError("keras-ts wasm: out of memory for argReduce operands");
      const px = w.put(x), po = w.reserve(out.byteLength);
      w.exports.kt_argreduce_f32(op === "argmax" ? 1 : 0, px, po, outer, n, inner);
      w.read(po, out);
      return out;
    }
    this.viaReference("argReduce", `${op} of ${x.constructor.name}`);
    return super.argReduce(op, x, shape, axis);
  }

  override cumulative(op: "sum" | "prod", x: TypedArray, shape: Shape, axis: number, outDtype: DType): TypedArray {
    if (x.length > this.smallSize) this.viaReference("cumulative", "no wasm kernel");
    return super.cumulative(op, x, shape, axis, outDtype);
  }

  /**
   * out[i] for every index i of `dims` = src[Σ i·srcStrides] (element strides; 0 and negative
   * allowed) via the module's strided copy, reading x's elements [lo, hi) (all it touches) and
   * writing out's at Σ i·dstStrides + dstBase; `prepare(outPtr)` may write out's memory first.
   */
  private stridedCopy(
    x: TypedArray, lo: number, hi: number, srcBase: number, out: TypedArray, dims: readonly number[], srcStrides: readonly number[],
    dstStrides: readonly number[], dstBase = 0, prepare?: (outPtr: number) => void,
  ): boolean {
    const rank = dims.length;
    if (rank < 1 || rank > MAX_RANK || !(hi <= 2 ** 31 && out.length < 2 ** 31)) return false;
    const es = x.BYTES_PER_ELEMENT;
    const w = this.wasm;
    const part = x.subarray(lo, hi);
    const meta = new Int32Array(3 * rank);
    for (let d = 0; d < rank; d++) {
      meta[d] = dims[d];
      meta[rank + d] = srcStrides[d];
      meta[2 * rank + d] = dstStrides[d];
    }
    if (!w.begin(part.byteLength + out.byteLength + meta.byteLength + 192)) throw new RangeError("keras-ts wasm: out of memory for layout operands");
    const px = w.put(part), pm = w.put(meta), po = w.reserve(out.byteLength);
    prepare?.(po);
    const ok = w.exports.kt_copy_strided(px + (srcBase - lo) * es, po + dstBase * es, rank, pm, pm + 4 * rank, pm + 8 * rank, es);
    if (ok !== DONE) return false;
    w.read(po, out);
    return true;
  }

  override transpose(x: TypedArray, shape: Shape, perm: readonly number[]): TypedArray {
    if (x.length <= this.smallSize) return super.transpose(x, shape, perm);
    const { dims, perm: p } = simplifyPermutation(shape, perm);
    if (dims.length <= 1 || p.every((a, i) => a === i)) return x.slice();
    const w = this.wasm;
    const out = allocate(x instanceof Float32Array ? "float32" : x instanceof Int32Array ? "int32" : "uint8", x.length);
    const batched = dims.length === 3 && p[0] === 0 && p[1] === 2 && p[2] === 1;
    if (dims.length === 2 || batched) {
      const [batch, rows, cols] = batched ? dims : [1, dims[0], dims[1]];
      if (!w.begin(2 * x.byteLength + 128)) throw new RangeError("keras-ts wasm: out of memory for transpose operands");
      const px = w.put(x), po = w.reserve(x.byteLength);
      w.exports.kt_transpose2d(px, po, batch, rows, cols, x.BYTES_PER_ELEMENT);
      w.read(po, out);
      return out;
    }
    // Walk the output in order; each output axis reads the input with its stride.
    const inStrides = stridesOf(dims);
    if (this.stridedCopy(x, 0, x.length, 0, out, p.map((a) => dims[a]), p.map((a) => inStrides[a]), stridesOf(p.map((a) => dims[a])))) return out;
    this.viaReference("transpose", `permutation [${p.join(",")}] of merged dims [${dims.join(",")}]`);
    return super.transpose(x, shape, perm);
  }

  override broadcastTo(x: TypedArray, shape: Shape, outShape: Shape): TypedArray {
    const n = sizeOf(outShape);
    // One value everywhere (a reduction's gradient) is a fill; see the class comment.
    if (n <= this.smallSize || x.length === 1) return super.broadcastTo(x, shape, outShape);
    const plan = broadcastPlan([shape], outShape);
    if (plan !== undefined) {
      // [rank, dims..., strides..., inner, inner stride]: the innermost run is an axis of its own.
      const r = plan[0];
      const dims = [...plan.subarray(1, 1 + r), plan[1 + 2 * r]];
      const strides = [...plan.subarray(1 + r, 1 + 2 * r), plan[2 + 2 * r]];
      const out = allocate(x instanceof Float32Array ? "float32" : x instanceof Int32Array ? "int32" : "uint8", n);
      if (this.stridedCopy(x, 0, x.length, 0, out, dims, strides, stridesOf(dims))) return out;
    }
    this.viaReference("broadcastTo", `from [${shape.join(",")}] to [${outShape.join(",")}]`);
    return super.broadcastTo(x, shape, outShape);
  }

  override slice(x: TypedArray, shape: Shape, begin: readonly number[], size: readonly number[]): TypedArray {
    const rank = shape.length;
    const count = sizeOf(size);
    if (count <= this.smallSize || rank === 0) return super.slice(x, shape, begin, size);
    const strides = stridesOf(shape);
    let start = 0, last = 0;
    for (let d = 0; d < rank; d++) {
      start += begin[d] * strides[d];
      last += (begin[d] + size[d] - 1) * strides[d];
    }
    // One contiguous run of x: a copy (see the class comment).
    if (last - start + 1 === count) return x.slice(start, start + count);
    const out = allocate(x instanceof Float32Array ? "float32" : x instanceof Int32Array ? "int32" : "uint8", count);
    if (isCount(start) && last < x.length && this.stridedCopy(x, start, last + 1, start, out, size, strides, stridesOf(size))) return out;
    this.viaReference("slice", "a box the strided copy does not take");
    return super.slice(x, shape, begin, size);
  }

  override pad(x: TypedArray, shape: Shape, paddings: readonly (readonly [number, number])[], value: number): TypedArray {
    if (x.length <= this.smallSize || shape.length === 0) return super.pad(x, shape, paddings, value);
    const outShape = shape.map((d, i) => d + paddings[i][0] + paddings[i][1]);
    const outStrides = stridesOf(outShape);
    let dstBase = 0;
    for (let d = 0; d < shape.length; d++) dstBase += paddings[d][0] * outStrides[d];
    const kind = x instanceof Float32Array ? "float32" : x instanceof Int32Array ? "int32" : "uint8";
    const out = allocate(kind, sizeOf(outShape));
    const w = this.wasm;
    // The padding value, stored by a typed array as the reference stores it.
    const fillOut = (po: number) => {
      const view = kind === "float32" ? w.f32.subarray(po >>> 2, (po >>> 2) + out.length) : kind === "int32" ? w.i32.subarray(po >>> 2, (po >>> 2) + out.length) : w.u8.subarray(po, po + out.length);
      view.fill(value);
    };
    if (this.stridedCopy(x, 0, x.length, 0, out, shape, stridesOf(shape), outStrides, dstBase, fillOut)) return out;
    this.viaReference("pad", "a rank the strided copy does not take");
    return super.pad(x, shape, paddings, value);
  }

  override concat(xs: readonly TypedArray[], shapes: readonly Shape[], axis: number, outDtype: DType): TypedArray {
    const total = xs.reduce((n, x) => n + x.length, 0);
    if (total <= this.smallSize) return super.concat(xs, shapes, axis, outDtype);
    const store = storageKind(outDtype);
    if (outDtype in DTYPE_CODE && xs.every((x) => storageCode(x) === store)) {
      const outer = sizeOf(shapes[0].slice(0, axis));
      const widths = shapes.map((s) => sizeOf(s.slice(axis)));
      const rowWidth = widths.reduce((a, b) => a + b, 0);
      const out = allocate(outDtype, outer * rowWidth);
      if (out.length === 0) return out;
      const w = this.wasm, es = ESIZE[store];
      if (!w.begin(total * es + out.byteLength + 64 * (xs.length + 2))) throw new RangeError("keras-ts wasm: out of memory for concat operands");
      const meta = w.reserve(24);
      const po = w.reserve(out.byteLength);
      const i32 = w.i32;
      let offset = 0;
      for (let k = 0; k < xs.length; k++) {
        const width = widths[k];
        if (width > 0 && outer > 0) {
          const px = w.put(xs[k]);
          i32.set([outer, width, width, 1, rowWidth, 1], meta >>> 2);
          w.exports.kt_copy_strided(px, po + offset * es, 2, meta, meta + 8, meta + 16, es);
        }
        offset += width;
      }
      w.read(po, out);
      return out;
    }
    this.viaReference("concat", "operands of another storage type than the output");
    return super.concat(xs, shapes, axis, outDtype);
  }

  override reverse(x: TypedArray, shape: Shape, axes: readonly number[]): TypedArray {
    if (x.length <= this.smallSize) return super.reverse(x, shape, axes);
    const flips = axes.filter((a) => shape[a] > 1);
    if (flips.length === 0) return x.slice();
    const strides = stridesOf(shape);
    let base = 0;
    const srcStrides = shape.map((d, a) => {
      if (!flips.includes(a)) return strides[a];
      base += (d - 1) * strides[a];
      return -strides[a];
    });
    const out = allocate(x instanceof Float32Array ? "float32" : x instanceof Int32Array ? "int32" : "uint8", x.length);
    if (this.stridedCopy(x, 0, x.length, base, out, shape, srcStrides, strides)) return out;
    this.viaReference("reverse", "a rank the strided copy does not take");
    return super.reverse(x, shape, axes);
  }

  override gather(x: TypedArray, shape: Shape, indices: Int32Array, axis: number, into?: TypedArray): TypedArray {
    return super.gather(x, shape, indices, axis, into);
  }

  override scatterAdd(updates: TypedArray, indices: Int32Array, axis: number, outShape: Shape): TypedArray {
    if (updates.length > this.smallSize) this.viaReference("scatterAdd", "no wasm kernel");
    return super.scatterAdd(updates, indices, axis, outShape);
  }

  override gatherAlongAxis(x: TypedArray, shape: Shape, indices: Int32Array, indicesShape: Shape, axis: number): TypedArray {
    if (indices.length > this.smallSize) this.viaReference("gatherAlongAxis", "no wasm kernel");
    return super.gatherAlongAxis(x, shape, indices, indicesShape, axis);
  }

  override scatterAddAlongAxis(updates: TypedArray, indices: Int32Array, indicesShape: Shape, axis: number, outShape: Shape): TypedArray {
    if (updates.length > this.smallSize) this.viaReference("scatterAddAlongAxis", "no wasm kernel");
    return super.scatterAddAlongAxis(updates, indices, indicesShape, axis, outShape);
  }

  override matmul(a: TypedArray, b: TypedArray, args: MatmulArgs): TypedArray {
    const { batch, m, n, k, transA, transB, aBatchStride, bBatchStride } = args;
    const isF32 = a instanceof Float32Array && b instanceof Float32Array;
    const sameType = isF32 || (a instanceof Int32Array && b instanceof Int32Array);
    if (sameType && isCount(batch) && isCount(m) && isCount(n) && isCount(k) && isCount(aBatchStride) && isCount(bBatchStride)) {
      const aLen = batch === 0 ? 0 : (batch - 1) * aBatchStride + m * k;
      const bLen = batch === 0 ? 0 : (batch - 1) * bBatchStride + k * n;
      if (a.length >= aLen && b.length >= bLen) {
        const out = isF32 ? new Float32Array(batch * m * n) : new Int32Array(batch * m * n);
        if (out.length === 0 || k === 0) return out;
        const w = this.wasm;
        if (!w.begin(4 * (aLen + bLen) + out.byteLength + 192)) throw new RangeError("keras-ts wasm: out of memory for matmul operands");
        const pa = w.put(a.subarray(0, aLen)), pb = w.put(b.subarray(0, bLen)), pc = w.reserve(out.byteLength);
        const gemm = isF32 ? w.exports.kt_sgemm_batched : w.exports.kt_igemm_batched;
        gemm(batch, m, n, k, transA === true ? 1 : 0, transB === true ? 1 : 0, pa, aBatchStride, pb, bBatchStride, pc);
        w.read(pc, out);
        return out;
      }
    }
    // Mixed element types, or arguments the reference kernel rejects with its own message.
    this.viaReference("matmul", `${a.constructor.name} @ ${b.constructor.name}`);
    return super.matmul(a, b, args);
  }

  private softmaxRows(x: Float32Array, rows: number, cols: number, log: boolean): Float32Array | undefined {
    if (!(x instanceof Float32Array) || !isCount(rows) || !isCount(cols) || rows * cols > x.length) return undefined;
    // Past rows * cols the output stays 0, as the reference leaves it.
    const out = new Float32Array(x.length);
    if (rows * cols === 0) return out;
    const w = this.wasm;
    const used = rows * cols;
    if (!w.begin(8 * used + 128)) throw new RangeError("keras-ts wasm: out of memory for softmax operands");
    const px = w.put(x.subarray(0, used)), po = w.reserve(4 * used);
    w.exports.kt_softmax_f32(px, po, rows, cols, log ? 1 : 0);
    w.read(po, out.subarray(0, used));
    return out;
  }

  override softmax(x: Float32Array, rows: number, cols: number): Float32Array {
    const out = this.softmaxRows(x, rows, cols, false);
    if (out !== undefined) return out;
    this.viaReference("softmax", "arguments the C kernel rejects");
    return super.softmax(x, rows, cols);
  }

  override logSoftmax(x: Float32Array, rows: number, cols: number): Float32Array {
    const out = this.softmaxRows(x, rows, cols, true);
    if (out !== undefined) return out;
    this.viaReference("logSoftmax", "arguments the C kernel rejects");
    return super.logSoftmax(x, rows, cols);
  }

  /* ---- fused kernels ---- */

  override linearForward(x: Float32Array, w: Float32Array, bias: Float32Array | null, m: number, k: number, n: number, activation: EpilogueActivation): Float32Array {
    const act = Object.prototype.hasOwnProperty.call(ACTIVATION_CODE, activation) ? ACTIVATION_CODE[activation] : undefined;
    if (
      act !== undefined && isCount(m) && isCount(k) && isCount(n) && x instanceof Float32Array && x.length === m * k &&
      w instanceof Float32Array && w.length === k * n && (bias === null || (bias instanceof Float32Array && bias.length === n))
    ) {
      const out = new Float32Array(m * n);
      if (out.length === 0) return out;
      const wi = this.wasm;
      if (!wi.begin(x.byteLength + w.byteLength + 4 * n + out.byteLength + 256)) throw new RangeError("keras-ts wasm: out of memory for linear operands");
      const px = wi.put(x), pw = wi.put(w), pb = bias === null ? 0 : wi.put(bias), po = wi.reserve(out.byteLength);
      wi.exports.kt_dense_forward(px, pw, pb, po, m, k, n, act);
      wi.read(po, out);
      return out;
    }
    this.viaReference("linearForward", "arguments the C kernel rejects");
    return super.linearForward(x, w, bias, m, k, n, activation);
  }

  override linearBackward(
    dOut: Float32Array, out: Float32Array, x: Float32Array, w: Float32Array,
    m: number, k: number, n: number, activation: EpilogueActivation,
    needDX: boolean, needDW: GradientTarget, needDB: GradientTarget,
  ): LinearGrads {
    const act = Object.prototype.hasOwnProperty.call(ACTIVATION_CODE, activation) ? ACTIVATION_CODE[activation] : undefined;
    const fits = (a: unknown, size: number) => a instanceof Float32Array && a.length === size;
    const targetOk = (t: GradientTarget, size: number) => typeof t === "boolean" || fits(t, size);
    if (
      act !== undefined && isCount(m) && isCount(k) && isCount(n) && fits(dOut, m * n) && fits(x, m * k) && fits(w, k * n) &&
      (act === 0 || fits(out, m * n)) && targetOk(needDW, k * n) && targetOk(needDB, n)
    ) {
      const dX = needDX === true ? new Float32Array(m * k) : null;
      const dW = needDW instanceof Float32Array ? needDW : needDW === true ? new Float32Array(k * n) : null;
      const db = needDB instanceof Float32Array ? needDB : needDB === true ? new Float32Array(n) : null;
      const wi = this.wasm;
      const mn = 4 * m * n;
      const bytes = 2 * mn + 4 * m * k + 4 * k * n + (act !== 0 ? mn : 0) + (dX ? 4 * m * k : 0) + (dW ? 4 * k * n : 0) + (db ? 4 * n : 0) + 512;
      if (!wi.begin(bytes)) throw new RangeError("keras-ts wasm: out of memory for linear operands");
      const pd = wi.put(dOut), po = act !== 0 ? wi.put(out) : 0, px = wi.put(x), pw = wi.put(w);
      const pz = act !== 0 ? wi.reserve(mn) : 0;
      const pdx = dX ? wi.reserve(dX.byteLength) : 0, pdw = dW ? wi.reserve(dW.byteLength) : 0, pdb = db ? wi.reserve(db.byteLength) : 0;
      wi.exports.kt_dense_backward(pd, po, px, pw, m, k, n, act, pz, pdx, pdw, pdb);
      if (dX) wi.read(pdx, dX);
      if (dW) wi.read(pdw, dW);
      if (db) wi.read(pdb, db);
      return { dX, dW, db };
    }
    this.viaReference("linearBackward", "arguments the C kernel rejects");
    return super.linearBackward(dOut, out, x, w, m, k, n, activation, needDX, needDW, needDB);
  }

  /** The loss per row, or with `rowScale` the logits' gradient; undefined for arguments the C kernel does not take. */
  private softmaxXent(logits: Float32Array, rows: number, cols: number, labels: Int32Array | null, dense: Float32Array | null, rowScale?: Float32Array): Float32Array | undefined {
    if (!isCount(rows) || !isCount(cols) || !(logits instanceof Float32Array) || logits.length !== rows * cols) return undefined;
    if ((labels === null) === (dense === null)) return undefined;
    if (labels !== null && !(labels instanceof Int32Array && labels.length === rows)) return undefined;
    if (dense !== null && !(dense instanceof Float32Array && dense.length === rows * cols)) return undefined;
    if (rowScale !== undefined && !(rowScale instanceof Float32Array && rowScale.length === rows)) return undefined;
    const out = new Float32Array(rowScale !== undefined ? rows * cols : rows);
    if (out.length === 0) return out;
    const w = this.wasm;
    if (!w.begin(logits.byteLength + (labels?.byteLength ?? 0) + (dense?.byteLength ?? 0) + (rowScale?.byteLength ?? 0) + out.byteLength + 320)) {
      throw new RangeError("keras-ts wasm: out of memory for cross-entropy operands");
    }
    const pz = w.put(logits), pl = labels ? w.put(labels) : 0, pd = dense ? w.put(dense) : 0, ps = rowScale ? w.put(rowScale) : 0;
    const po = w.reserve(out.byteLength);
    if (rowScale !== undefined) w.exports.kt_softmax_xent_backward(pz, rows, cols, pl, pd, ps, po);
    else w.exports.kt_softmax_xent(pz, rows, cols, pl, pd, po);
    w.read(po, out);
    return out;
  }

  override softmaxCrossEntropy(logits: Float32Array, rows: number, cols: number, labels: Int32Array | null, dense: Float32Array | null): Float32Array {
    const out = this.softmaxXent(logits, rows, cols, labels, dense);
    if (out !== undefined) return out;
    this.viaReference("softmaxCrossEntropy", "arguments the C kernel rejects");
    return super.softmaxCrossEntropy(logits, rows, cols, labels, dense);
  }

  override softmaxCrossEntropyBackward(logits: Float32Array, rows: number, cols: number, labels: Int32Array | null, dense: Float32Array | null, rowScale: Float32Array): Float32Array {
    const out = rowScale instanceof Float32Array ? this.softmaxXent(logits, rows, cols, labels, dense, rowScale) : undefined;
    if (out !== undefined) return out;
    this.viaReference("softmaxCrossEntropyBackward", "arguments the C kernel rejects");
    return super.softmaxCrossEntropyBackward(logits, rows, cols, labels, dense, rowScale);
  }

  override countArgmaxMatches(pred: Float32Array, rows: number, cols: number, labels: TypedArray | null, oneHot: TypedArray | null): number {
    if (pred.length <= 4 * this.smallSize) return super.countArgmaxMatches(pred, rows, cols, labels, oneHot);
    if (
      pred instanceof Float32Array && isCount(rows) && isCount(cols) && pred.length === rows * cols && (labels === null) !== (oneHot === null) &&
      (labels === null || labels.length === rows) && (oneHot === null || oneHot.length === rows * cols)
    ) {
      const w = this.wasm;
      const target = (labels ?? oneHot)!;
      if (!w.begin(pred.byteLength + target.byteLength + 128)) throw new RangeError("keras-ts wasm: out of memory for argmax operands");
      const pp = w.put(pred), pt = w.put(target);
      const code = storageCode(target);
      return labels !== null ? w.exports.kt_count_argmax_matches(pp, rows, cols, pt, code, 0, 0) : w.exports.kt_count_argmax_matches(pp, rows, cols, 0, 0, pt, code);
    }
    this.viaReference("countArgmaxMatches", "arguments the C kernel rejects");
    return super.countArgmaxMatches(pred, rows, cols, labels, oneHot);
  }

  override normalize(x: TypedArray, shape: Shape, axes: readonly number[], args: NormalizeArgs): Float32Array {
    if (x.length <= this.smallSize || x.length !== sizeOf(shape)) return super.normalize(x, shape, axes, args);
    const l = normalizeLayout(shape, axes, args);
    if (l.dims.length <= MAX_RANK) {
      const w = this.wasm, e = w.exports;
      const out = new Float32Array(x.length);
      // Whole blocks per chunk (a block is one slice set), as many as fit in CHUNK elements.
      const perChunk = Math.max(1, Math.floor(CHUNK / l.blockSize));
      const meta = new Int32Array(2 * l.dims.length);
      meta.set(l.dims, 0);
      meta.set(l.sliceStrides, l.dims.length);
      for (let b0 = 0; b0 < l.blocks; b0 += perChunk) {
        const b1 = Math.min(l.blocks, b0 + perChunk);
        const part = x.subarray(b0 * l.blockSize, b1 * l.blockSize);
        if (!w.begin(part.byteLength + 4 * part.length + meta.byteLength + 16 * l.slices + 320)) throw new RangeError("keras-ts wasm: out of memory for normalize operands");
        const px = w.put(part), pm = w.put(meta), acc = w.reserve(8 * l.slices), factor = w.reserve(8 * l.slices), po = w.reserve(4 * part.length);
        const done = e.kt_normalize(
          px, storageCode(x), po, b1 - b0, l.blockSize, l.dims.length, pm, pm + 4 * l.dims.length, l.inner, l.innerKept ? 1 : 0, l.slices,
          acc, factor, NORMALIZE_KIND[l.kind], args.mode === "epsilon" ? 1 : 0, l.p, l.q, l.bound,
        );
        if (done !== DONE) break;
        w.read(po, out.subarray(b0 * l.blockSize, b1 * l.blockSize));
        if (b1 === l.blocks) return out;
      }
    }
    this.viaReference("normalize", "a layout the C kernel does not take");
    return super.normalize(x, shape, axes, args);
  }

  /**
   * Runs an in-place update over `arrays` (the variable first, then the gradient, then the slots;
   * null slots stay null) in chunks, and copies the variable and the slots back.
   */
  private update(arrays: readonly (Float32Array | null)[], call: (ptrs: number[], count: number) => void): boolean {
    const size = arrays[0]!.length;
    if (!arrays.every((a) => a === null || (a instanceof Float32Array && a.length === size))) return false;
    const w = this.wasm;
    for (let i0 = 0; i0 < size; i0 += CHUNK) {
      const i1 = Math.min(size, i0 + CHUNK);
      const count = i1 - i0;
      if (!w.begin(arrays.length * (4 * count + 64))) throw new RangeError("keras-ts wasm: out of memory for optimizer operands");
      const ptrs = arrays.map((a) => (a === null ? 0 : w.put(a.subarray(i0, i1))));
      call(ptrs, count);
      arrays.forEach((a, i) => {
        if (a !== null && i !== 1) w.read(ptrs[i], a.subarray(i0, i1));
      });
    }
    return true;
  }

  override sgdUpdate(variable: Float32Array, grad: Float32Array, momentum: Float32Array | null, args: SGDUpdateArgs): void {
    const e = this.wasm.exports;
    if (variable instanceof Float32Array && this.update([variable, grad, momentum], ([w, g, m], count) => e.kt_sgd(w, g, m, count, args.lr, args.momentum, 1, args.nesterov === true ? 1 : 0))) return;
    this.viaReference("sgdUpdate", "arguments the C kernel rejects");
    super.sgdUpdate(variable, grad, momentum, args);
  }

  override rmspropUpdate(
    variable: Float32Array, grad: Float32Array, velocity: Float32Array, momentum: Float32Array | null, averageGradient: Float32Array | null, args: RMSpropUpdateArgs,
  ): void {
    const e = this.wasm.exports;
    if (
      variable instanceof Float32Array && velocity instanceof Float32Array &&
      this.update([variable, grad, velocity, momentum, averageGradient], ([w, g, v, m, a], count) => e.kt_rmsprop(w, g, v, m, a, count, args.lr, args.rho, args.momentum, args.epsilon, 1))
    ) {
      return;
    }
    this.viaReference("rmspropUpdate", "arguments the C kernel rejects");
    super.rmspropUpdate(variable, grad, velocity, momentum, averageGradient, args);
  }

  override adamUpdate(
    variable: Float32Array, grad: Float32Array, momentum: Float32Array, velocity: Float32Array, velocityHat: Float32Array | null, args: AdamUpdateArgs,
  ): void {
    const e = this.wasm.exports;
    if (
      variable instanceof Float32Array && momentum instanceof Float32Array && velocity instanceof Float32Array &&
      this.update([variable, grad, momentum, velocity, velocityHat], ([w, g, m, v, vh], count) => e.kt_adam(w, g, m, v, vh, count, args.alpha, args.beta1, args.beta2, args.epsilon, 1))
    ) {
      return;
    }
    this.viaReference("adamUpdate", "arguments the C kernel rejects");
    super.adamUpdate(variable, grad, momentum, velocity, velocityHat, args);
  }
}
