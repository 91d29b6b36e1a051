import type { KerasTensor, SymbolicShape } from "../../backend/keras_tensor.js";
import { formatShape } from "../../backend/shape.js";
import type { Tensor } from "../../backend/tensor.js";
import type { Variable } from "../../backend/variable.js";
import * as ops from "../../ops/index.js";
import { attention } from "../../ops/attention.js";
import { linear } from "../../ops/linear.js";
import type { TensorLike } from "../../ops/core.js";
import * as initializers from "../../initializers/index.js";
import * as regularizers from "../../regularizers/index.js";
import * as constraints from "../../constraints/index.js";
import * as random from "../../random/index.js";
import { Layer, camelizeConfig, type CallOptions, type LayerArgs, type LayerInputs, type LayerMask, type LayerShape, type SymbolicOutput } from "../layer.js";

export interface MultiHeadAttentionArgs extends LayerArgs {
  /** Size of each head for value (default keyDim). */
  valueDim?: number | null;
  /** Dropout on the attention weights during training. */
  dropout?: number;
  useBias?: boolean;
  /** The output's last axis (default the query's). */
  outputShape?: number | readonly number[] | null;
  /** Axes attention runs over: only the default (the time axis of [batch, time, dim] inputs) is supported. */
  attentionAxes?: number | readonly number[] | null;
  /** Accepted for Keras compatibility; the CPU kernel is used whenever it applies. */
  flashAttention?: boolean | null;
  kernelInitializer?: initializers.InitializerIdentifier;
  biasInitializer?: initializers.InitializerIdentifier;
  kernelRegularizer?: regularizers.RegularizerIdentifier;
  biasRegularizer?: regularizers.RegularizerIdentifier;
  kernelConstraint?: constraints.ConstraintIdentifier;
  biasConstraint?: constraints.ConstraintIdentifier;
  seed?: number | null;
}

export interface MultiHeadAttentionCallOptions extends CallOptions {
  /** bool [batch, Tq, Tv]: which key positions each query position may attend to. */
  attentionMask?: Tensor | null;
  /** Also return the attention weights [batch, heads, Tq, Tv]: `[output, scores]`. */
  returnAttentionScores?: boolean;
  /** Mask positions after each query's own (decoder self-attention). */
  useCausalMask?: boolean;
}

interface ProjectionOptions {
  kernelInitializer: initializers.Initializer;
  biasInitializer: initializers.Initializer;
  kernelRegularizer: regularizers.Regularizer | null;
  biasRegularizer: regularizers.Regularizer | null;
  kernelConstraint: constraints.Constraint | null;
  biasConstraint: constraints.Constraint | null;
  activityRegularizer: regularizers.Regularizer | null;
  useBias: boolean;
}

/**
 * One of MultiHeadAttention's projections, Keras's `EinsumDense` with the equations it builds:
 * the input's last `contract` axes times a kernel [...contracted, ...out] (+ bias [...out]), e.g.
 * [batch, T, dim] -> [batch, T, heads, depth] with a kernel [dim, heads, depth]. Runs as one
 * `linear` on the flattened kernel.
 */
class HeadProjection extends Layer {
  static override className = "EinsumDense";
  kernel?: Variable;
  bias?: Variable;

  constructor(
    private readonly outShape: readonly number[],
    private readonly contract: number,
    private readonly projection: ProjectionOptions,
    args: LayerArgs,
  ) {
    super({ ...args, activityRegularizer: projection.activityRegularizer ?? undefined });
  }

  override build(inputShape: LayerShape): void {
    const shape = inputShape as SymbolicShape;
    const contracted = shape.slice(-this.contract);
    if (contracted.some((d) => d === null)) throw new Error(`MultiHeadAttention: the last ${this.contract} axes of its input must be known, got ${formatShape(shape as number[])}`);
    const p = this.projection;
    this.kernel = this.addWeight({
      name: "kernel", shape: [...(contracted as number[]), ...this.outShape], initializer: initializers.get(initializers.serialize(p.kernelInitializer)),
      regularizer: p.kernelRegularizer ?? undefined, constraint: p.kernelConstraint ?? undefined,
    });
    if (p.useBias) {
      this.bias = this.addWeight({
        name: "bias", shape: [...this.outShape], initializer: initializers.get(initializers.serialize(p.biasInitializer)),
        regularizer: p.biasRegularizer ?? undefined, constraint: p.biasConstraint ?? undefined,
      });
    }
    this.built = true;
  }

