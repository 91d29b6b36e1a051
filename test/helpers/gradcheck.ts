import assert from "node:assert/strict";
import * as keras from "../../src/index.js";
import type { Tensor } from "../../src/index.js";
import { randomValues } from "./random.js";

export interface GradCheckOptions {
  /** Finite-difference step. */
  eps?: number;
  atol?: number;
  rtol?: number;
  /** Which inputs to check (default: all float32 inputs). */
  argnums?: number[];
}

/** Deterministic pseudo-random floats in [lo, hi) for test inputs. */
export function randomTensor(shape: number[], seed = 1, lo = -1, hi = 1): Tensor {
  const values = randomValues(shape.reduce((a, b) => a * b, 1), seed, lo, hi);
  return keras.ops.reshape(keras.ops.convertToTensor(values), shape);
}

/**
 * Compares autodiff gradients of `fn` with central finite differences. The output is contracted
 * with fixed random weights (so every output element's cotangent is exercised, not just ones),
 * and that contraction is done in float64 outside the library.
 */
export function checkGradients(fn: (...inputs: Tensor[]) => Tensor, inputs: Tensor[], options: GradCheckOptions = {}): void {
  const eps = options.eps ?? 1e-2;
  const atol = options.atol ?? 2e-3;
  const rtol = options.rtol ?? 2e-2;
  const argnums = options.argnums ?? inputs.map((t, i) => (t.dtype === "float32" ? i : -1)).filter((i) => i >= 0);
  const probe = fn(...inputs);
  const weights = Array.from(randomTensor([...probe.shape], 7, 0.5, 1.5).dataSync());
  const weightsTensor = keras.ops.reshape(keras.ops.convertToTensor(Float32Array.from(weights)), [...probe.shape]);

  const contract64 = (out: Tensor): number => {
    const v = out.dataSync();
    let total = 0;
    for (let i = 0; i < v.length; i++) total += v[i] * weights[i];
    return total;
  };
  const loss = (...xs: Tensor[]) => keras.ops.sum(keras.ops.multiply(fn(...xs), weightsTensor));
  const [, grads] = keras.valueAndGrad(loss, { argnums })(...inputs);

  argnums.forEach((argIndex, k) => {
    const x = inputs[argIndex];
    const base = Float32Array.from(x.dataSync() as Float32Array);
    const analytic = grads[k].dataSync();
    assert.deepEqual([...grads[k].shape], [...x.shape], `gradient shape for input ${argIndex}`);
    for (let i = 0; i < base.length; i++) {
      const plus = Float32Array.from(base);
      plus[i] += eps;
      const minus = Float32Array.from(base);
      minus[i] -= eps;
      const at = (values: Float32Array) => {
        const args = [...inputs];
        args[argIndex] = keras.ops.reshape(keras.ops.convertToTensor(values), [...x.shape]);
        return contract64(fn(...args));
      };
      const numeric = (at(plus) - at(minus)) / (plus[i] - minus[i]);
      const diff = Math.abs(numeric - analytic[i]);
      if (diff > atol + rtol * Math.abs(numeric)) {
        assert.fail(`gradient mismatch for input ${argIndex} element ${i}: autodiff ${analytic[i]}, finite difference ${numeric}`);
      }
    }
  });
}

/**
 * `checkGradients` through a layer: with respect to its input `x` and each of its trainable
 * weights (which must exist: build the layer first), the weights set to the values being checked.
 */
export function checkLayerGradients(layer: keras.layers.Layer, x: Tensor, callOptions: keras.layers.CallOptions = {}, options: GradCheckOptions = {}): void {
  const weights = layer.trainableWeights;
  checkGradients((input, ...values) => {
    weights.forEach((w, i) => w.assign(values[i]));
    return layer.apply(input, callOptions) as Tensor;
  }, [x, ...weights.map((w) => w.value)], options);
}
