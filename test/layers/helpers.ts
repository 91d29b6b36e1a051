import assert from "node:assert/strict";
import * as keras from "../../src/index.js";
import type { Layer } from "../../src/layers/layer.js";

export const { ops, layers } = keras;
export type Tensor = keras.Tensor;

export const f32 = (v: keras.NestedArray): Tensor => ops.convertToTensor(v, "float32");

/** Values as nested arrays, rounded to 5 decimals so float32 results compare with hand-computed ones. */
export function rounded(t: Tensor, digits = 5): keras.NestedArray {
  const round = (v: keras.NestedArray): keras.NestedArray =>
    Array.isArray(v) ? v.map(round) : typeof v === "number" ? Number(v.toFixed(digits)) + 0 : v;
  return round(t.arraySync());
}

export function assertClose(t: Tensor, expected: keras.NestedArray, digits = 5): void {
  const round = (v: keras.NestedArray): keras.NestedArray =>
    Array.isArray(v) ? v.map(round) : typeof v === "number" ? Number(v.toFixed(digits)) + 0 : v;
  assert.deepEqual(rounded(t, digits), round(expected));
}

/**
 * getConfig -> JSON (as config.json stores it) -> fromConfig -> getConfig gives the same config,
 * and the rebuilt layer is of the same class. Returns the rebuilt layer.
 */
export function assertRoundTrip<T extends Layer>(layer: T): T {
  const config = layer.getConfig();
  const json = JSON.parse(JSON.stringify(config)) as Record<string, unknown>;
  assert.deepEqual(json, config, "config survives JSON");
  const cls = layer.constructor as unknown as typeof keras.layers.Layer;
  const rebuilt = cls.fromConfig(json) as T;
  assert.equal(rebuilt.constructor, layer.constructor);
  assert.deepEqual(rebuilt.getConfig(), config);
  return rebuilt;
}

/** The base fields every layer config starts with. */
export function baseConfig(name: string): Record<string, unknown> {
  return {
    name,
    trainable: true,
    dtype: { module: "keras", class_name: "DTypePolicy", config: { name: "float32" }, registered_name: null },
  };
}
