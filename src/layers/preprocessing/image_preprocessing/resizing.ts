import type { Tensor } from "../../../backend/tensor.js";
import type { DType } from "../../../backend/dtypes.js";
import { formatSymbolicShape, type SymbolicShape } from "../../../backend/keras_tensor.js";
import * as ops from "../../../ops/index.js";
import { RESIZE_INTERPOLATIONS, type ResizeInterpolation } from "../../../ops/image.js";
import type { CallOptions, LayerShape } from "../../layer.js";
import { isOptions } from "../../positional.js";
import { BaseImagePreprocessingLayer, type ImagePreprocessingArgs } from "./base_image_preprocessing_layer.js";

export interface ResizingArgs extends ImagePreprocessingArgs {
  height?: number;
  width?: number;
  /** "bilinear" (default), "nearest", "bicubic", "lanczos3" or "lanczos5". */
  interpolation?: ResizeInterpolation;
  /** Crop the largest centred window of the target aspect ratio first, instead of stretching. Default false. */
  cropToAspectRatio?: boolean;
  /** Pad to the target aspect ratio first (with `fillValue`), instead of stretching. Default false. */
  padToAspectRatio?: boolean;
  /** Only "constant". */
  fillMode?: "constant";
  fillValue?: number;
  /** Widen the filter when downsampling (Keras 3.9+). Default false. */
  antialias?: boolean;
}

const INTEGER_RANGES: Partial<Record<DType, [number, number]>> = { uint8: [0, 255], int32: [-2147483648, 2147483647] };

/**
 * Resizes images to `height x width`, in training and at inference. Integer images come back in
 * their dtype (rounded and clipped to its range), as in Keras.
 * Keras: `keras.layers.Resizing(height, width, interpolation="bilinear", crop_to_aspect_ratio=False, pad_to_aspect_ratio=False, fill_mode="constant", fill_value=0.0, data_format=None)`.
 */
export class Resizing extends BaseImagePreprocessingLayer {
  static override className = "Resizing";
  readonly height: number;
  readonly width: number;
  readonly interpolation: ResizeInterpolation;
  readonly cropToAspectRatio: boolean;
  readonly padToAspectRatio: boolean;
  readonly fillMode: "constant";
  readonly fillValue: number;
  readonly antialias: boolean;

  constructor(height: number, width: number, args?: Omit<ResizingArgs, "height" | "width">);
  constructor(args: ResizingArgs & { height: number; width: number });
  constructor(first: number | ResizingArgs, second?: number, rest: Omit<ResizingArgs, "height" | "width"> = {}) {
    const args: ResizingArgs = isOptions(first) ? first : { ...rest, height: first, width: second };
    super(args);
    [this.height, this.width] = this.checkTargetSize(args.height, args.width);
    const interpolation = args.interpolation ?? "bilinear";
    if (!(RESIZE_INTERPOLATIONS as readonly string[]).includes(interpolation)) {
      throw new Error(`${this.owner()}: interpolation must be one of ${RESIZE_INTERPOLATIONS.join(", ")}; received ${JSON.stringify(interpolation)}`);
    }
    this.interpolation = interpolation;
    this.cropToAspectRatio = args.cropToAspectRatio ?? false;
    this.padToAspectRatio = args.padToAspectRatio ?? false;
    if (this.cropToAspectRatio && this.padToAspectRatio) throw new Error(`${this.owner()}: only one of \`pad_to_aspect_ratio\` and \`crop_to_aspect_ratio\` can be true`);
    if ((args.fillMode ?? "constant") !== "constant") throw new Error(`${this.owner()}: fill_mode must be "constant", got ${JSON.stringify(args.fillMode)}`);
    this.fillMode = "constant";
    this.fillValue = args.fillValue ?? 0;
    this.antialias = args.antialias ?? false;
  }

  override call(inputs: Tensor | Tensor[], options: CallOptions = {}): Tensor {
    void options;
    const x = inputs as Tensor;
    if (x.rank !== 3 && x.rank !== 4) {
      throw new Error(`${this.owner()}: expected an image tensor of rank 3 (single image) or 4 (batch of images). Received: inputs.shape=${formatSymbolicShape(x.shape)}`);
    }
    const resized = this.transformImages(x);
    if (resized.dtype === x.dtype) return resized;
    const range = INTEGER_RANGES[x.dtype];
    if (range === undefined) return ops.cast(resized, x.dtype);
    return ops.cast(ops.clip(ops.round(resized), range[0], range[1]), x.dtype);
  }

  protected transformImages(images: Tensor): Tensor {
    return ops.image.resize(images, [this.height, this.width], {
      interpolation: this.interpolation, cropToAspectRatio: this.cropToAspectRatio, padToAspectRatio: this.padToAspectRatio,
      fillMode: this.fillMode, fillValue: this.fillValue, antialias: this.antialias, dataFormat: this.dataFormat,
    });
  }

  override computeOutputShape(inputShape: LayerShape): SymbolicShape {
    return this.targetShape(inputShape, this.height, this.width);
  }

  protected override outputDType(inputDType: DType): DType {
    return inputDType;
  }

  override getConfig(): Record<string, unknown> {
    // Keras 3.8, whose keys keras-ts writes, has no antialias: it appears only when used.
    const antialias = this.antialias ? { antialias: true } : {};
    return {
      ...super.getConfig(),
      height: this.height,
      width: this.width,
      interpolation: this.interpolation,
      crop_to_aspect_ratio: this.cropToAspectRatio,
      pad_to_aspect_ratio: this.padToAspectRatio,
      fill_mode: this.fillMode,
      fill_value: this.fillValue,
      ...antialias,
      data_format: this.dataFormat,
    };
  }
}
