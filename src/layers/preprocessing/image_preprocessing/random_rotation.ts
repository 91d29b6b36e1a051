import type { Tensor } from "../../../backend/tensor.js";
import * as ops from "../../../ops/index.js";
import { isOptions } from "../../positional.js";
import { BaseAffineTransformLayer, type AffineTransformLayerArgs } from "./base_affine_transform_layer.js";
import type { FactorValue } from "./base_image_preprocessing_layer.js";

export interface RandomRotationArgs extends AffineTransformLayerArgs {
  /** The rotation range as a fraction of a full turn: f gives [-f, f] (0.1 = up to 36 degrees), or [lower, upper], in [-1, 1]. */
  factor?: FactorValue;
}

/**
 * During training, rotates each image about its centre by a random angle (counter-clockwise for
 * positive angles); at inference, the identity.
 * Keras: `keras.layers.RandomRotation(factor, fill_mode="reflect", interpolation="bilinear", seed=None, fill_value=0.0, data_format=None)`.
 */
export class RandomRotation extends BaseAffineTransformLayer {
  static override className = "RandomRotation";
  readonly factor: [number, number];

  constructor(factor: FactorValue, args?: Omit<RandomRotationArgs, "factor">);
  constructor(args: RandomRotationArgs & { factor: FactorValue });
  constructor(first: FactorValue | RandomRotationArgs, rest: Omit<RandomRotationArgs, "factor"> = {}) {
    const args: RandomRotationArgs = isOptions(first) ? first : { ...rest, factor: first as FactorValue };
    super(args);
    this.factor = this.standardizeFactor(args.factor, [-1, 1]);
  }

  protected transformImages(images: Tensor, training: boolean): Tensor {
    if (!training) return images;
    const batch = images.shape[0];
    const [heightAxis, widthAxis] = this.spatialAxes();
    const degrees = this.draw(batch, [this.factor[0] * 360, this.factor[1] * 360]);
    const angle = ops.multiply(degrees, Math.PI / 180);
    const cos = ops.cos(angle);
    const sin = ops.sin(angle);
    // The rotation about the image centre, mapping each output pixel to where it is read from.
    const cx = 0.5 * (images.shape[widthAxis] - 1);
    const cy = 0.5 * (images.shape[heightAxis] - 1);
    const a2 = ops.subtract(ops.subtract(cx, ops.multiply(cos, cx)), ops.multiply(ops.negative(sin), cy));
    const b2 = ops.subtract(ops.subtract(cy, ops.multiply(sin, cx)), ops.multiply(cos, cy));
    const transform = ops.concatenate([cos, ops.negative(sin), a2, sin, cos, b2, ops.zeros([batch, 2])], 1);
    return this.applyTransforms(images, transform);
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      factor: [...this.factor],
      data_format: this.dataFormat,
      fill_mode: this.fillMode,
      fill_value: this.fillValue,
      interpolation: this.interpolation,
      seed: this.seed,
    };
  }
}
