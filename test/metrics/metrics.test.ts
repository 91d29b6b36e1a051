import { test } from "node:test";
import assert from "node:assert/strict";
import * as metrics from "../../src/metrics/index.js";
import * as ops from "../../src/ops/index.js";
import type { Tensor } from "../../src/backend/tensor.js";

import { assertClose, f32, i32 } from "../helpers/close.js";

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const weightedMean = (xs: number[], ws: number[]) => sum(xs.map((x, i) => x * ws[i])) / sum(ws);

test("accuracy metrics accumulate over two updates and reset", () => {
  const acc = new metrics.Accuracy();
  assert.equal(acc.name, "accuracy");
  acc.updateState(f32([[1], [2], [3], [4]]), f32([[0], [2], [3], [4]]));
  assertClose(acc.result(), 0.75);
  acc.updateState(f32([1, 2]), f32([0, 0]));
  assertClose(acc.result(), 3 / 6);
  acc.resetState();
  assertClose(acc.result(), 0);
  acc.updateState(f32([[1], [2], [3], [4]]), f32([[0], [2], [3], [4]]), f32([1, 1, 0, 0]));
  assertClose(acc.result(), 0.5);

  const bin = new metrics.BinaryAccuracy();
  assert.equal(bin.name, "binary_accuracy");
  bin.updateState(f32([[1], [1], [0], [0]]), f32([[0.98], [1], [0], [0.6]]));
  assertClose(bin.result(), 0.75);
  bin.updateState(f32([1, 0]), f32([0.5, 0.4])); // 0.5 is not > 0.5: a miss, then a hit
  assertClose(bin.result(), 4 / 6);
  bin.resetState();
  bin.updateState(f32([[1], [1], [0], [0]]), f32([[0.98], [1], [0], [0.6]]), f32([1, 0, 0, 1]));
  assertClose(bin.result(), 0.5);
  const strict = new metrics.BinaryAccuracy({ threshold: 0.7 });
  strict.updateState(f32([1, 1, 0]), f32([0.65, 0.75, 0.69]));
  assertClose(strict.result(), 2 / 3);
  assert.deepEqual(strict.getConfig(), { name: "binary_accuracy", dtype: "float32", threshold: 0.7 });
  assert.throws(() => new metrics.BinaryAccuracy({ threshold: 1 }), /threshold must be in the open interval \(0, 1\)/);
  // Multi-label rows: the mean over the last axis per sample.
  assertClose(metrics.binaryAccuracy(f32([[1, 0], [1, 1]]), f32([[0.9, 0.8], [0.7, 0.6]])), [0.5, 1]);

  const cat = new metrics.CategoricalAccuracy();
  assert.equal(cat.name, "categorical_accuracy");
  cat.updateState(f32([[0, 0, 1], [0, 1, 0]]), f32([[0.1, 0.9, 0.8], [0.05, 0.95, 0]]), f32([0.7, 0.3]));
  assertClose(cat.result(), 0.3);
  cat.updateState(f32([[1, 0, 0]]), f32([[0.5, 0.2, 0.3]]), f32([1]));
  assertClose(cat.result(), (0.3 + 1) / 2);
  assert.throws(() => cat.updateState(f32([2, 1]), f32([[0.1, 0.9, 0.8], [0.05, 0.95, 0]])), /categorical_accuracy: .*\[2\].*\[2,3\].*use sparse_categorical_accuracy/);

  const sparse = new metrics.SparseCategoricalAccuracy();
  assert.equal(sparse.name, "sparse_categorical_accuracy");
  sparse.updateState(f32([[2], [1]]), f32([[0.1, 0.6, 0.3], [0.05, 0.95, 0]]), f32([0.7, 0.3]));
  assertClose(sparse.result(), 0.3);
  sparse.updateState(i32([0, 2, 2]), f32([[0.9, 0.1, 0], [0, 0.2, 0.8], [0.5, 0.4, 0.1]]));
  assertClose(sparse.result(), (0.3 + 2) / 4);
  sparse.resetState();
  assertClose(sparse.result(), 0);
  assertClose(metrics.sparseCategoricalAccuracy(i32([1, 0]), f32([[0.2, 0.8], [0.3, 0.7]])), [1, 0]);
});

