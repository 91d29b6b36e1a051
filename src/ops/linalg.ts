import { getBackend } from "../backend/backend.js";
import { makeTensor, type Tensor } from "../backend/tensor.js";
import { broadcastShapes, formatShape, sizeOf } from "../backend/shape.js";
import { resultType } from "../backend/dtypes.js";
import { isRecording, record } from "../autodiff/tape.js";
import { cast, toTensor, type TensorLike } from "./core.js";
import { broadcastTo, reshape, transpose } from "./shape.js";
import { multiply, where } from "./elementwise.js";
import { sum } from "./reduction.js";
import { unbroadcast } from "./helpers.js";

/**
 * Matrix product with NumPy semantics: 1-d operands are promoted to a row / column and the added
 * axis removed afterwards; leading (batch) axes broadcast. Integer and bool operands give int32.
 */
export function matmul(x: TensorLike, y: TensorLike): Tensor {
  let a = toTensor(x, "matmul");
  let b = toTensor(y, "matmul");
  if (a.rank === 0 || b.rank === 0) {
    throw new Error(`matmul: operands must have rank >= 1, got ${formatShape(a.shape)} @ ${formatShape(b.shape)}`);
  }
  const dtype = resultType(a.dtype, b.dtype) === "float32" ? "float32" : "int32";
  if (a.dtype !== dtype) a = cast(a, dtype);
  if (b.dtype !== dtype) b = cast(b, dtype);
  const aVector = a.rank === 1;
  const bVector = b.rank === 1;
  const a2 = aVector ? reshape(a, [1, a.shape[0]]) : a;
  const b2 = bVector ? reshape(b, [b.shape[0], 1]) : b;
  const m = a2.shape[a2.rank - 2];
  const k = a2.shape[a2.rank - 1];
  const k2 = b2.shape[b2.rank - 2];
  const n = b2.shape[b2.rank - 1];
  if (k !== k2) throw new Error(`matmul: inner dimensions differ: ${formatShape(a.shape)} @ ${formatShape(b.shape)}`);
  const aBatch = a2.shape.slice(0, -2);
  const bBatch = b2.shape.slice(0, -2);
  let batchShape: number[];
  try {
    batchShape = broadcastShapes(aBatch, bBatch, "matmul");
  } catch {
    throw new Error(`matmul: batch dimensions cannot be broadcast: ${formatShape(a.shape)} @ ${formatShape(b.shape)}`);
  }
  const batch = sizeOf(batchShape);
  const aShared = sizeOf(aBatch) === 1;
  const bShared = sizeOf(bBatch) === 1;
  // A single matrix on one side is reused for every batch (stride 0); other mismatches materialize.
  const aFull = aShared ? a2 : broadcastTo(a2, [...batchShape, m, k]);
  const bFull = bShared ? b2 : broadcastTo(b2, [...batchShape, k, n]);
  const storage = getBackend().matmul(aFull.storage, bFull.storage, {
    batch, m, n, k, transA: false, transB: false,
    aBatchStride: aShared ? 0 : m * k,
    bBatchStride: bShared ? 0 : k * n,
  });
  const fullShape = [...batchShape, m, n];
  let out = makeTensor(storage, fullShape, dtype);
  if (isRecording() && dtype === "float32") {
    record([a2, b2], out, (g) => {
      const gA = unbroadcast(matmulTransposed(g, b2, false, true), a2.shape);
      // A batch of A against one B (a Dense layer on 3-d input): dB = A^T g over all rows at once,
      // one GEMM instead of a batch of them followed by a reduction.
      const gB = bShared && !aShared && sizeOf(aBatch) === batch
        ? reshape(matmulTransposed(reshape(a2, [batch * m, k]), reshape(g, [batch * m, n]), true, false), b2.shape)
        : unbroadcast(matmulTransposed(a2, g, true, false), b2.shape);
      return [gA, gB];
    });
  }
  if (aVector || bVector) {
    const finalShape = [...batchShape, ...(aVector ? [] : [m]), ...(bVector ? [] : [n])];
    out = reshape(out, finalShape);
  }
  return out;
}

