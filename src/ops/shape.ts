import { getBackend } from "../backend/backend.js";
import { makeTensor, Tensor } from "../backend/tensor.js";
import { resultType } from "../backend/dtypes.js";
import { broadcastShapes, formatShape, shapesEqual, sizeOf } from "../backend/shape.js";
import { isRecording, record } from "../autodiff/tape.js";
import { cast, toTensor, type TensorLike } from "./core.js";
import { normalizeAxes, normalizeAxis, unbroadcast } from "./helpers.js";

/* Shape and indexing ops. Gradients use the adjoint kernels: slice <-> pad, gather <-> scatterAdd. */

function isIntList(value: unknown): value is number[] {
  return Array.isArray(value) && value.every((v) => typeof v === "number" && Number.isInteger(v));
}

/** Same elements in a new shape; one entry may be -1 and is inferred. Shares storage. */
export function reshape(x: TensorLike, newShape: readonly number[]): Tensor {
  const t = toTensor(x, "reshape");
  if (!Array.isArray(newShape)) throw new TypeError(`reshape: new shape must be an array of integers, got ${String(newShape)}`);
  const shape = [...newShape];
  const unknown = shape.indexOf(-1);
  if (shape.some((d, i) => !Number.isInteger(d) || d < -1 || (d === -1 && i !== unknown))) {
    throw new RangeError(`reshape: invalid target shape ${formatShape(shape)}: entries must be non-negative integers, with at most one -1`);
  }
  if (unknown >= 0) {
    const known = sizeOf(shape.filter((d) => d !== -1));
    if (known === 0 || t.size % known !== 0) {
      throw new Error(`reshape: cannot reshape tensor of shape ${formatShape(t.shape)} (${t.size} elements) into shape ${formatShape(newShape)}`);
    }
    shape[unknown] = t.size / known;
  }
  if (sizeOf(shape) !== t.size) {
    throw new Error(`reshape: cannot reshape tensor of shape ${formatShape(t.shape)} (${t.size} elements) into shape ${formatShape(newShape)} (${sizeOf(shape)} elements)`);
  }
  if (shapesEqual(shape, t.shape)) return t;
  const out = t.sharedView(shape);
  if (isRecording()) record([t], out, (g) => [reshape(g, t.shape)]);
  return out;
}

/** Broadcasts to `shape` with NumPy rules (new axes on the left, size-1 axes stretched). */
export function broadcastTo(x: TensorLike, shape: readonly number[]): Tensor {
  const t = toTensor(x, "broadcastTo");
  const target = broadcastShapes(t.shape, shape, "broadcastTo");
  if (!shapesEqual(target, shape)) {
    throw new Error(`broadcastTo: cannot broadcast a tensor of shape ${formatShape(t.shape)} to shape ${formatShape(shape)}`);
  }
  if (shapesEqual(t.shape, shape)) return t;
  const out = makeTensor(getBackend().broadcastTo(t.storage, t.shape, shape), shape, t.dtype);
  if (isRecording()) record([t], out, (g) => [unbroadcast(g, t.shape)]);
  return out;
}

/** Permutes axes; reverses them when `axes` is omitted. */
export function transpose(x: TensorLike, axes?: readonly number[] | null): Tensor {
  const t = toTensor(x, "transpose");
  const perm = axes === undefined || axes === null ? t.shape.map((_, i) => t.rank - 1 - i) : axes.map((a) => (a < 0 ? a + t.rank : a));
  const valid = perm.length === t.rank && perm.every((p) => Number.isInteger(p) && p >= 0 && p < t.rank) && new Set(perm).size === t.rank;
  if (!valid) throw new Error(`transpose: axes ${JSON.stringify(axes)} are not a permutation of the ${t.rank} axes of a tensor of shape ${formatShape(t.shape)}`);
  if (perm.every((p, i) => p === i)) return t;
  const outShape = perm.map((p) => t.shape[p]);
  const out = makeTensor(getBackend().transpose(t.storage, t.shape, perm), outShape, t.dtype);
  if (isRecording()) {
    const inverse = new Array<number>(perm.length);
    perm.forEach((p, i) => (inverse[p] = i));
    record([t], out, (g) => [transpose(g, inverse)]);
  }
  return out;
}

