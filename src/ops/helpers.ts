import { getBackend } from "../backend/backend.js";
import { formatShape, shapesEqual } from "../backend/shape.js";
import type { Shape } from "../backend/dtypes.js";
import { makeTensor, type Tensor } from "../backend/tensor.js";

/** Resolves a possibly negative axis against `rank`, or throws naming the op. */
export function normalizeAxis(axis: number, rank: number, op: string): number {
  if (typeof axis !== "number" || !Number.isInteger(axis)) {
    throw new TypeError(`${op}: axis must be an integer, got ${typeof axis === "number" ? axis : JSON.stringify(axis)}`);
  }
  if (axis < -rank || axis >= rank) {
    throw new RangeError(`${op}: axis ${axis} is out of bounds for a tensor of rank ${rank}`);
  }
  return axis < 0 ? axis + rank : axis;
}

/** Resolves `axis` (undefined or null = all axes) to sorted, distinct, non-negative axes. */
export function normalizeAxes(axis: number | readonly number[] | null | undefined, rank: number, op: string): number[] {
  if (axis === undefined || axis === null) return Array.from({ length: rank }, (_, i) => i);
  if (typeof axis !== "number" && !Array.isArray(axis)) {
    throw new TypeError(`${op}: axis must be an integer, an array of integers or null, got ${JSON.stringify(axis)}`);
  }
  const list = typeof axis === "number" ? [axis] : [...axis];
  const resolved = list.map((a) => normalizeAxis(a, rank, op));
  if (new Set(resolved).size !== resolved.length) throw new Error(`${op}: repeated axis in ${JSON.stringify(list)}`);
  return resolved.sort((a, b) => a - b);
}

/** The shape after reducing `axes`, keeping them as 1s when `keepdims`. */
export function reducedShape(shape: Shape, axes: readonly number[], keepdims: boolean): number[] {
  const out: number[] = [];
  for (let i = 0; i < shape.length; i++) {
    if (!axes.includes(i)) out.push(shape[i]);
    else if (keepdims) out.push(1);
  }
  return out;
}

/**
 * Sums a gradient that was broadcast up to `grad.shape` back down to `shape`: the adjoint of
 * broadcasting, used by every binary op's VJP. One reduce kernel, not the `sum` op: VJPs run
 * while nothing records (no gradients of gradients), and so the elementwise ops need no reduction
 * ops.
 */
export function unbroadcast(grad: Tensor, shape: Shape): Tensor {
  if (shapesEqual(grad.shape, shape)) return grad;
  const lead = grad.rank - shape.length;
  if (lead < 0) throw new Error(`unbroadcast: gradient ${formatShape(grad.shape)} has lower rank than ${formatShape(shape)}`);
  const axes: number[] = [];
  for (let i = 0; i < grad.rank; i++) {
    if (i < lead || (shape[i - lead] === 1 && grad.shape[i] !== 1)) axes.push(i);
  }
  return makeTensor(getBackend().reduce("sum", grad.storage, grad.shape, axes, grad.dtype), shape, grad.dtype);
}
