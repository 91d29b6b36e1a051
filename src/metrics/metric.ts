import type { DType } from "../backend/dtypes.js";
import type { Tensor } from "../backend/tensor.js";
import { Variable } from "../backend/variable.js";
import * as ops from "../ops/index.js";
import { withoutRecording } from "../autodiff/tape.js";

export interface MetricArgs {
  name?: string;
  dtype?: DType;
}

/**
 * Base of every metric: state variables accumulated by `updateState` over batches, read by
 * `result()`, cleared by `resetState()`. A metric's result is a tensor; a container of metrics
 * (the model's `compile_metrics`) gives an object of them, as Keras's `result()` may return a dict.
 */
export abstract class Metric<Result = Tensor> {
  /** Writable, as in Keras: compile renames metrics per output (`dense_1_accuracy`). */
  name: string;
  readonly dtype: DType;
  private readonly stateVariables: Variable[] = [];
  private readonly initialValues: Tensor[] = [];

  constructor(args: MetricArgs, defaultName: string) {
    this.name = args.name ?? defaultName;
    this.dtype = args.dtype ?? "float32";
  }

  abstract className(): string;

  protected addVariable(shape: readonly number[], name: string, initialValue = 0, dtype: DType = this.dtype): Variable {
    const value = ops.full(shape, initialValue, dtype);
    const variable = new Variable(value, { name, trainable: false, dtype });
    this.stateVariables.push(variable);
    this.initialValues.push(value);
    return variable;
  }

  get variables(): Variable[] {
    return [...this.stateVariables];
  }

  abstract updateState(yTrue: Tensor, yPred: Tensor, sampleWeight?: Tensor): void;

  abstract result(): Result;

  resetState(): void {
    this.stateVariables.forEach((v, i) => v.assign(this.initialValues[i]));
  }

  /** Updates with one batch and returns the running result (Keras's `metric(y_true, y_pred)`). */
  apply(yTrue: Tensor, yPred: Tensor, sampleWeight?: Tensor): Result {
    withoutRecording(() => this.updateState(yTrue, yPred, sampleWeight));
    return this.result();
  }

  getConfig(): Record<string, unknown> {
    return { name: this.name, dtype: this.dtype };
  }
}
