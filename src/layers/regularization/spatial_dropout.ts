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
 * BaseSpatialDropout; its config holds only rate, seed, name and dtype (and data_format).
 */
abstract class BaseSpatialDropout extends Dropout {
  protected constructor(args: SpatialDropoutArgs) {
    super({ rate: args.rate as number, seed: args.seed, name: args.name, dtype: args.dtype, inputShape: args.inputShape, batchSize: args.batchSize, batchInputShape: args.batchInputShape });
  }

  /** The mask's shape for inputs of `shape`: 1 on every spatial axis. */
  protected abstract noiseShapeFor(shape: readonly number[]): number[];

  override call(inputs: Tensor | Tensor[], options: CallOptions = {}): Tensor {
    const x = inputs as Tensor;
    if (options.training === true && this.rate > 0) return random.dropout(x, this.rate, { noiseShape: this.noiseShapeFor(x.shape), seed: this.seedGenerator });
    return x;
  }

  override getConfig(): Record<string, unknown> {
    return { rate: this.rate, seed: this.seed, name: this.name, dtype: this.dtype };
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
    super(spatialArgs(first, rest));
    this.inputSpec = { ndim: 3 };
  }

  protected noiseShapeFor(shape: readonly number[]): number[] {
    return [shape[0], 1, shape[2]];
  }
}

/**
 * Drops whole feature maps of `[batch, height, width, channels]` inputs during training.
 * Keras: `keras.layers.SpatialDropout2D(rate, data_format=None, seed=None)`.
 */
export class SpatialDropout2D extends BaseSpatialDropout {
  static override className = "SpatialDropout2D";
  readonly dataFormat: DataFormat;

  constructor(rate: number, args?: Omit<SpatialDropout2DArgs, "rate">);
  constructor(args: SpatialDropout2DArgs & { rate: number });
  constructor(first: number | SpatialDropout2DArgs, rest: Omit<SpatialDropout2DArgs, "rate"> = {}) {
    const args = spatialArgs(first, rest);
    super(args);
    this.dataFormat = standardizeDataFormat(args.dataFormat, `SpatialDropout2D layer '${this.name}'`);
    this.inputSpec = { ndim: 4 };
  }

  protected noiseShapeFor(shape: readonly number[]): number[] {
    return this.dataFormat === "channels_first" ? [shape[0], shape[1], 1, 1] : [shape[0], 1, 1, shape[3]];
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), data_format: this.dataFormat };
  }
}

/**
 * Drops whole feature maps of `[batch, dim1, dim2, dim3, channels]` inputs during training.
 * Keras: `keras.layers.SpatialDropout3D(rate, data_format=None, seed=None)`.
 */
export class SpatialDropout3D extends BaseSpatialDropout {
  static override className = "SpatialDropout3D";
  readonly dataFormat: DataFormat;

  constructor(rate: number, args?: Omit<SpatialDropout2DArgs, "rate">);
  constructor(args: SpatialDropout2DArgs & { rate: number });
  constructor(first: number | SpatialDropout2DArgs, rest: Omit<SpatialDropout2DArgs, "rate"> = {}) {
    const args = spatialArgs(first, rest);
    super(args);
    this.dataFormat = standardizeDataFormat(args.dataFormat, `SpatialDropout3D layer '${this.name}'`);
    this.inputSpec = { ndim: 5 };
  }

  protected noiseShapeFor(shape: readonly number[]): number[] {
    return this.dataFormat === "channels_first" ? [shape[0], shape[1], 1, 1, 1] : [shape[0], 1, 1, 1, shape[4]];
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), data_format: this.dataFormat };
  }
}
