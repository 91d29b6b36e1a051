import { standardizePairs } from "../../utils/argument_validation.js";
import { standardizeDataFormat, type DataFormat } from "../../ops/operation_utils.js";
import type { LayerArgs } from "../layer.js";
import { isOptions } from "../positional.js";
import { BaseZeroPadding } from "./base_zero_padding.js";

export type ZeroPadding3DValue = number | readonly (number | readonly number[])[];

export interface ZeroPadding3DArgs extends LayerArgs {
  /**
   * Zeros around the three spatial axes: one integer for all, 3 integers (the same before and after
   * each axis), or [[before, after] x 3]. Default 1 everywhere.
   */
  padding?: ZeroPadding3DValue;
  dataFormat?: DataFormat;
}

/**
 * Pads the spatial axes of [batch, dim1, dim2, dim3, channels] inputs (channels_last) with zeros.
 * Keras: `keras.layers.ZeroPadding3D(padding=((1, 1), (1, 1), (1, 1)), data_format=None)`.
 */
export class ZeroPadding3D extends BaseZeroPadding {
  static override className = "ZeroPadding3D";

  constructor(padding?: ZeroPadding3DValue, args?: Omit<ZeroPadding3DArgs, "padding">);
  constructor(args: ZeroPadding3DArgs);
  constructor(first?: ZeroPadding3DValue | ZeroPadding3DArgs, rest: Omit<ZeroPadding3DArgs, "padding"> = {}) {
    const args: ZeroPadding3DArgs = isOptions(first) ? first : { ...rest, padding: first as ZeroPadding3DValue | undefined };
    super(args, (owner) => ({
      padding: standardizePairs(args.padding ?? 1, 3, "padding", owner),
      dataFormat: standardizeDataFormat(args.dataFormat, owner),
    }));
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), padding: this.padding.map((pair) => [...pair]), data_format: this.dataFormat };
  }
}
