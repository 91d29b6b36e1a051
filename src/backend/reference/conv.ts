import type { ConvArgs, ConvGrads, EpilogueActivation, GradientTarget } from "../fused_kernels.js";
import { checkLength, convSizes, convSpatial, product, windowIndices } from "../conv_geometry.js";
import { activationGrad, biasActivationInPlace } from "./fused.js";
import { matmul } from "./matmul.js";

/*
 * Reference convolution (contracts on `FusedKernels.convForward` / `convBackward`): one image at a
 * time, its patches copied into a [positions, taps * channels] matrix (im2col) per group and
 * multiplied by the group's kernel columns with the reference GEMM; the backward pass multiplies
 * back and scatters the patch gradients into the input (col2im). Channels-first images are
 * transposed to channels last on the way in and back on the way out.
 */

interface Plan {
  positions: number; // output positions per image
  spatial: number; // input positions per image
  taps: number;
  cin: number;
  cout: number;
  groups: number;
  cg: number; // input channels per group
  og: number; // output channels per group
  k: number; // taps * cg
  /** Input position read by each (output position, tap), -1 in the padding. */
  reads: Int32Array;
}

function planOf(kernel: string, args: ConvArgs): Plan {
  const s = convSpatial(kernel, args);
  const taps = product(s.window);
  const cg = args.inChannels / args.groups;
  return {
    positions: product(s.output),
    spatial: product(s.input),
    taps,
    cin: args.inChannels,
    cout: args.outChannels,
    groups: args.groups,
    cg,
    og: args.outChannels / args.groups,
    k: taps * cg,
    reads: windowIndices(s),
  };
}

/** [rows, cols] -> [cols, rows] of one image, from `src` at `offset` into `dst` at `dstOffset`. */
function transposeInto(src: Float32Array, offset: number, rows: number, cols: number, dst: Float32Array, dstOffset: number): void {
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) dst[dstOffset + c * rows + r] = src[offset + r * cols + c];
}

/** Image n of a [batch, positions, channels] (or channels-first) array, as [positions, channels]. */
function imageChannelsLast(a: Float32Array, n: number, positions: number, channels: number, channelsFirst: boolean, scratch: Float32Array): Float32Array {
  const size = positions * channels;
  if (!channelsFirst) return a.subarray(n * size, (n + 1) * size);
  transposeInto(a, n * size, channels, positions, scratch, 0);
  return scratch;
}

function im2col(p: Plan, image: Float32Array, group: number, patches: Float32Array): void {
  const { positions, taps, cg, cin, reads, k } = p;
  const c0 = group * cg;
  for (let q = 0; q < positions; q++) {
    for (let t = 0; t < taps; t++) {
      const at = reads[q * taps + t];
      const dst = q * k + t * cg;
      if (at < 0) for (let c = 0; c < cg; c++) patches[dst + c] = 0;
      else for (let c = 0; c < cg; c++) patches[dst + c] = image[at * cin + c0 + c];
    }
  }
}

/** Columns [group * og, (group + 1) * og) of the kernel viewed as [k, cout]. */
function kernelColumns(p: Plan, w: Float32Array, group: number): Float32Array {
  const { k, og, cout } = p;
  const out = new Float32Array(k * og);
  for (let r = 0; r < k; r++) for (let j = 0; j < og; j++) out[r * og + j] = w[r * cout + group * og + j];
  return out;
}

const gemm = (a: Float32Array, b: Float32Array, m: number, k: number, n: number, transA: boolean, transB: boolean) =>
  matmul(a, b, { batch: 1, m, n, k, transA, transB, aBatchStride: 0, bBatchStride: 0 }) as Float32Array;

export function convForward(x: Float32Array, w: Float32Array, bias: Float32Array | null, args: ConvArgs, activation: EpilogueActivation): Float32Array {
  const p = planOf("convForward", args);
  const sizes = convSizes(args);
  checkLength("convForward", "x", x, sizes.x);
  checkLength("convForward", "w", w, sizes.w);
  checkLength("convForward", "bias", bias, args.outChannels);
  const { positions, spatial, cin, cout, groups, og, k } = p;
  const out = new Float32Array(sizes.out);
  const patches = new Float32Array(positions * k);
  const columns = Array.from({ length: groups }, (_, g) => kernelColumns(p, w, g));
  const inScratch = new Float32Array(args.channelsFirst ? spatial * cin : 0);
  const z = new Float32Array(positions * cout);
  for (let n = 0; n < args.batch; n++) {
    const image = imageChannelsLast(x, n, spatial, cin, args.channelsFirst, inScratch);
    for (let g = 0; g < groups; g++) {
      im2col(p, image, g, patches);
      const zg = gemm(patches, columns[g], positions, k, og, false, false);
      for (let q = 0; q < positions; q++) for (let j = 0; j < og; j++) z[q * cout + g * og + j] = zg[q * og + j];
    }
    biasActivationInPlace(z, bias, positions, cout, activation, "convForward");
    if (args.channelsFirst) transposeInto(z, 0, positions, cout, out, n * positions * cout);
    else out.set(z, n * positions * cout);
  }
  return out;
}

