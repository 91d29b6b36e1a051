import { standardizeTuple } from "../../utils/argument_validation.js";
import { standardizeDataFormat, type DataFormat } from "../../ops/operation_utils.js";
import type { LayerArgs } from "../layer.js";
import { isOptions } from "../positional.js";
import { BaseUpSampling } from "./base_up_sampling.js";

export interface UpSampling3DArgs extends LayerArgs {
  /** Repetitions along the three spatial axes: one integer for all, or three. Default [2, 2, 2]. */
  size?: number | readonly number[];
  dataFormat?: DataFormat;
}

/**
 * Repeats the entries of the three spatial axes of `[batch, dim1, dim2, dim3, channels]` inputs.
 * Keras: `keras.layers.UpSampling3D(size=(2, 2, 2), data_format=None)`.
 */
export class UpSampling3D extends BaseUpSampling {
  static override className = "UpSampling3D";

  constructor(size?: number | readonly number[], args?: Omit<UpSampling3DArgs, "size">);
  constructor(args: UpSampling3DArgs);
  constructor(first?: number | readonly number[] | UpSampling3DArgs, rest: Omit<UpSampling3DArgs, "size"> = {}) {
    const args: UpSampling3DArgs = isOptions(first) ? first : { ...rest, size: first };
    super(args, (owner) => ({ size: standardizeTuple(args.size ?? 2, 3, "size", owner), dataFormat: standardizeDataFormat(args.dataFormat, owner) }));
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), size: [...this.size], data_format: this.dataFormat };
  }
}
