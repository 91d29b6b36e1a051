import type { Tensor } from "../../backend/tensor.js";
import * as ops from "../../ops/index.js";
import { gru, type RnnResult } from "../../ops/rnn.js";
import * as activations from "../../activations/index.js";
import type { CallOptions, LayerShape } from "../layer.js";
import type { RNNArgs } from "./rnn.js";
import { checkUseCudnn, splitRNNArgs, UnitsCell, UnitsRNN, type SimpleRNNCellArgs } from "./simple_rnn.js";

export interface GRUCellArgs extends SimpleRNNCellArgs {
  /** Activation of the update and reset gates (default sigmoid). */
  recurrentActivation?: activations.ActivationIdentifier;
  /** Apply the reset gate after the recurrent product (default true, cuDNN's form: two biases). */
  resetAfter?: boolean;
  /** 2 (default): one product for all gates; 1: one per gate (what recurrent dropout uses). */
  implementation?: 1 | 2;
}

/**
 * Keras's `GRUCell` (Cho et al. 2014), gates z, r, h in that order:
 *   z = σ(x W_z + h U_z + b), r = σ(x W_r + h U_r + b),
 *   hh = tanh(x W_h + r * (h U_h + b_rec))  (resetAfter; else tanh(x W_h + (r * h) U_h + b))
 *   h' = z * h + (1 - z) * hh
 * With `resetAfter` the bias is [2, 3 units]: the input biases, then the recurrent ones.
 */
export class GRUCell extends UnitsCell {
  static override className = "GRUCell";
  readonly stateSize: number;
  readonly recurrentActivation: activations.ActivationFn;
  readonly resetAfter: boolean;
  readonly implementation: 1 | 2;

  constructor(units: number, args: GRUCellArgs = {}) {
    super(units, args);
    this.stateSize = this.units;
    this.recurrentActivation = activations.get(args.recurrentActivation === undefined ? "sigmoid" : args.recurrentActivation);
    this.resetAfter = args.resetAfter ?? true;
    this.implementation = this.recurrentDropout !== 0 ? 1 : (args.implementation ?? 2);
  }

  override build(inputShape: LayerShape): void {
    const u = this.units;
    this.addKernels(inputShape, 3);
    if (this.options.useBias) this.bias = this.options.bias.addTo(this, "bias", this.resetAfter ? [2, 3 * u] : [3 * u]);
    this.built = true;
  }

  override call(inputs: Tensor | Tensor[], options: CallOptions = {}): Tensor[] {
    const [x, h] = inputs as Tensor[];
    const training = options.training === true;
    const u = this.units;
    const sigma = this.recurrentActivation;
    const act = this.options.activation;
    const kernel = this.kernel!.value;
    const recurrent = this.recurrentKernel!.value;
    let inputBias: Tensor | null = null;
    let recurrentBias: Tensor | null = null;
    if (this.bias !== undefined) {
      if (this.resetAfter) [inputBias, recurrentBias] = ops.unstack(this.bias.value, 2, 0);
      else inputBias = this.bias.value;
    }
    const perGate = this.implementation === 1;
    const dp = training && this.dropout > 0 && this.dropout < 1 ? this.getDropoutMasks(x, perGate ? 3 : 1) : null;
    const rdp = training && this.recurrentDropout > 0 && this.recurrentDropout < 1 ? this.getRecurrentDropoutMasks(h, perGate ? 3 : 1) : null;
    const xIn = (g: number) => (dp === null ? x : ops.multiply(x, dp[perGate ? g : 0]));
    const hIn = (g: number) => (rdp === null ? h : ops.multiply(h, rdp[perGate ? g : 0]));
    const columns = (w: Tensor, g: number) => ops.slice(w, [0, g * u], [w.shape[0], u]);
    const xs = [0, 1, 2].map((g) => {
      let xg = ops.matmul(xIn(g), perGate ? columns(kernel, g) : kernel);
      if (inputBias !== null) xg = ops.add(xg, perGate ? ops.slice(inputBias, [g * u], [u]) : inputBias);
      return xg;
    });
    let xz: Tensor, xr: Tensor, xh: Tensor;
    if (perGate) [xz, xr, xh] = xs;
    else [xz, xr, xh] = ops.split(xs[0], 3, -1);
    const inner = (g: number) => {
      let rg = ops.matmul(hIn(g), columns(recurrent, g));
      if (this.resetAfter && recurrentBias !== null) rg = ops.add(rg, ops.slice(recurrentBias, [g * u], [u]));
      return rg;
    };
    const z = sigma(ops.add(xz, inner(0)));
    const r = sigma(ops.add(xr, inner(1)));
    const recurrentH = this.resetAfter ? ops.multiply(r, inner(2)) : ops.matmul(ops.multiply(r, hIn(2)), columns(recurrent, 2));
    const hh = act(ops.add(xh, recurrentH));
    const hNew = ops.add(ops.multiply(z, h), ops.multiply(ops.subtract(1, z), hh));
    return [hNew, hNew];
  }

  cellConfig(): Record<string, unknown> {
    return {
      units: this.units,
      ...this.options.config(),
      recurrent_activation: activations.serialize(this.recurrentActivation),
    };
  }

  override configAfterDropout(): Record<string, unknown> {
    return { reset_after: this.resetAfter };
  }
}

export interface GRUArgs extends GRUCellArgs, RNNArgs {
  /** Accepted for Keras compatibility ("auto", true, false): the fused kernel is used whenever it applies. */
  useCudnn?: "auto" | boolean;
}

/**
 * Keras's `GRU` layer. With the default activations, `resetAfter` and no recurrent dropout it runs
 * as one fused recurrence (`ops/rnn.ts` `gru`); otherwise its cell runs step by step.
 */
export class GRU extends UnitsRNN<GRUCell> {
  static override className = "GRU";

  constructor(units: number, args: GRUArgs = {}) {
    const { useCudnn, ...rest } = args;
    checkUseCudnn(useCudnn);
    const { rnn, cell } = splitRNNArgs(rest);
    super(new GRUCell(units, { ...cell, name: "gru_cell" }), rnn);
  }

  protected override innerLoop(sequences: Tensor, initial: Tensor[], mask: Tensor | null, training: boolean): RnnResult {
    const cell = this.cell;
    if (cell.recurrentDropout !== 0) return super.innerLoop(sequences, initial, mask, training);
    return this.runFused(sequences, training, (x) => gru(x, initial[0], {
      kernel: cell.kernel!.value, recurrentKernel: cell.recurrentKernel!.value, bias: cell.bias?.value ?? null,
      activation: cell.activation, recurrentActivation: cell.recurrentActivation, resetAfter: cell.resetAfter,
    }, this.loopOptions(mask)));
  }
}
