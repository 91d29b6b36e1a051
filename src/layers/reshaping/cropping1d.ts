import { standardizeTuple } from "../../utils/argument_validation.js";
import type { LayerArgs } from "../layer.js";
import { isOptions } from "../positional.js";
import { BaseCropping } from "./base_cropping.js";

export interface Cropping1DArgs extends LayerArgs {
  /** Entries cut from the start and end of the steps axis: one integer for both, or [start, end]. Default [1, 1]. */
  cropping?: number | readonly number[];
}

/**
 * Cuts entries from the start and end of the steps axis of `[batch, steps, features]` inputs.
 * Keras: `keras.layers.Cropping1D(cropping=(1, 1))`.
 */
export class Cropping1D extends BaseCropping {
  static override className = "Cropping1D";

  constructor(cropping?: number | readonly number[], args?: LayerArgs);
  constructor(args: Cropping1DArgs);
  constructor(first?: number | readonly number[] | Cropping1DArgs, rest: LayerArgs = {}) {
    const args: Cropping1DArgs = isOptions(first) ? first : { ...rest, cropping: first };
    super(args, (owner) => ({
      cropping: [standardizeTuple(args.cropping ?? 1, 2, "cropping", owner, true) as [number, number]],
      dataFormat: "channels_last",
    }));
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), cropping: [...this.cropping[0]] };
  }
}
