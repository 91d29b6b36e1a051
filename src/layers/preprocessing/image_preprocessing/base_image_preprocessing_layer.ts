import type { Tensor } from "../../../backend/tensor.js";
import { formatSymbolicShape, type SymbolicShape } from "../../../backend/keras_tensor.js";
import * as ops from "../../../ops/index.js";
import { standardizeDataFormat, type DataFormat } from "../../../ops/operation_utils.js";
import { Layer, type CallOptions, type LayerArgs, type LayerShape } from "../../layer.js";

export interface ImagePreprocessingArgs extends LayerArgs {
  dataFormat?: DataFormat;
  /** Kept in the config as Keras keeps it; keras-ts transforms images only. */
  boundingBoxFormat?: string | null;
}

/** A factor range: one number f for [-f, f] (clipped to the bounds), or [lower, upper]. */
export type FactorValue = number | readonly [number, number] | readonly number[];

/**
 * The base of Keras's image preprocessing layers: they take a batch `[batch, height, width,
 * channels]` or one image `[height, width, channels]` (channels first with `dataFormat`), and
 * their `training` defaults to true, as Keras's `call(data, training=True)`: a random augmentation
 * layer called directly (or in a model called directly) transforms, while `fit` turns it on and
 * `predict`/`evaluate` off.
 */
export abstract class BaseImagePreprocessingLayer extends Layer {
  readonly dataFormat: DataFormat;
  readonly boundingBoxFormat: string | null;

  protected constructor(args: ImagePreprocessingArgs) {
    super(args);
    this.dataFormat = standardizeDataFormat(args.dataFormat, this.owner());
    this.boundingBoxFormat = args.boundingBoxFormat ?? null;
  }

  /** How errors name this layer: "RandomFlip layer 'random_flip'". */
  protected owner(): string {
    return `${this.className()} layer '${this.name}'`;
  }

  /**
   * Keras's `_set_factor`: a number f gives [max(-f, lower bound), f]; a pair is sorted. Values
   * outside `bounds` are an error.
   */
  protected standardizeFactor(factor: unknown, bounds: [number, number], name = "factor"): [number, number] {
    const message = `${this.owner()}: the \`${name}\` argument should be a number (or a list of two numbers) in the range [${bounds[0]}, ${bounds[1]}]. Received: ${name}=${JSON.stringify(factor)}`;
    if (Array.isArray(factor)) {
      if (factor.length !== 2 || !factor.every((f) => typeof f === "number" && Number.isFinite(f))) throw new Error(message);
      if (factor[0] > bounds[1] || factor[1] < bounds[0]) throw new RangeError(message);
      const [lower, upper] = [...(factor as number[])].sort((a, b) => a - b);
      return [lower, upper];
    }
    if (typeof factor !== "number" || !Number.isFinite(factor)) throw new TypeError(message);
    if (factor < bounds[0] || factor > bounds[1]) throw new RangeError(message);
    const f = Math.abs(factor);
    return [Math.max(-f, bounds[0]), f];
  }

  /** Height and width axes of a batch (rank 4). */
  protected spatialAxes(): [number, number] {
    return this.dataFormat === "channels_first" ? [2, 3] : [1, 2];
  }

  /** The layer's work on a batch of float32 images `[batch, ...]` (rank 4). */
  protected abstract transformImages(images: Tensor, training: boolean): Tensor;

  override call(inputs: Tensor | Tensor[], options: CallOptions = {}): Tensor {
    const x = inputs as Tensor;
    if (x.rank !== 3 && x.rank !== 4) {
      throw new Error(`${this.owner()}: expected an image tensor of rank 3 (single image) or 4 (batch of images). Received: inputs.shape=${formatSymbolicShape(x.shape)}`);
    }
    const training = options.training ?? true;
    const batch = ops.cast(x.rank === 3 ? ops.expandDims(x, 0) : x, "float32");
    const out = this.transformImages(batch, training);
    return x.rank === 3 ? ops.squeeze(out, 0) : out;
  }

  override computeOutputShape(inputShape: LayerShape): SymbolicShape {
    return inputShape as SymbolicShape;
  }

  override getConfig(): Record<string, unknown> {
    const config = super.getConfig();
    if (this.boundingBoxFormat !== null) config.bounding_box_format = this.boundingBoxFormat;
    return config;
  }
}
