/// <reference types="@webgpu/types" />
import type { BinaryOp, MatmulArgs, ReduceOp, UnaryOp } from "../core_kernels.js";
import { composedKernels } from "../composed.js";
import { DeviceArray } from "../device_array.js";
import type { DType, Shape, TypedArray } from "../dtypes.js";
import { recordFallback } from "../fallbacks.js";
import { platform } from "../../platform/platform.js";
import {
  FUSED_KERNEL_NAMES, type AdamUpdateArgs, type BatchNormArgs, type BatchNormGrads, type BatchNormResult, type ConvArgs, type ConvGrads, type EpilogueActivation, type PoolArgs, type GradientTarget, type LinearGrads, type NormalizeArgs,
  type RMSpropUpdateArgs, type SGDUpdateArgs,
} from "../fused_kernels.js";
import { isWrittenInPlace } from "../in_place.js";
import { ReferenceBackend } from "../reference/index.js";
import { mergedBroadcastStrides } from "../broadcast_strides.js";
import { reduceAsOneBlock, split3 } from "../reduce_blocks.js";
import { canonicalize } from "../reference/reduce.js";
import { sizeOf } from "../shape.js";
import { GpuArray, GpuContext, Params, groupsFor, storageTypeOf, type StorageType } from "./context.js";
import * as B from "./batch_norm.js";
import * as C from "./conv.js";
import * as K from "./kernels.js";
import { TILE } from "./kernels.js";
import { PRELUDE, PREDICATES, binaryExpr, elementwiseMain, header, load, storageOf, store, unaryExpr } from "./wgsl.js";

export { GpuArray } from "./context.js";

/*
 * The WebGPU backend: the kernels in WGSL (kernels.ts, wgsl.ts), over tensors whose storage is a
 * GPU buffer (`GpuArray`, a DeviceArray) that stays on the GPU from op to op.
 *
 * Where each call runs:
 * - on the GPU when any input is on the GPU only, or the output is larger than `smallSize`;
 * - on the host (the reference kernels, by design, not counted as a fallback) when every input is
 *   on the host and the output is small (a GPU dispatch costs more than such a loop: losses'
 *   label checks, metrics' sums, seed arithmetic), or when an input's values were read back from
 *   the GPU (`await tensor.data()`: the caller is working on the host, as `fit` does with a
 *   batch's predictions for its metrics);
 * - `gather` from an array on the host runs on the host (it reads only the rows it takes, where
 *   the GPU would first upload the whole source: a data set).
 * A kernel the backend has no WGSL for runs its composed default (fused kernels, built from the
 * core kernels, so still on the GPU) or the reference kernel on values read back, and is recorded
 * as a fallback (`keras.backend.fallbacks()`); a value that is on the GPU only cannot be read back
 * synchronously, so such a call throws the error of `Tensor.dataSync`.
 */

type Input = TypedArray | null;

const ACTIVATIONS = new Set<string>(["linear", "relu", "sigmoid", "tanh"]);

/** WGSL computing `off_k` for each input k from the output index i, over prm[2 ..]: dims then each input's strides. */
function offsetsCode(count: number): string {
  const decl = Array.from({ length: count }, (_, k) => `var off${k} = 0u;`).join(" ");
  const adds = Array.from({ length: count }, (_, k) => `off${k} = off${k} + c * prm[2u + ${k + 1}u * rank + u32(d)];`).join(" ");
  return `let rank = prm[1];
  var rem = i;
  ${decl}
  for (var d = i32(rank) - 1; d >= 0; d--) {
    let dim = prm[2u + u32(d)];
    let c = rem % dim;
    rem = rem / dim;
    ${adds}
  }`;
}

function isCount(v: number): boolean {
  return Number.isInteger(v) && v >= 0;
}

/** Bits of `value` stored as an element of `type` (the typed array's conversion). */
function storedBits(type: StorageType, value: number): number {
  const a = type === "Float32Array" ? Float32Array.of(value) : type === "Int32Array" ? Int32Array.of(value) : Uint8Array.of(value);
  return type === "Uint8Array" ? a[0] : new Uint32Array(a.buffer)[0];
}

export class WebGpuBackend extends ReferenceBackend {
  override readonly name: string = "webgpu";
  readonly context: GpuContext;
  /**
   * Outputs of at most this many elements are computed on the host when every input is there
   * (see the file comment). The cross-check tests set it to 0 to run every kernel on the GPU.
   */
  smallSize = 1024;
  /** Whether inputs read back from the GPU send a call to the host (see the file comment); tests turn it off. */
  hostAfterReadback = true;

  constructor(device: GPUDevice) {
    super();
    this.context = new GpuContext(device, this, isWrittenInPlace);
    this.coverTheRest();
  }

  /**
   * Kernels added to the reference backend later (new fused kernels land there first) that this
   * class does not override: fused ones run their composed default on this backend's core
   * kernels (so on the GPU), others the reference kernel on values read back; each call counted.
   */
  private coverTheRest(): void {
    const fused = new Set<string>(FUSED_KERNEL_NAMES);
    const own = new Set(Object.getOwnPropertyNames(WebGpuBackend.prototype));
    const self = this as unknown as Record<string, (...args: unknown[]) => unknown>;
    let composed: Record<string, (...args: unknown[]) => unknown> | undefined;
    for (const name of Object.getOwnPropertyNames(ReferenceBackend.prototype)) {
      if (name === "constructor" || own.has(name) || typeof self[name] !== "function") continue;
      const reference = self[name].bind(this);
      self[name] = (...args: unknown[]) => {
        if (fused.has(name)) {
          composed ??= composedKernels(this) as unknown as Record<string, (...args: unknown[]) => unknown>;
          const compose = composed[name];
          if (compose !== undefined) {
            recordFallback(this.name, name, "composed", "no WGSL kernel yet");
            return compose(...args.map((a) => (a instanceof Float32Array && isWrittenInPlace(a) ? true : a)));
          }
        }
        recordFallback(this.name, name, "reference", "no WGSL kernel yet");
        return reference(...args.map((a) => this.hostDeep(a)));
      };
    }
  }

  private hostDeep(a: unknown): unknown {
    if (a instanceof DeviceArray) return a.readSync();
    if (Array.isArray(a)) return a.map((x) => this.hostDeep(x));
    return a;
  }

  /** Whether this call runs on the host (see the file comment). */
  private onHost(inputs: readonly Input[], outSize: number): boolean {
    let readBack = false;
    for (const x of inputs) {
      if (x === null || !(x instanceof DeviceArray)) continue;
      if (x.hostCopy() === undefined) return false;
      readBack = true;
    }
    return outSize <= this.smallSize || (readBack && this.hostAfterReadback);
  }

