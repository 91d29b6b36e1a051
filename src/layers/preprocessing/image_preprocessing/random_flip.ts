import type { Tensor } from "../../../backend/tensor.js";
import * as ops from "../../../ops/index.js";
import * as random from "../../../random/index.js";
import { isOptions } from "../../positional.js";
import { BaseImagePreprocessingLayer, type ImagePreprocessingArgs } from "./base_image_preprocessing_layer.js";

const MODES = ["horizontal", "vertical", "horizontal_and_vertical"] as const;
export type FlipMode = (typeof MODES)[number];

export interface RandomFlipArgs extends ImagePreprocessingArgs {
  /** Which flips: "horizontal" (left-right), "vertical" (up-down) or "horizontal_and_vertical" (the default). */
  mode?: FlipMode;
  /** An integer seed for reproducible flips. */
  seed?: number | null;
}

/**
 * During training, flips each image with probability 1/2; at inference, the identity. With
 * "horizontal_and_vertical" one draw decides both flips (an image is flipped both ways or not at
 * all), as in Keras.
 * Keras: `keras.layers.RandomFlip(mode="horizontal_and_vertical", seed=None, data_format=None)`.
 */
export class RandomFlip extends BaseImagePreprocessingLayer {
  static override className = "RandomFlip";
  readonly mode: FlipMode;
  readonly seed: number | null;
  readonly generator: random.SeedGenerator;

  constructor(mode?: FlipMode, args?: Omit<RandomFlipArgs, "mode">);
  constructor(args: RandomFlipArgs);
  constructor(first?: FlipMode | RandomFlipArgs, rest: Omit<RandomFlipArgs, "mode"> = {}) {
    const args: RandomFlipArgs = isOptions(first) ? first : { ...rest, mode: first };
    super(args);
    const mode = args.mode ?? "horizontal_and_vertical";
    if (!(MODES as readonly string[]).includes(mode)) throw new Error(`${this.owner()}: mode must be one of ${MODES.join(", ")}; received ${JSON.stringify(mode)}`);
    this.mode = mode;
    this.seed = args.seed ?? null;
    this.generator = new random.SeedGenerator(this.seed);
  }

  protected transformImages(images: Tensor, training: boolean): Tensor {
    if (!training) return images;
    const flips = ops.lessEqual(random.uniform([images.shape[0], 1, 1, 1], { seed: this.generator }), 0.5);
    const [heightAxis, widthAxis] = this.spatialAxes();
    let out = images;
    if (this.mode !== "vertical") out = ops.where(flips, ops.flip(out, widthAxis), out);
    if (this.mode !== "horizontal") out = ops.where(flips, ops.flip(out, heightAxis), out);
    return out;
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), seed: this.seed, mode: this.mode, data_format: this.dataFormat };
  }
}
