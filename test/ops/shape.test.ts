import { test } from "node:test";
import assert from "node:assert/strict";
import * as keras from "../../src/index.js";
import { checkGradients, randomTensor } from "../helpers/gradcheck.js";

const { ops } = keras;
type Tensor = keras.Tensor;

const f32 = (v: keras.NestedArray) => ops.convertToTensor(v, "float32");
const x23 = () => f32([[1, 2, 3], [4, 5, 6]]);
const arange = (shape: number[], dtype: keras.DType = "float32") => {
  const n = shape.reduce((a, b) => a * b, 1);
  return ops.reshape(ops.convertToTensor(Array.from({ length: n }, (_, i) => i), dtype), shape);
};
const shapeOf = (t: Tensor) => [...t.shape];

test("reshape, transpose and broadcastTo", () => {
  assert.deepEqual(ops.reshape(x23(), [3, -1]).arraySync(), [[1, 2], [3, 4], [5, 6]]);
  assert.deepEqual(ops.transpose(x23()).arraySync(), [[1, 4], [2, 5], [3, 6]]);
  assert.deepEqual(ops.transpose(arange([2, 1, 3]), [2, 0, 1]).arraySync(), [[[0], [3]], [[1], [4]], [[2], [5]]]);
  assert.deepEqual(ops.broadcastTo(f32([1, 2]), [2, 2]).arraySync(), [[1, 2], [1, 2]]);
  assert.throws(() => ops.reshape(x23(), [4, 2]), /reshape: cannot reshape tensor of shape \[2,3\] \(6 elements\) into shape \[4,2\] \(8 elements\)/);
  assert.throws(() => ops.reshape(x23(), [4, -1]), /reshape: cannot reshape tensor of shape \[2,3\]/);
  assert.throws(() => ops.reshape(x23(), [-1, -1]), /reshape: invalid target shape/);
  assert.throws(() => ops.transpose(x23(), [0, 0]), /transpose: axes \[0,0\] are not a permutation/);
  assert.throws(() => ops.broadcastTo(f32([1, 2]), [3]), /broadcastTo/);
});

test("expandDims and squeeze", () => {
  const x = x23();
  assert.deepEqual(shapeOf(ops.expandDims(x, 0)), [1, 2, 3]);
  assert.deepEqual(shapeOf(ops.expandDims(x, 1)), [2, 1, 3]);
  assert.deepEqual(shapeOf(ops.expandDims(x, -1)), [2, 3, 1]);
  assert.deepEqual(shapeOf(ops.expandDims(x, [0, 3])), [1, 2, 3, 1]);
  assert.deepEqual(shapeOf(ops.expandDims(x, [-1, 0])), [1, 2, 3, 1]);
  assert.deepEqual(ops.expandDims(x, 1).arraySync(), [[[1, 2, 3]], [[4, 5, 6]]]);
  assert.deepEqual(shapeOf(ops.expandDims(f32(5), 0)), [1]);
  const y = arange([1, 2, 1]);
  assert.deepEqual(shapeOf(ops.squeeze(y)), [2]);
  assert.deepEqual(ops.squeeze(y).arraySync(), [0, 1]);
  assert.deepEqual(shapeOf(ops.squeeze(y, 0)), [2, 1]);
  assert.deepEqual(shapeOf(ops.squeeze(y, [-1])), [1, 2]);
  assert.deepEqual(shapeOf(ops.squeeze(y, [0, 2])), [2]);
  assert.deepEqual(shapeOf(ops.squeeze(f32([[7]]))), []);
  assert.throws(() => ops.squeeze(y, 1), /^Error: squeeze: cannot squeeze axis 1 of a tensor of shape \[1,2,1\]: its size is 2, not 1$/);
  assert.throws(() => ops.squeeze(y, 3), /squeeze: axis 3 is out of bounds for a tensor of rank 3/);
  assert.throws(() => ops.expandDims(x, 3), /expandDims: axis 3 is out of bounds for a tensor of rank 3/);
  assert.throws(() => ops.expandDims(x, [0, 0]), /expandDims: repeated axis/);
});

