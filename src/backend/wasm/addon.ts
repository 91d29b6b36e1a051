import type { NativeAddon } from "../native/addon.js";
import { allocate, type DType, type TypedArray } from "../dtypes.js";
import { cast as referenceCast, fill as referenceFill } from "../reference/elementwise.js";
import type { WasmInstance } from "./instance.js";

/*
 * The WebAssembly module seen through the native addon's interface (src/backend/native/addon.ts),
 * so that WasmBackend runs NativeBackend's kernel selection unchanged: each function takes and
 * returns typed arrays, returns undefined for arguments it does not take (NativeBackend then runs
 * the reference kernel and counts a fallback), and checks that every read and write stays inside
 * the operands, as native/addon.c and native/addon_ext.c do.
 *
 * A call copies its operands into the module's scratch arena, runs the C kernel and copies the
 * result out into a fresh array (WasmInstance). Flat elementwise kernels, casts to bool, the
 * optimizer updates and normalize go through operands of any size in chunks of CHUNK elements,
 * so a data set never sits in the module's memory whole.
 *
 * Four functions are not compiled code by design, because they only move data, which the typed
 * arrays' own bulk operations do at memory speed while a trip through the module would copy it
 * twice more: fill (TypedArray.fill), cast to a type other than bool (TypedArray.set converts),
 * sliceRange (TypedArray.slice) and gather (row copies; x is often a whole data set, of which a
 * batch takes a few rows). They are the reference kernels' own code.
 */

const DONE = 1;
const BAD_ARGS = -1;
const MODE_PLAN = 3;
/** Elements per chunk of the chunked kernels: 4 MB of float32 per operand. */
const CHUNK = 1 << 20;
const DTYPES: readonly DType[] = ["float32", "int32", "uint8", "bool"];
/** Flags of the sequence kernels (native/addon.c). */
const SEQ_BACKWARDS = 1;
const SEQ_ZERO_OUTPUT = 2;
const SEQ_RETURN_SEQUENCES = 4;
const SEQ_TRAINING = 8;
const F32 = 0;
const I32 = 1;
const BOOL = 3;

/** dtype code of an array's storage (a Uint8Array: uint8). */
function code(x: TypedArray): number {
  return x instanceof Float32Array ? F32 : x instanceof Int32Array ? I32 : 2;
}

function esize(dtypeCode: number): number {
  return dtypeCode <= I32 ? 4 : 1;
}

/** An integer in [0, 2^31): every count the module takes (wasm32 sizes). */
function isCount(v: number): boolean {
  return Number.isInteger(v) && v >= 0 && v < 2 ** 31;
}

function isDtypeCode(d: number): boolean {
  return Number.isInteger(d) && d >= F32 && d <= BOOL;
}

function isF32(a: unknown, n: number): a is Float32Array {
  return a instanceof Float32Array && a.length === n;
}

function isTyped(a: unknown): a is TypedArray {
  return a instanceof Float32Array || a instanceof Int32Array || a instanceof Uint8Array;
}

function indicesBelow(indices: Int32Array, n: number): boolean {
  for (let i = 0; i < indices.length; i++) if (!(indices[i] >= 0 && indices[i] < n)) return false;
  return true;
}

/**
 * A recurrent forward's workspace: the spare one (which a backward kernel consumed, and which the
 * copy out of the module overwrites whole) when it has the size, else a new array, as the addon
 * does (native/addon.c, workspace_output).
 */
function workspaceOutput(spare: Float32Array | undefined, n: number): Float32Array {
  return spare instanceof Float32Array && spare.length === n ? spare : new Float32Array(n);
}

export class WasmAddon implements NativeAddon {
  constructor(private readonly wasm: WasmInstance) {}

  private get e() {
    return this.wasm.exports;
  }

  /** Reserves `bytes` of scratch for one call, or throws (the memory cannot grow that far). */
  private begin(bytes: number): void {
    if (!this.wasm.begin(bytes)) throw new RangeError(`keras-ts wasm: out of memory for ${bytes} bytes of operands`);
  }

  /**
   * A flat kernel over the n elements of `out` in chunks: `ins` are read at [i0, i1) (or whole when
   * `whole[i]`, a scalar operand); `call(inPtrs, outPtr, count)`.
   */
  private chunked(ins: readonly TypedArray[], whole: readonly boolean[], out: TypedArray, call: (inputs: number[], output: number, count: number) => void): void {
    const w = this.wasm;
    const n = out.length;
    for (let i0 = 0; i0 < n; i0 += CHUNK) {
      const i1 = Math.min(n, i0 + CHUNK);
      const parts = ins.map((x, i) => (whole[i] ? x : x.subarray(i0, i1)));
      this.begin(parts.reduce((bytes, p) => bytes + p.byteLength + 64, out.BYTES_PER_ELEMENT * (i1 - i0) + 64));
      const ptrs = parts.map((p) => w.put(p));
      const po = w.reserve(out.BYTES_PER_ELEMENT * (i1 - i0));
      call(ptrs, po, i1 - i0);
      w.read(po, out.subarray(i0, i1));
    }
  }

  binary(op: number, a: TypedArray, b: TypedArray, outDtype: number, n: number, mode: number, plan?: Int32Array): TypedArray | undefined {
    const e = this.e;
    if (!isTyped(a) || !isTyped(b) || !isDtypeCode(outDtype) || !isCount(n)) return undefined;
    const ta = code(a), tb = code(b);
    if (e.kt_w_binary(op, ta, tb, outDtype, 0, 0, 0, 0, 0, 0, 0, 0, 0) !== DONE) return undefined;
    const out = allocate(DTYPES[outDtype], n);
    if (mode !== MODE_PLAN) {
      // Checked first (lengths against n), then run chunk by chunk.
      if (e.kt_w_binary(op, ta, tb, outDtype, 0, a.length, 0, b.length, 0, n, mode, 0, 0) === BAD_ARGS) throw new RangeError(`keras-ts wasm: ${this.wasm.lastError()}`);
      this.chunked([a, b], [mode === 1, mode === 2], out, ([pa, pb], po, count) => {
        e.kt_w_binary(op, ta, tb, outDtype, pa, mode === 1 ? 1 : count, pb, mode === 2 ? 1 : count, po, count, mode, 0, 0);
      });
      return out;
    }
    if (!(plan instanceof Int32Array)) throw new RangeError("keras-ts wasm: binary: bad plan");
    const w = this.wasm;
    this.begin(a.byteLength + b.byteLength + plan.byteLength + out.byteLength + 256);
    const pa = w.put(a), pb = w.put(b), pp = w.put(plan), po = w.reserve(out.byteLength);
    if (e.kt_w_binary(op, ta, tb, outDtype, pa, a.length, pb, b.length, po, n, MODE_PLAN, pp, plan.length) === BAD_ARGS) {
      throw new RangeError(`keras-ts wasm: ${this.wasm.lastError()}`);
    }
    w.read(po, out);
    return out;
  }

