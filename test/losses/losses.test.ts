import { test } from "node:test";
import assert from "node:assert/strict";
import * as losses from "../../src/losses/index.js";
import * as ops from "../../src/ops/index.js";
import { grad } from "../../src/autodiff/grad.js";
import type { Tensor } from "../../src/backend/tensor.js";

import { assertClose, f32, i32 } from "../helpers/close.js";

const rowMean = (rows: number[][], f: (t: number, p: number) => number, yt: number[][]) => rows.map((r, i) => r.reduce((s, p, j) => s + f(yt[i][j], p), 0) / r.length);
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

const YT = [
  [0, 1, 2],
  [3, 4, 5],
];
const YP = [
  [0.5, 1, 1],
  [3, 5, 7],
];

test("regression loss functions match hand-computed per-sample values", () => {
  assertClose(losses.meanSquaredError(f32(YT), f32(YP)), rowMean(YP, (t, p) => (t - p) ** 2, YT));
  assertClose(losses.meanAbsoluteError(f32(YT), f32(YP)), rowMean(YP, (t, p) => Math.abs(t - p), YT));
  assertClose(
    losses.meanSquaredLogarithmicError(f32(YT), f32(YP)),
    rowMean(YP, (t, p) => (Math.log(Math.max(p, 1e-7) + 1) - Math.log(Math.max(t, 1e-7) + 1)) ** 2, YT),
  );
  // MAPE divides by max(|y_true|, 1e-7): the 0 label gives a huge but finite value.
  assertClose(losses.meanAbsolutePercentageError(f32([[2, 4], [0, 1]]), f32([[1, 5], [1, 1]])), [100 * mean([0.5, 0.25]), 100 * mean([1 / 1e-7, 0])], 1e-4);
  assertClose(losses.logCosh(f32(YT), f32(YP)), rowMean(YP, (t, p) => Math.log(Math.cosh(p - t)), YT));
  // Huber: 0.5 x^2 inside delta, delta |x| - 0.5 delta^2 outside.
  assertClose(losses.huber(f32([[0, 0, 0]]), f32([[0.5, 2, -3]])), [mean([0.125, 1.5, 2.5])]);
  assertClose(losses.huber(f32([[0, 0, 0]]), f32([[0.5, 2, -3]]), 2), [mean([0.125, 2, 4])]);
  // Keras's docstring: huber([[0, 1], [0, 0]], [[0.6, 0.4], [0.4, 0.6]]) averages to 0.155.
  assertClose(ops.mean(losses.huber(f32([[0, 1], [0, 0]]), f32([[0.6, 0.4], [0.4, 0.6]]))), 0.155);
  // Rank-1 inputs reduce to one value.
  assertClose(losses.meanSquaredError(f32([1, 2]), f32([2, 4])), (1 + 4) / 2);
});

test("cosine similarity is negative similarity along the axis", () => {
  const s = Math.SQRT1_2;
  assertClose(losses.cosineSimilarity(f32([[1, 0], [1, 1], [0, 0]]), f32([[1, 1], [-1, -1], [1, 2]])), [-s, 1, 0]);
  // axis 0: columns are the vectors.
  // columns (1,0)·(1,1) and (1,1)·(0,1): both 1/sqrt(2); and identical columns give -1.
  assertClose(losses.cosineSimilarity(f32([[1, 1], [0, 1]]), f32([[1, 0], [1, 1]]), 0), [-s, -s]);
  assertClose(losses.cosineSimilarity(f32([[2, 1], [0, 1]]), f32([[1, 0], [0, 1]]), 0), [-1, -s]);
  const loss = new losses.CosineSimilarity({ axis: 0 });
  assert.equal(loss.name, "cosine_similarity");
  assert.deepEqual(loss.getConfig(), { name: "cosine_similarity", reduction: "sum_over_batch_size", axis: 0 });
  assertClose(loss.apply(f32([[2, 1], [0, 1]]), f32([[1, 0], [0, 1]])), (-s - 1) / 2);
});

