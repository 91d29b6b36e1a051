import type { Tensor } from "../../backend/tensor.js";
import type { NestedArray } from "../../backend/tensor.js";
import * as ops from "../../ops/index.js";
import { Layer, type LayerArgs, type LayerShape } from "../layer.js";

/** A scale or offset: a number, or an array broadcast against the inputs (per channel, last axis). */
export type RescalingValue = number | NestedArray;

export interface RescalingArgs extends LayerArgs {
  scale?: RescalingValue;
  /** Default 0. */
  offset?: RescalingValue;
}

/** Accepts a plain value or Keras's serialized NumPy array `{class_name: "__numpy__", config: {value}}`. */
function readValue(value: unknown, what: string, name: string): RescalingValue {
  if (typeof value === "number" && Number.isFinite(value)) return value;
  if (Array.isArray(value)) return value as NestedArray;
  if (typeof value === "object" && value !== null && (value as { class_name?: unknown }).class_name === "__numpy__") {
    return readValue((value as { config: { value: unknown } }).config.value, what, name);
  }
  throw new TypeError(`Rescaling layer '${name}': ${what} must be a number or an array of numbers, got ${JSON.stringify(value)}`);
}

/**
 * `inputs * scale + offset`, in float (integer inputs such as uint8 images are cast first):
 * `new Rescaling(1 / 255)` maps [0, 255] to [0, 1]; `new Rescaling(1 / 127.5, { offset: -1 })` to [-1, 1].
 * Keras: `keras.layers.Rescaling(scale, offset=0.0)`.
 */
export class Rescaling extends Layer {
  static override className = "Rescaling";
  override supportsMasking = true;
  readonly scale: RescalingValue;
  readonly offset: RescalingValue;

  constructor(scale: RescalingValue, args?: Omit<RescalingArgs, "scale">);
  constructor(args: RescalingArgs & { scale: RescalingValue });
  constructor(scaleOrArgs: RescalingValue | RescalingArgs, maybeArgs: Omit<RescalingArgs, "scale"> = {}) {
    const positional = typeof scaleOrArgs === "number" || Array.isArray(scaleOrArgs);
    const args: RescalingArgs = positional ? { ...maybeArgs, scale: scaleOrArgs as RescalingValue } : (scaleOrArgs as RescalingArgs);
    super(args);
    if (args.scale === undefined) throw new Error(`Rescaling layer '${this.name}': the \`scale\` argument is required`);
    this.scale = readValue(args.scale, "scale", this.name);
    this.offset = readValue(args.offset ?? 0, "offset", this.name);
  }

  override call(inputs: Tensor | Tensor[]): Tensor {
    const x = ops.cast(inputs as Tensor, this.dtype);
    const scale = ops.convertToTensor(this.scale, this.dtype);
    const offset = ops.convertToTensor(this.offset, this.dtype);
    return ops.add(ops.multiply(x, scale), offset);
  }

  override computeOutputShape(inputShape: LayerShape): LayerShape {
    return inputShape;
  }

  override getConfig(): Record<string, unknown> {
    const copy = (v: RescalingValue): RescalingValue => (Array.isArray(v) ? JSON.parse(JSON.stringify(v)) : v);
    return { ...super.getConfig(), scale: copy(this.scale), offset: copy(this.offset) };
  }
}