  unary(op: number, x: TypedArray, outDtype: number): TypedArray | undefined {
    const e = this.e;
    if (!isTyped(x) || !isDtypeCode(outDtype)) return undefined;
    const tx = code(x);
    if (e.kt_unary(op, tx, outDtype, 0, 0, 0) !== DONE) return undefined;
    const out = allocate(DTYPES[outDtype], x.length);
    this.chunked([x], [false], out, ([px], po, count) => e.kt_unary(op, tx, outDtype, px, po, count));
    return out;
  }

  select(cond: TypedArray, a: TypedArray, b: TypedArray, outDtype: number, n: number, plan: Int32Array): TypedArray | undefined {
    const store = outDtype === BOOL ? 2 : outDtype;
    if (!(cond instanceof Uint8Array) || !isTyped(a) || !isTyped(b) || code(a) !== store || code(b) !== store || !isDtypeCode(outDtype) || !isCount(n)) return undefined;
    if (!(plan instanceof Int32Array)) throw new RangeError("keras-ts wasm: select: bad plan");
    const w = this.wasm;
    const out = allocate(DTYPES[outDtype], n);
    this.begin(cond.byteLength + a.byteLength + b.byteLength + plan.byteLength + out.byteLength + 320);
    const pc = w.put(cond), pa = w.put(a), pb = w.put(b), pp = w.put(plan), po = w.reserve(out.byteLength);
    if (this.e.kt_w_select(outDtype, pc, cond.length, pa, a.length, pb, b.length, po, n, pp, plan.length) === BAD_ARGS) {
      throw new RangeError(`keras-ts wasm: ${this.wasm.lastError()}`);
    }
    w.read(po, out);
    return out;
  }

  matmul(a: TypedArray, b: TypedArray, batch: number, m: number, n: number, k: number, transA: boolean, transB: boolean, aStride: number, bStride: number): TypedArray | undefined {
    const isFloat = a instanceof Float32Array && b instanceof Float32Array;
    if (!isFloat && !(a instanceof Int32Array && b instanceof Int32Array)) return undefined;
    if (![batch, m, n, k, aStride, bStride].every(isCount)) throw new RangeError("keras-ts wasm: matmul: negative or too large size");
    const aLen = batch === 0 ? 0 : (batch - 1) * aStride + m * k;
    const bLen = batch === 0 ? 0 : (batch - 1) * bStride + k * n;
    if (a.length < aLen || b.length < bLen) throw new RangeError("keras-ts wasm: matmul: operand too short");
    const out = isFloat ? new Float32Array(batch * m * n) : new Int32Array(batch * m * n);
    if (out.length === 0 || k === 0) return out;
    const w = this.wasm;
    this.begin(4 * (aLen + bLen) + out.byteLength + 192);
    const pa = w.put(a.subarray(0, aLen)), pb = w.put(b.subarray(0, bLen)), pc = w.reserve(out.byteLength);
    (isFloat ? this.e.kt_sgemm_batched : this.e.kt_igemm_batched)(batch, m, n, k, transA ? 1 : 0, transB ? 1 : 0, pa, aStride, pb, bStride, pc);
    w.read(pc, out);
    return out;
  }

  /** One input, one output of `outLength` elements of dtype `outCode`: `run(px, po)`. */
  private oneToOne(x: TypedArray, outCode: number, outLength: number, run: (px: number, po: number) => void): TypedArray {
    const w = this.wasm;
    const out = allocate(DTYPES[outCode], outLength);
    if (out.length === 0) return out;
    this.begin(x.byteLength + out.byteLength + 128);
    const px = w.put(x), po = w.reserve(out.byteLength);
    run(px, po);
    w.read(po, out);
    return out;
  }

  reduce(op: number, x: TypedArray, outer: number, n: number, inner: number): Float32Array | undefined {
    if (!(x instanceof Float32Array) || !(op >= 0 && op <= 3)) return undefined;
    if (![outer, n, inner].every(isCount) || outer * n * inner > x.length) throw new RangeError("keras-ts wasm: reduce: input too short");
    return this.oneToOne(x.subarray(0, outer * n * inner), F32, outer * inner, (px, po) => this.e.kt_reduce_f32(op, px, po, outer, n, inner)) as Float32Array;
  }

  argReduce(isMax: boolean, x: TypedArray, outer: number, n: number, inner: number): Int32Array | undefined {
    if (!(x instanceof Float32Array)) return undefined;
    if (![outer, n, inner].every(isCount) || outer * n * inner > x.length) throw new RangeError("keras-ts wasm: argReduce: input too short");
    if (n === 0) return new Int32Array(outer * inner);
    return this.oneToOne(x.subarray(0, outer * n * inner), I32, outer * inner, (px, po) => this.e.kt_argreduce_f32(isMax ? 1 : 0, px, po, outer, n, inner)) as Int32Array;
  }

  argReduceInt(isMax: boolean, x: Int32Array | Uint8Array, outer: number, n: number, inner: number): Int32Array | undefined {
    if (!(x instanceof Int32Array || x instanceof Uint8Array) || ![outer, n, inner].every(isCount) || outer * n * inner !== x.length) return undefined;
    if (n === 0) return new Int32Array(outer * inner);
    return this.oneToOne(x, I32, outer * inner, (px, po) => this.e.kt_argreduce_int(isMax ? 1 : 0, px, code(x), po, outer, n, inner)) as Int32Array;
  }

  reduceAny(op: number, x: TypedArray, outer: number, n: number, inner: number, outDtype: number): TypedArray | undefined {
    if (!(op >= 0 && op <= 5) || !isTyped(x) || ![outer, n, inner].every(isCount) || outer * n * inner !== x.length || !isDtypeCode(outDtype)) return undefined;
    return this.oneToOne(x, outDtype, outer * inner, (px, po) => this.e.kt_reduce_any(op, px, code(x), po, outDtype, outer, n, inner));
  }

  softmax(x: Float32Array, rows: number, cols: number, log: boolean): Float32Array | undefined {
    if (!(x instanceof Float32Array)) return undefined;
    if (!isCount(rows) || !isCount(cols) || rows * cols > x.length) throw new RangeError("keras-ts wasm: softmax: input too short");
    // Past rows * cols the output stays 0, as the reference leaves it.
    const out = new Float32Array(x.length);
    const used = rows * cols;
    if (used === 0) return out;
    const w = this.wasm;
    this.begin(8 * used + 128);
    const px = w.put(x.subarray(0, used)), po = w.reserve(4 * used);
    this.e.kt_softmax_f32(px, po, rows, cols, log ? 1 : 0);
    w.read(po, out.subarray(0, used));
    return out;
  }

  transpose2d(x: TypedArray, batch: number, rows: number, cols: number): TypedArray | undefined {
    if (!isTyped(x)) return undefined;
    if (![batch, rows, cols].every(isCount) || batch * rows * cols !== x.length) throw new RangeError("keras-ts wasm: transpose: size mismatch");
    return this.oneToOne(x, code(x), x.length, (px, po) => this.e.kt_transpose2d(px, po, batch, rows, cols, x.BYTES_PER_ELEMENT));
  }

