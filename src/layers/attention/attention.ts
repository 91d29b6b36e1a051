import type { KerasTensor, SymbolicShape } from "../../backend/keras_tensor.js";
import type { Tensor } from "../../backend/tensor.js";
import type { Variable } from "../../backend/variable.js";
import * as ops from "../../ops/index.js";
import * as random from "../../random/index.js";
import { Layer, type CallOptions, type LayerArgs, type LayerInputs, type LayerMask, type LayerShape, type SymbolicOutput } from "../layer.js";
import type { TensorLike } from "../../ops/core.js";

export interface AttentionArgs extends LayerArgs {
  /** Learn a scalar that scales the scores (default false). */
  useScale?: boolean;
  /** "dot" (default): q · k; "concat": the sum of tanh(q + k). */
  scoreMode?: "dot" | "concat";
  /** Dropout on the attention weights during training. */
  dropout?: number;
  seed?: number | null;
}

export interface AttentionCallOptions extends CallOptions {
  /** Also return the attention weights [batch, Tq, Tv]: `[output, scores]`. */
  returnAttentionScores?: boolean;
  /** Mask positions j > i (a decoder's self-attention). */
  useCausalMask?: boolean;
}

/** Keras's large negative score for masked positions in these layers (1e9: a float32 that softmax turns into 0). */
const MASKED_SCORE = 1e9;

/**
 * Keras's `Attention` (Luong-style dot-product attention). Called on `[query, value]` or
 * `[query, value, key]` ([batch, Tq, dim], [batch, Tv, dim], key defaulting to value):
 * scores = query · keyᵀ (times a learned scalar with `useScale`), masked by the value's mask and
 * the causal mask, softmax over Tv, then the weighted sum of the values; the query's mask zeroes
 * masked query steps and passes on.
 */
export class Attention extends Layer {
  static override className = "Attention";
  override supportsMasking = true;
  readonly useScale: boolean;
  readonly scoreMode: "dot" | "concat";
  readonly dropout: number;
  readonly seed: number | null;
  protected readonly seedGenerator?: random.SeedGenerator;
  scale?: Variable;
  concatScoreWeight?: Variable;
  /** Set by each call, as Keras's `_return_attention_scores`, so the output shape follows. */
  protected returnAttentionScores = false;

  constructor(args: AttentionArgs = {}) {
    super(args);
    this.useScale = args.useScale ?? false;
    this.scoreMode = args.scoreMode ?? "dot";
    this.dropout = args.dropout ?? 0;
    this.seed = args.seed ?? null;
    if (this.dropout > 0) this.seedGenerator = new random.SeedGenerator(this.seed);
    if (this.scoreMode !== "dot" && this.scoreMode !== "concat") {
      throw new Error(`Invalid value for argument score_mode. Expected one of {'dot', 'concat'}. Received: score_mode=${String(args.scoreMode)}`);
    }
  }

  protected validateInputs(inputs: unknown, mask?: unknown): void {
    const name = this.className();
    if (!Array.isArray(inputs)) throw new Error(`${name} layer must be called on a list of inputs, namely [query, value] or [query, value, key]. Received: inputs=${String(inputs)}.`);
    if (inputs.length < 2 || inputs.length > 3) {
      throw new Error(`${name} layer accepts inputs list of length 2 or 3, namely [query, value] or [query, value, key]. Received length: ${inputs.length}.`);
    }
    if (mask !== null && mask !== undefined) {
      if (!Array.isArray(mask)) throw new Error(`${name} layer mask must be a list, namely [query_mask, value_mask]. Received: mask=${String(mask)}.`);
      if (mask.length < 2 || mask.length > 3) throw new Error(`${name} layer accepts mask list of length 2 or 3. Received a list of length ${mask.length}.`);
    }
  }

