import { standardizePairs } from "../../utils/argument_validation.js";
import { standardizeDataFormat, type DataFormat } from "../../ops/operation_utils.js";
import type { LayerArgs } from "../layer.js";
import { isOptions } from "../positional.js";
import { BaseCropping } from "./base_cropping.js";

export type Cropping3DValue = number | readonly (number | readonly number[])[];

export interface Cropping3DArgs extends LayerArgs {
  /**
   * Entries cut from the three spatial axes: one integer for all, 3 integers (the same at both ends of
   * each axis), or [[start, end] x 3]. Default 1 everywhere.
   */
  cropping?: Cropping3DValue;
  dataFormat?: DataFormat;
}

/**
 * Cuts entries from both ends of the spatial axes of [batch, dim1, dim2, dim3, channels] inputs (channels_last).
 * Keras: `keras.layers.Cropping3D(cropping=((1, 1), (1, 1), (1, 1)), data_format=None)`.
 */
export class Cropping3D extends BaseCropping {
  static override className = "Cropping3D";

  constructor(cropping?: Cropping3DValue, args?: Omit<Cropping3DArgs, "cropping">);
  constructor(args: Cropping3DArgs);
  constructor(first?: Cropping3DValue | Cropping3DArgs, rest: Omit<Cropping3DArgs, "cropping"> = {}) {
    const args: Cropping3DArgs = isOptions(first) ? first : { ...rest, cropping: first as Cropping3DValue | undefined };
    super(args, (owner) => ({
      cropping: standardizePairs(args.cropping ?? 1, 3, "cropping", owner),
      dataFormat: standardizeDataFormat(args.dataFormat, owner),
    }));
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), cropping: this.cropping.map((pair) => [...pair]), data_format: this.dataFormat };
  }
}
