import { Adam, ADAM_CONFIG_KEYS, type AdamArgs } from "./adam.js";
import { optimizerArgsFromConfig } from "./optimizer.js";

/**
 * AdamW, Keras 3's `AdamW` (keras/src/optimizers/adamw.py): Adam plus decoupled weight decay.
 * Defaults: learningRate 0.001, weightDecay 0.004, beta1 0.9, beta2 0.999, epsilon 1e-7,
 * amsgrad false, name "adamw". weightDecay must not be null.
 *
 * Each step first decays every variable, `w = w - w * weightDecay * lr` (the base optimizer's
 * weight decay, with the same learning rate as the step; `excludeFromWeightDecay` skips
 * variables), then takes the Adam step. Slots are Adam's.
 */
export class AdamW extends Adam {
  constructor(args: AdamArgs = {}) {
    super({ ...args, weightDecay: args.weightDecay === undefined ? 0.004 : args.weightDecay }, "adamw");
    if (this.weightDecay === null) throw new Error("AdamW: argument `weightDecay` must be a float. Received: weightDecay=null");
  }

  override className(): string {
    return "AdamW";
  }

  static override fromConfig(config: Record<string, unknown>): AdamW {
    const args = optimizerArgsFromConfig(config, "AdamW", ADAM_CONFIG_KEYS) as AdamArgs;
    if (config.weight_decay === null) args.weightDecay = null;
    return new AdamW(args);
  }
}
