import type { Tensor } from "../backend/tensor.js";
import type { Variable } from "../backend/variable.js";
import { formatShape } from "../backend/shape.js";
import * as ops from "../ops/index.js";
import type { TensorLike } from "../ops/core.js";
import { Metric, type MetricArgs } from "./metric.js";
import { floatTensor } from "./metrics_utils.js";
import { EPSILON } from "../losses/losses.js";


export type FScoreAverage = "micro" | "macro" | "weighted" | null;

export interface FBetaScoreArgs extends MetricArgs {
  /** null (default): one score per class; "micro", "macro" or "weighted" average. */
  average?: FScoreAverage;
  /** Weight of recall in the harmonic mean. Default 1. */
  beta?: number;
  /** Predictions above it count as 1; null (default): the argmax of each row counts as 1. */
  threshold?: number | null;
}

/**
 * F-beta score for [samples, classes] labels and predictions (Keras 3 FBetaScore): per class by
 * default, or averaged ("micro", "macro", "weighted"); name "fbeta_score".
 */
export class FBetaScore extends Metric {
  readonly average: FScoreAverage;
  readonly beta: number;
  readonly threshold: number | null;
  private vars: { tp: Variable; fp: Variable; fn: Variable; weights: Variable } | undefined;
  private numClasses = 0;

  constructor(args: FBetaScoreArgs = {}, defaultName = "fbeta_score") {
    super(args, defaultName);
    const average = args.average ?? null;
    if (average !== null && average !== "micro" && average !== "macro" && average !== "weighted") {
      throw new Error(`${this.className()}: invalid average '${String(average)}'; expected one of null, "micro", "macro", "weighted"`);
    }
    const beta = args.beta ?? 1.0;
    if (typeof beta !== "number" || !(beta > 0)) throw new RangeError(`${this.className()}: beta must be a number > 0, got ${String(beta)}`);
    const threshold = args.threshold ?? null;
    if (threshold !== null && (typeof threshold !== "number" || !(threshold > 0 && threshold <= 1))) {
      throw new RangeError(`${this.className()}: threshold must verify 0 < threshold <= 1, got ${String(threshold)}`);
    }
    this.average = average;
    this.beta = beta;
    this.threshold = threshold;
  }

  className(): string {
    return "FBetaScore";
  }

  private build(yTrue: Tensor, yPred: Tensor): void {
    if (yPred.rank !== 2 || yTrue.rank !== 2) {
      throw new Error(`${this.className()} expects 2D inputs with shape (batch_size, output_dim). Received input shapes: y_pred.shape=${formatShape(yPred.shape)} and y_true.shape=${formatShape(yTrue.shape)}.`);
    }
    this.numClasses = yPred.shape[1];
    const shape = this.average === "micro" ? [] : [this.numClasses];
    this.vars = {
      tp: this.addVariable(shape, "true_positives"),
      fp: this.addVariable(shape, "false_positives"),
      fn: this.addVariable(shape, "false_negatives"),
      weights: this.addVariable(shape, "intermediate_weights"),
    };
  }

  updateState(yTrue: TensorLike, yPred: TensorLike, sampleWeight?: TensorLike): void {
    const t = floatTensor(yTrue);
    let p = floatTensor(yPred);
    if (this.vars === undefined) this.build(t, p);
    if (t.rank !== 2 || p.rank !== 2 || t.shape[0] !== p.shape[0] || t.shape[1] !== this.numClasses || p.shape[1] !== this.numClasses) {
      throw new Error(`${this.className()}: expected y_true and y_pred of shape [batch, ${this.numClasses}], got y_true.shape=${formatShape(t.shape)} and y_pred.shape=${formatShape(p.shape)}`);
    }
    if (this.threshold === null) {
      // The row maximum counts as 1; an all-zero row stays all zero.
      const max = ops.max(p, -1, true);
      p = ops.cast(ops.logicalAnd(ops.greaterEqual(p, max), ops.greater(ops.abs(p), 1e-9)), "float32");
    } else {
      p = ops.cast(ops.greater(p, this.threshold), "float32");
    }
    const axis = this.average === "micro" ? undefined : 0;
    const w = sampleWeight === undefined || sampleWeight === null ? undefined : ops.expandDims(ops.reshape(floatTensor(sampleWeight), [-1]), 1);
    const weightedSum = (v: Tensor) => ops.sum(w === undefined ? v : ops.multiply(v, w), axis);
    const vars = this.vars!;
    vars.tp.assign(ops.add(vars.tp.value, weightedSum(ops.multiply(p, t))));
    vars.fp.assign(ops.add(vars.fp.value, weightedSum(ops.multiply(p, ops.subtract(1, t)))));
    vars.fn.assign(ops.add(vars.fn.value, weightedSum(ops.multiply(ops.subtract(1, p), t))));
    vars.weights.assign(ops.add(vars.weights.value, weightedSum(t)));
  }

  result(): Tensor {
    if (this.vars === undefined) return ops.zeros([]);
    const { tp, fp, fn, weights } = this.vars;
    const precision = ops.divide(tp.value, ops.add(ops.add(tp.value, fp.value), EPSILON));
    const recall = ops.divide(tp.value, ops.add(ops.add(tp.value, fn.value), EPSILON));
    const b2 = this.beta * this.beta;
    const mul = ops.multiply(precision, recall);
    const add = ops.add(ops.multiply(precision, b2), recall);
    let score = ops.multiply(ops.divide(mul, ops.add(add, EPSILON)), 1 + b2);
    if (this.average === "weighted") {
      const norm = ops.divide(weights.value, ops.add(ops.sum(weights.value), EPSILON));
      score = ops.sum(ops.multiply(score, norm));
    } else if (this.average !== null) {
      score = ops.mean(score);
    }
    return score;
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), average: this.average, beta: this.beta, threshold: this.threshold };
  }
}

/** F-1 score (FBetaScore with beta 1): per class by default; name "f1_score". */
export class F1Score extends FBetaScore {
  constructor(args: Omit<FBetaScoreArgs, "beta"> = {}) {
    super({ ...args, beta: 1.0 }, "f1_score");
  }

  override className(): string {
    return "F1Score";
  }

  override getConfig(): Record<string, unknown> {
    const config = super.getConfig();
    delete config.beta;
    return config;
  }
}