test("hinge losses convert 0/1 labels to -1/1 and leave -1/1 labels alone", () => {
  const p = [
    [0.3, -0.2],
    [0.6, 0.9],
  ];
  const signed = [
    [-1, 1],
    [1, -1],
  ];
  const h = rowMean(p, (t, q) => Math.max(1 - t * q, 0), signed);
  assertClose(losses.hinge(f32([[0, 1], [1, 0]]), f32(p)), h);
  assertClose(losses.hinge(f32(signed), f32(p)), h);
  assertClose(losses.squaredHinge(f32([[0, 1], [1, 0]]), f32(p)), rowMean(p, (t, q) => Math.max(1 - t * q, 0) ** 2, signed));
  // pos = sum(t * p), neg = max((1 - t) * p): [0.5, 0.3] -> 0.8 and [0.1, 0.6] -> 1.5.
  assertClose(losses.categoricalHinge(f32([[0, 1, 0], [1, 0, 0]]), f32([[0.2, 0.5, 0.3], [0.1, 0.6, 0.3]])), [0.8, 1.5]);
});

test("kl divergence and poisson", () => {
  const t = [
    [0.2, 0.8],
    [0.5, 0.5],
  ];
  const p = [
    [0.4, 0.6],
    [0.9, 0.1],
  ];
  assertClose(losses.klDivergence(f32(t), f32(p)), t.map((r, i) => sum(r.map((v, j) => v * Math.log(v / p[i][j])))));
  assert.equal(losses.kld, losses.klDivergence);
  // Zero labels are clipped to 1e-7 and contribute ~0.
  assertClose(losses.klDivergence(f32([[0, 1]]), f32([[0.5, 0.5]])), [1e-7 * Math.log(1e-7 / 0.5) + Math.log(2)]);
  const pt = [
    [1, 2],
    [0, 3],
  ];
  const pp = [
    [0.5, 2],
    [1, 4],
  ];
  assertClose(losses.poisson(f32(pt), f32(pp)), rowMean(pp, (a, b) => b - a * Math.log(b + 1e-7), pt));
});

/** Plain-JS binary cross-entropy of one element, clipped as Keras (in float32: 1 - 1e-7 rounds). */
function bce(t: number, p: number): number {
  const pc = Math.min(Math.max(p, 1e-7), Math.fround(1 - 1e-7));
  return -(t * Math.log(pc) + (1 - t) * Math.log(1 - pc));
}
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

test("binary crossentropy: probabilities (clipped), logits, label smoothing, mean over the last axis", () => {
  const t = [
    [0, 1],
    [0, 0],
  ];
  const p = [
    [0.6, 0.4],
    [0.4, 0.6],
  ];
  assertClose(losses.binaryCrossentropy(f32(t), f32(p)), t.map((r, i) => mean(r.map((v, j) => bce(v, p[i][j])))));
  // Keras's docstring values.
  assertClose(losses.binaryCrossentropy(f32(t), f32(p)), [0.916, 0.714], 1e-3);
  // A label of 1 with a prediction of 0 is clipped to -log(1e-7).
  assertClose(losses.binaryCrossentropy(f32([[1]]), f32([[0]])), [-Math.log(1e-7)], 1e-4);
  const logits = [
    [-18.6, 0.51],
    [2.94, -12.8],
  ];
  const fromLogits = t.map((r, i) => mean(r.map((v, j) => -(v * Math.log(sigmoid(logits[i][j])) + (1 - v) * Math.log(1 - sigmoid(logits[i][j]))))));
  assertClose(losses.binaryCrossentropy(f32(t), f32(logits), true), fromLogits, 1e-4);
  assertClose(losses.binaryCrossentropy(f32(t), f32(logits), { fromLogits: true }), fromLogits, 1e-4);
  // Smoothing 0.2: labels 0 -> 0.1 and 1 -> 0.9.
  const smoothed = t.map((r, i) => mean(r.map((v, j) => bce(v * 0.8 + 0.1, p[i][j]))));
  assertClose(losses.binaryCrossentropy(f32(t), f32(p), false, 0.2), smoothed);
  assertClose(new losses.BinaryCrossentropy({ labelSmoothing: 0.2, reduction: "none" }).apply(f32(t), f32(p)), smoothed);
  // The class: Keras's docstring, from logits: 0.8654 mean, 0.243 with weights [0.8, 0.2], 1.730 sum.
  const loss = new losses.BinaryCrossentropy({ fromLogits: true });
  assertClose(loss.apply(f32(t), f32(logits)), mean(fromLogits), 1e-4);
  assertClose(loss.apply(f32(t), f32(logits), f32([0.8, 0.2])), (0.8 * fromLogits[0] + 0.2 * fromLogits[1]) / 2, 1e-4);
  assertClose(new losses.BinaryCrossentropy({ fromLogits: true, reduction: "sum" }).apply(f32(t), f32(logits)), sum(fromLogits), 1e-4);
  // [N] labels against [N, 1] predictions line up (one value per sample).
  assertClose(new losses.BinaryCrossentropy({ reduction: "none" }).apply(f32([1, 0]), f32([[0.8], [0.3]])), [bce(1, 0.8), bce(0, 0.3)]);
});

