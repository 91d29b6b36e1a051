/**
 * `keras.losses`: loss functions (per-sample values) and Loss classes (reduced, weighted), with
 * Keras 3's names, defaults and `get`/`serialize`/`deserialize`.
 */
import { isKerasObjectConfig, serializeKerasObject, type KerasObjectConfig } from "../saving/serialization.js";
import { snakeToCamel } from "../utils/naming.js";
import { Loss, LossFunctionWrapper, type Reduction } from "./loss.js";
import * as classes from "./loss_classes.js";
import * as fns from "./losses.js";

export { Loss, LossFunctionWrapper, reduceWeightedValues, squeezeOrExpandToSameRank, type Reduction, type LossArgs } from "./loss.js";
export * from "./loss_classes.js";
export {
  meanSquaredError,
  meanAbsoluteError,
  meanAbsolutePercentageError,
  meanSquaredLogarithmicError,
  cosineSimilarity,
  huber,
  logCosh,
  hinge,
  squaredHinge,
  categoricalHinge,
  klDivergence,
  kld,
  poisson,
  binaryCrossentropy,
  categoricalCrossentropy,
  sparseCategoricalCrossentropy,
  type LossFn,
  type CrossentropyOptions,
  type SparseCrossentropyOptions,
} from "./losses.js";

/** Short aliases, as `keras.losses.mse` etc. in Keras 2 / tf.keras. */
export const mse = fns.meanSquaredError;
export const mae = fns.meanAbsoluteError;
export const mape = fns.meanAbsolutePercentageError;
export const msle = fns.meanSquaredLogarithmicError;
export const logcosh = fns.logCosh;
export const kullbackLeiblerDivergence = fns.klDivergence;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type LossClass = new (args?: any) => Loss;

/** Loss functions by their Keras (snake_case) name. */
const FUNCTIONS: ReadonlyArray<[string, fns.LossFn]> = [
  ["mean_squared_error", fns.meanSquaredError],
  ["mean_absolute_error", fns.meanAbsoluteError],
  ["mean_absolute_percentage_error", fns.meanAbsolutePercentageError],
  ["mean_squared_logarithmic_error", fns.meanSquaredLogarithmicError],
  ["cosine_similarity", fns.cosineSimilarity],
  ["huber", fns.huber],
  ["log_cosh", fns.logCosh],
  ["hinge", fns.hinge],
  ["squared_hinge", fns.squaredHinge],
  ["categorical_hinge", fns.categoricalHinge],
  ["kl_divergence", fns.klDivergence],
  ["poisson", fns.poisson],
  ["binary_crossentropy", fns.binaryCrossentropy],
  ["categorical_crossentropy", fns.categoricalCrossentropy],
  ["sparse_categorical_crossentropy", fns.sparseCategoricalCrossentropy],
];

/** Keras's extra spellings (ALL_OBJECTS_DICT aliases and the legacy `keras._legacy.losses` names). */
const FUNCTION_ALIASES: ReadonlyArray<[string, string]> = [
  ["bce", "binary_crossentropy"],
  ["BCE", "binary_crossentropy"],
  ["kld", "kl_divergence"],
  ["KLD", "kl_divergence"],
  ["kullback_leibler_divergence", "kl_divergence"],
  ["mae", "mean_absolute_error"],
  ["MAE", "mean_absolute_error"],
  ["mse", "mean_squared_error"],
  ["MSE", "mean_squared_error"],
  ["mape", "mean_absolute_percentage_error"],
  ["MAPE", "mean_absolute_percentage_error"],
  ["msle", "mean_squared_logarithmic_error"],
  ["MSLE", "mean_squared_logarithmic_error"],
  ["logcosh", "log_cosh"],
];

const CLASSES: ReadonlyArray<[string, LossClass]> = [
  ["MeanSquaredError", classes.MeanSquaredError],
  ["MeanAbsoluteError", classes.MeanAbsoluteError],
  ["MeanAbsolutePercentageError", classes.MeanAbsolutePercentageError],
  ["MeanSquaredLogarithmicError", classes.MeanSquaredLogarithmicError],
  ["CosineSimilarity", classes.CosineSimilarity],
  ["Huber", classes.Huber],
  ["LogCosh", classes.LogCosh],
  ["Hinge", classes.Hinge],
  ["SquaredHinge", classes.SquaredHinge],
  ["CategoricalHinge", classes.CategoricalHinge],
  ["KLDivergence", classes.KLDivergence],
  ["Poisson", classes.Poisson],
  ["BinaryCrossentropy", classes.BinaryCrossentropy],
  ["CategoricalCrossentropy", classes.CategoricalCrossentropy],
  ["SparseCategoricalCrossentropy", classes.SparseCategoricalCrossentropy],
];

const functionRegistry = new Map<string, fns.LossFn>();
const functionNames = new Map<fns.LossFn, string>();
for (const [name, fn] of FUNCTIONS) {
  functionRegistry.set(name, fn);
  // The camelCase spelling of the TypeScript function ("sparseCategoricalCrossentropy") too.
  functionRegistry.set(snakeToCamel(name), fn);
  functionNames.set(fn, name);
}
for (const [alias, target] of FUNCTION_ALIASES) functionRegistry.set(alias, functionRegistry.get(target)!);
const classRegistry = new Map<string, LossClass>(CLASSES);

