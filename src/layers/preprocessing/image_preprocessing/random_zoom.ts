import type { Tensor } from "../../../backend/tensor.js";
import * as ops from "../../../ops/index.js";
import * as random from "../../../random/index.js";
import { isOptions } from "../../positional.js";
import { affineTransform, type FillMode, type Interpolation } from "./affine_transform.js";
import { BaseImagePreprocessingLayer, type FactorValue, type ImagePreprocessingArgs } from "./base_image_preprocessing_layer.js";
import { checkFillMode, checkInterpolation, copyFactor, standardizeSymmetricFactor } from "./transform_options.js";

export interface RandomZoomArgs extends ImagePreprocessingArgs {
  /**
   * The vertical zoom range as a fraction: f gives [-f, f], or [lower, upper], in [-1, 1]. A
   * positive value zooms out (the image shrinks), a negative one zooms in.
   */
  heightFactor?: FactorValue;
  /** The horizontal range likewise; null (the default) zooms both axes by the vertical draw. */
  widthFactor?: FactorValue | null;
  fillMode?: FillMode;
  interpolation?: Interpolation;
  seed?: number | null;
  fillValue?: number;
}

/**
 * During training, zooms each image about its centre by random factors; at inference, the identity.
 * Keras: `keras.layers.RandomZoom(height_factor, width_factor=None, fill_mode="reflect", interpolation="bilinear", seed=None, fill_value=0.0, data_format=None)`.
 */
export class RandomZoom extends BaseImagePreprocessingLayer {
  static override className = "RandomZoom";
  readonly heightFactor: FactorValue;
  readonly widthFactor: FactorValue | null;
  readonly heightRange: [number, number];
  readonly widthRange: [number, number] | null;
  readonly fillMode: FillMode;
  readonly interpolation: Interpolation;
  readonly seed: number | null;
  readonly fillValue: number;
  readonly generator: random.SeedGenerator;

  constructor(heightFactor: FactorValue, args?: Omit<RandomZoomArgs, "heightFactor">);
  constructor(args: RandomZoomArgs & { heightFactor: FactorValue });
  constructor(first: FactorValue | RandomZoomArgs, rest: Omit<RandomZoomArgs, "heightFactor"> = {}) {
    const args: RandomZoomArgs = isOptions(first) ? first : { ...rest, heightFactor: first as FactorValue };
    super(args);
    this.heightRange = standardizeSymmetricFactor(args.heightFactor, "height_factor", this.owner());
    this.heightFactor = copyFactor(args.heightFactor as FactorValue);
    this.widthFactor = args.widthFactor === undefined || args.widthFactor === null ? null : copyFactor(args.widthFactor);
    this.widthRange = this.widthFactor === null ? null : standardizeSymmetricFactor(this.widthFactor, "width_factor", this.owner());
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
    const zoomY = random.uniform([batch, 1], { minval: 1 + this.heightRange[0], maxval: 1 + this.heightRange[1], seed: this.generator });
    const zoomX = this.widthRange === null ? zoomY : random.uniform([batch, 1], { minval: 1 + this.widthRange[0], maxval: 1 + this.widthRange[1], seed: this.generator });
    // Scaling about the centre: x' = zx * x + (w - 1) / 2 * (1 - zx), likewise y.
    const offsetX = ops.multiply(ops.subtract(1, zoomX), (images.shape[widthAxis] - 1) / 2);
    const offsetY = ops.multiply(ops.subtract(1, zoomY), (images.shape[heightAxis] - 1) / 2);
    const zero = ops.zeros([batch, 1]);
    const transform = ops.concatenate([zoomX, zero, offsetX, zero, zoomY, offsetY, zero, zero], 1);
    return affineTransform(images, transform, { interpolation: this.interpolation, fillMode: this.fillMode, fillValue: this.fillValue, dataFormat: this.dataFormat });
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
