/**
 * Each optimizer against Keras 3's update rule written out in plain numbers (double precision),
 * for three steps on two variables, compared to 1e-6.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { Adadelta, Adagrad, Adam, Adamax, AdamW, Nadam, RMSprop, SGD } from "../../src/optimizers/index.js";
import { assertHistoryClose, GRADS, INITS, reference, runSteps } from "./helpers.js";

/* ---------------------------------------------------------------- SGD */

function sgdRef(lr: number, momentum: number, nesterov: boolean): number[][][] {
  return reference(INITS, GRADS, () => ({ m: 0 }), (w, g, _t, s) => {
    if (momentum === 0) return w - lr * g;
    s.m = momentum * s.m - lr * g;
    return nesterov ? w + momentum * s.m - lr * g : w + s.m;
  });
}

test("SGD: plain gradient descent", () => {
  const opt = new SGD({ learningRate: 0.1 });
  assertHistoryClose(runSteps(opt, INITS, GRADS).history, sgdRef(0.1, 0, false), 1e-6, "sgd");
  assert.equal(opt.variables.length, 0, "no momentum slots without momentum");
  assert.equal(opt.iterations, 3);
});

test("SGD: momentum (m = momentum*m - lr*g; w += m)", () => {
  const opt = new SGD({ learningRate: 0.1, momentum: 0.9 });
  assertHistoryClose(runSteps(opt, INITS, GRADS).history, sgdRef(0.1, 0.9, false), 1e-6, "momentum");
});

test("SGD: nesterov (w += momentum*m - lr*g)", () => {
  const opt = new SGD({ learningRate: 0.1, momentum: 0.9, nesterov: true });
  const got = runSteps(opt, INITS, GRADS).history;
  assertHistoryClose(got, sgdRef(0.1, 0.9, true), 1e-6, "nesterov");
  // And it really differs from plain momentum.
  assert.ok(Math.abs(got[2][0][0] - sgdRef(0.1, 0.9, false)[2][0][0]) > 1e-3);
});

test("SGD: momentum must be in [0, 1]", () => {
  assert.throws(() => new SGD({ momentum: 1.5 }), /momentum.*between \[0, 1\]/);
  assert.throws(() => new SGD({ momentum: -0.1 }), /momentum/);
});

/* ---------------------------------------------------------------- RMSprop */

function rmspropRef(lr: number, rho: number, momentum: number, eps: number, centered: boolean): number[][][] {
  return reference(INITS, GRADS, () => ({ v: 0, m: 0, a: 0 }), (w, g, _t, s) => {
    s.v = rho * s.v + (1 - rho) * g * g;
    let den: number;
    if (centered) {
      s.a = rho * s.a + (1 - rho) * g;
      den = s.v - s.a * s.a + eps;
    } else {
      den = s.v + eps;
    }
    const inc = (lr * g) / Math.sqrt(den);
    if (momentum > 0) {
      s.m = momentum * s.m + inc;
      return w - s.m;
    }
    return w - inc;
  });
}

test("RMSprop: plain", () => {
  const opt = new RMSprop({ learningRate: 0.01, rho: 0.8, epsilon: 1e-6 });
  assertHistoryClose(runSteps(opt, INITS, GRADS).history, rmspropRef(0.01, 0.8, 0, 1e-6, false), 1e-6, "rmsprop");
});

test("RMSprop: default epsilon 1e-7 matters for tiny gradients", () => {
  const opt = new RMSprop({ learningRate: 0.01 });
  assertHistoryClose(runSteps(opt, INITS, GRADS).history, rmspropRef(0.01, 0.9, 0, 1e-7, false), 1e-6, "rmsprop defaults");
});

test("RMSprop: momentum", () => {
  const opt = new RMSprop({ learningRate: 0.01, momentum: 0.5 });
  assertHistoryClose(runSteps(opt, INITS, GRADS).history, rmspropRef(0.01, 0.9, 0.5, 1e-7, false), 1e-6, "rmsprop momentum");
});

test("RMSprop: centered with momentum", () => {
  const opt = new RMSprop({ learningRate: 0.01, momentum: 0.3, centered: true, epsilon: 1e-3 });
  assertHistoryClose(runSteps(opt, INITS, GRADS).history, rmspropRef(0.01, 0.9, 0.3, 1e-3, true), 1e-6, "rmsprop centered");
});

