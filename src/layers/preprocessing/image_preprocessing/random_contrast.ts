import type { Tensor } from "../../../backend/tensor.js";
import * as ops from "../../../ops/index.js";
import * as random from "../../../random/index.js";
import { isOptions } from "../../positional.js";
import { BaseImagePreprocessingLayer, type FactorValue, type ImagePreprocessingArgs } from "./base_image_preprocessing_layer.js";

export interface RandomContrastArgs extends ImagePreprocessingArgs {
  /** The contrast factor's range: f gives [0, f] (Keras's bounds clip -f to 0), or [lower, upper], in [0, 1]. */
  factor?: FactorValue;
  /** The range of the pixel values, which outputs are clipped to. Default [0, 255]. */
  valueRange?: readonly [number, number] | readonly number[];
  seed?: number | null;
}

/**
 * During training, scales each image's deviation from its per-channel mean by a random factor
 * drawn from [1 - lower, 1 + upper]: `(x - mean) * factor + mean`, clipped to `valueRange`; at
 * inference, the identity.
 * Keras: `keras.layers.RandomContrast(factor, value_range=(0, 255), seed=None)`.
 */
export class RandomContrast extends BaseImagePreprocessingLayer {
  static override className = "RandomContrast";
  readonly factor: [number, number];
  readonly valueRange: [number, number];
  readonly seed: number | null;
  readonly generator: random.SeedGenerator;

  constructor(factor: FactorValue, args?: Omit<RandomContrastArgs, "factor">);
  constructor(args: RandomContrastArgs & { factor: FactorValue });
  constructor(first: FactorValue | RandomContrastArgs, rest: Omit<RandomContrastArgs, "factor"> = {}) {
    const args: RandomContrastArgs = isOptions(first) ? first : { ...rest, factor: first as FactorValue };
    super(args);
    this.factor = this.standardizeFactor(args.factor, [0, 1]);
    const range = args.valueRange ?? [0, 255];
    if (!Array.isArray(range) || range.length !== 2 || !range.every((v) => typeof v === "number" && Number.isFinite(v)) || range[0] > range[1]) {
      throw new Error(`${this.owner()}: valueRange must be [min, max] with min <= max, got ${JSON.stringify(args.valueRange)}`);
    }
    this.valueRange = [range[0], range[1]];
    this.seed = args.seed ?? null;
    this.generator = new random.SeedGenerator(this.seed);
  }

  protected transformImages(images: Tensor, training: boolean): Tensor {
    if (!training) return images;
    const factor = random.uniform([images.shape[0], 1, 1, 1], { minval: 1 - this.factor[0], maxval: 1 + this.factor[1], seed: this.generator });
    const mean = ops.mean(images, this.spatialAxes(), true);
    const adjusted = ops.add(ops.multiply(ops.subtract(images, mean), factor), mean);
    return ops.clip(adjusted, this.valueRange[0], this.valueRange[1]);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), factor: [...this.factor], value_range: [...this.valueRange], seed: this.seed };
  }
}
