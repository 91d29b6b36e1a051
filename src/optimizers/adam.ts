import type { Tensor } from "../backend/tensor.js";
import type { Variable } from "../backend/variable.js";
import { adamUpdate } from "../ops/optimizer_updates.js";
import { Optimizer, optimizerArgsFromConfig, type OptimizerArgs } from "./optimizer.js";

export interface AdamArgs extends OptimizerArgs {
  /** Decay of the first-moment estimate. Default 0.9. */
  beta1?: number;
  /** Decay of the second-moment estimate. Default 0.999. */
  beta2?: number;
  /** "epsilon hat" of Kingma & Ba. Default 1e-7. */
  epsilon?: number;
  /** AMSGrad variant. Default false. */
  amsgrad?: boolean;
}

export const ADAM_CONFIG_KEYS: Record<string, string> = { beta_1: "beta1", beta_2: "beta2", epsilon: "epsilon", amsgrad: "amsgrad" };

/**
 * Adam, Keras 3's `Adam` (keras/src/optimizers/adam.py).
 * Defaults: learningRate 0.001, beta1 0.9, beta2 0.999, epsilon 1e-7, amsgrad false, name "adam".
 *
 *   t = iterations + 1
 *   alpha = lr * sqrt(1 - beta2^t) / (1 - beta1^t)
 *   m = m + (g - m) * (1 - beta1)
 *   v = v + (g^2 - v) * (1 - beta2)
 *   amsgrad:  vHat = max(vHat, v), used in place of v
 *   w = w - m * alpha / (sqrt(v) + epsilon)
 *
 * Slots: `momentum` and `velocity` interleaved per variable (m0, v0, m1, v1, ...; Keras's
 * `add_optimizer_variables(var_list, ["momentum", "velocity"])`, the order the Keras 3.3-3.11
 * .keras files hold), then, with amsgrad, all `velocity_hat`s.
 */
export class Adam extends Optimizer {
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly amsgrad: boolean;
  private momentums: Variable[] = [];
  private velocities: Variable[] = [];
  private velocityHats: Variable[] = [];

  constructor(args: AdamArgs = {}, defaultName = "adam") {
    super(args, defaultName, 0.001);
    this.beta1 = args.beta1 ?? 0.9;
    this.beta2 = args.beta2 ?? 0.999;
    this.epsilon = args.epsilon ?? 1e-7;
    this.amsgrad = args.amsgrad ?? false;
  }

  className(): string {
    return "Adam";
  }

  protected override buildSlots(variables: readonly Variable[]): void {
    [this.momentums, this.velocities] = this.addOptimizerVariables(variables, ["momentum", "velocity"]);
    if (this.amsgrad) [this.velocityHats] = this.addOptimizerVariables(variables, ["velocity_hat"]);
  }

  protected updateStep(gradient: Tensor, variable: Variable, lr: number, index: number): void {
    const t = this.iterations + 1;
    const alpha = (lr * Math.sqrt(1 - Math.pow(this.beta2, t))) / (1 - Math.pow(this.beta1, t));
    adamUpdate(
      variable, gradient, this.momentums[index], this.velocities[index], this.amsgrad ? this.velocityHats[index] : null,
      { alpha, beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon },
    );
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), beta_1: this.beta1, beta_2: this.beta2, epsilon: this.epsilon, amsgrad: this.amsgrad };
  }

  static fromConfig(config: Record<string, unknown>): Adam {
    return new Adam(optimizerArgsFromConfig(config, "Adam", ADAM_CONFIG_KEYS) as AdamArgs);
  }
}
