import type { GradientTarget } from "../fused_kernels.js";
import type { GruForwardResult, GruGrads, LstmForwardResult, LstmGrads, RecurrentArgs } from "../sequence_kernels.js";
import { matmul } from "./matmul.js";

/*
 * Reference LSTM and GRU recurrences (contracts in sequence_kernels.ts). Each step is the
 * recurrent product (the reference GEMM) followed by the gates, every value rounded to float32
 * where the cell's float32 ops would round it.
 */

const fround = Math.fround;

function sigmoid(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const t = Math.exp(z);
  return t / (1 + t);
}

function checkArgs(kernel: string, args: RecurrentArgs): void {
  for (const name of ["batch", "timesteps", "units"] as const) {
    const v = args[name];
    if (!Number.isInteger(v) || v < 0) throw new RangeError(`${kernel} kernel: ${name} must be a non-negative integer, got ${v}`);
  }
}

function checkSizes(kernel: string, sizes: Record<string, [ArrayLike<number> | null, number]>): void {
  for (const [name, [array, expected]] of Object.entries(sizes)) {
    if (array !== null && array.length !== expected) throw new RangeError(`${kernel} kernel: ${name} has ${array.length} elements, expected ${expected}`);
  }
}

/** `h @ w` for h [rows, k] and w [k, n] (or wᵀ when `transB`, w stored [n, k]). */
function product(h: Float32Array, w: Float32Array, rows: number, k: number, n: number, transB = false): Float32Array {
  return matmul(h, w, { batch: 1, m: rows, n, k, transA: false, transB, aBatchStride: 0, bBatchStride: 0 }) as Float32Array;
}

function intoTarget(target: GradientTarget, values: Float32Array): Float32Array {
  if (typeof target === "boolean") return values;
  target.set(values);
  return target;
}

/** dR = Σ over (b, t) of hPrev[b, t]ᵀ dZ[b, t]: one product over the batch * timesteps rows. */
function recurrentKernelGrad(hPrev: Float32Array, dZ: Float32Array, rows: number, units: number, width: number): Float32Array {
  return matmul(hPrev, dZ, { batch: 1, m: units, n: width, k: rows, transA: true, transB: false, aBatchStride: 0, bBatchStride: 0 }) as Float32Array;
}

export function lstmForward(x: Float32Array, h0: Float32Array, c0: Float32Array, recurrentKernel: Float32Array, mask: Uint8Array | null, args: RecurrentArgs): LstmForwardResult {
  checkArgs("lstmForward", args);
  const { batch: B, timesteps: T, units: U } = args;
  const G = 4 * U;
  checkSizes("lstmForward", { x: [x, B * T * G], h0: [h0, B * U], c0: [c0, B * U], recurrentKernel: [recurrentKernel, U * G], mask: [mask, B * T] });
  const outputs = args.returnSequences ? new Float32Array(B * T * U) : null;
  const workspace = args.training ? new Float32Array(B * T * 7 * U) : null;
  const gatesAt = 0;
  const tanhCAt = B * T * G;
  const hPrevAt = tanhCAt + B * T * U;
  const cPrevAt = hPrevAt + B * T * U;
  const h = Float32Array.from(h0);
  const c = Float32Array.from(c0);
  for (let s = 0; s < T; s++) {
    const t = args.goBackwards ? T - 1 - s : s;
    const hr = product(h, recurrentKernel, B, U, G);
    for (let b = 0; b < B; b++) {
      const row = b * T + t;
      const xAt = row * G;
      const keep = mask === null || mask[row] !== 0;
      if (workspace !== null) {
        workspace.set(h.subarray(b * U, (b + 1) * U), hPrevAt + row * U);
        workspace.set(c.subarray(b * U, (b + 1) * U), cPrevAt + row * U);
      }
      for (let j = 0; j < U; j++) {
        const z = (gate: number) => fround(x[xAt + gate * U + j] + hr[b * G + gate * U + j]);
        const i = fround(sigmoid(z(0)));
        const f = fround(sigmoid(z(1)));
        const g = fround(Math.tanh(z(2)));
        const o = fround(sigmoid(z(3)));
        const cNew = fround(fround(f * c[b * U + j]) + fround(i * g));
        const tc = fround(Math.tanh(cNew));
        const hNew = fround(o * tc);
        if (workspace !== null) {
          const gAt = gatesAt + row * G + j;
          workspace[gAt] = i;
          workspace[gAt + U] = f;
          workspace[gAt + 2 * U] = g;
          workspace[gAt + 3 * U] = o;
          workspace[tanhCAt + row * U + j] = tc;
        }
        let out: number;
        if (keep) {
          c[b * U + j] = cNew;
          h[b * U + j] = hNew;
          out = hNew;
        } else {
          out = args.zeroOutputForMask ? 0 : h[b * U + j];
        }
        if (outputs !== null) outputs[(b * T + s) * U + j] = out;
      }
    }
  }
  return { outputs, h, c, workspace };
}