test("categorical accuracies: the unweighted batch path counts what the per-sample functions give", () => {
  // Ties (the first maximum wins), NaN predictions (the first NaN wins, as argmax), float labels
  // that are no class (2.5), an out-of-range label, uint8 and [N, 1] labels.
  const pred = f32([[0.2, 0.2, 0.1], [NaN, 0.9, 0.1], [0.1, NaN, NaN], [0.3, 0.3, 0.4], [0.5, 0.1, 0.4], [0.1, 0.1, 0.8]]);
  const sparseLabels: Tensor[] = [
    i32([0, 0, 1, 2, 0, 7]),
    f32([0, 1, 1, 2.5, 0, 2]),
    ops.convertToTensor([1, 0, 1, 2, 0, 2], "uint8"),
    ops.reshape(i32([0, 0, 2, 2, 1, 2]), [6, 1]),
  ];
  for (const labels of sparseLabels) {
    const m = new metrics.SparseCategoricalAccuracy();
    m.updateState(labels, pred);
    const expected = ops.mean(metrics.sparseCategoricalAccuracy(labels, pred)).item();
    assert.equal(m.result().item(), expected, `sparse labels ${labels.toString()}`);
  }
  const oneHot = f32([[1, 0, 0], [0, 1, 0], [0, 0, 1], [0, 0, 1], [1, 1, 0], [NaN, 0, 1]]);
  const m = new metrics.CategoricalAccuracy();
  m.updateState(oneHot, pred);
  m.updateState(oneHot, pred);
  const expected = ops.mean(metrics.categoricalAccuracy(oneHot, pred)).item();
  assert.equal(m.result().item(), expected);
  assert.equal(expected, 3 / 6);
});

test("top-k accuracy: k defaults to 5; ties at the boundary count as in", () => {
  const scores = [
    [0.1, 0.2, 0.3, 0.4, 0.5, 0.6],
    [0.6, 0.5, 0.4, 0.3, 0.2, 0.1],
  ];
  const onehot = (i: number) => Array.from({ length: 6 }, (_, j) => (j === i ? 1 : 0));
  // Class 0 is the lowest in row 0 (out of the top 5) and the highest in row 1.
  const topk = new metrics.TopKCategoricalAccuracy();
  assert.equal(topk.k, 5);
  assert.equal(topk.name, "top_k_categorical_accuracy");
  topk.updateState(f32([onehot(0), onehot(0)]), f32(scores));
  assertClose(topk.result(), 0.5);
  topk.updateState(f32([onehot(1)]), f32([scores[0]]));
  assertClose(topk.result(), 2 / 3);
  const top1 = new metrics.TopKCategoricalAccuracy({ k: 1 });
  top1.updateState(f32([[0, 0, 1], [0, 1, 0]]), f32([[0.1, 0.9, 0.8], [0.05, 0.95, 0]]), f32([0.7, 0.3]));
  assertClose(top1.result(), 0.3);
  // Ties: with k = 1 a target tied for the top counts.
  assertClose(metrics.topKCategoricalAccuracy(f32([[0, 1, 0]]), f32([[0.4, 0.4, 0.2]]), 1), [1]);

  const sparse = new metrics.SparseTopKCategoricalAccuracy({ k: 2 });
  assert.equal(sparse.name, "sparse_top_k_categorical_accuracy");
  sparse.updateState(i32([2, 1, 0]), f32([[0.1, 0.5, 0.4], [0.2, 0.1, 0.7], [0.3, 0.3, 0.4]]));
  // row 0: 0.4 is 2nd -> in; row 1: 0.1 is 3rd -> out; row 2: 0.3 tied for 2nd -> in.
  assertClose(sparse.result(), 2 / 3);
  sparse.updateState(f32([[1]]), f32([[0.2, 0.7, 0.1]]));
  assertClose(sparse.result(), 3 / 4);
  assert.throws(() => sparse.updateState(i32([3]), f32([[0.2, 0.7, 0.1]])), /label value of 3, which is outside the valid range of \[0, 3\)/);
  assert.throws(() => new metrics.TopKCategoricalAccuracy({ k: 0 }), /k must be a positive integer/);
});

