import { standardizePairs } from "../../utils/argument_validation.js";
import { standardizeDataFormat, type DataFormat } from "../../ops/operation_utils.js";
import type { LayerArgs } from "../layer.js";
import { isOptions } from "../positional.js";
import { BaseCropping } from "./base_cropping.js";

export type Cropping2DValue = number | readonly (number | readonly number[])[];

export interface Cropping2DArgs extends LayerArgs {
  /**
   * Entries cut from the height and width: one integer for all, 2 integers (the same at both ends of
   * each axis), or [[top, bottom], [left, right]]. Default 0 everywhere.
   */
  cropping?: Cropping2DValue;
  dataFormat?: DataFormat;
}

/**
 * Cuts entries from both ends of the spatial axes of [batch, height, width, channels] inputs (channels_last).
 * Keras: `keras.layers.Cropping2D(cropping=((0, 0), (0, 0)), data_format=None)`.
 */
export class Cropping2D extends BaseCropping {
  static override className = "Cropping2D";

  constructor(cropping?: Cropping2DValue, args?: Omit<Cropping2DArgs, "cropping">);
  constructor(args: Cropping2DArgs);
  constructor(first?: Cropping2DValue | Cropping2DArgs, rest: Omit<Cropping2DArgs, "cropping"> = {}) {
    const args: Cropping2DArgs = isOptions(first) ? first : { ...rest, cropping: first as Cropping2DValue | undefined };
    super(args, (owner) => ({
      cropping: standardizePairs(args.cropping ?? 0, 2, "cropping", owner),
      dataFormat: standardizeDataFormat(args.dataFormat, owner),
    }));
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), cropping: this.cropping.map((pair) => [...pair]), data_format: this.dataFormat };
  }
}
