import * as losses from "../losses/losses.js";
import type { MetricArgs } from "./metric.js";
import { MeanMetricWrapper } from "./reduction_metrics.js";

/*
 * Probabilistic metrics (Keras 3 keras/src/metrics/probabilistic_metrics.py): the mean of the
 * matching loss function over every sample seen.
 */

/** Mean binary cross-entropy (fromLogits false, labelSmoothing 0); name "binary_crossentropy". */
export class BinaryCrossentropy extends MeanMetricWrapper {
  readonly fromLogits: boolean;
  readonly labelSmoothing: number;
  constructor(args: MetricArgs & { fromLogits?: boolean; labelSmoothing?: number } = {}) {
    const fromLogits = args.fromLogits ?? false;
    const labelSmoothing = args.labelSmoothing ?? 0;
    super((t, p) => losses.binaryCrossentropy(t, p, fromLogits, labelSmoothing), { ...args, className: "BinaryCrossentropy" }, "binary_crossentropy");
    this.fromLogits = fromLogits;
    this.labelSmoothing = labelSmoothing;
  }
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), from_logits: this.fromLogits, label_smoothing: this.labelSmoothing };
  }
}

/** Mean categorical cross-entropy for one-hot labels (fromLogits false, labelSmoothing 0, axis -1); name "categorical_crossentropy". */
export class CategoricalCrossentropy extends MeanMetricWrapper {
  readonly fromLogits: boolean;
  readonly labelSmoothing: number;
  readonly axis: number;
  constructor(args: MetricArgs & { fromLogits?: boolean; labelSmoothing?: number; axis?: number } = {}) {
    const fromLogits = args.fromLogits ?? false;
    const labelSmoothing = args.labelSmoothing ?? 0;
    const axis = args.axis ?? -1;
    super((t, p) => losses.categoricalCrossentropy(t, p, fromLogits, labelSmoothing, axis), { ...args, className: "CategoricalCrossentropy" }, "categorical_crossentropy");
    this.fromLogits = fromLogits;
    this.labelSmoothing = labelSmoothing;
    this.axis = axis;
  }
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), from_logits: this.fromLogits, label_smoothing: this.labelSmoothing, axis: this.axis };
  }
}

/** Mean cross-entropy for integer labels (fromLogits false, axis -1); name "sparse_categorical_crossentropy". */
export class SparseCategoricalCrossentropy extends MeanMetricWrapper {
  readonly fromLogits: boolean;
  readonly axis: number;
  constructor(args: MetricArgs & { fromLogits?: boolean; axis?: number } = {}) {
    const fromLogits = args.fromLogits ?? false;
    const axis = args.axis ?? -1;
    super((t, p) => losses.sparseCategoricalCrossentropy(t, p, fromLogits, null, axis), { ...args, className: "SparseCategoricalCrossentropy" }, "sparse_categorical_crossentropy");
    this.fromLogits = fromLogits;
    this.axis = axis;
  }
  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), from_logits: this.fromLogits, axis: this.axis };
  }
}

/** Mean Kullback-Leibler divergence; name "kl_divergence". */
export class KLDivergence extends MeanMetricWrapper {
  constructor(args: MetricArgs = {}) {
    super(losses.klDivergence, { ...args, className: "KLDivergence" }, "kl_divergence");
  }
}

/** Mean Poisson loss; name "poisson". */
export class Poisson extends MeanMetricWrapper {
  constructor(args: MetricArgs = {}) {
    super(losses.poisson, { ...args, className: "Poisson" }, "poisson");
  }
}
