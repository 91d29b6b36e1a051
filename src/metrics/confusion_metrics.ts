import type { Tensor } from "../backend/tensor.js";
import type { Variable } from "../backend/variable.js";
import * as ops from "../ops/index.js";
import type { TensorLike } from "../ops/core.js";
import { Metric, type MetricArgs } from "./metric.js";
import { EPSILON_THRESHOLD, NEG_INF, divideNoNan, floatTensor, isEvenlyDistributed, updateConfusionMatrixVariables, type ConfusionVariables } from "./metrics_utils.js";

/*
 * Confusion-matrix metrics (Keras 3 keras/src/metrics/confusion_metrics.py): counts of true/false
 * positives/negatives at one or more thresholds (a prediction p is positive when p > threshold;
 * a label is positive when nonzero), accumulated with ops.
 */

/** Keras's `parse_init_thresholds`: a number or a list, each in [0, 1]; the default when absent. */
function parseThresholds(thresholds: number | readonly number[] | null | undefined, defaultThreshold: number, metric: string): number[] {
  if (thresholds === undefined || thresholds === null) return [defaultThreshold];
  const list = typeof thresholds === "number" ? [thresholds] : [...thresholds];
  if (list.length === 0) throw new RangeError(`${metric}: thresholds must not be empty`);
  const invalid = list.filter((t) => typeof t !== "number" || !(t >= 0 && t <= 1));
  if (invalid.length > 0) throw new RangeError(`${metric}: threshold values must be in [0, 1], got ${invalid.join(", ")}`);
  return list;
}

/** The first entry as a scalar when there is a single threshold, else the vector. */
function perThreshold(x: Tensor, count: number): Tensor {
  return count === 1 ? ops.reshape(x, []) : x;
}

export interface ThresholdArgs extends MetricArgs {
  /** A threshold or a list of them, in [0, 1]. Default 0.5. */
  thresholds?: number | number[] | null;
}

/** Base of TruePositives & co: the weighted count at each threshold. */
abstract class ConfusionCount extends Metric {
  readonly initThresholds: number | number[] | null;
  readonly thresholds: number[];
  private readonly evenly: boolean;
  protected readonly accumulator: Variable;

  constructor(args: ThresholdArgs, defaultName: string, private readonly kind: keyof ConfusionVariables) {
    super(args, defaultName);
    this.initThresholds = args.thresholds ?? null;
    this.thresholds = parseThresholds(args.thresholds, 0.5, this.className());
    this.evenly = isEvenlyDistributed(this.thresholds);
    this.accumulator = this.addVariable([this.thresholds.length], "accumulator");
  }

  updateState(yTrue: TensorLike, yPred: TensorLike, sampleWeight?: TensorLike): void {
    updateConfusionMatrixVariables({ [this.kind]: this.accumulator }, yTrue, yPred, this.thresholds, { sampleWeight, evenlyDistributed: this.evenly }, this.name);
  }

  result(): Tensor {
    return perThreshold(this.accumulator.value, this.thresholds.length);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), thresholds: this.initThresholds };
  }
}

/** Weighted count of true positives; name "true_positives". */
export class TruePositives extends ConfusionCount {
  constructor(args: ThresholdArgs = {}) {
    super(args, "true_positives", "tp");
  }
  className(): string {
    return "TruePositives";
  }
}

/** Weighted count of false positives; name "false_positives". */
export class FalsePositives extends ConfusionCount {
  constructor(args: ThresholdArgs = {}) {
    super(args, "false_positives", "fp");
  }
  className(): string {
    return "FalsePositives";
  }
}

/** Weighted count of true negatives; name "true_negatives". */
export class TrueNegatives extends ConfusionCount {
  constructor(args: ThresholdArgs = {}) {
    super(args, "true_negatives", "tn");
  }
  className(): string {
    return "TrueNegatives";
  }
}

/** Weighted count of false negatives; name "false_negatives". */
export class FalseNegatives extends ConfusionCount {
  constructor(args: ThresholdArgs = {}) {
    super(args, "false_negatives", "fn");
  }
  className(): string {
    return "FalseNegatives";
  }
}

