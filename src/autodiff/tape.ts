import type { Tensor } from "../backend/tensor.js";

/**
 * What backpropagation offers a VJP besides the output gradient: memory to write an input's
 * gradient into. A weight's gradient is needed only until the optimizer has applied it, so the
 * training loop hands autodiff one buffer per weight (see `GradientBuffers`) and every step writes
 * into the same memory; any op whose backward kernel can write into a given array asks here.
 */
export interface VjpContext {
  /**
   * The array to write the gradient of input `index` into (float32, of the input's size), or
   * undefined to allocate one. A buffer is handed out once per backward pass; the VJP must then
   * return a tensor over exactly that array, or not use it.
   */
  gradientBuffer(index: number): Float32Array | undefined;
}

/**
 * Given the gradient of the loss with respect to an op's output, returns the gradient with respect
 * to each input (null where the input gets none: integer inputs, indices, masks).
 */
export type VJP = (outputGrad: Tensor, context: VjpContext) => (Tensor | null)[];

interface TapeEntry {
  inputs: readonly Tensor[];
  output: Tensor;
  vjp: VJP;
}

/** Records the differentiable ops that touch watched tensors while a gradient is being taken. */
export class Tape {
  readonly entries: TapeEntry[] = [];
  private readonly watched = new Set<number>();

  watch(tensor: Tensor): void {
    this.watched.add(tensor.id);
  }

  isWatched(tensor: Tensor): boolean {
    return this.watched.has(tensor.id);
  }

  add(inputs: readonly Tensor[], output: Tensor, vjp: VJP): void {
    this.entries.push({ inputs, output, vjp });
    this.watched.add(output.id);
  }
}

const activeTapes: Tape[] = [];
let pausedDepth = 0;

/** True while some tape records: ops skip building their VJP closures otherwise. */
export function isRecording(): boolean {
  return activeTapes.length > 0 && pausedDepth === 0;
}

/**
 * True when a gradient can reach `tensor` on some active, recording tape: it is watched there or
 * was computed by a recorded op. Ops ask at record time so that their VJP skips gradients no one
 * will read (a first layer's input gradient).
 */
export function isTracked(tensor: Tensor): boolean {
  if (activeTapes.length === 0 || pausedDepth > 0) return false;
  for (const tape of activeTapes) if (tape.isWatched(tensor)) return true;
  return false;
}

/**
 * Called by every differentiable op after computing `output`. Costs one array check when no
 * gradient is being taken, so inference and the optimizer step pay nothing.
 */
export function record(inputs: readonly Tensor[], output: Tensor, vjp: VJP): void {
  if (activeTapes.length === 0 || pausedDepth > 0) return;
  for (const tape of activeTapes) {
    for (const input of inputs) {
      if (tape.isWatched(input)) {
        tape.add(inputs, output, vjp);
        break;
      }
    }
  }
}

export function withTape<T>(tape: Tape, body: () => T): T {
  activeTapes.push(tape);
  try {
    return body();
  } finally {
    activeTapes.splice(activeTapes.lastIndexOf(tape), 1);
  }
}

/** Runs `body` without recording: gradient computations and optimizer updates. */
export function withoutRecording<T>(body: () => T): T {
  pausedDepth++;
  try {
    return body();
  } finally {
    pausedDepth--;
  }
}