  private host<T extends Input>(x: T): T {
    return (x instanceof DeviceArray ? x.readSync() : x) as T;
  }

  private gpu(x: TypedArray, type?: StorageType): GpuArray {
    return this.context.toGpu(x, type);
  }

  private out(type: StorageType, length: number): GpuArray {
    return this.context.allocate(type, length);
  }

  private asResult<T extends TypedArray>(x: GpuArray): T {
    return x as unknown as T;
  }

  /** A copy that the optimizer kernels will update in place, on the GPU. */
  writableCopy(x: TypedArray): TypedArray {
    return this.asResult(this.gpu(x).slice());
  }

  /** GPU memory in use and in the pool, and transfer counts. */
  memory(): ReturnType<GpuContext["memory"]> {
    return this.context.memory();
  }

  /* ---- elementwise ---- */

  override fill(size: number, value: number, dtype: DType): TypedArray {
    if (!isCount(size) || size <= this.smallSize) return super.fill(size, value, dtype);
    const type = storageOf(dtype);
    const bits = storedBits(type, dtype === "bool" ? (value !== 0 ? 1 : 0) : value);
    const out = this.out(type, size);
    this.context.run(`fill:${type}`, () => K.fillKernel(type), [], [out], [size, bits], groupsFor(size));
    return this.asResult(out);
  }

  override cast(x: TypedArray, dtype: DType): TypedArray {
    if (this.onHost([x], x.length)) return super.cast(this.host(x), dtype);
    const type = storageTypeOf(x);
    const kind = type === "Float32Array" ? "f" : "i";
    const out = this.out(storageOf(dtype), x.length);
    const key = `cast:${type}:${dtype}`;
    this.context.run(key, () => `${header([["x", type]], [["out", storageOf(dtype)]])}\n${PRELUDE}\n${elementwiseMain(`let a = ${load(type, kind, "x[i]")};\n  out[i] = ${store(dtype, kind, "a", false)};`)}`,
      [this.gpu(x)], [out], [x.length], groupsFor(x.length));
    return this.asResult(out);
  }

  override unary(op: UnaryOp, x: TypedArray, outDtype: DType): TypedArray {
    const type = storageTypeOf(x);
    const plan = unaryExpr(op, type, outDtype);
    if (plan === undefined || this.onHost([x], x.length)) return super.unary(op, this.host(x), outDtype);
    const out = this.out(storageOf(outDtype), x.length);
    const key = `unary:${op}:${type}:${outDtype}`;
    this.context.run(key, () => `${header([["x", type]], [["out", storageOf(outDtype)]])}\n${PRELUDE}\n${elementwiseMain(
      `let a = ${load(type, plan.kind, "x[i]")};\n  out[i] = ${store(outDtype, plan.kind, plan.expr, PREDICATES.has(op))};`)}`,
      [this.gpu(x)], [out], [x.length], groupsFor(x.length));
    return this.asResult(out);
  }

  override binary(op: BinaryOp, a: TypedArray, aShape: Shape, b: TypedArray, bShape: Shape, outShape: Shape, outDtype: DType): TypedArray {
    const n = sizeOf(outShape);
    const ta = storageTypeOf(a);
    const tb = storageTypeOf(b);
    const plan = binaryExpr(op, ta, tb, outDtype);
    if (plan === undefined || this.onHost([a, b], n)) return super.binary(op, this.host(a), aShape, this.host(b), bShape, outShape, outDtype);
    const { dims, strides } = mergedBroadcastStrides([aShape, bShape], outShape);
    const out = this.out(storageOf(outDtype), n);
    const key = `binary:${op}:${ta}:${tb}:${outDtype}`;
    this.context.run(key, () => `${header([["A", ta], ["B", tb]], [["out", storageOf(outDtype)]])}\n${PRELUDE}\n${elementwiseMain(`${offsetsCode(2)}
  let a = ${load(ta, plan.kind, "A[off0]")};
  let b = ${load(tb, plan.kind, "B[off1]")};
  out[i] = ${store(outDtype, plan.kind, plan.expr, PREDICATES.has(op))};`)}`,
      [this.gpu(a), this.gpu(b)], [out], new Params().int(n, dims.length).ints(dims).ints(strides[0]).ints(strides[1]).done(), groupsFor(n));
    return this.asResult(out);
  }

  override select(cond: TypedArray, condShape: Shape, a: TypedArray, aShape: Shape, b: TypedArray, bShape: Shape, outShape: Shape, outDtype: DType): TypedArray {
    const n = sizeOf(outShape);
    if (this.onHost([cond, a, b], n)) return super.select(this.host(cond), condShape, this.host(a), aShape, this.host(b), bShape, outShape, outDtype);
    const [tc, ta, tb] = [storageTypeOf(cond), storageTypeOf(a), storageTypeOf(b)];
    const { dims, strides } = mergedBroadcastStrides([condShape, aShape, bShape], outShape);
    // The reference stores the chosen element as the output's typed array does (bool as uint8).
    const stored: DType = outDtype === "bool" ? "uint8" : outDtype;
    const kindOf = (t: StorageType) => (t === "Float32Array" ? "f" : "i");
    const condTest = tc === "Float32Array" ? "nonzero(C[off0])" : "C[off0] != 0";
    const out = this.out(storageOf(outDtype), n);
    const key = `select:${tc}:${ta}:${tb}:${outDtype}`;
    this.context.run(key, () => `${header([["C", tc], ["A", ta], ["B", tb]], [["out", storageOf(outDtype)]])}\n${PRELUDE}\n${elementwiseMain(`${offsetsCode(3)}
  if (${condTest}) { out[i] = ${store(stored, kindOf(ta), load(ta, kindOf(ta), "A[off1]"), false)}; }
  else { out[i] = ${store(stored, kindOf(tb), load(tb, kindOf(tb), "B[off2]"), false)}; }`)}`,
      [this.gpu(cond), this.gpu(a), this.gpu(b)], [out], new Params().int(n, dims.length).ints(dims).ints(strides[0]).ints(strides[1]).ints(strides[2]).done(), groupsFor(n));
    return this.asResult(out);
  }

  /* ---- reductions ---- */