function logSoftmax(row: number[]): number[] {
  const m = Math.max(...row);
  const lse = m + Math.log(sum(row.map((v) => Math.exp(v - m))));
  return row.map((v) => v - lse);
}

test("categorical crossentropy: renormalized probabilities, logits, label smoothing, axis", () => {
  const t = [
    [0, 1, 0],
    [0, 0, 1],
  ];
  const p = [
    [0.05, 0.95, 0],
    [0.1, 0.8, 0.1],
  ];
  assertClose(losses.categoricalCrossentropy(f32(t), f32(p)), [-Math.log(0.95), -Math.log(0.1)]);
  // Unnormalized probabilities are rescaled to sum to 1.
  assertClose(losses.categoricalCrossentropy(f32([[0, 1]]), f32([[1, 3]])), [-Math.log(0.75)]);
  const logits = [
    [1, 2, 0.5],
    [-1, 0, 3],
  ];
  const ls = logits.map(logSoftmax);
  assertClose(losses.categoricalCrossentropy(f32(t), f32(logits), true), [-ls[0][1], -ls[1][2]]);
  // Smoothing 0.3 over 3 classes: 1 -> 0.8, 0 -> 0.1.
  const smooth = t.map((r, i) => -sum(r.map((v, j) => (v * 0.7 + 0.1) * ls[i][j])));
  assertClose(losses.categoricalCrossentropy(f32(t), f32(logits), { fromLogits: true, labelSmoothing: 0.3 }), smooth);
  const loss = new losses.CategoricalCrossentropy({ fromLogits: true, labelSmoothing: 0.3 });
  assertClose(loss.apply(f32(t), f32(logits)), mean(smooth));
  // axis 0: classes down the columns.
  const tt = [
    [0, 1],
    [1, 0],
    [0, 0],
  ];
  const lt = [
    [1, -1],
    [2, 0],
    [0.5, 3],
  ];
  const col = (m: number[][], j: number) => m.map((r) => r[j]);
  assertClose(losses.categoricalCrossentropy(f32(tt), f32(lt), true, 0, 0), [-logSoftmax(col(lt, 0))[1], -logSoftmax(col(lt, 1))[0]]);
  // Keras docstring: 1.177 mean, 0.814 with weights [0.3, 0.7].
  const cce = new losses.CategoricalCrossentropy();
  assertClose(cce.apply(f32(t), f32(p)), 1.177, 1e-3);
  assertClose(cce.apply(f32(t), f32(p), f32([0.3, 0.7])), 0.814, 1e-3);
  assert.throws(() => losses.categoricalCrossentropy(f32(t), f32(p), false, 1.5), /labelSmoothing must be a number in \[0, 1\]/);
});

test("categorical crossentropy from logits has gradient (softmax - onehot) / batch", () => {
  const t = f32([
    [0, 1, 0],
    [1, 0, 0],
  ]);
  const logits = [
    [1, 2, 0.5],
    [-1, 0, 3],
  ];
  const g = grad((z: Tensor) => new losses.CategoricalCrossentropy({ fromLogits: true }).apply(t, z))(f32(logits));
  const expected = logits.map((row, i) => logSoftmax(row).map((l, j) => (Math.exp(l) - [[0, 1, 0], [1, 0, 0]][i][j]) / 2));
  assertClose(g, expected);
});

