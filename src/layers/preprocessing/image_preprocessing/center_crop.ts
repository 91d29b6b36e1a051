import type { Tensor } from "../../../backend/tensor.js";
import type { SymbolicShape } from "../../../backend/keras_tensor.js";
import * as ops from "../../../ops/index.js";
import type { LayerShape } from "../../layer.js";
import { isOptions } from "../../positional.js";
import { BaseImagePreprocessingLayer, type ImagePreprocessingArgs } from "./base_image_preprocessing_layer.js";

export interface CenterCropArgs extends ImagePreprocessingArgs {
  height?: number;
  width?: number;
}

/**
 * Crops the central `height x width` window of each image, in training and at inference. An image
 * smaller than the window is first resized to fill it (keeping its aspect ratio, cropping the
 * overflow), as Keras's smart_resize.
 * Keras: `keras.layers.CenterCrop(height, width, data_format=None)`.
 */
export class CenterCrop extends BaseImagePreprocessingLayer {
  static override className = "CenterCrop";
  readonly height: number;
  readonly width: number;

  constructor(height: number, width: number, args?: Omit<CenterCropArgs, "height" | "width">);
  constructor(args: CenterCropArgs & { height: number; width: number });
  constructor(first: number | CenterCropArgs, second?: number, rest: Omit<CenterCropArgs, "height" | "width"> = {}) {
    const args: CenterCropArgs = isOptions(first) ? first : { ...rest, height: first, width: second };
    super(args);
    [this.height, this.width] = this.checkTargetSize(args.height, args.width);
  }

  protected transformImages(images: Tensor): Tensor {
    const [heightAxis, widthAxis] = this.spatialAxes();
    const dh = images.shape[heightAxis] - this.height;
    const dw = images.shape[widthAxis] - this.width;
    if (dh >= 0 && dw >= 0) {
      const begin = [0, 0, 0, 0];
      const size = [...images.shape];
      begin[heightAxis] = Math.floor(dh / 2);
      begin[widthAxis] = Math.floor(dw / 2);
      size[heightAxis] = this.height;
      size[widthAxis] = this.width;
      return ops.slice(images, begin, size);
    }
    // Keras's smart_resize: the largest centred window of the target's aspect ratio, resized.
    return ops.image.resize(images, [this.height, this.width], { cropToAspectRatio: true, dataFormat: this.dataFormat });
  }

  override computeOutputShape(inputShape: LayerShape): SymbolicShape {
    return this.targetShape(inputShape, this.height, this.width);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), height: this.height, width: this.width, data_format: this.dataFormat };
  }
}
