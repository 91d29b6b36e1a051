import { Tensor } from "../backend/tensor.js";
import * as ops from "../ops/index.js";
import { withoutRecording } from "../autodiff/tape.js";
import * as lossesModule from "../losses/index.js";
import * as metricsModule from "../metrics/index.js";
import { Loss } from "../losses/loss.js";
import { Metric } from "../metrics/metric.js";
import type { Variable } from "../backend/variable.js";
import { MeanMetricWrapper, Mean } from "../metrics/reduction_metrics.js";

export type LossIdentifier = string | Loss | ((yTrue: Tensor, yPred: Tensor) => Tensor);
export type MetricIdentifier = string | Metric | ((yTrue: Tensor, yPred: Tensor) => Tensor);

/** Per-output structure as Keras accepts it: one value for all, a list by output, or an object by output name. */
export type PerOutput<T> = T | T[] | Record<string, T>;

/**
 * Targets, predictions or sample weights as a list in the order of the model's outputs: one
 * tensor, a list (already in that order), or an object keyed by output name.
 */
export function flattenByOutput(data: Tensor | Tensor[] | Record<string, Tensor>, outputNames: readonly string[], what: string): Tensor[] {
  if (data instanceof Tensor) return [data];
  if (Array.isArray(data)) return data;
  const keys = Object.keys(data);
  if (keys.length === 1 && outputNames.length === 1) return [data[keys[0]]];
  return outputNames.map((name) => {
    const value = data[name];
    if (value === undefined) throw new Error(`${what} has no entry for output '${name}'; it has keys ${keys.join(", ")}. Outputs: ${outputNames.join(", ")}`);
    return value;
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof Loss) && !(value instanceof Metric);
}

/** Spreads a per-output setting over the outputs, with clear errors for a wrong count or an unknown name. */
export function perOutput<T>(value: PerOutput<T> | undefined, outputNames: string[], what: string, broadcastSingle: boolean): (T | undefined)[] {
  if (value === undefined) return outputNames.map(() => undefined);
  if (Array.isArray(value)) {
    if (value.length !== outputNames.length) {
      throw new Error(`compile: ${what} was given as a list of ${value.length}, but the model has ${outputNames.length} output(s): ${outputNames.join(", ")}`);
    }
    return value;
  }
  if (isRecord(value)) {
    for (const key of Object.keys(value)) {
      if (!outputNames.includes(key)) throw new Error(`compile: ${what} has key '${key}', which is not an output of the model. Outputs: ${outputNames.join(", ")}`);
    }
    return outputNames.map((name) => (value as Record<string, T>)[name]);
  }
  if (!broadcastSingle && outputNames.length > 1) {
    throw new Error(`compile: the model has ${outputNames.length} outputs (${outputNames.join(", ")}); give ${what} as a list or an object keyed by output name`);
  }
  return outputNames.map(() => value as T);
}

export function resolveLoss(identifier: LossIdentifier): Loss {
  if (identifier instanceof Loss) return identifier;
  const resolved = lossesModule.get(identifier);
  if (resolved instanceof Loss) return resolved;
  const name = typeof identifier === "string" ? identifier : identifier.name || "loss";
  return new (lossesModule.LossFunctionWrapper)(resolved, { name });
}

/** The model's losses, one per output, weighted and summed. */
export class CompiledLoss {
  readonly losses: (Loss | undefined)[];
  readonly weights: number[];
  readonly outputNames: string[];
  /** Per-output loss trackers, only for multi-output models (`dense_1_loss`, ...). */
  readonly trackers: (Mean | undefined)[];

  constructor(loss: PerOutput<LossIdentifier> | undefined, lossWeights: PerOutput<number> | undefined, outputNames: string[]) {
    this.outputNames = outputNames;
    this.losses = perOutput(loss, outputNames, "loss", false).map((l) => (l === undefined || l === null ? undefined : resolveLoss(l)));
    this.weights = perOutput(lossWeights, outputNames, "lossWeights", true).map((w) => w ?? 1);
    this.trackers = this.losses.map((l) => (l !== undefined && outputNames.length > 1 ? new Mean({ name: `${outputNames[this.losses.indexOf(l)]}_loss` }) : undefined));
  }

  call(yTrue: Tensor[], yPred: Tensor[], sampleWeight: Tensor[] | undefined): { total: Tensor; perOutput: (Tensor | undefined)[] } {
    if (yTrue.length !== this.losses.filter((l) => l !== undefined).length && yTrue.length !== yPred.length) {
      throw new Error(`The model has ${yPred.length} output(s) but ${yTrue.length} target array(s) were given`);
    }
    let total: Tensor | undefined;
    const perOutputValues: (Tensor | undefined)[] = [];
    this.losses.forEach((loss, i) => {
      if (loss === undefined) {
        perOutputValues.push(undefined);
        return;
      }
      const value = loss.apply(yTrue[i], yPred[i], sampleWeight?.[i] ?? sampleWeight?.[0]);
      perOutputValues.push(value);
      // As Keras's CompileLoss: each output's unweighted loss, weighted by the batch size.
      const tracker = this.trackers[i];
      if (tracker !== undefined) withoutRecording(() => tracker.updateScalar(value.item(), yPred[i].shape[0] ?? 1));
      const weighted = this.weights[i] === 1 ? value : ops.multiply(value, this.weights[i]);
      total = total === undefined ? weighted : ops.add(total, weighted);
    });
    if (total === undefined) throw new Error("compile: no loss was given for any output; pass `loss` to compile()");
    return { total, perOutput: perOutputValues };
  }
}

/**
 * Resolves "accuracy"/"acc" the way Keras 3 does, from the shapes of the first batch: binary when
 * the prediction has one unit, sparse when the labels have one fewer axis (or a last axis of 1),
 * categorical otherwise.
 */
function resolveAccuracy(name: string, yTrue: Tensor, yPred: Tensor, kind: "accuracy" | "crossentropy"): Metric {
  const isBinary = yPred.shape[yPred.rank - 1] === 1;
  const isSparse = yTrue.rank < yPred.rank || (yTrue.shape[yTrue.rank - 1] === 1 && !isBinary);
  if (kind === "accuracy") {
    if (isBinary) return new metricsModule.BinaryAccuracy({ name });
    if (isSparse) return new metricsModule.SparseCategoricalAccuracy({ name });
    return new metricsModule.CategoricalAccuracy({ name });
  }
  if (isBinary) return new metricsModule.BinaryCrossentropy({ name });
  if (isSparse) return new metricsModule.SparseCategoricalCrossentropy({ name });
  return new metricsModule.CategoricalCrossentropy({ name });
}

function resolveMetric(identifier: MetricIdentifier, yTrue: Tensor, yPred: Tensor): Metric {
  if (identifier instanceof Metric) return identifier;
  if (typeof identifier === "string") {
    const lower = identifier.toLowerCase();
    if (lower === "accuracy" || lower === "acc") return resolveAccuracy(identifier, yTrue, yPred, "accuracy");
    if (lower === "crossentropy" || lower === "ce") return resolveAccuracy(identifier, yTrue, yPred, "crossentropy");
  }
  const resolved = metricsModule.get(identifier);
  const name = typeof identifier === "string" ? identifier : resolved instanceof Metric ? resolved.name : identifier.name || "metric";
  if (resolved instanceof Metric) {
    resolved.name = name;
    return resolved;
  }
  return new MeanMetricWrapper(resolved, { name });
}

/**
 * The metrics given to `compile`, per output, as one metric (Keras's `CompileMetrics`, named
 * `compile_metrics` in `model.metrics`): `updateState(y, yPred, sampleWeight)` takes the model's
 * targets and predictions (a tensor, a list by output, or an object by output name) and updates
 * each metric with its output; `result()` is an object of their results by name. It is built on
 * its first update, when the shapes that resolve `"accuracy"` are known.
 */
export class CompiledMetrics extends Metric<Record<string, Tensor>> {
  private readonly identifiers: MetricIdentifier[][];
  private readonly weightedIdentifiers: MetricIdentifier[][];
  private readonly outputNames: string[];
  private entries: { metric: Metric; output: number; weighted: boolean }[] | undefined;

  constructor(metrics: PerOutput<MetricIdentifier | MetricIdentifier[]> | undefined, weightedMetrics: PerOutput<MetricIdentifier | MetricIdentifier[]> | undefined, outputNames: string[]) {
    super({ name: "compile_metrics" }, "compile_metrics");
    this.outputNames = outputNames;
    const spread = (value: typeof metrics, what: string): MetricIdentifier[][] => {
      if (value === undefined) return outputNames.map(() => []);
      // A flat list for a single-output model, or for every output of a multi-output one (Keras 3).
      if (Array.isArray(value) && (outputNames.length === 1 || !value.some((v) => Array.isArray(v)))) {
        return outputNames.map(() => value as MetricIdentifier[]);
      }
      return perOutput(value as PerOutput<MetricIdentifier | MetricIdentifier[]>, outputNames, what, true).map((v) =>
        v === undefined ? [] : Array.isArray(v) ? v : [v],
      );
    };
    this.identifiers = spread(metrics, "metrics");
    this.weightedIdentifiers = spread(weightedMetrics, "weightedMetrics");
  }

  className(): string {
    return "CompileMetrics";
  }

  get built(): boolean {
    return this.entries !== undefined;
  }

  /** The metrics it holds, once built (empty before its first update). */
  get metrics(): Metric[] {
    return (this.entries ?? []).map((b) => b.metric);
  }

  override get variables(): Variable[] {
    return this.metrics.flatMap((m) => m.variables);
  }

  private build(yTrue: Tensor[], yPred: Tensor[]): void {
    const multi = this.outputNames.length > 1;
    const entries: { metric: Metric; output: number; weighted: boolean }[] = [];
    const add = (ids: MetricIdentifier[][], weighted: boolean) => {
      ids.forEach((list, output) => {
        for (const id of list) {
          const metric = resolveMetric(id, yTrue[output], yPred[output]);
          const prefix = multi ? `${this.outputNames[output]}_` : "";
          metric.name = `${prefix}${weighted ? "weighted_" : ""}${metric.name}`;
          entries.push({ metric, output, weighted });
        }
      });
    };
    add(this.identifiers, false);
    add(this.weightedIdentifiers, true);
    this.entries = entries;
  }

  override updateState(yTrue: Tensor | Tensor[] | Record<string, Tensor>, yPred: Tensor | Tensor[] | Record<string, Tensor>, sampleWeight?: Tensor | Tensor[] | Record<string, Tensor>): void {
    const y = flattenByOutput(yTrue, this.outputNames, "The targets `y`");
    const p = flattenByOutput(yPred, this.outputNames, "The predictions");
    const sw = sampleWeight === undefined ? undefined : flattenByOutput(sampleWeight, this.outputNames, "The sample weights");
    if (this.entries === undefined) this.build(y, p);
    for (const { metric, output, weighted } of this.entries!) {
      metric.updateState(y[output], p[output], weighted ? sw?.[output] ?? sw?.[0] : undefined);
    }
  }

  result(): Record<string, Tensor> {
    const results: Record<string, Tensor> = {};
    for (const m of this.metrics) results[m.name] = m.result();
    return results;
  }

  override resetState(): void {
    for (const m of this.metrics) m.resetState();
  }
}