export function lstmBackward(
  dOutputs: Float32Array | null, dH: Float32Array | null, dC: Float32Array | null,
  recurrentKernel: Float32Array, mask: Uint8Array | null, workspace: Float32Array, args: RecurrentArgs,
  needDRecurrentKernel: GradientTarget,
): LstmGrads {
  checkArgs("lstmBackward", args);
  const { batch: B, timesteps: T, units: U } = args;
  const G = 4 * U;
  checkSizes("lstmBackward", {
    dOutputs: [dOutputs, B * T * U], dH: [dH, B * U], dC: [dC, B * U], recurrentKernel: [recurrentKernel, U * G], mask: [mask, B * T],
    workspace: [workspace, B * T * 7 * U], "dRecurrentKernel target": [needDRecurrentKernel instanceof Float32Array ? needDRecurrentKernel : null, U * G],
  });
  const tanhCAt = B * T * G;
  const hPrevAt = tanhCAt + B * T * U;
  const cPrevAt = hPrevAt + B * T * U;
  const dX = new Float32Array(B * T * G);
  const dh = dH === null ? new Float32Array(B * U) : Float32Array.from(dH);
  const dc = dC === null ? new Float32Array(B * U) : Float32Array.from(dC);
  const dZ = new Float32Array(B * G);
  for (let s = T - 1; s >= 0; s--) {
    const t = args.goBackwards ? T - 1 - s : s;
    dZ.fill(0);
    for (let b = 0; b < B; b++) {
      const row = b * T + t;
      const keep = mask === null || mask[row] !== 0;
      for (let j = 0; j < U; j++) {
        const at = b * U + j;
        // A masked step output the previous state (a gradient that flows on to it) or zeros (none).
        if (dOutputs !== null && (keep || !args.zeroOutputForMask)) dh[at] = fround(dh[at] + dOutputs[(b * T + s) * U + j]);
        if (!keep) continue;
        const gAt = row * G + j;
        const i = workspace[gAt];
        const f = workspace[gAt + U];
        const g = workspace[gAt + 2 * U];
        const o = workspace[gAt + 3 * U];
        const tc = workspace[tanhCAt + row * U + j];
        const cPrev = workspace[cPrevAt + row * U + j];
        const dhv = dh[at];
        const dO = fround(fround(dhv * tc) * fround(o * fround(1 - o)));
        const dcTotal = fround(dc[at] + fround(fround(dhv * o) * fround(1 - fround(tc * tc))));
        const dI = fround(fround(dcTotal * g) * fround(i * fround(1 - i)));
        const dF = fround(fround(dcTotal * cPrev) * fround(f * fround(1 - f)));
        const dG = fround(fround(dcTotal * i) * fround(1 - fround(g * g)));
        dc[at] = fround(dcTotal * f);
        dZ[b * G + j] = dI;
        dZ[b * G + U + j] = dF;
        dZ[b * G + 2 * U + j] = dG;
        dZ[b * G + 3 * U + j] = dO;
      }
      dX.set(dZ.subarray(b * G, (b + 1) * G), row * G);
    }
    const dhPrev = product(dZ, recurrentKernel, B, G, U, true);
    for (let b = 0; b < B; b++) {
      const keep = mask === null || mask[b * T + t] !== 0;
      if (keep) dh.set(dhPrev.subarray(b * U, (b + 1) * U), b * U);
    }
  }
  const dRecurrentKernel = needDRecurrentKernel
    ? intoTarget(needDRecurrentKernel, recurrentKernelGrad(workspace.subarray(hPrevAt, hPrevAt + B * T * U), dX, B * T, U, G))
    : null;
  return { dX, dH0: dh, dC0: dc, dRecurrentKernel };
}

export function gruForward(
  x: Float32Array, h0: Float32Array, recurrentKernel: Float32Array, recurrentBias: Float32Array | null, mask: Uint8Array | null, args: RecurrentArgs,
): GruForwardResult {
  checkArgs("gruForward", args);
  const { batch: B, timesteps: T, units: U } = args;
  const G = 3 * U;
  checkSizes("gruForward", { x: [x, B * T * G], h0: [h0, B * U], recurrentKernel: [recurrentKernel, U * G], recurrentBias: [recurrentBias, G], mask: [mask, B * T] });
  const outputs = args.returnSequences ? new Float32Array(B * T * U) : null;
  const workspace = args.training ? new Float32Array(B * T * 5 * U) : null;
  const innerHAt = B * T * G;
  const hPrevAt = innerHAt + B * T * U;
  const h = Float32Array.from(h0);
  for (let s = 0; s < T; s++) {
    const t = args.goBackwards ? T - 1 - s : s;
    const inner = product(h, recurrentKernel, B, U, G);
    for (let b = 0; b < B; b++) {
      const row = b * T + t;
      const xAt = row * G;
      const keep = mask === null || mask[row] !== 0;
      if (workspace !== null) workspace.set(h.subarray(b * U, (b + 1) * U), hPrevAt + row * U);
      for (let j = 0; j < U; j++) {
        const rec = (gate: number) => {
          const v = inner[b * G + gate * U + j];
          return recurrentBias === null ? v : fround(v + recurrentBias[gate * U + j]);
        };
        const z = fround(sigmoid(fround(x[xAt + j] + rec(0))));
        const r = fround(sigmoid(fround(x[xAt + U + j] + rec(1))));
        const innerH = rec(2);
        const hh = fround(Math.tanh(fround(x[xAt + 2 * U + j] + fround(r * innerH))));
        const hPrev = h[b * U + j];
        const hNew = fround(fround(z * hPrev) + fround(fround(1 - z) * hh));
        if (workspace !== null) {
          workspace[row * G + j] = z;
          workspace[row * G + U + j] = r;
          workspace[row * G + 2 * U + j] = hh;
          workspace[innerHAt + row * U + j] = innerH;
        }
        let out: number;
        if (keep) {
          h[b * U + j] = hNew;
          out = hNew;
        } else {
          out = args.zeroOutputForMask ? 0 : hPrev;
        }
        if (outputs !== null) outputs[(b * T + s) * U + j] = out;
      }
    }
  }
  return { outputs, h, workspace };
}

