import type { Tensor } from "../backend/tensor.js";
import * as ops from "../ops/index.js";
import { isKerasObjectConfig, lookupClass, register, serializeKerasObject, type KerasObjectConfig } from "../saving/serialization.js";

/** A regularizer maps a weight to a scalar penalty added to the training loss. */
export abstract class Regularizer {
  abstract call(x: Tensor): Tensor;
  abstract getConfig(): Record<string, unknown>;
  abstract className(): string;
}

/** Keras 3's default factors: l1=0.01, l2=0.01. */
export class L1L2 extends Regularizer {
  readonly l1: number;
  readonly l2: number;
  constructor(args: { l1?: number; l2?: number } = {}) {
    super();
    this.l1 = args.l1 ?? 0;
    this.l2 = args.l2 ?? 0;
  }
  call(x: Tensor): Tensor {
    let penalty: Tensor = ops.zeros([]);
    if (this.l1) penalty = ops.add(penalty, ops.multiply(this.l1, ops.sum(ops.abs(x))));
    if (this.l2) penalty = ops.add(penalty, ops.multiply(this.l2, ops.sum(ops.square(x))));
    return penalty;
  }
  getConfig(): Record<string, unknown> {
    return { l1: this.l1, l2: this.l2 };
  }
  className(): string {
    return "L1L2";
  }
}

export class L1 extends L1L2 {
  constructor(args: { l1?: number } | number = {}) {
    super({ l1: typeof args === "number" ? args : args.l1 ?? 0.01 });
  }
  override getConfig(): Record<string, unknown> {
    return { l1: this.l1 };
  }
  override className(): string {
    return "L1";
  }
}

export class L2 extends L1L2 {
  constructor(args: { l2?: number } | number = {}) {
    super({ l2: typeof args === "number" ? args : args.l2 ?? 0.01 });
  }
  override getConfig(): Record<string, unknown> {
    return { l2: this.l2 };
  }
  override className(): string {
    return "L2";
  }
}

export function l1(factor = 0.01): L1 {
  return new L1(factor);
}
export function l2(factor = 0.01): L2 {
  return new L2(factor);
}
export function l1l2(args: { l1?: number; l2?: number } = { l1: 0.01, l2: 0.01 }): L1L2 {
  return new L1L2(args);
}

const registry = new Map<string, new (args?: any) => Regularizer>();
register(registry, "L1", L1, ["l1"]);
register(registry, "L2", L2, ["l2"]);
register(registry, "L1L2", L1L2, ["l1_l2"]);

export type RegularizerIdentifier = Regularizer | string | KerasObjectConfig | null | undefined;

export function get(identifier: RegularizerIdentifier): Regularizer | null {
  if (identifier === null || identifier === undefined) return null;
  if (identifier instanceof Regularizer) return identifier;
  if (typeof identifier === "string") return new (lookupClass(registry, identifier, "regularizer"))();
  if (isKerasObjectConfig(identifier)) return new (lookupClass(registry, identifier.class_name, "regularizer"))(identifier.config);
  throw new TypeError(`Could not interpret regularizer identifier: ${JSON.stringify(identifier)}`);
}

export function serialize(regularizer: Regularizer | null): KerasObjectConfig | null {
  return regularizer === null ? null : serializeKerasObject("keras.regularizers", regularizer.className(), regularizer.getConfig());
}
