import type { Tensor } from "../backend/tensor.js";
import type { Variable } from "../backend/variable.js";
import { rmspropUpdate } from "../ops/optimizer_updates.js";
import { Optimizer, optimizerArgsFromConfig, type OptimizerArgs } from "./optimizer.js";

export interface RMSpropArgs extends OptimizerArgs {
  /** Discount of the moving average of squared gradients. Default 0.9. */
  rho?: number;
  /** Plain (not Nesterov) momentum; 0 disables it. Default 0. */
  momentum?: number;
  /** Default 1e-7. */
  epsilon?: number;
  /** Normalize by the estimated variance instead of the uncentered second moment. Default false. */
  centered?: boolean;
}

/**
 * RMSprop, Keras 3's `RMSprop` (keras/src/optimizers/rmsprop.py).
 * Defaults: learningRate 0.001, rho 0.9, momentum 0, epsilon 1e-7, centered false, name "rmsprop".
 *
 *   v = rho * v + (1 - rho) * g^2
 *   centered:  a = rho * a + (1 - rho) * g;  denom = v - a^2 + epsilon
 *   else:      denom = v + epsilon
 *   increment = lr * g / sqrt(denom)
 *   momentum > 0:  m = momentum * m + increment;  w = w - m
 *   else:          w = w - increment
 *
 * Slots, grouped (Keras creates them one kind at a time): all `velocity`s; then all `momentum`s
 * when momentum > 0; then all `average_gradient`s when centered.
 */
export class RMSprop extends Optimizer {
  readonly rho: number;
  readonly momentum: number;
  readonly epsilon: number;
  readonly centered: boolean;
  private velocities: Variable[] = [];
  private momentums: Variable[] = [];
  private averageGradients: Variable[] = [];

  constructor(args: RMSpropArgs = {}) {
    super(args, "rmsprop", 0.001);
    this.rho = args.rho ?? 0.9;
    this.momentum = args.momentum ?? 0.0;
    this.epsilon = args.epsilon ?? 1e-7;
    this.centered = args.centered ?? false;
    if (!(this.rho >= 0 && this.rho <= 1)) throw new Error(`RMSprop: \`rho\` must be in [0, 1]. Received: rho=${this.rho}`);
    if (!(this.momentum >= 0 && this.momentum <= 1)) {
      throw new Error(`RMSprop: \`momentum\` must be in [0, 1]. Received: momentum=${this.momentum}`);
    }
    if (!(this.epsilon > 0)) throw new Error(`RMSprop: \`epsilon\` must be positive. Received: epsilon=${this.epsilon}`);
  }

  className(): string {
    return "RMSprop";
  }

  protected override buildSlots(variables: readonly Variable[]): void {
    [this.velocities] = this.addOptimizerVariables(variables, ["velocity"]);
    if (this.momentum > 0) [this.momentums] = this.addOptimizerVariables(variables, ["momentum"]);
    if (this.centered) [this.averageGradients] = this.addOptimizerVariables(variables, ["average_gradient"]);
  }

  protected updateStep(gradient: Tensor, variable: Variable, lr: number, index: number): void {
    rmspropUpdate(
      variable, gradient, this.velocities[index], this.momentum > 0 ? this.momentums[index] : null, this.centered ? this.averageGradients[index] : null,
      { lr, rho: this.rho, momentum: this.momentum, epsilon: this.epsilon },
    );
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), rho: this.rho, momentum: this.momentum, epsilon: this.epsilon, centered: this.centered };
  }

  static fromConfig(config: Record<string, unknown>): RMSprop {
    return new RMSprop(
      optimizerArgsFromConfig(config, "RMSprop", { rho: "rho", momentum: "momentum", epsilon: "epsilon", centered: "centered" }) as RMSpropArgs,
    );
  }
}