test("RMSprop: argument checks", () => {
  assert.throws(() => new RMSprop({ rho: 1.1 }), /`rho` must be in/);
  assert.throws(() => new RMSprop({ momentum: -0.1 }), /`momentum` must be in/);
  assert.throws(() => new RMSprop({ epsilon: 0 }), /must be positive/);
  new RMSprop({ rho: 0, momentum: 1 });
});

/* ---------------------------------------------------------------- Adam / AdamW */

function adamRef(lr: number, b1: number, b2: number, eps: number, amsgrad: boolean, weightDecay = 0): number[][][] {
  return reference(INITS, GRADS, () => ({ m: 0, v: 0, vHat: 0 }), (w, g, t, s) => {
    w = w - w * weightDecay * lr;
    const alpha = (lr * Math.sqrt(1 - b2 ** t)) / (1 - b1 ** t);
    s.m = s.m + (g - s.m) * (1 - b1);
    s.v = s.v + (g * g - s.v) * (1 - b2);
    s.vHat = Math.max(s.vHat, s.v);
    return w - (s.m * alpha) / (Math.sqrt(amsgrad ? s.vHat : s.v) + eps);
  });
}

test("Adam: defaults (epsilon 1e-7 visible on tiny gradients)", () => {
  const opt = new Adam({ learningRate: 0.1 });
  assertHistoryClose(runSteps(opt, INITS, GRADS).history, adamRef(0.1, 0.9, 0.999, 1e-7, false), 1e-6, "adam");
});

test("Adam: custom betas", () => {
  const opt = new Adam({ learningRate: 0.05, beta1: 0.5, beta2: 0.67, epsilon: 1e-5 });
  assertHistoryClose(runSteps(opt, INITS, GRADS).history, adamRef(0.05, 0.5, 0.67, 1e-5, false), 1e-6, "adam betas");
});

test("Adam: amsgrad", () => {
  const opt = new Adam({ learningRate: 0.1, beta2: 0.5, amsgrad: true });
  const got = runSteps(opt, INITS, GRADS).history;
  assertHistoryClose(got, adamRef(0.1, 0.9, 0.5, 1e-7, true), 1e-6, "amsgrad");
  // With beta2 0.5 the second moment drops on step 2 for some elements, so amsgrad changes the result.
  assert.ok(Math.abs(got[2][0][0] - adamRef(0.1, 0.9, 0.5, 1e-7, false)[2][0][0]) > 1e-4);
});

test("AdamW: decoupled decay w -= w*wd*lr before the Adam step (default weightDecay 0.004)", () => {
  const opt = new AdamW({ learningRate: 0.1 });
  assert.equal(opt.weightDecay, 0.004);
  assertHistoryClose(runSteps(opt, INITS, GRADS).history, adamRef(0.1, 0.9, 0.999, 1e-7, false, 0.004), 1e-6, "adamw");
  const strong = new AdamW({ learningRate: 0.1, weightDecay: 0.5, amsgrad: true });
  assertHistoryClose(runSteps(strong, INITS, GRADS).history, adamRef(0.1, 0.9, 0.999, 1e-7, true, 0.5), 1e-6, "adamw strong");
});

test("AdamW: weightDecay null is an error", () => {
  assert.throws(() => new AdamW({ weightDecay: null }), /`weightDecay` must be a float/);
});

test("Adam with weightDecay equals AdamW", () => {
  const a = runSteps(new Adam({ learningRate: 0.1, weightDecay: 0.1 }), INITS, GRADS).history;
  const b = runSteps(new AdamW({ learningRate: 0.1, weightDecay: 0.1 }), INITS, GRADS).history;
  assert.deepEqual(a, b);
});

/* ---------------------------------------------------------------- Adagrad */

function adagradRef(lr: number, init: number, eps: number): number[][][] {
  return reference(INITS, GRADS, () => ({ acc: init }), (w, g, _t, s) => {
    s.acc += g * g;
    return w - (lr * g) / Math.sqrt(s.acc + eps);
  });
}

test("Adagrad: defaults (initial accumulator 0.1, epsilon 1e-7)", () => {
  const opt = new Adagrad({ learningRate: 0.1 });
  assertHistoryClose(runSteps(opt, INITS, GRADS).history, adagradRef(0.1, 0.1, 1e-7), 1e-6, "adagrad");
});

test("Adagrad: initialAccumulatorValue and epsilon", () => {
  const opt = new Adagrad({ learningRate: 0.2, initialAccumulatorValue: 1e-6, epsilon: 1e-6 });
  assertHistoryClose(runSteps(opt, INITS, GRADS).history, adagradRef(0.2, 1e-6, 1e-6), 1e-6, "adagrad custom");
  assert.throws(() => new Adagrad({ initialAccumulatorValue: -1 }), /non-negative/);
});

