import type { SymbolicShape } from "../../backend/keras_tensor.js";
import { formatShape } from "../../backend/shape.js";
import type { Tensor } from "../../backend/tensor.js";
import * as ops from "../../ops/index.js";
import { rnn, type RnnResult } from "../../ops/rnn.js";
import { Layer, camelizeConfig, type CallOptions, type LayerArgs, type LayerMask, type LayerShape } from "../layer.js";
import { deserializeNestedLayer, serializeNestedLayer } from "../nested_layers.js";
import { StackedRNNCells } from "./stacked_rnn_cells.js";
import { DropoutRNNCell, type RNNCell } from "./rnn_cell.js";

export type { RNNCell } from "./rnn_cell.js";

export interface RNNArgs extends LayerArgs {
  /** Return the whole output sequence [batch, timesteps, units] (default false: the last output). */
  returnSequences?: boolean;
  /** Also return the final states: `[output, ...states]`. */
  returnState?: boolean;
  /** Walk the sequence from its end; with `returnSequences` the outputs come in that (reversed) order. */
  goBackwards?: boolean;
  /** Carry the final states of one batch into the next as its initial states (see `resetStates`). */
  stateful?: boolean;
  /** Accepted for Keras compatibility; the loop is always run step by step (or fused). */
  unroll?: boolean;
  /** With a mask, masked steps output zeros instead of repeating the previous output. */
  zeroOutputForMask?: boolean;
}

export interface RNNCallOptions extends CallOptions {
  /** Initial states (Keras's `initial_state`), one tensor per state; default zeros (or the carried states when stateful). */
  initialState?: Tensor | Tensor[];
}

/** A cell's state sizes as a list. */
export function stateSizesOf(cell: RNNCell): number[] {
  const size = cell.stateSize;
  return typeof size === "number" ? [size] : [...size];
}

export function outputSizeOf(cell: RNNCell): number {
  return cell.outputSize ?? stateSizesOf(cell)[0];
}

function isRNNCell(value: unknown): value is RNNCell {
  return value instanceof Layer && "stateSize" in value && (typeof (value as RNNCell).stateSize === "number" || Array.isArray((value as RNNCell).stateSize));
}

/**
 * Keras's `RNN`: runs a cell over the timesteps of its input [batch, timesteps, ...]. The cell is
 * any layer with a `stateSize` (a number, or one per state) whose `call([input_t, ...states])`
 * returns `[output_t, ...newStates]`; a list of cells is stacked (`StackedRNNCells`).
 *
 * Call it on a sequence, or on `[sequence, ...initialStates]` (what a functional model's graph can
 * hold), or give `initialState` in the call options. A mask (from `Masking` or
 * `Embedding({ maskZero: true })`) makes masked timesteps keep the states unchanged.
 */
export class RNN extends Layer {
  static override className = "RNN";
  override supportsMasking = true;
  readonly cell: RNNCell;
  readonly returnSequences: boolean;
  readonly returnState: boolean;
  readonly goBackwards: boolean;
  readonly stateful: boolean;
  readonly unroll: boolean;
  zeroOutputForMask: boolean;
  /** The carried states of a stateful layer (null until built, or for a stateless one). */
  states: Tensor[] | null = null;

  constructor(cell: RNNCell | RNNCell[], args: RNNArgs = {}) {
    super(args);
    const resolved = Array.isArray(cell) ? new StackedRNNCells(cell) : cell;
    if (!isRNNCell(resolved)) {
      throw new TypeError(`RNN layer '${this.name}': the cell must be a layer with a \`stateSize\` (a number, or one per state) and a call([input, ...states]) returning [output, ...newStates]; got ${String(cell)}`);
    }
    this.cell = resolved;
    this.returnSequences = args.returnSequences ?? false;
    this.returnState = args.returnState ?? false;
    this.goBackwards = args.goBackwards ?? false;
    this.stateful = args.stateful ?? false;
    this.unroll = args.unroll ?? false;
    this.zeroOutputForMask = args.zeroOutputForMask ?? false;
  }

  get stateSize(): number[] {
    return stateSizesOf(this.cell);
  }

