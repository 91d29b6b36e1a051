import type { Tensor } from "../../backend/tensor.js";
import * as ops from "../../ops/index.js";
import { gatherRows, rowsView } from "../../ops/batch_rows.js";
import type { TensorLike } from "../../ops/core.js";
import { isSingleArray, toBatchedTensor, type DataStructure, type TensorStructure } from "./data_adapter_utils.js";

/** A structure of arrays taken apart into a flat list of tensors, with a way to put a batch of rows back together. */
export class Structure {
  readonly kind: "single" | "list" | "dict";
  readonly keys: string[];
  readonly tensors: Tensor[];

  constructor(data: DataStructure, what: string) {
    if (isSingleArray(data)) {
      this.kind = "single";
      this.keys = [];
      this.tensors = [toBatchedTensor(data as TensorLike, what)];
    } else if (Array.isArray(data)) {
      this.kind = "list";
      this.keys = [];
      this.tensors = data.map((d, i) => toBatchedTensor(d, `${what}[${i}]`));
    } else if (typeof data === "object" && data !== null) {
      this.kind = "dict";
      this.keys = Object.keys(data);
      this.tensors = this.keys.map((k) => toBatchedTensor((data as Record<string, TensorLike>)[k], `${what}.${k}`));
    } else {
      throw new TypeError(`${what}: expected a tensor, an array of tensors or an object of tensors, got ${data === null ? "null" : typeof data}`);
    }
  }

  get numSamples(): number {
    return this.tensors[0].shape[0];
  }

  /**
   * Rows [start, start+size) of every tensor (0 <= start, start + size <= numSamples). The rows of
   * a row-major tensor are one contiguous run of its elements, so a batch is a view of them: no
   * copy (tensors are immutable, so sharing the elements is safe).
   */
  slice(start: number, size: number): Tensor[] {
    return this.tensors.map((t) => rowsView(t, start, size));
  }

  /** Rows at `indices` (an int32 tensor) of every tensor. */
  take(indices: Tensor): Tensor[] {
    return this.tensors.map((t) => ops.take(t, indices, 0));
  }

  /**
   * Rows at `indices` of every tensor, one gather kernel each; the indices must be valid row
   * numbers (a permutation of the samples), as they are not checked here.
   */
  takeRows(indices: Tensor): Tensor[] {
    return this.tensors.map((t) => gatherRows(t, indices));
  }

  /**
   * `takeRows` into memory reused from one call to the next (one batch-sized tensor per tensor of
   * the structure, made on first use): the batches of a training loop, which live for one step.
   * A batch of another size (an epoch's last) gets fresh memory.
   */
  takeRowsReusing(indices: Tensor): Tensor[] {
    const size = indices.size;
    return this.tensors.map((t, i) => {
      let scratch = this.scratch[i];
      if (scratch === undefined || scratch.shape[0] !== size) {
        if (scratch !== undefined && size < scratch.shape[0]) return gatherRows(t, indices);
        scratch = ops.zeros([size, ...t.shape.slice(1)], t.dtype);
        this.scratch[i] = scratch;
      }
      return gatherRows(t, indices, scratch);
    });
  }

  private readonly scratch: (Tensor | undefined)[] = [];

  /** Puts tensors back into this structure's shape. */
  rebuild(tensors: Tensor[]): TensorStructure {
    if (this.kind === "single") return tensors[0];
    if (this.kind === "list") return tensors;
    return Object.fromEntries(this.keys.map((k, i) => [k, tensors[i]]));
  }
}

/**
 * Keras's `train_validation_split`: the last `validationSplit` of the samples (before any
 * shuffling) become validation data. Returns the training and validation parts of each structure
 * given (undefined stays undefined).
 */
export function trainValidationSplit(structures: (Structure | undefined)[], validationSplit: number): [(Structure | undefined)[], (Structure | undefined)[]] {
  const first = structures.find((s) => s !== undefined)!;
  const n = first.numSamples;
  const at = Math.floor(n * (1 - validationSplit));
  if (at === 0 || at === n) {
    throw new Error(
      `Training data contains ${n} samples, which is not sufficient to split it into a validation and training set as specified by ` +
        `\`validationSplit=${validationSplit}\`. Either provide more data, or a different value for the \`validationSplit\` argument.`,
    );
  }
  const cut = (s: Structure | undefined, start: number, size: number): Structure | undefined =>
    s === undefined ? undefined : new Structure(s.rebuild(s.slice(start, size)) as DataStructure, "data");
  return [structures.map((s) => cut(s, 0, at)), structures.map((s) => cut(s, at, n - at))];
}