  gather(x: TypedArray, outer: number, n: number, inner: number, indices: Int32Array, into?: TypedArray): TypedArray | undefined {
    if (!isTyped(x) || !(indices instanceof Int32Array)) return undefined;
    if (![outer, n, inner].every(isCount) || outer * n * inner > x.length) throw new RangeError("keras-ts wasm: gather: input too short");
    const m = indices.length;
    if (outer * inner > 0 && !indicesBelow(indices, n)) return undefined;
    const size = outer * m * inner;
    if (into !== undefined && (!isTyped(into) || code(into) !== code(x) || into.length !== size)) return undefined;
    const out = into ?? allocate(DTYPES[code(x)], size);
    if (size === 0) return out;
    for (let o = 0; o < outer; o++)
      for (let j = 0; j < m; j++) {
        const src = (o * n + indices[j]) * inner, dst = (o * m + j) * inner;
        if (inner < 16) for (let i = 0; i < inner; i++) out[dst + i] = x[src + i];
        else out.set(x.subarray(src, src + inner), dst);
      }
    return out;
  }

  sliceRange(x: TypedArray, start: number, count: number): TypedArray | undefined {
    if (!isTyped(x)) return undefined;
    if (!isCount(start) || !isCount(count) || start + count > x.length) throw new RangeError("keras-ts wasm: sliceRange: out of bounds");
    return x.slice(start, start + count);
  }

  cast(x: TypedArray, dtype: number): TypedArray | undefined {
    if (!isTyped(x) || !isDtypeCode(dtype)) return undefined;
    if (dtype !== BOOL) return referenceCast(x, DTYPES[dtype]);
    const out = new Uint8Array(x.length);
    const tx = code(x);
    this.chunked([x], [false], out, ([px], po, count) => this.e.kt_cast(px, tx, po, BOOL, count));
    return out;
  }

  fill(size: number, value: number, dtype: number): TypedArray | undefined {
    if (!isCount(size) || !isDtypeCode(dtype)) return undefined;
    return referenceFill(size, value, DTYPES[dtype]);
  }

  denseForward(x: Float32Array, w: Float32Array, bias: Float32Array | null, m: number, k: number, n: number, act: number): Float32Array | undefined {
    if (![m, k, n].every(isCount) || !(act >= 0 && act <= 3) || !isF32(x, m * k) || !isF32(w, k * n) || !(bias === null || isF32(bias, n))) return undefined;
    const out = new Float32Array(m * n);
    if (out.length === 0) return out;
    const wi = this.wasm;
    this.begin(x.byteLength + w.byteLength + 4 * n + out.byteLength + 256);
    const px = wi.put(x), pw = wi.put(w), pb = bias === null ? 0 : wi.put(bias), po = wi.reserve(out.byteLength);
    this.e.kt_dense_forward(px, pw, pb, po, m, k, n, act);
    wi.read(po, out);
    return out;
  }

  denseBackward(
    dOut: Float32Array, out: Float32Array, x: Float32Array, w: Float32Array, m: number, k: number, n: number, act: number,
    needDX: boolean, needDW: boolean | Float32Array, needDB: boolean | Float32Array,
  ): [Float32Array | null, Float32Array | null, Float32Array | null] | undefined {
    const target = (t: boolean | Float32Array, size: number) => typeof t === "boolean" || isF32(t, size);
    if (
      ![m, k, n].every(isCount) || !(act >= 0 && act <= 3) || !isF32(dOut, m * n) || !isF32(x, m * k) || !isF32(w, k * n) ||
      (act !== 0 && !isF32(out, m * n)) || !target(needDW, k * n) || !target(needDB, n)
    ) {
      return undefined;
    }
    const dX = needDX ? new Float32Array(m * k) : null;
    const dW = needDW instanceof Float32Array ? needDW : needDW ? new Float32Array(k * n) : null;
    const db = needDB instanceof Float32Array ? needDB : needDB ? new Float32Array(n) : null;
    const wi = this.wasm;
    const mn = 4 * m * n;
    this.begin(2 * mn + 4 * m * k + 4 * k * n + (act !== 0 ? mn : 0) + (dX?.byteLength ?? 0) + (dW?.byteLength ?? 0) + (db?.byteLength ?? 0) + 512);
    const pd = wi.put(dOut), po = act !== 0 ? wi.put(out) : 0, px = wi.put(x), pw = wi.put(w);
    const pz = act !== 0 ? wi.reserve(mn) : 0;
    const pdx = dX ? wi.reserve(dX.byteLength) : 0, pdw = dW ? wi.reserve(dW.byteLength) : 0, pdb = db ? wi.reserve(db.byteLength) : 0;
    this.e.kt_dense_backward(pd, po, px, pw, m, k, n, act, pz, pdx, pdw, pdb);
    if (dX) wi.read(pdx, dX);
    if (dW) wi.read(pdw, dW);
    if (db) wi.read(pdb, db);
    return [dX, dW, db];
  }

  softmaxXent(logits: Float32Array, rows: number, cols: number, labels: Int32Array | null, dense: Float32Array | null, rowScale: Float32Array | undefined): Float32Array | undefined {
    if (!isCount(rows) || !isCount(cols) || !isF32(logits, rows * cols) || (labels === null) === (dense === null)) return undefined;
    if (labels !== null && !(labels instanceof Int32Array && labels.length === rows)) return undefined;
    if (dense !== null && !isF32(dense, rows * cols)) return undefined;
    if (rowScale !== undefined && rowScale !== null && !isF32(rowScale, rows)) return undefined;
    const scale = rowScale ?? undefined;
    const out = new Float32Array(scale !== undefined ? rows * cols : rows);
    if (out.length === 0) return out;
    const w = this.wasm;
    this.begin(logits.byteLength + (labels?.byteLength ?? 0) + (dense?.byteLength ?? 0) + (scale?.byteLength ?? 0) + out.byteLength + 320);
    const pz = w.put(logits), pl = labels ? w.put(labels) : 0, pd = dense ? w.put(dense) : 0, ps = scale ? w.put(scale) : 0;
    const po = w.reserve(out.byteLength);
    if (scale !== undefined) this.e.kt_softmax_xent_backward(pz, rows, cols, pl, pd, ps, po);
    else this.e.kt_softmax_xent(pz, rows, cols, pl, pd, po);
    w.read(po, out);
    return out;
  }

  /**
   * An in-place update over `arrays` (the variable, the gradient, then the slots; null slots stay
   * null) in chunks, the variable and the slots copied back; undefined unless all are float32
   * arrays of the variable's length.
   */
  private update(arrays: readonly (Float32Array | null)[], required: number, call: (ptrs: number[], count: number) => void): true | undefined {
    const v = arrays[0];
    if (!(v instanceof Float32Array)) return undefined;
    const size = v.length;
    if (!arrays.every((a, i) => (a === null && i >= required) || isF32(a, size))) return undefined;
    const w = this.wasm;
    for (let i0 = 0; i0 < size; i0 += CHUNK) {
      const i1 = Math.min(size, i0 + CHUNK);
      this.begin(arrays.length * (4 * (i1 - i0) + 64));
      const ptrs = arrays.map((a) => (a === null ? 0 : w.put(a.subarray(i0, i1))));
      call(ptrs, i1 - i0);
      arrays.forEach((a, i) => {
        if (a !== null && i !== 1) w.read(ptrs[i], a.subarray(i0, i1));
      });
    }
    return true;
  }