export interface PrecisionRecallArgs extends ThresholdArgs {
  /** Only the k highest predictions of each sample count as positive (thresholds then default to -inf). */
  topK?: number | null;
  /** Restrict to one class (column) of [samples, classes] data. */
  classId?: number | null;
}

abstract class PrecisionRecallBase extends Metric {
  readonly initThresholds: number | number[] | null;
  readonly thresholds: number[];
  readonly topK: number | null;
  readonly classId: number | null;
  private readonly evenly: boolean;
  protected readonly truePositives: Variable;
  protected readonly other: Variable;

  constructor(args: PrecisionRecallArgs, defaultName: string, private readonly otherKind: "fp" | "fn") {
    super(args, defaultName);
    this.initThresholds = args.thresholds ?? null;
    this.topK = args.topK ?? null;
    this.classId = args.classId ?? null;
    if (this.topK !== null && (!Number.isInteger(this.topK) || this.topK < 1)) throw new RangeError(`${this.className()}: topK must be a positive integer, got ${this.topK}`);
    this.thresholds = parseThresholds(args.thresholds, this.topK === null ? 0.5 : NEG_INF, this.className());
    this.evenly = isEvenlyDistributed(this.thresholds);
    this.truePositives = this.addVariable([this.thresholds.length], "true_positives");
    this.other = this.addVariable([this.thresholds.length], otherKind === "fp" ? "false_positives" : "false_negatives");
  }

  updateState(yTrue: TensorLike, yPred: TensorLike, sampleWeight?: TensorLike): void {
    updateConfusionMatrixVariables({ tp: this.truePositives, [this.otherKind]: this.other }, yTrue, yPred, this.thresholds, {
      sampleWeight,
      topK: this.topK,
      classId: this.classId,
      evenlyDistributed: this.evenly,
    }, this.name);
  }

  result(): Tensor {
    return perThreshold(divideNoNan(this.truePositives.value, ops.add(this.truePositives.value, this.other.value)), this.thresholds.length);
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), thresholds: this.initThresholds, top_k: this.topK, class_id: this.classId };
  }
}

/** tp / (tp + fp) at threshold 0.5 (or the given thresholds); name "precision". */
export class Precision extends PrecisionRecallBase {
  constructor(args: PrecisionRecallArgs = {}) {
    super(args, "precision", "fp");
  }
  className(): string {
    return "Precision";
  }
}

/** tp / (tp + fn) at threshold 0.5 (or the given thresholds); name "recall". */
export class Recall extends PrecisionRecallBase {
  constructor(args: PrecisionRecallArgs = {}) {
    super(args, "recall", "fn");
  }
  className(): string {
    return "Recall";
  }
}

export type AUCCurve = "ROC" | "PR";
export type AUCSummationMethod = "interpolation" | "minoring" | "majoring";

export interface AUCArgs extends MetricArgs {
  /** Thresholds spread evenly over [0, 1] (default 200), endpoints included. */
  numThresholds?: number;
  /** "ROC" (default) or "PR". */
  curve?: AUCCurve | "roc" | "pr";
  /** Riemann sum: "interpolation" (default), "minoring" or "majoring". */
  summationMethod?: AUCSummationMethod | "Interpolation" | "Minoring" | "Majoring";
  /** Explicit thresholds in (0, 1) instead of numThresholds (endpoints are added). */
  thresholds?: number[] | null;
  /** Keep one curve per label and average the AUCs (inputs [samples, labels]). */
  multiLabel?: boolean;
  numLabels?: number | null;
  /** Per-label weights: for the average (multiLabel) or for the flattened counts. */
  labelWeights?: number[] | null;
  /** Predictions are logits: a sigmoid is applied first. */
  fromLogits?: boolean;
}

/**
 * Area under the ROC (or PR) curve, approximated over `numThresholds` (200) thresholds, Keras's
 * [-1e-7, 1/(n-1), ..., (n-2)/(n-1), 1 + 1e-7], summed with mid-point "interpolation" by default;
 * name "auc".
 */
