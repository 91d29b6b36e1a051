import type { MatmulArgs } from "../core_kernels.js";
import type { AdamUpdateArgs, EpilogueActivation, GradientTarget, LinearGrads, RMSpropUpdateArgs, SGDUpdateArgs } from "../fused_kernels.js";
import type { TypedArray } from "../dtypes.js";
import { matmul } from "./matmul.js";

/*
 * Reference fused kernels (see their contracts on the Backend interface). Each reproduces the
 * unfused op-by-op float32 composition: the linear kernels round exactly where the separate matmul,
 * add and activation kernels round, so they give the same bits as the unfused ops; the
 * cross-entropy and optimizer kernels compute each element in float64 and round once when storing.
 *
 * The linear kernels take their GEMM as a parameter (`linearForwardWith`, `linearBackwardWith`), so a
 * backend with a fast `matmul` but no fused linear kernel yet can run these with its own GEMM:
 *   linearForward = (...a) => linearForwardWith((x, y, args) => this.matmul(x, y, args), ...a)
 */

/** A float32 GEMM with the Backend `matmul` contract. */
export type Gemm = (a: Float32Array, b: Float32Array, args: MatmulArgs) => TypedArray;

function checkSize(name: string, array: ArrayLike<number> | null, expected: number, kernel: string): void {
  if (array !== null && array.length !== expected) {
    throw new RangeError(`${kernel} kernel: ${name} has ${array.length} elements, expected ${expected}`);
  }
}

function checkDims(kernel: string, dims: Record<string, number>): void {
  for (const [name, v] of Object.entries(dims)) {
    if (!Number.isInteger(v) || v < 0) throw new RangeError(`${kernel} kernel: ${name} must be a non-negative integer, got ${v}`);
  }
}

/** act(x @ w + bias): the reference GEMM, then the bias + activation epilogue over its (fresh) output. */
export function linearForward(x: Float32Array, w: Float32Array, bias: Float32Array | null, m: number, k: number, n: number, activation: EpilogueActivation): Float32Array {
  return linearForwardWith(matmul, x, w, bias, m, k, n, activation);
}

/** `linearForward` on the given GEMM (whose output it then overwrites with the epilogue). */
export function linearForwardWith(gemm: Gemm, x: Float32Array, w: Float32Array, bias: Float32Array | null, m: number, k: number, n: number, activation: EpilogueActivation): Float32Array {
  checkDims("linearForward", { m, k, n });
  checkSize("x", x, m * k, "linearForward");
  checkSize("w", w, k * n, "linearForward");
  checkSize("bias", bias, n, "linearForward");
  const out = gemm(x, w, { batch: 1, m, n, k, transA: false, transB: false, aBatchStride: 0, bBatchStride: 0 }) as Float32Array;
  biasActivationInPlace(out, bias, m, n, activation, "linearForward");
  return out;
}

/**
 * The epilogue over rows x cols values in place: bias[col] added (when given), then the
 * activation, each rounded to float32 as the separate add and activation kernels round.
 */
export function biasActivationInPlace(values: Float32Array, bias: Float32Array | null, rows: number, cols: number, activation: EpilogueActivation, kernel: string): void {
  if (bias === null && activation === "linear") return;
  for (let i = 0; i < rows; i++) {
    const row = i * cols;
    for (let j = 0; j < cols; j++) {
      // The add kernel's rounding, then the activation kernel's (each stores float32).
      const z = bias === null ? values[row + j] : Math.fround(values[row + j] + bias[j]);
      let y: number;
      switch (activation) {
        case "linear":
          y = z;
          break;
        case "relu":
          y = z > 0 || z !== z ? z : 0;
          break;
        case "sigmoid":
          if (z >= 0) {
            y = 1 / (1 + Math.exp(-z));
          } else {
            const t = Math.exp(z);
            y = t / (1 + t);
          }
          break;
        case "tanh":
          y = Math.tanh(z);
          break;
        default:
          throw new Error(`${kernel} kernel: unknown activation '${activation as string}'`);
      }
      values[row + j] = y;
    }
  }
}

/** dZ from dOut and the forward output, rounded as the activations' own VJPs round. */
export function activationGrad(dOut: Float32Array, out: Float32Array, activation: EpilogueActivation, kernel = "linearBackward"): Float32Array {
  if (activation === "linear") return dOut;
  const size = dOut.length;
  const dz = new Float32Array(size);
  const f = Math.fround;
  switch (activation) {
    case "relu":
      for (let i = 0; i < size; i++) dz[i] = out[i] > 0 ? dOut[i] : 0;
      break;
    case "sigmoid":
      // multiply(g, multiply(out, subtract(1, out)))
      for (let i = 0; i < size; i++) {
        const o = out[i];
        dz[i] = dOut[i] * f(o * f(1 - o));
      }
      break;
    case "tanh":
      // multiply(g, subtract(1, square(out)))
      for (let i = 0; i < size; i++) {
        const o = out[i];
        dz[i] = dOut[i] * f(1 - f(o * o));
      }
      break;
    default:
      throw new Error(`${kernel} kernel: unknown activation '${activation as string}'`);
  }
  return dz;
}