/** Plain-JS binary cross-entropy of one element, clipped as Keras. */
const bce = (t: number, p: number) => {
  const pc = Math.min(Math.max(p, 1e-7), Math.fround(1 - 1e-7));
  return -(t * Math.log(pc) + (1 - t) * Math.log(1 - pc));
};

test("probabilistic metrics average the per-sample crossentropy over every sample seen", () => {
  const b = new metrics.BinaryCrossentropy();
  assert.equal(b.name, "binary_crossentropy");
  b.updateState(f32([[0, 1], [0, 0]]), f32([[0.6, 0.4], [0.4, 0.6]]));
  b.updateState(f32([[1, 1]]), f32([[0.9, 0.2]]));
  const rows = [mean([bce(0, 0.6), bce(1, 0.4)]), mean([bce(0, 0.4), bce(0, 0.6)]), mean([bce(1, 0.9), bce(1, 0.2)])];
  assertClose(b.result(), mean(rows));
  const logits = new metrics.BinaryCrossentropy({ fromLogits: true, labelSmoothing: 0.1 });
  logits.updateState(f32([[1], [0]]), f32([[0], [2]]));
  const sig = (x: number) => 1 / (1 + Math.exp(-x));
  assertClose(logits.result(), mean([bce(0.95, sig(0)), bce(0.05, sig(2))]), 1e-4);
  assert.deepEqual(logits.getConfig(), { name: "binary_crossentropy", dtype: "float32", from_logits: true, label_smoothing: 0.1 });

  const c = new metrics.CategoricalCrossentropy();
  assert.equal(c.name, "categorical_crossentropy");
  c.updateState(f32([[0, 1, 0], [0, 0, 1]]), f32([[0.05, 0.95, 0], [0.1, 0.8, 0.1]]));
  assertClose(c.result(), 1.1769392, 1e-5);
  c.updateState(f32([[1, 0, 0]]), f32([[0.5, 0.25, 0.25]]), f32([2]));
  assertClose(c.result(), (-Math.log(0.95) - Math.log(0.1) - 2 * Math.log(0.5)) / 4);

  const s = new metrics.SparseCategoricalCrossentropy({ fromLogits: true });
  assert.equal(s.name, "sparse_categorical_crossentropy");
  s.updateState(i32([1]), f32([[0, Math.log(3)]])); // softmax [1/4, 3/4]
  s.updateState(i32([0, 0]), f32([[0, 0], [Math.log(3), 0]]));
  assertClose(s.result(), mean([-Math.log(0.75), -Math.log(0.5), -Math.log(0.75)]));
  s.resetState();
  assertClose(s.result(), 0);
  assert.throws(() => s.updateState(i32([2]), f32([[0, 0]])), /label value of 2, which is outside the valid range of \[0, 2\)/);

  const kl = new metrics.KLDivergence();
  kl.updateState(f32([[0.2, 0.8]]), f32([[0.4, 0.6]]));
  assertClose(kl.result(), 0.2 * Math.log(0.5) + 0.8 * Math.log(0.8 / 0.6));
  const po = new metrics.Poisson();
  po.updateState(f32([[1, 2]]), f32([[0.5, 2]]));
  assertClose(po.result(), mean([0.5 - Math.log(0.5 + 1e-7), 2 - 2 * Math.log(2 + 1e-7)]));
});

