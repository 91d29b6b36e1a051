import type { Tensor } from "../../backend/tensor.js";
import type { KerasTensor, SymbolicShape } from "../../backend/keras_tensor.js";
import * as ops from "../../ops/index.js";
import type { LayerArgs, LayerMask } from "../layer.js";
import { Merge, formatShapeList } from "./base_merge.js";

export interface ConcatenateArgs extends LayerArgs {
  /** Axis to concatenate along. Default -1. */
  axis?: number;
}

/**
 * Concatenates a list of inputs along `axis`; all other axes must match.
 * Keras: `keras.layers.Concatenate(axis=-1)`.
 */
export class Concatenate extends Merge {
  static override className = "Concatenate";
  readonly axis: number;

  constructor(axis: number, args?: LayerArgs);
  constructor(args?: ConcatenateArgs);
  constructor(axisOrArgs: number | ConcatenateArgs = {}, maybeArgs: LayerArgs = {}) {
    const args: ConcatenateArgs = typeof axisOrArgs === "number" ? { ...maybeArgs, axis: axisOrArgs } : axisOrArgs;
    super(args);
    const axis = args.axis ?? -1;
    if (!Number.isInteger(axis)) throw new TypeError(`Concatenate layer '${this.name}': axis must be an integer, got ${JSON.stringify(axis)}`);
    this.axis = axis;
  }

  protected override mergedShape(shapes: readonly SymbolicShape[]): SymbolicShape {
    this.checkInputCount(shapes);
    const mismatch = (): Error =>
      this.error(`a Concatenate layer requires inputs with matching shapes except for the concatenation axis (axis=${this.axis}). Received: input shapes ${formatShapeList(shapes)}`);
    const rank = shapes[0].length;
    if (shapes.some((s) => s.length !== rank)) throw mismatch();
    const axis = this.axis < 0 ? this.axis + rank : this.axis;
    if (axis < 0 || axis >= rank) {
      throw this.error(`axis ${this.axis} is out of bounds for inputs of rank ${rank} (shapes ${formatShapeList(shapes)})`);
    }
    const out: (number | null)[] = [];
    for (let i = 0; i < rank; i++) {
      const dims = shapes.map((s) => s[i]);
      if (i === axis) {
        out.push(dims.some((d) => d === null) ? null : (dims as number[]).reduce((a, b) => a + b, 0));
        continue;
      }
      const known = new Set(dims.filter((d): d is number => d !== null));
      if (known.size > 1) throw mismatch();
      out.push(known.size === 1 ? [...known][0] : null);
    }
    return out;
  }

  protected mergeFunction(inputs: Tensor[]): Tensor {
    return ops.concatenate(inputs, this.axis);
  }

  override call(inputs: Tensor | Tensor[]): Tensor {
    const list = this.inputList(inputs);
    this.mergedShape(list.map((t) => t.shape));
    return this.mergeFunction(list);
  }

  /**
   * Keras's: each input's mask (all true for an unmasked input) expanded to the input's shape,
   * concatenated like the inputs, then any() over the last axis.
   */
  override computeMask(inputs: Tensor | Tensor[], previousMask: Tensor | (Tensor | null)[] | null): LayerMask {
    const masks = this.maskList(inputs, previousMask);
    if (masks === null || masks.every((m) => m === null)) return null;
    const list = inputs as Tensor[];
    const full = list.map((x, i) => {
      const m = masks[i];
      if (m === null) return ops.onesLike(x, "bool");
      return m.rank < x.rank ? ops.broadcastTo(ops.expandDims(m, -1), x.shape) : m;
    });
    return ops.any(ops.concatenate(full, this.axis), -1, false);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), axis: this.axis };
  }
}

/** Functional form, Keras's `keras.layers.concatenate(inputs, axis=-1)`. */
export function concatenate(inputs: Tensor[], axis?: number, args?: LayerArgs): Tensor;
export function concatenate(inputs: KerasTensor[], axis?: number, args?: LayerArgs): KerasTensor;
export function concatenate(inputs: Tensor[] | KerasTensor[], axis = -1, args: LayerArgs = {}): Tensor | KerasTensor {
  return new Concatenate({ ...args, axis }).apply(inputs);
}