test("sparse categorical crossentropy: int or float labels, [N] or [N, 1], logits, matches the one-hot loss", () => {
  const p = [
    [0.05, 0.95, 0],
    [0.1, 0.8, 0.1],
  ];
  const expected = [-Math.log(0.95), -Math.log(0.1)];
  assertClose(losses.sparseCategoricalCrossentropy(i32([1, 2]), f32(p)), expected);
  assertClose(losses.sparseCategoricalCrossentropy(f32([[1], [2]]), f32(p)), expected);
  const logits = [
    [1, 2, 0.5],
    [-1, 0, 3],
  ];
  const ls = logits.map(logSoftmax);
  assertClose(losses.sparseCategoricalCrossentropy(i32([2, 0]), f32(logits), true), [-ls[0][2], -ls[1][0]]);
  assertClose(
    losses.sparseCategoricalCrossentropy(i32([2, 0]), f32(logits), { fromLogits: true }),
    losses.categoricalCrossentropy(f32([[0, 0, 1], [1, 0, 0]]), f32(logits), true).arraySync() as number[],
  );
  const loss = new losses.SparseCategoricalCrossentropy();
  assert.equal(loss.name, "sparse_categorical_crossentropy");
  assertClose(loss.apply(i32([1, 2]), f32(p)), mean(expected));
  assertClose(loss.apply(i32([1, 2]), f32(p), f32([0.3, 0.7])), (0.3 * expected[0] + 0.7 * expected[1]) / 2);
  assertClose(new losses.SparseCategoricalCrossentropy({ reduction: "sum" }).apply(f32([[1], [2]]), f32(p)), sum(expected));
});

test("sparse categorical crossentropy rejects labels outside [0, numClasses) with a clear error", () => {
  const p = ops.divide(ops.ones([3, 10]), 10);
  const loss = new losses.SparseCategoricalCrossentropy();
  assert.throws(
    () => loss.apply(i32([3, 10, 1]), p),
    (e: Error) => e.message.includes("received a label value of 10, which is outside the valid range of [0, 10). Labels must be class indices") && e instanceof RangeError,
  );
  assert.throws(() => loss.apply(i32([3, -1, 1]), p), /received a label value of -1, which is outside the valid range of \[0, 10\)/);
  assert.throws(() => loss.apply(f32([[3], [12.0], [1]]), p), /received a label value of 12, which is outside the valid range of \[0, 10\)/);
  assert.throws(() => losses.sparseCategoricalCrossentropy(f32([2.5, 1, 0]), p), /label value of 2.5, which is not a whole number/);
  // The largest class index is fine.
  assertClose(loss.apply(i32([9, 0, 0]), p), Math.log(10));
});

test("sparse categorical crossentropy ignoreClass: zero loss for ignored samples, mean over the rest", () => {
  const logits = [
    [1, 2, 0.5],
    [5, 5, 5],
    [-1, 0, 3],
  ];
  const ls = logits.map(logSoftmax);
  const labels = i32([0, -1, 2]);
  assertClose(losses.sparseCategoricalCrossentropy(labels, f32(logits), { fromLogits: true, ignoreClass: -1 }), [-ls[0][0], 0, -ls[2][2]]);
  const loss = new losses.SparseCategoricalCrossentropy({ fromLogits: true, ignoreClass: -1 });
  assertClose(loss.apply(labels, f32(logits)), (-ls[0][0] - ls[2][2]) / 2);
  assertClose(new losses.SparseCategoricalCrossentropy({ fromLogits: true, ignoreClass: -1, reduction: "sum" }).apply(labels, f32(logits)), -ls[0][0] - ls[2][2]);
  assert.deepEqual(loss.getConfig(), { name: "sparse_categorical_crossentropy", reduction: "sum_over_batch_size", from_logits: true, ignore_class: -1 });
  // Without ignoreClass, -1 is out of range.
  assert.throws(() => losses.sparseCategoricalCrossentropy(labels, f32(logits), true), /label value of -1/);
});

