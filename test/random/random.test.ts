import { test } from "node:test";
import assert from "node:assert/strict";
import * as ops from "../../src/ops/index.js";
import * as random from "../../src/random/index.js";
import * as utils from "../../src/utils/index.js";
import type { Tensor } from "../../src/backend/tensor.js";
import type { DType } from "../../src/backend/dtypes.js";
import { Variable } from "../../src/backend/variable.js";
import { grad } from "../../src/autodiff/grad.js";
import { float32Below, foldSeed, Xoshiro128 } from "../../src/random/prng.js";

const values = (t: Tensor): number[] => Array.from(t.dataSync());

function stats(xs: number[]): { mean: number; std: number; min: number; max: number } {
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const x of xs) {
    sum += x;
    if (x < min) min = x;
    if (x > max) max = x;
  }
  const mean = sum / xs.length;
  let sq = 0;
  for (const x of xs) sq += (x - mean) ** 2;
  return { mean, std: Math.sqrt(sq / xs.length), min, max };
}

test("an integer seed gives the same numbers on every call; different seeds differ", () => {
  for (const draw of [
    (seed: number) => random.normal([50], { seed }),
    (seed: number) => random.uniform([50], { seed }),
    (seed: number) => random.truncatedNormal([50], { seed }),
    (seed: number) => random.randint([50], 0, 1000, { seed }),
    (seed: number) => random.shuffle(ops.arange(50), { seed }),
    (seed: number) => random.dropout(ops.ones([50]), 0.5, { seed }),
  ]) {
    assert.deepEqual(values(draw(7)), values(draw(7)));
    assert.notDeepEqual(values(draw(7)), values(draw(8)));
  }
});

test("a SeedGenerator gives new numbers on each call, reproducibly; its first draw matches the integer seed", () => {
  const gen = new random.SeedGenerator(42);
  const a = values(random.normal([20], { seed: gen }));
  const b = values(random.normal([20], { seed: gen }));
  assert.notDeepEqual(a, b);
  const again = new random.SeedGenerator(42);
  assert.deepEqual(values(random.normal([20], { seed: again })), a);
  assert.deepEqual(values(random.normal([20], { seed: again })), b);
  assert.deepEqual(values(random.normal([20], { seed: 42 })), a);
  assert.notDeepEqual(values(random.normal([20], { seed: new random.SeedGenerator(43) })), a);
});

test("SeedGenerator keeps its state in a non-trainable int32 variable [seed, counter]", () => {
  const gen = new random.SeedGenerator(5);
  assert.ok(gen.state instanceof Variable);
  assert.equal(gen.state.dtype, "int32");
  assert.equal(gen.state.trainable, false);
  assert.deepEqual(gen.state.value.arraySync(), [5, 0]);
  const first = gen.next();
  assert.deepEqual(first.arraySync(), [5, 0]);
  assert.deepEqual(gen.state.value.arraySync(), [5, 1]);
  random.uniform([3], { seed: gen });
  assert.deepEqual(gen.state.value.arraySync(), [5, 2]);
  assert.deepEqual(gen.getConfig(), { seed: 5 });
  assert.match(gen.name, /^seed_generator(_\d+)?$/);
  assert.equal(new random.SeedGenerator(1, { name: "mine" }).name, "mine");
  assert.deepEqual(new random.SeedGenerator().getConfig(), { seed: null });
});

test("setRandomSeed makes unseeded draws and unseeded SeedGenerators reproducible", () => {
  const run = (seed: number) => {
    utils.setRandomSeed(seed);
    const a = values(random.normal([10]));
    const b = values(random.uniform([10]));
    const c = values(random.dropout(ops.ones([10]), 0.5));
    const d = values(random.normal([10], { seed: new random.SeedGenerator() }));
    return [a, b, c, d];
  };
  const first = run(123);
  const second = run(123);
  assert.deepEqual(second, first);
  const other = run(124);
  for (let i = 0; i < first.length; i++) assert.notDeepEqual(other[i], first[i]);
  // Successive unseeded draws differ.
  assert.notDeepEqual(first[0], values(random.normal([10])));
  assert.equal(utils.getRandomSeed(), 124);
});