/** Inserts size-1 axes at `axis` (one or several positions in the result; negative counts from the end). */
export function expandDims(x: TensorLike, axis: number | readonly number[]): Tensor {
  const t = toTensor(x, "expandDims");
  const list = typeof axis === "number" ? [axis] : Array.isArray(axis) ? [...axis] : null;
  if (list === null) throw new TypeError(`expandDims: axis must be an integer or an array of integers, got ${JSON.stringify(axis)}`);
  const outRank = t.rank + list.length;
  const positions = new Set(list.map((a) => normalizeAxis(a, outRank, "expandDims")));
  if (positions.size !== list.length) throw new Error(`expandDims: repeated axis in ${JSON.stringify(list)}`);
  const shape: number[] = [];
  let next = 0;
  for (let i = 0; i < outRank; i++) shape.push(positions.has(i) ? 1 : t.shape[next++]);
  return reshape(t, shape);
}

/** Removes size-1 axes: all of them, or those in `axis` (an error if one of those is not of size 1). */
export function squeeze(x: TensorLike, axis?: number | readonly number[] | null): Tensor {
  const t = toTensor(x, "squeeze");
  if (axis === undefined || axis === null) return reshape(t, t.shape.filter((d) => d !== 1));
  const axes = normalizeAxes(axis, t.rank, "squeeze");
  for (const a of axes) {
    if (t.shape[a] !== 1) {
      throw new Error(`squeeze: cannot squeeze axis ${a} of a tensor of shape ${formatShape(t.shape)}: its size is ${t.shape[a]}, not 1`);
    }
  }
  return reshape(t, t.shape.filter((_, i) => !axes.includes(i)));
}

/** A box of `shape` starting at `startIndices` (Keras's `ops.slice`); a -1 in `shape` runs to the end. */
export function slice(x: TensorLike, startIndices: readonly number[] | Tensor, shape: readonly number[] | Tensor): Tensor {
  const t = toTensor(x, "slice");
  const begin = startIndices instanceof Tensor ? Array.from(startIndices.dataSync()) : startIndices;
  const size = shape instanceof Tensor ? Array.from(shape.dataSync()) : shape;
  if (!isIntList(begin) || begin.length !== t.rank) {
    throw new TypeError(`slice: startIndices must be ${t.rank} integers for a tensor of shape ${formatShape(t.shape)}, got ${JSON.stringify(begin)}`);
  }
  if (!isIntList(size) || size.length !== t.rank) {
    throw new TypeError(`slice: shape must be ${t.rank} integers for a tensor of shape ${formatShape(t.shape)}, got ${JSON.stringify(size)}`);
  }
  const resolved = size.map((s, i) => (s === -1 ? t.shape[i] - begin[i] : s));
  for (let i = 0; i < t.rank; i++) {
    if (begin[i] < 0 || resolved[i] < 0 || begin[i] + resolved[i] > t.shape[i]) {
      throw new RangeError(
        `slice: start ${formatShape(begin)} with shape ${formatShape(size)} is out of bounds for a tensor of shape ${formatShape(t.shape)} (axis ${i}: [${begin[i]}, ${begin[i] + resolved[i]}) is not within [0, ${t.shape[i]}))`,
      );
    }
  }
  return sliceUnchecked(t, begin, resolved);
}

function sliceUnchecked(t: Tensor, begin: readonly number[], size: readonly number[]): Tensor {
  if (shapesEqual(size, t.shape)) return t;
  const out = makeTensor(getBackend().slice(t.storage, t.shape, begin, size), size, t.dtype);
  if (isRecording() && t.dtype === "float32") {
    const paddings = t.shape.map((d, i) => [begin[i], d - begin[i] - size[i]] as [number, number]);
    record([t], out, (g) => [padConstant(g, paddings, 0)]);
  }
  return out;
}