test("regression metrics, including RootMeanSquaredError over two weighted updates", () => {
  const yt = [
    [0, 1],
    [0, 0],
  ];
  const yp = [
    [1, 1],
    [0, 0],
  ];
  const mse = new metrics.MeanSquaredError();
  assert.equal(mse.name, "mean_squared_error");
  mse.updateState(f32(yt), f32(yp));
  assertClose(mse.result(), 0.25);
  mse.updateState(f32([[2, 2]]), f32([[0, 0]]));
  assertClose(mse.result(), (0.5 + 0 + 4) / 3);

  const mae = new metrics.MeanAbsoluteError();
  mae.updateState(f32(yt), f32(yp), f32([1, 0]));
  assertClose(mae.result(), 0.5);
  mae.updateState(f32([[3, 1]]), f32([[0, 0]]), f32([2]));
  assertClose(mae.result(), (0.5 + 2 * 2) / 3);

  const rmse = new metrics.RootMeanSquaredError();
  assert.equal(rmse.name, "root_mean_squared_error");
  rmse.updateState(f32(yt), f32(yp));
  assertClose(rmse.result(), 0.5);
  rmse.updateState(f32([[3, 1]]), f32([[0, 0]]), f32([2]));
  // Squared errors 1,0,0,0 (weight 1) and 9,1 (weight 2): sqrt((1 + 2 * 10) / (4 + 4)).
  assertClose(rmse.result(), Math.sqrt(21 / 8));
  rmse.resetState();
  assertClose(rmse.result(), 0);
  rmse.updateState(f32(yt), f32(yp), f32([1, 0]));
  assertClose(rmse.result(), Math.SQRT1_2);

  const mape = new metrics.MeanAbsolutePercentageError();
  mape.updateState(f32([[2, 4]]), f32([[1, 5]]));
  assertClose(mape.result(), 100 * mean([0.5, 0.25]));
  const msle = new metrics.MeanSquaredLogarithmicError();
  msle.updateState(f32(yt), f32(yp));
  assertClose(msle.result(), Math.log(2) ** 2 / 4);
  const logcosh = new metrics.LogCoshError();
  assert.equal(logcosh.name, "logcosh");
  logcosh.updateState(f32(yt), f32(yp));
  assertClose(logcosh.result(), Math.log(Math.cosh(1)) / 4);

  const cos = new metrics.CosineSimilarity({ axis: 1 });
  cos.updateState(f32([[0, 1], [1, 1]]), f32([[1, 0], [1, 1]]), f32([0.3, 0.7]));
  assertClose(cos.result(), 0.7);
  cos.updateState(f32([[1, 0]]), f32([[-2, 0]]));
  assertClose(cos.result(), (0.7 - 1) / 2);
});

test("hinge metrics", () => {
  const h = new metrics.Hinge();
  h.updateState(f32([[0, 1]]), f32([[0.3, -0.2]]));
  assertClose(h.result(), mean([1.3, 1.2]));
  const sh = new metrics.SquaredHinge();
  sh.updateState(f32([[-1, 1]]), f32([[0.3, 0.5]]));
  assertClose(sh.result(), mean([1.3 ** 2, 0.5 ** 2]));
  const ch = new metrics.CategoricalHinge();
  ch.updateState(f32([[0, 1, 0]]), f32([[0.2, 0.5, 0.3]]));
  assertClose(ch.result(), 0.8);
});

test("precision and recall: threshold 0.5, lists of thresholds, sample weights, classId, topK", () => {
  const p = new metrics.Precision();
  assert.equal(p.name, "precision");
  p.updateState(f32([0, 1, 1, 1]), f32([1, 0, 1, 1]));
  assertClose(p.result(), 2 / 3);
  p.updateState(f32([1, 0]), f32([0.6, 0.2]));
  assertClose(p.result(), 3 / 4);
  p.resetState();
  assertClose(p.result(), 0);
  p.updateState(f32([0, 1, 1, 1]), f32([1, 0, 1, 1]), f32([0, 0, 1, 0]));
  assertClose(p.result(), 1);

  const r = new metrics.Recall();
  assert.equal(r.name, "recall");
  r.updateState(f32([0, 1, 1, 1]), f32([1, 0, 1, 1]));
  assertClose(r.result(), 2 / 3);
  r.updateState(f32([[1], [1]]), f32([[0.5], [0.51]])); // 0.5 is not above the threshold
  assertClose(r.result(), 3 / 5);

  // Several thresholds give one value each.
  const multi = new metrics.Precision({ thresholds: [0.25, 0.75] });
  multi.updateState(f32([1, 0, 1, 0]), f32([0.3, 0.5, 0.8, 0.9]));
  // > 0.25: all four predicted positive, 2 true -> 0.5; > 0.75: 0.8 (true) and 0.9 (false) -> 0.5.
  assertClose(multi.result(), [0.5, 0.5]);
  multi.updateState(f32([1]), f32([0.5]));
  assertClose(multi.result(), [3 / 5, 0.5]);

  // classId: only column 1 counts.
  const col = new metrics.Recall({ classId: 1 });
  col.updateState(f32([[1, 1], [0, 1], [1, 0]]), f32([[0.9, 0.2], [0.1, 0.8], [0.9, 0.9]]));
  assertClose(col.result(), 0.5);

  // topK: only the 2 highest scores per row can be positive.
  const top = new metrics.Precision({ topK: 2 });
  top.updateState(f32([[0, 0, 1, 1]]), f32([[1, 1, 1, 1]]));
  assertClose(top.result(), 0); // ties go to the lower indices: columns 0 and 1
  const top2 = new metrics.Recall({ topK: 2 });
  top2.updateState(f32([[1, 0, 1, 1]]), f32([[0.1, 0.5, 0.7, 0.6]]));
  assertClose(top2.result(), 2 / 3);
  assert.deepEqual(top2.getConfig(), { name: "recall", dtype: "float32", thresholds: null, top_k: 2, class_id: null });
  assert.throws(() => new metrics.Precision({ thresholds: [0.5, 1.5] }), /threshold values must be in \[0, 1\]/);
});

