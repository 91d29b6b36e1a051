/*
 * Convolution and pooling straight from their definitions (float64, nested loops over every
 * output element and window tap), independent of the library's geometry code: the oracle the
 * conv and pooling ops and kernels are tested against. Layouts are Keras's: x [batch, ...spatial,
 * channels] (or channels first), kernel [...kernelSize, inChannels / groups, outChannels].
 */

export interface OracleConv {
  batch: number;
  inputSize: number[];
  kernelSize: number[];
  inChannels: number;
  outChannels: number;
  groups: number;
  strides: number[];
  dilations: number[];
  /** Padding before each axis; the output size is given. */
  padBefore: number[];
  outputSize: number[];
  channelsFirst: boolean;
}

const prod = (a: readonly number[]) => a.reduce((p, v) => p * v, 1);

/** All multi-indices of `shape`, row-major. */
function* indices(shape: readonly number[]): Generator<number[]> {
  const n = prod(shape);
  const idx = new Array<number>(shape.length).fill(0);
  for (let i = 0; i < n; i++) {
    yield [...idx];
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++idx[d] < shape[d]) break;
      idx[d] = 0;
    }
  }
}

function flatIndex(idx: readonly number[], shape: readonly number[]): number {
  let f = 0;
  for (let d = 0; d < shape.length; d++) f = f * shape[d] + idx[d];
  return f;
}

function tensorIndex(n: number, spatial: readonly number[], c: number, size: readonly number[], channels: number, channelsFirst: boolean): number {
  return channelsFirst ? flatIndex([n, c, ...spatial], [0, channels, ...size]) : flatIndex([n, ...spatial, c], [0, ...size, channels]);
}

/** z[n, o, co] = bias[co] + Σ_{k, c} x[n, o*s + k*d - p, g*cg + c] * w[k, c, co]. */
export function oracleConv(x: ArrayLike<number>, w: ArrayLike<number>, bias: ArrayLike<number> | null, g: OracleConv): Float64Array {
  const cg = g.inChannels / g.groups;
  const og = g.outChannels / g.groups;
  const out = new Float64Array(g.batch * g.outChannels * prod(g.outputSize));
  for (let n = 0; n < g.batch; n++) {
    for (const o of indices(g.outputSize)) {
      for (let co = 0; co < g.outChannels; co++) {
        const group = Math.floor(co / og);
        let sum = bias === null ? 0 : bias[co];
        for (const k of indices(g.kernelSize)) {
          const at = o.map((v, d) => v * g.strides[d] + k[d] * g.dilations[d] - g.padBefore[d]);
          if (at.some((v, d) => v < 0 || v >= g.inputSize[d])) continue;
          for (let c = 0; c < cg; c++) {
            sum += x[tensorIndex(n, at, group * cg + c, g.inputSize, g.inChannels, g.channelsFirst)] * w[flatIndex([...k, c, co], [...g.kernelSize, cg, g.outChannels])];
          }
        }
        out[tensorIndex(n, o, co, g.outputSize, g.outChannels, g.channelsFirst)] = sum;
      }
    }
  }
  return out;
}

/** The adjoint of `oracleConv` (without bias) applied to `y`: what a transposed conv computes. */
export function oracleConvTranspose(y: ArrayLike<number>, w: ArrayLike<number>, g: OracleConv): Float64Array {
  const cg = g.inChannels / g.groups;
  const og = g.outChannels / g.groups;
  const out = new Float64Array(g.batch * g.inChannels * prod(g.inputSize));
  for (let n = 0; n < g.batch; n++) {
    for (const o of indices(g.outputSize)) {
      for (let co = 0; co < g.outChannels; co++) {
        const group = Math.floor(co / og);
        const v = y[tensorIndex(n, o, co, g.outputSize, g.outChannels, g.channelsFirst)];
        for (const k of indices(g.kernelSize)) {
          const at = o.map((p, d) => p * g.strides[d] + k[d] * g.dilations[d] - g.padBefore[d]);
          if (at.some((p, d) => p < 0 || p >= g.inputSize[d])) continue;
          for (let c = 0; c < cg; c++) {
            out[tensorIndex(n, at, group * cg + c, g.inputSize, g.inChannels, g.channelsFirst)] += v * w[flatIndex([...k, c, co], [...g.kernelSize, cg, g.outChannels])];
          }
        }
      }
    }
  }
  return out;
}

export interface OraclePool {
  batch: number;
  channels: number;
  inputSize: number[];
  poolSize: number[];
  strides: number[];
  padBefore: number[];
  outputSize: number[];
  channelsFirst: boolean;
}

/** Max or average over each window's in-bounds elements. */
export function oraclePool(x: ArrayLike<number>, mode: "max" | "avg", g: OraclePool): Float64Array {
  const out = new Float64Array(g.batch * g.channels * prod(g.outputSize));
  for (let n = 0; n < g.batch; n++) {
    for (const o of indices(g.outputSize)) {
      for (let c = 0; c < g.channels; c++) {
        let acc = mode === "max" ? -Infinity : 0;
        let count = 0;
        for (const k of indices(g.poolSize)) {
          const at = o.map((v, d) => v * g.strides[d] + k[d] - g.padBefore[d]);
          if (at.some((v, d) => v < 0 || v >= g.inputSize[d])) continue;
          const v = x[tensorIndex(n, at, c, g.inputSize, g.channels, g.channelsFirst)];
          acc = mode === "max" ? Math.max(acc, v) : acc + v;
          count++;
        }
        out[tensorIndex(n, o, c, g.outputSize, g.channels, g.channelsFirst)] = mode === "max" ? acc : acc / count;
      }
    }
  }
  return out;
}