function intoTarget(target: GradientTarget, values: Float32Array): Float32Array {
  if (typeof target === "boolean") return values;
  target.set(values);
  return target;
}

export function convBackward(
  dOut: Float32Array, out: Float32Array | null, x: Float32Array | null, w: Float32Array | null, args: ConvArgs, activation: EpilogueActivation,
  needDX: boolean, needDW: GradientTarget, needDB: GradientTarget,
): ConvGrads {
  const kernel = "convBackward";
  const p = planOf(kernel, args);
  const sizes = convSizes(args);
  checkLength(kernel, "dOut", dOut, sizes.out);
  if (activation !== "linear") {
    if (out === null) throw new RangeError(`${kernel} kernel: the forward output is needed for activation '${activation}'`);
    checkLength(kernel, "out", out, sizes.out);
  }
  if (needDW !== false && x === null) throw new RangeError(`${kernel} kernel: x is needed for the kernel gradient`);
  if (needDX && w === null) throw new RangeError(`${kernel} kernel: the kernel is needed for the input gradient`);
  checkLength(kernel, "x", x, sizes.x);
  checkLength(kernel, "w", w, sizes.w);
  if (needDW instanceof Float32Array) checkLength(kernel, "dW target", needDW, sizes.w);
  if (needDB instanceof Float32Array) checkLength(kernel, "db target", needDB, args.outChannels);
  const { positions, spatial, taps, cin, cout, groups, cg, og, k, reads } = p;
  const dz = activationGrad(dOut, out!, activation, kernel);

  let db: Float32Array | null = null;
  if (needDB !== false) {
    const sums = new Float64Array(cout);
    for (let n = 0; n < args.batch; n++) {
      for (let q = 0; q < positions; q++) {
        for (let c = 0; c < cout; c++) {
          sums[c] += args.channelsFirst ? dz[(n * cout + c) * positions + q] : dz[(n * positions + q) * cout + c];
        }
      }
    }
    db = intoTarget(needDB, Float32Array.from(sums));
  }
  if (!needDX && needDW === false) return { dX: null, dW: null, db };

  const dX = needDX ? new Float32Array(sizes.x) : null;
  const dWg = needDW !== false ? Array.from({ length: groups }, () => new Float64Array(k * og)) : null;
  const columns = needDX ? Array.from({ length: groups }, (_, g) => kernelColumns(p, w!, g)) : null;
  const patches = new Float32Array(positions * k);
  const dzScratch = new Float32Array(args.channelsFirst ? positions * cout : 0);
  const inScratch = new Float32Array(args.channelsFirst ? spatial * cin : 0);
  const dxImage = new Float32Array(spatial * cin);
  const dzg = new Float32Array(positions * og);
  for (let n = 0; n < args.batch; n++) {
    const dzi = imageChannelsLast(dz, n, positions, cout, args.channelsFirst, dzScratch);
    const image = dWg !== null ? imageChannelsLast(x!, n, spatial, cin, args.channelsFirst, inScratch) : null;
    if (dX !== null) dxImage.fill(0);
    for (let g = 0; g < groups; g++) {
      for (let q = 0; q < positions; q++) for (let j = 0; j < og; j++) dzg[q * og + j] = dzi[q * cout + g * og + j];
      if (dWg !== null) {
        im2col(p, image!, g, patches);
        const part = gemm(patches, dzg, k, positions, og, true, false);
        const acc = dWg[g];
        for (let i = 0; i < part.length; i++) acc[i] += part[i];
      }
      if (dX !== null) {
        const dPatches = gemm(dzg, columns![g], positions, og, k, false, true);
        const c0 = g * cg;
        for (let q = 0; q < positions; q++) {
          for (let t = 0; t < taps; t++) {
            const at = reads[q * taps + t];
            if (at < 0) continue;
            const src = q * k + t * cg;
            for (let c = 0; c < cg; c++) dxImage[at * cin + c0 + c] += dPatches[src + c];
          }
        }
      }
    }
    if (dX !== null) {
      if (args.channelsFirst) transposeInto(dxImage, 0, spatial, cin, dX, n * spatial * cin);
      else dX.set(dxImage, n * spatial * cin);
    }
  }

  let dW: Float32Array | null = null;
  if (dWg !== null) {
    const values = new Float32Array(sizes.w);
    for (let g = 0; g < groups; g++) {
      const acc = dWg[g];
      for (let r = 0; r < k; r++) for (let j = 0; j < og; j++) values[r * cout + g * og + j] = acc[r * og + j];
    }
    dW = intoTarget(needDW, values);
  }
  return { dX, dW, db };
}
