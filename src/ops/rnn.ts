import { fusedKernels } from "../backend/backend.js";
import type { RecurrentArgs } from "../backend/sequence_kernels.js";
import { formatShape } from "../backend/shape.js";
import { makeTensor, type Tensor } from "../backend/tensor.js";
import { isRecording, isTracked } from "../autodiff/tape.js";
import { cast } from "./core.js";
import { zerosLike } from "./creation.js";
import { add, multiply, subtract, where } from "./elementwise.js";
import { epilogueOf } from "./epilogue.js";
import { linear } from "./linear.js";
import { matmul } from "./linalg.js";
import { recordMultiOutput } from "./multi_output.js";
import { expandDims, reshape, split, stack, transpose, unstack } from "./shape.js";

/*
 * The recurrent loops (Keras's `backend.rnn`, `backend.lstm`, `backend.gru`). `rnn` runs any step
 * function once per timestep as ordinary ops; `lstm` and `gru` run the whole recurrence as one
 * fused kernel when their activations are the cuDNN-style ones (tanh, sigmoid) and the dtype is
 * float32, and otherwise write the cell's step as ops and run it through `rnn`. The layers call
 * these and never decide how a recurrence runs.
 */

export type StepFunction = (input: Tensor, states: Tensor[]) => [Tensor, Tensor[]];
export type ActivationFunction = (x: Tensor) => Tensor;

export interface RnnOptions {
  /** Walk the sequence from its end; the outputs are in walk order (Keras's `go_backwards`). */
  goBackwards?: boolean;
  /** bool [batch, timesteps]: false steps leave the states unchanged. */
  mask?: Tensor | null;
  /** Masked steps output zeros instead of the previous output. */
  zeroOutputForMask?: boolean;
  /** Return the output of every step (default true); otherwise `outputs` is null. */
  returnSequences?: boolean;
}

export interface RnnResult {
  /** The output of the last step walked. */
  lastOutput: Tensor;
  /** [batch, timesteps, ...] in walk order, or null without `returnSequences`. */
  outputs: Tensor | null;
  /** The final states. */
  states: Tensor[];
}

function checkSequence(op: string, inputs: Tensor): void {
  if (inputs.rank < 3) throw new Error(`${op}: inputs must have shape [batch, timesteps, ...] (rank >= 3), got ${formatShape(inputs.shape)}`);
}

function checkMask(op: string, mask: Tensor | null | undefined, inputs: Tensor): Tensor | null {
  if (mask === null || mask === undefined) return null;
  if (mask.rank !== 2 || mask.shape[0] !== inputs.shape[0] || mask.shape[1] !== inputs.shape[1]) {
    throw new Error(`${op}: the mask must have shape [batch, timesteps] = [${inputs.shape[0]}, ${inputs.shape[1]}], got ${formatShape(mask.shape)}`);
  }
  return mask.dtype === "bool" ? mask : cast(mask, "bool");
}

/**
 * Keras's `rnn()` loop: `step(input_t, states)` for each timestep of `inputs` [batch, timesteps,
 * ...], states carried from one step to the next. A masked step (mask false) keeps the states it
 * was given, and its output is the previous output (the `previousOutputIndex`-th state, the first
 * by default, as Keras assumes) or zeros with `zeroOutputForMask`.
 */
export function rnn(step: StepFunction, inputs: Tensor, initialStates: readonly Tensor[], options: RnnOptions & { previousOutputIndex?: number } = {}): RnnResult {
  checkSequence("rnn", inputs);
  const mask = checkMask("rnn", options.mask, inputs);
  const timesteps = inputs.shape[1];
  if (timesteps === 0) throw new Error(`rnn: the sequence has no timesteps (inputs of shape ${formatShape(inputs.shape)})`);
  const perm = [1, 0, ...Array.from({ length: inputs.rank - 2 }, (_, i) => i + 2)];
  const steps = unstack(transpose(inputs, perm), null, 0);
  const maskSteps = mask === null ? null : unstack(transpose(mask, [1, 0]), null, 0).map((m) => expandDims(m, -1));
  let states = [...initialStates];
  const outputs: Tensor[] = [];
  const returnSequences = options.returnSequences ?? true;
  let last: Tensor | undefined;
  for (let s = 0; s < timesteps; s++) {
    const t = options.goBackwards ? timesteps - 1 - s : s;
    let [output, newStates] = step(steps[t], states);
    if (newStates.length !== states.length) throw new Error(`rnn: the step function returned ${newStates.length} states, expected ${states.length}`);
    if (maskSteps !== null) {
      const keep = maskSteps[t];
      const previous = options.zeroOutputForMask ? zerosLike(output) : states[options.previousOutputIndex ?? 0];
      output = where(broadcastMask(keep, output), output, previous);
      newStates = newStates.map((ns, i) => where(broadcastMask(keep, ns), ns, states[i]));
    }
    states = newStates;
    last = output;
    if (returnSequences) outputs.push(output);
  }
  return { lastOutput: last!, outputs: returnSequences ? stack(outputs, 1) : null, states };
}