export function linearBackward(
  dOut: Float32Array, out: Float32Array, x: Float32Array, w: Float32Array,
  m: number, k: number, n: number, activation: EpilogueActivation,
  needDX: boolean, needDW: GradientTarget, needDB: GradientTarget,
): LinearGrads {
  return linearBackwardWith(matmul, dOut, out, x, w, m, k, n, activation, needDX, needDW, needDB);
}

/** A computed gradient, copied into its target when the caller gave one. */
function intoTarget(target: GradientTarget, values: Float32Array): Float32Array {
  if (target === true || target === false) return values;
  target.set(values);
  return target;
}

/** `linearBackward` with the two products on the given GEMM. */
export function linearBackwardWith(
  gemm: Gemm,
  dOut: Float32Array, out: Float32Array, x: Float32Array, w: Float32Array,
  m: number, k: number, n: number, activation: EpilogueActivation,
  needDX: boolean, needDW: GradientTarget, needDB: GradientTarget,
): LinearGrads {
  checkDims("linearBackward", { m, k, n });
  if (needDW instanceof Float32Array) checkSize("dW target", needDW, k * n, "linearBackward");
  if (needDB instanceof Float32Array) checkSize("db target", needDB, n, "linearBackward");
  checkSize("dOut", dOut, m * n, "linearBackward");
  if (activation !== "linear") checkSize("out", out, m * n, "linearBackward");
  checkSize("x", x, m * k, "linearBackward");
  checkSize("w", w, k * n, "linearBackward");
  const dz = activationGrad(dOut, out, activation);
  // dW [k, n] = xᵀ dZ: x is stored [m, k], i.e. transposed for a k x n product over m.
  const dW = needDW ? intoTarget(needDW, gemm(x, dz, { batch: 1, m: k, n, k: m, transA: true, transB: false, aBatchStride: 0, bBatchStride: 0 }) as Float32Array) : null;
  // dX [m, k] = dZ wᵀ: w is stored [k, n], i.e. transposed for an m x k product over n.
  const dX = needDX ? (gemm(dz, w, { batch: 1, m, n: k, k: n, transA: false, transB: true, aBatchStride: 0, bBatchStride: 0 }) as Float32Array) : null;
  let db: Float32Array | null = null;
  if (needDB) {
    const acc = new Float64Array(n);
    for (let i = 0; i < m; i++) {
      const row = i * n;
      for (let j = 0; j < n; j++) acc[j] += dz[row + j];
    }
    db = intoTarget(needDB, Float32Array.from(acc));
  }
  return { dX, dW, db };
}

function checkTargets(kernel: string, rows: number, cols: number, labels: Int32Array | null, dense: Float32Array | null): void {
  if ((labels === null) === (dense === null)) throw new Error(`${kernel} kernel: give exactly one of labels (sparse) and dense targets`);
  checkSize("labels", labels, rows, kernel);
  checkSize("dense targets", dense, rows * cols, kernel);
}

export function softmaxCrossEntropy(logits: Float32Array, rows: number, cols: number, labels: Int32Array | null, dense: Float32Array | null): Float32Array {
  checkDims("softmaxCrossEntropy", { rows, cols });
  checkSize("logits", logits, rows * cols, "softmaxCrossEntropy");
  checkTargets("softmaxCrossEntropy", rows, cols, labels, dense);
  const loss = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    let max = -Infinity;
    for (let j = 0; j < cols; j++) if (logits[base + j] > max) max = logits[base + j];
    let sum = 0;
    for (let j = 0; j < cols; j++) sum += Math.exp(logits[base + j] - max);
    const lse = max + Math.log(sum);
    if (labels !== null) {
      const label = labels[r];
      loss[r] = label >= 0 && label < cols ? lse - logits[base + label] : 0;
    } else {
      let total = 0;
      for (let j = 0; j < cols; j++) {
        const t = dense![base + j];
        if (t !== 0) total += t * (lse - logits[base + j]);
      }
      loss[r] = total;
    }
  }
  return loss;
}

