import type { Tensor } from "../backend/tensor.js";
import type { Variable } from "../backend/variable.js";
import { sgdUpdate } from "../ops/optimizer_updates.js";
import { Optimizer, optimizerArgsFromConfig, type OptimizerArgs } from "./optimizer.js";

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
  }

  className(): string {
    return "SGD";
  }

  protected override buildSlots(variables: readonly Variable[]): void {
    if (this.momentum !== 0) [this.momentums] = this.addOptimizerVariables(variables, ["momentum"]);
  }

  protected updateStep(gradient: Tensor, variable: Variable, lr: number, index: number): void {
    sgdUpdate(variable, gradient, this.momentum === 0 ? null : this.momentums[index], { lr, momentum: this.momentum, nesterov: this.nesterov });
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), momentum: this.momentum, nesterov: this.nesterov };
  }

  static fromConfig(config: Record<string, unknown>): SGD {
    return new SGD(optimizerArgsFromConfig(config, "SGD", { momentum: "momentum", nesterov: "nesterov" }) as SGDArgs);
  }
}