test("concatenate along any axis, with dtype promotion", () => {
  const a = x23();
  const b = f32([[7, 8, 9]]);
  assert.deepEqual(ops.concatenate([a, b]).arraySync(), [[1, 2, 3], [4, 5, 6], [7, 8, 9]]);
  assert.deepEqual(ops.concatenate([a, f32([[0], [-1]])], 1).arraySync(), [[1, 2, 3, 0], [4, 5, 6, -1]]);
  assert.deepEqual(ops.concatenate([a, f32([[0], [-1]])], -1).arraySync(), [[1, 2, 3, 0], [4, 5, 6, -1]]);
  assert.deepEqual(ops.concatenate([f32([1]), f32([2, 3]), f32([4])]).arraySync(), [1, 2, 3, 4]);
  assert.deepEqual(ops.concatenate([a, ops.zeros([0, 3])]).arraySync(), [[1, 2, 3], [4, 5, 6]]);
  assert.deepEqual(ops.concatenate([arange([2, 2, 1]), arange([2, 2, 2])], 2).arraySync(), [[[0, 0, 1], [1, 2, 3]], [[2, 4, 5], [3, 6, 7]]]);
  const mixed = ops.concatenate([ops.convertToTensor([1, 2]), f32([0.5])]);
  assert.equal(mixed.dtype, "float32");
  assert.deepEqual(mixed.arraySync(), [1, 2, 0.5]);
  const bi = ops.concatenate([ops.convertToTensor([true]), ops.convertToTensor([3])]);
  assert.equal(bi.dtype, "int32");
  assert.deepEqual(bi.arraySync(), [1, 3]);
  assert.equal(ops.concatenate([ops.convertToTensor([true]), ops.convertToTensor([false])]).dtype, "bool");
  assert.throws(() => ops.concatenate([a, f32([[1, 2, 3, 4]])]), /^Error: concatenate: shapes \[2,3\] and \[1,4\] do not match except along axis 0$/);
  assert.throws(() => ops.concatenate([a, f32([[1], [2], [3]])], 1), /concatenate: shapes \[2,3\] and \[3,1\] do not match except along axis 1/);
  assert.throws(() => ops.concatenate([a, f32([1, 2, 3])]), /concatenate: shapes \[2,3\] and \[3\].*ranks 2 and 1 differ/);
  assert.throws(() => ops.concatenate([a, b], 2), /concatenate: axis 2 is out of bounds for a tensor of rank 2/);
  assert.throws(() => ops.concatenate([]), /concatenate: need a non-empty array/);
  assert.throws(() => ops.concatenate([f32(1), f32(2)]), /concatenate: zero-rank tensors/);
});

test("stack and unstack", () => {
  const a = f32([1, 2]);
  const b = f32([3, 4]);
  assert.deepEqual(ops.stack([a, b]).arraySync(), [[1, 2], [3, 4]]);
  assert.deepEqual(ops.stack([a, b], 1).arraySync(), [[1, 3], [2, 4]]);
  assert.deepEqual(ops.stack([a, b], -1).arraySync(), [[1, 3], [2, 4]]);
  assert.deepEqual(ops.stack([f32(1), f32(2)]).arraySync(), [1, 2]);
  assert.throws(() => ops.stack([a, f32([1, 2, 3])]), /^Error: stack: all tensors must have the same shape, got \[2\] and \[3\]$/);
  assert.throws(() => ops.stack([a, b], 2), /stack: axis 2 is out of bounds for a tensor of rank 2/);
  const parts = ops.unstack(x23());
  assert.deepEqual(parts.map((p) => p.arraySync()), [[1, 2, 3], [4, 5, 6]]);
  assert.deepEqual(ops.unstack(x23(), 3, 1).map((p) => p.arraySync()), [[1, 4], [2, 5], [3, 6]]);
  assert.deepEqual(ops.unstack(x23(), null, -1).map((p) => p.arraySync()), [[1, 4], [2, 5], [3, 6]]);
  assert.throws(() => ops.unstack(x23(), 3), /unstack: num is 3 but axis 0 of a tensor of shape \[2,3\] has size 2/);
});

