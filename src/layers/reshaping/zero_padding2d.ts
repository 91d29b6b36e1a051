import { standardizePairs } from "../../utils/argument_validation.js";
import { standardizeDataFormat, type DataFormat } from "../../ops/operation_utils.js";
import type { LayerArgs } from "../layer.js";
import { isOptions } from "../positional.js";
import { BaseZeroPadding } from "./base_zero_padding.js";

export type ZeroPadding2DValue = number | readonly (number | readonly number[])[];

export interface ZeroPadding2DArgs extends LayerArgs {
  /**
   * Zeros around the height and width: one integer for all, 2 integers (the same before and after
   * each axis), or [[top, bottom], [left, right]]. Default 1 everywhere.
   */
  padding?: ZeroPadding2DValue;
  dataFormat?: DataFormat;
}

/**
 * Pads the spatial axes of [batch, height, width, channels] inputs (channels_last) with zeros.
 * Keras: `keras.layers.ZeroPadding2D(padding=(1, 1), data_format=None)`.
 */
export class ZeroPadding2D extends BaseZeroPadding {
  static override className = "ZeroPadding2D";

  constructor(padding?: ZeroPadding2DValue, args?: Omit<ZeroPadding2DArgs, "padding">);
  constructor(args: ZeroPadding2DArgs);
  constructor(first?: ZeroPadding2DValue | ZeroPadding2DArgs, rest: Omit<ZeroPadding2DArgs, "padding"> = {}) {
    const args: ZeroPadding2DArgs = isOptions(first) ? first : { ...rest, padding: first as ZeroPadding2DValue | undefined };
    super(args, (owner) => ({
      padding: standardizePairs(args.padding ?? 1, 2, "padding", owner),
      dataFormat: standardizeDataFormat(args.dataFormat, owner),
    }));
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), padding: this.padding.map((pair) => [...pair]), data_format: this.dataFormat };
  }
}
