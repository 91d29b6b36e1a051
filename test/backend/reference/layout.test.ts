import { test } from "node:test";
import assert from "node:assert/strict";
import { concat, pad, reverse, slice, transpose } from "../../../src/backend/reference/layout.js";
import type { TypedArray } from "../../../src/backend/dtypes.js";

/*
 * The layout kernels against naive multi-index implementations, on shapes with odd, size-1 and
 * zero-size dimensions and for every typed-array kind.
 */

const sizeOf = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

/** Every multi-index of `shape` in row-major order. */
function* indices(shape: readonly number[]): Generator<number[]> {
  if (shape.some((d) => d === 0)) return;
  const idx = new Array<number>(shape.length).fill(0);
  for (let n = sizeOf(shape); n > 0; n--) {
    yield [...idx];
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++idx[d] < shape[d]) break;
      idx[d] = 0;
    }
  }
}

const offset = (idx: readonly number[], strides: readonly number[]) => idx.reduce((o, v, d) => o + v * strides[d], 0);

function iota(n: number, kind: "f32" | "i32" | "u8" = "f32"): TypedArray {
  const values = Array.from({ length: n }, (_, i) => (kind === "u8" ? i % 256 : i * (kind === "f32" ? 0.5 : 1) - 3));
  return kind === "f32" ? Float32Array.from(values) : kind === "i32" ? Int32Array.from(values) : Uint8Array.from(values);
}

function permutations(n: number): number[][] {
  if (n === 0) return [[]];
  return permutations(n - 1).flatMap((p) => Array.from({ length: n }, (_, i) => [...p.slice(0, i), n - 1, ...p.slice(i)]));
}

const SHAPES = [[], [5], [0], [1], [3, 4], [4, 1], [1, 4], [0, 3], [2, 3, 4], [3, 1, 5], [2, 0, 2], [1, 1, 1], [2, 3, 1, 4], [3, 2, 2, 3], [2, 1, 3, 1, 2]];

function naiveTranspose(x: TypedArray, shape: number[], perm: number[]): number[] {
  const outShape = perm.map((p) => shape[p]);
  const inStrides = stridesOf(shape);
  const out: number[] = [];
  for (const oi of indices(outShape)) {
    const ii = new Array<number>(shape.length);
    perm.forEach((p, d) => (ii[p] = oi[d]));
    out.push(x[offset(ii, inStrides)]);
  }
  return out;
}

test("transpose matches a naive permutation for every perm of many shapes", () => {
  for (const shape of SHAPES) {
    for (const perm of permutations(shape.length)) {
      const x = iota(sizeOf(shape));
      const got = transpose(x, shape, perm);
      assert.ok(got instanceof Float32Array);
      assert.deepEqual(Array.from(got), naiveTranspose(x, shape, perm), `transpose ${JSON.stringify(shape)} by ${JSON.stringify(perm)}`);
    }
  }
  // Large enough to cross tile boundaries with ragged edges, and batched 2-d.
  for (const [shape, perm] of [[[37, 29], [1, 0]], [[3, 19, 21], [0, 2, 1]], [[5, 17, 2, 9], [0, 3, 1, 2]], [[4, 20, 3], [1, 0, 2]]] as const) {
    const x = iota(sizeOf(shape), "i32");
    const got = transpose(x, shape, perm);
    assert.ok(got instanceof Int32Array);
    assert.deepEqual(Array.from(got), naiveTranspose(x, [...shape], [...perm]), `transpose ${JSON.stringify(shape)} by ${JSON.stringify(perm)}`);
  }
  assert.ok(transpose(iota(6, "u8"), [2, 3], [1, 0]) instanceof Uint8Array);
});

test("slice matches naive box extraction", () => {
  const cases: [number[], number[], number[]][] = [
    [[5], [1], [3]],
    [[5], [0], [0]],
    [[3, 4], [1, 1], [2, 3]],
    [[3, 4], [0, 2], [3, 1]],
    [[3, 40], [1, 3], [2, 30]],
    [[2, 3, 4], [1, 0, 1], [1, 3, 2]],
    [[2, 3, 4], [0, 1, 0], [2, 0, 4]],
    [[3, 1, 5, 2], [1, 0, 2, 1], [2, 1, 3, 1]],
    [[], [], []],
  ];
  for (const [shape, begin, size] of cases) {
    const x = iota(sizeOf(shape), "i32");
    const strides = stridesOf(shape);
    const expected = [...indices(size)].map((i) => x[offset(i.map((v, d) => v + begin[d]), strides)]);
    const got = slice(x, shape, begin, size);
    assert.ok(got instanceof Int32Array);
    assert.deepEqual(Array.from(got), expected, `slice ${JSON.stringify([shape, begin, size])}`);
  }
});