test("confusion counts", () => {
  const yt = f32([0, 1, 1, 0, 1]);
  const yp = f32([0.9, 0.8, 0.3, 0.1, 0.6]);
  const counts: [metrics.Metric, number][] = [
    [new metrics.TruePositives(), 2],
    [new metrics.FalsePositives(), 1],
    [new metrics.TrueNegatives(), 1],
    [new metrics.FalseNegatives(), 1],
  ];
  for (const [m, expected] of counts) {
    m.updateState(yt, yp);
    m.updateState(yt, yp, f32([1, 1, 1, 1, 0]));
    assertClose(m.result(), 2 * expected - (m.className() === "TruePositives" ? 1 : 0));
  }
  const tp = new metrics.TruePositives({ thresholds: [0, 0.5, 0.85] });
  tp.updateState(yt, yp);
  assertClose(tp.result(), [3, 2, 0]);
});

test("AUC on a hand-checkable example (3 thresholds), with weights, two updates and reset", () => {
  // thresholds [-1e-7, 0.5, 1 + 1e-7]; y = [0, 0, 1, 1], p = [0, 0.5, 0.3, 0.9]
  // tp = [2, 1, 0], fp = [2, 0, 0], fn = [0, 1, 2], tn = [0, 2, 2]
  // recall = [1, 0.5, 0], fp_rate = [1, 0, 0]
  // auc = (1 - 0) * (1 + 0.5) / 2 + (0 - 0) * (0.5 + 0) / 2 = 0.75
  const auc = new metrics.AUC({ numThresholds: 3 });
  assert.equal(auc.name, "auc");
  assertClose(ops.convertToTensor(auc.thresholds), [-1e-7, 0.5, 1 + 1e-7]);
  auc.updateState(f32([0, 0, 1, 1]), f32([0, 0.5, 0.3, 0.9]));
  assertClose(auc.result(), 0.75);
  auc.resetState();
  assertClose(auc.result(), 0);
  auc.updateState(f32([0, 0, 1, 1]), f32([0, 0.5, 0.3, 0.9]), f32([1, 0, 0, 1]));
  assertClose(auc.result(), 1);
  // Two updates equal one update with all the data.
  auc.resetState();
  auc.updateState(f32([0, 0]), f32([0, 0.5]));
  auc.updateState(f32([1, 1]), f32([0.3, 0.9]));
  assertClose(auc.result(), 0.75);

  // PR curve on the same counts: recall x = [1, 0.5, 0], precision y = [0.5, 1, 0].
  const major = new metrics.AUC({ numThresholds: 3, curve: "PR", summationMethod: "majoring" });
  major.updateState(f32([0, 0, 1, 1]), f32([0, 0.5, 0.3, 0.9]));
  assertClose(major.result(), 0.5 * 1 + 0.5 * 1);
  const minor = new metrics.AUC({ numThresholds: 3, curve: "PR", summationMethod: "minoring" });
  minor.updateState(f32([0, 0, 1, 1]), f32([0, 0.5, 0.3, 0.9]));
  assertClose(minor.result(), 0.5 * 0.5 + 0.5 * 0);
  // Interpolated PR (Davis & Goadrich): P = tp + fp = [4, 1, 0], slopes [1/3, 1], intercepts [2/3, 0].
  const pr = new metrics.AUC({ numThresholds: 3, curve: "PR" });
  pr.updateState(f32([0, 0, 1, 1]), f32([0, 0.5, 0.3, 0.9]));
  assertClose(pr.result(), ((1 / 3) * (1 + (2 / 3) * Math.log(4))) / 2 + (1 * 1) / 2);
});

