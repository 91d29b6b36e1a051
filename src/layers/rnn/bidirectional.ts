import type { SymbolicShape } from "../../backend/keras_tensor.js";
import type { Tensor } from "../../backend/tensor.js";
import type { KerasObjectConfig } from "../../saving/serialization.js";
import * as ops from "../../ops/index.js";
import { Layer, camelizeConfig, type LayerArgs, type LayerMask, type LayerShape } from "../layer.js";
import { deserializeNestedLayer, serializeNestedLayer } from "../nested_layers.js";
import { RNN, firstMask, type RNNCallOptions } from "./rnn.js";

export type MergeMode = "concat" | "sum" | "mul" | "ave" | null;

export interface BidirectionalArgs extends LayerArgs {
  /** How the two directions' outputs combine: "concat" (default), "sum", "mul", "ave", or null (a list of both). */
  mergeMode?: MergeMode;
  /** The backward layer (default: a copy of `layer` walking the sequence backwards). */
  backwardLayer?: RNN;
  /** Initial weights: the forward layer's, then the backward layer's. */
  weights?: Tensor[];
}

const MERGE_MODES: readonly MergeMode[] = ["sum", "mul", "ave", "concat", null];

function withName(config: KerasObjectConfig, prefix: string, changes: Record<string, unknown> = {}): KerasObjectConfig {
  const name = String(config.config.name ?? "");
  return { ...config, config: { ...config.config, ...changes, name: `${prefix}${name.startsWith(prefix) ? name.slice(prefix.length) : name}` } };
}

/**
 * Keras's `Bidirectional` wrapper: runs a recurrent layer over the sequence forwards and a copy
 * of it backwards, and merges their outputs (the backward sequence re-reversed into time order).
 * The layer given is only a template: its config makes the forward layer and the backward one.
 */
export class Bidirectional extends Layer {
  static override className = "Bidirectional";
  override supportsMasking = true;
  readonly forwardLayer: RNN;
  readonly backwardLayer: RNN;
  readonly mergeMode: MergeMode;
  readonly returnSequences: boolean;
  readonly returnState: boolean;
  readonly stateful: boolean;

  constructor(layer: RNN, args: BidirectionalArgs = {}) {
    const { mergeMode, backwardLayer, weights, ...rest } = args;
    super(rest);
    if (!(layer instanceof RNN)) throw new TypeError(`Bidirectional layer '${this.name}': please initialize it with a recurrent layer (keras.layers.RNN, LSTM, GRU, ...). Received: ${String(layer)}`);
    if (backwardLayer !== undefined && !(backwardLayer instanceof RNN)) {
      throw new TypeError(`Bidirectional layer '${this.name}': \`backwardLayer\` needs to be a recurrent layer. Received: ${String(backwardLayer)}`);
    }
    const mode = mergeMode === undefined ? "concat" : mergeMode;
    if (!MERGE_MODES.includes(mode)) {
      throw new Error(`Invalid merge mode. Received: ${JSON.stringify(mergeMode)}. Merge mode should be one of {"sum", "mul", "ave", "concat", None}`);
    }
    // Fresh layers from the template's config, so no state of the template is carried over.
    const template = serializeNestedLayer(layer);
    this.forwardLayer = deserializeNestedLayer(withName(template, "forward_")) as RNN;
    this.backwardLayer = backwardLayer ?? (deserializeNestedLayer(withName(template, "backward_", { go_backwards: true })) as RNN);
    if (this.forwardLayer.goBackwards === this.backwardLayer.goBackwards) {
      throw new Error(
        `Forward layer and backward layer should have different \`go_backwards\` value. Received: forward_layer.go_backwards ${this.forwardLayer.goBackwards}, backward_layer.go_backwards=${this.backwardLayer.goBackwards}`,
      );
    }
    for (const attribute of ["stateful", "returnSequences", "returnState"] as const) {
      if (this.forwardLayer[attribute] !== this.backwardLayer[attribute]) {
        throw new Error(`Forward layer and backward layer are expected to have the same value for attribute "${attribute}", got "${this.forwardLayer[attribute]}" for forward layer and "${this.backwardLayer[attribute]}" for backward layer`);
      }
    }
    // Masked outputs are zeros, so that the two directions line up when merged.
    this.forwardLayer.zeroOutputForMask = this.forwardLayer.returnSequences;
    this.backwardLayer.zeroOutputForMask = this.backwardLayer.returnSequences;
    this.mergeMode = mode;
    this.returnSequences = layer.returnSequences;
    this.returnState = layer.returnState;
    this.stateful = layer.stateful;
    this.inputSpec = layer.inputSpec;
    if (weights !== undefined) {
      const shape = layer.buildInputShape;
      if (shape === undefined) throw new Error(`Bidirectional layer '${this.name}': initial weights need the wrapped layer to be built (call it once, or give it an inputShape)`);
      this.maybeBuild(shape);
      this.setWeights(weights);
    }
  }