  override call(inputs: Tensor | Tensor[]): Tensor {
    const x = inputs as Tensor;
    const lead = x.shape.slice(0, x.rank - this.contract);
    const inSize = x.shape.slice(x.rank - this.contract).reduce((a, d) => a * d, 1);
    const outSize = this.outShape.reduce((a, d) => a * d, 1);
    const kernel = ops.reshape(this.kernel!.value, [inSize, outSize]);
    const bias = this.bias === undefined ? null : ops.reshape(this.bias.value, [outSize]);
    return ops.reshape(linear(ops.reshape(x, [...lead, inSize]), kernel, bias), [...lead, ...this.outShape]);
  }

  override computeOutputShape(inputShape: LayerShape): SymbolicShape {
    const shape = inputShape as SymbolicShape;
    return [...shape.slice(0, shape.length - this.contract), ...this.outShape];
  }
}

/**
 * Keras's `MultiHeadAttention` (Vaswani et al. 2017). Called on `[query, value]` or
 * `[query, value, key]` ([batch, Tq, dim], [batch, Tv, dim]; self-attention is `[x, x]`): each
 * is projected to `numHeads` heads, scaled-dot-product attention runs per head (one fused kernel
 * when there is no dropout), and the heads are projected back to the query's size (or
 * `outputShape`). Masks of the inputs (query, value, key), `attentionMask` and `useCausalMask`
 * combine; the query's mask passes on.
 */
export class MultiHeadAttention extends Layer {
  static override className = "MultiHeadAttention";
  override supportsMasking = true;
  readonly numHeads: number;
  readonly keyDim: number;
  readonly valueDim: number;
  readonly dropout: number;
  readonly useBias: boolean;
  readonly outputShape: number[] | null;
  attentionAxes: number[] | null;
  readonly seed: number | null;
  private readonly projection: ProjectionOptions;
  private readonly mhaActivityRegularizer: regularizers.Regularizer | null;
  private readonly seedGenerator: random.SeedGenerator;
  queryDense?: HeadProjection;
  keyDense?: HeadProjection;
  valueDense?: HeadProjection;
  outputDense?: HeadProjection;
  private returnAttentionScores = false;

  constructor(numHeads: number, keyDim: number, args: MultiHeadAttentionArgs = {}) {
    const { activityRegularizer, ...rest } = args;
    super(rest);
    for (const [name, v] of [["num_heads", numHeads], ["key_dim", keyDim]] as const) {
      if (!Number.isInteger(v) || v <= 0) throw new RangeError(`MultiHeadAttention layer '${this.name}': \`${name}\` must be a positive integer, got ${String(v)}`);
    }
    this.numHeads = numHeads;
    this.keyDim = keyDim;
    this.valueDim = args.valueDim ? args.valueDim : keyDim;
    this.dropout = args.dropout ?? 0;
    this.useBias = args.useBias ?? true;
    const out = args.outputShape;
    this.outputShape = out === null || out === undefined ? null : typeof out === "number" ? [out] : [...out];
    const axes = args.attentionAxes;
    this.attentionAxes = axes === null || axes === undefined ? null : typeof axes === "number" ? [axes] : [...axes];
    this.seed = args.seed ?? null;
    this.seedGenerator = new random.SeedGenerator(this.seed);
    this.mhaActivityRegularizer = regularizers.get(activityRegularizer);
    this.projection = {
      kernelInitializer: initializers.get(args.kernelInitializer ?? "glorot_uniform"),
      biasInitializer: initializers.get(args.biasInitializer ?? "zeros"),
      kernelRegularizer: regularizers.get(args.kernelRegularizer),
      biasRegularizer: regularizers.get(args.biasRegularizer),
      kernelConstraint: constraints.get(args.kernelConstraint),
      biasConstraint: constraints.get(args.biasConstraint),
      activityRegularizer: this.mhaActivityRegularizer,
      useBias: this.useBias,
    };
  }

