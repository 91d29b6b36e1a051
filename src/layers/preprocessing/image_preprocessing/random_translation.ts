import type { Tensor } from "../../../backend/tensor.js";
import * as ops from "../../../ops/index.js";
import * as random from "../../../random/index.js";
import { isOptions } from "../../positional.js";
import { affineTransform, type FillMode, type Interpolation } from "./affine_transform.js";
import { BaseImagePreprocessingLayer, type FactorValue, type ImagePreprocessingArgs } from "./base_image_preprocessing_layer.js";
import { checkFillMode, checkInterpolation, copyFactor, standardizeSymmetricFactor } from "./transform_options.js";

export interface RandomTranslationArgs extends ImagePreprocessingArgs {
  /** The vertical shift range as a fraction of the height: f gives [-f, f], or [lower, upper], in [-1, 1]. */
  heightFactor?: FactorValue;
  /** The horizontal shift range as a fraction of the width, likewise. */
  widthFactor?: FactorValue;
  fillMode?: FillMode;
  interpolation?: Interpolation;
  seed?: number | null;
  fillValue?: number;
}

/**
 * During training, shifts each image by random fractions of its height and width (positive
 * values move it down and right); at inference, the identity.
 * Keras: `keras.layers.RandomTranslation(height_factor, width_factor, fill_mode="reflect", interpolation="bilinear", seed=None, fill_value=0.0, data_format=None)`.
 */
export class RandomTranslation extends BaseImagePreprocessingLayer {
  static override className = "RandomTranslation";
  readonly heightFactor: FactorValue;
  readonly widthFactor: FactorValue;
  readonly heightRange: [number, number];
  readonly widthRange: [number, number];
  readonly fillMode: FillMode;
  readonly interpolation: Interpolation;
  readonly seed: number | null;
  readonly fillValue: number;
  readonly generator: random.SeedGenerator;

  constructor(heightFactor: FactorValue, widthFactor: FactorValue, args?: Omit<RandomTranslationArgs, "heightFactor" | "widthFactor">);
  constructor(args: RandomTranslationArgs & { heightFactor: FactorValue; widthFactor: FactorValue });
  constructor(first: FactorValue | RandomTranslationArgs, second?: FactorValue, rest: Omit<RandomTranslationArgs, "heightFactor" | "widthFactor"> = {}) {
    const args: RandomTranslationArgs = isOptions(first) ? first : { ...rest, heightFactor: first as FactorValue, widthFactor: second };
    super(args);
    this.heightRange = standardizeSymmetricFactor(args.heightFactor, "height_factor", this.owner());
    this.widthRange = standardizeSymmetricFactor(args.widthFactor, "width_factor", this.owner());
    this.heightFactor = copyFactor(args.heightFactor as FactorValue);
    this.widthFactor = copyFactor(args.widthFactor as FactorValue);
    this.fillMode = checkFillMode(args.fillMode ?? "reflect", this.owner());
    this.interpolation = checkInterpolation(args.interpolation ?? "bilinear", this.owner());
    this.seed = args.seed ?? null;
    this.fillValue = args.fillValue ?? 0;
    this.generator = new random.SeedGenerator(this.seed);
  }

  protected transformImages(images: Tensor, training: boolean): Tensor {
    if (!training) return images;
    const batch = images.shape[0];
    const [heightAxis, widthAxis] = this.spatialAxes();
    const shiftY = ops.multiply(random.uniform([batch, 1], { minval: this.heightRange[0], maxval: this.heightRange[1], seed: this.generator }), images.shape[heightAxis]);
    const shiftX = ops.multiply(random.uniform([batch, 1], { minval: this.widthRange[0], maxval: this.widthRange[1], seed: this.generator }), images.shape[widthAxis]);
    const zero = ops.zeros([batch, 1]);
    const one = ops.ones([batch, 1]);
    const transform = ops.concatenate([one, zero, ops.negative(shiftX), zero, one, ops.negative(shiftY), zero, zero], 1);
    return affineTransform(images, transform, { interpolation: this.interpolation, fillMode: this.fillMode, fillValue: this.fillValue, dataFormat: this.dataFormat });
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      height_factor: copyFactor(this.heightFactor),
      width_factor: copyFactor(this.widthFactor),
      fill_mode: this.fillMode,
      interpolation: this.interpolation,
      seed: this.seed,
      fill_value: this.fillValue,
      data_format: this.dataFormat,
    };
  }
}
