import type { FillMode, Interpolation } from "./affine_transform.js";
import type { FactorValue } from "./base_image_preprocessing_layer.js";

/* The fill modes and interpolations Keras's RandomRotation, RandomZoom and RandomTranslation accept. */

const FILL_MODES: readonly FillMode[] = ["reflect", "wrap", "constant", "nearest"];
const INTERPOLATIONS: readonly Interpolation[] = ["nearest", "bilinear"];

export function checkFillMode(value: unknown, owner: string): FillMode {
  if (!(FILL_MODES as readonly unknown[]).includes(value)) throw new Error(`${owner}: unknown \`fill_mode\` ${JSON.stringify(value)}. Expected one of ${FILL_MODES.join(", ")}.`);
  return value as FillMode;
}

export function checkInterpolation(value: unknown, owner: string): Interpolation {
  if (!(INTERPOLATIONS as readonly unknown[]).includes(value)) throw new Error(`${owner}: unknown \`interpolation\` ${JSON.stringify(value)}. Expected one of ${INTERPOLATIONS.join(", ")}.`);
  return value as Interpolation;
}

/** Keras's zoom/translation factor: f gives [-f, f], a pair is sorted; every value in [-1, 1]. */
export function standardizeSymmetricFactor(factor: unknown, name: string, owner: string): [number, number] {
  const message = `${owner}: the \`${name}\` argument should be a number (or a list of two numbers) in the range [-1.0, 1.0]. Received: ${name}=${JSON.stringify(factor)}`;
  const inRange = (v: unknown): v is number => typeof v === "number" && v >= -1 && v <= 1;
  if (Array.isArray(factor)) {
    if (factor.length !== 2 || !factor.every(inRange)) throw new RangeError(message);
    const [lower, upper] = [...(factor as number[])].sort((a, b) => a - b);
    return [lower, upper];
  }
  if (!inRange(factor)) throw new RangeError(message);
  return [-Math.abs(factor), Math.abs(factor)];
}

/** A factor as given, copied for a config. */
export function copyFactor(factor: FactorValue): FactorValue {
  return typeof factor === "number" ? factor : [...factor];
}