  sgd(variable: Float32Array, grad: Float32Array, momentum: Float32Array | null, lr: number, mu: number, decay: number, nesterov: boolean): true | undefined {
    return this.update([variable, grad, momentum], 2, ([w, g, m], count) => this.e.kt_sgd(w, g, m, count, lr, mu, decay, nesterov ? 1 : 0));
  }

  rmsprop(
    variable: Float32Array, grad: Float32Array, velocity: Float32Array, momentum: Float32Array | null, averageGradient: Float32Array | null,
    lr: number, rho: number, mu: number, epsilon: number, decay: number,
  ): true | undefined {
    return this.update([variable, grad, velocity, momentum, averageGradient], 3, ([w, g, v, m, a], count) => this.e.kt_rmsprop(w, g, v, m, a, count, lr, rho, mu, epsilon, decay));
  }

  adam(
    variable: Float32Array, grad: Float32Array, momentum: Float32Array, velocity: Float32Array, velocityHat: Float32Array | null,
    alpha: number, beta1: number, beta2: number, epsilon: number, decay: number,
  ): true | undefined {
    return this.update([variable, grad, momentum, velocity, velocityHat], 4, ([w, g, m, v, vh], count) => this.e.kt_adam(w, g, m, v, vh, count, alpha, beta1, beta2, epsilon, decay));
  }

  /** Element counts of a conv geometry (native/geometry.c's layout), or undefined when it is inconsistent. */
  private static convSizes(geom: Int32Array): { x: number; out: number; w: number; cout: number } | undefined {
    if (!(geom instanceof Int32Array) || geom.length !== 23) return undefined;
    for (let i = 0; i < 22; i++) if (geom[i] < 0) return undefined;
    const [batch, cin, cout, groups] = geom;
    if (groups < 1 || cin % groups !== 0 || cout % groups !== 0) return undefined;
    const sizes = {
      x: batch * cin * geom[4] * geom[5] * geom[6],
      out: batch * cout * geom[7] * geom[8] * geom[9],
      w: geom[10] * geom[11] * geom[12] * (cin / groups) * cout,
      cout,
    };
    return isCount(sizes.x) && isCount(sizes.out) && isCount(sizes.w) ? sizes : undefined;
  }

  convForward(x: Float32Array, w: Float32Array, bias: Float32Array | null, geom: Int32Array, act: number): Float32Array | undefined {
    const sz = WasmAddon.convSizes(geom);
    if (sz === undefined || !(act >= 0 && act <= 3) || !isF32(x, sz.x) || !isF32(w, sz.w) || !(bias === null || isF32(bias, sz.cout))) return undefined;
    const out = new Float32Array(sz.out);
    const wi = this.wasm;
    this.begin(x.byteLength + w.byteLength + 4 * sz.cout + geom.byteLength + out.byteLength + 320);
    const px = wi.put(x), pw = wi.put(w), pb = bias === null ? 0 : wi.put(bias), pg = wi.put(geom), po = wi.reserve(out.byteLength);
    if (!this.e.kt_w_conv_forward(px, pw, pb, po, pg, act)) return undefined;
    wi.read(po, out);
    return out;
  }

  convBackward(
    dOut: Float32Array, out: Float32Array | null, x: Float32Array | null, w: Float32Array | null, geom: Int32Array, act: number,
    needDX: boolean, needDW: boolean | Float32Array, needDB: boolean | Float32Array,
  ): [Float32Array | null, Float32Array | null, Float32Array | null] | undefined {
    const sz = WasmAddon.convSizes(geom);
    const target = (t: boolean | Float32Array, size: number) => typeof t === "boolean" || isF32(t, size);
    if (
      sz === undefined || !(act >= 0 && act <= 3) || !isF32(dOut, sz.out) || !(out === null || isF32(out, sz.out)) || !(x === null || isF32(x, sz.x)) ||
      !(w === null || isF32(w, sz.w)) || (act !== 0 && out === null) || !target(needDW, sz.w) || !target(needDB, sz.cout)
    ) {
      return undefined;
    }
    const dW = needDW instanceof Float32Array ? needDW : needDW ? new Float32Array(sz.w) : null;
    const db = needDB instanceof Float32Array ? needDB : needDB ? new Float32Array(sz.cout) : null;
    if ((dW !== null && x === null) || (needDX && w === null)) return undefined;
    const dX = needDX ? new Float32Array(sz.x) : null;
    const wi = this.wasm;
    this.begin(dOut.byteLength + (out?.byteLength ?? 0) + (x?.byteLength ?? 0) + (w?.byteLength ?? 0) + geom.byteLength + (dX?.byteLength ?? 0) + (dW?.byteLength ?? 0) + (db?.byteLength ?? 0) + 640);
    const pd = wi.put(dOut), po = out === null ? 0 : wi.put(out), px = x === null ? 0 : wi.put(x), pw = w === null ? 0 : wi.put(w), pg = wi.put(geom);
    const pdx = dX ? wi.reserve(dX.byteLength) : 0, pdw = dW ? wi.reserve(dW.byteLength) : 0, pdb = db ? wi.reserve(db.byteLength) : 0;
    if (!this.e.kt_w_conv_backward(pd, po, px, pw, pg, act, pdx, pdw, pdb)) return undefined;
    if (dX) wi.read(pdx, dX);
    if (dW) wi.read(pdw, dW);
    if (db) wi.read(pdb, db);
    return [dX, dW, db];
  }

  pool(mode: number, a: Float32Array, x: Float32Array | null, geom: Int32Array): Float32Array | undefined {
    if (!(mode >= 0 && mode <= 3) || !(geom instanceof Int32Array) || geom.length !== 18) return undefined;
    for (let i = 0; i < 17; i++) if (geom[i] < 0) return undefined;
    const xs = geom[0] * geom[1] * geom[2] * geom[3] * geom[4], os = geom[0] * geom[1] * geom[5] * geom[6] * geom[7];
    const backward = mode === 1 || mode === 3;
    if (!isCount(xs) || !isCount(os) || !isF32(a, backward ? os : xs) || (mode === 1 && !isF32(x, xs))) return undefined;
    const out = new Float32Array(backward ? xs : os);
    const wi = this.wasm;
    this.begin(a.byteLength + (mode === 1 ? 4 * xs : 0) + geom.byteLength + out.byteLength + 256);
    const pa = wi.put(a), px = mode === 1 ? wi.put(x!) : 0, pg = wi.put(geom), po = wi.reserve(out.byteLength);
    if (!this.e.kt_w_pool(mode, pa, px, po, pg)) return undefined;
    wi.read(po, out);
    return out;
  }