/** A [batch, 1] mask reshaped to broadcast against x [batch, ...]. */
function broadcastMask(keep: Tensor, x: Tensor): Tensor {
  return x.rank === 2 ? keep : reshape(keep, [keep.shape[0], ...Array<number>(x.rank - 1).fill(1)]);
}

export interface LstmWeights {
  /** [features, 4 units], gate order i, f, c, o. */
  kernel: Tensor;
  /** [units, 4 units]. */
  recurrentKernel: Tensor;
  /** [4 units] or null. */
  bias: Tensor | null;
  activation: ActivationFunction;
  recurrentActivation: ActivationFunction;
}

export interface GruWeights {
  /** [features, 3 units], gate order z, r, h. */
  kernel: Tensor;
  /** [units, 3 units]. */
  recurrentKernel: Tensor;
  /** [2, 3 units] (input and recurrent biases, `resetAfter`), [3 units] (not `resetAfter`) or null. */
  bias: Tensor | null;
  activation: ActivationFunction;
  recurrentActivation: ActivationFunction;
  /** Keras's `reset_after` (default true): the reset gate scales the recurrent product, not its input. */
  resetAfter: boolean;
}

function recurrentArgs(inputs: Tensor, units: number, options: RnnOptions, training: boolean): RecurrentArgs {
  return {
    batch: inputs.shape[0], timesteps: inputs.shape[1], units,
    goBackwards: options.goBackwards ?? false,
    zeroOutputForMask: options.zeroOutputForMask ?? false,
    returnSequences: options.returnSequences ?? true,
    training,
  };
}

function checkState(op: string, name: string, state: Tensor, batch: number, units: number): void {
  if (state.rank !== 2 || state.shape[0] !== batch || state.shape[1] !== units) {
    throw new Error(`${op}: ${name} must have shape [${batch}, ${units}], got ${formatShape(state.shape)}`);
  }
}

/** Keras's last output: the final state, or zero where the last step walked was masked and masked outputs are zeros. */
function lastOutputOf(h: Tensor, mask: Tensor | null, args: RecurrentArgs): Tensor {
  if (mask === null || !args.zeroOutputForMask || args.timesteps === 0) return h;
  const t = args.goBackwards ? 0 : args.timesteps - 1;
  const keep = reshape(split(mask, [t, t + 1], 1)[1], [args.batch, 1]);
  return where(keep, h, 0);
}

function fusable(...tensors: (Tensor | null)[]): boolean {
  return tensors.every((t) => t === null || t.dtype === "float32");
}

/**
 * An LSTM over `inputs` [batch, timesteps, features] from states h0, c0 [batch, units]: Keras's
 * LSTMCell step (implementation 2) in the `rnn` loop. States are [h, c]; the output is h.
 */
