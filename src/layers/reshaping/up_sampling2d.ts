import type { Tensor } from "../../backend/tensor.js";
import type { DType } from "../../backend/dtypes.js";
import * as ops from "../../ops/index.js";
import { RESIZE_INTERPOLATIONS, type ResizeInterpolation } from "../../ops/image.js";
import { standardizeTuple } from "../../utils/argument_validation.js";
import { standardizeDataFormat, type DataFormat } from "../../ops/operation_utils.js";
import type { LayerArgs } from "../layer.js";
import { isOptions } from "../positional.js";
import { BaseUpSampling } from "./base_up_sampling.js";

export type UpSamplingInterpolation = ResizeInterpolation;

export interface UpSampling2DArgs extends LayerArgs {
  /** Factors for height and width: one integer for both, or two. Default [2, 2]. */
  size?: number | readonly number[];
  dataFormat?: DataFormat;
  /** "nearest" (repeats rows and columns, the default), "bilinear", "bicubic", "lanczos3" or "lanczos5". */
  interpolation?: UpSamplingInterpolation;
}

/**
 * Enlarges `[batch, height, width, channels]` images by integer factors.
 * Keras: `keras.layers.UpSampling2D(size=(2, 2), data_format=None, interpolation="nearest")`.
 */
export class UpSampling2D extends BaseUpSampling {
  static override className = "UpSampling2D";
  readonly interpolation: UpSamplingInterpolation;

  constructor(size?: number | readonly number[], args?: Omit<UpSampling2DArgs, "size">);
  constructor(args: UpSampling2DArgs);
  constructor(first?: number | readonly number[] | UpSampling2DArgs, rest: Omit<UpSampling2DArgs, "size"> = {}) {
    const args: UpSampling2DArgs = isOptions(first) ? first : { ...rest, size: first };
    super(args, (owner) => ({ size: standardizeTuple(args.size ?? 2, 2, "size", owner), dataFormat: standardizeDataFormat(args.dataFormat, owner) }));
    const interpolation = typeof args.interpolation === "string" ? args.interpolation.toLowerCase() : (args.interpolation ?? "nearest");
    if (!(RESIZE_INTERPOLATIONS as readonly unknown[]).includes(interpolation)) {
      throw new Error(`UpSampling2D layer '${this.name}': interpolation must be one of ${RESIZE_INTERPOLATIONS.join(", ")}; received ${JSON.stringify(args.interpolation)}`);
    }
    this.interpolation = interpolation as UpSamplingInterpolation;
  }

  override call(inputs: Tensor | Tensor[]): Tensor {
    if (this.interpolation === "nearest") return super.call(inputs);
    const x = inputs as Tensor;
    const [h, w] = this.dataFormat === "channels_first" ? [x.shape[2], x.shape[3]] : [x.shape[1], x.shape[2]];
    return ops.image.resize(x, [h * this.size[0], w * this.size[1]], { interpolation: this.interpolation, dataFormat: this.dataFormat });
  }

  protected override outputDType(inputDType: DType): DType {
    // Filtered resizing computes in float32; repeating keeps the dtype.
    return this.interpolation === "nearest" ? inputDType : "float32";
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), size: [...this.size], data_format: this.dataFormat, interpolation: this.interpolation };
  }
}
