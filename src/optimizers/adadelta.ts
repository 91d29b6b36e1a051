import type { Tensor } from "../backend/tensor.js";
import type { Variable } from "../backend/variable.js";
import * as ops from "../ops/index.js";
import { Optimizer, optimizerArgsFromConfig, type OptimizerArgs } from "./optimizer.js";

export interface AdadeltaArgs extends OptimizerArgs {
  /** Decay rate. Default 0.95. */
  rho?: number;
  /** Default 1e-7. */
  epsilon?: number;
}

/**
 * Adadelta, Keras 3's `Adadelta` (keras/src/optimizers/adadelta.py).
 * Defaults: learningRate 0.001, rho 0.95, epsilon 1e-7, name "adadelta".
 *
 *   rms(x) = sqrt(x + epsilon)
 *   accGrad = rho * accGrad + (1 - rho) * g^2
 *   delta = -rms(accDelta) * g / rms(accGrad)
 *   accDelta = rho * accDelta + (1 - rho) * delta^2
 *   w = w + lr * delta
 *
 * Slots: `accumulated_grad` and `accumulated_delta_var` interleaved per variable (ag0, ad0, ag1,
 * ad1, ...).
 */
export class Adadelta extends Optimizer {
  readonly rho: number;
  readonly epsilon: number;
  private accumulatedGrads: Variable[] = [];
  private accumulatedDeltaVars: Variable[] = [];

  constructor(args: AdadeltaArgs = {}) {
    super(args, "adadelta", 0.001);
    this.rho = args.rho ?? 0.95;
    this.epsilon = args.epsilon ?? 1e-7;
  }

  className(): string {
    return "Adadelta";
  }

  protected override buildSlots(variables: readonly Variable[]): void {
    [this.accumulatedGrads, this.accumulatedDeltaVars] = this.addOptimizerVariables(variables, ["accumulated_grad", "accumulated_delta_var"]);
  }

  protected updateStep(gradient: Tensor, variable: Variable, lr: number, index: number): void {
    const rho = this.rho;
    const accumulatedGrad = this.accumulatedGrads[index];
    const accumulatedDelta = this.accumulatedDeltaVars[index];
    const ag = accumulatedGrad.assign(ops.add(ops.multiply(accumulatedGrad.value, rho), ops.multiply(ops.square(gradient), 1 - rho)));
    // `negDelta` is -delta: the sign is folded into the variable update below.
    const negDelta = ops.divide(
      ops.multiply(ops.sqrt(ops.add(accumulatedDelta.value, this.epsilon)), gradient),
      ops.sqrt(ops.add(ag, this.epsilon)),
    );
    accumulatedDelta.assign(ops.add(ops.multiply(accumulatedDelta.value, rho), ops.multiply(ops.square(negDelta), 1 - rho)));
    variable.assign(ops.subtract(variable.value, ops.multiply(negDelta, lr)));
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), rho: this.rho, epsilon: this.epsilon };
  }

  static fromConfig(config: Record<string, unknown>): Adadelta {
    return new Adadelta(optimizerArgsFromConfig(config, "Adadelta", { rho: "rho", epsilon: "epsilon" }) as AdadeltaArgs);
  }
}