  /** The sequence's shape and the initial states' shapes of a call. */
  private splitShapes(inputShape: LayerShape): [SymbolicShape, SymbolicShape[]] {
    if (Array.isArray(inputShape[0])) {
      const [first, ...rest] = inputShape as SymbolicShape[];
      return [first, rest];
    }
    return [inputShape as SymbolicShape, []];
  }

  override build(inputShape: LayerShape): void {
    const [shape] = this.splitShapes(inputShape);
    if (shape.length < 3) {
      throw new Error(`Input 0 of layer "${this.name}" is incompatible with the layer: expected ndim=3, found ndim=${shape.length}. Full shape received: (${shape.map((d) => (d === null ? "None" : d)).join(", ")})`);
    }
    if (!this.cell.built) this.cell.maybeBuild([shape[0], ...shape.slice(2)]);
    if (this.stateful) {
      const batch = shape[0];
      if (batch === null) {
        throw new Error(`RNN layer '${this.name}': when using \`stateful=True\` in a RNN, the batch size must be static. Found dynamic batch size: sequence.shape=(None, ${shape.slice(1).join(", ")}); give the Input a batchSize`);
      }
      this.states = this.zeroStates(batch);
    }
    this.built = true;
  }

  private zeroStates(batch: number): Tensor[] {
    return this.cell.getInitialState?.(batch) ?? this.stateSize.map((d) => ops.zeros([batch, d]));
  }

  /** Sets a stateful layer's carried states back to zeros, or to the values given (Keras's `reset_states`). */
  resetStates(states?: Tensor | Tensor[]): void {
    if (!this.stateful) throw new Error(`Layer '${this.name}' must be stateful to reset its states`);
    if (!this.built || this.states === null) throw new Error(`RNN layer '${this.name}' is not built yet; call it once first (its batch size fixes the states)`);
    const batch = this.states[0].shape[0];
    if (states === undefined) {
      this.states = this.zeroStates(batch);
      return;
    }
    const list = Array.isArray(states) ? states : [states];
    this.states = this.checkStates(list, batch, "resetStates");
  }

  /** Keras 3's name for `resetStates()`. */
  resetState(): void {
    this.resetStates();
  }

  private checkStates(states: Tensor[], batch: number, what: string): Tensor[] {
    const sizes = this.stateSize;
    if (states.length !== sizes.length) {
      throw new Error(`RNN layer '${this.name}': ${what} expects ${sizes.length} state tensor(s) (state sizes [${sizes.join(", ")}]), got ${states.length}`);
    }
    // A cell with states of another shape than [batch, size] (ConvLSTM's) tells them by its initial state.
    const shapes = this.cell.getInitialState?.(batch).map((t) => t.shape) ?? sizes.map((d) => [batch, d]);
    return states.map((s, i) => {
      const t = ops.convertToTensor(s, "float32");
      const want = shapes[i];
      if (t.rank !== want.length || t.shape.some((d, k) => d !== want[k])) {
        throw new Error(`RNN layer '${this.name}': ${what}: state ${i} must have shape (${want.join(", ")}), got (${t.shape.join(", ")})`);
      }
      return t;
    });
  }

  override call(inputs: Tensor | Tensor[], options: RNNCallOptions = {}): Tensor | Tensor[] {
    const [sequences, fromInputs] = Array.isArray(inputs) ? [inputs[0], inputs.slice(1)] : [inputs, []];
    if (sequences.rank < 3) throw new Error(`RNN layer '${this.name}': expected inputs of shape (batch, timesteps, ...), got ${formatShape(sequences.shape)}`);
    if (this.unroll && sequences.shape[1] === 0) throw new Error(`RNN layer '${this.name}': cannot unroll a RNN with no timesteps`);
    const batch = sequences.shape[0];
    const given = options.initialState ?? (fromInputs.length > 0 ? fromInputs : undefined);
    let initial: Tensor[];
    if (given !== undefined) {
      initial = this.checkStates(Array.isArray(given) ? given : [given], batch, "initial state");
    } else if (this.stateful) {
      const states = this.states!;
      if (states[0].shape[0] !== batch) {
        throw new Error(`If an RNN is stateful, the batch size of the input sequences must be the same as the batch size of the initial state. \n- Expected batch size: ${states[0].shape[0]}\n- Received batch size: ${batch}`);
      }
      initial = states;
    } else {
      initial = this.zeroStates(batch);
    }
    const mask = firstMask(options.mask);
    const result = this.innerLoop(sequences, initial, mask, options.training === true);
    if (this.stateful) this.states = result.states.map((s) => ops.stopGradient(s));
    const output = this.returnSequences ? result.outputs! : result.lastOutput;
    return this.returnState ? [output, ...result.states] : output;
  }