test("pad matches naive constant padding", () => {
  const cases: [number[], [number, number][], number][] = [
    [[3], [[1, 2]], 0],
    [[3], [[0, 0]], 7],
    [[2, 3], [[1, 0], [2, 1]], -1],
    [[2, 30], [[0, 1], [1, 1]], 5],
    [[0, 2], [[1, 1], [0, 1]], 9],
    [[2, 1, 3], [[0, 1], [2, 0], [1, 1]], 0.5],
    [[], [], 3],
  ];
  for (const [shape, paddings, value] of cases) {
    const x = iota(sizeOf(shape));
    const outShape = shape.map((d, i) => d + paddings[i][0] + paddings[i][1]);
    const strides = stridesOf(shape);
    const expected = [...indices(outShape)].map((oi) => {
      const ii = oi.map((v, d) => v - paddings[d][0]);
      return ii.every((v, d) => v >= 0 && v < shape[d]) ? x[offset(ii, strides)] : value;
    });
    assert.deepEqual(Array.from(pad(x, shape, paddings, value)), expected, `pad ${JSON.stringify([shape, paddings, value])}`);
  }
  assert.deepEqual(Array.from(pad(Uint8Array.of(1), [1], [[1, 1]], 1)), [1, 1, 1]);
  assert.ok(pad(Int32Array.of(1), [1], [[1, 0]], 0) instanceof Int32Array);
});

test("concat matches naive joining along each axis", () => {
  const cases: [number[][], number][] = [
    [[[2], [3]], 0],
    [[[2, 3], [1, 3], [0, 3]], 0],
    [[[2, 3], [2, 1], [2, 20]], 1],
    [[[2, 1, 3], [2, 2, 3]], 1],
    [[[2, 2, 1], [2, 2, 2]], 2],
    [[[0, 2], [0, 3]], 1],
  ];
  for (const [shapes, axis] of cases) {
    let start = 0;
    const xs = shapes.map((s) => {
      const x = Float32Array.from({ length: sizeOf(s) }, (_, i) => start + i);
      start += 100;
      return x;
    });
    const outShape = [...shapes[0]];
    outShape[axis] = shapes.reduce((t, s) => t + s[axis], 0);
    const expected = [...indices(outShape)].map((oi) => {
      let k = 0;
      let at = oi[axis];
      while (at >= shapes[k][axis]) at -= shapes[k++][axis];
      const ii = [...oi];
      ii[axis] = at;
      return xs[k][offset(ii, stridesOf(shapes[k]))];
    });
    assert.deepEqual(Array.from(concat(xs, shapes, axis, "float32")), expected, `concat ${JSON.stringify(shapes)} on axis ${axis}`);
  }
});

test("reverse matches naive flipping for every subset of axes", () => {
  for (const shape of SHAPES) {
    for (let mask = 0; mask < 1 << shape.length; mask++) {
      const axes = shape.map((_, i) => i).filter((i) => mask & (1 << i));
      const x = iota(sizeOf(shape), "u8");
      const strides = stridesOf(shape);
      const expected = [...indices(shape)].map((oi) => x[offset(oi.map((v, d) => (axes.includes(d) ? shape[d] - 1 - v : v)), strides)]);
      const got = reverse(x, shape, axes);
      assert.ok(got instanceof Uint8Array);
      assert.deepEqual(Array.from(got), expected, `reverse ${JSON.stringify(shape)} on ${JSON.stringify(axes)}`);
    }
  }
  const long = iota(2 * 40);
  assert.deepEqual(Array.from(reverse(long, [2, 40], [0])), [...Array.from(long.subarray(40)), ...Array.from(long.subarray(0, 40))]);
});

test("kernels never write their inputs", () => {
  const x = iota(24);
  const copy = Float32Array.from(x);
  transpose(x, [2, 3, 4], [2, 0, 1]);
  slice(x, [2, 3, 4], [0, 1, 1], [2, 2, 2]);
  pad(x, [2, 3, 4], [[1, 1], [0, 0], [2, 0]], 1);
  reverse(x, [2, 3, 4], [0, 2]);
  concat([x, x], [[2, 12], [2, 12]], 1, "float32");
  assert.deepEqual(x, copy);
});
