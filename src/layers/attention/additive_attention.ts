import type { SymbolicShape } from "../../backend/keras_tensor.js";
import type { Tensor } from "../../backend/tensor.js";
import * as ops from "../../ops/index.js";
import type { LayerArgs, LayerShape } from "../layer.js";
import { Attention } from "./attention.js";

export interface AdditiveAttentionArgs extends LayerArgs {
  /** Learn a scale per feature (default true). */
  useScale?: boolean;
  dropout?: number;
  seed?: number | null;
}

/**
 * Keras's `AdditiveAttention` (Bahdanau-style): scores = Σ_dim scale * tanh(query + key), then
 * as `Attention` (masks, softmax over Tv, weighted values).
 */
export class AdditiveAttention extends Attention {
  static override className = "AdditiveAttention";

  constructor(args: AdditiveAttentionArgs = {}) {
    super({ ...args, useScale: args.useScale ?? true });
  }

  override build(inputShape: LayerShape): void {
    this.validateInputs(inputShape);
    const dim = (inputShape as SymbolicShape[])[0].at(-1);
    if (dim === null || dim === undefined) throw new Error(`AdditiveAttention layer '${this.name}': the last axis of the query must be known`);
    if (this.useScale) this.scale = this.addWeight({ name: "scale", shape: [dim], initializer: "glorot_uniform" });
    this.built = true;
  }

  protected override calculateScores(query: Tensor, key: Tensor): Tensor {
    const sum = ops.tanh(ops.add(ops.expandDims(query, -2), ops.expandDims(key, -3)));
    return ops.sum(this.scale === undefined ? sum : ops.multiply(this.scale.value, sum), -1);
  }

  override getConfig(): Record<string, unknown> {
    const { score_mode: _scoreMode, ...config } = super.getConfig();
    void _scoreMode;
    return config;
  }
}