function padConstant(t: Tensor, paddings: readonly (readonly [number, number])[], value: number): Tensor {
  if (paddings.every(([b, a]) => b === 0 && a === 0)) return t;
  const outShape = t.shape.map((d, i) => d + paddings[i][0] + paddings[i][1]);
  // Stored as the tensor's dtype: bool pads with value !== 0.
  const fill = t.dtype === "bool" ? (value !== 0 ? 1 : 0) : value;
  const out = makeTensor(getBackend().pad(t.storage, t.shape, paddings, fill), outShape, t.dtype);
  if (isRecording() && t.dtype === "float32") {
    const begin = paddings.map(([b]) => b);
    record([t], out, (g) => [sliceUnchecked(g, begin, t.shape)]);
  }
  return out;
}

/** Per-axis [before, after] from NumPy's pad_width forms: n, [n], [before, after], [[before, after]], [[b0, a0], ...]. */
function padWidths(padWidth: unknown, shape: readonly number[]): [number, number][] {
  const rank = shape.length;
  const bad = (why: string): never => {
    throw new Error(`pad: invalid padWidth ${JSON.stringify(padWidth)} for a tensor of shape ${formatShape(shape)}: ${why}`);
  };
  let rows: number[][];
  if (typeof padWidth === "number") rows = [[padWidth]];
  else if (isIntList(padWidth)) rows = [padWidth];
  else if (Array.isArray(padWidth) && padWidth.every((r) => isIntList(r))) rows = padWidth as number[][];
  else return bad("expected an integer, [before, after] or one [before, after] pair per axis");
  // Broadcast the [rows, cols] array to [rank, 2], as NumPy does.
  if (rows.length !== 1 && rows.length !== rank) bad(`${rows.length} pairs given for ${rank} axes`);
  const widths: [number, number][] = [];
  for (let i = 0; i < rank; i++) {
    const row = rows.length === 1 ? rows[0] : rows[i];
    if (row.length !== 1 && row.length !== 2) bad(`each entry must be [before, after], got ${JSON.stringify(row)}`);
    const pair: [number, number] = [row[0], row.length === 1 ? row[0] : row[1]];
    for (const w of pair) {
      if (!Number.isInteger(w)) bad("widths must be integers");
      if (w < 0) bad("widths must be non-negative");
    }
    widths.push(pair);
  }
  return widths;
}

export type PadMode = "constant" | "reflect" | "symmetric" | "edge" | "wrap";
const PAD_MODES: readonly string[] = ["constant", "reflect", "symmetric", "edge", "wrap"];

/**
 * Pads with `mode` as NumPy does: "constant" (with `constantValues`, default 0), "reflect" (mirror
 * without repeating the edge), "symmetric" (mirror repeating it), "edge" and "wrap". Widths larger
 * than the axis repeat the pattern.
 */
export function pad(x: TensorLike, padWidth: number | readonly number[] | readonly (readonly number[])[], mode: PadMode = "constant", constantValues?: number): Tensor {
  const t = toTensor(x, "pad");
  const widths = padWidths(padWidth, t.shape);
  if (!PAD_MODES.includes(mode)) {
    throw new Error(`pad: mode ${JSON.stringify(mode)} is not supported; expected one of ${PAD_MODES.join(", ")}`);
  }
  if (mode === "constant") {
    const value = constantValues ?? 0;
    if (typeof value !== "number") throw new TypeError(`pad: constantValues must be a number, got ${JSON.stringify(value)}`);
    return padConstant(t, widths, value);
  }
  if (constantValues !== undefined && constantValues !== null) {
    throw new Error(`pad: constantValues can only be given with mode "constant", got mode ${JSON.stringify(mode)}`);
  }
  // Every other mode takes existing elements: a gather along each padded axis (gradient: scatterAdd).
  let out = t;
  for (let axis = 0; axis < t.rank; axis++) {
    const [before, after] = widths[axis];
    if (before === 0 && after === 0) continue;
    const n = t.shape[axis];
    if (n === 0) throw new Error(`pad: cannot pad axis ${axis} of size 0 of a tensor of shape ${formatShape(t.shape)} in mode "${mode}"`);
    const indices = new Int32Array(before + n + after);
    for (let p = 0; p < indices.length; p++) indices[p] = padSource(mode, p - before, n);
    out = gatherAxis(out, indices, axis, null);
  }
  return out;
}