test("seed errors", () => {
  assert.throws(() => random.normal([2], { seed: 1.5 }), (e: Error) => e instanceof TypeError && /normal: seed must be an integer, got 1.5/.test(e.message));
  assert.throws(() => random.uniform([2], { seed: "1" as never }), /uniform: seed must be an integer or a keras.random.SeedGenerator, got string/);
  assert.throws(() => new random.SeedGenerator(0.5), /SeedGenerator: seed must be an integer/);
  assert.throws(() => utils.setRandomSeed(1.5), /setRandomSeed: expected an integer seed, got 1.5/);
  assert.throws(() => utils.setRandomSeed("1" as never), /expected an integer seed, got string/);
  // Negative and large seeds are fine and distinct.
  assert.notDeepEqual(values(random.normal([4], { seed: -1 })), values(random.normal([4], { seed: 2 ** 32 - 1 + 2 ** 32 })));
  assert.notDeepEqual(values(random.normal([4], { seed: 1 })), values(random.normal([4], { seed: 2 ** 32 + 1 })));
});

test("normal: 100k samples have the requested mean and standard deviation", () => {
  const t = random.normal([100, 1000], { seed: 1 });
  assert.equal(t.dtype, "float32");
  assert.deepEqual(t.shape, [100, 1000]);
  const s = stats(values(t));
  assert.ok(Math.abs(s.mean) < 0.02, `mean ${s.mean}`);
  assert.ok(Math.abs(s.std - 1) < 0.02, `std ${s.std}`);
  assert.ok(s.min < -3.5 && s.max > 3.5, "the tails are reached");
  const shifted = stats(values(random.normal([100000], { mean: 5, stddev: 0.5, seed: 2 })));
  assert.ok(Math.abs(shifted.mean - 5) < 0.01, `mean ${shifted.mean}`);
  assert.ok(Math.abs(shifted.std - 0.5) < 0.01, `std ${shifted.std}`);
  // Odd sizes and empty shapes.
  assert.equal(random.normal([3], { seed: 1 }).size, 3);
  assert.equal(random.normal([0, 2], { seed: 1 }).size, 0);
  assert.deepEqual(random.normal([], { seed: 1 }).shape, []);
});

test("truncatedNormal: every value within two standard deviations, spread of the truncated law", () => {
  const xs = values(random.truncatedNormal([100000], { mean: 1, stddev: 2, seed: 3 }));
  const s = stats(xs);
  assert.ok(s.min >= 1 - 4 && s.max <= 1 + 4, `range [${s.min}, ${s.max}]`);
  assert.ok(s.min < -2.9 && s.max > 4.9, "values come close to the cut");
  assert.ok(Math.abs(s.mean - 1) < 0.03, `mean ${s.mean}`);
  // The standard normal cut at ±2 has standard deviation 0.8796.
  assert.ok(Math.abs(s.std - 2 * 0.8796) < 0.03, `std ${s.std}`);
});

test("uniform: values in [minval, maxval), uniformly spread", () => {
  const xs = values(random.uniform([100000], { seed: 4 }));
  const s = stats(xs);
  assert.ok(s.min >= 0 && s.max < 1, `range [${s.min}, ${s.max}]`);
  assert.ok(Math.abs(s.mean - 0.5) < 0.01, `mean ${s.mean}`);
  assert.ok(Math.abs(s.std - Math.sqrt(1 / 12)) < 0.01, `std ${s.std}`);
  const ys = stats(values(random.uniform([100000], { minval: -3, maxval: -1, seed: 5 })));
  assert.ok(ys.min >= -3 && ys.max < -1);
  assert.ok(Math.abs(ys.mean + 2) < 0.02);
  // The bound stays exclusive even where float32 rounding would reach it.
  const tight = values(random.uniform([20000], { minval: 1, maxval: 1 + 2 ** -22, seed: 6 }));
  assert.ok(tight.every((v) => v >= 1 && v < 1 + 2 ** -22));
  assert.deepEqual(values(random.uniform([2], { minval: 3, maxval: 3, seed: 1 })), [3, 3]);
});

test("randint: integers in [minval, maxval), every value hit about equally", () => {
  const t = random.randint([60000], -2, 4, { seed: 9 });
  assert.equal(t.dtype, "int32");
  const counts = new Map<number, number>();
  for (const v of values(t)) counts.set(v, (counts.get(v) ?? 0) + 1);
  assert.deepEqual([...counts.keys()].sort((a, b) => a - b), [-2, -1, 0, 1, 2, 3]);
  for (const [v, c] of counts) assert.ok(Math.abs(c - 10000) < 500, `value ${v} drawn ${c} times`);
  const u = random.randint([100], 250, 256, { dtype: "uint8", seed: 1 });
  assert.equal(u.dtype, "uint8");
  assert.ok(values(u).every((v) => v >= 250 && v <= 255));
});

