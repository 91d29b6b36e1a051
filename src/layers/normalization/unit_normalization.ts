import type { Tensor } from "../../backend/tensor.js";
import { formatSymbolicShape, type SymbolicShape } from "../../backend/keras_tensor.js";
import * as ops from "../../ops/index.js";
import { Layer, type LayerArgs, type LayerShape } from "../layer.js";
import { isOptions } from "../positional.js";

export interface UnitNormalizationArgs extends LayerArgs {
  /** The axis or axes to normalize over. Default -1. */
  axis?: number | readonly number[];
}

/**
 * Scales each sample to unit L2 norm over `axis`: `x / max(||x||, 1e-12)`.
 * Keras: `keras.layers.UnitNormalization(axis=-1)`.
 */
export class UnitNormalization extends Layer {
  static override className = "UnitNormalization";
  override supportsMasking = true;
  readonly axis: number | number[];

  constructor(axis?: number | readonly number[], args?: LayerArgs);
  constructor(args: UnitNormalizationArgs);
  constructor(first?: number | readonly number[] | UnitNormalizationArgs, rest: LayerArgs = {}) {
    const args: UnitNormalizationArgs = isOptions(first) ? first : { ...rest, axis: first };
    super(args);
    const axis = args.axis ?? -1;
    if (!(Number.isInteger(axis) || (Array.isArray(axis) && axis.every((a) => Number.isInteger(a))))) {
      throw new TypeError(`UnitNormalization layer '${this.name}': invalid value for \`axis\` argument: expected an int or a list/tuple of ints. Received: axis=${JSON.stringify(axis)}`);
    }
    this.axis = typeof axis === "number" ? axis : [...axis];
    this.built = true;
  }

  override call(inputs: Tensor | Tensor[]): Tensor {
    return ops.normalize(inputs as Tensor, this.axis, 2, 1e-12);
  }

  override computeOutputShape(inputShape: LayerShape): SymbolicShape {
    const shape = inputShape as SymbolicShape;
    for (const a of typeof this.axis === "number" ? [this.axis] : this.axis) {
      if (a >= shape.length || a < -shape.length) throw new RangeError(`UnitNormalization layer '${this.name}': axis ${JSON.stringify(this.axis)} is out of bounds for input shape ${formatSymbolicShape(shape)}`);
    }
    return shape;
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), axis: typeof this.axis === "number" ? this.axis : [...this.axis] };
  }
}
