/** `keras.optimizers`. */
import { lookupClass, register, serializeKerasObject, type KerasObjectConfig } from "../saving/serialization.js";
import { Adadelta } from "./adadelta.js";
import { Adagrad } from "./adagrad.js";
import { Adam } from "./adam.js";
import { Adamax } from "./adamax.js";
import { AdamW } from "./adamw.js";
import { Nadam } from "./nadam.js";
import { Optimizer } from "./optimizer.js";
import { RMSprop } from "./rmsprop.js";
import { SGD } from "./sgd.js";

export { Optimizer, optimizerArgsFromConfig, type OptimizerArgs, type Gradient, type SavedValue } from "./optimizer.js";
export { SGD, type SGDArgs } from "./sgd.js";
export { RMSprop, type RMSpropArgs } from "./rmsprop.js";
export { Adam, type AdamArgs } from "./adam.js";
export { AdamW } from "./adamw.js";
export { Adagrad, type AdagradArgs } from "./adagrad.js";
export { Adadelta, type AdadeltaArgs } from "./adadelta.js";
export { Adamax, type AdamaxArgs } from "./adamax.js";
export { Nadam, type NadamArgs } from "./nadam.js";
export * as schedules from "./schedules/index.js";
export { LearningRateSchedule } from "./schedules/learning_rate_schedule.js";

type OptimizerFactory = (config: Record<string, unknown>) => Optimizer;

/**
 * Built-in optimizers by Keras class name; lookups are case-insensitive ("adam", "SGD", "RMSProp"),
 * as Keras's `optimizers.get` / `deserialize` are.
 */
const registry = new Map<string, OptimizerFactory>();
register(registry, "SGD", SGD.fromConfig);
register(registry, "RMSprop", RMSprop.fromConfig);
register(registry, "Adam", Adam.fromConfig);
register(registry, "AdamW", AdamW.fromConfig);
register(registry, "Adagrad", Adagrad.fromConfig);
register(registry, "Adadelta", Adadelta.fromConfig);
register(registry, "Adamax", Adamax.fromConfig);
register(registry, "Nadam", Nadam.fromConfig);

function factoryFor(name: string): OptimizerFactory {
  return registry.get(name.toLowerCase()) ?? lookupClass(registry, name, "optimizer");
}

/** `keras.optimizers.serialize`: `{module: "keras.optimizers", class_name, config, registered_name: null}`. */
export function serialize(optimizer: Optimizer): KerasObjectConfig {
  return serializeKerasObject("keras.optimizers", optimizer.className(), optimizer.getConfig());
}

/** `keras.optimizers.deserialize`: a new optimizer from `{class_name, config}` (snake_case config). */
export function deserialize(config: { class_name: string; config?: Record<string, unknown> }): Optimizer {
  if (typeof config?.class_name !== "string") throw new TypeError(`optimizers.deserialize: expected {class_name, config}, got ${JSON.stringify(config)}`);
  return factoryFor(config.class_name)(config.config ?? {});
}

export type OptimizerIdentifier = Optimizer | string | { class_name: string; config?: Record<string, unknown> };

/**
 * `keras.optimizers.get`: an Optimizer is returned as is; a string names a built-in optimizer with
 * its default settings (case-insensitive: "adam", "sgd", "SGD", "rmsprop", ...); a Keras config
 * `{class_name, config}` is deserialized. null / undefined give null.
 */
export function get(identifier: OptimizerIdentifier): Optimizer;
export function get(identifier: OptimizerIdentifier | null | undefined): Optimizer | null;
export function get(identifier: OptimizerIdentifier | null | undefined): Optimizer | null {
  if (identifier === null || identifier === undefined) return null;
  if (identifier instanceof Optimizer) return identifier;
  if (typeof identifier === "string") return factoryFor(identifier)({});
  if (typeof identifier === "object" && typeof identifier.class_name === "string") return deserialize(identifier);
  throw new TypeError(`Could not interpret optimizer identifier: ${String(identifier)}`);
}
