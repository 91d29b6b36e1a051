/**
 * `keras.metrics`: stateful metrics (updateState / result / resetState) and per-sample metric
 * functions, with Keras 3's names, defaults and `get`/`serialize`/`deserialize`.
 */
import { isKerasObjectConfig, serializeKerasObject, type KerasObjectConfig } from "../saving/serialization.js";
import { snakeToCamel, toSnakeCase } from "../utils/naming.js";
import { unknownIdentifierError } from "../losses/index.js";
import type { LossFn } from "../losses/losses.js";
import { Metric } from "./metric.js";
import { Mean, MeanMetricWrapper, Sum } from "./reduction_metrics.js";
import * as accuracy from "./accuracy_metrics.js";
import * as confusion from "./confusion_metrics.js";
import * as fscore from "./f_score_metrics.js";
import * as hingeMetrics from "./hinge_metrics.js";
import * as probabilistic from "./probabilistic_metrics.js";
import * as regression from "./regression_metrics.js";

export { Metric, type MetricArgs } from "./metric.js";
export { Mean, MeanMetricWrapper, Sum } from "./reduction_metrics.js";
export * from "./accuracy_metrics.js";
export * from "./confusion_metrics.js";
export * from "./f_score_metrics.js";
export * from "./hinge_metrics.js";
export * from "./probabilistic_metrics.js";
export * from "./regression_metrics.js";
// Keras also exposes the loss functions under keras.metrics (per-sample values).
export {
  meanSquaredError,
  meanAbsoluteError,
  meanAbsolutePercentageError,
  meanSquaredLogarithmicError,
  logCosh,
  huber,
  hinge,
  squaredHinge,
  categoricalHinge,
  klDivergence,
  poisson,
  binaryCrossentropy,
  categoricalCrossentropy,
  sparseCategoricalCrossentropy,
} from "../losses/losses.js";

/** A metric function: per-sample values from (yTrue, yPred). */
export type MetricFn = LossFn;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type MetricClass = new (args?: any) => Metric;

const CLASSES: ReadonlyArray<[string, MetricClass]> = [
  ["Mean", Mean],
  ["Sum", Sum],
  // Regression
  ["MeanSquaredError", regression.MeanSquaredError],
  ["RootMeanSquaredError", regression.RootMeanSquaredError],
  ["MeanAbsoluteError", regression.MeanAbsoluteError],
  ["MeanAbsolutePercentageError", regression.MeanAbsolutePercentageError],
  ["MeanSquaredLogarithmicError", regression.MeanSquaredLogarithmicError],
  ["CosineSimilarity", regression.CosineSimilarity],
  ["LogCoshError", regression.LogCoshError],
  // Classification
  ["AUC", confusion.AUC],
  ["FalseNegatives", confusion.FalseNegatives],
  ["FalsePositives", confusion.FalsePositives],
  ["Precision", confusion.Precision],
  ["Recall", confusion.Recall],
  ["TrueNegatives", confusion.TrueNegatives],
  ["TruePositives", confusion.TruePositives],
  // Hinge
  ["Hinge", hingeMetrics.Hinge],
  ["SquaredHinge", hingeMetrics.SquaredHinge],
  ["CategoricalHinge", hingeMetrics.CategoricalHinge],
  // Probabilistic
  ["KLDivergence", probabilistic.KLDivergence],
  ["Poisson", probabilistic.Poisson],
  ["BinaryCrossentropy", probabilistic.BinaryCrossentropy],
  ["CategoricalCrossentropy", probabilistic.CategoricalCrossentropy],
  ["SparseCategoricalCrossentropy", probabilistic.SparseCategoricalCrossentropy],
  // Accuracy
  ["Accuracy", accuracy.Accuracy],
  ["BinaryAccuracy", accuracy.BinaryAccuracy],
  ["CategoricalAccuracy", accuracy.CategoricalAccuracy],
  ["SparseCategoricalAccuracy", accuracy.SparseCategoricalAccuracy],
  ["TopKCategoricalAccuracy", accuracy.TopKCategoricalAccuracy],
  ["SparseTopKCategoricalAccuracy", accuracy.SparseTopKCategoricalAccuracy],
  // F-score
  ["F1Score", fscore.F1Score],
  ["FBetaScore", fscore.FBetaScore],
];

