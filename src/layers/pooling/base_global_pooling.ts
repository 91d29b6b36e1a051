import type { Tensor } from "../../backend/tensor.js";
import type { SymbolicShape } from "../../backend/keras_tensor.js";
import * as ops from "../../ops/index.js";
import { standardizeDataFormat, type DataFormat } from "../../ops/operation_utils.js";
import { Layer, type CallOptions, type LayerArgs, type LayerShape } from "../layer.js";

export interface GlobalPoolingArgs extends LayerArgs {
  dataFormat?: DataFormat;
  /** Keep the spatial axes (with size 1) in the output. Default false. */
  keepdims?: boolean;
}

/** GlobalMax/GlobalAveragePooling1D/2D/3D: one max or mean over all spatial positions per channel. */
export abstract class BaseGlobalPooling extends Layer {
  readonly dataFormat: DataFormat;
  readonly keepdims: boolean;
  private readonly spatialRank: number;

  protected constructor(spatialRank: number, args: GlobalPoolingArgs) {
    super(args);
    this.spatialRank = spatialRank;
    this.dataFormat = standardizeDataFormat(args.dataFormat, `${this.className()} layer '${this.name}'`);
    this.keepdims = args.keepdims ?? false;
    this.inputSpec = { ndim: spatialRank + 2 };
    this.built = true;
  }

  protected spatialAxes(): number[] {
    const first = this.dataFormat === "channels_first" ? 2 : 1;
    return Array.from({ length: this.spatialRank }, (_, i) => first + i);
  }

  /** The pooling, `max` or `mean`, over `axes`. */
  protected abstract pool(x: Tensor, axes: number[], options: CallOptions): Tensor;

  override call(inputs: Tensor | Tensor[], options: CallOptions = {}): Tensor {
    return this.pool(inputs as Tensor, this.spatialAxes(), options);
  }

  override computeOutputShape(inputShape: LayerShape): SymbolicShape {
    const shape = inputShape as SymbolicShape;
    const channels = this.dataFormat === "channels_first" ? shape[1] : shape[shape.length - 1];
    if (!this.keepdims) return [shape[0], channels];
    const ones = new Array<number>(shape.length - 2).fill(1);
    return this.dataFormat === "channels_first" ? [shape[0], channels, ...ones] : [shape[0], ...ones, channels];
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), data_format: this.dataFormat, keepdims: this.keepdims };
  }
}

/** The max over the spatial axes (GlobalMaxPooling1D/2D/3D). */
export abstract class BaseGlobalMaxPooling extends BaseGlobalPooling {
  protected pool(x: Tensor, axes: number[]): Tensor {
    return ops.max(x, axes, this.keepdims);
  }
}

/** The mean over the spatial axes (GlobalAveragePooling2D/3D; 1D adds masking). */
export abstract class BaseGlobalAveragePooling extends BaseGlobalPooling {
  protected pool(x: Tensor, axes: number[], _options?: CallOptions): Tensor {
    return ops.mean(x, axes, this.keepdims);
  }
}