  private shapes(inputShape: LayerShape): [SymbolicShape, SymbolicShape, SymbolicShape] {
    if (!Array.isArray(inputShape) || !Array.isArray(inputShape[0]) || inputShape.length < 2 || inputShape.length > 3) {
      throw new Error(`MultiHeadAttention layer '${this.name}' must be called on a list [query, value] or [query, value, key]; got input shape ${JSON.stringify(inputShape)}`);
    }
    const [query, value, key = value] = inputShape as SymbolicShape[];
    if (JSON.stringify(value.slice(1, -1)) !== JSON.stringify(key.slice(1, -1))) {
      throw new Error(`All dimensions of \`value\` and \`key\`, except the last one, must be equal. Received: value_shape=${JSON.stringify(value)} and key_shape=${JSON.stringify(key)}`);
    }
    for (const [what, s] of [["query", query], ["value", value], ["key", key]] as const) {
      if (s.length !== 3) throw new Error(`MultiHeadAttention layer '${this.name}': ${what} must have shape [batch, time, features] (rank 3), got ${JSON.stringify(s)}`);
    }
    return [query, value, key];
  }

  override build(inputShape: LayerShape): void {
    const [query, value, key] = this.shapes(inputShape);
    if (this.attentionAxes !== null && !(this.attentionAxes.length === 1 && (this.attentionAxes[0] === 1 || this.attentionAxes[0] === -2))) {
      throw new Error(`MultiHeadAttention layer '${this.name}': only attention over the time axis (attention_axes=(1,)) is supported, got ${JSON.stringify(this.attentionAxes)}`);
    }
    const heads = (name: string, depth: number, shape: SymbolicShape) => {
      const layer = new HeadProjection([this.numHeads, depth], 1, this.projection, { name, dtype: this.dtype });
      layer.maybeBuild(shape);
      return layer;
    };
    this.queryDense = heads("query", this.keyDim, query);
    this.keyDense = heads("key", this.keyDim, key);
    this.valueDense = heads("value", this.valueDim, value);
    const outDim = this.outputShape ?? [query[query.length - 1] as number];
    this.outputDense = new HeadProjection(outDim, 2, this.projection, { name: "attention_output", dtype: this.dtype });
    this.outputDense.maybeBuild([query[0], query[1], this.numHeads, this.valueDim]);
    // Keras records the default attention axes when it builds.
    this.attentionAxes = [1];
    this.built = true;
  }

  /** With `returnAttentionScores: true`: `[output, scores]`; otherwise the output alone. */
  override apply(inputs: readonly KerasTensor[], options: MultiHeadAttentionCallOptions & { returnAttentionScores: true }): KerasTensor[];
  override apply(inputs: readonly Tensor[], options: MultiHeadAttentionCallOptions & { returnAttentionScores: true }): Tensor[];
  override apply(inputs: readonly KerasTensor[], options?: MultiHeadAttentionCallOptions & { returnAttentionScores?: false }): KerasTensor;
  override apply(inputs: readonly Tensor[], options?: MultiHeadAttentionCallOptions & { returnAttentionScores?: false }): Tensor;
  override apply<L extends Layer>(this: L, inputs: KerasTensor | readonly KerasTensor[], options?: MultiHeadAttentionCallOptions): SymbolicOutput<ReturnType<L["call"]>>;
  override apply<L extends Layer>(this: L, inputs: TensorLike | readonly Tensor[], options?: MultiHeadAttentionCallOptions): ReturnType<L["call"]>;
  override apply<L extends Layer>(this: L, inputs: LayerInputs | TensorLike | readonly Tensor[] | readonly KerasTensor[], options?: MultiHeadAttentionCallOptions): ReturnType<L["call"]> | SymbolicOutput<ReturnType<L["call"]>>;
  override apply(inputs: LayerInputs | TensorLike | readonly (Tensor | KerasTensor)[], options: MultiHeadAttentionCallOptions = {}): unknown {
    this.returnAttentionScores = options.returnAttentionScores === true;
    return super.apply(inputs as LayerInputs, options);
  }

