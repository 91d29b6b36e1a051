import { standardizeTuple } from "../../utils/argument_validation.js";
import { standardizeDataFormat, type DataFormat } from "../../ops/operation_utils.js";
import type { LayerArgs } from "../layer.js";
import { isOptions } from "../positional.js";
import { BaseZeroPadding } from "./base_zero_padding.js";

export interface ZeroPadding1DArgs extends LayerArgs {
  /** Zeros at the start and end of the steps axis: one integer for both, or [start, end]. Default 1. */
  padding?: number | readonly number[];
  dataFormat?: DataFormat;
}

/**
 * Pads the steps axis of `[batch, steps, features]` inputs with zeros.
 * Keras: `keras.layers.ZeroPadding1D(padding=1, data_format=None)`.
 */
export class ZeroPadding1D extends BaseZeroPadding {
  static override className = "ZeroPadding1D";

  constructor(padding?: number | readonly number[], args?: Omit<ZeroPadding1DArgs, "padding">);
  constructor(args: ZeroPadding1DArgs);
  constructor(first?: number | readonly number[] | ZeroPadding1DArgs, rest: Omit<ZeroPadding1DArgs, "padding"> = {}) {
    const args: ZeroPadding1DArgs = isOptions(first) ? first : { ...rest, padding: first };
    super(args, (owner) => ({
      padding: [standardizeTuple(args.padding ?? 1, 2, "padding", owner, true) as [number, number]],
      dataFormat: standardizeDataFormat(args.dataFormat, owner),
    }));
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), padding: [...this.padding[0]], data_format: this.dataFormat };
  }
}
