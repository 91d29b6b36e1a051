import { Tensor } from "../../backend/tensor.js";
import { formatSymbolicShape, type SymbolicShape } from "../../backend/keras_tensor.js";
import * as ops from "../../ops/index.js";
import { Layer, type LayerArgs, type LayerMask, type LayerShape } from "../layer.js";

/** "(None, 3) and (None, 4)" / "(2, 3), (2, 4) and (2, 5)". */
export function formatShapeList(shapes: readonly SymbolicShape[]): string {
  const parts = shapes.map(formatSymbolicShape);
  return parts.length <= 1 ? parts.join("") : `${parts.slice(0, -1).join(", ")} and ${parts[parts.length - 1]}`;
}

/**
 * The base of the merge layers (Add, Subtract, Multiply, Average, Maximum, Minimum; Concatenate and
 * Dot refine it): called on a list of tensors, it checks their shapes broadcast together (the
 * axes after the batch axis are aligned from the right, as Keras does) and combines them.
 * Keras: `keras.src.layers.merging.base_merge.Merge`.
 */
export abstract class Merge extends Layer {
  static override className = "Merge";
  override supportsMasking = true;

  constructor(args: LayerArgs = {}) {
    super(args);
  }

  /** Combines inputs that already have the same rank. */
  protected abstract mergeFunction(inputs: Tensor[]): Tensor;

  /** `<ClassName> layer '<name>': <what>`: every merge error names the layer. */
  protected error(what: string): Error {
    return new Error(`${this.className()} layer '${this.name}': ${what}`);
  }

  /** The input shapes as a list, or an error if the layer was called on a single tensor. */
  protected shapeList(inputShape: LayerShape): SymbolicShape[] {
    const isList = Array.isArray(inputShape) && inputShape.length > 0 && inputShape.every((s) => Array.isArray(s));
    if (!isList) {
      throw this.error(
        `a merge layer should be called on a list of inputs, e.g. layer.apply([a, b]). Received: input_shape=${formatSymbolicShape(inputShape as SymbolicShape)} (not a list of shapes)`,
      );
    }
    return inputShape as SymbolicShape[];
  }

  /** Checks the number of inputs; the base accepts one or more. */
  protected checkInputCount(shapes: readonly SymbolicShape[]): void {
    if (shapes.length < 1) throw this.error("a merge layer should be called on a list of at least 1 input");
  }

  /** Broadcast of two shapes without batch axis (right-aligned); null entries stay unknown. */
  private broadcastPair(a: SymbolicShape, b: SymbolicShape, all: readonly SymbolicShape[]): (number | null)[] {
    if (a.length < b.length) return this.broadcastPair(b, a, all);
    const out: (number | null)[] = a.slice(0, a.length - b.length);
    const offset = a.length - b.length;
    for (let k = 0; k < b.length; k++) {
      const i = a[offset + k];
      const j = b[k];
      if (i === null || j === null) out.push(null);
      else if (i === 1) out.push(j);
      else if (j === 1) out.push(i);
      else if (i !== j) throw this.error(`inputs have incompatible shapes. Received shapes ${formatShapeList(all)}`);
      else out.push(i);
    }
    return out;
  }

  /** Validates the shapes and returns the output shape (batch axis first). */
  protected mergedShape(shapes: readonly SymbolicShape[]): SymbolicShape {
    this.checkInputCount(shapes);
    if (shapes.some((s) => s.length === 0)) {
      throw this.error(`inputs must have a batch axis; received a scalar among shapes ${formatShapeList(shapes)}`);
    }
    const batchSizes = new Set(shapes.map((s) => s[0]).filter((d): d is number => d !== null));
    if (batchSizes.size > 1) {
      throw this.error(`cannot merge tensors with different batch sizes. Received tensors with shapes ${formatShapeList(shapes)}`);
    }
    let out: (number | null)[] = shapes[0].slice(1);
    for (const s of shapes.slice(1)) out = this.broadcastPair(out, s.slice(1), shapes);
    const batch = batchSizes.size === 1 ? [...batchSizes][0] : null;
    return [batch, ...out];
  }

  override build(inputShape: LayerShape): void {
    this.mergedShape(this.shapeList(inputShape));
    this.built = true;
  }

  /** The inputs as a list of tensors, validated. */
  protected inputList(inputs: Tensor | Tensor[]): Tensor[] {
    if (!Array.isArray(inputs) || !inputs.every((t) => t instanceof Tensor)) {
      const shape = inputs instanceof Tensor ? formatSymbolicShape(inputs.shape) : typeof inputs;
      throw this.error(`a merge layer should be called on a list of inputs, e.g. layer.apply([a, b]). Received: a single input of shape ${shape}`);
    }
    return inputs;
  }

  override call(inputs: Tensor | Tensor[]): Tensor {
    const list = this.inputList(inputs);
    this.mergedShape(list.map((t) => t.shape));
    // Inputs of lower rank get size-1 axes after the batch axis, so they broadcast like the shapes above.
    const maxRank = Math.max(...list.map((t) => t.rank));
    const aligned = list.map((t) => {
      let x = t;
      while (x.rank < maxRank) x = ops.expandDims(x, 1);
      return x;
    });
    return this.mergeFunction(aligned);
  }

  override computeOutputShape(inputShape: LayerShape): LayerShape {
    return this.mergedShape(this.shapeList(inputShape));
  }

  /** The input masks as a list matching the inputs, or null when no input has a mask. */
  protected maskList(inputs: Tensor | Tensor[], mask: Tensor | (Tensor | null)[] | null): (Tensor | null)[] | null {
    if (mask === null) return null;
    if (!Array.isArray(mask)) throw this.error("`mask` should be a list, one entry per input");
    if (!Array.isArray(inputs)) throw this.error("`inputs` should be a list");
    if (mask.length !== inputs.length) throw this.error(`the lists \`inputs\` and \`mask\` should have the same length. Received ${inputs.length} inputs and ${mask.length} masks`);
    return mask;
  }

  /** Keras's merge mask: a timestep is kept if any input keeps it (none when an input has no mask). */
  override computeMask(inputs: Tensor | Tensor[], previousMask: Tensor | (Tensor | null)[] | null): LayerMask {
    const masks = this.maskList(inputs, previousMask);
    if (masks === null || masks.some((m) => m === null)) return null;
    return (masks as Tensor[]).reduce((a, b) => ops.logicalOr(a, b));
  }
}