  override reduce(op: ReduceOp, x: TypedArray, shape: Shape, axes: readonly number[], outDtype: DType): TypedArray {
    const known = op === "sum" || op === "prod" || op === "max" || op === "min" || op === "any" || op === "all";
    const { dims, reduced } = canonicalize(shape, axes);
    let outSize = 1;
    dims.forEach((d, i) => {
      if (!reduced[i]) outSize *= d;
    });
    if (!known || x.length !== sizeOf(shape) || this.onHost([x], outSize)) return super.reduce(op, this.host(x), shape, axes, outDtype);
    const planned = reduceAsOneBlock(this, op, x, dims, reduced, outDtype);
    if (!("block" in planned)) return planned;
    const [outer, n, inner] = planned.block;
    const count = outer * inner;
    if (n === 0 || count === 0) return super.reduce(op, new (x.constructor as Float32ArrayConstructor)(0) as TypedArray, shape, axes, outDtype);
    const type = storageTypeOf(x);
    const kind = type !== "Float32Array" && outDtype !== "float32" ? "i" : "f";
    const out = this.out(storageOf(outDtype), count);
    const wide = n >= 64 && count < 16384;
    const key = `reduce:${wide ? "wide" : "rows"}:${op}:${type}:${kind}:${outDtype}`;
    this.context.run(key, () => (wide ? K.reduceWide : K.reduceRows)(op, type, kind, outDtype), [this.gpu(x)], [out], [count, n, inner], wide ? count : groupsFor(count));
    return this.asResult(out);
  }

  override argReduce(op: "argmax" | "argmin", x: TypedArray, shape: Shape, axis: number): Int32Array {
    if (!Number.isInteger(axis) || axis < 0 || axis >= shape.length || x.length !== sizeOf(shape)) return super.argReduce(op, this.host(x), shape, axis);
    const [outer, n, inner] = split3(shape, axis);
    const count = outer * inner;
    if (n === 0 || count === 0 || this.onHost([x], count)) return super.argReduce(op, this.host(x), shape, axis);
    const type = storageTypeOf(x);
    const out = this.out("Int32Array", count);
    const params = new Params().int(count, n, inner).float(op === "argmax" ? 1 : -1).done();
    this.context.run(`argReduce:${type}`, () => K.argReduceKernel(type), [this.gpu(x)], [out], params, groupsFor(count));
    return this.asResult(out);
  }

  override cumulative(op: "sum" | "prod", x: TypedArray, shape: Shape, axis: number, outDtype: DType): TypedArray {
    if ((op !== "sum" && op !== "prod") || !Number.isInteger(axis) || axis < 0 || axis >= shape.length || x.length !== sizeOf(shape) || this.onHost([x], x.length)) {
      return super.cumulative(op, this.host(x), shape, axis, outDtype);
    }
    const [outer, n, inner] = split3(shape, axis);
    const type = storageTypeOf(x);
    const kind = type !== "Float32Array" && outDtype !== "float32" ? "i" : "f";
    const out = this.out(storageOf(outDtype), x.length);
    this.context.run(`cumulative:${op}:${type}:${kind}:${outDtype}`, () => K.cumulativeKernel(op, type, kind, outDtype), [this.gpu(x)], [out], [outer * inner, n, inner], groupsFor(outer * inner));
    return this.asResult(out);
  }

  /* ---- layout ---- */

  /** out[i] = x[base + Σ coord_d * strides_d] over `dims`. */
  private strided(x: TypedArray, dims: readonly number[], strides: readonly number[], base: number): GpuArray {
    const type = storageTypeOf(x);
    const n = sizeOf(dims);
    const out = this.out(type, n);
    this.context.run(`strided:${type}`, () => K.stridedCopy(type), [this.gpu(x)], [out], new Params().int(n, dims.length, base).ints(dims).ints(strides).done(), groupsFor(n));
    return out;
  }

  override transpose(x: TypedArray, shape: Shape, perm: readonly number[]): TypedArray {
    const valid = perm.length === shape.length && [...perm].sort((p, q) => p - q).every((p, i) => p === i) && x.length === sizeOf(shape);
    if (!valid || this.onHost([x], x.length)) return super.transpose(this.host(x), shape, perm);
    const inStrides = new Array<number>(shape.length);
    let s = 1;
    for (let d = shape.length - 1; d >= 0; d--) {
      inStrides[d] = s;
      s *= shape[d];
    }
    return this.asResult(this.strided(x, perm.map((p) => shape[p]), perm.map((p) => inStrides[p]), 0));
  }

  override broadcastTo(x: TypedArray, shape: Shape, outShape: Shape): TypedArray {
    const n = sizeOf(outShape);
    if (x.length !== sizeOf(shape) || shape.length > outShape.length || this.onHost([x], n)) return super.broadcastTo(this.host(x), shape, outShape);
    const { dims, strides } = mergedBroadcastStrides([shape], outShape);
    return this.asResult(this.strided(x, dims, strides[0], 0));
  }

  override slice(x: TypedArray, shape: Shape, begin: readonly number[], size: readonly number[]): TypedArray {
    const n = sizeOf(size);
    const valid = begin.length === shape.length && size.length === shape.length && shape.every((d, i) => isCount(begin[i]) && isCount(size[i]) && begin[i] + size[i] <= d);
    if (!valid || x.length !== sizeOf(shape) || this.onHost([x], n)) return super.slice(this.host(x), shape, begin, size);
    const strides = new Array<number>(shape.length);
    let s = 1;
    let base = 0;
    for (let d = shape.length - 1; d >= 0; d--) {
      strides[d] = s;
      base += begin[d] * s;
      s *= shape[d];
    }
    return this.asResult(this.strided(x, size, strides, base));
  }

  override reverse(x: TypedArray, shape: Shape, axes: readonly number[]): TypedArray {
    if (x.length !== sizeOf(shape) || !axes.every((a) => Number.isInteger(a) && a >= 0 && a < shape.length) || this.onHost([x], x.length)) {
      return super.reverse(this.host(x), shape, axes);
    }
    const strides = new Array<number>(shape.length);
    let s = 1;
    let base = 0;
    for (let d = shape.length - 1; d >= 0; d--) {
      const flip = axes.includes(d) && shape[d] > 1;
      strides[d] = flip ? -s : s;
      if (flip) base += (shape[d] - 1) * s;
      s *= shape[d];
    }
    return this.asResult(this.strided(x, shape, strides, base));
  }

  override pad(x: TypedArray, shape: Shape, paddings: readonly (readonly [number, number])[], value: number): TypedArray {
    const valid = paddings.length === shape.length && paddings.every(([b, a]) => isCount(b) && isCount(a)) && x.length === sizeOf(shape);
    const outShape = valid ? shape.map((d, i) => d + paddings[i][0] + paddings[i][1]) : [];
    const n = sizeOf(outShape);
    if (!valid || this.onHost([x], n)) return super.pad(this.host(x), shape, paddings, value);
    const type = storageTypeOf(x);
    const out = this.out(type, n);
    const params = new Params().int(n, shape.length, storedBits(type, value)).ints(outShape).ints(paddings.map((p) => p[0])).ints(shape).done();
    this.context.run(`pad:${type}`, () => K.padKernel(type), [this.gpu(x)], [out], params, groupsFor(n));
    return this.asResult(out);
  }