export class AUC extends Metric {
  readonly numThresholds: number;
  readonly curve: AUCCurve;
  readonly summationMethod: AUCSummationMethod;
  readonly multiLabel: boolean;
  readonly numLabels: number | null;
  readonly labelWeights: number[] | null;
  readonly fromLogits: boolean;
  private readonly initFromThresholds: boolean;
  private readonly evenly: boolean;
  private readonly thresholdList: number[];
  private vars: { tp: Variable; fp: Variable; tn: Variable; fn: Variable } | undefined;
  private labelCount = 0;

  constructor(args: AUCArgs = {}) {
    super(args, "auc");
    const curve = (args.curve ?? "ROC").toUpperCase();
    if (curve !== "ROC" && curve !== "PR") throw new Error(`AUC: invalid curve '${args.curve}'; expected "ROC" or "PR"`);
    this.curve = curve;
    const method = (args.summationMethod ?? "interpolation").toLowerCase();
    if (method !== "interpolation" && method !== "minoring" && method !== "majoring") {
      throw new Error(`AUC: invalid summationMethod '${args.summationMethod}'; expected "interpolation", "minoring" or "majoring"`);
    }
    this.summationMethod = method;
    this.initFromThresholds = args.thresholds !== undefined && args.thresholds !== null;
    let inner: number[];
    if (args.thresholds !== undefined && args.thresholds !== null) {
      inner = [...args.thresholds].sort((a, b) => a - b);
      const invalid = inner.filter((t) => typeof t !== "number" || !(t >= 0 && t <= 1));
      if (invalid.length > 0) throw new RangeError(`AUC: threshold values must be in [0, 1], got ${invalid.join(", ")}`);
      this.numThresholds = inner.length + 2;
      this.evenly = isEvenlyDistributed([0, ...inner, 1]);
    } else {
      const n = args.numThresholds ?? 200;
      if (!Number.isInteger(n) || n <= 1) throw new RangeError(`AUC: numThresholds must be an integer > 1, got ${n}`);
      this.numThresholds = n;
      inner = Array.from({ length: n - 2 }, (_, i) => (i + 1) / (n - 1));
      this.evenly = true;
    }
    this.thresholdList = [0 - EPSILON_THRESHOLD, ...inner, 1 + EPSILON_THRESHOLD];
    this.multiLabel = args.multiLabel ?? false;
    this.numLabels = args.numLabels ?? null;
    this.labelWeights = args.labelWeights ?? null;
    this.fromLogits = args.fromLogits ?? false;
    if (this.multiLabel) {
      if (this.numLabels) this.build(this.numLabels);
    } else {
      if (this.numLabels) throw new Error("AUC: numLabels is needed only when multiLabel is true");
      this.build(0);
    }
  }

  className(): string {
    return "AUC";
  }

  /** The thresholds, endpoints included. */
  get thresholds(): number[] {
    return [...this.thresholdList];
  }

  private build(numLabels: number): void {
    const shape = this.multiLabel ? [this.numThresholds, numLabels] : [this.numThresholds];
    this.labelCount = numLabels;
    this.vars = {
      tp: this.addVariable(shape, "true_positives"),
      fp: this.addVariable(shape, "false_positives"),
      tn: this.addVariable(shape, "true_negatives"),
      fn: this.addVariable(shape, "false_negatives"),
    };
  }

  updateState(yTrue: TensorLike, yPred: TensorLike, sampleWeight?: TensorLike): void {
    let p = floatTensor(yPred);
    if (this.multiLabel) {
      if (p.rank !== 2) throw new Error(`AUC: with multiLabel, y_pred must have rank 2 ([samples, labels]), got shape [${p.shape.join(",")}]`);
      if (this.vars === undefined) this.build(p.shape[1]);
      else if (p.shape[1] !== this.labelCount) throw new Error(`AUC: built for ${this.labelCount} labels, but y_pred has ${p.shape[1]}`);
    }
    if (this.fromLogits) p = ops.sigmoid(p);
    const labelWeights = !this.multiLabel && this.labelWeights !== null ? ops.convertToTensor(Float32Array.from(this.labelWeights)) : null;
    updateConfusionMatrixVariables(this.vars!, yTrue, p, this.thresholdList, {
      sampleWeight,
      multiLabel: this.multiLabel,
      labelWeights,
      evenlyDistributed: this.evenly,
    }, this.name);
  }