/** Keras's extra spellings (ALL_OBJECTS_DICT aliases), plus "acc" and the default names that differ from the snake_case class name. */
const ALIASES: ReadonlyArray<[string, string]> = [
  ["bce", "BinaryCrossentropy"],
  ["BCE", "BinaryCrossentropy"],
  ["mse", "MeanSquaredError"],
  ["MSE", "MeanSquaredError"],
  ["mae", "MeanAbsoluteError"],
  ["MAE", "MeanAbsoluteError"],
  ["mape", "MeanAbsolutePercentageError"],
  ["MAPE", "MeanAbsolutePercentageError"],
  ["msle", "MeanSquaredLogarithmicError"],
  ["MSLE", "MeanSquaredLogarithmicError"],
  ["acc", "Accuracy"],
  ["fbeta_score", "FBetaScore"],
];

const registry = new Map<string, MetricClass>();
const snakeNames: string[] = [];
for (const [name, cls] of CLASSES) {
  registry.set(name, cls);
  const snake = toSnakeCase(name);
  registry.set(snake, cls);
  snakeNames.push(snake);
  // The camelCase spelling too ("sparseCategoricalAccuracy").
  registry.set(snakeToCamel(snake), cls);
}
for (const [alias, target] of ALIASES) registry.set(alias, registry.get(target)!);

function knownNames(): string[] {
  return [...CLASSES.map(([n]) => n), ...snakeNames, ...ALIASES.map(([a]) => a)];
}

function camelizeConfig(config: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(config)) {
    // A DTypePolicy dict (newer Keras) or anything but a plain dtype name: use the default.
    if (k === "dtype" && typeof v !== "string") continue;
    out[snakeToCamel(k)] = v;
  }
  return out;
}

export type MetricIdentifier = string | Metric | MetricFn | KerasObjectConfig;

/** `keras.metrics.deserialize`: a serialized metric back to an instance. */
export function deserialize(config: KerasObjectConfig | string): Metric {
  if (typeof config === "string") {
    const resolved = get(config);
    if (!(resolved instanceof Metric)) throw new Error(`deserialize: '${config}' is not a metric class`);
    return resolved;
  }
  const cls = registry.get(config.class_name);
  if (cls === undefined || !CLASSES.some(([n]) => n === config.class_name)) throw unknownIdentifierError("metric", config.class_name, CLASSES.map(([n]) => n));
  return new cls(camelizeConfig((config.config ?? {}) as Record<string, unknown>));
}

/**
 * `keras.metrics.get`: a Metric instance or a function is returned as is; a string — a class name
 * ("SparseCategoricalAccuracy"), its snake_case ("sparse_categorical_accuracy", "auc",
 * "precision", "accuracy", ...) or a Keras alias ("mse", "mae", "mape", "msle", "bce", "acc") —
 * gives a NEW INSTANCE of the class, as Keras 3 does; a serialized `{class_name, config}` too.
 */
export function get(identifier: MetricIdentifier): Metric | MetricFn {
  if (identifier instanceof Metric) return identifier;
  if (typeof identifier === "function") return identifier;
  if (typeof identifier === "string") {
    const cls = registry.get(identifier);
    if (cls === undefined) throw unknownIdentifierError("metric", identifier, knownNames());
    return new cls();
  }
  if (isKerasObjectConfig(identifier)) return deserialize(identifier);
  throw new TypeError(`Could not interpret metric identifier: ${JSON.stringify(identifier)}`);
}

/** `keras.metrics.serialize`: `{module, class_name, config, registered_name}`. */
export function serialize(metric: Metric): KerasObjectConfig {
  if (metric instanceof MeanMetricWrapper && metric.className() === "MeanMetricWrapper") {
    throw new Error(`serialize: cannot serialize the MeanMetricWrapper '${metric.name}' around a custom function; subclass Metric with getConfig()`);
  }
  return serializeKerasObject("keras.metrics", metric.className(), metric.getConfig());
}

/** Exposed for tests and tooling: the strings `get` resolves. */
export function knownIdentifiers(): string[] {
  return knownNames();
}