  override concat(xs: readonly TypedArray[], shapes: readonly Shape[], axis: number, outDtype: DType): TypedArray {
    const valid = xs.length > 0 && xs.length === shapes.length && Number.isInteger(axis) && axis >= 0 && axis < shapes[0].length && xs.every((x, k) => x.length === sizeOf(shapes[k]));
    const outer = valid ? sizeOf(shapes[0].slice(0, axis)) : 0;
    const widths = valid ? shapes.map((s) => sizeOf(s.slice(axis))) : [];
    const rowWidth = widths.reduce((p, q) => p + q, 0);
    if (!valid || this.onHost(xs, outer * rowWidth)) return super.concat(xs.map((x) => this.host(x)), shapes, axis, outDtype);
    const out = this.out(storageOf(outDtype), outer * rowWidth);
    let offset = 0;
    xs.forEach((x, k) => {
      const type = storageTypeOf(x);
      const kind = type === "Float32Array" ? "f" : "i";
      const count = outer * widths[k];
      this.context.run(`concat:${type}:${outDtype}`, () => K.concatPart(type, kind, outDtype), [this.gpu(x)], [out], [count, outer, widths[k], rowWidth, offset], groupsFor(count));
      offset += widths[k];
    });
    return this.asResult(out);
  }

  /* ---- gather / scatter ---- */

  override gather(x: TypedArray, shape: Shape, indices: Int32Array, axis: number, into?: TypedArray): TypedArray {
    const valid = Number.isInteger(axis) && axis >= 0 && axis < shape.length && x.length === sizeOf(shape);
    const [outer, n, inner] = valid ? split3(shape, axis) : [0, 0, 0];
    const count = outer * indices.length * inner;
    // A host gather writes into `into` only where it is on the host: a reused batch buffer that a
    // step has since moved to the GPU (fit's shuffled batches) gets a fresh array instead.
    if (!valid || !(x instanceof GpuArray) || this.onHost([x, indices], count)) return super.gather(this.host(x), shape, this.host(indices), axis, into === undefined || into instanceof GpuArray ? undefined : into);
    const type = storageTypeOf(x);
    const out = this.out(type, count);
    this.context.run(`gather:${type}`, () => K.gatherKernel(type, "slice"), [this.gpu(x), this.gpu(indices)], [out], [count, n, indices.length, inner], groupsFor(count));
    return this.asResult(out);
  }

  override scatterAdd(updates: TypedArray, indices: Int32Array, axis: number, outShape: Shape): TypedArray {
    const valid = Number.isInteger(axis) && axis >= 0 && axis < outShape.length;
    const count = sizeOf(outShape);
    if (!valid || this.onHost([updates, indices], count)) return super.scatterAdd(this.host(updates), this.host(indices), axis, outShape);
    const [, n, inner] = split3(outShape, axis);
    const type = storageTypeOf(updates);
    const out = this.out(type, count);
    this.context.run(`scatterAdd:${type}`, () => K.scatterAddKernel(type, "slice"), [this.gpu(updates), this.gpu(indices)], [out], [count, n, indices.length, inner], groupsFor(count));
    return this.asResult(out);
  }

  override gatherAlongAxis(x: TypedArray, shape: Shape, indices: Int32Array, indicesShape: Shape, axis: number): TypedArray {
    const valid = Number.isInteger(axis) && axis >= 0 && axis < shape.length && indicesShape.length === shape.length && indices.length === sizeOf(indicesShape);
    if (!valid || this.onHost([x, indices], indices.length)) return super.gatherAlongAxis(this.host(x), shape, this.host(indices), indicesShape, axis);
    const [, m, inner] = split3(indicesShape, axis);
    const type = storageTypeOf(x);
    const out = this.out(type, indices.length);
    this.context.run(`gatherAlongAxis:${type}`, () => K.gatherKernel(type, "element"), [this.gpu(x), this.gpu(indices)], [out], [indices.length, shape[axis], m, inner], groupsFor(indices.length));
    return this.asResult(out);
  }

  override scatterAddAlongAxis(updates: TypedArray, indices: Int32Array, indicesShape: Shape, axis: number, outShape: Shape): TypedArray {
    const valid = Number.isInteger(axis) && axis >= 0 && axis < outShape.length && indicesShape.length === outShape.length && indices.length === sizeOf(indicesShape);
    const count = sizeOf(outShape);
    if (!valid || this.onHost([updates, indices], count)) return super.scatterAddAlongAxis(this.host(updates), this.host(indices), indicesShape, axis, outShape);
    const [, m] = split3(indicesShape, axis);
    const [, n, inner] = split3(outShape, axis);
    const type = storageTypeOf(updates);
    const out = this.out(type, count);
    this.context.run(`scatterAddAlongAxis:${type}`, () => K.scatterAddKernel(type, "element"), [this.gpu(updates), this.gpu(indices)], [out], [count, n, m, inner], groupsFor(count));
    return this.asResult(out);
  }

  /* ---- matmul and softmax ---- */

  private gemm(a: TypedArray, b: TypedArray, args: MatmulArgs, epilogue?: { bias: TypedArray | null; activation: EpilogueActivation }): GpuArray {
    const { batch, m, n, k, transA, transB, aBatchStride, bBatchStride } = args;
    const ta = storageTypeOf(a);
    const tb = storageTypeOf(b);
    const isFloat = ta === "Float32Array" || tb === "Float32Array";
    const out = this.out(isFloat ? "Float32Array" : "Int32Array", batch * m * n);
    const inputs = [this.gpu(a), this.gpu(b)];
    if (epilogue?.bias) inputs.push(this.gpu(epilogue.bias));
    const ep = epilogue === undefined ? undefined : { bias: epilogue.bias !== null, activation: epilogue.activation };
    const key = `matmul:${ta}:${tb}:${ep === undefined ? "" : `${ep.bias}:${ep.activation}`}`;
    const params = [m, n, k, transA ? 1 : 0, transB ? 1 : 0, aBatchStride, bBatchStride];
    const gx = Math.ceil(n / TILE);
    const gy = Math.ceil(m / TILE);
    if (batch * m * n === 0) return out;
    this.context.run3(key, () => K.matmulKernel(ta, tb, ep), inputs, [out], params, [gx, gy, batch]);
    return out;
  }

