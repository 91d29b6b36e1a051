import type { Tensor } from "../../../backend/tensor.js";
import * as ops from "../../../ops/index.js";
import type { AffineFillMode, AffineInterpolation } from "../../../ops/image.js";
import * as random from "../../../random/index.js";
import { BaseImagePreprocessingLayer, type ImagePreprocessingArgs } from "./base_image_preprocessing_layer.js";

/* What Keras's RandomRotation, RandomZoom and RandomTranslation accept and keep alike. */

const FILL_MODES: readonly AffineFillMode[] = ["reflect", "wrap", "constant", "nearest"];
const INTERPOLATIONS: readonly AffineInterpolation[] = ["nearest", "bilinear"];

export interface AffineTransformLayerArgs extends ImagePreprocessingArgs {
  /** How pixels from outside the image are filled: "reflect" (default), "wrap", "constant" or "nearest". */
  fillMode?: AffineFillMode;
  /** "bilinear" (default) or "nearest". */
  interpolation?: AffineInterpolation;
  seed?: number | null;
  /** The value of pixels from outside the image with fillMode "constant". Default 0. */
  fillValue?: number;
}

/** The random image layers that move pixels by one `ops.image.affineTransform` per image. */
export abstract class BaseAffineTransformLayer extends BaseImagePreprocessingLayer {
  readonly fillMode: AffineFillMode;
  readonly interpolation: AffineInterpolation;
  readonly seed: number | null;
  readonly fillValue: number;
  readonly generator: random.SeedGenerator;

  protected constructor(args: AffineTransformLayerArgs) {
    super(args);
    const fillMode = args.fillMode ?? "reflect";
    if (!FILL_MODES.includes(fillMode)) throw new Error(`${this.owner()}: unknown \`fill_mode\` ${JSON.stringify(fillMode)}. Expected one of ${FILL_MODES.join(", ")}.`);
    const interpolation = args.interpolation ?? "bilinear";
    if (!INTERPOLATIONS.includes(interpolation)) throw new Error(`${this.owner()}: unknown \`interpolation\` ${JSON.stringify(interpolation)}. Expected one of ${INTERPOLATIONS.join(", ")}.`);
    this.fillMode = fillMode;
    this.interpolation = interpolation;
    this.seed = args.seed ?? null;
    this.fillValue = args.fillValue ?? 0;
    this.generator = new random.SeedGenerator(this.seed);
  }

  /** A uniform draw per image, [batch, 1], from this layer's generator. */
  protected draw(batch: number, [minval, maxval]: readonly [number, number]): Tensor {
    return random.uniform([batch, 1], { minval, maxval, seed: this.generator });
  }

  /** The images moved by their transforms ([batch, 8]) with this layer's fill and interpolation. */
  protected applyTransforms(images: Tensor, transforms: Tensor): Tensor {
    return ops.image.affineTransform(images, transforms, { interpolation: this.interpolation, fillMode: this.fillMode, fillValue: this.fillValue, dataFormat: this.dataFormat });
  }
}