/**
 * `op(a) @ op(b)` where op transposes the last two axes when asked, without materializing the
 * transpose; used by matmul's own VJP and by layers that want a transposed weight. Both operands
 * must have rank >= 2; dtypes combine as in `matmul`.
 */
export function matmulTransposed(x: TensorLike, y: TensorLike, transA: boolean, transB: boolean): Tensor {
  let a = toTensor(x, "matmul");
  let b = toTensor(y, "matmul");
  if (a.rank < 2 || b.rank < 2) {
    throw new Error(`matmul: matmulTransposed needs operands of rank >= 2, got ${formatShape(a.shape)} @ ${formatShape(b.shape)}`);
  }
  const dtype = resultType(a.dtype, b.dtype) === "float32" ? "float32" : "int32";
  if (a.dtype !== dtype) a = cast(a, dtype);
  if (b.dtype !== dtype) b = cast(b, dtype);
  const m = transA ? a.shape[a.rank - 1] : a.shape[a.rank - 2];
  const k = transA ? a.shape[a.rank - 2] : a.shape[a.rank - 1];
  const k2 = transB ? b.shape[b.rank - 1] : b.shape[b.rank - 2];
  const n = transB ? b.shape[b.rank - 2] : b.shape[b.rank - 1];
  if (k !== k2) throw new Error(`matmul: inner dimensions differ: ${formatShape(a.shape)} @ ${formatShape(b.shape)} (transA=${transA}, transB=${transB})`);
  const aBatch = a.shape.slice(0, -2);
  const bBatch = b.shape.slice(0, -2);
  const batchShape = broadcastShapes(aBatch, bBatch, "matmul");
  const batch = sizeOf(batchShape);
  const aFull = sizeOf(aBatch) === 1 ? a : broadcastTo(a, [...batchShape, ...a.shape.slice(-2)]);
  const bFull = sizeOf(bBatch) === 1 ? b : broadcastTo(b, [...batchShape, ...b.shape.slice(-2)]);
  const storage = getBackend().matmul(aFull.storage, bFull.storage, {
    batch, m, n, k, transA, transB,
    aBatchStride: sizeOf(aBatch) === 1 ? 0 : m * k,
    bBatchStride: sizeOf(bBatch) === 1 ? 0 : k * n,
  });
  const out = makeTensor(storage, [...batchShape, m, n], dtype);
  if (isRecording() && dtype === "float32") {
    record([a, b], out, (g) => {
      // d(op(A)) = g @ op(B)^T and d(op(B)) = op(A)^T @ g, then undo op on each side.
      const gA = transA ? matmulTransposed(b, g, transB, true) : matmulTransposed(g, b, false, !transB);
      const gB = transB ? matmulTransposed(g, a, true, transA) : matmulTransposed(a, g, !transA, false);
      return [unbroadcast(gA, a.shape), unbroadcast(gB, b.shape)];
    });
  }
  return out;
}

/**
 * NumPy's `dot`: a product with a scalar is `multiply`; 1-d . 1-d is the inner product; with a
 * 1-d or 2-d second operand (or a 1-d first one) it is `matmul`; otherwise it sums over the last
 * axis of `x` and the second-to-last of `y`: result shape x.shape[:-1] + y.shape[:-2] + y.shape[-1:].
 */