/** The source index along an axis of size n for padded position i (i < 0 or i >= n are padding). */
function padSource(mode: Exclude<PadMode, "constant">, i: number, n: number): number {
  const mod = (a: number, m: number) => ((a % m) + m) % m;
  switch (mode) {
    case "edge":
      return i < 0 ? 0 : i >= n ? n - 1 : i;
    case "wrap":
      return mod(i, n);
    case "reflect": {
      if (n === 1) return 0;
      const period = 2 * (n - 1);
      const k = mod(i, period);
      return k >= n ? period - k : k;
    }
    case "symmetric": {
      const k = mod(i, 2 * n);
      return k >= n ? 2 * n - 1 - k : k;
    }
  }
}

/**
 * Gathers whole slices along `axis` with already-valid indices. The result has `indicesShape` in
 * place of the axis (a flat list of indices when null). Gradient: scatterAdd.
 */
function gatherAxis(t: Tensor, indices: Int32Array, axis: number, indicesShape: readonly number[] | null): Tensor {
  const outShape = [...t.shape.slice(0, axis), ...(indicesShape ?? [indices.length]), ...t.shape.slice(axis + 1)];
  const out = makeTensor(getBackend().gather(t.storage, t.shape, indices, axis), outShape, t.dtype);
  if (isRecording() && t.dtype === "float32") {
    record([t], out, (g) => [makeTensor(getBackend().scatterAdd(floatStorage(g), indices, axis, t.shape), t.shape, "float32")]);
  }
  return out;
}

function floatStorage(g: Tensor): Float32Array {
  return (g.dtype === "float32" ? g : cast(g, "float32")).storage as Float32Array;
}

/** Indices as an int32 tensor: int and float tensors are converted (floats truncate, as in Keras); bool is rejected. */
function toIndices(indices: TensorLike, op: string): Tensor {
  const t = toTensor(indices, op);
  if (t.dtype === "bool") throw new TypeError(`${op}: indices must be integers, got a bool tensor of shape ${formatShape(t.shape)}`);
  return t.dtype === "int32" ? t : cast(t, "int32");
}

/**
 * Checks indices against an axis of size n and wraps negative ones (-1 is the last), as NumPy does.
 * Returns the kernel-ready indices.
 */
function resolveIndices(idx: Tensor, n: number, axis: number, shape: readonly number[], op: string): Int32Array {
  if (idx.size === 0) return idx.storage as Int32Array;
  const backend = getBackend();
  const all = [...idx.shape.keys()];
  const lo = backend.reduce("min", idx.storage, idx.shape, all, "int32")[0];
  const hi = backend.reduce("max", idx.storage, idx.shape, all, "int32")[0];
  if (hi >= n || lo < -n) {
    const bad = hi >= n ? hi : lo;
    throw new RangeError(`${op}: index ${bad} is out of bounds for axis ${axis} with size ${n} (tensor of shape ${formatShape(shape)})`);
  }
  if (lo >= 0) return idx.storage as Int32Array;
  // Negative indices count from the end: i + n where i < 0.
  const negative = backend.binary("less", idx.storage, idx.shape, Int32Array.of(0), [], idx.shape, "bool");
  const wrapped = backend.binary("add", idx.storage, idx.shape, Int32Array.of(n), [], idx.shape, "int32");
  return backend.select(negative, idx.shape, wrapped, idx.shape, idx.storage, idx.shape, idx.shape, "int32") as Int32Array;
}

/**
 * Takes elements along `axis` at `indices` (any integer tensor, array or number); the result has
 * x.shape[:axis] + indices.shape + x.shape[axis+1:]. With axis null, x is flattened first.
 * Negative indices count from the end; out-of-range ones are an error.
 */
