import type { Tensor } from "../backend/tensor.js";
import type { Variable } from "../backend/variable.js";
import * as ops from "../ops/index.js";
import { Metric, type MetricArgs } from "./metric.js";

/** Weighted values and their total weight, with the weight lined up against the values. */
function weighted(values: Tensor, sampleWeight?: Tensor): [Tensor, Tensor] {
  let v = ops.cast(values, "float32");
  if (sampleWeight === undefined) return [v, ops.full(v.shape, 1, "float32")];
  let w = ops.cast(sampleWeight, "float32");
  while (w.rank > v.rank && w.shape[w.rank - 1] === 1) w = ops.squeeze(w, -1);
  while (w.rank < v.rank) w = ops.expandDims(w, -1);
  w = ops.broadcastTo(w, v.shape);
  v = ops.multiply(v, w);
  return [v, w];
}

/** Running weighted sum of the values seen. */
export class Sum extends Metric {
  private readonly total: Variable;

  constructor(args: MetricArgs = {}) {
    super(args, "sum");
    this.total = this.addVariable([], "total");
  }

  className(): string {
    return "Sum";
  }

  updateState(values: Tensor, sampleWeightOrYPred?: Tensor, sampleWeight?: Tensor): void {
    const [v] = weighted(values, sampleWeight ?? sampleWeightOrYPred);
    this.total.assign(ops.add(this.total.value, ops.sum(v)));
  }

  result(): Tensor {
    return this.total.value;
  }
}

/** Running weighted mean of the values seen: `update(values, sampleWeight?)`. */
export class Mean extends Metric {
  private readonly total: Variable;
  private readonly count: Variable;

  constructor(args: MetricArgs = {}) {
    super(args, "mean");
    this.total = this.addVariable([], "total");
    this.count = this.addVariable([], "count");
  }

  className(): string {
    return "Mean";
  }

  /** `updateState(values, sampleWeight?)`; the middle argument form matches Metric's signature. */
  updateState(values: Tensor, sampleWeightOrYPred?: Tensor, sampleWeight?: Tensor): void {
    const [v, w] = weighted(values, sampleWeight ?? sampleWeightOrYPred);
    this.total.assign(ops.add(this.total.value, ops.sum(v)));
    this.count.assign(ops.add(this.count.value, ops.sum(w)));
  }

  /** Adds `value` with weight `weight` (a plain-number update, used for the loss tracker). */
  updateScalar(value: number, weight = 1): void {
    this.total.assign(ops.add(this.total.value, value * weight));
    this.count.assign(ops.add(this.count.value, weight));
  }

  result(): Tensor {
    // total / count, and 0 before any update (divide_no_nan), with ops only.
    const count = this.count.value;
    const empty = ops.equal(count, 0);
    return ops.where(empty, 0, ops.divide(this.total.value, ops.where(empty, 1, count)));
  }
}

/** A metric from a function of (yTrue, yPred) giving per-sample values, averaged over samples. */
export class MeanMetricWrapper extends Metric {
  readonly fn: (yTrue: Tensor, yPred: Tensor) => Tensor;
  private readonly mean: Mean;
  private readonly wrappedClassName: string;

  constructor(fn: (yTrue: Tensor, yPred: Tensor) => Tensor, args: MetricArgs & { className?: string } = {}, defaultName?: string) {
    super(args, defaultName ?? (fn.name || "mean_metric_wrapper"));
    this.fn = fn;
    this.mean = new Mean({ name: this.name });
    this.wrappedClassName = args.className ?? "MeanMetricWrapper";
  }

  className(): string {
    return this.wrappedClassName;
  }

  override get variables(): Variable[] {
    return this.mean.variables;
  }

  updateState(yTrue: Tensor, yPred: Tensor, sampleWeight?: Tensor): void {
    this.mean.updateState(this.fn(yTrue, yPred), sampleWeight);
  }

  result(): Tensor {
    return this.mean.result();
  }

  override resetState(): void {
    this.mean.resetState();
  }
}
