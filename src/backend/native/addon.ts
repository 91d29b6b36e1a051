import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { TypedArray } from "../dtypes.js";

/** The C addon's functions (native/addon.c); each returns undefined for a combination it leaves to the reference kernels. */
export interface NativeAddon {
  binary(op: number, a: TypedArray, b: TypedArray, outDtype: number, n: number, mode: number, plan?: Int32Array): TypedArray | undefined;
  unary(op: number, x: TypedArray, outDtype: number): TypedArray | undefined;
  select(cond: TypedArray, a: TypedArray, b: TypedArray, outDtype: number, n: number, plan: Int32Array): TypedArray | undefined;
  matmul(a: TypedArray, b: TypedArray, batch: number, m: number, n: number, k: number, transA: boolean, transB: boolean, aStride: number, bStride: number): TypedArray | undefined;
  reduce(op: number, x: TypedArray, outer: number, n: number, inner: number): Float32Array | undefined;
  argReduce(isMax: boolean, x: TypedArray, outer: number, n: number, inner: number): Int32Array | undefined;
  softmax(x: Float32Array, rows: number, cols: number, log: boolean): Float32Array | undefined;
  transpose2d(x: TypedArray, batch: number, rows: number, cols: number): TypedArray | undefined;
  gather(x: TypedArray, outer: number, n: number, inner: number, indices: Int32Array, into?: TypedArray): TypedArray | undefined;
  sliceRange(x: TypedArray, start: number, count: number): TypedArray | undefined;
  cast(x: TypedArray, dtype: number): TypedArray | undefined;
  fill(size: number, value: number, dtype: number): TypedArray | undefined;
  denseForward(x: Float32Array, w: Float32Array, bias: Float32Array | null, m: number, k: number, n: number, act: number): Float32Array | undefined;
  denseBackward(
    dOut: Float32Array, out: Float32Array, x: Float32Array, w: Float32Array, m: number, k: number, n: number, act: number,
    needDX: boolean, needDW: boolean | Float32Array, needDB: boolean | Float32Array,
  ): [Float32Array | null, Float32Array | null, Float32Array | null] | undefined;
  softmaxXent(logits: Float32Array, rows: number, cols: number, labels: Int32Array | null, dense: Float32Array | null, rowScale: Float32Array | undefined): Float32Array | undefined;
  /** The optimizer updates write the variable and its slots in place; true when done. */
  sgd(variable: Float32Array, grad: Float32Array, momentum: Float32Array | null, lr: number, mu: number, decay: number, nesterov: boolean): true | undefined;
  rmsprop(
    variable: Float32Array, grad: Float32Array, velocity: Float32Array, momentum: Float32Array | null, averageGradient: Float32Array | null,
    lr: number, rho: number, mu: number, epsilon: number, decay: number,
  ): true | undefined;
  adam(
    variable: Float32Array, grad: Float32Array, momentum: Float32Array, velocity: Float32Array, velocityHat: Float32Array | null,
    alpha: number, beta1: number, beta2: number, epsilon: number, decay: number,
  ): true | undefined;
  /** Sequence kernels; flags: 1 goBackwards, 2 zeroOutputForMask, 4 returnSequences, 8 training. */
  lstmForward(x: Float32Array, h0: Float32Array, c0: Float32Array, recurrentKernel: Float32Array, mask: Uint8Array | null, batch: number, timesteps: number, units: number, flags: number):
    [Float32Array | null, Float32Array, Float32Array, Float32Array | null] | undefined;
  lstmBackward(
    dOutputs: Float32Array | null, dH: Float32Array | null, dC: Float32Array | null, recurrentKernel: Float32Array, mask: Uint8Array | null, workspace: Float32Array,
    batch: number, timesteps: number, units: number, flags: number, needDRecurrentKernel: boolean | Float32Array,
  ): [Float32Array, Float32Array, Float32Array, Float32Array | null] | undefined;
  gruForward(
    x: Float32Array, h0: Float32Array, recurrentKernel: Float32Array, recurrentBias: Float32Array | null, mask: Uint8Array | null, batch: number, timesteps: number, units: number, flags: number,
  ): [Float32Array | null, Float32Array, Float32Array | null] | undefined;
  gruBackward(
    dOutputs: Float32Array | null, dH: Float32Array | null, recurrentKernel: Float32Array, hasRecurrentBias: boolean, mask: Uint8Array | null, workspace: Float32Array,
    batch: number, timesteps: number, units: number, flags: number, needDRecurrentKernel: boolean | Float32Array, needDRecurrentBias: boolean | Float32Array,
  ): [Float32Array, Float32Array, Float32Array | null, Float32Array | null] | undefined;
  /** dims = [batch, queryLength, keyLength, heads, depth, valueDepth]. */
  attentionForward(q: Float32Array, k: Float32Array, v: Float32Array, mask: Uint8Array | null, maskShape: Int32Array | null, dims: Int32Array, scale: number, causal: boolean):
    [Float32Array, Float32Array] | undefined;
  attentionBackward(
    dOut: Float32Array, q: Float32Array, k: Float32Array, v: Float32Array, mask: Uint8Array | null, maskShape: Int32Array | null, probabilities: Float32Array,
    dims: Int32Array, scale: number, causal: boolean,
  ): [Float32Array, Float32Array, Float32Array] | undefined;
  info(): { isa: string; threads: number };
  setNumThreads(n: number): void;
  setIsa(isa: "avx512" | "avx2" | "c"): void;
}

const ADDON_FILE = path.join("build", "Release", "keras_native.node");

/** The package root holding build/Release/keras_native.node, searched upward from this file (src/ or dist/). */
function findAddon(): string | undefined {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = path.join(dir, ADDON_FILE);
    if (existsSync(candidate)) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return undefined;
}

let loaded: { addon: NativeAddon } | { error: string } | undefined;

/** Loads the addon once; `error` says why it is unavailable. */
export function loadNativeAddon(): { addon: NativeAddon } | { error: string } {
  if (loaded === undefined) {
    try {
      const file = findAddon();
      if (file === undefined) {
        loaded = { error: `${ADDON_FILE} not found; build it with \`node scripts/build_native.mjs\`` };
      } else {
        const addon = createRequire(import.meta.url)(file) as NativeAddon;
        addon.info();
        loaded = { addon };
      }
    } catch (e) {
      loaded = { error: String(e instanceof Error ? e.message : e).split("\n")[0] };
    }
  }
  return loaded;
}