/** Every string `get` accepts, for error messages. */
function knownNames(): string[] {
  return [...CLASSES.map(([n]) => n), ...FUNCTIONS.map(([n]) => n), ...FUNCTION_ALIASES.map(([a]) => a)];
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length];
}

/** "Unknown X: 'name'. Did you mean 'y'? Known Xs: ..." */
export function unknownIdentifierError(kind: string, identifier: string, known: string[]): Error {
  let best: string | undefined;
  let bestDistance = Infinity;
  let bestExact = Infinity;
  for (const name of known) {
    // Closest ignoring case; among those, closest with case ("accuracy" over "Accuracy").
    const d = editDistance(identifier.toLowerCase(), name.toLowerCase());
    const exact = editDistance(identifier, name);
    if (d < bestDistance || (d === bestDistance && exact < bestExact)) {
      bestDistance = d;
      bestExact = exact;
      best = name;
    }
  }
  const suggestion = best !== undefined && bestDistance <= Math.max(2, Math.floor(identifier.length / 4)) ? ` Did you mean '${best}'?` : "";
  return new Error(`Unknown ${kind}: '${identifier}'.${suggestion} Known ${kind} names: ${known.join(", ")}`);
}

function camelizeKeys(config: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(config).map(([k, v]) => [snakeToCamel(k), v]));
}

function functionByName(name: string): fns.LossFn {
  const fn = functionRegistry.get(name);
  if (fn === undefined) throw unknownIdentifierError("loss", name, knownNames());
  return fn;
}

/** A serialized function: Keras writes `{class_name: "function", config: "mean_squared_error", ...}`. */
function deserializeFunction(value: unknown): fns.LossFn {
  if (typeof value === "string") return functionByName(value);
  if (isKerasObjectConfig(value) && value.class_name === "function" && typeof value.config === "string") return functionByName(value.config);
  throw new TypeError(`Could not interpret loss function: ${JSON.stringify(value)}`);
}

export type LossIdentifier = string | Loss | fns.LossFn | KerasObjectConfig | SerializedFunction;

/** `keras.losses.deserialize`: a serialized loss (class or function) back to a Loss or function. */
export function deserialize(config: KerasObjectConfig | SerializedFunction | string): Loss | fns.LossFn {
  if (typeof config === "string") return get(config);
  if (config.class_name === "function") return deserializeFunction(config);
  const inner = (config.config ?? {}) as Record<string, unknown>;
  if (config.class_name === "LossFunctionWrapper") {
    const fn = deserializeFunction(inner.fn);
    return new LossFunctionWrapper(fn, { name: inner.name as string | undefined, reduction: inner.reduction as Reduction | null | undefined });
  }
  const cls = classRegistry.get(config.class_name);
  if (cls === undefined) throw unknownIdentifierError("loss", config.class_name, CLASSES.map(([n]) => n));
  return new cls(camelizeKeys(inner));
}

/**
 * `keras.losses.get`: a Loss instance or a function is returned as is; a class name
 * ("SparseCategoricalCrossentropy") gives a new instance; a function name in Keras's spellings
 * ("sparse_categorical_crossentropy", "mse", "kld", "log_cosh", "logcosh", ... or the camelCase
 * "sparseCategoricalCrossentropy") gives the FUNCTION, as Keras does (compile wraps it in a
 * LossFunctionWrapper named after the string); a serialized `{class_name, config}` gives an instance.
 */
export function get(identifier: LossIdentifier): Loss | fns.LossFn {
  if (identifier instanceof Loss) return identifier;
  if (typeof identifier === "function") return identifier;
  if (typeof identifier === "string") {
    const cls = classRegistry.get(identifier);
    if (cls !== undefined) return new cls();
    const fn = functionRegistry.get(identifier);
    if (fn !== undefined) return fn;
    throw unknownIdentifierError("loss", identifier, knownNames());
  }
  if (isKerasObjectConfig(identifier)) return deserialize(identifier);
  throw new TypeError(`Could not interpret loss identifier: ${JSON.stringify(identifier)}`);
}

/** The Keras name of a built-in loss function ("mean_squared_error"), or undefined. */
export function lossFunctionName(fn: unknown): string | undefined {
  return functionNames.get(fn as fns.LossFn);
}

/** How Keras serializes a plain function: its name as the config. */
export interface SerializedFunction {
  module: string;
  class_name: "function";
  config: string;
  registered_name: string;
}

function serializedFunction(name: string): SerializedFunction {
  return { module: "keras.losses", class_name: "function", config: name, registered_name: "function" };
}

/** `keras.losses.serialize`: a Loss as `{module, class_name, config, registered_name}`, a built-in function by name. */
export function serialize(loss: Loss | fns.LossFn): KerasObjectConfig | SerializedFunction {
  if (loss instanceof Loss) {
    const config = loss.getConfig();
    if (loss instanceof LossFunctionWrapper && loss.className() === "LossFunctionWrapper") {
      const name = lossFunctionName(loss.fn);
      if (name !== undefined) config.fn = serializedFunction(name);
    }
    return serializeKerasObject("keras.losses", loss.className(), config);
  }
  const name = lossFunctionName(loss);
  if (name === undefined) throw new Error(`serialize: cannot serialize the custom loss function '${loss.name || "anonymous"}'; wrap it in a Loss subclass with getConfig()`);
  return serializedFunction(name);
}

/** Exposed for tests and tooling: the strings `get` resolves. */
export function knownIdentifiers(): string[] {
  return knownNames();
}