test("shape mismatches name the loss and both shapes", () => {
  assert.throws(
    () => losses.categoricalCrossentropy(i32(Array.from({ length: 32 }, (_, i) => i % 10)), ops.ones([32, 10])),
    (e: Error) => /^categorical_crossentropy:/.test(e.message) && e.message.includes("y_true.shape=[32]") && e.message.includes("y_pred.shape=[32,10]") && e.message.includes("use sparse_categorical_crossentropy"),
  );
  assert.throws(() => new losses.CategoricalCrossentropy().apply(ops.zeros([4, 1]), ops.ones([4, 3])), /sparse_categorical_crossentropy/);
  assert.throws(() => losses.meanSquaredError(ops.zeros([4, 3]), ops.zeros([4, 2])), /mean_squared_error: .*y_true.shape=\[4,3\] and y_pred.shape=\[4,2\]/);
  assert.throws(() => new losses.MeanAbsoluteError().apply(ops.zeros([4]), ops.zeros([5])), /mean_absolute_error: .*\[4\].*\[5\]/);
  assert.throws(() => losses.binaryCrossentropy(ops.zeros([8]), ops.ones([8, 3])), /binary_crossentropy: .*\[8\].*\[8,3\].*sparse_categorical_crossentropy/);
  assert.throws(() => losses.sparseCategoricalCrossentropy(f32([[0, 1, 0]]), f32([[0.2, 0.5, 0.3]])), /sparse_categorical_crossentropy: .*\[1,3\].*\[1,3\].*use categorical_crossentropy/);
  assert.throws(() => losses.sparseCategoricalCrossentropy(i32([0, 1, 2]), ops.ones([2, 3])), /sparse_categorical_crossentropy: .*y_true.shape=\[3\].*y_pred.shape=\[2,3\]/);
});

test("reductions and sample weights", () => {
  const per = rowMean(YP, (t, p) => (t - p) ** 2, YT);
  const yt = f32(YT);
  const yp = f32(YP);
  assertClose(new losses.MeanSquaredError().apply(yt, yp), mean(per));
  assertClose(new losses.MeanSquaredError({ reduction: "mean" }).apply(yt, yp), mean(per));
  assertClose(new losses.MeanSquaredError({ reduction: "sum" }).apply(yt, yp), sum(per));
  assertClose(new losses.MeanSquaredError({ reduction: "none" }).apply(yt, yp), per);
  // null is Python's None: no reduction.
  const none = new losses.MeanSquaredError({ reduction: null });
  assert.equal(none.reduction, "none");
  assertClose(none.apply(yt, yp), per);
  const w = [2, 0.5];
  const weighted = per.map((v, i) => v * w[i]);
  assertClose(new losses.MeanSquaredError().apply(yt, yp, f32(w)), sum(weighted) / 2);
  assertClose(new losses.MeanSquaredError().apply(yt, yp, f32([[2], [0.5]])), sum(weighted) / 2);
  assertClose(new losses.MeanSquaredError({ reduction: "sum" }).apply(yt, yp, f32(w)), sum(weighted));
  assertClose(new losses.MeanSquaredError({ reduction: "none" }).apply(yt, yp, f32(w)), weighted);
  assertClose(new losses.MeanSquaredError({ reduction: "mean_with_sample_weight" }).apply(yt, yp, f32(w)), sum(weighted) / sum(w));
  assert.throws(() => new losses.MeanSquaredError({ reduction: "avg" as losses.Reduction }), /invalid reduction 'avg'/);
});

test("LossFunctionWrapper lines up [N] labels against [N, 1] predictions before calling the function", () => {
  const fn = (t: Tensor, p: Tensor) => ops.mean(ops.square(ops.subtract(t, p)), -1);
  const wrapper = new losses.LossFunctionWrapper(fn, { name: "my_mse", reduction: "none" });
  assertClose(wrapper.apply(f32([1, 2, 3]), f32([[1], [0], [5]])), [0, 4, 4]);
  assert.equal(wrapper.name, "my_mse");
});