  override apply<L extends Layer>(this: L, inputs: KerasTensor | readonly KerasTensor[], options?: AttentionCallOptions): SymbolicOutput<ReturnType<L["call"]>>;
  override apply<L extends Layer>(this: L, inputs: TensorLike | readonly Tensor[], options?: AttentionCallOptions): ReturnType<L["call"]>;
  override apply<L extends Layer>(this: L, inputs: LayerInputs | TensorLike | readonly Tensor[] | readonly KerasTensor[], options?: AttentionCallOptions): ReturnType<L["call"]> | SymbolicOutput<ReturnType<L["call"]>>;
  override apply(inputs: LayerInputs | TensorLike | readonly (Tensor | KerasTensor)[], options: AttentionCallOptions = {}): unknown {
    this.returnAttentionScores = options.returnAttentionScores === true;
    return super.apply(inputs as LayerInputs, options);
  }

  override build(inputShape: LayerShape): void {
    this.validateInputs(inputShape);
    if (this.useScale) this.scale = this.addWeight({ name: "scale", shape: [], initializer: "ones" });
    if (this.scoreMode === "concat") this.concatScoreWeight = this.addWeight({ name: "concat_score_weight", shape: [], initializer: "ones" });
    this.built = true;
  }

  /** Scores [batch, Tq, Tv] of query [batch, Tq, dim] against key [batch, Tv, dim]. */
  protected calculateScores(query: Tensor, key: Tensor): Tensor {
    if (this.scoreMode === "dot") {
      const scores = ops.matmul(query, ops.transpose(key, [0, 2, 1]));
      return this.scale === undefined ? scores : ops.multiply(scores, this.scale.value);
    }
    let sum = ops.add(ops.expandDims(query, -2), ops.expandDims(key, -3));
    if (this.scale !== undefined) sum = ops.multiply(this.scale.value, sum);
    return ops.multiply(this.concatScoreWeight!.value, ops.sum(ops.tanh(sum), -1));
  }

  override call(inputs: Tensor | Tensor[], options: AttentionCallOptions = {}): Tensor | Tensor[] {
    this.validateInputs(inputs, options.mask);
    const [query, value, key = value] = inputs as Tensor[];
    const masks = Array.isArray(options.mask) ? options.mask : null;
    const queryMask = masks?.[0] ?? null;
    const valueMask = masks?.[1] ?? null;
    let scores = this.calculateScores(query, key);
    let keep: Tensor | null = valueMask === null ? null : ops.expandDims(ops.cast(valueMask, "bool"), -2);
    if (options.useCausalMask) {
      const [, tq, tv] = scores.shape;
      const causal = ops.reshape(ops.tri(tq, tv, 0, "bool"), [1, tq, tv]);
      keep = keep === null ? causal : ops.logicalAnd(keep, causal);
    }
    if (keep !== null) scores = ops.subtract(scores, ops.multiply(MASKED_SCORE, ops.cast(ops.logicalNot(keep), "float32")));
    const weights = ops.softmax(scores, -1);
    const dropped = options.training === true && this.dropout > 0 ? random.dropout(weights, this.dropout, { seed: this.seedGenerator }) : weights;
    let output = ops.matmul(dropped, value);
    if (queryMask !== null) output = ops.multiply(output, ops.expandDims(ops.cast(queryMask, "float32"), -1));
    return options.returnAttentionScores ? [output, weights] : output;
  }

  override computeMask(inputs: Tensor | Tensor[], previousMask: Tensor | (Tensor | null)[] | null): LayerMask {
    this.validateInputs(inputs, previousMask);
    if (!Array.isArray(previousMask) || previousMask[0] === null || previousMask[0] === undefined) return null;
    return this.returnAttentionScores ? [previousMask[0], null] : previousMask[0];
  }

  override computeOutputShape(inputShape: LayerShape): LayerShape {
    const [queryShape, valueShape, keyShape = valueShape] = inputShape as SymbolicShape[];
    const output = [...queryShape.slice(0, -1), valueShape[valueShape.length - 1]];
    return this.returnAttentionScores ? [output, [queryShape[0], queryShape[1], keyShape[1]]] : output;
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), use_scale: this.useScale, score_mode: this.scoreMode, dropout: this.dropout };
  }
}
