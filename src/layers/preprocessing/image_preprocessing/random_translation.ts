import type { Tensor } from "../../../backend/tensor.js";
import * as ops from "../../../ops/index.js";
import { isOptions } from "../../positional.js";
import { BaseAffineTransformLayer, type AffineTransformLayerArgs } from "./base_affine_transform_layer.js";
import { copyFactor, type FactorValue } from "./base_image_preprocessing_layer.js";

export interface RandomTranslationArgs extends AffineTransformLayerArgs {
  /** The vertical shift range as a fraction of the height: f gives [-f, f], or [lower, upper], in [-1, 1]. */
  heightFactor?: FactorValue;
  /** The horizontal shift range as a fraction of the width, likewise. */
  widthFactor?: FactorValue;
}

/**
 * During training, shifts each image by random fractions of its height and width (positive
 * values move it down and right); at inference, the identity.
 * Keras: `keras.layers.RandomTranslation(height_factor, width_factor, fill_mode="reflect", interpolation="bilinear", seed=None, fill_value=0.0, data_format=None)`.
 */
export class RandomTranslation extends BaseAffineTransformLayer {
  static override className = "RandomTranslation";
  readonly heightFactor: FactorValue;
  readonly widthFactor: FactorValue;
  readonly heightRange: [number, number];
  readonly widthRange: [number, number];

  constructor(heightFactor: FactorValue, widthFactor: FactorValue, args?: Omit<RandomTranslationArgs, "heightFactor" | "widthFactor">);
  constructor(args: RandomTranslationArgs & { heightFactor: FactorValue; widthFactor: FactorValue });
  constructor(first: FactorValue | RandomTranslationArgs, second?: FactorValue, rest: Omit<RandomTranslationArgs, "heightFactor" | "widthFactor"> = {}) {
    const args: RandomTranslationArgs = isOptions(first) ? first : { ...rest, heightFactor: first as FactorValue, widthFactor: second };
    super(args);
    this.heightRange = this.standardizeFactor(args.heightFactor, [-1, 1], "height_factor", { each: true });
    this.widthRange = this.standardizeFactor(args.widthFactor, [-1, 1], "width_factor", { each: true });
    this.heightFactor = copyFactor(args.heightFactor as FactorValue);
    this.widthFactor = copyFactor(args.widthFactor as FactorValue);
  }

  protected transformImages(images: Tensor, training: boolean): Tensor {
    if (!training) return images;
    const batch = images.shape[0];
    const [heightAxis, widthAxis] = this.spatialAxes();
    const shiftY = ops.multiply(this.draw(batch, this.heightRange), images.shape[heightAxis]);
    const shiftX = ops.multiply(this.draw(batch, this.widthRange), images.shape[widthAxis]);
    const zero = ops.zeros([batch, 1]);
    const one = ops.ones([batch, 1]);
    const transform = ops.concatenate([one, zero, ops.negative(shiftX), zero, one, ops.negative(shiftY), zero, zero], 1);
    return this.applyTransforms(images, transform);
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
