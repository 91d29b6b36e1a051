import { standardizeTuple } from "../../utils/argument_validation.js";
import type { LayerArgs } from "../layer.js";
import { isOptions } from "../positional.js";
import { BaseUpSampling } from "./base_up_sampling.js";

export interface UpSampling1DArgs extends LayerArgs {
  /** How many times each step is repeated. Default 2. */
  size?: number;
}

/**
 * Repeats each step of `[batch, steps, features]` inputs `size` times.
 * Keras: `keras.layers.UpSampling1D(size=2)`.
 */
export class UpSampling1D extends BaseUpSampling {
  static override className = "UpSampling1D";

  constructor(size?: number, args?: LayerArgs);
  constructor(args: UpSampling1DArgs);
  constructor(first?: number | UpSampling1DArgs, rest: LayerArgs = {}) {
    const args: UpSampling1DArgs = isOptions(first) ? first : { ...rest, size: first };
    super(args, (owner) => {
      if (Array.isArray(args.size)) throw new TypeError(`${owner}: expected an integer value for \`size\`, got ${JSON.stringify(args.size)}`);
      return { size: standardizeTuple(args.size ?? 2, 1, "size", owner), dataFormat: "channels_last" };
    });
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), size: this.size[0] };
  }
}