test("AUC with the default 200 thresholds equals the pairwise ROC AUC for well-separated scores", () => {
  const y = [0, 0, 1, 1, 0, 1];
  const p = [0.1, 0.4, 0.35, 0.8, 0.65, 0.9];
  // Positive-negative pairs ranked correctly: 0.35 > 0.1; 0.8 and 0.9 beat all three: 7 of 9.
  const auc = new metrics.AUC();
  assert.equal(auc.numThresholds, 200);
  assert.equal(auc.curve, "ROC");
  assert.equal(auc.summationMethod, "interpolation");
  auc.updateState(f32(y), f32(p));
  assertClose(auc.result(), 7 / 9, 1e-5);
  // fromLogits applies a sigmoid first.
  const logits = new metrics.AUC({ fromLogits: true });
  logits.updateState(f32(y), f32(p.map((v) => Math.log(v / (1 - v)))));
  assertClose(logits.result(), 7 / 9, 1e-5);
  // multiLabel: one AUC per column, averaged. Column 1 is perfectly ranked (AUC 1).
  const ml = new metrics.AUC({ multiLabel: true });
  ml.updateState(
    f32(y.map((v, i) => [v, i % 2])),
    f32(p.map((v, i) => [v, i % 2 === 1 ? 0.9 : 0.2])),
  );
  assertClose(ml.result(), (7 / 9 + 1) / 2, 1e-5);
  assert.deepEqual(metrics.serialize(new metrics.AUC({ numThresholds: 50, curve: "PR" })).config, {
    name: "auc",
    dtype: "float32",
    num_thresholds: 50,
    curve: "PR",
    summation_method: "interpolation",
    multi_label: false,
    num_labels: null,
    label_weights: null,
    from_logits: false,
  });
});