export function take(x: TensorLike, indices: TensorLike, axis?: number | null): Tensor {
  let t = toTensor(x, "take");
  const idx = toIndices(indices, "take");
  let a = 0;
  if (axis === undefined || axis === null) t = reshape(t, [t.size]);
  else a = normalizeAxis(axis, t.rank, "take");
  const resolved = resolveIndices(idx, t.shape[a], a, t.shape, "take");
  return gatherAxis(t, resolved, a, idx.shape);
}

/**
 * `out[..., j, ...] = x[..., indices[..., j, ...], ...]` along `axis`; x and indices have the same
 * rank and broadcast against each other on the other axes. With axis null, x is flattened and
 * indices must be 1-d.
 */
export function takeAlongAxis(x: TensorLike, indices: TensorLike, axis?: number | null): Tensor {
  let t = toTensor(x, "takeAlongAxis");
  let idx = toIndices(indices, "takeAlongAxis");
  let a = 0;
  if (axis === undefined || axis === null) {
    t = reshape(t, [t.size]);
    if (idx.rank !== 1) throw new Error(`takeAlongAxis: with axis null, indices must be 1-d, got shape ${formatShape(idx.shape)}`);
  } else {
    a = normalizeAxis(axis, t.rank, "takeAlongAxis");
    if (idx.rank !== t.rank) {
      throw new Error(`takeAlongAxis: indices must have the same rank as x: x has shape ${formatShape(t.shape)}, indices ${formatShape(idx.shape)}`);
    }
  }
  // Broadcast every axis but `axis` between x and indices.
  const xTarget = [...t.shape];
  const iTarget = [...idx.shape];
  for (let d = 0; d < t.rank; d++) {
    if (d === a) continue;
    const xd = t.shape[d];
    const id = idx.shape[d];
    if (xd !== id && xd !== 1 && id !== 1) {
      throw new Error(`takeAlongAxis: x of shape ${formatShape(t.shape)} and indices of shape ${formatShape(idx.shape)} cannot be broadcast (axis ${d}; taking along axis ${a})`);
    }
    xTarget[d] = iTarget[d] = xd === 1 ? id : xd;
  }
  t = broadcastTo(t, xTarget);
  idx = broadcastTo(idx, iTarget);
  const resolved = resolveIndices(idx, t.shape[a], a, t.shape, "takeAlongAxis");
  const out = makeTensor(getBackend().gatherAlongAxis(t.storage, t.shape, resolved, idx.shape, a), idx.shape, t.dtype);
  if (isRecording() && t.dtype === "float32") {
    const src = t;
    record([src], out, (g) => [makeTensor(getBackend().scatterAddAlongAxis(floatStorage(g), resolved, idx.shape, a, src.shape), src.shape, "float32")]);
  }
  return out;
}

/** Joins tensors along an existing axis; dtypes are promoted to a common one. */
export function concatenate(xs: readonly TensorLike[], axis = 0): Tensor {
  if (!Array.isArray(xs) || xs.length === 0) throw new Error("concatenate: need a non-empty array of tensors");
  let ts = xs.map((x) => toTensor(x, "concatenate"));
  const rank = ts[0].rank;
  if (rank === 0) throw new Error("concatenate: zero-rank tensors cannot be concatenated");
  const a = normalizeAxis(axis, rank, "concatenate");
  for (const t of ts) {
    if (t.rank !== rank || t.shape.some((d, i) => i !== a && d !== ts[0].shape[i])) {
      throw new Error(
        `concatenate: shapes ${formatShape(ts[0].shape)} and ${formatShape(t.shape)} do not match except along axis ${a}` +
          (t.rank !== rank ? ` (ranks ${rank} and ${t.rank} differ)` : ""),
      );
    }
  }
  const dtype = resultType(ts[0].dtype, ...ts.slice(1).map((t) => t.dtype));
  ts = ts.map((t) => (t.dtype === dtype ? t : cast(t, dtype)));
  if (ts.length === 1) return ts[0];
  const outShape = [...ts[0].shape];
  outShape[a] = ts.reduce((total, t) => total + t.shape[a], 0);
  const out = makeTensor(getBackend().concat(ts.map((t) => t.storage), ts.map((t) => t.shape), a, dtype), outShape, dtype);
  if (isRecording() && dtype === "float32") {
    record(ts, out, (g) => {
      let offset = 0;
      return ts.map((t) => {
        const begin = t.shape.map((_, i) => (i === a ? offset : 0));
        offset += t.shape[a];
        return sliceUnchecked(g, begin, t.shape);
      });
    });
  }
  return out;
}