test("random ops validate their arguments", () => {
  assert.throws(() => random.normal([2], { dtype: "int32" }), (e: Error) => e instanceof TypeError && /normal: requires a floating-point dtype, got int32/.test(e.message));
  assert.throws(() => random.uniform([2], { dtype: "bool" }), /uniform: requires a floating-point dtype, got bool/);
  assert.throws(() => random.truncatedNormal([2], { dtype: "float64" as DType }), /unsupported dtype "float64"/);
  assert.throws(() => random.normal([2, -1]), /normal: shape must be an array of non-negative integers/);
  assert.throws(() => random.normal([2], { stddev: NaN }), /normal: stddev must be a finite number/);
  assert.throws(() => random.truncatedNormal([2], { mean: Infinity }), /truncatedNormal: mean must be a finite number/);
  assert.throws(() => random.uniform([2], { minval: 2, maxval: 1 }), /uniform: minval \(2\) must not exceed maxval \(1\)/);
  assert.throws(() => random.randint([2], 3, 3), /randint: minval \(3\) must be less than maxval \(3\)/);
  assert.throws(() => random.randint([2], 0.5, 3), /randint: minval and maxval must be integers/);
  assert.throws(() => random.randint([2], 0, 300, { dtype: "uint8" }), /randint: \[0, 300\) does not fit in uint8/);
  assert.throws(() => random.randint([2], 0, 3, { dtype: "float32" }), /randint: requires an integer dtype/);
});

test("shuffle: a permutation along the axis, whole slices kept together", () => {
  const x = ops.arange(1000);
  const s = values(random.shuffle(x, { seed: 11 }));
  assert.notDeepEqual(s, values(x));
  assert.deepEqual([...s].sort((a, b) => a - b), values(x));
  const m = ops.reshape(ops.arange(12), [4, 3]);
  const rows = random.shuffle(m, { seed: 1 }).arraySync() as number[][];
  assert.deepEqual(rows.map((r) => r[0]).sort((a, b) => a - b), [0, 3, 6, 9]);
  for (const r of rows) assert.deepEqual(r, [r[0], r[0] + 1, r[0] + 2]);
  const cols = random.shuffle(m, { axis: -1, seed: 2 }).arraySync() as number[][];
  const perm = cols[0];
  assert.deepEqual([...perm].sort(), [0, 1, 2]);
  cols.forEach((r, i) => assert.deepEqual(r, perm.map((p) => p + 3 * i)));
  const b = random.shuffle(ops.convertToTensor([true, false, false]), { seed: 3 });
  assert.equal(b.dtype, "bool");
  assert.equal(values(b).filter((v) => v === 1).length, 1);
  assert.throws(() => random.shuffle(ops.convertToTensor(1)), /shuffle: cannot shuffle a rank-0 tensor/);
  assert.throws(() => random.shuffle(m, { axis: 2 }), /shuffle: axis 2 is out of bounds for a tensor of rank 2/);
});

test("shuffle is differentiable: the gradient is un-shuffled", () => {
  const x = ops.arange(6, undefined, 1, "float32");
  const w = ops.convertToTensor([1, 2, 3, 4, 5, 6], "float32");
  const perm = values(random.shuffle(x, { seed: 21 }));
  const g = grad((t: Tensor) => ops.sum(ops.multiply(random.shuffle(t, { seed: 21 }), w)))(x);
  const expected = new Array<number>(6);
  perm.forEach((p, i) => (expected[p] = i + 1));
  assert.deepEqual(values(g), expected);
});

test("dropout: zeroes about `rate` of the elements and scales survivors by 1/(1-rate)", () => {
  const rate = 0.3;
  const out = random.dropout(ops.ones([100000]), rate, { seed: 12 });
  assert.equal(out.dtype, "float32");
  const xs = values(out);
  const zeros = xs.filter((v) => v === 0).length;
  assert.ok(Math.abs(zeros / xs.length - rate) < 0.01, `dropped ${zeros / xs.length}`);
  const scale = Math.fround(1 / (1 - rate));
  assert.ok(xs.every((v) => v === 0 || v === scale), "survivors are scaled by 1/(1-rate)");
  assert.ok(Math.abs(stats(xs).mean - 1) < 0.01, "the expected value is preserved");
  // Values, not just ones, are scaled.
  const y = values(random.dropout(ops.convertToTensor([2, -4, 6, 8], "float32"), 0.5, { seed: 1 }));
  y.forEach((v, i) => assert.ok(v === 0 || v === [2, -4, 6, 8][i] * 2));
  // Integer inputs give float32.
  assert.equal(random.dropout(ops.convertToTensor([1, 2]), 0.5, { seed: 1 }).dtype, "float32");
});