test("loss classes: default names, class names and snake_case configs", () => {
  const cases: [losses.Loss, string, string][] = [
    [new losses.MeanSquaredError(), "mean_squared_error", "MeanSquaredError"],
    [new losses.MeanAbsoluteError(), "mean_absolute_error", "MeanAbsoluteError"],
    [new losses.MeanAbsolutePercentageError(), "mean_absolute_percentage_error", "MeanAbsolutePercentageError"],
    [new losses.MeanSquaredLogarithmicError(), "mean_squared_logarithmic_error", "MeanSquaredLogarithmicError"],
    [new losses.CosineSimilarity(), "cosine_similarity", "CosineSimilarity"],
    [new losses.Huber(), "huber_loss", "Huber"],
    [new losses.LogCosh(), "log_cosh", "LogCosh"],
    [new losses.Hinge(), "hinge", "Hinge"],
    [new losses.SquaredHinge(), "squared_hinge", "SquaredHinge"],
    [new losses.CategoricalHinge(), "categorical_hinge", "CategoricalHinge"],
    [new losses.KLDivergence(), "kl_divergence", "KLDivergence"],
    [new losses.Poisson(), "poisson", "Poisson"],
    [new losses.BinaryCrossentropy(), "binary_crossentropy", "BinaryCrossentropy"],
    [new losses.CategoricalCrossentropy(), "categorical_crossentropy", "CategoricalCrossentropy"],
    [new losses.SparseCategoricalCrossentropy(), "sparse_categorical_crossentropy", "SparseCategoricalCrossentropy"],
  ];
  for (const [loss, name, cls] of cases) {
    assert.equal(loss.name, name);
    assert.equal(loss.className(), cls);
    assert.equal(loss.reduction, "sum_over_batch_size");
    assert.ok(loss instanceof losses.LossFunctionWrapper);
  }
  assert.deepEqual(new losses.BinaryCrossentropy({ fromLogits: true, labelSmoothing: 0.1, name: "bce" }).getConfig(), {
    name: "bce",
    reduction: "sum_over_batch_size",
    from_logits: true,
    label_smoothing: 0.1,
    axis: -1,
  });
  assert.deepEqual(new losses.CategoricalCrossentropy({ reduction: "sum" }).getConfig(), {
    name: "categorical_crossentropy",
    reduction: "sum",
    from_logits: false,
    label_smoothing: 0,
    axis: -1,
  });
  assert.deepEqual(new losses.Huber({ delta: 2 }).getConfig(), { name: "huber_loss", reduction: "sum_over_batch_size", delta: 2 });
  assert.deepEqual(new losses.MeanSquaredError().getConfig(), { name: "mean_squared_error", reduction: "sum_over_batch_size" });
  assertClose(new losses.Huber({ delta: 2 }).apply(f32([[0, 0, 0]]), f32([[0.5, 2, -3]])), mean([0.125, 2, 4]));
});

test("get: strings in Keras's spellings resolve to the loss function; class names to new instances", () => {
  const functionCases: [string, losses.LossFn][] = [
    ["mean_squared_error", losses.meanSquaredError],
    ["mse", losses.meanSquaredError],
    ["MSE", losses.meanSquaredError],
    ["mean_absolute_error", losses.meanAbsoluteError],
    ["mae", losses.meanAbsoluteError],
    ["MAE", losses.meanAbsoluteError],
    ["mean_absolute_percentage_error", losses.meanAbsolutePercentageError],
    ["mape", losses.meanAbsolutePercentageError],
    ["MAPE", losses.meanAbsolutePercentageError],
    ["mean_squared_logarithmic_error", losses.meanSquaredLogarithmicError],
    ["msle", losses.meanSquaredLogarithmicError],
    ["MSLE", losses.meanSquaredLogarithmicError],
    ["kl_divergence", losses.klDivergence],
    ["kld", losses.klDivergence],
    ["KLD", losses.klDivergence],
    ["kullback_leibler_divergence", losses.klDivergence],
    ["huber", losses.huber],
    ["log_cosh", losses.logCosh],
    ["logcosh", losses.logCosh],
    ["hinge", losses.hinge],
    ["squared_hinge", losses.squaredHinge],
    ["categorical_hinge", losses.categoricalHinge],
    ["poisson", losses.poisson],
    ["cosine_similarity", losses.cosineSimilarity],
    ["binary_crossentropy", losses.binaryCrossentropy],
    ["bce", losses.binaryCrossentropy],
    ["BCE", losses.binaryCrossentropy],
    ["categorical_crossentropy", losses.categoricalCrossentropy],
    ["sparse_categorical_crossentropy", losses.sparseCategoricalCrossentropy],
    ["sparseCategoricalCrossentropy", losses.sparseCategoricalCrossentropy],
  ];
  for (const [name, fn] of functionCases) assert.equal(losses.get(name), fn, name);

  const classCases: [string, new () => losses.Loss, string][] = [
    ["SparseCategoricalCrossentropy", losses.SparseCategoricalCrossentropy, "sparse_categorical_crossentropy"],
    ["CategoricalCrossentropy", losses.CategoricalCrossentropy, "categorical_crossentropy"],
    ["BinaryCrossentropy", losses.BinaryCrossentropy, "binary_crossentropy"],
    ["MeanSquaredError", losses.MeanSquaredError, "mean_squared_error"],
    ["MeanAbsoluteError", losses.MeanAbsoluteError, "mean_absolute_error"],
    ["MeanAbsolutePercentageError", losses.MeanAbsolutePercentageError, "mean_absolute_percentage_error"],
    ["MeanSquaredLogarithmicError", losses.MeanSquaredLogarithmicError, "mean_squared_logarithmic_error"],
    ["Huber", losses.Huber, "huber_loss"],
    ["LogCosh", losses.LogCosh, "log_cosh"],
    ["Hinge", losses.Hinge, "hinge"],
    ["SquaredHinge", losses.SquaredHinge, "squared_hinge"],
    ["CategoricalHinge", losses.CategoricalHinge, "categorical_hinge"],
    ["KLDivergence", losses.KLDivergence, "kl_divergence"],
    ["Poisson", losses.Poisson, "poisson"],
    ["CosineSimilarity", losses.CosineSimilarity, "cosine_similarity"],
  ];
  for (const [name, cls, defaultName] of classCases) {
    const a = losses.get(name);
    assert.ok(a instanceof cls, name);
    assert.equal((a as losses.Loss).name, defaultName);
    assert.notEqual(losses.get(name), a, "a new instance each time");
  }

  const instance = new losses.Huber();
  assert.equal(losses.get(instance), instance);
  const custom = (t: Tensor, p: Tensor) => ops.abs(ops.subtract(t, p));
  assert.equal(losses.get(custom), custom);
});