/** Joins same-shaped tensors along a new axis. */
export function stack(xs: readonly TensorLike[], axis = 0): Tensor {
  if (!Array.isArray(xs) || xs.length === 0) throw new Error("stack: need a non-empty array of tensors");
  const ts = xs.map((x) => toTensor(x, "stack"));
  for (const t of ts) {
    if (!shapesEqual(t.shape, ts[0].shape)) {
      throw new Error(`stack: all tensors must have the same shape, got ${formatShape(ts[0].shape)} and ${formatShape(t.shape)}`);
    }
  }
  const a = normalizeAxis(axis, ts[0].rank + 1, "stack");
  return concatenate(ts.map((t) => expandDims(t, a)), a);
}

/** Splits along an axis into the pieces of `unstack`, one per index, with that axis removed. */
export function unstack(x: TensorLike, num?: number | null, axis = 0): Tensor[] {
  const t = toTensor(x, "unstack");
  const a = normalizeAxis(axis, t.rank, "unstack");
  const n = t.shape[a];
  if (num !== undefined && num !== null && num !== n) {
    throw new Error(`unstack: num is ${num} but axis ${a} of a tensor of shape ${formatShape(t.shape)} has size ${n}`);
  }
  const size = t.shape.map((d, i) => (i === a ? 1 : d));
  const outShape = t.shape.filter((_, i) => i !== a);
  return Array.from({ length: n }, (_, k) => reshape(sliceUnchecked(t, size.map((_, i) => (i === a ? k : 0)), size), outShape));
}

/**
 * Splits along `axis` into `indicesOrSections` equal pieces (an error if the axis does not divide
 * evenly), or at the given indices (NumPy's semantics: x[:i0], x[i0:i1], ..., x[iN:]).
 */
export function split(x: TensorLike, indicesOrSections: number | readonly number[], axis = 0): Tensor[] {
  const t = toTensor(x, "split");
  const a = normalizeAxis(axis, t.rank, "split");
  const n = t.shape[a];
  let bounds: [number, number][];
  if (typeof indicesOrSections === "number") {
    const k = indicesOrSections;
    if (!Number.isInteger(k) || k <= 0) throw new RangeError(`split: number of sections must be a positive integer, got ${k}`);
    if (n % k !== 0) {
      throw new Error(`split: axis ${a} of size ${n} (tensor of shape ${formatShape(t.shape)}) cannot be split into ${k} equal sections`);
    }
    bounds = Array.from({ length: k }, (_, i) => [(i * n) / k, ((i + 1) * n) / k]);
  } else if (isIntList(indicesOrSections)) {
    // Python slice semantics for each piece: negative positions count from the end, all clamp to [0, n].
    const clamp = (i: number) => Math.min(Math.max(i < 0 ? i + n : i, 0), n);
    const cuts = [0, ...indicesOrSections.map(clamp), n];
    bounds = cuts.slice(0, -1).map((s, i) => [s, Math.max(s, cuts[i + 1])]);
  } else {
    throw new TypeError(`split: indicesOrSections must be a positive integer or an array of integers, got ${JSON.stringify(indicesOrSections)}`);
  }
  return bounds.map(([s, e]) => {
    const begin = t.shape.map((_, i) => (i === a ? s : 0));
    const size = t.shape.map((d, i) => (i === a ? e - s : d));
    return sliceUnchecked(t, begin, size);
  });
}

