import type { Tensor } from "../../backend/tensor.js";
import { formatSymbolicShape, type SymbolicShape } from "../../backend/keras_tensor.js";
import * as ops from "../../ops/index.js";
import { computePoolingOutputShape } from "../../ops/operation_utils.js";
import { standardizeTuple, type Padding } from "../../utils/argument_validation.js";
import { standardizeDataFormat, standardizePadding, type DataFormat } from "../../ops/operation_utils.js";
import { Layer, type LayerArgs, type LayerShape } from "../layer.js";
import { isOptions } from "../positional.js";

export interface PoolingArgs extends LayerArgs {
  /** The window: one integer for every spatial axis, or one per axis. */
  poolSize?: number | readonly number[];
  /** Default: the pool size (windows side by side). */
  strides?: number | readonly number[] | null;
  /** "valid" (default) or "same". */
  padding?: Padding;
  dataFormat?: DataFormat;
}

export function poolingArgsOf(first: number | readonly number[] | PoolingArgs | undefined, rest: PoolingArgs): PoolingArgs {
  return isOptions(first) ? (first as PoolingArgs) : { ...rest, poolSize: first as number | readonly number[] | undefined };
}

/** Max/AveragePooling1D/2D/3D: one op (`maxPool` or `averagePool`) per call. Keras's BasePooling. */
export abstract class BasePooling extends Layer {
  readonly poolSize: number[];
  readonly strides: number[];
  readonly padding: Padding;
  readonly dataFormat: DataFormat;
  private readonly mode: "max" | "average";

  protected constructor(spatialRank: number, mode: "max" | "average", defaultPoolSize: number | undefined, args: PoolingArgs) {
    super(args);
    const owner = `${this.className()} layer '${this.name}'`;
    this.mode = mode;
    this.poolSize = standardizeTuple(args.poolSize ?? defaultPoolSize, spatialRank, "pool_size", owner);
    this.strides = standardizeTuple(args.strides ?? this.poolSize, spatialRank, "strides", owner);
    this.padding = standardizePadding(args.padding ?? "valid", owner) as Padding;
    this.dataFormat = standardizeDataFormat(args.dataFormat, owner);
    this.inputSpec = { ndim: spatialRank + 2 };
    this.built = true;
  }

  override call(inputs: Tensor | Tensor[]): Tensor {
    // The shape check names this layer when the window does not fit.
    this.computeOutputShape((inputs as Tensor).shape);
    const pool = this.mode === "max" ? ops.maxPool : ops.averagePool;
    return pool(inputs as Tensor, this.poolSize, this.strides, this.padding, this.dataFormat);
  }

  override computeOutputShape(inputShape: LayerShape): SymbolicShape {
    const shape = inputShape as SymbolicShape;
    try {
      return computePoolingOutputShape(shape, this.poolSize, this.strides, this.padding, this.dataFormat);
    } catch (error) {
      throw new Error(`${this.className()} layer '${this.name}': ${(error as Error).message} (input shape ${formatSymbolicShape(shape)})`, { cause: error });
    }
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), pool_size: [...this.poolSize], padding: this.padding, strides: [...this.strides], data_format: this.dataFormat };
  }
}
