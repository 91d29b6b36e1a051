import type { Tensor } from "../backend/tensor.js";
import * as ops from "../ops/index.js";
import { isKerasObjectConfig, lookupClass, register, serializeKerasObject, type KerasObjectConfig } from "../saving/serialization.js";

/** A constraint projects a weight back into its allowed set after each optimizer step. */
export abstract class Constraint {
  abstract call(w: Tensor): Tensor;
  abstract getConfig(): Record<string, unknown>;
  abstract className(): string;
}

export class NonNeg extends Constraint {
  call(w: Tensor): Tensor {
    return ops.multiply(w, ops.cast(ops.greaterEqual(w, 0), w.dtype));
  }
  getConfig(): Record<string, unknown> {
    return {};
  }
  className(): string {
    return "NonNeg";
  }
}

/** Rescales each slice along `axis` to norm <= maxValue (Keras default maxValue 2, axis 0). */
export class MaxNorm extends Constraint {
  readonly maxValue: number;
  readonly axis: number | number[];
  constructor(args: { maxValue?: number; axis?: number | number[] } = {}) {
    super();
    this.maxValue = args.maxValue ?? (args as { max_value?: number }).max_value ?? 2;
    this.axis = args.axis ?? 0;
  }
  call(w: Tensor): Tensor {
    const norms = ops.sqrt(ops.sum(ops.square(w), this.axis, true));
    const desired = ops.clip(norms, 0, this.maxValue);
    return ops.multiply(w, ops.divide(desired, ops.add(norms, 1e-7)));
  }
  getConfig(): Record<string, unknown> {
    return { max_value: this.maxValue, axis: this.axis };
  }
  className(): string {
    return "MaxNorm";
  }
}

export class UnitNorm extends Constraint {
  readonly axis: number | number[];
  constructor(args: { axis?: number | number[] } = {}) {
    super();
    this.axis = args.axis ?? 0;
  }
  call(w: Tensor): Tensor {
    return ops.divide(w, ops.add(ops.sqrt(ops.sum(ops.square(w), this.axis, true)), 1e-7));
  }
  getConfig(): Record<string, unknown> {
    return { axis: this.axis };
  }
  className(): string {
    return "UnitNorm";
  }
}

const registry = new Map<string, new (args?: any) => Constraint>();
register(registry, "NonNeg", NonNeg, ["non_neg"]);
register(registry, "MaxNorm", MaxNorm, ["max_norm"]);
register(registry, "UnitNorm", UnitNorm, ["unit_norm"]);

export type ConstraintIdentifier = Constraint | string | KerasObjectConfig | null | undefined;

export function get(identifier: ConstraintIdentifier): Constraint | null {
  if (identifier === null || identifier === undefined) return null;
  if (identifier instanceof Constraint) return identifier;
  if (typeof identifier === "string") return new (lookupClass(registry, identifier, "constraint"))();
  if (isKerasObjectConfig(identifier)) return new (lookupClass(registry, identifier.class_name, "constraint"))(identifier.config);
  throw new TypeError(`Could not interpret constraint identifier: ${JSON.stringify(identifier)}`);
}

export function serialize(constraint: Constraint | null): KerasObjectConfig | null {
  return constraint === null ? null : serializeKerasObject("keras.constraints", constraint.className(), constraint.getConfig());
}
