import type { Tensor } from "../../backend/tensor.js";
import * as ops from "../../ops/index.js";
import * as random from "../../random/index.js";
import { Layer, type LayerArgs } from "../layer.js";

/**
 * What `RNN` runs: a layer with a `stateSize` (a number, or one per state) whose
 * `call([input_t, ...states])` returns `[output_t, ...newStates]`, built for one step's input
 * shape [batch, features]. `outputSize` defaults to the first state's size; `getInitialState`
 * to zeros.
 */
export interface RNNCell extends Layer {
  readonly stateSize: number | readonly number[];
  readonly outputSize?: number;
  getInitialState?(batchSize: number): Tensor[];
}

export interface DropoutRNNCellArgs extends LayerArgs {
  /** Fraction of the input units to drop for the input transformation, in [0, 1]. */
  dropout?: number;
  /** Fraction of the units to drop for the recurrent transformation, in [0, 1]. */
  recurrentDropout?: number;
  /** Seed for the dropout masks. */
  seed?: number | null;
}

/**
 * Keras's `DropoutRNNCell`: the dropout masks of a cell, drawn once per sequence (on the first
 * step of a call, or before it) and reused at every step, as Keras does. The RNN layer resets them
 * around each call.
 */
export abstract class DropoutRNNCell extends Layer implements RNNCell {
  abstract readonly stateSize: number | readonly number[];
  readonly dropout: number;
  readonly recurrentDropout: number;
  readonly seed: number | null;
  protected readonly seedGenerator: random.SeedGenerator;
  private dropoutMasks: Tensor[] | null = null;
  private recurrentDropoutMasks: Tensor[] | null = null;

  constructor(args: DropoutRNNCellArgs = {}) {
    super(args);
    // Keras clips the rates to [0, 1].
    this.dropout = Math.min(1, Math.max(0, args.dropout ?? 0));
    this.recurrentDropout = Math.min(1, Math.max(0, args.recurrentDropout ?? 0));
    this.seed = args.seed ?? null;
    this.seedGenerator = new random.SeedGenerator(this.seed);
  }

  /** `count` masks over the step input's shape (one per gate when the gates' inputs are dropped separately), or null without dropout. */
  getDropoutMasks(stepInput: Tensor, count = 1): Tensor[] | null {
    if (this.dropout <= 0) return null;
    this.dropoutMasks ??= this.makeMasks(stepInput, this.dropout, count);
    return this.dropoutMasks;
  }

  getRecurrentDropoutMasks(state: Tensor, count = 1): Tensor[] | null {
    if (this.recurrentDropout <= 0) return null;
    this.recurrentDropoutMasks ??= this.makeMasks(state, this.recurrentDropout, count);
    return this.recurrentDropoutMasks;
  }

  resetDropoutMasks(): void {
    this.dropoutMasks = null;
    this.recurrentDropoutMasks = null;
  }

  private makeMasks(like: Tensor, rate: number, count: number): Tensor[] {
    const ones = ops.onesLike(like);
    return Array.from({ length: count }, () => random.dropout(ones, rate, { seed: this.seedGenerator }));
  }

  /** Keras's dropout, recurrent_dropout and seed config keys. */
  dropoutConfig(): Record<string, unknown> {
    return { dropout: this.dropout, recurrent_dropout: this.recurrentDropout, seed: this.seed };
  }
}