  override build(inputShape: LayerShape): void {
    const first = Array.isArray(inputShape[0]) ? (inputShape[0] as SymbolicShape) : (inputShape as SymbolicShape);
    if (!this.forwardLayer.built) this.forwardLayer.maybeBuild(first);
    if (!this.backwardLayer.built) this.backwardLayer.maybeBuild(first);
    this.built = true;
  }

  override call(inputs: Tensor | Tensor[], options: RNNCallOptions = {}): Tensor | Tensor[] {
    const [sequences, fromInputs] = Array.isArray(inputs) ? [inputs[0], inputs.slice(1)] : [inputs, []];
    const given = options.initialState ?? (fromInputs.length > 0 ? fromInputs : undefined);
    let forwardState: Tensor[] | undefined;
    let backwardState: Tensor[] | undefined;
    if (given !== undefined) {
      const states = Array.isArray(given) ? given : [given];
      if (states.length % 2 !== 0) throw new Error(`Bidirectional layer '${this.name}': expected initial states for both directions (an even number), got ${states.length}`);
      forwardState = states.slice(0, states.length / 2);
      backwardState = states.slice(states.length / 2);
    }
    const mask = firstMask(options.mask);
    const run = (layer: RNN, initialState: Tensor[] | undefined): Tensor[] => {
      const callOptions: RNNCallOptions = { training: options.training, mask, initialState };
      const out = layer.apply(sequences, callOptions) as Tensor | Tensor[];
      return Array.isArray(out) ? out : [out];
    };
    const [y, ...forwardStates] = run(this.forwardLayer, forwardState);
    let [yRev, ...backwardStates] = run(this.backwardLayer, backwardState);
    if (this.returnSequences) yRev = ops.flip(yRev, 1);
    let output: Tensor | Tensor[];
    switch (this.mergeMode) {
      case "concat":
        output = ops.concatenate([y, yRev], -1);
        break;
      case "sum":
        output = ops.add(y, yRev);
        break;
      case "ave":
        output = ops.divide(ops.add(y, yRev), 2);
        break;
      case "mul":
        output = ops.multiply(y, yRev);
        break;
      default:
        output = [y, yRev];
    }
    if (!this.returnState) return output;
    return [...(Array.isArray(output) ? output : [output]), ...forwardStates, ...backwardStates];
  }

  override computeOutputShape(inputShape: LayerShape): LayerShape {
    const first = Array.isArray(inputShape[0]) ? (inputShape[0] as SymbolicShape) : (inputShape as SymbolicShape);
    const forward = this.forwardLayer.computeOutputShape(first);
    let output = (this.returnState ? (forward as SymbolicShape[])[0] : forward) as SymbolicShape;
    const states = this.returnState ? (forward as SymbolicShape[]).slice(1) : [];
    let outputs: SymbolicShape[];
    if (this.mergeMode === "concat") {
      const last = output[output.length - 1];
      output = [...output.slice(0, -1), last === null ? null : 2 * last];
      outputs = [output];
    } else if (this.mergeMode === null) {
      outputs = [output, output];
    } else {
      outputs = [output];
    }
    if (this.returnState) return [...outputs, ...states, ...states];
    return outputs.length === 1 ? outputs[0] : outputs;
  }

  override computeMask(inputs: Tensor | Tensor[], previousMask: Tensor | (Tensor | null)[] | null): LayerMask {
    void inputs;
    const mask = firstMask(previousMask);
    const outputMask = this.returnSequences ? mask : null;
    const outputs = this.mergeMode === null ? [outputMask, outputMask] : [outputMask];
    if (this.returnState) return [...outputs, ...this.forwardLayer.stateSize.map(() => null), ...this.backwardLayer.stateSize.map(() => null)];
    return outputs.length === 1 ? outputs[0] : outputs;
  }

  /** Sets both directions' carried states back to zeros (stateful layers). */
  resetStates(): void {
    this.forwardLayer.resetStates();
    this.backwardLayer.resetStates();
  }

  override getConfig(): Record<string, unknown> {
    return {
      ...super.getConfig(),
      merge_mode: this.mergeMode,
      layer: serializeNestedLayer(this.forwardLayer),
      backward_layer: serializeNestedLayer(this.backwardLayer),
    };
  }

  static override fromConfig<T extends Layer>(this: new (...args: any[]) => T, config: Record<string, unknown>, options?: unknown): T {
    const { layer, backward_layer: backward, ...rest } = config;
    if (layer === undefined) throw new Error("Bidirectional config: missing 'layer'");
    const args = camelizeConfig(rest);
    if (backward !== undefined && backward !== null) args.backwardLayer = deserializeNestedLayer(backward, options);
    return new this(deserializeNestedLayer(layer, options), args);
  }
}