  override call(inputs: Tensor | Tensor[], options: MultiHeadAttentionCallOptions = {}): Tensor | Tensor[] {
    if (!Array.isArray(inputs)) throw new Error(`MultiHeadAttention layer '${this.name}' must be called on a list [query, value] or [query, value, key]`);
    const [query, value, key] = inputs;
    const masks = Array.isArray(options.mask) ? options.mask : [];
    const [queryMask, valueMask, keyMask] = [masks[0] ?? null, masks[1] ?? null, key === undefined ? null : (masks[2] ?? null)];
    // Keras's _compute_attention_mask: [B, T, 1] & [B, 1, S] & [B, 1, S] & causal [1, T, S] & attention_mask.
    let mask: Tensor | null = null;
    const and = (m: Tensor) => {
      mask = mask === null ? m : ops.logicalAnd(mask, m);
    };
    if (queryMask !== null) and(ops.expandDims(ops.cast(queryMask, "bool"), -1));
    if (valueMask !== null) and(ops.expandDims(ops.cast(valueMask, "bool"), -2));
    if (keyMask !== null) and(ops.expandDims(ops.cast(keyMask, "bool"), -2));
    if (options.attentionMask !== null && options.attentionMask !== undefined) and(ops.cast(options.attentionMask, "bool"));
    const q = this.queryDense!.apply(query) as Tensor;
    const k = this.keyDense!.apply(key ?? value) as Tensor;
    const v = this.valueDense!.apply(value) as Tensor;
    const headMask = mask === null ? null : ops.expandDims(mask as Tensor, -3);
    const { output, probabilities } = attention(q, k, v, {
      mask: headMask,
      scale: 1 / Math.sqrt(this.keyDim),
      causal: options.useCausalMask === true,
      returnProbabilities: options.returnAttentionScores === true,
      dropout: options.training === true && this.dropout > 0 ? { rate: this.dropout, seed: this.seedGenerator } : null,
    });
    const out = this.outputDense!.apply(output) as Tensor;
    return options.returnAttentionScores ? [out, probabilities!] : out;
  }

  override computeMask(inputs: Tensor | Tensor[], previousMask: Tensor | (Tensor | null)[] | null): LayerMask {
    void inputs;
    const queryMask = Array.isArray(previousMask) ? (previousMask[0] ?? null) : previousMask;
    return this.returnAttentionScores ? [queryMask, null] : queryMask;
  }

  override computeOutputShape(inputShape: LayerShape): LayerShape {
    const [query, value] = this.shapes(inputShape);
    const output = this.outputShape === null ? query : [...query.slice(0, -1), ...this.outputShape];
    return this.returnAttentionScores ? [output, [query[0], this.numHeads, query[1], value[1]]] : output;
  }

  override getConfig(): Record<string, unknown> {
    const p = this.projection;
    return {
      ...super.getConfig(),
      num_heads: this.numHeads,
      key_dim: this.keyDim,
      value_dim: this.valueDim,
      dropout: this.dropout,
      use_bias: this.useBias,
      output_shape: this.outputShape,
      attention_axes: this.attentionAxes,
      kernel_initializer: initializers.serialize(p.kernelInitializer),
      bias_initializer: initializers.serialize(p.biasInitializer),
      kernel_regularizer: regularizers.serialize(p.kernelRegularizer),
      bias_regularizer: regularizers.serialize(p.biasRegularizer),
      activity_regularizer: regularizers.serialize(this.mhaActivityRegularizer),
      kernel_constraint: constraints.serialize(p.kernelConstraint),
      bias_constraint: constraints.serialize(p.biasConstraint),
      seed: this.seed,
    };
  }

  static override fromConfig<T extends Layer>(this: new (...args: any[]) => T, config: Record<string, unknown>): T {
    const { numHeads, keyDim, ...rest } = camelizeConfig(config);
    return new this(numHeads, keyDim, rest);
  }
}