export function dot(x: TensorLike, y: TensorLike): Tensor {
  const a = toTensor(x, "dot");
  const b = toTensor(y, "dot");
  if (a.rank === 0 || b.rank === 0) return multiply(a, b);
  const k = a.shape[a.rank - 1];
  const kb = b.rank === 1 ? b.shape[0] : b.shape[b.rank - 2];
  if (k !== kb) {
    throw new Error(`dot: shapes ${formatShape(a.shape)} and ${formatShape(b.shape)} are not aligned: ${k} (last axis of x) != ${kb} (${b.rank === 1 ? "axis 0" : "second-to-last axis"} of y)`);
  }
  if (a.rank === 1 || b.rank <= 2) return matmul(a, b);
  return tensordot(a, b, [[a.rank - 1], [b.rank - 2]]);
}

/**
 * NumPy's `tensordot`: sums the products over `axes`, either a count N (the last N axes of `x`
 * with the first N of `y`) or a pair of axis lists. The result has x's free axes then y's.
 */
export function tensordot(x: TensorLike, y: TensorLike, axes: number | readonly [number | readonly number[], number | readonly number[]] = 2): Tensor {
  const a = toTensor(x, "tensordot");
  const b = toTensor(y, "tensordot");
  let axesA: number[];
  let axesB: number[];
  if (typeof axes === "number") {
    if (!Number.isInteger(axes) || axes < 0 || axes > a.rank || axes > b.rank) {
      throw new RangeError(`tensordot: axes=${axes} must be an integer in [0, ${Math.min(a.rank, b.rank)}] for shapes ${formatShape(a.shape)} and ${formatShape(b.shape)}`);
    }
    axesA = Array.from({ length: axes }, (_, i) => a.rank - axes + i);
    axesB = Array.from({ length: axes }, (_, i) => i);
  } else {
    if (!Array.isArray(axes) || axes.length !== 2) throw new TypeError(`tensordot: axes must be an integer or a pair [axesOfX, axesOfY], got ${JSON.stringify(axes)}`);
    const list = (v: number | readonly number[]): number[] => (typeof v === "number" ? [v] : [...v]);
    axesA = list(axes[0]).map((ax) => resolveAxis(ax, a.rank, "tensordot"));
    axesB = list(axes[1]).map((ax) => resolveAxis(ax, b.rank, "tensordot"));
    if (axesA.length !== axesB.length) throw new Error(`tensordot: got ${axesA.length} axes for x but ${axesB.length} for y`);
    if (new Set(axesA).size !== axesA.length || new Set(axesB).size !== axesB.length) throw new Error(`tensordot: repeated axis in ${JSON.stringify(axes)}`);
  }
  for (let i = 0; i < axesA.length; i++) {
    if (a.shape[axesA[i]] !== b.shape[axesB[i]]) {
      throw new Error(`tensordot: shape mismatch: axis ${axesA[i]} of ${formatShape(a.shape)} has size ${a.shape[axesA[i]]} but axis ${axesB[i]} of ${formatShape(b.shape)} has size ${b.shape[axesB[i]]}`);
    }
  }
  const freeA = range(a.rank).filter((i) => !axesA.includes(i));
  const freeB = range(b.rank).filter((i) => !axesB.includes(i));
  const kSize = sizeOf(axesA.map((i) => a.shape[i]));
  const am = reshape(transpose(a, [...freeA, ...axesA]), [sizeOf(freeA.map((i) => a.shape[i])), kSize]);
  const bm = reshape(transpose(b, [...axesB, ...freeB]), [kSize, sizeOf(freeB.map((i) => b.shape[i]))]);
  return reshape(matmul(am, bm), [...freeA.map((i) => a.shape[i]), ...freeB.map((i) => b.shape[i])]);
}

/** NumPy's `inner`: sums over the last axis of both; result shape x.shape[:-1] + y.shape[:-1]. */
export function inner(x: TensorLike, y: TensorLike): Tensor {
  const a = toTensor(x, "inner");
  const b = toTensor(y, "inner");
  if (a.rank === 0 || b.rank === 0) return multiply(a, b);
  return tensordot(a, b, [[a.rank - 1], [b.rank - 1]]);
}