export function lstm(inputs: Tensor, h0: Tensor, c0: Tensor, weights: LstmWeights, options: RnnOptions = {}): RnnResult {
  checkSequence("lstm", inputs);
  const { kernel, recurrentKernel, bias } = weights;
  const units = recurrentKernel.shape[0];
  if (kernel.rank !== 2 || kernel.shape[1] !== 4 * units || recurrentKernel.shape[1] !== 4 * units) {
    throw new Error(`lstm: kernel ${formatShape(kernel.shape)} and recurrent kernel ${formatShape(recurrentKernel.shape)} do not fit ${units} units (4 gates)`);
  }
  checkState("lstm", "the initial hidden state", h0, inputs.shape[0], units);
  checkState("lstm", "the initial carry state", c0, inputs.shape[0], units);
  const mask = checkMask("lstm", options.mask, inputs);
  const fused = epilogueOf(weights.activation) === "tanh" && epilogueOf(weights.recurrentActivation) === "sigmoid";
  if (fused && fusable(inputs, h0, c0, kernel, recurrentKernel, bias) && inputs.rank === 3) {
    return fusedLstm(linear(inputs, kernel, bias), h0, c0, recurrentKernel, mask, units, options);
  }
  const { activation, recurrentActivation } = weights;
  const step: StepFunction = (x, [h, c]) => {
    let z = add(matmul(x, kernel), matmul(h, recurrentKernel));
    if (bias !== null) z = add(z, bias);
    const [zi, zf, zc, zo] = split(z, 4, 1);
    const i = recurrentActivation(zi);
    const f = recurrentActivation(zf);
    const cNew = add(multiply(f, c), multiply(i, activation(zc)));
    const o = recurrentActivation(zo);
    const hNew = multiply(o, activation(cNew));
    return [hNew, [hNew, cNew]];
  };
  return rnn(step, inputs, [h0, c0], { ...options, mask });
}

function fusedLstm(x: Tensor, h0: Tensor, c0: Tensor, recurrentKernel: Tensor, mask: Tensor | null, units: number, options: RnnOptions): RnnResult {
  const training = isRecording() && [x, h0, c0, recurrentKernel].some(isTracked);
  const args = recurrentArgs(x, units, options, training);
  const maskStorage = mask === null ? null : (mask.storage as Uint8Array);
  const result = fusedKernels().lstmForward(x.storage as Float32Array, h0.storage as Float32Array, c0.storage as Float32Array, recurrentKernel.storage as Float32Array, maskStorage, args);
  const stateShape = [args.batch, units];
  const outputs = result.outputs === null ? null : makeTensor(result.outputs, [args.batch, args.timesteps, units], "float32");
  const h = makeTensor(result.h, stateShape, "float32");
  const c = makeTensor(result.c, stateShape, "float32");
  if (training) {
    const workspace = result.workspace!;
    const needR = isTracked(recurrentKernel);
    recordMultiOutput([x, h0, c0, recurrentKernel], [outputs, h, c], ([dOutputs, dH, dC], context) => {
      if (dOutputs === null && dH === null && dC === null) return [null, null, null, null];
      const grads = fusedKernels().lstmBackward(
        dOutputs === null ? null : (dOutputs.storage as Float32Array), dH === null ? null : (dH.storage as Float32Array), dC === null ? null : (dC.storage as Float32Array),
        recurrentKernel.storage as Float32Array, maskStorage, workspace, args, needR && (context.gradientBuffer(3) ?? true),
      );
      return [
        makeTensor(grads.dX, x.shape, "float32"),
        makeTensor(grads.dH0, stateShape, "float32"),
        makeTensor(grads.dC0, stateShape, "float32"),
        grads.dRecurrentKernel === null ? null : makeTensor(grads.dRecurrentKernel, recurrentKernel.shape, "float32"),
      ];
    });
  }
  return { lastOutput: lastOutputOf(h, mask, args), outputs, states: [h, c] };
}

/**
 * A GRU over `inputs` [batch, timesteps, features] from h0 [batch, units]: Keras's GRUCell step
 * (implementation 2) in the `rnn` loop. The one state is h, also the output.
 */