  override matmul(a: TypedArray, b: TypedArray, args: MatmulArgs): TypedArray {
    const { batch, m, n, k, aBatchStride, bBatchStride } = args;
    const valid = [batch, m, n, k, aBatchStride, bBatchStride].every(isCount) &&
      (batch === 0 || (a.length >= (batch - 1) * aBatchStride + m * k && b.length >= (batch - 1) * bBatchStride + k * n)) &&
      batch <= 65535 && Math.ceil(m / TILE) <= 65535 && Math.ceil(n / TILE) <= 65535;
    if (!valid || this.onHost([a, b], batch * m * n)) return super.matmul(this.host(a), this.host(b), args);
    return this.asResult(this.gemm(a, b, args));
  }

  override softmax(x: Float32Array, rows: number, cols: number): Float32Array {
    return this.softmaxOf(x, rows, cols, false);
  }

  override logSoftmax(x: Float32Array, rows: number, cols: number): Float32Array {
    return this.softmaxOf(x, rows, cols, true);
  }

  private softmaxOf(x: Float32Array, rows: number, cols: number, log: boolean): Float32Array {
    const valid = isCount(rows) && isCount(cols) && x.length === rows * cols && storageTypeOf(x) === "Float32Array";
    if (!valid || this.onHost([x], x.length)) return log ? super.logSoftmax(this.host(x), rows, cols) : super.softmax(this.host(x), rows, cols);
    const out = this.out("Float32Array", x.length);
    this.context.run(`softmax:${log}`, () => K.softmaxKernel(log), [this.gpu(x)], [out], [rows, cols], groupsFor(rows));
    return this.asResult(out);
  }

  /* ---- fused kernels ---- */

  override linearForward(x: Float32Array, w: Float32Array, bias: Float32Array | null, m: number, k: number, n: number, activation: EpilogueActivation): Float32Array {
    const valid = [m, k, n].every(isCount) && ACTIVATIONS.has(activation) && x.length === m * k && w.length === k * n && (bias === null || bias.length === n) &&
      Math.ceil(m / TILE) <= 65535 && Math.ceil(n / TILE) <= 65535;
    if (!valid || this.onHost([x, w, bias], m * n)) return super.linearForward(this.host(x), this.host(w), this.host(bias), m, k, n, activation);
    const args: MatmulArgs = { batch: 1, m, n, k, transA: false, transB: false, aBatchStride: 0, bBatchStride: 0 };
    return this.asResult(this.gemm(x, w, args, { bias, activation }));
  }

  override linearBackward(
    dOut: Float32Array, out: Float32Array, x: Float32Array, w: Float32Array,
    m: number, k: number, n: number, activation: EpilogueActivation,
    needDX: boolean, needDW: GradientTarget, needDB: GradientTarget,
  ): LinearGrads {
    const valid = [m, k, n].every(isCount) && ACTIVATIONS.has(activation) && dOut.length === m * n && x.length === m * k && w.length === k * n &&
      (activation === "linear" || out.length === m * n);
    const inputs: Input[] = [dOut, activation === "linear" ? null : out, x, w];
    if (!valid || this.onHost(inputs, Math.max(m * k, k * n, n))) {
      return super.linearBackward(this.host(dOut), this.host(out), this.host(x), this.host(w), m, k, n, activation, needDX, this.hostTarget(needDW), this.hostTarget(needDB));
    }
    const dz = this.activationGrad(dOut, out, activation);
    // A host array to write a gradient into (autodiff's reused buffers) would need a synchronous
    // readback: the gradient stays on the GPU in a fresh array instead (the pool does the reuse).
    const dX = needDX ? this.gemm(dz, w, { batch: 1, m, n: k, k: n, transA: false, transB: true, aBatchStride: 0, bBatchStride: 0 }) : null;
    const dW = needDW !== false ? this.gemm(x, dz, { batch: 1, m: k, n, k: m, transA: true, transB: false, aBatchStride: 0, bBatchStride: 0 }) : null;
    const db = needDB !== false ? this.reduce("sum", dz, [m, n], [0], "float32") : null;
    return { dX: dX === null ? null : this.asResult<Float32Array>(dX), dW: dW === null ? null : this.asResult<Float32Array>(dW), db: db as Float32Array | null };
  }

  /** A gradient target for the reference kernels: host memory stays a target; a GPU array becomes "fresh" (set into afterwards is not needed by callers). */
  private hostTarget(t: GradientTarget): GradientTarget {
    return t instanceof DeviceArray ? true : t;
  }

  private xentStats(logits: Float32Array, rows: number, cols: number): GpuArray {
    const stats = this.out("Float32Array", 2 * rows);
    this.context.run("rowStats", () => K.rowStatsKernel(), [this.gpu(logits)], [stats], [rows, cols], groupsFor(rows));
    return stats;
  }

  override softmaxCrossEntropy(logits: Float32Array, rows: number, cols: number, labels: Int32Array | null, dense: Float32Array | null): Float32Array {
    const valid = isCount(rows) && isCount(cols) && logits.length === rows * cols && (labels === null) !== (dense === null) &&
      (labels === null || labels.length === rows) && (dense === null || dense.length === rows * cols) && cols > 0;
    if (!valid || this.onHost([logits, labels, dense], rows * cols)) return super.softmaxCrossEntropy(this.host(logits), rows, cols, this.host(labels), this.host(dense));
    const sparse = labels !== null;
    const stats = this.xentStats(logits, rows, cols);
    const out = this.out("Float32Array", rows);
    this.context.run(`xent:${sparse}`, () => K.xentKernel(sparse), [this.gpu(logits), this.gpu((labels ?? dense)!), stats], [out], [rows, cols], groupsFor(rows));
    return this.asResult(out);
  }

  override softmaxCrossEntropyBackward(logits: Float32Array, rows: number, cols: number, labels: Int32Array | null, dense: Float32Array | null, rowScale: Float32Array): Float32Array {
    const valid = isCount(rows) && isCount(cols) && logits.length === rows * cols && (labels === null) !== (dense === null) &&
      (labels === null || labels.length === rows) && (dense === null || dense.length === rows * cols) && rowScale.length === rows && cols > 0;
    if (!valid || this.onHost([logits, labels, dense, rowScale], rows * cols)) {
      return super.softmaxCrossEntropyBackward(this.host(logits), rows, cols, this.host(labels), this.host(dense), this.host(rowScale));
    }
    const sparse = labels !== null;
    const stats = this.xentStats(logits, rows, cols);
    const out = this.out("Float32Array", rows * cols);
    this.context.run(`xentBackward:${sparse}`, () => K.xentBackwardKernel(sparse), [this.gpu(logits), this.gpu((labels ?? dense)!), stats, this.gpu(rowScale, "Float32Array")], [out],
      [rows * cols, cols], groupsFor(rows * cols));
    return this.asResult(out);
  }

