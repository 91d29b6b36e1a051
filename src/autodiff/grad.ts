import { formatShape } from "../backend/shape.js";
import { makeTensor, Tensor } from "../backend/tensor.js";
import { Variable } from "../backend/variable.js";
import { Tape, withoutRecording, withTape, type VjpContext } from "./tape.js";
import type { GradientBuffers } from "./gradient_buffers.js";
import { toTensor, type TensorLike } from "../ops/core.js";
import { add } from "../ops/elementwise.js";
import { onesLike, zerosLike } from "../ops/creation.js";

export interface GradOptions {
  /** Which positional arguments to differentiate: a number gives one gradient, an array a list. Default 0. */
  argnums?: number | readonly number[];
  /** `fn` returns `[value, aux]`; aux is passed through untouched. */
  hasAux?: boolean;
  /**
   * Differentiate with respect to these variables instead of the arguments (what a custom training
   * loop needs: `model.trainableWeights`). Gradients come back in the same order.
   */
  variables?: readonly Variable[];
  /**
   * With `variables`: write their gradients into these reused buffers instead of fresh memory
   * (a training loop that applies each step's gradients before the next; see `GradientBuffers`).
   */
  gradientBuffers?: GradientBuffers;
}

/**
 * Reverse-mode sweep: gradients of `output` with respect to each target, zeros where unreached.
 * `buffers` maps a target's tensor id to memory its gradient may be written into (taken once).
 */
function backpropagate(tape: Tape, output: Tensor, targets: readonly Tensor[], buffers?: Map<number, Float32Array>): Tensor[] {
  const grads = new Map<number, Tensor>();
  grads.set(output.id, onesLike(output));
  let inputs: readonly Tensor[] = [];
  const context: VjpContext = {
    gradientBuffer(index: number): Float32Array | undefined {
      const input = inputs[index];
      const buffer = input === undefined ? undefined : buffers?.get(input.id);
      // A second contribution to the same gradient is added to the first, so needs memory of its own.
      if (buffer === undefined || grads.has(input.id)) return undefined;
      buffers!.delete(input.id);
      return buffer;
    },
  };
  for (let i = tape.entries.length - 1; i >= 0; i--) {
    const entry = tape.entries[i];
    const g = grads.get(entry.output.id);
    if (g === undefined) continue;
    inputs = entry.inputs;
    const inputGrads = entry.vjp(g, context);
    for (let j = 0; j < entry.inputs.length; j++) {
      const input = entry.inputs[j];
      const ig = inputGrads[j];
      if (ig === null || ig === undefined || input.dtype !== "float32") continue;
      if (ig.shape.length !== input.shape.length || ig.shape.some((d, k) => d !== input.shape[k])) {
        throw new Error(`autodiff: internal error: gradient of shape ${formatShape(ig.shape)} for an input of shape ${formatShape(input.shape)}`);
      }
      const previous = grads.get(input.id);
      grads.set(input.id, previous === undefined ? ig : add(previous, ig));
    }
    // Intermediate gradients are no longer needed once propagated; drop them to save memory.
    if (!targets.some((t) => t.id === entry.output.id)) grads.delete(entry.output.id);
  }
  return targets.map((t) => grads.get(t.id) ?? zerosLike(t));
}

function watchedCopy(x: TensorLike, index: number, tape: Tape): Tensor {
  const t = toTensor(x, "valueAndGrad");
  if (t.dtype !== "float32") {
    throw new TypeError(`valueAndGrad: argument ${index} has dtype ${t.dtype}; gradients can only be taken with respect to float32 inputs`);
  }
  // A fresh identity, so the same tensor passed twice gets two gradients, as in JAX.
  const copy = makeTensor(t.storage, t.shape, t.dtype);
  tape.watch(copy);
  return copy;
}

type Grads = Tensor | Tensor[];

