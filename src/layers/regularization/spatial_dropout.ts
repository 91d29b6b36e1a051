import type { Tensor } from "../../backend/tensor.js";
import * as random from "../../random/index.js";
import { standardizeDataFormat, type DataFormat } from "../../ops/operation_utils.js";
import type { CallOptions, LayerArgs } from "../layer.js";
import { isOptions } from "../positional.js";
import { Dropout } from "./dropout.js";

export interface SpatialDropoutArgs {
  /** Fraction of the feature maps (channels) to drop, in [0, 1]. */
  rate?: number;
  /** An integer seed for reproducible masks. */
  seed?: number | null;
  name?: string;
  dtype?: LayerArgs["dtype"];
  inputShape?: LayerArgs["inputShape"];
  batchSize?: LayerArgs["batchSize"];
  batchInputShape?: LayerArgs["batchInputShape"];
}

export interface SpatialDropout2DArgs extends SpatialDropoutArgs {
  dataFormat?: DataFormat;
}

function spatialArgs<A extends SpatialDropoutArgs>(first: number | A, rest: Omit<A, "rate">): A {
  return isOptions(first) ? (first as A) : ({ ...rest, rate: first } as A);
}

/**
 * Dropout of whole feature maps: one keep/drop draw per sample and channel, shared by every
 * position, so neighbouring (correlated) activations are dropped together. Keras's
 * BaseSpatialDropout; its config holds only rate, seed, name and dtype (and data_format, for 2D
 * and 3D).
 */
abstract class BaseSpatialDropout extends Dropout {
  /** channels_last for SpatialDropout1D, which has no data_format. */
  readonly dataFormat: DataFormat;

  protected constructor(private readonly spatialAxes: number, args: SpatialDropout2DArgs) {
    super({ rate: args.rate as number, seed: args.seed, name: args.name, dtype: args.dtype, inputShape: args.inputShape, batchSize: args.batchSize, batchInputShape: args.batchInputShape });
    this.dataFormat = spatialAxes === 1 ? "channels_last" : standardizeDataFormat(args.dataFormat, `${this.className()} layer '${this.name}'`);
    this.inputSpec = { ndim: spatialAxes + 2 };
  }

  override call(inputs: Tensor | Tensor[], options: CallOptions = {}): Tensor {
    const x = inputs as Tensor;
    if (options.training !== true || this.rate <= 0) return x;
    // The mask has 1 on every spatial axis.
    const ones = new Array<number>(this.spatialAxes).fill(1);
    const noiseShape = this.dataFormat === "channels_first" ? [x.shape[0], x.shape[1], ...ones] : [x.shape[0], ...ones, x.shape[x.rank - 1]];
    return random.dropout(x, this.rate, { noiseShape, seed: this.seedGenerator });
  }

  override getConfig(): Record<string, unknown> {
    const config: Record<string, unknown> = { rate: this.rate, seed: this.seed, name: this.name, dtype: this.dtype };
    if (this.spatialAxes > 1) config.data_format = this.dataFormat;
    return config;
  }
}

/**
 * Drops whole channels of `[batch, steps, channels]` inputs during training.
 * Keras: `keras.layers.SpatialDropout1D(rate, seed=None)`.
 */
export class SpatialDropout1D extends BaseSpatialDropout {
  static override className = "SpatialDropout1D";

  constructor(rate: number, args?: Omit<SpatialDropoutArgs, "rate">);
  constructor(args: SpatialDropoutArgs & { rate: number });
  constructor(first: number | SpatialDropoutArgs, rest: Omit<SpatialDropoutArgs, "rate"> = {}) {
    super(1, spatialArgs(first, rest));
  }
}

/**
 * Drops whole feature maps of `[batch, height, width, channels]` inputs during training.
 * Keras: `keras.layers.SpatialDropout2D(rate, data_format=None, seed=None)`.
 */
export class SpatialDropout2D extends BaseSpatialDropout {
  static override className = "SpatialDropout2D";

  constructor(rate: number, args?: Omit<SpatialDropout2DArgs, "rate">);
  constructor(args: SpatialDropout2DArgs & { rate: number });
  constructor(first: number | SpatialDropout2DArgs, rest: Omit<SpatialDropout2DArgs, "rate"> = {}) {
    super(2, spatialArgs(first, rest));
  }
}

/**
 * Drops whole feature maps of `[batch, dim1, dim2, dim3, channels]` inputs during training.
 * Keras: `keras.layers.SpatialDropout3D(rate, data_format=None, seed=None)`.
 */
export class SpatialDropout3D extends BaseSpatialDropout {
  static override className = "SpatialDropout3D";

  constructor(rate: number, args?: Omit<SpatialDropout2DArgs, "rate">);
  constructor(args: SpatialDropout2DArgs & { rate: number });
  constructor(first: number | SpatialDropout2DArgs, rest: Omit<SpatialDropout2DArgs, "rate"> = {}) {
    super(3, spatialArgs(first, rest));
  }
}
