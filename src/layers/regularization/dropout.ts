import type { Tensor } from "../../backend/tensor.js";
import type { DType } from "../../backend/dtypes.js";
import * as random from "../../random/index.js";
import { Layer, type CallOptions, type LayerArgs, type LayerShape } from "../layer.js";

export interface DropoutArgs extends LayerArgs {
  /** Fraction of the input units to drop, in [0, 1]. */
  rate?: number;
  /**
   * Shape of the keep/drop mask, broadcast over the inputs (null entries take the input's size):
   * `[null, 1, null]` drops the same features at every timestep.
   */
  noiseShape?: readonly (number | null)[] | null;
  /** An integer seed for reproducible masks. */
  seed?: number | null;
}

/**
 * Sets a fraction `rate` of its inputs to 0 during training and scales the rest by `1 / (1 - rate)`
 * so the expected sum is unchanged; at inference it returns its inputs unchanged.
 * Keras: `keras.layers.Dropout(rate, noise_shape=None, seed=None)`.
 */
export class Dropout extends Layer {
  static override className = "Dropout";
  override supportsMasking = true;
  readonly rate: number;
  readonly noiseShape: (number | null)[] | null;
  readonly seed: number | null;
  /** Draws a new mask on every training call (reproducibly when `seed` is given). */
  readonly seedGenerator?: random.SeedGenerator;

  constructor(rate: number, args?: Omit<DropoutArgs, "rate">);
  constructor(args: DropoutArgs & { rate: number });
  constructor(rateOrArgs: number | DropoutArgs, maybeArgs: Omit<DropoutArgs, "rate"> = {}) {
    const args: DropoutArgs = typeof rateOrArgs === "number" ? { ...maybeArgs, rate: rateOrArgs } : rateOrArgs;
    super(args);
    const rate = args.rate;
    if (typeof rate !== "number" || !(rate >= 0 && rate <= 1)) {
      throw new RangeError(`Invalid value received for argument \`rate\` of Dropout layer '${this.name}'. Expected a float value between 0 and 1. Received: rate=${String(rate)}`);
    }
    this.rate = rate;
    this.seed = args.seed ?? null;
    this.noiseShape = validateNoiseShape(args.noiseShape, this.name);
    if (rate > 0) this.seedGenerator = new random.SeedGenerator(this.seed);
    this.built = true;
  }

  override call(inputs: Tensor | Tensor[], options: CallOptions = {}): Tensor {
    const x = inputs as Tensor;
    if (options.training === true && this.rate > 0) {
      return random.dropout(x, this.rate, { noiseShape: this.noiseShape ?? undefined, seed: this.seedGenerator });
    }
    return x;
  }

  override computeOutputShape(inputShape: LayerShape): LayerShape {
    return inputShape;
  }

  protected override outputDType(inputDType: DType): DType {
    // What inference returns (the inputs themselves), as Keras's symbolic Dropout reports.
    return inputDType;
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      rate: this.rate,
      seed: this.seed,
      noise_shape: this.noiseShape === null ? null : [...this.noiseShape],
    };
  }
}

function validateNoiseShape(noiseShape: DropoutArgs["noiseShape"], name: string): (number | null)[] | null {
  if (noiseShape === undefined || noiseShape === null) return null;
  if (!Array.isArray(noiseShape)) {
    throw new TypeError(`Dropout layer '${name}': noiseShape must be an array of positive integers or null, got ${JSON.stringify(noiseShape)}`);
  }
  noiseShape.forEach((d, i) => {
    if (d !== null && (!Number.isInteger(d) || d <= 0)) {
      throw new RangeError(`Dropout layer '${name}': noiseShape entries must be positive integers or null; entry ${i} is ${JSON.stringify(d)}`);
    }
  });
  return [...noiseShape];
}
