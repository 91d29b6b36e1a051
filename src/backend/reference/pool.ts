import type { PoolArgs } from "../fused_kernels.js";
import { checkLength, poolSizes, poolSpatial, product, windowIndices } from "../conv_geometry.js";

/*
 * Reference pooling (contracts on `FusedKernels.maxPoolForward` ... `avgPoolBackward`): for every
 * image, channel and output position, a loop over the window's in-bounds taps.
 */

interface Plan {
  positions: number;
  spatial: number;
  taps: number;
  reads: Int32Array;
  /** Elements between neighbouring positions and between neighbouring channels of one image. */
  positionStride: number;
  channelStride: number;
}

function planOf(kernel: string, args: PoolArgs): Plan {
  const s = poolSpatial(kernel, args);
  const spatial = product(s.input);
  return {
    positions: product(s.output),
    spatial,
    taps: product(s.window),
    reads: windowIndices(s),
    positionStride: args.channelsFirst ? 1 : args.channels,
    channelStride: args.channelsFirst ? spatial : 1,
  };
}

/** Calls `visit(inBase, outIndex, tapsStart)` for every image, channel and output position. */
function forEachWindow(args: PoolArgs, p: Plan, visit: (inBase: number, outIndex: number, window: number) => void): void {
  const { positions, spatial, taps, channelStride } = p;
  const outPositionStride = args.channelsFirst ? 1 : args.channels;
  const outChannelStride = args.channelsFirst ? positions : 1;
  for (let n = 0; n < args.batch; n++) {
    for (let c = 0; c < args.channels; c++) {
      const inBase = n * spatial * args.channels + c * channelStride;
      const outBase = n * positions * args.channels + c * outChannelStride;
      for (let q = 0; q < positions; q++) visit(inBase, outBase + q * outPositionStride, q * taps);
    }
  }
}

/** Index into x of the element the max window chose: the first NaN, else the first maximum. */
function argmaxOf(x: Float32Array, p: Plan, inBase: number, window: number): number {
  let best = -1;
  let bestValue = -Infinity;
  for (let t = 0; t < p.taps; t++) {
    const at = p.reads[window + t];
    if (at < 0) continue;
    const i = inBase + at * p.positionStride;
    const v = x[i];
    if (v !== v) return i;
    if (best < 0 || v > bestValue) {
      best = i;
      bestValue = v;
    }
  }
  return best;
}

export function maxPoolForward(x: Float32Array, args: PoolArgs): Float32Array {
  const p = planOf("maxPoolForward", args);
  const sizes = poolSizes(args);
  checkLength("maxPoolForward", "x", x, sizes.x);
  const out = new Float32Array(sizes.out);
  forEachWindow(args, p, (inBase, o, window) => {
    const i = argmaxOf(x, p, inBase, window);
    out[o] = i < 0 ? -Infinity : x[i];
  });
  return out;
}

export function maxPoolBackward(dOut: Float32Array, x: Float32Array, args: PoolArgs): Float32Array {
  const p = planOf("maxPoolBackward", args);
  const sizes = poolSizes(args);
  checkLength("maxPoolBackward", "x", x, sizes.x);
  checkLength("maxPoolBackward", "dOut", dOut, sizes.out);
  const dX = new Float32Array(sizes.x);
  forEachWindow(args, p, (inBase, o, window) => {
    const i = argmaxOf(x, p, inBase, window);
    if (i >= 0) dX[i] += dOut[o];
  });
  return dX;
}

function countOf(p: Plan, window: number): number {
  let count = 0;
  for (let t = 0; t < p.taps; t++) if (p.reads[window + t] >= 0) count++;
  return count;
}

export function avgPoolForward(x: Float32Array, args: PoolArgs): Float32Array {
  const p = planOf("avgPoolForward", args);
  const sizes = poolSizes(args);
  checkLength("avgPoolForward", "x", x, sizes.x);
  const out = new Float32Array(sizes.out);
  forEachWindow(args, p, (inBase, o, window) => {
    let sum = 0;
    let count = 0;
    for (let t = 0; t < p.taps; t++) {
      const at = p.reads[window + t];
      if (at < 0) continue;
      sum += x[inBase + at * p.positionStride];
      count++;
    }
    out[o] = Math.fround(sum) / count;
  });
  return out;
}

export function avgPoolBackward(dOut: Float32Array, args: PoolArgs): Float32Array {
  const p = planOf("avgPoolBackward", args);
  const sizes = poolSizes(args);
  checkLength("avgPoolBackward", "dOut", dOut, sizes.out);
  const dX = new Float32Array(sizes.x);
  forEachWindow(args, p, (inBase, o, window) => {
    const share = Math.fround(dOut[o] / countOf(p, window));
    for (let t = 0; t < p.taps; t++) {
      const at = p.reads[window + t];
      if (at >= 0) dX[inBase + at * p.positionStride] += share;
    }
  });
  return dX;
}
