import type { Tensor } from "../backend/tensor.js";
import type { Variable } from "../backend/variable.js";
import * as ops from "../ops/index.js";
import * as fused from "../ops/fused.js";
import { applyDecay, canFuse } from "./fused_update.js";
import { Optimizer, optimizerArgsFromConfig, type OptimizerArgs, transientGradientSteps } from "./optimizer.js";

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
  static {
    transientGradientSteps.add(RMSprop.prototype.updateStep);
  }

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
    // A subclass that replaces updateStep gets the base class's separate weight-decay pass.
    this.fusesWeightDecay = this.updateStep === RMSprop.prototype.updateStep;
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
    const decay = this.weightDecayFactor(variable, lr);
    if (canFuse(gradient, variable)) {
      // One kernel: weight decay, the moving averages, momentum and the variable update.
      const velocity = this.velocities[index];
      const momentum = this.momentum > 0 ? this.momentums[index] : null;
      const average = this.centered ? this.averageGradients[index] : null;
      fused.rmspropUpdateInPlace(
        variable.writableValue(), gradient, velocity.writableValue(), momentum === null ? null : momentum.writableValue(), average === null ? null : average.writableValue(),
        { lr, rho: this.rho, momentum: this.momentum, epsilon: this.epsilon, decay },
      );
      return;
    }
    applyDecay(variable, decay);
    const rho = this.rho;
    const velocity = this.velocities[index];
    const v = velocity.assign(ops.add(ops.multiply(velocity.value, rho), ops.multiply(ops.square(gradient), 1 - rho)));
    let denominator: Tensor;
    if (this.centered) {
      const averageGrad = this.averageGradients[index];
      const a = averageGrad.assign(ops.add(ops.multiply(averageGrad.value, rho), ops.multiply(gradient, 1 - rho)));
      denominator = ops.add(ops.subtract(v, ops.square(a)), this.epsilon);
    } else {
      denominator = ops.add(v, this.epsilon);
    }
    const increment = ops.divide(ops.multiply(gradient, lr), ops.sqrt(denominator));
    if (this.momentum > 0) {
      const momentum = this.momentums[index];
      const m = momentum.assign(ops.add(ops.multiply(momentum.value, this.momentum), increment));
      variable.assign(ops.subtract(variable.value, m));
    } else {
      variable.assign(ops.subtract(variable.value, increment));
    }
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