  bnTraining(x: Float32Array, gamma: Float32Array | null, beta: Float32Array | null, outer: number, channels: number, inner: number, epsilon: number): [Float32Array, Float32Array, Float32Array] | undefined {
    const n = outer * channels * inner;
    if (![outer, channels, inner, n].every(isCount) || !(epsilon >= 0) || !isF32(x, n) || !(gamma === null || isF32(gamma, channels)) || !(beta === null || isF32(beta, channels))) return undefined;
    const out = new Float32Array(n), mean = new Float32Array(channels), variance = new Float32Array(channels);
    const wi = this.wasm;
    this.begin(2 * x.byteLength + 16 * channels + 384);
    const px = wi.put(x), pg = gamma === null ? 0 : wi.put(gamma), pb = beta === null ? 0 : wi.put(beta);
    const po = wi.reserve(out.byteLength), pm = wi.reserve(4 * channels), pv = wi.reserve(4 * channels);
    this.e.kt_bn_training(px, pg, pb, po, pm, pv, outer, channels, inner, epsilon);
    wi.read(po, out);
    wi.read(pm, mean);
    wi.read(pv, variance);
    return [out, mean, variance];
  }

  bnInference(
    x: Float32Array, mean: Float32Array, variance: Float32Array, gamma: Float32Array | null, beta: Float32Array | null, outer: number, channels: number, inner: number, epsilon: number,
  ): Float32Array | undefined {
    const n = outer * channels * inner;
    if (
      ![outer, channels, inner, n].every(isCount) || !(epsilon >= 0) || !isF32(x, n) || !isF32(mean, channels) || !isF32(variance, channels) ||
      !(gamma === null || isF32(gamma, channels)) || !(beta === null || isF32(beta, channels))
    ) {
      return undefined;
    }
    const out = new Float32Array(n);
    const wi = this.wasm;
    this.begin(2 * x.byteLength + 16 * channels + 384);
    const px = wi.put(x), pm = wi.put(mean), pv = wi.put(variance), pg = gamma === null ? 0 : wi.put(gamma), pb = beta === null ? 0 : wi.put(beta);
    const po = wi.reserve(out.byteLength);
    this.e.kt_bn_inference(px, pm, pv, pg, pb, po, outer, channels, inner, epsilon);
    wi.read(po, out);
    return out;
  }

  bnTrainingBackward(
    dOut: Float32Array, x: Float32Array, mean: Float32Array, variance: Float32Array, gamma: Float32Array | null, outer: number, channels: number, inner: number, epsilon: number,
    needDX: boolean, needDGamma: boolean | Float32Array, needDBeta: boolean | Float32Array,
  ): [Float32Array | null, Float32Array | null, Float32Array | null] | undefined {
    const n = outer * channels * inner;
    const target = (t: boolean | Float32Array) => typeof t === "boolean" || isF32(t, channels);
    if (
      ![outer, channels, inner, n].every(isCount) || !(epsilon >= 0) || !isF32(dOut, n) || !isF32(x, n) || !isF32(mean, channels) || !isF32(variance, channels) ||
      !(gamma === null || isF32(gamma, channels)) || !target(needDGamma) || !target(needDBeta)
    ) {
      return undefined;
    }
    const dX = needDX ? new Float32Array(n) : null;
    const dGamma = needDGamma instanceof Float32Array ? needDGamma : needDGamma ? new Float32Array(channels) : null;
    const dBeta = needDBeta instanceof Float32Array ? needDBeta : needDBeta ? new Float32Array(channels) : null;
    const wi = this.wasm;
    this.begin(3 * x.byteLength + 20 * channels + 512);
    const pd = wi.put(dOut), px = wi.put(x), pm = wi.put(mean), pv = wi.put(variance), pg = gamma === null ? 0 : wi.put(gamma);
    const pdx = dX ? wi.reserve(dX.byteLength) : 0, pdg = dGamma ? wi.reserve(4 * channels) : 0, pdb = dBeta ? wi.reserve(4 * channels) : 0;
    this.e.kt_bn_training_backward(pd, px, pm, pv, pg, outer, channels, inner, epsilon, pdx, pdg, pdb);
    if (dX) wi.read(pdx, dX);
    if (dGamma) wi.read(pdg, dGamma);
    if (dBeta) wi.read(pdb, dBeta);
    return [dX, dGamma, dBeta];
  }

  /** Reserves room for the arrays (null: none), copying in those that are given; addresses in order, 0 for null. */
  private putAll(arrays: readonly (TypedArray | null)[], extra: readonly number[]): { ins: number[]; outs: number[] } {
    const w = this.wasm;
    this.begin(arrays.reduce((n, a) => n + (a?.byteLength ?? 0) + 64, 0) + extra.reduce((n, b) => n + b + 64, 0) + 64);
    return { ins: arrays.map((a) => (a === null ? 0 : w.put(a))), outs: extra.map((b) => w.reserve(b)) };
  }

  lstmForward(
    x: Float32Array, h0: Float32Array, c0: Float32Array, recurrentKernel: Float32Array, mask: Uint8Array | null, batch: number, timesteps: number, units: number, flags: number,
    spareWorkspace?: Float32Array,
  ): [Float32Array | null, Float32Array, Float32Array, Float32Array | null] | undefined {
    const [B, T, U] = [batch, timesteps, units];
    if (![B, T, U, B * T * 7 * U].every(isCount) || !isF32(x, B * T * 4 * U) || !isF32(h0, B * U) || !isF32(c0, B * U) || !isF32(recurrentKernel, U * 4 * U)) return undefined;
    if (mask !== null && !(mask instanceof Uint8Array && mask.length === B * T)) return undefined;
    const out = flags & SEQ_RETURN_SEQUENCES ? new Float32Array(B * T * U) : null;
    const h = new Float32Array(B * U), c = new Float32Array(B * U);
    const ws = flags & SEQ_TRAINING ? workspaceOutput(spareWorkspace, B * T * 7 * U) : null;
    const { ins: [px, ph0, pc0, pr, pm], outs: [po, ph, pc, pw] } = this.putAll([x, h0, c0, recurrentKernel, mask], [out?.byteLength ?? 0, h.byteLength, c.byteLength, ws?.byteLength ?? 0]);
    this.e.kt_lstm_forward(px, ph0, pc0, pr, pm, B, T, U, flags & SEQ_BACKWARDS, flags & SEQ_ZERO_OUTPUT ? 1 : 0, out ? po : 0, ph, pc, ws ? pw : 0);
    const w = this.wasm;
    if (out) w.read(po, out);
    w.read(ph, h);
    w.read(pc, c);
    if (ws) w.read(pw, ws);
    return [out, h, c, ws];
  }

