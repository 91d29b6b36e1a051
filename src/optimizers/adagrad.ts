import type { Tensor } from "../backend/tensor.js";
import type { Variable } from "../backend/variable.js";
import * as ops from "../ops/index.js";
import { autoName } from "../utils/naming.js";
import { Optimizer, optimizerArgsFromConfig, type OptimizerArgs } from "./optimizer.js";

export interface AdagradArgs extends OptimizerArgs {
  /** Starting value of the accumulators; must be >= 0. Default 0.1. */
  initialAccumulatorValue?: number;
  /** Default 1e-7. */
  epsilon?: number;
}

/**
 * Adagrad, Keras 3's `Adagrad` (keras/src/optimizers/adagrad.py).
 * Defaults: learningRate 0.001, initialAccumulatorValue 0.1, epsilon 1e-7; the name defaults to
 * an auto name ("adagrad", "adagrad_1", ...) as Keras's `name=None` does.
 *
 *   acc = acc + g^2
 *   w = w - lr * g / sqrt(acc + epsilon)
 *
 * Slots: one `accumulator` per variable, initialized to initialAccumulatorValue.
 */
export class Adagrad extends Optimizer {
  readonly initialAccumulatorValue: number;
  readonly epsilon: number;
  private accumulators: Variable[] = [];

  constructor(args: AdagradArgs = {}) {
    super({ ...args, name: args.name ?? autoName("adagrad") }, "adagrad", 0.001);
    this.initialAccumulatorValue = args.initialAccumulatorValue ?? 0.1;
    this.epsilon = args.epsilon ?? 1e-7;
    if (!(this.initialAccumulatorValue >= 0)) {
      throw new Error(`Adagrad: initialAccumulatorValue must be non-negative, got ${this.initialAccumulatorValue}`);
    }
  }

  className(): string {
    return "Adagrad";
  }

  protected override buildSlots(variables: readonly Variable[]): void {
    [this.accumulators] = this.addOptimizerVariables(variables, ["accumulator"], this.initialAccumulatorValue);
  }

  protected updateStep(gradient: Tensor, variable: Variable, lr: number, index: number): void {
    const accumulator = this.accumulators[index];
    const acc = accumulator.assign(ops.add(accumulator.value, ops.square(gradient)));
    variable.assign(ops.subtract(variable.value, ops.divide(ops.multiply(gradient, lr), ops.sqrt(ops.add(acc, this.epsilon)))));
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), initial_accumulator_value: this.initialAccumulatorValue, epsilon: this.epsilon };
  }

  static fromConfig(config: Record<string, unknown>): Adagrad {
    return new Adagrad(
      optimizerArgsFromConfig(config, "Adagrad", { initial_accumulator_value: "initialAccumulatorValue", epsilon: "epsilon" }) as AdagradArgs,
    );
  }
}
