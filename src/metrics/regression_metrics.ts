import type { Tensor } from "../backend/tensor.js";
import type { Variable } from "../backend/variable.js";
import * as ops from "../ops/index.js";
import type { TensorLike } from "../ops/core.js";
import * as losses from "../losses/losses.js";
import { Metric, type MetricArgs } from "./metric.js";
import { MeanMetricWrapper } from "./reduction_metrics.js";
import { divideNoNan, lineUpWeights, sameShapePair } from "./metrics_utils.js";

/* Regression metrics (Keras 3 keras/src/metrics/regression_metrics.py). */

/** Mean of mean_squared_error; name "mean_squared_error". */
export class MeanSquaredError extends MeanMetricWrapper {
  constructor(args: MetricArgs = {}) {
    super(losses.meanSquaredError, { ...args, className: "MeanSquaredError" }, "mean_squared_error");
  }
}

/** Mean of mean_absolute_error; name "mean_absolute_error". */
export class MeanAbsoluteError extends MeanMetricWrapper {
  constructor(args: MetricArgs = {}) {
    super(losses.meanAbsoluteError, { ...args, className: "MeanAbsoluteError" }, "mean_absolute_error");
  }
}

/** Mean of mean_absolute_percentage_error; name "mean_absolute_percentage_error". */
export class MeanAbsolutePercentageError extends MeanMetricWrapper {
  constructor(args: MetricArgs = {}) {
    super(losses.meanAbsolutePercentageError, { ...args, className: "MeanAbsolutePercentageError" }, "mean_absolute_percentage_error");
  }
}

/** Mean of mean_squared_logarithmic_error; name "mean_squared_logarithmic_error". */
export class MeanSquaredLogarithmicError extends MeanMetricWrapper {
  constructor(args: MetricArgs = {}) {
    super(losses.meanSquaredLogarithmicError, { ...args, className: "MeanSquaredLogarithmicError" }, "mean_squared_logarithmic_error");
  }
}

/** Mean of log_cosh; name "logcosh" (Keras's default for this metric). */
export class LogCoshError extends MeanMetricWrapper {
  constructor(args: MetricArgs = {}) {
    super(losses.logCosh, { ...args, className: "LogCoshError" }, "logcosh");
  }
}

/** Mean cosine similarity (positive: 1 for the same direction), axis -1; name "cosine_similarity". */
export class CosineSimilarity extends MeanMetricWrapper {
  readonly axis: number;
  constructor(args: MetricArgs & { axis?: number } = {}) {
    const axis = args.axis ?? -1;
    super((t, p) => ops.negative(losses.cosineSimilarity(t, p, axis)), { ...args, className: "CosineSimilarity" }, "cosine_similarity");
    this.axis = axis;
  }
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), axis: this.axis };
  }
}

/** sqrt of the (weighted) mean of squared errors over every value seen; name "root_mean_squared_error". */
export class RootMeanSquaredError extends Metric {
  private readonly total: Variable;
  private readonly count: Variable;

  constructor(args: MetricArgs = {}) {
    super(args, "root_mean_squared_error");
    this.total = this.addVariable([], "total");
    this.count = this.addVariable([], "count");
  }

  className(): string {
    return "RootMeanSquaredError";
  }

  updateState(yTrue: TensorLike, yPred: TensorLike, sampleWeight?: TensorLike): void {
    const [t, p] = sameShapePair(yTrue, yPred, "root_mean_squared_error");
    const errorSq = ops.square(ops.subtract(p, t));
    const w = lineUpWeights(errorSq, sampleWeight, "root_mean_squared_error");
    if (w === undefined) {
      this.total.assignAdd(ops.sum(errorSq));
      this.count.assignAdd(errorSq.size);
    } else {
      this.total.assignAdd(ops.sum(ops.multiply(errorSq, w)));
      this.count.assignAdd(ops.sum(w));
    }
  }

  result(): Tensor {
    return ops.sqrt(divideNoNan(this.total.value, this.count.value));
  }
}
