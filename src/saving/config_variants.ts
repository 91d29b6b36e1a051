/**
 * The config a file gives a layer, made ready for the layer's `fromConfig`, and checked afterwards
 * the way Keras's constructors check their keyword arguments.
 *
 * Files written by different Keras versions (and by TF.js) say the same things in different ways.
 * What keras-ts accepts as it is: dtype as a string ("float32", Keras 3.1-3.3 and Keras 2) or as a
 * serialized DTypePolicy (3.8+), `shared_object_id` beside a config (ignored: keras-ts layers are
 * never shared between files), Keras 2's `batch_input_shape`. What is rewritten here: InputLayer's
 * `optional` (3.13+) and `ragged` (Keras 2, 3.x), which keras-ts has no use for while false;
 * `quantization_config: null` (3.13+, a layer that is not quantized); a
 * one-element `axis` list (Keras 2); VarianceScaling's "normal" distribution (Keras 2 and TF.js
 * name for the truncated normal); and, for files from Keras 1/2 and TF.js, `hard_sigmoid`, whose
 * formula changed in Keras 3.
 *
 * No table of layers: after a layer is built from a config, every key of that config must be one
 * the layer writes back in its own `getConfig()`, or one Keras's base `Layer.__init__` takes.
 */
import type { Layer } from "../layers/layer.js";

/** Keyword arguments every Keras layer takes (keras/src/layers/layer.py, plus Keras 2's shapes). */
const BASE_LAYER_KEYS = new Set([
  "name",
  "trainable",
  "dtype",
  "autocast",
  "input_dim",
  "input_shape",
  "batch_input_shape",
  "batch_size",
  "activity_regularizer",
]);

/** What a file's producer implies for reading its configs. */
export interface ConfigDialect {
  /** Activations named as Keras 2 and TF.js meant them (hard_sigmoid = clip(0.2x + 0.5, 0, 1)). */
  keras2Activations: boolean;
}

/** The dialect of a file from its `keras_version` ("2.4.0", "3.8.0", "tfjs-layers 1.3.2", ...). */
export function dialectOf(kerasVersion: unknown): ConfigDialect {
  if (typeof kerasVersion !== "string") return { keras2Activations: false };
  if (kerasVersion.startsWith("tfjs")) return { keras2Activations: true };
  const major = Number.parseInt(kerasVersion, 10);
  return { keras2Activations: Number.isInteger(major) && major < 3 };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The config rewritten to the form keras-ts's layers take; `where` names the layer for errors. */
export function normalizeLayerConfig(className: string, config: Record<string, unknown>, dialect: ConfigDialect | undefined, where: string): Record<string, unknown> {
  const out: Record<string, unknown> = { ...config };
  if (className === "InputLayer") {
    for (const key of ["optional", "ragged"]) {
      if (out[key] === true) throw new Error(`${where}: ${key} inputs are not supported by keras-ts`);
      if (out[key] === false || out[key] === null) delete out[key];
    }
  }
  // Keras 3.13+ writes `quantization_config: null` for Dense, EinsumDense, Embedding when not quantized.
  if (out.quantization_config === null) delete out.quantization_config;
  else if (out.quantization_config !== undefined) throw new Error(`${where}: quantized layers are not supported by keras-ts`);
  if (Array.isArray(out.axis) && out.axis.length === 1 && Number.isInteger(out.axis[0])) out.axis = out.axis[0];
  for (const [key, value] of Object.entries(out)) {
    // Keras 2 and TF.js's VarianceScaling "normal" is a truncated normal (Keras 3's "truncated_normal").
    if (isPlainObject(value) && value.class_name === "VarianceScaling" && isPlainObject(value.config) && value.config.distribution === "normal") {
      out[key] = { ...value, config: { ...value.config, distribution: "truncated_normal" } };
    }
  }
  if (dialect?.keras2Activations) {
    for (const [key, value] of Object.entries(out)) {
      if (key.endsWith("activation") && value === "hard_sigmoid") out[key] = "keras2_hard_sigmoid";
    }
  }
  return out;
}

/**
 * Keras's "Unrecognized keyword arguments passed to Dense: {'activavion': 'relu'}": a key of the
 * file's config that the rebuilt layer does not write back is one it did not use.
 */
export function checkConfigKeys(layer: Layer, config: Record<string, unknown>, where: string): void {
  let known: Record<string, unknown>;
  try {
    known = layer.getConfig();
  } catch {
    return; // A layer that cannot describe itself cannot be checked this way; it was built already.
  }
  if (!isPlainObject(known)) return;
  const unknown = Object.keys(config).filter((key) => !(key in known) && !BASE_LAYER_KEYS.has(key));
  if (unknown.length === 0) return;
  const accepted = [...new Set([...Object.keys(known), ...BASE_LAYER_KEYS])].sort();
  const list = unknown.map((key) => `'${key}'`).join(", ");
  throw new Error(`${where}: unrecognized config key${unknown.length > 1 ? "s" : ""} ${list} for ${layer.className()} (it takes ${accepted.join(", ")})`);
}
