import type { Tensor } from "../../../backend/tensor.js";
import * as ops from "../../../ops/index.js";
import { isOptions } from "../../positional.js";
import { BaseAffineTransformLayer, type AffineTransformLayerArgs } from "./base_affine_transform_layer.js";
import { copyFactor, type FactorValue } from "./base_image_preprocessing_layer.js";

export interface RandomZoomArgs extends AffineTransformLayerArgs {
  /**
   * The vertical zoom range as a fraction: f gives [-f, f], or [lower, upper], in (-1, 1]. A
   * positive value zooms out (the image shrinks), a negative one zooms in.
   */
  heightFactor?: FactorValue;
  /** The horizontal range likewise; null (the default) zooms both axes by the vertical draw. */
  widthFactor?: FactorValue | null;
}

/**
 * During training, zooms each image about its centre by random factors; at inference, the identity.
 * Keras: `keras.layers.RandomZoom(height_factor, width_factor=None, fill_mode="reflect", interpolation="bilinear", seed=None, fill_value=0.0, data_format=None)`.
 */
export class RandomZoom extends BaseAffineTransformLayer {
  static override className = "RandomZoom";
  readonly heightFactor: FactorValue;
  readonly widthFactor: FactorValue | null;
  readonly heightRange: [number, number];
  readonly widthRange: [number, number] | null;

  constructor(heightFactor: FactorValue, args?: Omit<RandomZoomArgs, "heightFactor">);
  constructor(args: RandomZoomArgs & { heightFactor: FactorValue });
  constructor(first: FactorValue | RandomZoomArgs, rest: Omit<RandomZoomArgs, "heightFactor"> = {}) {
    const args: RandomZoomArgs = isOptions(first) ? first : { ...rest, heightFactor: first as FactorValue };
    super(args);
    const rule = { each: true, lowerOpen: true };
    this.heightRange = this.standardizeFactor(args.heightFactor, [-1, 1], "height_factor", rule);
    this.heightFactor = copyFactor(args.heightFactor as FactorValue);
    this.widthFactor = args.widthFactor === undefined || args.widthFactor === null ? null : copyFactor(args.widthFactor);
    this.widthRange = this.widthFactor === null ? null : this.standardizeFactor(this.widthFactor, [-1, 1], "width_factor", rule);
  }

  protected transformImages(images: Tensor, training: boolean): Tensor {
    if (!training) return images;
    const batch = images.shape[0];
    const [heightAxis, widthAxis] = this.spatialAxes();
    const zoomY = this.draw(batch, [1 + this.heightRange[0], 1 + this.heightRange[1]]);
    const zoomX = this.widthRange === null ? zoomY : this.draw(batch, [1 + this.widthRange[0], 1 + this.widthRange[1]]);
    // Scaling about the centre: x' = zx * x + (w - 1) / 2 * (1 - zx), likewise y.
    const offsetX = ops.multiply(ops.subtract(1, zoomX), (images.shape[widthAxis] - 1) / 2);
    const offsetY = ops.multiply(ops.subtract(1, zoomY), (images.shape[heightAxis] - 1) / 2);
    const zero = ops.zeros([batch, 1]);
    const transform = ops.concatenate([zoomX, zero, offsetX, zero, zoomY, offsetY, zero, zero], 1);
    return this.applyTransforms(images, transform);
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      height_factor: copyFactor(this.heightFactor),
      width_factor: this.widthFactor === null ? null : copyFactor(this.widthFactor),
      fill_mode: this.fillMode,
      interpolation: this.interpolation,
      seed: this.seed,
      fill_value: this.fillValue,
      data_format: this.dataFormat,
    };
  }
}
