import type { SymbolicShape } from "../../backend/keras_tensor.js";
import type { DType } from "../../backend/dtypes.js";
import { KerasTensor } from "../../backend/keras_tensor.js";
import { Tensor } from "../../backend/tensor.js";
import * as ops from "../../ops/index.js";
import type { TensorLike } from "../../ops/core.js";
import { Layer, camelizeConfig, type CallOptions, type LayerArgs, type LayerInputs, type LayerShape, type SymbolicOutput } from "../layer.js";
import { encodeCategorical, flatten, type Nested } from "./categorical_inputs.js";
import { hashBucketFast, hashBucketStrong } from "./string_hashing.js";

export interface HashingArgs extends LayerArgs {
  /** Default "int"; "one_hot", "multi_hot" and "count" encode the bins. */
  outputMode?: "int" | "one_hot" | "multi_hot" | "count";
  /** This value hashes to bin 0 and every other value to [1, numBins). */
  maskValue?: string | number | null;
  /** Use SipHash keyed with [salt, salt] (a number) or [salt0, salt1], instead of FarmHash. */
  salt?: number | readonly [number, number] | null;
  /** Accepted for Keras compatibility; only dense outputs exist here (true is an error). */
  sparse?: boolean;
}

/**
 * Keras's `Hashing`: strings or integers to bins [0, numBins) by a stable hash, the same bins
 * Keras computes (FarmHash Fingerprint64 of the value's text; SipHash with a salt). Integers hash
 * as their decimal text, floats truncated to integers first. Takes nested arrays of strings or
 * numbers, or integer tensors; returns int32 bins (or an encoding of them).
 */
export class Hashing extends Layer {
  static override className = "Hashing";
  readonly numBins: number;
  readonly maskValue: string | number | null;
  readonly salt: [number, number] | null;
  readonly outputMode: "int" | "one_hot" | "multi_hot" | "count";
  readonly sparse: boolean;

  constructor(numBins: number, args: HashingArgs = {}) {
    super({ ...args, dtype: args.dtype ?? ((args.outputMode ?? "int") === "int" ? "int32" : "float32") });
    if (typeof numBins !== "number" || !Number.isInteger(numBins) || numBins <= 0) {
      throw new RangeError(`The \`num_bins\` for \`Hashing\` cannot be \`None\` or non-positive values. Received: num_bins=${String(numBins)}.`);
    }
    const mode = args.outputMode ?? "int";
    if (!["int", "one_hot", "multi_hot", "count"].includes(mode)) {
      throw new Error(`Invalid value for argument \`output_mode\`. Expected one of ('int', 'one_hot', 'multi_hot', 'count'). Received: output_mode=${String(mode)}`);
    }
    if (args.sparse) throw new Error(`Hashing layer '${this.name}': sparse outputs are not supported by keras-ts`);
    const salt = args.salt;
    if (salt === null || salt === undefined) this.salt = null;
    else if (typeof salt === "number" && Number.isInteger(salt)) this.salt = [salt, salt];
    else if (Array.isArray(salt) && salt.length === 2 && salt.every((s) => Number.isInteger(s))) this.salt = [salt[0], salt[1]];
    else throw new Error(`The \`salt\` argument for \`Hashing\` can only be a tuple of size 2 integers, or a single integer. Received: salt=${JSON.stringify(salt)}.`);
    this.numBins = numBins;
    this.maskValue = args.maskValue ?? null;
    this.outputMode = mode;
    this.sparse = false;
    this.built = true;
  }

  /** The bin of one value, as Keras's `_hash_values_to_bins`. */
  hashValue(value: string | number): number {
    const masked = this.maskValue !== null && this.numBins > 1;
    if (masked && value === this.maskValue) return 0;
    const bins = masked ? this.numBins - 1 : this.numBins;
    const text = typeof value === "number" ? String(Math.trunc(value)) : value;
    const bin = this.salt === null ? hashBucketFast(text, bins) : hashBucketStrong(text, bins, this.salt);
    return masked ? bin + 1 : bin;
  }

  /** Hashes strings or numbers (nested arrays) or an integer tensor. */
  override apply<L extends Layer>(this: L, inputs: KerasTensor | readonly KerasTensor[], options?: CallOptions): SymbolicOutput<ReturnType<L["call"]>>;
  override apply<L extends Layer>(this: L, inputs: TensorLike | readonly Tensor[], options?: CallOptions): ReturnType<L["call"]>;
  override apply<L extends Layer>(this: L, inputs: LayerInputs | TensorLike | readonly Tensor[] | readonly KerasTensor[], options?: CallOptions): ReturnType<L["call"]> | SymbolicOutput<ReturnType<L["call"]>>;
  /** Strings or numbers as nested arrays: their bins. */
  override apply(inputs: Nested<string | number>, options?: CallOptions): Tensor;
  override apply(inputs: unknown, options: CallOptions = {}): unknown {
    if (inputs instanceof KerasTensor || inputs instanceof Tensor) return super.apply(inputs, options);
    const { values, shape } = flatten(inputs, `Hashing layer '${this.name}'`, (v): v is string | number => typeof v === "string" || typeof v === "number");
    return this.encode(values, shape);
  }

  override call(inputs: Tensor | Tensor[]): Tensor {
    const x = inputs as Tensor;
    return this.encode(Array.from(x.dataSync() as ArrayLike<number>), [...x.shape]);
  }

  private encode(values: (string | number)[], shape: number[]): Tensor {
    const bins = ops.reshape(ops.convertToTensor(Int32Array.from(values, (v) => this.hashValue(v))), shape);
    if (this.outputMode === "int") return bins;
    const squeezeOne = this.outputMode === "one_hot" && shape.length > 0 && shape[shape.length - 1] === 1;
    return encodeCategorical(squeezeOne ? ops.reshape(bins, shape.slice(0, -1)) : bins, this.outputMode, this.numBins);
  }

  override computeOutputShape(inputShape: LayerShape): SymbolicShape {
    const shape = inputShape as SymbolicShape;
    if (this.outputMode === "int") return shape;
    return [...shape.slice(0, -1), this.numBins];
  }

  protected override outputDType(inputDType: DType): DType {
    void inputDType;
    return this.outputMode === "int" ? "int32" : "float32";
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), num_bins: this.numBins, salt: this.salt, mask_value: this.maskValue, output_mode: this.outputMode, sparse: this.sparse };
  }

  static override fromConfig<T extends Layer>(this: new (...args: any[]) => T, config: Record<string, unknown>): T {
    const { numBins, ...rest } = camelizeConfig(config);
    return new this(numBins, rest);
  }
}
