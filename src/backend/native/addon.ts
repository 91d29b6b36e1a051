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
  /** `spareWorkspace`: a consumed workspace of the right size to write the new one into (see SpareWorkspaces). */
  lstmForward(
    x: Float32Array, h0: Float32Array, c0: Float32Array, recurrentKernel: Float32Array, mask: Uint8Array | null, batch: number, timesteps: number, units: number, flags: number,
    spareWorkspace?: Float32Array,
  ):
    [Float32Array | null, Float32Array, Float32Array, Float32Array | null] | undefined;
  lstmBackward(
    dOutputs: Float32Array | null, dH: Float32Array | null, dC: Float32Array | null, recurrentKernel: Float32Array, mask: Uint8Array | null, workspace: Float32Array,
    batch: number, timesteps: number, units: number, flags: number, needDRecurrentKernel: boolean | Float32Array,
  ): [Float32Array, Float32Array, Float32Array, Float32Array | null] | undefined;
  gruForward(
    x: Float32Array, h0: Float32Array, recurrentKernel: Float32Array, recurrentBias: Float32Array | null, mask: Uint8Array | null, batch: number, timesteps: number, units: number, flags: number,
    spareWorkspace?: Float32Array,
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
  /** geom: Int32Array [batch, cin, cout, groups, in x3, out x3, kernel x3, strides x3, dilations x3, padBefore x3, channelsFirst]. */
  convForward(x: Float32Array, w: Float32Array, bias: Float32Array | null, geom: Int32Array, act: number): Float32Array | undefined;
  convBackward(
    dOut: Float32Array, out: Float32Array | null, x: Float32Array | null, w: Float32Array | null, geom: Int32Array, act: number,
    needDX: boolean, needDW: boolean | Float32Array, needDB: boolean | Float32Array,
  ): [Float32Array | null, Float32Array | null, Float32Array | null] | undefined;
  /** mode 0 max forward (a = x), 1 max backward (a = dOut, x given), 2 average forward, 3 average backward (a = dOut); geom [batch, channels, in x3, out x3, pool x3, strides x3, padBefore x3, channelsFirst]. */
  pool(mode: number, a: Float32Array, x: Float32Array | null, geom: Int32Array): Float32Array | undefined;
  bnTraining(x: Float32Array, gamma: Float32Array | null, beta: Float32Array | null, outer: number, channels: number, inner: number, epsilon: number): [Float32Array, Float32Array, Float32Array] | undefined;
  bnInference(
    x: Float32Array, mean: Float32Array, variance: Float32Array, gamma: Float32Array | null, beta: Float32Array | null, outer: number, channels: number, inner: number, epsilon: number,
  ): Float32Array | undefined;
  bnTrainingBackward(
    dOut: Float32Array, x: Float32Array, mean: Float32Array, variance: Float32Array, gamma: Float32Array | null, outer: number, channels: number, inner: number, epsilon: number,
    needDX: boolean, needDGamma: boolean | Float32Array, needDBeta: boolean | Float32Array,
  ): [Float32Array | null, Float32Array | null, Float32Array | null] | undefined;
  /** op 0 sum, 1 prod, 2 max, 3 min, 4 any, 5 all; any input type, any output dtype. */
  reduceAny(op: number, x: TypedArray, outer: number, n: number, inner: number, outDtype: number): TypedArray | undefined;
  argReduceInt(isMax: boolean, x: Int32Array | Uint8Array, outer: number, n: number, inner: number): Int32Array | undefined;
  countArgmaxMatches(pred: Float32Array, rows: number, cols: number, labels: TypedArray | null, oneHot: TypedArray | null): number | undefined;
  /** plan = [blocks, rank, dims..., sliceStrides..., inner, innerKept, slices]; kind 0 order 2, 1 order 1, 2 Infinity, 3 other p. */
  normalize(x: TypedArray, plan: Int32Array, kind: number, epsilonMode: number, p: number, q: number, bound: number): Float32Array | undefined;
  /** out[i] (contiguous, of dims) = x[offset + Σ i_d strides[d]]; plan = [rank, dims..., strides...]. */
  copyStrided(x: TypedArray, offset: number, plan: Int32Array): TypedArray | undefined;
  /** plan = [rank, shape..., before..., after...]. */
  pad(x: TypedArray, plan: Int32Array, value: number): TypedArray | undefined;
  /** xs[k] is [outer, widths[k]] in outDtype's storage. */
  concat(xs: readonly TypedArray[], widths: Int32Array, outer: number, outDtype: number): TypedArray | undefined;
  cumulative(isProd: boolean, x: TypedArray, outer: number, n: number, inner: number, outDtype: number): TypedArray | undefined;
  scatterAdd(updates: TypedArray, indices: Int32Array, outer: number, n: number, inner: number): TypedArray | undefined;
  gatherAlongAxis(x: TypedArray, indices: Int32Array, outer: number, n: number, m: number, inner: number): TypedArray | undefined;
  scatterAddAlongAxis(updates: TypedArray, indices: Int32Array, outer: number, n: number, m: number, inner: number): TypedArray | undefined;
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

/** The package root (the folder of binding.gyp), searched upward from this file. */
function findPackageRoot(): string | undefined {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(path.join(dir, "binding.gyp"))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return undefined;
}

/**
 * Why the addon is missing and how to build it: in a user's project (keras-ts under
 * node_modules) with `npm rebuild keras-ts`, which npm 11 runs once the install script is allowed;
 * in a clone of the repository with `npm run build:native`.
 */
export function missingAddonMessage(root: string | undefined): string {
  if (root === undefined) return `${ADDON_FILE} not found`;
  const log = path.join(root, "build", "native-build.log");
  const inProject = root.split(path.sep).includes("node_modules");
  const rebuild = inProject ? "`npm rebuild keras-ts` in your project" : "`npm run build:native`";
  const why = existsSync(log)
    ? `the build failed, see ${log}; once it is fixed run ${rebuild}`
    : inProject
      ? `the install did not build it (its install script was skipped, which \`npm install-scripts approve keras-ts\` undoes on npm 11, or KERAS_TS_SKIP_NATIVE was set); build it with ${rebuild}`
      : `build it with ${rebuild}`;
  return `${path.join(root, ADDON_FILE)} not found: ${why}`;
}

let loaded: { addon: NativeAddon } | { error: string } | undefined;

/** Loads the addon once; `error` says why it is unavailable. */
export function loadNativeAddon(): { addon: NativeAddon } | { error: string } {
  if (loaded === undefined) {
    try {
      const file = findAddon();
      if (file === undefined) {
        loaded = { error: missingAddonMessage(findPackageRoot()) };
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