  lstmBackward(
    dOutputs: Float32Array | null, dH: Float32Array | null, dC: Float32Array | null, recurrentKernel: Float32Array, mask: Uint8Array | null, workspace: Float32Array,
    batch: number, timesteps: number, units: number, flags: number, needDRecurrentKernel: boolean | Float32Array,
  ): [Float32Array, Float32Array, Float32Array, Float32Array | null] | undefined {
    const [B, T, U] = [batch, timesteps, units];
    if (
      ![B, T, U, B * T * 7 * U].every(isCount) || !(dOutputs === null || isF32(dOutputs, B * T * U)) || !(dH === null || isF32(dH, B * U)) || !(dC === null || isF32(dC, B * U)) ||
      !isF32(recurrentKernel, U * 4 * U) || !isF32(workspace, B * T * 7 * U) || !(typeof needDRecurrentKernel === "boolean" || isF32(needDRecurrentKernel, U * 4 * U))
    ) {
      return undefined;
    }
    if (mask !== null && !(mask instanceof Uint8Array && mask.length === B * T)) return undefined;
    const dx = new Float32Array(B * T * 4 * U);
    // dH and dC go in as the gradients of the final states and come out as those of the initial ones.
    const dh = dH === null ? new Float32Array(B * U) : dH.slice(), dc = dC === null ? new Float32Array(B * U) : dC.slice();
    const dR = needDRecurrentKernel instanceof Float32Array ? needDRecurrentKernel : needDRecurrentKernel ? new Float32Array(U * 4 * U) : null;
    const { ins: [pd, pr, pm, pw, ph, pc], outs: [px, pR] } = this.putAll([dOutputs, recurrentKernel, mask, workspace, dh, dc], [dx.byteLength, dR?.byteLength ?? 0]);
    if (!this.e.kt_lstm_backward(pd, pr, pm, pw, B, T, U, flags & SEQ_BACKWARDS, flags & SEQ_ZERO_OUTPUT ? 1 : 0, px, ph, pc, dR ? pR : 0)) return undefined;
    const w = this.wasm;
    w.read(px, dx);
    w.read(ph, dh);
    w.read(pc, dc);
    if (dR) w.read(pR, dR);
    return [dx, dh, dc, dR];
  }

  gruForward(
    x: Float32Array, h0: Float32Array, recurrentKernel: Float32Array, recurrentBias: Float32Array | null, mask: Uint8Array | null, batch: number, timesteps: number, units: number, flags: number,
    spareWorkspace?: Float32Array,
  ): [Float32Array | null, Float32Array, Float32Array | null] | undefined {
    const [B, T, U] = [batch, timesteps, units];
    if (
      ![B, T, U, B * T * 5 * U].every(isCount) || !isF32(x, B * T * 3 * U) || !isF32(h0, B * U) || !isF32(recurrentKernel, U * 3 * U) ||
      !(recurrentBias === null || isF32(recurrentBias, 3 * U))
    ) {
      return undefined;
    }
    if (mask !== null && !(mask instanceof Uint8Array && mask.length === B * T)) return undefined;
    const out = flags & SEQ_RETURN_SEQUENCES ? new Float32Array(B * T * U) : null;
    const h = new Float32Array(B * U);
    const ws = flags & SEQ_TRAINING ? workspaceOutput(spareWorkspace, B * T * 5 * U) : null;
    const { ins: [px, ph0, pr, pb, pm], outs: [po, ph, pw] } = this.putAll([x, h0, recurrentKernel, recurrentBias, mask], [out?.byteLength ?? 0, h.byteLength, ws?.byteLength ?? 0]);
    if (!this.e.kt_gru_forward(px, ph0, pr, pb, pm, B, T, U, flags & SEQ_BACKWARDS, flags & SEQ_ZERO_OUTPUT ? 1 : 0, out ? po : 0, ph, ws ? pw : 0)) return undefined;
    const w = this.wasm;
    if (out) w.read(po, out);
    w.read(ph, h);
    if (ws) w.read(pw, ws);
    return [out, h, ws];
  }

  gruBackward(
    dOutputs: Float32Array | null, dH: Float32Array | null, recurrentKernel: Float32Array, hasRecurrentBias: boolean, mask: Uint8Array | null, workspace: Float32Array,
    batch: number, timesteps: number, units: number, flags: number, needDRecurrentKernel: boolean | Float32Array, needDRecurrentBias: boolean | Float32Array,
  ): [Float32Array, Float32Array, Float32Array | null, Float32Array | null] | undefined {
    const [B, T, U] = [batch, timesteps, units];
    const target = (t: boolean | Float32Array, size: number) => typeof t === "boolean" || isF32(t, size);
    if (
      ![B, T, U, B * T * 5 * U].every(isCount) || !(dOutputs === null || isF32(dOutputs, B * T * U)) || !(dH === null || isF32(dH, B * U)) ||
      !isF32(recurrentKernel, U * 3 * U) || !isF32(workspace, B * T * 5 * U) || !target(needDRecurrentKernel, U * 3 * U) || (hasRecurrentBias && !target(needDRecurrentBias, 3 * U))
    ) {
      return undefined;
    }
    if (mask !== null && !(mask instanceof Uint8Array && mask.length === B * T)) return undefined;
    const dx = new Float32Array(B * T * 3 * U);
    const dh = dH === null ? new Float32Array(B * U) : dH.slice();
    const dR = needDRecurrentKernel instanceof Float32Array ? needDRecurrentKernel : needDRecurrentKernel ? new Float32Array(U * 3 * U) : null;
    const dB = !hasRecurrentBias ? null : needDRecurrentBias instanceof Float32Array ? needDRecurrentBias : needDRecurrentBias ? new Float32Array(3 * U) : null;
    const { ins: [pd, pr, pm, pw, ph], outs: [px, pR, pB] } = this.putAll([dOutputs, recurrentKernel, mask, workspace, dh], [dx.byteLength, dR?.byteLength ?? 0, dB?.byteLength ?? 0]);
    if (!this.e.kt_gru_backward(pd, pr, pm, pw, B, T, U, flags & SEQ_BACKWARDS, flags & SEQ_ZERO_OUTPUT ? 1 : 0, px, ph, dR ? pR : 0, dB ? pB : 0)) return undefined;
    const w = this.wasm;
    w.read(px, dx);
    w.read(ph, dh);
    if (dR) w.read(pR, dR);
    if (dB) w.read(pB, dB);
    return [dx, dh, dR, dB];
  }

  /** Attention dims [B, Tq, Tk, N, D, Dv] and the mask's shape checked as native/addon.c checks them; the mask shape to pass (1s without a mask). */
  private static attentionMaskShape(dims: Int32Array, mask: Uint8Array | null, maskShape: Int32Array | null): Int32Array | undefined {
    if (!(dims instanceof Int32Array) || dims.length !== 6 || dims.some((d) => d < 0)) return undefined;
    if (mask === null) return Int32Array.of(1, 1, 1, 1);
    if (!(mask instanceof Uint8Array) || !(maskShape instanceof Int32Array) || maskShape.length !== 4) return undefined;
    const full = [dims[0], dims[3], dims[1], dims[2]];
    let n = 1;
    for (let i = 0; i < 4; i++) {
      if (maskShape[i] !== 1 && maskShape[i] !== full[i]) return undefined;
      n *= maskShape[i];
    }
    return mask.length === n ? maskShape : undefined;
  }