/** NumPy's `vdot` for real tensors: both flattened, then the inner product (a scalar). */
export function vdot(x: TensorLike, y: TensorLike): Tensor {
  const a = toTensor(x, "vdot");
  const b = toTensor(y, "vdot");
  if (a.size !== b.size) throw new Error(`vdot: operands must have the same number of elements, got ${formatShape(a.shape)} (${a.size}) and ${formatShape(b.shape)} (${b.size})`);
  return matmul(reshape(a, [a.size]), reshape(b, [b.size]));
}

/** Outer product of the flattened operands: shape [x.size, y.size]. */
export function outer(x: TensorLike, y: TensorLike): Tensor {
  const a = toTensor(x, "outer");
  const b = toTensor(y, "outer");
  return multiply(reshape(a, [a.size, 1]), reshape(b, [1, b.size]));
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

function resolveAxis(axis: number, rank: number, op: string): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) throw new RangeError(`${op}: axis ${axis} is out of bounds for a tensor of rank ${rank}`);
  return axis < 0 ? axis + rank : axis;
}

/* ---------------------------------------------------------------------------------------------
 * einsum: operands are contracted left to right, two at a time. Each pairwise contraction is
 * transposes and reshapes around one (batched) matmul, or a broadcasting multiply when nothing is
 * summed; labels found in one operand only are summed out first, and a label repeated within one
 * operand takes the diagonal. Gradients come from those ops.
 * ------------------------------------------------------------------------------------------- */

/** Labels of one operand: letters, or "...0", "...1", ... for the axes an ellipsis stands for. */
type Labels = string[];

interface Term {
  tensor: Tensor;
  labels: Labels;
}

function parseSubscripts(term: string, where: string): { letters: string[]; ellipsisAt: number } {
  const letters: string[] = [];
  let ellipsisAt = -1;
  for (let i = 0; i < term.length; ) {
    if (term.startsWith("...", i)) {
      if (ellipsisAt >= 0) throw new Error(`einsum: more than one ellipsis in ${where} '${term}'`);
      ellipsisAt = letters.length;
      i += 3;
    } else if (/[a-zA-Z]/.test(term[i])) {
      letters.push(term[i]);
      i++;
    } else {
      throw new Error(`einsum: invalid character '${term[i]}' in ${where} '${term}'; subscripts are letters a-z, A-Z and '...'`);
    }
  }
  return { letters, ellipsisAt };
}

/**
 * Einstein summation over one or more operands, as `numpy.einsum` (without the `optimize` path
 * search: operands are contracted left to right). Supports implicit output ("ij,jk"), explicit
 * output ("ij,jk->ik"), ellipses ("...ij,...jk->...ik", broadcasting size-1 axes), repeated
 * labels within an operand (traces and diagonals: "ii->", "ii->i") and integer operands.
 */
