import type { Tensor } from "../backend/tensor.js";
import type { Variable } from "../backend/variable.js";
import * as ops from "../ops/index.js";
import { Optimizer, optimizerArgsFromConfig, type OptimizerArgs } from "./optimizer.js";

export interface AdamaxArgs extends OptimizerArgs {
  /** Default 0.9. */
  beta1?: number;
  /** Decay of the exponentially weighted infinity norm. Default 0.999. */
  beta2?: number;
  /** Default 1e-7. */
  epsilon?: number;
}

/**
 * Adamax, Keras 3's `Adamax` (keras/src/optimizers/adamax.py).
 * Defaults: learningRate 0.001, beta1 0.9, beta2 0.999, epsilon 1e-7, name "adamax".
 *
 *   t = iterations + 1
 *   m = m + (g - m) * (1 - beta1)
 *   u = max(beta2 * u, |g|)
 *   w = w - lr * m / ((1 - beta1^t) * (u + epsilon))
 *
 * Slots: `momentum` and `norm` interleaved per variable (m0, u0, m1, u1, ...).
 */
export class Adamax extends Optimizer {
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  private momentums: Variable[] = [];
  private norms: Variable[] = [];

  constructor(args: AdamaxArgs = {}) {
    super(args, "adamax", 0.001);
    this.beta1 = args.beta1 ?? 0.9;
    this.beta2 = args.beta2 ?? 0.999;
    this.epsilon = args.epsilon ?? 1e-7;
  }

  className(): string {
    return "Adamax";
  }

  protected override buildSlots(variables: readonly Variable[]): void {
    [this.momentums, this.norms] = this.addOptimizerVariables(variables, ["momentum", "norm"]);
  }

  protected updateStep(gradient: Tensor, variable: Variable, lr: number, index: number): void {
    const t = this.iterations + 1;
    const momentum = this.momentums[index];
    const norm = this.norms[index];
    const m = momentum.assign(ops.add(momentum.value, ops.multiply(ops.subtract(gradient, momentum.value), 1 - this.beta1)));
    const u = norm.assign(ops.maximum(ops.multiply(norm.value, this.beta2), ops.abs(gradient)));
    const stepSize = lr / (1 - Math.pow(this.beta1, t));
    variable.assign(ops.subtract(variable.value, ops.divide(ops.multiply(m, stepSize), ops.add(u, this.epsilon))));
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), beta_1: this.beta1, beta_2: this.beta2, epsilon: this.epsilon };
  }

  static fromConfig(config: Record<string, unknown>): Adamax {
    return new Adamax(optimizerArgsFromConfig(config, "Adamax", { beta_1: "beta1", beta_2: "beta2", epsilon: "epsilon" }) as AdamaxArgs);
  }
}