test("get: unknown names throw, suggesting the closest name and listing the known ones", () => {
  assert.throws(
    () => losses.get("sparse_categorical_crossentropyy"),
    (e: Error) =>
      e.message.startsWith("Unknown loss: 'sparse_categorical_crossentropyy'.") &&
      e.message.includes("Did you mean 'sparse_categorical_crossentropy'?") &&
      e.message.includes("mean_squared_error") &&
      e.message.includes("SparseCategoricalCrossentropy"),
  );
  assert.throws(() => losses.get("not_a_loss"), /Unknown loss: 'not_a_loss'/);
  assert.throws(() => losses.get({ class_name: "NoSuchLoss", config: {} } as never), /Unknown loss: 'NoSuchLoss'/);
});

test("get/serialize: serialized configs round-trip", () => {
  const loss = losses.get({ class_name: "CategoricalCrossentropy", config: { from_logits: true, label_smoothing: 0.1, axis: -1, name: "cce", reduction: "sum" } } as never);
  assert.ok(loss instanceof losses.CategoricalCrossentropy);
  assert.equal(loss.fromLogits, true);
  assert.equal(loss.labelSmoothing, 0.1);
  assert.equal(loss.name, "cce");
  assert.equal(loss.reduction, "sum");
  for (const original of [new losses.Huber({ delta: 0.5 }), new losses.SparseCategoricalCrossentropy({ fromLogits: true }), new losses.BinaryCrossentropy({ labelSmoothing: 0.2, reduction: "none" })]) {
    const serialized = losses.serialize(original);
    assert.equal(serialized.class_name, original.className());
    assert.equal(serialized.module, "keras.losses");
    const restored = losses.get(JSON.parse(JSON.stringify(serialized))) as losses.Loss;
    assert.deepEqual(restored.getConfig(), original.getConfig());
  }
  assert.deepEqual(losses.serialize(losses.meanSquaredError), { module: "keras.losses", class_name: "function", config: "mean_squared_error", registered_name: "function" });
  assert.equal(losses.get(losses.serialize(losses.poisson)), losses.poisson);
  const wrapped = losses.get({ class_name: "LossFunctionWrapper", config: { fn: "mean_absolute_error", name: "mae", reduction: "sum" } } as never);
  assert.ok(wrapped instanceof losses.LossFunctionWrapper);
  assertClose((wrapped as losses.Loss).apply(f32([[1, 2]]), f32([[2, 4]])), 1.5);
});
