import type { KerasObjectConfig } from "../saving/serialization.js";
import type { Layer } from "./layer.js";

/*
 * How layers that hold other layers (RNN's cell, Bidirectional, TimeDistributed, StackedRNNCells)
 * write and rebuild them in their configs: Keras's `serialize_keras_object` /
 * `deserialize_keras_object`. Those live in src/saving, which looks classes up in keras.layers and
 * so cannot be imported from here; it registers them on load (src/saving/layer_serialization.ts).
 */

export interface NestedLayerSerialization {
  serialize(layer: Layer): KerasObjectConfig;
  deserialize(config: unknown, options?: unknown): Layer;
}

let hooks: NestedLayerSerialization | undefined;

export function setNestedLayerSerialization(serialization: NestedLayerSerialization): void {
  hooks = serialization;
}

function required(): NestedLayerSerialization {
  if (hooks === undefined) throw new Error("keras-ts: layer serialization is not loaded; import keras-ts (or src/saving/index.js) first");
  return hooks;
}

/** `{module, class_name, config, registered_name, build_config?}` of a nested layer. */
export function serializeNestedLayer(layer: Layer): KerasObjectConfig {
  return required().serialize(layer);
}

/** Rebuilds a nested layer from its serialized form; `options` are the loader's (custom objects, source). */
export function deserializeNestedLayer(config: unknown, options?: unknown): Layer {
  return required().deserialize(config, options);
}
