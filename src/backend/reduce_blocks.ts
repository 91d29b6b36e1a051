import type { CoreKernels, ReduceOp } from "./core_kernels.js";
import type { DType, Shape, TypedArray } from "./dtypes.js";
import { sizeOf } from "./shape.js";

/** [prod(shape[:axis]), shape[axis], prod(shape[axis+1:])]: the block view a compiled kernel takes. */
export function split3(shape: Shape, axis: number): [number, number, number] {
  return [sizeOf(shape.slice(0, axis)), shape[axis], sizeOf(shape.slice(axis + 1))];
}

/**
 * What a compiled backend's `reduce` does before its kernel, which reduces one contiguous block of
 * axes, [outer, n, inner] -> [outer, inner]. `dims` and `reduced` are the canonical shape (adjacent
 * axes of the same kind merged, size-1 axes dropped; reference/reduce.ts `canonicalize`). With
 * nothing to combine the result is a conversion, as the reference makes it; several separate
 * reduced blocks are moved to the end (a transpose) and reduced again as one. Returns the finished
 * result, or the block for the kernel.
 */
export function reduceAsOneBlock(
  backend: Pick<CoreKernels, "cast" | "transpose" | "reduce">, op: ReduceOp, x: TypedArray, dims: readonly number[], reduced: readonly boolean[], outDtype: DType,
): TypedArray | { block: [number, number, number] } {
  const groups = reduced.filter((r) => r).length;
  if (groups === 0) {
    if (op !== "any" && op !== "all" && outDtype !== "bool") return backend.cast(x, outDtype);
    const flags = backend.cast(x, "bool");
    return outDtype === "bool" ? flags : backend.cast(flags, outDtype);
  }
  if (groups > 1) {
    const kept: number[] = [];
    const moved: number[] = [];
    reduced.forEach((r, d) => (r ? moved : kept).push(d));
    const perm = [...kept, ...moved];
    const t = backend.transpose(x, dims, perm);
    return backend.reduce(op, t, perm.map((p) => dims[p]), moved.map((_, i) => kept.length + i), outDtype);
  }
  return { block: split3(dims, reduced.indexOf(true)) };
}