test("split into equal sections or at indices (NumPy semantics)", () => {
  const x = arange([6]);
  assert.deepEqual(ops.split(x, 3).map((p) => p.arraySync()), [[0, 1], [2, 3], [4, 5]]);
  assert.deepEqual(ops.split(x, [2, 5]).map((p) => p.arraySync()), [[0, 1], [2, 3, 4], [5]]);
  assert.deepEqual(ops.split(x, [-2]).map((p) => p.arraySync()), [[0, 1, 2, 3], [4, 5]]);
  assert.deepEqual(ops.split(x, [4, 2, 9]).map((p) => p.arraySync()), [[0, 1, 2, 3], [], [2, 3, 4, 5], []]);
  assert.deepEqual(ops.split(x, []).map((p) => p.arraySync()), [[0, 1, 2, 3, 4, 5]]);
  const m = arange([2, 4]);
  assert.deepEqual(ops.split(m, 2, 1).map((p) => p.arraySync()), [[[0, 1], [4, 5]], [[2, 3], [6, 7]]]);
  assert.deepEqual(ops.split(m, [1], -1).map((p) => p.arraySync()), [[[0], [4]], [[1, 2, 3], [5, 6, 7]]]);
  assert.deepEqual(ops.split(ops.zeros([0, 2]), 2).map(shapeOf), [[0, 2], [0, 2]]);
  assert.throws(() => ops.split(x, 4), /^Error: split: axis 0 of size 6 \(tensor of shape \[6\]\) cannot be split into 4 equal sections$/);
  assert.throws(() => ops.split(x, 0), /split: number of sections must be a positive integer, got 0/);
  assert.throws(() => ops.split(x, [1.5]), /split: indicesOrSections must be/);
  assert.throws(() => ops.split(m, 2, 2), /split: axis 2 is out of bounds for a tensor of rank 2/);
});

test("tile and repeat", () => {
  assert.deepEqual(ops.tile(f32([1, 2]), 2).arraySync(), [1, 2, 1, 2]);
  assert.deepEqual(ops.tile(f32([[1, 2]]), [2, 2]).arraySync(), [[1, 2, 1, 2], [1, 2, 1, 2]]);
  assert.deepEqual(ops.tile(f32([1, 2]), [2, 1, 2]).arraySync(), [[[1, 2, 1, 2]], [[1, 2, 1, 2]]]);
  assert.deepEqual(ops.tile(x23(), [2]).arraySync(), [[1, 2, 3, 1, 2, 3], [4, 5, 6, 4, 5, 6]]);
  assert.deepEqual(shapeOf(ops.tile(x23(), [0, 1])), [0, 3]);
  assert.deepEqual(ops.tile(x23(), [1, 1]).arraySync(), [[1, 2, 3], [4, 5, 6]]);
  assert.equal(ops.tile(ops.convertToTensor([true]), 2).dtype, "bool");
  assert.throws(() => ops.tile(x23(), [-1, 1]), /tile: repeats must be non-negative integers/);

  const m = f32([[1, 2], [3, 4]]);
  assert.deepEqual(ops.repeat(m, 2).arraySync(), [1, 1, 2, 2, 3, 3, 4, 4]);
  assert.deepEqual(ops.repeat(m, 2, 0).arraySync(), [[1, 2], [1, 2], [3, 4], [3, 4]]);
  assert.deepEqual(ops.repeat(m, [1, 2], 1).arraySync(), [[1, 2, 2], [3, 4, 4]]);
  assert.deepEqual(ops.repeat(m, [0, 3], -2).arraySync(), [[3, 4], [3, 4], [3, 4]]);
  assert.deepEqual(ops.repeat(m, ops.convertToTensor([2, 0]), 1).arraySync(), [[1, 1], [3, 3]]);
  assert.deepEqual(ops.repeat(m, [2], 1).arraySync(), [[1, 1, 2, 2], [3, 3, 4, 4]]);
  assert.deepEqual(shapeOf(ops.repeat(m, 0, 1)), [2, 0]);
  assert.throws(() => ops.repeat(m, [1, 2, 3], 1), /^Error: repeat: repeats has 3 entries but axis 1 of a tensor of shape \[2,2\] has size 2$/);
  assert.throws(() => ops.repeat(m, -1), /repeat: repeats must be non-negative integers/);
  assert.throws(() => ops.repeat(m, 2, 2), /repeat: axis 2 is out of bounds/);
});

