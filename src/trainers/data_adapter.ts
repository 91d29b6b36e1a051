import { Tensor } from "../backend/tensor.js";
import * as ops from "../ops/index.js";
import { gatherRows, rowsView } from "../ops/batch_rows.js";
import { convertToTensor, type TensorLike } from "../ops/core.js";

/** What `fit`/`evaluate`/`predict` accept for x or y: one array, a list (multi-input), or an object keyed by input name. */
export type DataStructure = TensorLike | TensorLike[] | Record<string, TensorLike>;

/** A structure of tensors taken apart into a flat list, with a way to put a slice back together. */
export class Structure {
  readonly kind: "single" | "list" | "dict";
  readonly keys: string[];
  readonly tensors: Tensor[];

  constructor(data: DataStructure, what: string) {
    if (data instanceof Tensor || ArrayBuffer.isView(data) || typeof data === "number" || (Array.isArray(data) && !data.some((d) => d instanceof Tensor || ArrayBuffer.isView(d)))) {
      this.kind = "single";
      this.keys = [];
      this.tensors = [toBatched(data as TensorLike, what)];
    } else if (Array.isArray(data)) {
      this.kind = "list";
      this.keys = [];
      this.tensors = data.map((d, i) => toBatched(d, `${what}[${i}]`));
    } else if (typeof data === "object" && data !== null && !(data as object).constructor?.name?.startsWith("Variable")) {
      this.kind = "dict";
      this.keys = Object.keys(data);
      this.tensors = this.keys.map((k) => toBatched((data as Record<string, TensorLike>)[k], `${what}.${k}`));
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
  rebuild(tensors: Tensor[]): Tensor | Tensor[] | Record<string, Tensor> {
    if (this.kind === "single") return tensors[0];
    if (this.kind === "list") return tensors;
    return Object.fromEntries(this.keys.map((k, i) => [k, tensors[i]]));
  }
}

function toBatched(data: TensorLike, what: string): Tensor {
  const t = convertToTensor(data);
  if (t.rank === 0) throw new Error(`${what}: expected an array with a batch axis, got a scalar`);
  return t;
}

/** Keras's check that x, y and sample weights agree on the number of samples. */
export function checkCardinality(parts: { name: string; structure?: Structure }[]): number {
  const sizes = parts.filter((p) => p.structure !== undefined).map((p) => ({ name: p.name, sizes: p.structure!.tensors.map((t) => t.shape[0]) }));
  const all = sizes.flatMap((s) => s.sizes);
  if (new Set(all).size > 1) {
    const detail = sizes.map((s) => `'${s.name}' sizes: ${s.sizes.join(", ")}`).join("\n");
    throw new Error(`Data cardinality is ambiguous. Make sure all arrays contain the same number of samples.\n${detail}`);
  }
  return all[0] ?? 0;
}
