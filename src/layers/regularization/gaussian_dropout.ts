import type { Tensor } from "../../backend/tensor.js";
import type { DType } from "../../backend/dtypes.js";
import * as ops from "../../ops/index.js";
import * as random from "../../random/index.js";
import { Layer, type CallOptions, type LayerArgs, type LayerShape } from "../layer.js";
import { isOptions } from "../positional.js";

export interface GaussianDropoutArgs extends LayerArgs {
  /** Drop probability, in [0, 1): the noise has standard deviation sqrt(rate / (1 - rate)). */
  rate?: number;
  /** An integer seed for reproducible noise. */
  seed?: number | null;
}

/**
 * Multiplies its inputs by Gaussian noise of mean 1 and standard deviation
 * `sqrt(rate / (1 - rate))` during training; the identity at inference.
 * Keras: `keras.layers.GaussianDropout(rate, seed=None)`.
 */
export class GaussianDropout extends Layer {
  static override className = "GaussianDropout";
  override supportsMasking = true;
  readonly rate: number;
  readonly seed: number | null;
  readonly seedGenerator?: random.SeedGenerator;

  constructor(rate: number, args?: Omit<GaussianDropoutArgs, "rate">);
  constructor(args: GaussianDropoutArgs & { rate: number });
  constructor(first: number | GaussianDropoutArgs, rest: Omit<GaussianDropoutArgs, "rate"> = {}) {
    const args: GaussianDropoutArgs = isOptions(first) ? first : { ...rest, rate: first };
    super(args);
    const rate = args.rate;
    if (typeof rate !== "number" || !(rate >= 0 && rate <= 1)) {
      throw new RangeError(`Invalid value received for argument \`rate\` of GaussianDropout layer '${this.name}'. Expected a float value between 0 and 1. Received: rate=${String(rate)}`);
    }
    this.rate = rate;
    this.seed = args.seed ?? null;
    if (rate > 0) this.seedGenerator = new random.SeedGenerator(this.seed);
    this.built = true;
  }

  override call(inputs: Tensor | Tensor[], options: CallOptions = {}): Tensor {
    const x = inputs as Tensor;
    if (options.training !== true || this.rate === 0) return x;
    if (this.rate === 1) {
      // Keras would multiply by noise of infinite spread (NaN outputs); say so instead.
      throw new RangeError(`GaussianDropout layer '${this.name}': rate=1 gives noise of infinite standard deviation; use a rate below 1`);
    }
    const stddev = Math.sqrt(this.rate / (1 - this.rate));
    return ops.multiply(x, random.normal(x.shape, { mean: 1, stddev, seed: this.seedGenerator }));
  }

  override computeOutputShape(inputShape: LayerShape): LayerShape {
    return inputShape;
  }

  protected override outputDType(inputDType: DType): DType {
    return inputDType;
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), rate: this.rate, seed: this.seed };
  }
}