export function einsum(subscripts: string, ...operands: TensorLike[]): Tensor {
  if (typeof subscripts !== "string") throw new TypeError(`einsum: the first argument must be a subscripts string such as "ij,jk->ik", got ${typeof subscripts}`);
  const equation = subscripts.replace(/\s+/g, "");
  const arrow = equation.indexOf("->");
  if (arrow !== equation.lastIndexOf("->")) throw new Error(`einsum: more than one '->' in '${subscripts}'`);
  const lhs = arrow >= 0 ? equation.slice(0, arrow) : equation;
  const inputTerms = lhs.split(",");
  if (operands.length === 0) throw new Error(`einsum: no operands given for '${subscripts}'`);
  if (inputTerms.length !== operands.length) {
    throw new Error(`einsum: '${subscripts}' names ${inputTerms.length} operand(s) but ${operands.length} were given`);
  }
  const tensors = operands.map((x) => toTensor(x, "einsum"));
  const parsed = inputTerms.map((term, i) => parseSubscripts(term, `operand ${i} subscripts`));
  // How many axes each ellipsis covers; they broadcast against each other right-aligned.
  const ellipsisRanks = parsed.map((p, i) => {
    const rank = tensors[i].rank;
    const covered = rank - p.letters.length;
    if (p.ellipsisAt < 0 ? covered !== 0 : covered < 0) {
      throw new Error(`einsum: operand ${i} has shape ${formatShape(tensors[i].shape)} (rank ${rank}) but its subscripts '${inputTerms[i]}' name ${p.letters.length} axes`);
    }
    return p.ellipsisAt < 0 ? 0 : covered;
  });
  const ellipsisRank = Math.max(0, ...ellipsisRanks);
  const ellipsisLabels = range(ellipsisRank).map((i) => `...${i}`);
  const terms: Term[] = tensors.map((tensor, i) => {
    const { letters, ellipsisAt } = parsed[i];
    const labels = ellipsisAt < 0
      ? letters
      : [...letters.slice(0, ellipsisAt), ...ellipsisLabels.slice(ellipsisRank - ellipsisRanks[i]), ...letters.slice(ellipsisAt)];
    return { tensor, labels };
  });

  // Every letter must have one size (size-1 broadcasting is allowed for ellipsis axes only).
  const sizes = new Map<string, number>();
  terms.forEach(({ tensor, labels }, i) => {
    labels.forEach((label, axis) => {
      const size = tensor.shape[axis];
      const known = sizes.get(label);
      if (known === undefined || (known === 1 && label.startsWith("..."))) sizes.set(label, size);
      else if (known !== size && !(size === 1 && label.startsWith("..."))) {
        const what = label.startsWith("...") ? "the axes covered by '...'" : `label '${label}'`;
        throw new Error(`einsum: size mismatch for ${what} in '${subscripts}': ${known} vs ${size} (operand ${i}, shape ${formatShape(tensor.shape)})`);
      }
    });
  });

  let output: Labels;
  if (arrow >= 0) {
    const { letters, ellipsisAt } = parseSubscripts(equation.slice(arrow + 2), "output subscripts");
    for (const letter of letters) {
      if (!sizes.has(letter)) throw new Error(`einsum: output label '${letter}' in '${subscripts}' does not appear in any operand`);
    }
    if (new Set(letters).size !== letters.length) throw new Error(`einsum: output subscripts in '${subscripts}' repeat a label`);
    output = ellipsisAt < 0 ? letters : [...letters.slice(0, ellipsisAt), ...ellipsisLabels, ...letters.slice(ellipsisAt)];
  } else {
    // Implicit output: the ellipsis axes, then the letters used exactly once, in alphabetical order.
    const counts = new Map<string, number>();
    for (const { labels } of terms) for (const l of labels) if (!l.startsWith("...")) counts.set(l, (counts.get(l) ?? 0) + 1);
    output = [...ellipsisLabels, ...[...counts.keys()].filter((l) => counts.get(l) === 1).sort()];
  }

  let current = reduceTerm(terms[0], new Set([...output, ...terms.slice(1).flatMap((t) => t.labels)]));
  for (let i = 1; i < terms.length; i++) {
    const keep = new Set([...output, ...terms.slice(i + 1).flatMap((t) => t.labels)]);
    current = contractPair(current, terms[i], keep);
  }
  // Ellipsis axes broadcast to size 1 on every operand may still be missing or of size 1.
  const result = reduceTerm(current, new Set(output));
  const perm = output.map((label) => result.labels.indexOf(label));
  const missing = output.filter((_, i) => perm[i] < 0);
  if (missing.length > 0) throw new Error(`einsum: internal error: labels ${missing.join(", ")} were lost`);
  return transpose(result.tensor, perm);
}