export function gruBackward(
  dOutputs: Float32Array | null, dH: Float32Array | null,
  recurrentKernel: Float32Array, hasRecurrentBias: boolean, mask: Uint8Array | null, workspace: Float32Array, args: RecurrentArgs,
  needDRecurrentKernel: GradientTarget, needDRecurrentBias: GradientTarget,
): GruGrads {
  checkArgs("gruBackward", args);
  const { batch: B, timesteps: T, units: U } = args;
  const G = 3 * U;
  checkSizes("gruBackward", {
    dOutputs: [dOutputs, B * T * U], dH: [dH, B * U], recurrentKernel: [recurrentKernel, U * G], mask: [mask, B * T], workspace: [workspace, B * T * 5 * U],
    "dRecurrentKernel target": [needDRecurrentKernel instanceof Float32Array ? needDRecurrentKernel : null, U * G],
    "dRecurrentBias target": [needDRecurrentBias instanceof Float32Array ? needDRecurrentBias : null, G],
  });
  const innerHAt = B * T * G;
  const hPrevAt = innerHAt + B * T * U;
  const dX = new Float32Array(B * T * G);
  // The gradient of the recurrent product's output, h @ R + b_rec, for every (b, t).
  const dInner = new Float32Array(B * T * G);
  const dh = dH === null ? new Float32Array(B * U) : Float32Array.from(dH);
  const dInnerStep = new Float32Array(B * G);
  const dhDirect = new Float32Array(B * U);
  for (let s = T - 1; s >= 0; s--) {
    const t = args.goBackwards ? T - 1 - s : s;
    dInnerStep.fill(0);
    for (let b = 0; b < B; b++) {
      const row = b * T + t;
      const keep = mask === null || mask[row] !== 0;
      for (let j = 0; j < U; j++) {
        const at = b * U + j;
        if (dOutputs !== null && (keep || !args.zeroOutputForMask)) dh[at] = fround(dh[at] + dOutputs[(b * T + s) * U + j]);
        if (!keep) continue;
        const z = workspace[row * G + j];
        const r = workspace[row * G + U + j];
        const hh = workspace[row * G + 2 * U + j];
        const innerH = workspace[innerHAt + row * U + j];
        const hPrev = workspace[hPrevAt + row * U + j];
        const dhv = dh[at];
        const dZ = fround(fround(dhv * fround(hPrev - hh)) * fround(z * fround(1 - z)));
        const dPreH = fround(fround(dhv * fround(1 - z)) * fround(1 - fround(hh * hh)));
        const dR = fround(fround(dPreH * innerH) * fround(r * fround(1 - r)));
        dX[row * G + j] = dZ;
        dX[row * G + U + j] = dR;
        dX[row * G + 2 * U + j] = dPreH;
        dInnerStep[b * G + j] = dZ;
        dInnerStep[b * G + U + j] = dR;
        dInnerStep[b * G + 2 * U + j] = fround(dPreH * r);
        dhDirect[at] = fround(dhv * z);
      }
      dInner.set(dInnerStep.subarray(b * G, (b + 1) * G), row * G);
    }
    const dhPrev = product(dInnerStep, recurrentKernel, B, G, U, true);
    for (let b = 0; b < B; b++) {
      if (mask !== null && mask[b * T + t] === 0) continue;
      for (let j = 0; j < U; j++) dh[b * U + j] = fround(dhPrev[b * U + j] + dhDirect[b * U + j]);
    }
  }
  const dRecurrentKernel = needDRecurrentKernel
    ? intoTarget(needDRecurrentKernel, recurrentKernelGrad(workspace.subarray(hPrevAt, hPrevAt + B * T * U), dInner, B * T, U, G))
    : null;
  let dRecurrentBias: Float32Array | null = null;
  if (needDRecurrentBias && hasRecurrentBias) {
    const acc = new Float64Array(G);
    for (let r = 0; r < B * T; r++) for (let j = 0; j < G; j++) acc[j] += dInner[r * G + j];
    dRecurrentBias = intoTarget(needDRecurrentBias, Float32Array.from(acc));
  }
  return { dX, dH0: dh, dRecurrentKernel, dRecurrentBias };
}