test("F1Score and FBetaScore: per class by default, micro/macro/weighted averages, argmax mode", () => {
  const yt = [
    [1, 1, 1],
    [1, 0, 0],
    [1, 1, 0],
  ];
  const yp = [
    [0.2, 0.6, 0.7],
    [0.2, 0.6, 0.6],
    [0.6, 0.8, 0.0],
  ];
  // threshold 0.5 -> predictions [[0,1,1],[0,1,1],[1,1,0]]:
  // class 0: tp 1, fp 0, fn 2 -> P 1, R 1/3; class 1: tp 2, fp 1, fn 0; class 2: tp 1, fp 1, fn 0.
  const f1 = (pr: number, rc: number) => (2 * pr * rc) / (pr + rc);
  const perClass = [f1(1, 1 / 3), f1(2 / 3, 1), f1(1 / 2, 1)];
  const m = new metrics.F1Score({ threshold: 0.5 });
  assert.equal(m.name, "f1_score");
  m.updateState(f32(yt), f32(yp));
  assertClose(m.result(), perClass, 1e-5);
  const macro = new metrics.F1Score({ threshold: 0.5, average: "macro" });
  macro.updateState(f32(yt), f32(yp));
  assertClose(macro.result(), mean(perClass), 1e-5);
  const micro = new metrics.F1Score({ threshold: 0.5, average: "micro" });
  micro.updateState(f32(yt), f32(yp));
  assertClose(micro.result(), f1(4 / 6, 4 / 6), 1e-5); // tp 4, fp 2, fn 2
  const weighted = new metrics.F1Score({ threshold: 0.5, average: "weighted" });
  weighted.updateState(f32(yt), f32(yp));
  assertClose(weighted.result(), weightedMean(perClass, [3, 2, 1]), 1e-5);
  // Two updates (second batch is the first two rows again) equal one with all rows.
  const twice = new metrics.F1Score({ threshold: 0.5 });
  twice.updateState(f32(yt), f32(yp));
  twice.updateState(f32(yt.slice(0, 2)), f32(yp.slice(0, 2)));
  const all = new metrics.F1Score({ threshold: 0.5 });
  all.updateState(f32([...yt, ...yt.slice(0, 2)]), f32([...yp, ...yp.slice(0, 2)]));
  assertClose(twice.result(), all.result().arraySync() as number[]);
  twice.resetState();
  assertClose(twice.result(), [0, 0, 0]);

  // No threshold: the row maximum (ties included) is the prediction: [[0,0,1],[0,1,1],[0,1,0]].
  const argmax = new metrics.F1Score();
  argmax.updateState(f32(yt), f32(yp));
  // class 0: never predicted -> 0; class 1: labels [1,0,1] vs [0,1,1] -> tp 1, fp 1, fn 1;
  // class 2: labels [1,0,0] vs [1,1,0] -> tp 1, fp 1, fn 0.
  assertClose(argmax.result(), [0, f1(1 / 2, 1 / 2), f1(1 / 2, 1)], 1e-5);

  const fb = new metrics.FBetaScore({ beta: 2, threshold: 0.5 });
  assert.equal(fb.name, "fbeta_score");
  fb.updateState(f32(yt), f32(yp));
  const fbeta = (pr: number, rc: number) => (5 * pr * rc) / (4 * pr + rc);
  assertClose(fb.result(), [fbeta(1, 1 / 3), fbeta(2 / 3, 1), fbeta(1 / 2, 1)], 1e-5);
  assert.throws(() => new metrics.F1Score({ average: "mean" as never }), /invalid average 'mean'/);
  assert.throws(() => new metrics.F1Score().updateState(f32([1, 0]), f32([0.2, 0.8])), /expects 2D inputs/);
  assert.deepEqual(new metrics.F1Score({ average: "macro", threshold: 0.4 }).getConfig(), { name: "f1_score", dtype: "float32", average: "macro", threshold: 0.4 });
});

test("Mean and Sum", () => {
  const m = new metrics.Mean();
  m.updateState(f32([1, 2, 3]));
  m.updateState(f32([10]), f32([3]));
  assertClose(m.result(), (6 + 30) / 6);
  const s = new metrics.Sum();
  s.updateState(f32([1, 2, 3]));
  s.updateState(f32([4]));
  assertClose(s.result(), 10);
  s.resetState();
  assertClose(s.result(), 0);
  assertClose(new metrics.Mean().result(), 0);
});

