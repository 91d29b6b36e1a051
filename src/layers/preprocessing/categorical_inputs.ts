import { formatShape } from "../../backend/shape.js";
import { Tensor } from "../../backend/tensor.js";
import * as ops from "../../ops/index.js";

/*
 * What the categorical preprocessing layers share: inputs given as (nested) JS arrays of strings
 * or numbers, or as tensors, flattened with their shape; and Keras's
 * `encode_categorical_inputs` for the multi-hot, one-hot, count and tf-idf outputs.
 */

export type Nested<T> = T | Nested<T>[];

/** Values and shape of a nested array of strings / numbers, or of an integer tensor. */
export interface FlatValues<T> {
  values: T[];
  shape: number[];
}

export function flatten<T extends string | number>(input: unknown, what: string, accept: (v: unknown) => v is T): FlatValues<T> {
  if (input instanceof Tensor) {
    const values = Array.from(input.dataSync() as ArrayLike<number>) as unknown[];
    if (!values.every(accept)) throw new TypeError(`${what}: got a ${input.dtype} tensor, which holds values of the wrong type`);
    return { values: values as T[], shape: [...input.shape] };
  }
  const shape: number[] = [];
  let probe: unknown = input;
  while (Array.isArray(probe)) {
    shape.push(probe.length);
    probe = probe[0];
  }
  const values: T[] = [];
  const visit = (node: unknown, depth: number): void => {
    if (depth === shape.length) {
      if (!accept(node)) throw new TypeError(`${what}: unexpected value ${JSON.stringify(node)} in the input`);
      values.push(node);
      return;
    }
    if (!Array.isArray(node) || node.length !== shape[depth]) throw new Error(`${what}: the input is a ragged nested array (expected shape ${formatShape(shape)})`);
    for (const child of node) visit(child, depth + 1);
  };
  visit(input, 0);
  return { values, shape };
}

export const isString = (v: unknown): v is string => typeof v === "string";
export const isNumber = (v: unknown): v is number => typeof v === "number" && Number.isFinite(v);

/** Values back into a nested array of `shape`. */
export function unflatten<T>(values: readonly T[], shape: readonly number[]): Nested<T> {
  if (shape.length === 0) return values[0];
  let at = 0;
  const build = (depth: number): Nested<T>[] => {
    const out: Nested<T>[] = [];
    for (let i = 0; i < shape[depth]; i++) out.push(depth === shape.length - 1 ? values[at++] : build(depth + 1));
    return out;
  };
  return build(0);
}

export type CategoricalOutputMode = "one_hot" | "multi_hot" | "count";

/**
 * Keras's `encode_categorical_inputs` for indices in [0, depth): one_hot (a trailing axis of size
 * 1 is replaced), multi_hot (1 where an index occurs along the last axis) and count (how often,
 * summed over axis 1, or 0 for rank 1, optionally weighted).
 */
export function encodeCategorical(indices: Tensor, mode: CategoricalOutputMode, depth: number, countWeights?: Tensor | null): Tensor {
  let x = indices.rank === 0 ? ops.expandDims(indices, -1) : indices;
  if (mode === "one_hot") {
    if (x.rank > 1 && x.shape[x.rank - 1] === 1) x = ops.reshape(x, x.shape.slice(0, -1));
    return ops.oneHot(x, depth);
  }
  const oneHot = ops.oneHot(x, depth);
  if (mode === "multi_hot") return ops.max(oneHot, -2);
  const weighted = countWeights === null || countWeights === undefined ? oneHot : ops.multiply(oneHot, ops.expandDims(countWeights, -1));
  return ops.sum(weighted, x.rank > 1 ? 1 : 0);
}