test("take: flattened, along an axis, negative indices, any index shape", () => {
  const x = arange([3, 4]);
  assert.deepEqual(ops.take(x, [0, 5, 11]).arraySync(), [0, 5, 11]);
  assert.deepEqual(ops.take(x, [2, 0], 0).arraySync(), [[8, 9, 10, 11], [0, 1, 2, 3]]);
  assert.deepEqual(ops.take(x, [[0, -1]], 1).arraySync(), [[[0, 3]], [[4, 7]], [[8, 11]]]);
  assert.deepEqual(shapeOf(ops.take(x, [[0, -1]], 1)), [3, 1, 2]);
  assert.deepEqual(ops.take(x, 1, 1).arraySync(), [1, 5, 9]);
  assert.deepEqual(ops.take(x, -1).arraySync(), 11);
  assert.deepEqual(ops.take(x, [1, 1, 1], 0).arraySync(), [[4, 5, 6, 7], [4, 5, 6, 7], [4, 5, 6, 7]]);
  assert.deepEqual(ops.take(x, ops.convertToTensor([2], "uint8"), -2).arraySync(), [[8, 9, 10, 11]]);
  assert.deepEqual(ops.take(x, new Int32Array([3, -4]), 1).arraySync(), [[3, 0], [7, 4], [11, 8]]);
  assert.deepEqual(shapeOf(ops.take(x, [], 0)), [0, 4]);
  assert.deepEqual(ops.take(ops.convertToTensor([true, false]), [1, 0]).arraySync(), [false, true]);
  assert.equal(ops.take(ops.convertToTensor([5, 6]), [1]).dtype, "int32");
  assert.throws(() => ops.take(x, [0, 3], 0), /^RangeError: take: index 3 is out of bounds for axis 0 with size 3 \(tensor of shape \[3,4\]\)$/);
  assert.throws(() => ops.take(x, [-5], 1), /take: index -5 is out of bounds for axis 1 with size 4/);
  assert.throws(() => ops.take(x, [12]), /take: index 12 is out of bounds for axis 0 with size 12/);
  assert.throws(() => ops.take(x, [0], 2), /take: axis 2 is out of bounds for a tensor of rank 2/);
  assert.throws(() => ops.take(x, [true]), /take: indices must be integers, got a bool tensor/);
  assert.throws(() => ops.take(ops.zeros([0]), [0]), /take: index 0 is out of bounds for axis 0 with size 0/);
});