  /**
   * The recurrence (Keras's `inner_loop`): the cell's step in the generic loop. LSTM and GRU
   * override it to run their fused op.
   */
  protected innerLoop(sequences: Tensor, initial: Tensor[], mask: Tensor | null, training: boolean): RnnResult {
    const cell = this.cell;
    resetDropoutMasks(cell);
    try {
      return rnn((x, states) => {
        const [output, ...next] = cell.call([x, ...states], { training }) as Tensor[];
        return [output, next];
      }, sequences, initial, {
        ...this.loopOptions(mask),
        // Keras assumes the previous output is the first state (of the last cell, when stacked).
        previousOutputIndex: cell instanceof StackedRNNCells ? cell.lastCellStateOffset() : 0,
      });
    } finally {
      resetDropoutMasks(cell);
    }
  }

  /** How this layer walks the sequence, for `ops/rnn.ts`'s loops. */
  protected loopOptions(mask: Tensor | null): { goBackwards: boolean; mask: Tensor | null; zeroOutputForMask: boolean; returnSequences: boolean } {
    return { goBackwards: this.goBackwards, mask, zeroOutputForMask: this.zeroOutputForMask, returnSequences: this.returnSequences };
  }

  override computeOutputShape(inputShape: LayerShape): LayerShape {
    const [shape] = this.splitShapes(inputShape);
    const batch = shape[0];
    const units = outputSizeOf(this.cell);
    const output: SymbolicShape = this.returnSequences ? [batch, shape[1], units] : [batch, units];
    if (!this.returnState) return output;
    return [output, ...this.stateSize.map((d): SymbolicShape => [batch, d])];
  }

  override computeMask(inputs: Tensor | Tensor[], previousMask: Tensor | (Tensor | null)[] | null): LayerMask {
    void inputs;
    const mask = firstMask(previousMask);
    const outputMask = this.returnSequences ? mask : null;
    return this.returnState ? [outputMask, ...this.stateSize.map(() => null)] : outputMask;
  }

  /** The base RNN config keys, shared by SimpleRNN, LSTM and GRU (which write their cell's options instead of the cell). */
  protected rnnConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      return_sequences: this.returnSequences,
      return_state: this.returnState,
      go_backwards: this.goBackwards,
      stateful: this.stateful,
      unroll: this.unroll,
      zero_output_for_mask: this.zeroOutputForMask,
    };
  }

  override getConfig(): Record<string, unknown> {
    return { ...this.rnnConfig(), cell: serializeNestedLayer(this.cell) };
  }

  static override fromConfig<T extends Layer>(this: new (...args: any[]) => T, config: Record<string, unknown>, options?: unknown): T {
    const { cell, ...rest } = config;
    if (cell === undefined) throw new Error("RNN config: missing 'cell'");
    return new this(deserializeNestedLayer(cell, options), camelizeConfig(rest));
  }
}

/** The first mask of a call (RNN inputs after the sequence, initial states, carry none). */
export function firstMask(mask: Tensor | (Tensor | null)[] | null | undefined): Tensor | null {
  if (mask === null || mask === undefined) return null;
  return Array.isArray(mask) ? (mask[0] ?? null) : mask;
}

/** Dropout masks are drawn once per sequence: cleared before and after each call. */
export function resetDropoutMasks(cell: RNNCell): void {
  if (cell instanceof DropoutRNNCell || cell instanceof StackedRNNCells) cell.resetDropoutMasks();
}