/** Takes diagonals for labels repeated within the term, then sums out labels not in `keep`. */
function reduceTerm(term: Term, keep: ReadonlySet<string>): Term {
  let { tensor, labels } = term;
  labels = [...labels];
  for (;;) {
    const q = labels.findIndex((l, i) => labels.indexOf(l) !== i);
    if (q < 0) break;
    const p = labels.indexOf(labels[q]);
    const d = tensor.shape[p];
    if (tensor.shape[q] !== d) {
      throw new Error(`einsum: label '${labels[q]}' is repeated in one operand with different sizes ${d} and ${tensor.shape[q]}`);
    }
    // Keep the diagonal (mask off the rest), then sum the second copy of the axis away.
    const eye = new Uint8Array(d * d);
    for (let i = 0; i < d; i++) eye[i * d + i] = 1;
    const maskShape = tensor.shape.map((_, i) => (i === p || i === q ? d : 1));
    const mask = reshape(makeTensor(eye, [d, d], "bool"), maskShape);
    tensor = sum(where(mask, tensor, 0), q);
    labels.splice(q, 1);
  }
  const drop = labels.map((l, i) => (keep.has(l) ? -1 : i)).filter((i) => i >= 0);
  if (drop.length > 0) {
    tensor = sum(tensor, drop);
    labels = labels.filter((l) => keep.has(l));
  }
  return { tensor, labels };
}

function contractPair(left: Term, right: Term, keep: ReadonlySet<string>): Term {
  const a0 = reduceTerm(left, new Set([...keep, ...right.labels]));
  const b0 = reduceTerm(right, new Set([...keep, ...a0.labels]));
  let a = a0.tensor;
  let b = b0.tensor;
  const la = a0.labels;
  const lb = b0.labels;
  const shared = la.filter((l) => lb.includes(l));
  const batch = shared.filter((l) => keep.has(l));
  const contracted = shared.filter((l) => !keep.has(l));
  const freeA = la.filter((l) => !lb.includes(l));
  const freeB = lb.filter((l) => !la.includes(l));
  // A summed label of size 1 on one side only (ellipsis broadcasting): sum the other side first.
  for (const l of contracted) {
    const sa = a.shape[la.indexOf(l)];
    const sb = b.shape[lb.indexOf(l)];
    if (sa === 1 && sb !== 1) b = sum(b, lb.indexOf(l), true);
    else if (sb === 1 && sa !== 1) a = sum(a, la.indexOf(l), true);
  }
  const dimsA = (labels: Labels) => labels.map((l) => a.shape[la.indexOf(l)]);
  const dimsB = (labels: Labels) => labels.map((l) => b.shape[lb.indexOf(l)]);
  const batchShape = batch.map((l) => {
    const sa = a.shape[la.indexOf(l)];
    return sa === 1 ? b.shape[lb.indexOf(l)] : sa;
  });
  const labels = [...batch, ...freeA, ...freeB];
  if (contracted.length === 0) {
    // Nothing summed: a broadcasting product with the free axes of each side kept apart.
    const at = reshape(transpose(a, [...batch, ...freeA].map((l) => la.indexOf(l))), [...dimsA(batch), ...dimsA(freeA), ...freeB.map(() => 1)]);
    const bt = reshape(transpose(b, [...batch, ...freeB].map((l) => lb.indexOf(l))), [...dimsB(batch), ...freeA.map(() => 1), ...dimsB(freeB)]);
    return { tensor: multiply(at, bt), labels };
  }
  const kSize = sizeOf(dimsA(contracted));
  const mSize = sizeOf(dimsA(freeA));
  const nSize = sizeOf(dimsB(freeB));
  const at = reshape(transpose(a, [...batch, ...freeA, ...contracted].map((l) => la.indexOf(l))), [...dimsA(batch), mSize, kSize]);
  const bt = reshape(transpose(b, [...batch, ...contracted, ...freeB].map((l) => lb.indexOf(l))), [...dimsB(batch), kSize, nSize]);
  const product = matmul(at, bt);
  return { tensor: reshape(product, [...batchShape, ...dimsA(freeA), ...dimsB(freeB)]), labels };
}