  override countArgmaxMatches(pred: Float32Array, rows: number, cols: number, labels: TypedArray | null, oneHot: TypedArray | null): number {
    // A count is a number the caller reads at once: it is made on the host, from values read back.
    const onGpu = [pred, labels, oneHot].some((x) => x instanceof DeviceArray && x.hostCopy() === undefined);
    if (onGpu) recordFallback(this.name, "countArgmaxMatches", "reference", "returns a number, which needs the values on the host (await them first)");
    return super.countArgmaxMatches(this.host(pred), rows, cols, this.host(labels), this.host(oneHot));
  }

  override normalize(x: TypedArray, shape: Shape, axes: readonly number[], args: NormalizeArgs): Float32Array {
    if (this.onHost([x], x.length)) return super.normalize(this.host(x), shape, axes, args);
    recordFallback(this.name, "normalize", "composed", "no WGSL kernel yet");
    return composedKernels(this).normalize(x, shape, axes, args);
  }

  /* ---- convolution and pooling ---- */

  /** Element counts of x, w and the output, or undefined for a geometry the WGSL kernels do not take (the reference then gives its error). */
  private convSizes(a: ConvArgs): { x: number; w: number; out: number } | undefined {
    const rank = a.inputSize.length;
    const lists = [a.inputSize, a.outputSize, a.kernelSize, a.strides, a.dilations, a.padBefore];
    const counts = [a.batch, a.inChannels, a.outChannels, a.groups];
    if (rank < 1 || rank > 3 || !lists.every((l) => l.length === rank && l.every(isCount)) || !counts.every(isCount)) return undefined;
    if (a.groups === 0 || a.inChannels % a.groups !== 0 || a.outChannels % a.groups !== 0 || a.strides.some((s) => s === 0) || a.dilations.some((d) => d === 0)) return undefined;
    return {
      x: a.batch * a.inChannels * sizeOf(a.inputSize),
      w: sizeOf(a.kernelSize) * (a.inChannels / a.groups) * a.outChannels,
      out: a.batch * a.outChannels * sizeOf(a.outputSize),
    };
  }

  override convForward(x: Float32Array, w: Float32Array, bias: Float32Array | null, args: ConvArgs, activation: EpilogueActivation): Float32Array {
    const sizes = this.convSizes(args);
    const valid = sizes !== undefined && ACTIVATIONS.has(activation) && x.length === sizes.x && w.length === sizes.w && (bias === null || bias.length === args.outChannels);
    if (!valid || this.onHost([x, w, bias], sizes.out)) return super.convForward(this.host(x), this.host(w), this.host(bias), args, activation);
    const out = this.out("Float32Array", sizes.out);
    const inputs = [this.gpu(x), this.gpu(w)];
    if (bias !== null) inputs.push(this.gpu(bias));
    this.context.run(`conv:${bias !== null}:${activation}`, () => C.convForwardKernel(bias !== null, activation), inputs, [out], C.convParams(sizes.out, args), groupsFor(sizes.out));
    return this.asResult(out);
  }

  override convBackward(
    dOut: Float32Array, out: Float32Array | null, x: Float32Array | null, w: Float32Array | null, args: ConvArgs, activation: EpilogueActivation,
    needDX: boolean, needDW: GradientTarget, needDB: GradientTarget,
  ): ConvGrads {
    const sizes = this.convSizes(args);
    const valid = sizes !== undefined && ACTIVATIONS.has(activation) && dOut.length === sizes.out && (activation === "linear" || out?.length === sizes.out) &&
      (needDW === false || x?.length === sizes.x) && (!needDX || w?.length === sizes.w);
    if (!valid || this.onHost([dOut, activation === "linear" ? null : out, needDW === false ? null : x, needDX ? w : null], Math.max(sizes.x, sizes.w))) {
      return super.convBackward(this.host(dOut), this.host(out), this.host(x), this.host(w), args, activation, needDX, this.hostTarget(needDW), this.hostTarget(needDB));
    }
    const dz = this.activationGrad(dOut, out, activation);
    const params = (threads: number) => C.convParams(threads, args);
    let dX: GpuArray | null = null;
    if (needDX) {
      dX = this.out("Float32Array", sizes.x);
      this.context.run("convInputGrad", () => C.convInputGradKernel(), [this.gpu(dz), this.gpu(w!)], [dX], params(sizes.x), groupsFor(sizes.x));
    }
    let dW: GpuArray | null = null;
    if (needDW !== false) {
      dW = this.out("Float32Array", sizes.w);
      this.context.run("convKernelGrad", () => C.convKernelGradKernel(), [this.gpu(dz), this.gpu(x!)], [dW], params(sizes.w), groupsFor(sizes.w));
    }
    const positions = sizeOf(args.outputSize);
    const db = needDB === false ? null
      : args.channelsFirst ? this.reduce("sum", dz, [args.batch, args.outChannels, positions], [0, 2], "float32")
      : this.reduce("sum", dz, [args.batch * positions, args.outChannels], [0], "float32");
    return { dX: dX && this.asResult<Float32Array>(dX), dW: dW && this.asResult<Float32Array>(dW), db: db as Float32Array | null };
  }

  /** dOut * act'(out) on the GPU (dOut itself for "linear"). */
  private activationGrad(dOut: Float32Array, out: Float32Array | null, activation: EpilogueActivation): Float32Array {
    if (activation === "linear") return dOut;
    const g = this.out("Float32Array", dOut.length);
    this.context.run(`activationGrad:${activation}`, () => K.activationGradKernel(activation), [this.gpu(dOut), this.gpu(out!)], [g], [dOut.length], groupsFor(dOut.length));
    return this.asResult(g);
  }

  /** Element counts of x and the output, or undefined for a geometry the WGSL kernels do not take. */
  private poolSizes(a: PoolArgs): { x: number; out: number } | undefined {
    const rank = a.inputSize.length;
    const lists = [a.inputSize, a.outputSize, a.poolSize, a.strides, a.padBefore];
    if (rank < 1 || rank > 3 || !lists.every((l) => l.length === rank && l.every(isCount)) || !isCount(a.batch) || !isCount(a.channels) || a.strides.some((s) => s === 0)) return undefined;
    return { x: a.batch * a.channels * sizeOf(a.inputSize), out: a.batch * a.channels * sizeOf(a.outputSize) };
  }

