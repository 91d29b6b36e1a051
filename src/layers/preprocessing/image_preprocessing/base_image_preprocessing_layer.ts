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

/** A factor as given, copied for a config. */
export function copyFactor(factor: FactorValue): FactorValue {
  return typeof factor === "number" ? factor : [...factor];
}

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
   * Keras's `_set_factor`: a number f gives [max(-f, lower bound), f]; a pair is sorted. By default
   * (the base layer's rule) a pair must overlap the bounds; with `each`, each value of a pair must
   * lie in them, and `lowerOpen` excludes the lower bound (RandomTranslation's and RandomZoom's own
   * `_set_factor`).
   */
  protected standardizeFactor(factor: unknown, bounds: [number, number], name = "factor", rule: { each?: boolean; lowerOpen?: boolean } = {}): [number, number] {
    const [lowest, highest] = bounds;
    const range = `${rule.lowerOpen ? "(" : "["}${lowest}, ${highest}]`;
    const message = `${this.owner()}: the \`${name}\` argument should be a number (or a list of two numbers) in the range ${range}. Received: ${name}=${JSON.stringify(factor)}`;
    const within = (v: number) => (rule.lowerOpen ? v > lowest : v >= lowest) && v <= highest;
    if (Array.isArray(factor)) {
      if (factor.length !== 2 || !factor.every((f) => typeof f === "number" && Number.isFinite(f))) throw new Error(message);
      const [first, second] = factor as number[];
      if (rule.each ? !(within(first) && within(second)) : first > highest || second < lowest) throw new RangeError(message);
      const [lower, upper] = [first, second].sort((a, b) => a - b);
      return [lower, upper];
    }
    if (typeof factor !== "number" || !Number.isFinite(factor)) throw new TypeError(message);
    if (!within(factor)) throw new RangeError(message);
    const f = Math.abs(factor);
    return [Math.max(-f, lowest), f];
  }

  /** A target `height` and `width` (CenterCrop's, Resizing's): positive integers. */
  protected checkTargetSize(height: unknown, width: unknown): [number, number] {
    for (const [key, v] of [["height", height], ["width", width]] as const) {
      if (typeof v !== "number" || !Number.isInteger(v) || v <= 0) throw new RangeError(`${this.owner()}: ${key} must be a positive integer, got ${JSON.stringify(v)}`);
    }
    return [height as number, width as number];
  }

  /** The shape of one image or a batch with its height and width set to the target's. */
  protected targetShape(inputShape: LayerShape, height: number, width: number): SymbolicShape {
    const shape = [...(inputShape as SymbolicShape)];
    if (shape.length !== 3 && shape.length !== 4) {
      throw new Error(`${this.owner()}: expected an input shape of rank 3 (one image) or 4 (a batch), got ${formatSymbolicShape(shape)}`);
    }
    const offset = shape.length === 4 ? 1 : 0;
    const [h, w] = this.dataFormat === "channels_first" ? [offset + 1, offset + 2] : [offset, offset + 1];
    shape[h] = height;
    shape[w] = width;
    return shape;
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