export function softmaxCrossEntropyBackward(logits: Float32Array, rows: number, cols: number, labels: Int32Array | null, dense: Float32Array | null, rowScale: Float32Array): Float32Array {
  checkDims("softmaxCrossEntropyBackward", { rows, cols });
  checkSize("logits", logits, rows * cols, "softmaxCrossEntropyBackward");
  checkTargets("softmaxCrossEntropyBackward", rows, cols, labels, dense);
  checkSize("rowScale", rowScale, rows, "softmaxCrossEntropyBackward");
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    const scale = rowScale[r];
    let max = -Infinity;
    for (let j = 0; j < cols; j++) if (logits[base + j] > max) max = logits[base + j];
    let sum = 0;
    for (let j = 0; j < cols; j++) sum += Math.exp(logits[base + j] - max);
    const inv = 1 / sum;
    if (labels !== null) {
      const label = labels[r];
      const valid = label >= 0 && label < cols;
      const total = valid ? 1 : 0;
      for (let j = 0; j < cols; j++) out[base + j] = scale * (Math.exp(logits[base + j] - max) * inv * total);
      if (valid) out[base + label] = scale * (Math.exp(logits[base + label] - max) * inv - 1);
    } else {
      let total = 0;
      for (let j = 0; j < cols; j++) total += dense![base + j];
      for (let j = 0; j < cols; j++) out[base + j] = scale * (Math.exp(logits[base + j] - max) * inv * total - dense![base + j]);
    }
  }
  return out;
}

function checkSlots(kernel: string, variable: Float32Array, arrays: Record<string, Float32Array | null>): void {
  for (const [name, a] of Object.entries(arrays)) checkSize(name, a, variable.length, kernel);
}

/*
 * The optimizer updates work in place and in float32: `fround` after every operation gives the
 * float32 result of that operation (a float64 +, -, *, / or sqrt of float32 values rounds to the
 * same float32 as the float32 operation would), so these equal the op-by-op float32 updates.
 */
const fround = Math.fround;

export function sgdUpdate(variable: Float32Array, grad: Float32Array, momentum: Float32Array | null, args: SGDUpdateArgs): void {
  checkSlots("sgdUpdate", variable, { grad, momentum });
  const lr = fround(args.lr);
  const mu = fround(args.momentum);
  const size = variable.length;
  for (let i = 0; i < size; i++) {
    const step = fround(grad[i] * lr);
    const w = variable[i];
    if (momentum === null) {
      variable[i] = w - step;
      continue;
    }
    const next = fround(fround(momentum[i] * mu) - step);
    momentum[i] = next;
    variable[i] = w + (args.nesterov ? fround(fround(next * mu) - step) : next);
  }
}

export function rmspropUpdate(
  variable: Float32Array, grad: Float32Array, velocity: Float32Array, momentum: Float32Array | null, averageGradient: Float32Array | null, args: RMSpropUpdateArgs,
): void {
  checkSlots("rmspropUpdate", variable, { grad, velocity, momentum, averageGradient });
  const lr = fround(args.lr);
  const rho = fround(args.rho);
  const oneMinusRho = fround(1 - args.rho);
  const mu = fround(args.momentum);
  const epsilon = fround(args.epsilon);
  const size = variable.length;
  for (let i = 0; i < size; i++) {
    const g = grad[i];
    const vi = fround(fround(velocity[i] * rho) + fround(fround(g * g) * oneMinusRho));
    velocity[i] = vi;
    let denominator: number;
    if (averageGradient !== null) {
      const ai = fround(fround(averageGradient[i] * rho) + fround(g * oneMinusRho));
      averageGradient[i] = ai;
      denominator = fround(fround(vi - fround(ai * ai)) + epsilon);
    } else {
      denominator = fround(vi + epsilon);
    }
    const increment = fround(fround(g * lr) / fround(Math.sqrt(denominator)));
    const w = variable[i];
    if (momentum !== null) {
      const mi = fround(fround(momentum[i] * mu) + increment);
      momentum[i] = mi;
      variable[i] = w - mi;
    } else {
      variable[i] = w - increment;
    }
  }
}

export function adamUpdate(
  variable: Float32Array, grad: Float32Array, momentum: Float32Array, velocity: Float32Array, velocityHat: Float32Array | null, args: AdamUpdateArgs,
): void {
  checkSlots("adamUpdate", variable, { grad, momentum, velocity, velocityHat });
  const alpha = fround(args.alpha);
  const oneMinusBeta1 = fround(1 - args.beta1);
  const oneMinusBeta2 = fround(1 - args.beta2);
  const epsilon = fround(args.epsilon);
  const size = variable.length;
  for (let i = 0; i < size; i++) {
    const g = grad[i];
    const m0 = momentum[i];
    const v0 = velocity[i];
    const mi = fround(m0 + fround(fround(g - m0) * oneMinusBeta1));
    const vi = fround(v0 + fround(fround(fround(g * g) - v0) * oneMinusBeta2));
    momentum[i] = mi;
    velocity[i] = vi;
    let v = vi;
    if (velocityHat !== null) {
      // NaN-propagating max, as the maximum op.
      const h0 = velocityHat[i];
      v = vi !== vi || h0 !== h0 ? NaN : vi > h0 ? vi : h0;
      velocityHat[i] = v;
    }
    const w = variable[i];
    variable[i] = w - fround(fround(mi * alpha) / fround(fround(Math.sqrt(v)) + epsilon));
  }
}