  attentionForward(q: Float32Array, k: Float32Array, v: Float32Array, mask: Uint8Array | null, maskShape: Int32Array | null, dims: Int32Array, scale: number, causal: boolean):
    [Float32Array, Float32Array] | undefined {
    const shape = WasmAddon.attentionMaskShape(dims, mask, maskShape);
    if (shape === undefined) return undefined;
    const [B, Tq, Tk, N, D, Dv] = dims;
    if (![B * Tq * N * Dv, B * N * Tq * Tk].every(isCount) || !isF32(q, B * Tq * N * D) || !isF32(k, B * Tk * N * D) || !isF32(v, B * Tk * N * Dv)) return undefined;
    const out = new Float32Array(B * Tq * N * Dv), probs = new Float32Array(B * N * Tq * Tk);
    const { ins: [pq, pk, pv, pm, ps, pd], outs: [po, pp] } = this.putAll([q, k, v, mask, shape, dims], [out.byteLength, probs.byteLength]);
    // Outputs with no element to compute stay zero, as the addon leaves them.
    this.wasm.zero(po, out.byteLength);
    this.e.kt_attention_forward(pq, pk, pv, pm, ps, pd, scale, causal ? 1 : 0, po, pp);
    this.wasm.read(po, out);
    this.wasm.read(pp, probs);
    return [out, probs];
  }

  attentionBackward(
    dOut: Float32Array, q: Float32Array, k: Float32Array, v: Float32Array, mask: Uint8Array | null, maskShape: Int32Array | null, probabilities: Float32Array,
    dims: Int32Array, scale: number, causal: boolean,
  ): [Float32Array, Float32Array, Float32Array] | undefined {
    const shape = WasmAddon.attentionMaskShape(dims, mask, maskShape);
    if (shape === undefined) return undefined;
    const [B, Tq, Tk, N, D, Dv] = dims;
    if (
      ![B * Tq * N * D, B * Tk * N * D, B * Tk * N * Dv].every(isCount) || !isF32(dOut, B * Tq * N * Dv) || !isF32(q, B * Tq * N * D) || !isF32(k, B * Tk * N * D) ||
      !isF32(v, B * Tk * N * Dv) || !isF32(probabilities, B * N * Tq * Tk)
    ) {
      return undefined;
    }
    const dq = new Float32Array(B * Tq * N * D), dk = new Float32Array(B * Tk * N * D), dv = new Float32Array(B * Tk * N * Dv);
    const { ins: [pdo, pq, pk, pv, pm, ps, pp, pd], outs: [pdq, pdk, pdv] } = this.putAll([dOut, q, k, v, mask, shape, probabilities, dims], [dq.byteLength, dk.byteLength, dv.byteLength]);
    const w = this.wasm;
    w.zero(pdq, dq.byteLength);
    w.zero(pdk, dk.byteLength);
    w.zero(pdv, dv.byteLength);
    this.e.kt_attention_backward(pdo, pq, pk, pv, pm, ps, pp, pd, scale, causal ? 1 : 0, pdq, pdk, pdv);
    w.read(pdq, dq);
    w.read(pdk, dk);
    w.read(pdv, dv);
    return [dq, dk, dv];
  }

  countArgmaxMatches(pred: Float32Array, rows: number, cols: number, labels: TypedArray | null, oneHot: TypedArray | null): number | undefined {
    if (!isCount(rows) || !isCount(cols) || !isF32(pred, rows * cols) || (labels === null) === (oneHot === null)) return undefined;
    if (labels !== null && !(isTyped(labels) && labels.length === rows)) return undefined;
    if (oneHot !== null && !(isTyped(oneHot) && oneHot.length === rows * cols)) return undefined;
    const target = (labels ?? oneHot)!;
    const w = this.wasm;
    this.begin(pred.byteLength + target.byteLength + 128);
    const pp = w.put(pred), pt = w.put(target);
    return labels !== null ? this.e.kt_count_argmax_matches(pp, rows, cols, pt, code(target), 0, 0) : this.e.kt_count_argmax_matches(pp, rows, cols, 0, 0, pt, code(target));
  }

  normalize(x: TypedArray, plan: Int32Array, kind: number, epsilonMode: number, p: number, q: number, bound: number): Float32Array | undefined {
    if (!isTyped(x) || !(plan instanceof Int32Array) || plan.length < 2 || !(kind >= 0 && kind <= 3)) return undefined;
    const blocks = plan[0], rank = plan[1];
    if (blocks < 0 || rank < 0 || rank > 32 || plan.length !== 2 + 2 * rank + 3) return undefined;
    const dims = plan.subarray(2, 2 + rank), strides = plan.subarray(2 + rank, 2 + 2 * rank);
    const inner = plan[2 + 2 * rank], kept = plan[3 + 2 * rank] !== 0, slices = plan[4 + 2 * rank];
    if (inner < 1 || slices < 1) return undefined;
    // The highest slice index the odometer reaches must be a slice.
    let reach = kept ? inner - 1 : 0, steps = 1;
    for (let d = 0; d < rank; d++) {
      if (dims[d] < 1 || strides[d] < 0) return undefined;
      steps *= dims[d];
      reach += (dims[d] - 1) * strides[d];
      if (reach >= slices) return undefined;
    }
    const blockSize = steps * inner;
    if (blocks * blockSize !== x.length) return undefined;
    const out = new Float32Array(x.length);
    if (out.length === 0) return out;
    // Whole blocks per chunk, as many as fit in CHUNK elements.
    const perChunk = Math.max(1, Math.floor(CHUNK / blockSize));
    const meta = Int32Array.from([...dims, ...strides]);
    const w = this.wasm;
    for (let b0 = 0; b0 < blocks; b0 += perChunk) {
      const b1 = Math.min(blocks, b0 + perChunk);
      const part = x.subarray(b0 * blockSize, b1 * blockSize);
      this.begin(part.byteLength + 4 * part.length + meta.byteLength + 192);
      const px = w.put(part), pm = w.put(meta), po = w.reserve(4 * part.length);
      if (!this.e.kt_normalize(px, code(x), po, b1 - b0, rank, pm, pm + 4 * rank, inner, kept ? 1 : 0, slices, kind, epsilonMode !== 0 ? 1 : 0, p, q, bound)) return undefined;
      w.read(po, out.subarray(b0 * blockSize, b1 * blockSize));
    }
    return out;
  }

  /** [rank, ...lists] of `count` lists of `rank` int32 values, or undefined. */
  private static planLists(plan: Int32Array, count: number): { rank: number; lists: Int32Array[] } | undefined {
    if (!(plan instanceof Int32Array) || plan.length < 1) return undefined;
    const rank = plan[0];
    if (rank < 0 || rank > 32 || plan.length !== 1 + count * rank) return undefined;
    return { rank, lists: Array.from({ length: count }, (_, l) => plan.subarray(1 + l * rank, 1 + (l + 1) * rank)) };
  }