/* ---------------------------------------------------------------- Adadelta */

function adadeltaRef(lr: number, rho: number, eps: number): number[][][] {
  return reference(INITS, GRADS, () => ({ ag: 0, ad: 0 }), (w, g, _t, s) => {
    s.ag = rho * s.ag + (1 - rho) * g * g;
    const delta = -(Math.sqrt(s.ad + eps) * g) / Math.sqrt(s.ag + eps);
    s.ad = rho * s.ad + (1 - rho) * delta * delta;
    return w + lr * delta;
  });
}

test("Adadelta: rule with a visible step (lr 1, epsilon 1e-3)", () => {
  const opt = new Adadelta({ learningRate: 1.0, rho: 0.8, epsilon: 1e-3 });
  assertHistoryClose(runSteps(opt, INITS, GRADS).history, adadeltaRef(1.0, 0.8, 1e-3), 1e-6, "adadelta");
});

test("Adadelta: defaults (rho 0.95, epsilon 1e-7)", () => {
  const opt = new Adadelta({ learningRate: 1.0 });
  assertHistoryClose(runSteps(opt, INITS, GRADS).history, adadeltaRef(1.0, 0.95, 1e-7), 1e-6, "adadelta defaults");
});

/* ---------------------------------------------------------------- Adamax */

function adamaxRef(lr: number, b1: number, b2: number, eps: number): number[][][] {
  return reference(INITS, GRADS, () => ({ m: 0, u: 0 }), (w, g, t, s) => {
    s.m = s.m + (g - s.m) * (1 - b1);
    s.u = Math.max(b2 * s.u, Math.abs(g));
    return w - (lr * s.m) / ((1 - b1 ** t) * (s.u + eps));
  });
}

test("Adamax: defaults", () => {
  const opt = new Adamax({ learningRate: 0.1 });
  assertHistoryClose(runSteps(opt, INITS, GRADS).history, adamaxRef(0.1, 0.9, 0.999, 1e-7), 1e-6, "adamax");
});

test("Adamax: custom betas (beta2 small enough that the norm decays)", () => {
  const opt = new Adamax({ learningRate: 0.2, beta1: 0.85, beta2: 0.5, epsilon: 1e-6 });
  assertHistoryClose(runSteps(opt, INITS, GRADS).history, adamaxRef(0.2, 0.85, 0.5, 1e-6), 1e-6, "adamax custom");
});

/* ---------------------------------------------------------------- Nadam */

function nadamRef(lr: number, b1: number, b2: number, eps: number): number[][][] {
  const cache = (t: number) => b1 * (1 - 0.5 * 0.96 ** t);
  let uProduct = 1;
  let uT = 0;
  let uNext = 0;
  return reference(
    INITS,
    GRADS,
    () => ({ m: 0, v: 0 }),
    (w, g, t, s) => {
      s.m = s.m + (g - s.m) * (1 - b1);
      s.v = s.v + (g * g - s.v) * (1 - b2);
      const mHat = (uNext * s.m) / (1 - uProduct * uNext) + ((1 - uT) * g) / (1 - uProduct);
      const vHat = s.v / (1 - b2 ** t);
      return w - (mHat * lr) / (Math.sqrt(vHat) + eps);
    },
    (t) => {
      uT = cache(t);
      uNext = cache(t + 1);
      uProduct *= uT;
    },
  );
}

test("Nadam: defaults, Keras 3's momentum cache u_t = beta1*(1 - 0.5*0.96^t)", () => {
  const opt = new Nadam({ learningRate: 0.1 });
  assertHistoryClose(runSteps(opt, INITS, GRADS).history, nadamRef(0.1, 0.9, 0.999, 1e-7), 1e-6, "nadam");
});

test("Nadam: custom betas; u_product state", () => {
  const opt = new Nadam({ learningRate: 0.05, beta1: 0.5, beta2: 0.67, epsilon: 1e-5 });
  assertHistoryClose(runSteps(opt, INITS, GRADS).history, nadamRef(0.05, 0.5, 0.67, 1e-5), 1e-6, "nadam custom");
  const uProduct = opt.variables[opt.variables.length - 1];
  const cache = (t: number) => 0.5 * (1 - 0.5 * 0.96 ** t);
  assert.ok(Math.abs(uProduct.value.item() - cache(1) * cache(2) * cache(3)) < 1e-7);
});