/** Reverses the order of elements along `axis` (all axes when omitted). */
export function flip(x: TensorLike, axis?: number | readonly number[] | null): Tensor {
  const t = toTensor(x, "flip");
  const axes = normalizeAxes(axis, t.rank, "flip");
  if (axes.every((a) => t.shape[a] <= 1)) return t;
  const out = makeTensor(getBackend().reverse(t.storage, t.shape, axes), t.shape, t.dtype);
  if (isRecording() && t.dtype === "float32") record([t], out, (g) => [flip(g, axes)]);
  return out;
}

function checkRepeats(values: number[], op: string): void {
  for (const r of values) {
    if (!Number.isInteger(r) || r < 0) throw new RangeError(`${op}: repeats must be non-negative integers, got ${JSON.stringify(values)}`);
  }
}

/**
 * Repeats the whole tensor `repeats[i]` times along axis i. As NumPy: a shorter `repeats` is padded
 * with leading 1s, a longer one gives x leading size-1 axes.
 */
export function tile(x: TensorLike, repeats: number | readonly number[]): Tensor {
  const t = toTensor(x, "tile");
  const reps = typeof repeats === "number" ? [repeats] : Array.isArray(repeats) ? [...repeats] : null;
  if (reps === null) throw new TypeError(`tile: repeats must be an integer or an array of integers, got ${JSON.stringify(repeats)}`);
  checkRepeats(reps, "tile");
  const rank = Math.max(t.rank, reps.length);
  const shape = [...new Array<number>(rank - t.rank).fill(1), ...t.shape];
  const r = [...new Array<number>(rank - reps.length).fill(1), ...reps];
  if (r.every((v) => v === 1)) return reshape(t, shape);
  // View as [1, d0, 1, d1, ...], broadcast to [r0, d0, r1, d1, ...], merge pairs.
  const interleaved = shape.flatMap((d) => [1, d]);
  const target = shape.flatMap((d, i) => [r[i], d]);
  return reshape(broadcastTo(reshape(t, interleaved), target), shape.map((d, i) => d * r[i]));
}

/**
 * Repeats each element along `axis` (the flattened tensor when omitted): `repeats` is one count for
 * all, or one per element along the axis.
 */
export function repeat(x: TensorLike, repeats: number | readonly number[] | Tensor, axis?: number | null): Tensor {
  let t = toTensor(x, "repeat");
  let a = 0;
  if (axis === undefined || axis === null) t = reshape(t, [t.size]);
  else a = normalizeAxis(axis, t.rank, "repeat");
  const n = t.shape[a];
  let reps: number[];
  if (typeof repeats === "number") reps = [repeats];
  else if (repeats instanceof Tensor) reps = Array.from(repeats.dataSync());
  else if (Array.isArray(repeats)) reps = [...repeats];
  else throw new TypeError(`repeat: repeats must be an integer or an array of integers, got ${JSON.stringify(repeats)}`);
  checkRepeats(reps, "repeat");
  if (reps.length === 1) {
    const r = reps[0];
    if (r === 1) return t;
    // View as [..., n, 1, ...], broadcast to [..., n, r, ...], merge.
    const expanded = [...t.shape.slice(0, a + 1), 1, ...t.shape.slice(a + 1)];
    const target = [...t.shape.slice(0, a + 1), r, ...t.shape.slice(a + 1)];
    const outShape = t.shape.map((d, i) => (i === a ? d * r : d));
    return reshape(broadcastTo(reshape(t, expanded), target), outShape);
  }
  if (reps.length !== n) {
    throw new Error(`repeat: repeats has ${reps.length} entries but axis ${a} of a tensor of shape ${formatShape(t.shape)} has size ${n}`);
  }
  const total = reps.reduce((s, r) => s + r, 0);
  const indices = new Int32Array(total);
  let k = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < reps[i]; j++) indices[k++] = i;
  return gatherAxis(t, indices, a, null);
}