  override maxPoolForward(x: Float32Array, args: PoolArgs): Float32Array {
    const sizes = this.poolSizes(args);
    if (sizes === undefined || x.length !== sizes.x || this.onHost([x], sizes.out)) return super.maxPoolForward(this.host(x), args);
    const out = this.out("Float32Array", sizes.out);
    this.context.run("maxPool:value", () => C.maxPoolKernel("value"), [this.gpu(x)], [out], C.poolParams(sizes.out, args), groupsFor(sizes.out));
    return this.asResult(out);
  }

  override maxPoolBackward(dOut: Float32Array, x: Float32Array, args: PoolArgs): Float32Array {
    const sizes = this.poolSizes(args);
    if (sizes === undefined || x.length !== sizes.x || dOut.length !== sizes.out || this.onHost([dOut, x], sizes.x)) return super.maxPoolBackward(this.host(dOut), this.host(x), args);
    const chosen = this.out("Int32Array", sizes.out);
    this.context.run("maxPool:index", () => C.maxPoolKernel("index"), [this.gpu(x)], [chosen], C.poolParams(sizes.out, args), groupsFor(sizes.out));
    const dx = this.out("Float32Array", sizes.x);
    this.context.run("maxPoolBackward", () => C.maxPoolBackwardKernel(), [this.gpu(dOut), chosen], [dx], C.poolParams(sizes.x, args), groupsFor(sizes.x));
    return this.asResult(dx);
  }

  override avgPoolForward(x: Float32Array, args: PoolArgs): Float32Array {
    const sizes = this.poolSizes(args);
    if (sizes === undefined || x.length !== sizes.x || this.onHost([x], sizes.out)) return super.avgPoolForward(this.host(x), args);
    const out = this.out("Float32Array", sizes.out);
    this.context.run("avgPool", () => C.avgPoolKernel(), [this.gpu(x)], [out], C.poolParams(sizes.out, args), groupsFor(sizes.out));
    return this.asResult(out);
  }

  override avgPoolBackward(dOut: Float32Array, args: PoolArgs): Float32Array {
    const sizes = this.poolSizes(args);
    if (sizes === undefined || dOut.length !== sizes.out || this.onHost([dOut], sizes.x)) return super.avgPoolBackward(this.host(dOut), args);
    const dx = this.out("Float32Array", sizes.x);
    this.context.run("avgPoolBackward", () => C.avgPoolBackwardKernel(), [this.gpu(dOut)], [dx], C.poolParams(sizes.x, args), groupsFor(sizes.x));
    return this.asResult(dx);
  }

  /* ---- batch normalization ---- */

  private bnValid(args: BatchNormArgs, arrays: readonly [Input, number][]): boolean {
    return [args.outer, args.channels, args.inner].every(isCount) && args.epsilon >= 0 && arrays.every(([a, n]) => a === null || a.length === n);
  }

  private bnParams(threads: number, args: BatchNormArgs): Uint32Array {
    return new Params().int(threads, args.outer, args.channels, args.inner).float(args.epsilon).done();
  }

  private bnApply(x: Float32Array, mean: Float32Array, variance: Float32Array, gamma: Float32Array | null, beta: Float32Array | null, args: BatchNormArgs): GpuArray {
    const out = this.out("Float32Array", x.length);
    const inputs = [this.gpu(x), this.gpu(mean), this.gpu(variance)];
    if (gamma !== null) inputs.push(this.gpu(gamma));
    if (beta !== null) inputs.push(this.gpu(beta));
    this.context.run(`bnApply:${gamma !== null}:${beta !== null}`, () => B.bnApplyKernel(gamma !== null, beta !== null), inputs, [out], this.bnParams(x.length, args), groupsFor(x.length));
    return out;
  }

  override batchNormTraining(x: Float32Array, gamma: Float32Array | null, beta: Float32Array | null, args: BatchNormArgs): BatchNormResult {
    const n = args.outer * args.channels * args.inner;
    const valid = this.bnValid(args, [[x, n], [gamma, args.channels], [beta, args.channels]]) && args.outer * args.inner > 0;
    if (!valid || this.onHost([x, gamma, beta], n)) return super.batchNormTraining(this.host(x), this.host(gamma), this.host(beta), args);
    const mean = this.out("Float32Array", args.channels);
    const variance = this.out("Float32Array", args.channels);
    this.context.run("bnStats", () => B.bnStatsKernel(), [this.gpu(x)], [mean, variance], this.bnParams(args.channels, args), args.channels);
    const m = this.asResult<Float32Array>(mean);
    const v = this.asResult<Float32Array>(variance);
    return { out: this.asResult(this.bnApply(x, m, v, gamma, beta, args)), mean: m, variance: v };
  }

  override batchNormInference(x: Float32Array, mean: Float32Array, variance: Float32Array, gamma: Float32Array | null, beta: Float32Array | null, args: BatchNormArgs): Float32Array {
    const n = args.outer * args.channels * args.inner;
    const c = args.channels;
    const valid = this.bnValid(args, [[x, n], [mean, c], [variance, c], [gamma, c], [beta, c]]);
    if (!valid || this.onHost([x, mean, variance, gamma, beta], n)) {
      return super.batchNormInference(this.host(x), this.host(mean), this.host(variance), this.host(gamma), this.host(beta), args);
    }
    return this.asResult(this.bnApply(x, mean, variance, gamma, beta, args));
  }

  override batchNormTrainingBackward(
    dOut: Float32Array, x: Float32Array, mean: Float32Array, variance: Float32Array, gamma: Float32Array | null, args: BatchNormArgs,
    needDX: boolean, needDGamma: GradientTarget, needDBeta: GradientTarget,
  ): BatchNormGrads {
    const n = args.outer * args.channels * args.inner;
    const c = args.channels;
    const valid = this.bnValid(args, [[dOut, n], [x, n], [mean, c], [variance, c], [gamma, c]]) && args.outer * args.inner > 0;
    if (!valid || this.onHost([dOut, x, mean, variance, gamma], n)) {
      return super.batchNormTrainingBackward(this.host(dOut), this.host(x), this.host(mean), this.host(variance), this.host(gamma), args, needDX, this.hostTarget(needDGamma), this.hostTarget(needDBeta));
    }
    const dGamma = this.out("Float32Array", c);
    const dBeta = this.out("Float32Array", c);
    this.context.run("bnGradSums", () => B.bnGradSumsKernel(), [this.gpu(dOut), this.gpu(x), this.gpu(mean), this.gpu(variance)], [dGamma, dBeta], this.bnParams(c, args), c);
    let dX: GpuArray | null = null;
    if (needDX) {
      dX = this.out("Float32Array", n);
      const inputs = [this.gpu(dOut), this.gpu(x), this.gpu(mean), this.gpu(variance), dGamma, dBeta];
      if (gamma !== null) inputs.push(this.gpu(gamma));
      this.context.run(`bnInputGrad:${gamma !== null}`, () => B.bnInputGradKernel(gamma !== null), inputs, [dX], this.bnParams(n, args), groupsFor(n));
    }
    return {
      dX: dX && this.asResult<Float32Array>(dX),
      dGamma: needDGamma === false ? null : this.asResult<Float32Array>(dGamma),
      dBeta: needDBeta === false ? null : this.asResult<Float32Array>(dBeta),
    };
  }

