import type { ConvArgs, PoolArgs } from "./fused_kernels.js";

/*
 * Checks and canonical forms of the conv and pooling geometries (`ConvArgs`, `PoolArgs`) shared by
 * every backend's kernels: they all see 1-, 2- and 3-d windows as 3-d ones, leading spatial axes
 * of extent 1 added.
 */

/** A geometry with exactly three spatial axes: [depth, height, width]. */
export interface Spatial3 {
  input: [number, number, number];
  output: [number, number, number];
  window: [number, number, number];
  strides: [number, number, number];
  dilations: [number, number, number];
  padBefore: [number, number, number];
}

function isCount(v: unknown): v is number {
  return typeof v === "number" && Number.isInteger(v) && v >= 0;
}

function to3(values: readonly number[], fill: number): [number, number, number] {
  const out: [number, number, number] = [fill, fill, fill];
  for (let i = 0; i < values.length; i++) out[3 - values.length + i] = values[i];
  return out;
}

function checkSpatial(kernel: string, axes: number, lists: Record<string, readonly number[]>, positive: readonly string[]): void {
  if (!Number.isInteger(axes) || axes < 1 || axes > 3) throw new RangeError(`${kernel} kernel: 1 to 3 spatial axes expected, got ${axes}`);
  for (const [name, list] of Object.entries(lists)) {
    if (!Array.isArray(list) || list.length !== axes || !list.every(isCount)) {
      throw new RangeError(`${kernel} kernel: ${name} must be ${axes} non-negative integers, got ${JSON.stringify(list)}`);
    }
    if (positive.includes(name) && list.some((v) => v < 1)) throw new RangeError(`${kernel} kernel: ${name} must be positive, got ${JSON.stringify(list)}`);
  }
}

/** Validates `args` (throws a RangeError naming `kernel`) and returns its 3-d form. */
export function convSpatial(kernel: string, args: ConvArgs): Spatial3 {
  const { batch, inChannels, outChannels, groups } = args;
  if (!isCount(batch) || !isCount(inChannels) || !isCount(outChannels) || !isCount(groups) || groups < 1) {
    throw new RangeError(`${kernel} kernel: batch, channels and groups must be non-negative integers (groups positive)`);
  }
  if (inChannels % groups !== 0 || outChannels % groups !== 0) {
    throw new RangeError(`${kernel} kernel: ${groups} groups do not divide ${inChannels} input and ${outChannels} output channels`);
  }
  checkSpatial(kernel, args.inputSize?.length, {
    inputSize: args.inputSize, outputSize: args.outputSize, kernelSize: args.kernelSize, strides: args.strides, dilations: args.dilations, padBefore: args.padBefore,
  }, ["strides", "dilations"]);
  return {
    input: to3(args.inputSize, 1),
    output: to3(args.outputSize, 1),
    window: to3(args.kernelSize, 1),
    strides: to3(args.strides, 1),
    dilations: to3(args.dilations, 1),
    padBefore: to3(args.padBefore, 0),
  };
}

/** Validates `args` and returns its 3-d form (dilation 1). */
export function poolSpatial(kernel: string, args: PoolArgs): Spatial3 {
  if (!isCount(args.batch) || !isCount(args.channels)) throw new RangeError(`${kernel} kernel: batch and channels must be non-negative integers`);
  checkSpatial(kernel, args.inputSize?.length, {
    inputSize: args.inputSize, outputSize: args.outputSize, poolSize: args.poolSize, strides: args.strides, padBefore: args.padBefore,
  }, ["poolSize", "strides"]);
  return {
    input: to3(args.inputSize, 1),
    output: to3(args.outputSize, 1),
    window: to3(args.poolSize, 1),
    strides: to3(args.strides, 1),
    dilations: [1, 1, 1],
    padBefore: to3(args.padBefore, 0),
  };
}

export function product(values: readonly number[]): number {
  let p = 1;
  for (const v of values) p *= v;
  return p;
}

/** Element counts of a conv's x, kernel and output. */
export function convSizes(args: ConvArgs): { x: number; w: number; out: number } {
  return {
    x: args.batch * args.inChannels * product(args.inputSize),
    w: product(args.kernelSize) * (args.inChannels / args.groups) * args.outChannels,
    out: args.batch * args.outChannels * product(args.outputSize),
  };
}

/** Element counts of a pooling's x and output. */
export function poolSizes(args: PoolArgs): { x: number; out: number } {
  return { x: args.batch * args.channels * product(args.inputSize), out: args.batch * args.channels * product(args.outputSize) };
}

export function checkLength(kernel: string, name: string, array: ArrayLike<number> | null, expected: number): void {
  if (array !== null && array.length !== expected) throw new RangeError(`${kernel} kernel: ${name} has ${array.length} elements, expected ${expected}`);
}

/**
 * For each output position and window tap (output-major, taps in row-major order), the flat
 * index of the input position it reads in the spatial grid, or -1 where it falls in the padding.
 */
export function windowIndices(s: Spatial3): Int32Array {
  const [od, oh, ow] = s.output;
  const [kd, kh, kw] = s.window;
  const [id, ih, iw] = s.input;
  const taps = kd * kh * kw;
  const out = new Int32Array(od * oh * ow * taps);
  let q = 0;
  for (let z = 0; z < od; z++) {
    for (let y = 0; y < oh; y++) {
      for (let x = 0; x < ow; x++) {
        for (let a = 0; a < kd; a++) {
          const i0 = z * s.strides[0] + a * s.dilations[0] - s.padBefore[0];
          for (let b = 0; b < kh; b++) {
            const i1 = y * s.strides[1] + b * s.dilations[1] - s.padBefore[1];
            for (let c = 0; c < kw; c++) {
              const i2 = x * s.strides[2] + c * s.dilations[2] - s.padBefore[2];
              out[q++] = i0 >= 0 && i0 < id && i1 >= 0 && i1 < ih && i2 >= 0 && i2 < iw ? (i0 * ih + i1) * iw + i2 : -1;
            }
          }
        }
      }
    }
  }
  return out;
}
