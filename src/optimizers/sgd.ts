import type { Tensor } from "../backend/tensor.js";
import type { Variable } from "../backend/variable.js";
import * as ops from "../ops/index.js";
import * as fused from "../ops/fused.js";
import { applyDecay, canFuse } from "./fused_update.js";
import { Optimizer, optimizerArgsFromConfig, type OptimizerArgs, transientGradientSteps } from "./optimizer.js";

export interface SGDArgs extends OptimizerArgs {
  /** In [0, 1]; 0 is plain gradient descent. Default 0. */
  momentum?: number;
  /** Nesterov momentum. Default false. */
  nesterov?: boolean;
}

/**
 * Gradient descent (with momentum), Keras 3's `SGD` (keras/src/optimizers/sgd.py).
 * Defaults: learningRate 0.01, momentum 0, nesterov false, name "SGD".
 *
 *   momentum = 0:  w = w - lr * g
 *   momentum > 0:  m = momentum * m - lr * g;  w = w + m
 *   nesterov:      m = momentum * m - lr * g;  w = w + momentum * m - lr * g
 *
 * Slots (`variables`, saved as optimizer/vars/2...): one `momentum` per variable, only when
 * momentum != 0.
 */
export class SGD extends Optimizer {
  static {
    transientGradientSteps.add(SGD.prototype.updateStep);
  }

  readonly momentum: number;
  readonly nesterov: boolean;
  private momentums: Variable[] = [];

  constructor(args: SGDArgs = {}) {
    super(args, "SGD", 0.01);
    const momentum = args.momentum ?? 0.0;
    if (typeof momentum !== "number" || !(momentum >= 0 && momentum <= 1)) {
      throw new Error(`SGD: \`momentum\` must be a float between [0, 1]. Received: momentum=${String(momentum)}`);
    }
    this.momentum = momentum;
    this.nesterov = args.nesterov ?? false;
    // A subclass that replaces updateStep gets the base class's separate weight-decay pass.
    this.fusesWeightDecay = this.updateStep === SGD.prototype.updateStep;
  }

  className(): string {
    return "SGD";
  }

  protected override buildSlots(variables: readonly Variable[]): void {
    if (this.momentum !== 0) [this.momentums] = this.addOptimizerVariables(variables, ["momentum"]);
  }

  protected updateStep(gradient: Tensor, variable: Variable, lr: number, index: number): void {
    const decay = this.weightDecayFactor(variable, lr);
    const m = this.momentum === 0 ? null : this.momentums[index];
    if (canFuse(gradient, variable)) {
      // One kernel: weight decay, momentum and the variable update in a single pass.
      fused.sgdUpdateInPlace(variable.writableValue(), gradient, m === null ? null : m.writableValue(), {
        lr, momentum: this.momentum, nesterov: this.nesterov, decay,
      });
      return;
    }
    applyDecay(variable, decay);
    const step = ops.multiply(gradient, lr);
    if (this.momentum === 0) {
      variable.assign(ops.subtract(variable.value, step));
      return;
    }
    const next = m!.assign(ops.subtract(ops.multiply(m!.value, this.momentum), step));
    const delta = this.nesterov ? ops.subtract(ops.multiply(next, this.momentum), step) : next;
    variable.assign(ops.add(variable.value, delta));
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), momentum: this.momentum, nesterov: this.nesterov };
  }

  static fromConfig(config: Record<string, unknown>): SGD {
    return new SGD(optimizerArgsFromConfig(config, "SGD", { momentum: "momentum", nesterov: "nesterov" }) as SGDArgs);
  }
}
