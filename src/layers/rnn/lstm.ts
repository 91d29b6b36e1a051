import type { DType } from "../../backend/dtypes.js";
import type { Tensor } from "../../backend/tensor.js";
import * as ops from "../../ops/index.js";
import { lstm, type RnnResult } from "../../ops/rnn.js";
import * as activations from "../../activations/index.js";
import * as initializers from "../../initializers/index.js";
import type { CallOptions, LayerShape } from "../layer.js";
import type { RNNArgs } from "./rnn.js";
import { checkUseCudnn, splitRNNArgs, UnitsCell, UnitsRNN, type SimpleRNNCellArgs } from "./simple_rnn.js";

export interface LSTMCellArgs extends SimpleRNNCellArgs {
  /** Activation of the input, forget and output gates (default sigmoid). */
  recurrentActivation?: activations.ActivationIdentifier;
  /** Add 1 to the forget gate's bias at initialization (Jozefowicz et al.); default true. */
  unitForgetBias?: boolean;
  /** 2 (default): one product for all gates; 1: one per gate (what recurrent dropout uses). */
  implementation?: 1 | 2;
}

/** The forget gate's bias block as ones, the rest from the given initializer (Keras's unit_forget_bias). */
export class UnitForgetBias extends initializers.Initializer {
  constructor(private readonly base: initializers.Initializer, private readonly units: number) {
    super();
  }
  call(shape: readonly number[], dtype: DType = "float32"): Tensor {
    void shape;
    const u = this.units;
    return ops.concatenate([this.base.call([u], dtype), ops.ones([u], dtype), this.base.call([2 * u], dtype)], 0);
  }
}

/**
 * Keras's `LSTMCell` (Hochreiter 1997): for z = x @ kernel + h @ recurrent_kernel + bias, split
 * into the gates i, f, c, o (that order, as Keras's weights),
 *   c' = σ(f) * c + σ(i) * tanh(c̃),  h' = σ(o) * tanh(c')
 * (σ the recurrent activation, tanh the activation). States [h, c]; the output is h.
 */
export class LSTMCell extends UnitsCell {
  static override className = "LSTMCell";
  readonly stateSize: number[];
  readonly recurrentActivation: activations.ActivationFn;
  readonly unitForgetBias: boolean;
  readonly implementation: 1 | 2;

  constructor(units: number, args: LSTMCellArgs = {}) {
    super(units, args);
    this.stateSize = [this.units, this.units];
    this.recurrentActivation = activations.get(args.recurrentActivation === undefined ? "sigmoid" : args.recurrentActivation);
    this.unitForgetBias = args.unitForgetBias ?? true;
    this.implementation = this.recurrentDropout !== 0 ? 1 : (args.implementation ?? 2);
  }

  override build(inputShape: LayerShape): void {
    const u = this.units;
    this.addKernels(inputShape, 4);
    if (this.options.useBias) {
      const bias = this.options.bias;
      this.bias = bias.addTo(this, "bias", [4 * u], this.unitForgetBias ? new UnitForgetBias(bias.initializer, u) : bias.initializer);
    }
    this.built = true;
  }

  override call(inputs: Tensor | Tensor[], options: CallOptions = {}): Tensor[] {
    const [x, h, c] = inputs as Tensor[];
    const training = options.training === true;
    const sigma = this.recurrentActivation;
    const act = this.options.activation;
    const kernel = this.kernel!.value;
    const recurrent = this.recurrentKernel!.value;
    let zi: Tensor, zf: Tensor, zc: Tensor, zo: Tensor;
    if (this.implementation === 1) {
      // One product per gate, each with its own input and recurrent dropout mask.
      const dp = training && this.dropout > 0 && this.dropout < 1 ? this.getDropoutMasks(x, 4) : null;
      const rdp = training && this.recurrentDropout > 0 && this.recurrentDropout < 1 ? this.getRecurrentDropoutMasks(h, 4) : null;
      const kernels = ops.split(kernel, 4, 1);
      const recurrents = ops.split(recurrent, 4, 1);
      const biases = this.bias === undefined ? null : ops.split(this.bias.value, 4, 0);
      const gate = (g: number) => {
        let xg = ops.matmul(dp === null ? x : ops.multiply(x, dp[g]), kernels[g]);
        if (biases !== null) xg = ops.add(xg, biases[g]);
        return ops.add(xg, ops.matmul(rdp === null ? h : ops.multiply(h, rdp[g]), recurrents[g]));
      };
      [zi, zf, zc, zo] = [gate(0), gate(1), gate(2), gate(3)];
    } else {
      const dp = training && this.dropout > 0 && this.dropout < 1 ? this.getDropoutMasks(x) : null;
      let z = ops.add(ops.matmul(dp === null ? x : ops.multiply(x, dp[0]), kernel), ops.matmul(h, recurrent));
      if (this.bias !== undefined) z = ops.add(z, this.bias.value);
      [zi, zf, zc, zo] = ops.split(z, 4, 1);
    }
    const cNew = ops.add(ops.multiply(sigma(zf), c), ops.multiply(sigma(zi), act(zc)));
    const hNew = ops.multiply(sigma(zo), act(cNew));
    return [hNew, hNew, cNew];
  }

  cellConfig(): Record<string, unknown> {
    return {
      units: this.units,
      ...this.options.config({ unit_forget_bias: this.unitForgetBias }),
      recurrent_activation: activations.serialize(this.recurrentActivation),
    };
  }
}

export interface LSTMArgs extends LSTMCellArgs, RNNArgs {
  /** Accepted for Keras compatibility ("auto", true, false): the fused kernel is used whenever it applies. */
  useCudnn?: "auto" | boolean;
}

/**
 * Keras's `LSTM` layer. With the default activations (tanh, sigmoid) and no recurrent dropout it
 * runs as one fused recurrence (`ops/rnn.ts` `lstm`): the input projection of every timestep as
 * one product, then the recurrent steps in one kernel; otherwise its cell runs step by step.
 */
export class LSTM extends UnitsRNN<LSTMCell> {
  static override className = "LSTM";

  constructor(units: number, args: LSTMArgs = {}) {
    const { useCudnn, ...rest } = args;
    checkUseCudnn(useCudnn);
    const { rnn, cell } = splitRNNArgs(rest);
    super(new LSTMCell(units, { ...cell, name: "lstm_cell" }), rnn);
  }

  protected override innerLoop(sequences: Tensor, initial: Tensor[], mask: Tensor | null, training: boolean): RnnResult {
    const cell = this.cell;
    if (cell.recurrentDropout !== 0) return super.innerLoop(sequences, initial, mask, training);
    return this.runFused(sequences, training, (x) => lstm(x, initial[0], initial[1], {
      kernel: cell.kernel!.value, recurrentKernel: cell.recurrentKernel!.value, bias: cell.bias?.value ?? null,
      activation: cell.activation, recurrentActivation: cell.recurrentActivation,
    }, this.loopOptions(mask)));
  }
}
