import { makeTensor, type Tensor } from "../backend/tensor.js";
import type { Variable } from "../backend/variable.js";
import * as ops from "../ops/index.js";
import { Metric, type MetricArgs } from "./metric.js";

/** `variable += delta` for a scalar float32 variable, in plain numbers (float32 rounding, as the add kernel). */
function addToScalar(variable: Variable, delta: number): void {
  variable.assign(scalar(variable.value.item() + Math.fround(delta)));
}

/** A float32 scalar tensor (no nested-array conversion). */
function scalar(value: number): Tensor {
  return makeTensor(Float32Array.of(value), [], "float32");
}

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
    const weights = sampleWeight ?? sampleWeightOrYPred;
    if (weights === undefined) {
      // Unweighted: every value has weight 1, so the count grows by the number of values.
      addToScalar(this.total, ops.sum(ops.cast(values, "float32")).item());
      addToScalar(this.count, values.size);
      return;
    }
    const [v, w] = weighted(values, weights);
    addToScalar(this.total, ops.sum(v).item());
    addToScalar(this.count, ops.sum(w).item());
  }

  /** Adds a weighted sum and its total weight, counted elsewhere (plain numbers). */
  addTotals(total: number, weight: number): void {
    addToScalar(this.total, total);
    addToScalar(this.count, weight);
  }

  /** Adds `value` with weight `weight` (a plain-number update, used for the loss tracker). */
  updateScalar(value: number, weight = 1): void {
    this.addTotals(value * weight, weight);
  }

  result(): Tensor {
    // total / count, and 0 before any update (divide_no_nan); float32 division of the two.
    const count = this.count.value.item();
    return scalar(count === 0 ? 0 : this.total.value.item() / count);
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

  /** For subclasses that count a batch's values themselves: their sum and how many there were. */
  protected addTotals(total: number, count: number): void {
    this.mean.addTotals(total, count);
  }

  result(): Tensor {
    return this.mean.result();
  }

  override resetState(): void {
    this.mean.resetState();
  }
}