  /** The arrays an optimizer kernel writes in place, on the GPU; undefined when the update runs on the host. */
  private inPlace(variable: Float32Array, grad: Float32Array, slots: readonly (Float32Array | null)[]): { w: GpuArray; g: GpuArray; slots: (GpuArray | null)[] } | undefined {
    const all = [variable, ...slots];
    const onGpu = all.every((s) => s === null || (s instanceof GpuArray && s.context === this.context));
    if (!onGpu) return undefined;
    const sizes = all.every((s) => s === null || s.length === variable.length) && grad.length === variable.length;
    if (!sizes) return undefined;
    return { w: variable as unknown as GpuArray, g: this.gpu(grad, "Float32Array"), slots: slots.map((s) => s as unknown as GpuArray | null) };
  }

  override sgdUpdate(variable: Float32Array, grad: Float32Array, momentum: Float32Array | null, args: SGDUpdateArgs): void {
    const gpu = this.inPlace(variable, grad, [momentum]);
    if (gpu === undefined) return this.updateOnHost("sgdUpdate", [variable, momentum], () => super.sgdUpdate(variable, this.host(grad), momentum, args));
    const outputs = momentum === null ? [gpu.w] : [gpu.w, gpu.slots[0]!];
    const nesterov = args.nesterov === true;
    this.context.run(`sgd:${momentum !== null}:${nesterov}`, () => K.sgdKernel(momentum !== null, nesterov), [gpu.g], outputs,
      new Params().int(variable.length).float(args.lr, args.momentum).done(), groupsFor(variable.length));
  }

  override rmspropUpdate(
    variable: Float32Array, grad: Float32Array, velocity: Float32Array, momentum: Float32Array | null, averageGradient: Float32Array | null, args: RMSpropUpdateArgs,
  ): void {
    const gpu = this.inPlace(variable, grad, [velocity, momentum, averageGradient]);
    if (gpu === undefined) {
      return this.updateOnHost("rmspropUpdate", [variable, velocity, momentum, averageGradient], () =>
        super.rmspropUpdate(variable, this.host(grad), velocity, momentum, averageGradient, args));
    }
    const outputs = [gpu.w, gpu.slots[0]!, ...(momentum === null ? [] : [gpu.slots[1]!]), ...(averageGradient === null ? [] : [gpu.slots[2]!])];
    const oneMinusRho = Math.fround(1 - args.rho);
    this.context.run(`rmsprop:${momentum !== null}:${averageGradient !== null}`, () => K.rmspropKernel(momentum !== null, averageGradient !== null), [gpu.g], outputs,
      new Params().int(variable.length).float(args.lr, args.rho, args.momentum, args.epsilon, oneMinusRho).done(), groupsFor(variable.length));
  }

  override adamUpdate(
    variable: Float32Array, grad: Float32Array, momentum: Float32Array, velocity: Float32Array, velocityHat: Float32Array | null, args: AdamUpdateArgs,
  ): void {
    const gpu = this.inPlace(variable, grad, [momentum, velocity, velocityHat]);
    if (gpu === undefined) {
      return this.updateOnHost("adamUpdate", [variable, momentum, velocity, velocityHat], () => super.adamUpdate(variable, this.host(grad), momentum, velocity, velocityHat, args));
    }
    const outputs = [gpu.w, gpu.slots[0]!, gpu.slots[1]!, ...(velocityHat === null ? [] : [gpu.slots[2]!])];
    const oneMinusB1 = Math.fround(1 - args.beta1);
    const oneMinusB2 = Math.fround(1 - args.beta2);
    this.context.run(`adam:${velocityHat !== null}`, () => K.adamKernel(velocityHat !== null), [gpu.g], outputs,
      new Params().int(variable.length).float(args.alpha, oneMinusB1, oneMinusB2, args.epsilon).done(), groupsFor(variable.length));
  }

  /** An update of host memory (a variable made before this backend was selected): the reference kernel, in place. */
  private updateOnHost(kernel: string, written: readonly (Float32Array | null)[], run: () => void): void {
    if (written.some((s) => s instanceof DeviceArray)) {
      throw new Error(`keras-ts webgpu: ${kernel} got a mix of GPU and host arrays to update in place; assign the variables again after selecting the backend`);
    }
    run();
  }
}

/**
 * Acquires a WebGPU adapter and device: the browser's `navigator.gpu`, or in Node the optional
 * `webgpu` package (Dawn). Throws, saying why, where neither gives an adapter.
 */
export async function createWebGpuBackend(options: { powerPreference?: GPUPowerPreference } = {}): Promise<WebGpuBackend> {
  let gpu: GPU | undefined = (globalThis as { navigator?: { gpu?: GPU } }).navigator?.gpu;
  if (gpu === undefined && platform().name === "node") {
    try {
      // A computed name, so that bundlers leave the optional Node package out of browser builds.
      const name = "webgpu";
      const dawn = (await import(name)) as { create(flags: string[]): GPU; globals?: Record<string, unknown> };
      if (dawn.globals !== undefined) Object.assign(globalThis, dawn.globals);
      gpu = dawn.create([]);
    } catch (error) {
      throw new Error(`keras-ts: WebGPU is not available in this Node (install the optional "webgpu" package for Dawn): ${(error as Error).message}`);
    }
  }
  if (gpu === undefined) throw new Error("keras-ts: WebGPU is not available here (no navigator.gpu); use a browser with WebGPU enabled");
  const adapter = await gpu.requestAdapter({ powerPreference: options.powerPreference ?? "high-performance" });
  if (adapter === null) throw new Error("keras-ts: WebGPU has no adapter here (no GPU, or WebGPU disabled)");
  // The largest buffers the adapter allows: a data set or a wide layer can pass the defaults (128 MiB bindings).
  const device = await adapter.requestDevice({
    requiredLimits: {
      maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
      maxBufferSize: adapter.limits.maxBufferSize,
      maxStorageBuffersPerShaderStage: Math.min(adapter.limits.maxStorageBuffersPerShaderStage, 10),
    },
  });
  return new WebGpuBackend(device);
}