test("get: every string alias resolves to a new instance of the right class", () => {
  const cases: [string, new () => metrics.Metric, string][] = [
    ["accuracy", metrics.Accuracy, "accuracy"],
    ["acc", metrics.Accuracy, "accuracy"],
    ["Accuracy", metrics.Accuracy, "accuracy"],
    ["binary_accuracy", metrics.BinaryAccuracy, "binary_accuracy"],
    ["BinaryAccuracy", metrics.BinaryAccuracy, "binary_accuracy"],
    ["categorical_accuracy", metrics.CategoricalAccuracy, "categorical_accuracy"],
    ["sparse_categorical_accuracy", metrics.SparseCategoricalAccuracy, "sparse_categorical_accuracy"],
    ["sparseCategoricalAccuracy", metrics.SparseCategoricalAccuracy, "sparse_categorical_accuracy"],
    ["top_k_categorical_accuracy", metrics.TopKCategoricalAccuracy, "top_k_categorical_accuracy"],
    ["sparse_top_k_categorical_accuracy", metrics.SparseTopKCategoricalAccuracy, "sparse_top_k_categorical_accuracy"],
    ["mse", metrics.MeanSquaredError, "mean_squared_error"],
    ["MSE", metrics.MeanSquaredError, "mean_squared_error"],
    ["mean_squared_error", metrics.MeanSquaredError, "mean_squared_error"],
    ["mae", metrics.MeanAbsoluteError, "mean_absolute_error"],
    ["MAE", metrics.MeanAbsoluteError, "mean_absolute_error"],
    ["mean_absolute_error", metrics.MeanAbsoluteError, "mean_absolute_error"],
    ["mape", metrics.MeanAbsolutePercentageError, "mean_absolute_percentage_error"],
    ["msle", metrics.MeanSquaredLogarithmicError, "mean_squared_logarithmic_error"],
    ["root_mean_squared_error", metrics.RootMeanSquaredError, "root_mean_squared_error"],
    ["cosine_similarity", metrics.CosineSimilarity, "cosine_similarity"],
    ["log_cosh_error", metrics.LogCoshError, "logcosh"],
    ["auc", metrics.AUC, "auc"],
    ["AUC", metrics.AUC, "auc"],
    ["precision", metrics.Precision, "precision"],
    ["recall", metrics.Recall, "recall"],
    ["true_positives", metrics.TruePositives, "true_positives"],
    ["false_negatives", metrics.FalseNegatives, "false_negatives"],
    ["f1_score", metrics.F1Score, "f1_score"],
    ["fbeta_score", metrics.FBetaScore, "fbeta_score"],
    ["binary_crossentropy", metrics.BinaryCrossentropy, "binary_crossentropy"],
    ["bce", metrics.BinaryCrossentropy, "binary_crossentropy"],
    ["categorical_crossentropy", metrics.CategoricalCrossentropy, "categorical_crossentropy"],
    ["sparse_categorical_crossentropy", metrics.SparseCategoricalCrossentropy, "sparse_categorical_crossentropy"],
    ["kl_divergence", metrics.KLDivergence, "kl_divergence"],
    ["poisson", metrics.Poisson, "poisson"],
    ["hinge", metrics.Hinge, "hinge"],
    ["squared_hinge", metrics.SquaredHinge, "squared_hinge"],
    ["categorical_hinge", metrics.CategoricalHinge, "categorical_hinge"],
    ["mean", metrics.Mean, "mean"],
    ["sum", metrics.Sum, "sum"],
  ];
  for (const [id, cls, name] of cases) {
    const m = metrics.get(id);
    assert.ok(m instanceof cls, `${id} -> ${cls.name}`);
    assert.equal((m as metrics.Metric).name, name, id);
    assert.notEqual(metrics.get(id), m, "a new instance each time");
  }
  const instance = new metrics.AUC();
  assert.equal(metrics.get(instance), instance);
  const fn = (t: Tensor, p: Tensor) => ops.abs(ops.subtract(t, p));
  assert.equal(metrics.get(fn), fn);
  assert.throws(
    () => metrics.get("acuracy"),
    (e: Error) => e.message.startsWith("Unknown metric: 'acuracy'.") && e.message.includes("Did you mean 'accuracy'?") && e.message.includes("sparse_categorical_accuracy"),
  );
  assert.throws(() => metrics.get("f2_score"), /Unknown metric: 'f2_score'/);
});

test("get/serialize: configs round-trip", () => {
  const originals: metrics.Metric[] = [
    new metrics.BinaryAccuracy({ threshold: 0.3, name: "ba" }),
    new metrics.TopKCategoricalAccuracy({ k: 3 }),
    new metrics.Precision({ thresholds: [0.2, 0.4], classId: 1 }),
    new metrics.AUC({ thresholds: [0.3, 0.6], curve: "PR", summationMethod: "minoring" }),
    new metrics.F1Score({ average: "weighted", threshold: 0.5 }),
    new metrics.CategoricalCrossentropy({ fromLogits: true, labelSmoothing: 0.1 }),
  ];
  for (const original of originals) {
    const serialized = metrics.serialize(original);
    assert.equal(serialized.module, "keras.metrics");
    assert.equal(serialized.class_name, original.className());
    const restored = metrics.get(JSON.parse(JSON.stringify(serialized))) as metrics.Metric;
    assert.equal(restored.className(), original.className());
    assert.deepEqual(restored.getConfig(), original.getConfig());
  }
  const fromKeras = metrics.get({ class_name: "BinaryAccuracy", config: { name: "bin", dtype: "float32", threshold: 0.8 } } as never) as metrics.BinaryAccuracy;
  assert.equal(fromKeras.threshold, 0.8);
  assert.equal(fromKeras.name, "bin");
});