function compute(fn: (...args: any[]) => unknown, options: GradOptions, args: unknown[]): { value: Tensor; aux: unknown; grads: Grads } {
  const tape = new Tape();
  const argnums = options.argnums ?? 0;
  const nums = typeof argnums === "number" ? [argnums] : [...argnums];
  const useVariables = options.variables !== undefined;
  const callArgs = [...args];
  const targets: Tensor[] = [];
  let buffers: Map<number, Float32Array> | undefined;
  if (options.gradientBuffers !== undefined && !useVariables) throw new Error("valueAndGrad: `gradientBuffers` needs `variables`");
  if (useVariables) {
    for (const v of options.variables!) {
      if (!(v instanceof Variable)) throw new TypeError("valueAndGrad: `variables` must be an array of keras.Variable");
      tape.watch(v.value);
      targets.push(v.value);
      const buffer = options.gradientBuffers?.bufferFor(v);
      if (buffer !== undefined) (buffers ??= new Map()).set(v.value.id, buffer);
    }
  } else {
    for (const i of nums) {
      if (!Number.isInteger(i) || i < 0 || i >= args.length) {
        throw new RangeError(`valueAndGrad: argnums ${JSON.stringify(argnums)} refers to argument ${i}, but the function was called with ${args.length} argument(s)`);
      }
      callArgs[i] = watchedCopy(args[i] as TensorLike, i, tape);
      targets.push(callArgs[i] as Tensor);
    }
  }
  const result = withTape(tape, () => fn(...callArgs));
  let value: unknown = result;
  let aux: unknown;
  if (options.hasAux) {
    if (!Array.isArray(result) || result.length !== 2) throw new TypeError("valueAndGrad: with hasAux the function must return [value, aux]");
    [value, aux] = result;
  }
  if (!(value instanceof Tensor)) throw new TypeError(`valueAndGrad: the function must return a Tensor${options.hasAux ? " as the first element of [value, aux]" : ""}, got ${typeof value}`);
  if (value.size !== 1) throw new Error(`valueAndGrad: the function must return a scalar (one element), got shape ${formatShape(value.shape)}; reduce it first, e.g. with keras.ops.mean`);
  if (value.dtype !== "float32") throw new TypeError(`valueAndGrad: the function must return a float32 value, got ${value.dtype}`);
  const list = withoutRecording(() => backpropagate(tape, value as Tensor, targets, buffers));
  const grads = useVariables || typeof argnums !== "number" ? list : list[0];
  return { value, aux, grads };
}

/**
 * JAX's `value_and_grad`: returns a function computing `[value, grads]`, where `grads` is the
 * gradient with respect to argument 0 (or the `argnums` given, or the `variables` given). With
 * `hasAux`, `fn` returns `[value, aux]` and the result is `[[value, aux], grads]`.
 */
export function valueAndGrad<A extends unknown[]>(fn: (...args: A) => Tensor, options?: GradOptions & { argnums?: number; variables?: undefined; hasAux?: false }): (...args: A) => [Tensor, Tensor];
export function valueAndGrad<A extends unknown[]>(fn: (...args: A) => Tensor, options: GradOptions & { hasAux?: false }): (...args: A) => [Tensor, Tensor[]];
export function valueAndGrad<A extends unknown[], Aux>(fn: (...args: A) => [Tensor, Aux], options: GradOptions & { argnums?: number; variables?: undefined; hasAux: true }): (...args: A) => [[Tensor, Aux], Tensor];
export function valueAndGrad<A extends unknown[], Aux>(fn: (...args: A) => [Tensor, Aux], options: GradOptions & { hasAux: true }): (...args: A) => [[Tensor, Aux], Tensor[]];
export function valueAndGrad(fn: (...args: any[]) => unknown, options: GradOptions = {}): (...args: unknown[]) => unknown {
  return (...args: unknown[]) => {
    const { value, aux, grads } = compute(fn, options, args);
    return options.hasAux ? [[value, aux], grads] : [value, grads];
  };
}

/** JAX's `grad`: like `valueAndGrad` but returns only the gradients (`[grads, aux]` with `hasAux`). */
export function grad<A extends unknown[]>(fn: (...args: A) => Tensor, options?: GradOptions & { argnums?: number; variables?: undefined; hasAux?: false }): (...args: A) => Tensor;
export function grad<A extends unknown[]>(fn: (...args: A) => Tensor, options: GradOptions & { hasAux?: false }): (...args: A) => Tensor[];
export function grad<A extends unknown[], Aux>(fn: (...args: A) => [Tensor, Aux], options: GradOptions & { argnums?: number; variables?: undefined; hasAux: true }): (...args: A) => [Tensor, Aux];
export function grad<A extends unknown[], Aux>(fn: (...args: A) => [Tensor, Aux], options: GradOptions & { hasAux: true }): (...args: A) => [Tensor[], Aux];
export function grad(fn: (...args: any[]) => unknown, options: GradOptions = {}): (...args: unknown[]) => unknown {
  return (...args: unknown[]) => {
    const { aux, grads } = compute(fn, options, args);
    return options.hasAux ? [grads, aux] : grads;
  };
}