test("takeAlongAxis, with broadcasting and negative indices", () => {
  const x = f32([[10, 30, 20], [60, 40, 50]]);
  assert.deepEqual(ops.takeAlongAxis(x, [[1], [0]], 1).arraySync(), [[30], [60]]);
  assert.deepEqual(ops.takeAlongAxis(x, ops.expandDims(ops.argmax(x, 1), 1), 1).arraySync(), [[30], [60]]);
  assert.deepEqual(ops.takeAlongAxis(x, [[0, 2]], 1).arraySync(), [[10, 20], [60, 50]]);
  assert.deepEqual(ops.takeAlongAxis(x, [[1, 0, 1]], 0).arraySync(), [[60, 30, 50]]);
  assert.deepEqual(ops.takeAlongAxis(x, [[-1], [-3]], -1).arraySync(), [[20], [60]]);
  assert.deepEqual(ops.takeAlongAxis(f32([[5], [7]]), [[0, 0, 0]], 0).arraySync(), [[5, 5, 5]]);
  assert.deepEqual(ops.takeAlongAxis(x, [5, 0]).arraySync(), [50, 10]);
  assert.deepEqual(shapeOf(ops.takeAlongAxis(x, ops.zeros([2, 0], "int32"), 1)), [2, 0]);
  assert.throws(() => ops.takeAlongAxis(x, [1, 0], 1), /takeAlongAxis: indices must have the same rank as x: x has shape \[2,3\], indices \[2\]/);
  assert.throws(() => ops.takeAlongAxis(x, [[0], [1], [2]], 1), /takeAlongAxis: x of shape \[2,3\] and indices of shape \[3,1\] cannot be broadcast/);
  assert.throws(() => ops.takeAlongAxis(x, [[3], [0]], 1), /takeAlongAxis: index 3 is out of bounds for axis 1 with size 3/);
  assert.throws(() => ops.takeAlongAxis(x, [[0]]), /takeAlongAxis: with axis null, indices must be 1-d/);
});