test("dropout edge rates: 0 keeps everything, 1 drops everything", () => {
  const x = ops.convertToTensor([1, 2, 3], "float32");
  assert.deepEqual(values(random.dropout(x, 0, { seed: 1 })), [1, 2, 3]);
  assert.deepEqual(values(random.dropout(x, 1, { seed: 1 })), [0, 0, 0]);
  // rate 0 still draws a seed, so a generator's stream does not depend on the rate.
  const gen = new random.SeedGenerator(3);
  random.dropout(x, 0, { seed: gen });
  assert.deepEqual(gen.state.value.arraySync(), [3, 1]);
  assert.throws(() => random.dropout(x, 1.5), /dropout: rate must be a number in \[0, 1\], got 1.5/);
  assert.throws(() => random.dropout(x, -0.1), /rate must be a number in \[0, 1\]/);
  assert.throws(() => random.dropout(x, NaN), /rate must be a number in \[0, 1\]/);
});

test("dropout noiseShape shares the mask across broadcast axes", () => {
  const x = ops.ones([50, 4, 8]);
  const out = random.dropout(x, 0.5, { noiseShape: [50, 1, 8], seed: 13 }).arraySync() as number[][][];
  for (const sample of out) for (const row of sample) assert.deepEqual(row, sample[0]);
  const nulls = random.dropout(x, 0.5, { noiseShape: [null, 1, null], seed: 13 }).arraySync();
  assert.deepEqual(nulls, out);
  assert.throws(() => random.dropout(x, 0.5, { noiseShape: [50, 8] }), /dropout: noiseShape \[50,8\] does not fit inputs of shape \[50,4,8\]/);
  assert.throws(() => random.dropout(x, 0.5, { noiseShape: [50, 2, 8] }), /does not fit inputs/);
});

test("dropout is differentiable: the gradient is the same mask times the same scale", () => {
  const x = ops.convertToTensor([[1, 2, 3, 4], [5, 6, 7, 8]], "float32");
  const mask = values(random.dropout(ops.onesLike(x), 0.5, { seed: 31 }));
  assert.ok(mask.includes(0) && mask.includes(2), "the mask drops some and keeps some");
  const g = grad((t: Tensor) => ops.sum(random.dropout(t, 0.5, { seed: 31 })))(x);
  assert.deepEqual(values(g), mask);
  const gb = grad((t: Tensor) => ops.sum(random.dropout(t, 0.5, { noiseShape: [2, 1], seed: 4 })))(x);
  const rows = gb.arraySync() as number[][];
  for (const r of rows) assert.ok(r.every((v) => v === r[0]) && (r[0] === 0 || r[0] === 2));
});

test("the generator: injective seeding, 32-bit outputs, float32 helpers", () => {
  const a = new Xoshiro128(1, 0);
  const b = new Xoshiro128(0, 1);
  const c = new Xoshiro128(1, 0);
  const outA = [a.nextUint32(), a.nextUint32()];
  assert.notDeepEqual(outA, [b.nextUint32(), b.nextUint32()]);
  assert.deepEqual(outA, [c.nextUint32(), c.nextUint32()]);
  for (let i = 0; i < 1000; i++) {
    const u = a.nextUint32();
    assert.ok(Number.isInteger(u) && u >= 0 && u < 2 ** 32);
  }
  assert.equal(foldSeed(123), 123);
  assert.equal(foldSeed(2 ** 32 - 1), 2 ** 32 - 1);
  assert.notEqual(foldSeed(-1), foldSeed(2 ** 32 - 1));
  assert.notEqual(foldSeed(2 ** 32 + 5), 5);
  assert.equal(float32Below(1), 1 - 2 ** -24);
  assert.equal(float32Below(-1), -(1 + 2 ** -23));
  assert.ok(float32Below(0.1) < 0.1 && Math.fround(float32Below(0.1)) === float32Below(0.1));
});

test("keras.random and keras.utils are exported from the package entry", async () => {
  const keras = await import("../../src/index.js");
  assert.equal(keras.random.normal, random.normal);
  assert.equal(keras.random.SeedGenerator, random.SeedGenerator);
  assert.equal(keras.utils.setRandomSeed, utils.setRandomSeed);
});