/** XLA "SAME" padding before an axis, and the output extent, for a window of effective size `window`. */
export function samePadding(input: number, window: number, stride: number): { before: number; output: number } {
  const output = Math.ceil(input / stride);
  return { before: Math.floor(Math.max((output - 1) * stride + window - input, 0) / 2), output };
}

/** A seeded generator of small integers. */
function lcg(seed: number): (n: number) => number {
  let s = seed >>> 0;
  return (n) => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s % n;
  };
}

export type ConvPadding = "valid" | "same" | "causal";

/** The geometry of a conv from its options, as Keras's ops define it. */
export function convGeometry(
  batch: number, inputSize: number[], kernelSize: number[], inChannels: number, outChannels: number, groups: number, strides: number[], dilations: number[],
  padding: ConvPadding, channelsFirst: boolean,
): OracleConv {
  const padBefore: number[] = [];
  const outputSize: number[] = [];
  inputSize.forEach((v, d) => {
    const effective = (kernelSize[d] - 1) * dilations[d] + 1;
    if (padding === "valid") {
      padBefore.push(0);
      outputSize.push(Math.floor((v - effective) / strides[d]) + 1);
    } else if (padding === "causal") {
      padBefore.push(effective - 1);
      outputSize.push(Math.floor((v - 1) / strides[d]) + 1);
    } else {
      const s = samePadding(v, effective, strides[d]);
      padBefore.push(s.before);
      outputSize.push(s.output);
    }
  });
  return { batch, inputSize, kernelSize, inChannels, outChannels, groups, strides, dilations, padBefore, outputSize, channelsFirst };
}

/** Seeded conv geometries over 1-3 spatial axes, paddings, strides, dilations, groups, formats and odd sizes. */
export function convCases(count: number, seed: number, maxChannels = 3): (OracleConv & { padding: ConvPadding })[] {
  const rnd = lcg(seed);
  const cases: (OracleConv & { padding: ConvPadding })[] = [];
  for (let i = 0; i < count; i++) {
    const n = 1 + (i % 3);
    const groups = [1, 1, 2, 3][rnd(4)];
    const padding: ConvPadding = n === 1 && rnd(4) === 0 ? "causal" : (["valid", "same"] as const)[rnd(2)];
    const kernel = Array.from({ length: n }, () => 1 + rnd(n === 3 ? 2 : 3));
    const dilations = Array.from({ length: n }, () => 1 + (rnd(4) === 0 ? 1 : 0));
    const strides = Array.from({ length: n }, () => 1 + (rnd(3) === 0 ? 1 : 0));
    const spatial = kernel.map((k, d) => (k - 1) * dilations[d] + 1 + rnd(n === 3 ? 3 : 6));
    const g = convGeometry(1 + rnd(2), spatial, kernel, groups * (1 + rnd(maxChannels)), groups * (1 + rnd(maxChannels)), groups, strides, dilations, padding, rnd(2) === 1);
    cases.push({ ...g, padding });
  }
  return cases;
}

/** The padding before each spatial axis and the output size of pooling windows, worked out by hand. */
export function poolWindows(inputSize: readonly number[], poolSize: readonly number[], strides: readonly number[], padding: "valid" | "same"): { padBefore: number[]; outputSize: number[] } {
  const padBefore: number[] = [];
  const outputSize: number[] = [];
  inputSize.forEach((v, d) => {
    if (padding === "valid") {
      padBefore.push(0);
      outputSize.push(Math.floor((v - poolSize[d]) / strides[d]) + 1);
    } else {
      const s = samePadding(v, poolSize[d], strides[d]);
      padBefore.push(s.before);
      outputSize.push(s.output);
    }
  });
  return { padBefore, outputSize };
}

/** Seeded pooling geometries (valid and same, 1-3 spatial axes, both formats). */
export function poolCases(count: number, seed: number): (OraclePool & { padding: "valid" | "same" })[] {
  const rnd = lcg(seed);
  const cases: (OraclePool & { padding: "valid" | "same" })[] = [];
  for (let i = 0; i < count; i++) {
    const n = 1 + (i % 3);
    const padding = (["valid", "same"] as const)[rnd(2)];
    const poolSize = Array.from({ length: n }, () => 1 + rnd(3));
    const strides = Array.from({ length: n }, () => 1 + rnd(3));
    const inputSize = poolSize.map((p) => p + rnd(n === 3 ? 3 : 7));
    const { padBefore, outputSize } = poolWindows(inputSize, poolSize, strides, padding);
    cases.push({ batch: 1 + rnd(2), channels: 1 + rnd(5), inputSize, poolSize, strides, padBefore, outputSize, channelsFirst: rnd(2) === 1, padding });
  }
  return cases;
}