export function gru(inputs: Tensor, h0: Tensor, weights: GruWeights, options: RnnOptions = {}): RnnResult {
  checkSequence("gru", inputs);
  const { kernel, recurrentKernel, bias, resetAfter } = weights;
  const units = recurrentKernel.shape[0];
  if (kernel.rank !== 2 || kernel.shape[1] !== 3 * units || recurrentKernel.shape[1] !== 3 * units) {
    throw new Error(`gru: kernel ${formatShape(kernel.shape)} and recurrent kernel ${formatShape(recurrentKernel.shape)} do not fit ${units} units (3 gates)`);
  }
  const biasShape = resetAfter ? [2, 3 * units] : [3 * units];
  if (bias !== null && (bias.rank !== biasShape.length || bias.shape.some((d, i) => d !== biasShape[i]))) {
    throw new Error(`gru: the bias must have shape ${formatShape(biasShape)} (reset_after=${resetAfter}), got ${formatShape(bias.shape)}`);
  }
  checkState("gru", "the initial state", h0, inputs.shape[0], units);
  const mask = checkMask("gru", options.mask, inputs);
  let inputBias: Tensor | null = null;
  let recurrentBias: Tensor | null = null;
  if (bias !== null) {
    if (resetAfter) [inputBias, recurrentBias] = unstack(bias, 2, 0);
    else inputBias = bias;
  }
  const fused = resetAfter && epilogueOf(weights.activation) === "tanh" && epilogueOf(weights.recurrentActivation) === "sigmoid";
  if (fused && fusable(inputs, h0, kernel, recurrentKernel, bias) && inputs.rank === 3) {
    return fusedGru(linear(inputs, kernel, inputBias), h0, recurrentKernel, recurrentBias, mask, units, options);
  }
  const { activation, recurrentActivation } = weights;
  const step: StepFunction = (x, [h]) => {
    let matrixX = matmul(x, kernel);
    if (inputBias !== null) matrixX = add(matrixX, inputBias);
    const [xz, xr, xh] = split(matrixX, 3, 1);
    let hh: Tensor;
    let z: Tensor;
    if (resetAfter) {
      let inner = matmul(h, recurrentKernel);
      if (recurrentBias !== null) inner = add(inner, recurrentBias);
      const [rz, rr, rh] = split(inner, 3, 1);
      z = recurrentActivation(add(xz, rz));
      const r = recurrentActivation(add(xr, rr));
      hh = activation(add(xh, multiply(r, rh)));
    } else {
      const [kzr, kh] = split(recurrentKernel, [2 * units], 1);
      const [rz, rr] = split(matmul(h, kzr), 2, 1);
      z = recurrentActivation(add(xz, rz));
      const r = recurrentActivation(add(xr, rr));
      hh = activation(add(xh, matmul(multiply(r, h), kh)));
    }
    const hNew = add(multiply(z, h), multiply(subtract(1, z), hh));
    return [hNew, [hNew]];
  };
  return rnn(step, inputs, [h0], { ...options, mask });
}

function fusedGru(x: Tensor, h0: Tensor, recurrentKernel: Tensor, recurrentBias: Tensor | null, mask: Tensor | null, units: number, options: RnnOptions): RnnResult {
  const inputs = recurrentBias === null ? [x, h0, recurrentKernel] : [x, h0, recurrentKernel, recurrentBias];
  const training = isRecording() && inputs.some(isTracked);
  const args = recurrentArgs(x, units, options, training);
  const maskStorage = mask === null ? null : (mask.storage as Uint8Array);
  const result = fusedKernels().gruForward(
    x.storage as Float32Array, h0.storage as Float32Array, recurrentKernel.storage as Float32Array,
    recurrentBias === null ? null : (recurrentBias.storage as Float32Array), maskStorage, args,
  );
  const stateShape = [args.batch, units];
  const outputs = result.outputs === null ? null : makeTensor(result.outputs, [args.batch, args.timesteps, units], "float32");
  const h = makeTensor(result.h, stateShape, "float32");
  if (training) {
    const workspace = result.workspace!;
    const needR = isTracked(recurrentKernel);
    const needBias = recurrentBias !== null && isTracked(recurrentBias);
    recordMultiOutput(inputs, [outputs, h], ([dOutputs, dH], context) => {
      if (dOutputs === null && dH === null) return inputs.map(() => null);
      const grads = fusedKernels().gruBackward(
        dOutputs === null ? null : (dOutputs.storage as Float32Array), dH === null ? null : (dH.storage as Float32Array),
        recurrentKernel.storage as Float32Array, recurrentBias !== null, maskStorage, workspace, args,
        needR && (context.gradientBuffer(2) ?? true), needBias && (context.gradientBuffer(3) ?? true),
      );
      const out: (Tensor | null)[] = [
        makeTensor(grads.dX, x.shape, "float32"),
        makeTensor(grads.dH0, stateShape, "float32"),
        grads.dRecurrentKernel === null ? null : makeTensor(grads.dRecurrentKernel, recurrentKernel.shape, "float32"),
      ];
      if (recurrentBias !== null) out.push(grads.dRecurrentBias === null ? null : makeTensor(grads.dRecurrentBias, recurrentBias.shape, "float32"));
      return out;
    });
  }
  return { lastOutput: lastOutputOf(h, mask, args), outputs, states: [h] };
}
