import type { Tensor } from "../../backend/tensor.js";
import type { DType } from "../../backend/dtypes.js";
import * as ops from "../../ops/index.js";
import * as random from "../../random/index.js";
import { Layer, type CallOptions, type LayerArgs, type LayerShape } from "../layer.js";
import { isOptions } from "../positional.js";

export interface GaussianNoiseArgs extends LayerArgs {
  /** Standard deviation of the noise, in [0, 1]. */
  stddev?: number;
  /** An integer seed for reproducible noise. */
  seed?: number | null;
}

/**
 * Adds zero-centred Gaussian noise with standard deviation `stddev` during training (a
 * regularizer, and a form of data augmentation); the identity at inference.
 * Keras: `keras.layers.GaussianNoise(stddev, seed=None)`.
 */
export class GaussianNoise extends Layer {
  static override className = "GaussianNoise";
  override supportsMasking = true;
  readonly stddev: number;
  readonly seed: number | null;
  readonly seedGenerator?: random.SeedGenerator;

  constructor(stddev: number, args?: Omit<GaussianNoiseArgs, "stddev">);
  constructor(args: GaussianNoiseArgs & { stddev: number });
  constructor(first: number | GaussianNoiseArgs, rest: Omit<GaussianNoiseArgs, "stddev"> = {}) {
    const args: GaussianNoiseArgs = isOptions(first) ? first : { ...rest, stddev: first };
    super(args);
    const stddev = args.stddev;
    if (typeof stddev !== "number" || !(stddev >= 0 && stddev <= 1)) {
      throw new RangeError(`Invalid value received for argument \`stddev\` of GaussianNoise layer '${this.name}'. Expected a float value between 0 and 1. Received: stddev=${String(stddev)}`);
    }
    this.stddev = stddev;
    this.seed = args.seed ?? null;
    if (stddev > 0) this.seedGenerator = new random.SeedGenerator(this.seed);
    this.built = true;
  }

  override call(inputs: Tensor | Tensor[], options: CallOptions = {}): Tensor {
    const x = inputs as Tensor;
    if (options.training !== true || this.stddev === 0) return x;
    return ops.add(x, random.normal(x.shape, { mean: 0, stddev: this.stddev, seed: this.seedGenerator }));
  }

  override computeOutputShape(inputShape: LayerShape): LayerShape {
    return inputShape;
  }

  protected override outputDType(inputDType: DType): DType {
    return inputDType;
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), stddev: this.stddev, seed: this.seed };
  }
}