test("slice takes a box given start indices and shape", () => {
  const x = x23();
  assert.deepEqual(ops.slice(x, [0, 1], [2, 2]).arraySync(), [[2, 3], [5, 6]]);
  assert.deepEqual(ops.slice(x, [1, 0], [1, 3]).arraySync(), [[4, 5, 6]]);
  assert.deepEqual(ops.slice(x, [1, 1], [-1, -1]).arraySync(), [[5, 6]]);
  assert.deepEqual(shapeOf(ops.slice(x, [2, 0], [0, 3])), [0, 3]);
  assert.deepEqual(ops.slice(arange([2, 3, 4]), [1, 1, 2], [1, 2, 2]).arraySync(), [[[18, 19], [22, 23]]]);
  assert.deepEqual(ops.slice(x, ops.convertToTensor([0, 2]), [2, 1]).arraySync(), [[3], [6]]);
  assert.throws(() => ops.slice(x, [0, 2], [2, 2]), /^RangeError: slice: start \[0,2\] with shape \[2,2\] is out of bounds for a tensor of shape \[2,3\] \(axis 1/);
  assert.throws(() => ops.slice(x, [-1, 0], [1, 1]), /slice: start \[-1,0\] .* out of bounds/);
  assert.throws(() => ops.slice(x, [0], [1]), /slice: startIndices must be 2 integers for a tensor of shape \[2,3\]/);
  assert.throws(() => ops.slice(x, [0, 0], [1, 1.5]), /slice: shape must be 2 integers/);
});

test("pad: constant with every padWidth form, and the reflecting modes", () => {
  assert.deepEqual(ops.pad(f32([1, 2]), [[1, 2]]).arraySync(), [0, 1, 2, 0, 0]);
  assert.deepEqual(ops.pad(f32([1, 2]), [1, 2]).arraySync(), [0, 1, 2, 0, 0]);
  assert.deepEqual(ops.pad(f32([1, 2]), 1).arraySync(), [0, 1, 2, 0]);
  assert.deepEqual(ops.pad(f32([1, 2]), [1]).arraySync(), [0, 1, 2, 0]);
  const x = x23();
  assert.deepEqual(ops.pad(x, [[1, 0], [0, 2]]).arraySync(), [[0, 0, 0, 0, 0], [1, 2, 3, 0, 0], [4, 5, 6, 0, 0]]);
  assert.deepEqual(ops.pad(x, [[0, 1]], "constant", 9).arraySync(), [[1, 2, 3, 9], [4, 5, 6, 9], [9, 9, 9, 9]]);
  assert.deepEqual(ops.pad(x, [[1], [0]]).arraySync(), [[0, 0, 0], [1, 2, 3], [4, 5, 6], [0, 0, 0]]);
  assert.deepEqual(ops.pad(x, 0).arraySync(), [[1, 2, 3], [4, 5, 6]]);
  const i = ops.pad(ops.convertToTensor([1, 2]), 1, "constant", 7);
  assert.equal(i.dtype, "int32");
  assert.deepEqual(i.arraySync(), [7, 1, 2, 7]);
  assert.deepEqual(ops.pad(ops.convertToTensor([false]), 1, "constant", 5).arraySync(), [true, false, true]);
  assert.deepEqual(ops.pad(ops.zeros([0, 1]), [[1, 0], [0, 0]], "constant", 3).arraySync(), [[3]]);
  assert.deepEqual(ops.pad(x, [[1, 1], [2, 1]], "reflect").arraySync(), [[6, 5, 4, 5, 6, 5], [3, 2, 1, 2, 3, 2], [6, 5, 4, 5, 6, 5], [3, 2, 1, 2, 3, 2]]);
  assert.deepEqual(ops.pad(x, [[1, 1], [2, 1]], "symmetric").arraySync(), [[2, 1, 1, 2, 3, 3], [2, 1, 1, 2, 3, 3], [5, 4, 4, 5, 6, 6], [5, 4, 4, 5, 6, 6]]);
  assert.deepEqual(ops.pad(x, [[1, 1], [2, 1]], "edge").arraySync(), [[1, 1, 1, 2, 3, 3], [1, 1, 1, 2, 3, 3], [4, 4, 4, 5, 6, 6], [4, 4, 4, 5, 6, 6]]);
  assert.deepEqual(ops.pad(x, [[1, 1], [2, 1]], "wrap").arraySync(), [[5, 6, 4, 5, 6, 4], [2, 3, 1, 2, 3, 1], [5, 6, 4, 5, 6, 4], [2, 3, 1, 2, 3, 1]]);
  // Widths beyond the axis keep reflecting, as NumPy does.
  assert.deepEqual(ops.pad(f32([1, 2, 3]), [[4, 1]], "reflect").arraySync(), [1, 2, 3, 2, 1, 2, 3, 2]);
  assert.deepEqual(ops.pad(f32([1, 2, 3]), 5, "symmetric").arraySync(), [2, 3, 3, 2, 1, 1, 2, 3, 3, 2, 1, 1, 2]);
  assert.deepEqual(ops.pad(f32([5]), 2, "reflect").arraySync(), [5, 5, 5, 5, 5]);

  assert.throws(() => ops.pad(x, [[1, -1]]), /^Error: pad: invalid padWidth \[\[1,-1\]\] for a tensor of shape \[2,3\]: widths must be non-negative$/);
  assert.throws(() => ops.pad(x, [[1, 1], [1, 1], [1, 1]]), /pad: invalid padWidth .*: 3 pairs given for 2 axes/);
  assert.throws(() => ops.pad(x, [[1, 2, 3]]), /pad: invalid padWidth .*each entry must be \[before, after\]/);
  assert.throws(() => ops.pad(x, [1.5] as number[]), /pad: invalid padWidth/);
  assert.throws(() => ops.pad(x, 1, "mean" as "constant"), /pad: mode "mean" is not supported; expected one of constant, reflect, symmetric, edge, wrap/);
  assert.throws(() => ops.pad(x, 1, "reflect", 0), /pad: constantValues can only be given with mode "constant"/);
  assert.throws(() => ops.pad(ops.zeros([0, 2]), 1, "edge"), /pad: cannot pad axis 0 of size 0/);
});

test("flip", () => {
  const x = x23();
  assert.deepEqual(ops.flip(x).arraySync(), [[6, 5, 4], [3, 2, 1]]);
  assert.deepEqual(ops.flip(x, 0).arraySync(), [[4, 5, 6], [1, 2, 3]]);
  assert.deepEqual(ops.flip(x, -1).arraySync(), [[3, 2, 1], [6, 5, 4]]);
  assert.deepEqual(ops.flip(x, [0, 1]).arraySync(), [[6, 5, 4], [3, 2, 1]]);
  assert.deepEqual(ops.flip(arange([2, 2, 2]), [0, 2]).arraySync(), [[[5, 4], [7, 6]], [[1, 0], [3, 2]]]);
  assert.deepEqual(ops.flip(ops.convertToTensor([1, 2, 3], "uint8")).arraySync(), [3, 2, 1]);
  assert.throws(() => ops.flip(x, 2), /flip: axis 2 is out of bounds for a tensor of rank 2/);
});

test("finite-difference gradients of the shape ops", () => {
  const x = randomTensor([2, 3], 1);
  const y = randomTensor([2, 2], 2);
  const x3 = randomTensor([2, 3, 2], 3);
  checkGradients((a) => ops.expandDims(a, [0, -1]), [x]);
  checkGradients((a) => ops.squeeze(a), [randomTensor([1, 3, 1], 4)]);
  checkGradients((a) => ops.reshape(a, [3, 2]), [x]);
  checkGradients((a) => ops.transpose(a, [2, 0, 1]), [x3]);
  checkGradients((a) => ops.broadcastTo(a, [4, 2, 3]), [x]);
  checkGradients((a, b) => ops.concatenate([a, b, a], 1), [x, y]);
  checkGradients((a, b) => ops.concatenate([a, b], 0), [randomTensor([1, 2], 5), y]);
  checkGradients((a, b) => ops.stack([a, b], 1), [x, randomTensor([2, 3], 6)]);
  checkGradients((a) => ops.concatenate(ops.split(a, [1], 1).reverse(), 1), [x]);
  checkGradients((a) => ops.multiply(ops.split(a, 3, 1)[1], 2), [x]);
  checkGradients((a) => ops.stack(ops.unstack(a, null, 1).reverse()), [x]);
  checkGradients((a) => ops.tile(a, [2, 1, 2]), [x]);
  checkGradients((a) => ops.repeat(a, 2, 1), [x]);
  checkGradients((a) => ops.repeat(a, [2, 0, 3], 1), [x]);
  checkGradients((a) => ops.repeat(a, 3), [x]);
  checkGradients((a) => ops.take(a, [[2, 0], [2, -1]], 1), [x]);
  checkGradients((a) => ops.take(a, [5, 5, 0]), [x]);
  checkGradients((a) => ops.take(a, [1, 1, 0], 0), [x3]);
  checkGradients((a) => ops.takeAlongAxis(a, [[0, 0, 2], [1, 2, 2]], 1), [x]);
  checkGradients((a) => ops.takeAlongAxis(a, [[1, 1]], 0), [randomTensor([2, 1], 7)]);
  checkGradients((a) => ops.takeAlongAxis(a, [[1, 1, 0], [1, 0, 0], [-1, 1, 0]], 0), [x]);
  checkGradients((a) => ops.takeAlongAxis(a, [4, 4, 1]), [x]);
  checkGradients((a) => ops.slice(a, [0, 1, 0], [2, 2, 1]), [x3]);
  checkGradients((a) => ops.pad(a, [[1, 0], [2, 1]], "constant", 3), [x]);
  checkGradients((a) => ops.pad(a, [[1, 1], [2, 2]], "reflect"), [x]);
  checkGradients((a) => ops.pad(a, [[2, 1], [4, 1]], "symmetric"), [x]);
  checkGradients((a) => ops.pad(a, [[1, 1], [2, 0]], "edge"), [x]);
  checkGradients((a) => ops.pad(a, [[0, 3], [1, 1]], "wrap"), [x]);
  checkGradients((a) => ops.flip(a, [0, 2]), [x3]);
  checkGradients((a) => ops.flip(a), [x]);
});

test("index-valued inputs get no gradient; an integer concat does not record", () => {
  const f = (a: Tensor) => ops.sum(ops.multiply(a, ops.cast(ops.concatenate([ops.convertToTensor([1]), ops.convertToTensor([2])]), "float32")));
  assert.deepEqual(keras.grad(f)(f32([1, 1])).arraySync(), [1, 2]);
});
