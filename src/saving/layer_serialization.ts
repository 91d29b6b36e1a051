/**
 * One layer <-> its entry in a Keras config: `{module, class_name, config, registered_name,
 * build_config?}` — Keras 3's `serialize_keras_object(layer)` / `deserialize_keras_object(...)`
 * for layers and nested models.
 */
import { InputLayer } from "../layers/core/input_layer.js";
import type { Layer, LayerShape } from "../layers/layer.js";
import { setNestedLayerSerialization } from "../layers/nested_layers.js";
import type { KerasObjectConfig } from "./serialization.js";
import { checkConfigKeys, normalizeLayerConfig, type ConfigDialect } from "./config_variants.js";
import {
  getRegisteredName,
  isBuiltinLayerClass,
  resolveLayerClass,
  supportedLayerClassNames,
  type CustomObjects,
  type LayerClass,
} from "./object_registration.js";

/** Where a config comes from and how to resolve user classes; passed down to nested `fromConfig`s. */
export interface DeserializationOptions {
  /** Names the source in error messages, e.g. the file "model.keras". Default "config". */
  source?: string;
  /** User layer/model classes by class name or registered name ("package>Name"). */
  customObjects?: CustomObjects;
  /** How the file's producer spelled things (Keras 2 and TF.js activations); see ./config_variants.ts. */
  dialect?: ConfigDialect;
}

/** What Keras writes as `module` / `registered_name` for its own model classes. */
const MODEL_MODULES: Record<string, { module: string; registeredName: string | null }> = {
  Sequential: { module: "keras", registeredName: null },
  Functional: { module: "keras.src.models.functional", registeredName: "Functional" },
};

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A shape (or list of shapes) as plain JSON arrays. */
export function shapeToJson(shape: LayerShape): unknown {
  return (shape as readonly unknown[]).map((d) => (Array.isArray(d) ? shapeToJson(d as LayerShape) : d));
}

/** `module` and `registered_name` for a layer's class, as Keras writes them. */
export function classIdentity(layer: Layer): { module: string; className: string; registeredName: string | null } {
  const cls = layer.constructor as LayerClass;
  const className = layer.className();
  const model = MODEL_MODULES[className];
  if (model !== undefined && isBuiltinLayerClass(cls)) return { module: model.module, className, registeredName: model.registeredName };
  if (isBuiltinLayerClass(cls)) return { module: "keras.layers", className, registeredName: null };
  const registered = getRegisteredName(cls);
  if (registered !== null) return { module: registered.split(">")[0], className, registeredName: registered };
  // An unregistered user class: Keras writes the bare class name as registered_name.
  return { module: "custom", className, registeredName: className };
}

/**
 * `serialize_keras_object(layer)`: the layer's class and `getConfig()`, plus its `build_config`
 * when it was built with a known input shape. Fails, naming the layer, if `getConfig` does (for
 * instance a Lambda layer, whose function cannot be written to JSON).
 */
export function serializeLayer(layer: Layer): KerasObjectConfig {
  let config: Record<string, unknown>;
  try {
    config = layer.getConfig();
  } catch (error) {
    throw new Error(`Cannot serialize layer '${layer.name}' (${layer.className()}): ${reasonOf(error)}`, { cause: error });
  }
  if (!isPlainObject(config)) throw new Error(`Cannot serialize layer '${layer.name}' (${layer.className()}): getConfig() must return an object`);
  if (config.activity_regularizer === null) {
    // Keras's base Layer.get_config writes activity_regularizer only when one is set.
    config = { ...config };
    delete config.activity_regularizer;
  }
  // After getConfig: a model class registers itself there, which decides its module below.
  const { module, className, registeredName } = classIdentity(layer);
  const out: KerasObjectConfig = { module, class_name: className, config, registered_name: registeredName };
  if (layer.built && layer.buildInputShape !== undefined && !(layer instanceof InputLayer)) {
    out.build_config = { input_shape: shapeToJson(layer.buildInputShape) };
  }
  return out;
}

/** The error for a class the loader does not know, listing what it does know. */
export function unknownLayerClassError(className: string, source: string): Error {
  return new Error(
    `Unknown layer class '${className}' in ${source}; keras-ts supports: ${supportedLayerClassNames().join(", ")}. ` +
      "A custom class can be passed in `customObjects` or registered with registerKerasSerializable().",
  );
}

/**
 * `deserialize_keras_object(entry)` for a layer or nested model: resolves the class from
 * `class_name` (and `registered_name`), calls its `fromConfig`, then builds it from `build_config`
 * as Keras does. Errors name the source, the layer and the reason.
 */
export function deserializeLayer(entry: unknown, options: DeserializationOptions = {}): Layer {
  const source = options.source ?? "config";
  if (!isPlainObject(entry) || typeof entry.class_name !== "string") {
    throw new Error(`Malformed layer entry in ${source}: expected {class_name, config, ...}, got ${JSON.stringify(entry)?.slice(0, 200)}`);
  }
  const className = entry.class_name;
  const rawConfig = entry.config;
  // Keras 2 wrote a Sequential config as a bare list of layers.
  if (!isPlainObject(rawConfig) && !(Array.isArray(rawConfig) && className === "Sequential")) {
    throw new Error(`Malformed layer entry in ${source}: '${className}' has no config object`);
  }
  const registeredName = typeof entry.registered_name === "string" ? entry.registered_name : null;
  const cls = resolveLayerClass(className, registeredName, options.customObjects);
  if (cls === undefined) throw unknownLayerClassError(className, source);
  const name = isPlainObject(rawConfig) && typeof rawConfig.name === "string" ? rawConfig.name : typeof entry.name === "string" ? entry.name : "?";
  const where = `Cannot rebuild layer '${name}' (${className}) from ${source}`;
  const config = isPlainObject(rawConfig) ? normalizeLayerConfig(className, rawConfig, options.dialect, where) : rawConfig;
  let layer: Layer;
  try {
    layer = cls.fromConfig(config as Record<string, unknown>, options);
  } catch (error) {
    const message = reasonOf(error);
    // Errors from nested models already say where they come from.
    if (message.includes(source) && source !== "config") throw error;
    throw new Error(`${where}: ${message}`, { cause: error });
  }
  if (isPlainObject(config)) checkConfigKeys(layer, config, where);
  const buildConfig = entry.build_config;
  if (isPlainObject(buildConfig) && Array.isArray(buildConfig.input_shape) && !layer.built) {
    try {
      layer.maybeBuild(buildConfig.input_shape as LayerShape);
    } catch (error) {
      throw new Error(`Cannot build layer '${name}' (${className}) from ${source} with input shape ${JSON.stringify(buildConfig.input_shape)}: ${reasonOf(error)}`, { cause: error });
    }
  }
  return layer;
}

// Wrappers in keras.layers (RNN, Bidirectional, TimeDistributed) serialize the layers they hold with these.
setNestedLayerSerialization({ serialize: serializeLayer, deserialize: (config, options) => deserializeLayer(config, options as DeserializationOptions) });
