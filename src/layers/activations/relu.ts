import type { Tensor } from "../../backend/tensor.js";
import * as ops from "../../ops/index.js";
import { Layer, type LayerArgs, type LayerShape } from "../layer.js";

export interface ReLUArgs extends LayerArgs {
  /** Upper bound of the output (>= 0); null (the default) for none. */
  maxValue?: number | null;
  /** Slope below the threshold (>= 0). Default 0. */
  negativeSlope?: number;
  /** Values below it are "negative" (>= 0). Default 0. */
  threshold?: number;
}

/**
 * Keras's `activations.relu` with all its options:
 * `maxValue` if x >= maxValue, x if threshold <= x < maxValue, negativeSlope * (x - threshold) otherwise.
 */
export function reluWithOptions(input: Tensor, negativeSlope = 0, maxValue: number | null = null, threshold = 0): Tensor {
  let x = input.dtype === "float32" ? input : ops.cast(input, "float32");
  let negativePart: Tensor | null = null;
  if (negativeSlope !== 0) {
    if (maxValue === null && threshold === 0) return ops.leakyRelu(x, negativeSlope);
    negativePart = threshold !== 0 ? ops.relu(ops.add(ops.negative(x), threshold)) : ops.relu(ops.negative(x));
  }
  let clipMax = maxValue !== null;
  if (threshold !== 0) {
    x = ops.multiply(x, ops.cast(ops.greater(x, threshold), x.dtype));
  } else if (maxValue === 6) {
    x = ops.relu6(x);
    clipMax = false;
  } else {
    x = ops.relu(x);
  }
  if (clipMax) x = ops.clip(x, 0, maxValue as number);
  if (negativePart !== null) x = ops.subtract(x, ops.multiply(negativePart, negativeSlope));
  return x;
}

function checkNonNegative(value: unknown, what: string, name: string, allowNull: boolean): void {
  if (allowNull && value === null) return;
  if (typeof value !== "number" || !(value >= 0)) {
    throw new RangeError(`ReLU layer '${name}': ${what} cannot be ${allowNull ? "" : "null or "}a negative value. Received: ${what}=${String(value)}`);
  }
}

/**
 * Rectified linear unit with Keras's options (defaults: no maximum, slope 0, threshold 0).
 * Keras: `keras.layers.ReLU(max_value=None, negative_slope=0.0, threshold=0.0)`.
 */
export class ReLU extends Layer {
  static override className = "ReLU";
  override supportsMasking = true;
  readonly maxValue: number | null;
  readonly negativeSlope: number;
  readonly threshold: number;

  constructor(args: ReLUArgs = {}) {
    super(args);
    const maxValue = args.maxValue ?? null;
    const negativeSlope = args.negativeSlope === undefined ? 0 : args.negativeSlope;
    const threshold = args.threshold === undefined ? 0 : args.threshold;
    checkNonNegative(maxValue, "max_value", this.name, true);
    checkNonNegative(negativeSlope, "negative_slope", this.name, false);
    checkNonNegative(threshold, "threshold", this.name, false);
    this.maxValue = maxValue;
    this.negativeSlope = negativeSlope;
    this.threshold = threshold;
    this.built = true;
  }

  override call(inputs: Tensor | Tensor[]): Tensor {
    return reluWithOptions(inputs as Tensor, this.negativeSlope, this.maxValue, this.threshold);
  }

  override computeOutputShape(inputShape: LayerShape): LayerShape {
    return inputShape;
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), max_value: this.maxValue, negative_slope: this.negativeSlope, threshold: this.threshold };
  }
}