  /** x[:n-1] and x[1:] along the threshold axis. */
  private pairs(x: Tensor): [Tensor, Tensor] {
    const n = this.numThresholds;
    const rest = x.shape.slice(1);
    const zeros = rest.map(() => 0);
    return [ops.slice(x, [0, ...zeros], [n - 1, ...rest]), ops.slice(x, [1, ...zeros], [n - 1, ...rest])];
  }

  /** Sums the per-threshold terms, averaging label AUCs (weighted by labelWeights) with multiLabel. */
  private total(terms: Tensor): Tensor {
    if (!this.multiLabel) return ops.sum(terms);
    const byLabel = ops.sum(terms, 0);
    if (this.labelWeights === null) return ops.mean(byLabel);
    const lw = ops.convertToTensor(Float32Array.from(this.labelWeights));
    return divideNoNan(ops.sum(ops.multiply(byLabel, lw)), ops.sum(lw));
  }

  /** Davis & Goadrich interpolation of the PR curve, as Keras's `interpolate_pr_auc`. */
  private interpolatePrAuc(): Tensor {
    const { tp, fp, fn } = this.vars!;
    const [tpA, tpB] = this.pairs(tp.value);
    const p = ops.add(tp.value, fp.value);
    const [pA, pB] = this.pairs(p);
    const dtp = ops.subtract(tpA, tpB);
    const dp = ops.subtract(pA, pB);
    const precSlope = divideNoNan(dtp, ops.maximum(dp, 0));
    const intercept = ops.subtract(tpB, ops.multiply(precSlope, pB));
    const safeRatio = ops.where(ops.logicalAnd(ops.greater(pA, 0), ops.greater(pB, 0)), divideNoNan(pA, ops.maximum(pB, 0)), 1);
    const [, fnB] = this.pairs(fn.value);
    const increment = divideNoNan(ops.multiply(precSlope, ops.add(dtp, ops.multiply(intercept, ops.log(safeRatio)))), ops.maximum(ops.add(tpB, fnB), 0));
    return this.total(increment);
  }

  result(): Tensor {
    if (this.vars === undefined) return ops.zeros([]);
    if (this.curve === "PR" && this.summationMethod === "interpolation") return this.interpolatePrAuc();
    const { tp, fp, tn, fn } = this.vars;
    const recall = divideNoNan(tp.value, ops.add(tp.value, fn.value));
    let x: Tensor;
    let y: Tensor;
    if (this.curve === "ROC") {
      x = divideNoNan(fp.value, ops.add(fp.value, tn.value));
      y = recall;
    } else {
      x = recall;
      y = divideNoNan(tp.value, ops.add(tp.value, fp.value));
    }
    const [yA, yB] = this.pairs(y);
    const heights =
      this.summationMethod === "interpolation" ? ops.divide(ops.add(yA, yB), 2) : this.summationMethod === "minoring" ? ops.minimum(yA, yB) : ops.maximum(yA, yB);
    const [xA, xB] = this.pairs(x);
    return this.total(ops.multiply(ops.subtract(xA, xB), heights));
  }

  override getConfig(): Record<string, unknown> {
    const config: Record<string, unknown> = {
      ...super.getConfig(),
      num_thresholds: this.numThresholds,
      curve: this.curve,
      summation_method: this.summationMethod,
      multi_label: this.multiLabel,
      num_labels: this.numLabels,
      label_weights: this.labelWeights,
      from_logits: this.fromLogits,
    };
    if (this.initFromThresholds) config.thresholds = this.thresholdList.slice(1, -1);
    return config;
  }
}