  copyStrided(x: TypedArray, offset: number, plan: Int32Array): TypedArray | undefined {
    const parsed = WasmAddon.planLists(plan, 2);
    if (!isTyped(x) || !Number.isInteger(offset) || offset < 0 || parsed === undefined) return undefined;
    const { rank, lists: [dims, strides] } = parsed;
    let size = 1, lo = offset, hi = offset;
    for (let d = 0; d < rank; d++) {
      if (dims[d] < 0) return undefined;
      size *= dims[d];
      const span = (dims[d] - 1) * strides[d];
      if (span < 0) lo += span;
      else hi += span;
    }
    const out = allocate(DTYPES[code(x)], size);
    if (size === 0) return out;
    // Only the part of x the box reaches goes into the module.
    if (lo < 0 || hi >= x.length || !isCount(size)) return undefined;
    const w = this.wasm;
    const part = x.subarray(lo, hi + 1);
    const dst = new Int32Array(rank);
    for (let d = rank - 1, s = 1; d >= 0; d--) {
      dst[d] = s;
      s *= dims[d];
    }
    this.begin(part.byteLength + out.byteLength + 12 * rank + 256);
    const px = w.put(part), pd = w.put(dims), ps = w.put(strides), pt = w.put(dst), po = w.reserve(out.byteLength);
    this.e.kt_copy_strided(px, offset - lo, ps, po, 0, pt, pd, rank, x.BYTES_PER_ELEMENT);
    w.read(po, out);
    return out;
  }

  pad(x: TypedArray, plan: Int32Array, value: number): TypedArray | undefined {
    const parsed = WasmAddon.planLists(plan, 3);
    if (!isTyped(x) || parsed === undefined || typeof value !== "number") return undefined;
    const { rank, lists: [shape, before, after] } = parsed;
    const outDims = new Int32Array(rank), src = new Int32Array(rank), dst = new Int32Array(rank);
    let size = 1, inSize = 1, offset = 0;
    for (let d = 0; d < rank; d++) {
      if (shape[d] < 0 || before[d] < 0 || after[d] < 0) return undefined;
      outDims[d] = shape[d] + before[d] + after[d];
      size *= outDims[d];
      inSize *= shape[d];
    }
    if (inSize !== x.length || !isCount(size)) return undefined;
    for (let d = rank - 1, s = 1, t = 1; d >= 0; d--) {
      src[d] = s;
      dst[d] = t;
      offset += before[d] * t;
      s *= shape[d];
      t *= outDims[d];
    }
    const tx = code(x);
    const out = allocate(DTYPES[tx], size);
    if (size === 0) return out;
    const w = this.wasm;
    this.begin(x.byteLength + out.byteLength + 12 * rank + 256);
    const px = w.put(x), pd = w.put(shape), ps = w.put(src), pt = w.put(dst), po = w.reserve(out.byteLength);
    this.e.kt_fill(po, tx, size, value);
    if (inSize > 0) this.e.kt_copy_strided(px, 0, ps, po, offset, pt, pd, rank, x.BYTES_PER_ELEMENT);
    w.read(po, out);
    return out;
  }

  concat(xs: readonly TypedArray[], widths: Int32Array, outer: number, outDtype: number): TypedArray | undefined {
    if (!Array.isArray(xs) || !(widths instanceof Int32Array) || widths.length !== xs.length || !isCount(outer) || !isDtypeCode(outDtype)) return undefined;
    const store = outDtype === BOOL ? 2 : outDtype;
    let row = 0, bytes = 0;
    for (let k = 0; k < xs.length; k++) {
      const x = xs[k];
      if (!isTyped(x) || code(x) !== store || widths[k] < 0 || outer * widths[k] !== x.length) return undefined;
      row += widths[k];
      bytes += x.byteLength + 64;
    }
    const out = allocate(DTYPES[outDtype], outer * row);
    if (out.length === 0) return out;
    const w = this.wasm;
    this.begin(bytes + out.byteLength + 8 * xs.length + 192);
    const ptrs = Int32Array.from(xs, (x) => w.put(x));
    const pp = w.put(ptrs), pw = w.put(widths), po = w.reserve(out.byteLength);
    this.e.kt_concat(pp, pw, xs.length, outer, po, esize(store));
    w.read(po, out);
    return out;
  }

  cumulative(isProd: boolean, x: TypedArray, outer: number, n: number, inner: number, outDtype: number): TypedArray | undefined {
    if (!isTyped(x) || ![outer, n, inner].every(isCount) || outer * n * inner !== x.length || !isDtypeCode(outDtype)) return undefined;
    return this.oneToOne(x, outDtype, x.length, (px, po) => this.e.kt_cumulative(isProd ? 1 : 0, px, code(x), po, outDtype, outer, n, inner));
  }

  scatterAdd(updates: TypedArray, indices: Int32Array, outer: number, n: number, inner: number): TypedArray | undefined {
    if (!isTyped(updates) || !(indices instanceof Int32Array) || ![outer, n, inner].every(isCount) || outer * indices.length * inner !== updates.length) return undefined;
    if (outer * inner > 0 && !indicesBelow(indices, n)) return undefined;
    const out = allocate(DTYPES[code(updates)], outer * n * inner);
    if (updates.length === 0 || out.length === 0) return out;
    const w = this.wasm;
    this.begin(updates.byteLength + indices.byteLength + out.byteLength + 192);
    const pu = w.put(updates), pi = w.put(indices), po = w.reserve(out.byteLength);
    w.zero(po, out.byteLength);
    this.e.kt_scatter_add(pu, code(updates), pi, indices.length, po, outer, n, inner);
    w.read(po, out);
    return out;
  }

  gatherAlongAxis(x: TypedArray, indices: Int32Array, outer: number, n: number, m: number, inner: number): TypedArray | undefined {
    if (!isTyped(x) || !(indices instanceof Int32Array) || ![outer, n, m, inner].every(isCount) || outer * n * inner !== x.length || outer * m * inner !== indices.length) return undefined;
    if (!indicesBelow(indices, n)) return undefined;
    const out = allocate(DTYPES[code(x)], indices.length);
    if (out.length === 0) return out;
    const w = this.wasm;
    this.begin(x.byteLength + indices.byteLength + out.byteLength + 192);
    const px = w.put(x), pi = w.put(indices), po = w.reserve(out.byteLength);
    this.e.kt_gather_along_axis(px, x.BYTES_PER_ELEMENT, pi, po, outer, n, m, inner);
    w.read(po, out);
    return out;
  }

  scatterAddAlongAxis(updates: TypedArray, indices: Int32Array, outer: number, n: number, m: number, inner: number): TypedArray | undefined {
    if (!isTyped(updates) || !(indices instanceof Int32Array) || ![outer, n, m, inner].every(isCount) || outer * m * inner !== updates.length || indices.length !== updates.length) return undefined;
    if (!indicesBelow(indices, n)) return undefined;
    const out = allocate(DTYPES[code(updates)], outer * n * inner);
    if (updates.length === 0 || out.length === 0) return out;
    const w = this.wasm;
    this.begin(updates.byteLength + indices.byteLength + out.byteLength + 192);
    const pu = w.put(updates), pi = w.put(indices), po = w.reserve(out.byteLength);
    w.zero(po, out.byteLength);
    this.e.kt_scatter_add_along_axis(pu, code(updates), pi, po, outer, n, m, inner);
    w.read(po, out);
    return out;
  }

  info(): { isa: string; threads: number } {
    return { isa: "simd128", threads: this.wasm.threads() };
  }

  setNumThreads(n: number): void {
    this.wasm.setThreads(n);
  }

  /** One SIMD level: SIMD128. */
  setIsa(): void {}
}
