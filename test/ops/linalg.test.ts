import { test } from "node:test";
import assert from "node:assert/strict";
import * as keras from "../../src/index.js";
import { checkGradients, randomTensor } from "../helpers/gradcheck.js";

const { ops } = keras;
type Tensor = keras.Tensor;

function assertClose(actual: Tensor, expected: ArrayLike<number>, shape: number[], tol = 1e-5): void {
  assert.deepEqual([...actual.shape], shape, "shape");
  const v = actual.dataSync();
  assert.equal(v.length, expected.length, "size");
  for (let i = 0; i < v.length; i++) {
    if (!(Math.abs(v[i] - expected[i]) <= tol * (1 + Math.abs(expected[i])))) {
      assert.fail(`element ${i}: got ${v[i]}, expected ${expected[i]} (shape [${shape}])`);
    }
  }
}

/**
 * Brute-force einsum over every assignment of the labels (letters only), in float64: the
 * reference the real einsum is compared with.
 */
function bruteEinsum(equation: string, tensors: Tensor[]): { values: number[]; shape: number[] } {
  const [lhs, rhs] = equation.split("->");
  const terms = lhs.split(",");
  const sizes = new Map<string, number>();
  terms.forEach((term, i) => [...term].forEach((l, ax) => sizes.set(l, tensors[i].shape[ax])));
  const all = [...sizes.keys()];
  const data = tensors.map((t) => t.dataSync());
  const strides = tensors.map((t) => t.shape.map((_, i) => t.shape.slice(i + 1).reduce((a, b) => a * b, 1)));
  const outShape = [...rhs].map((l) => sizes.get(l)!);
  const outStrides = outShape.map((_, i) => outShape.slice(i + 1).reduce((a, b) => a * b, 1));
  const values = new Array<number>(outShape.reduce((a, b) => a * b, 1)).fill(0);
  const assign = new Map<string, number>();
  const visit = (d: number): void => {
    if (d === all.length) {
      let prod = 1;
      terms.forEach((term, i) => {
        let off = 0;
        [...term].forEach((l, ax) => (off += assign.get(l)! * strides[i][ax]));
        prod *= data[i][off];
      });
      let o = 0;
      [...rhs].forEach((l, ax) => (o += assign.get(l)! * outStrides[ax]));
      values[o] += prod;
      return;
    }
    for (let v = 0; v < sizes.get(all[d])!; v++) {
      assign.set(all[d], v);
      visit(d + 1);
    }
  };
  visit(0);
  return { values, shape: outShape };
}

/** Row-major reference product of two 2-d arrays. */
function mm(a: number[][], b: number[][]): number[][] {
  return a.map((row) => b[0].map((_, j) => row.reduce((s, v, p) => s + v * b[p][j], 0)));
}

test("matmul: hand-computed 2-d, vector and scalar-result cases", () => {
  const a = ops.convertToTensor([[1, 2, 3], [4, 5, 6]], "float32");
  const b = ops.convertToTensor([[7, 8], [9, 10], [11, 12]], "float32");
  assert.deepEqual(ops.matmul(a, b).arraySync(), [[58, 64], [139, 154]]);
  assert.deepEqual(ops.matmul(ops.convertToTensor([1, 2, 3], "float32"), b).arraySync(), [58, 64]);
  assert.deepEqual(ops.matmul(a, ops.convertToTensor([1, 0, -1], "float32")).arraySync(), [-2, -2]);
  const s = ops.matmul(ops.convertToTensor([1, 2, 3], "float32"), ops.convertToTensor([4, 5, 6], "float32"));
  assert.deepEqual([...s.shape], []);
  assert.equal(s.item(), 32);
});

test("matmul: integer operands give int32, mixed give float32", () => {
  const r = ops.matmul([[1, 2], [3, 4]], [[5, 6], [7, 8]]);
  assert.equal(r.dtype, "int32");
  assert.deepEqual(r.arraySync(), [[19, 22], [43, 50]]);
  const f = ops.matmul([[1, 2]], ops.convertToTensor([[0.5], [0.25]]));
  assert.equal(f.dtype, "float32");
  assert.deepEqual(f.arraySync(), [[1]]);
});

test("matmul: batch dimensions broadcast", () => {
  const a = randomTensor([2, 1, 3, 4], 1);
  const b = randomTensor([5, 4, 2], 2);
  const out = ops.matmul(a, b);
  assert.deepEqual([...out.shape], [2, 5, 3, 2]);
  const av = a.arraySync() as number[][][][];
  const bv = b.arraySync() as number[][][];
  const expected: number[] = [];
  for (let i = 0; i < 2; i++) for (let j = 0; j < 5; j++) expected.push(...mm(av[i][0], bv[j]).flat());
  assertClose(out, expected, [2, 5, 3, 2]);
  // 3-d @ 2-d (the Dense-layer case) and 2-d @ 3-d.
  const x = randomTensor([3, 4, 5], 3);
  const w = randomTensor([5, 2], 4);
  const xv = x.arraySync() as number[][][];
  assertClose(ops.matmul(x, w), xv.flatMap((m) => mm(m, w.arraySync() as number[][]).flat()), [3, 4, 2]);
  const y = randomTensor([3, 5, 2], 5);
  const m2 = randomTensor([4, 5], 6);
  assertClose(ops.matmul(m2, y), (y.arraySync() as number[][][]).flatMap((bm) => mm(m2.arraySync() as number[][], bm).flat()), [3, 4, 2]);
});

test("matmul: errors name the shapes", () => {
  assert.throws(() => ops.matmul(ops.ones([2, 3]), ops.ones([2, 3])), { message: "matmul: inner dimensions differ: [2,3] @ [2,3]" });
  assert.throws(() => ops.matmul(ops.ones([3]), ops.ones([4])), /matmul: inner dimensions differ: \[3\] @ \[4\]/);
  assert.throws(() => ops.matmul(ops.ones([2, 2, 3]), ops.ones([3, 3, 1])), /matmul: batch dimensions cannot be broadcast: \[2,2,3\] @ \[3,3,1\]/);
  assert.throws(() => ops.matmul(ops.convertToTensor(2), ops.ones([2])), /matmul: operands must have rank >= 1/);
});

test("matmul: gradients match finite differences, including broadcast and Dense-style batches", () => {
  checkGradients((a, b) => ops.matmul(a, b), [randomTensor([3, 4], 1), randomTensor([4, 2], 2)]);
  checkGradients((a, b) => ops.matmul(a, b), [randomTensor([2, 3, 4], 3), randomTensor([4, 5], 4)]);
  checkGradients((a, b) => ops.matmul(a, b), [randomTensor([3, 4], 5), randomTensor([2, 4, 3], 6)]);
  checkGradients((a, b) => ops.matmul(a, b), [randomTensor([2, 1, 2, 3], 7), randomTensor([3, 3, 2], 8)]);
  checkGradients((a, b) => ops.matmul(a, b), [randomTensor([1, 2, 3], 9), randomTensor([1, 3, 2], 10)]);
  checkGradients((a, b) => ops.matmul(a, b), [randomTensor([4], 11), randomTensor([4], 12)]);
});

test("matmulTransposed: values and gradients for every transpose combination", () => {
  const a = randomTensor([2, 3, 4], 21);
  const b = randomTensor([4, 5], 22);
  const expected = ops.matmul(a, b).dataSync();
  const aT = ops.transpose(a, [0, 2, 1]);
  const bT = ops.transpose(b);
  assertClose(ops.matmulTransposed(aT, b, true, false), expected, [2, 3, 5]);
  assertClose(ops.matmulTransposed(a, bT, false, true), expected, [2, 3, 5]);
  assertClose(ops.matmulTransposed(aT, bT, true, true), expected, [2, 3, 5]);
  for (const [tA, tB] of [[false, false], [true, false], [false, true], [true, true]] as const) {
    checkGradients((x, y) => ops.matmulTransposed(x, y, tA, tB), [randomTensor(tA ? [2, 4, 3] : [2, 3, 4], 23), randomTensor(tB ? [5, 4] : [4, 5], 24)]);
  }
});

test("dot: NumPy semantics for scalars, vectors, matrices and N-d", () => {
  assert.deepEqual(ops.dot(2, [1, 2]).arraySync(), [2, 4]);
  assert.equal(ops.dot([1, 2, 3], [4, 5, 6]).item(), 32);
  assert.deepEqual(ops.dot([[1, 2], [3, 4]], [1, 1]).arraySync(), [3, 7]);
  assert.deepEqual(ops.dot([1, 1], [[1, 2], [3, 4]]).arraySync(), [4, 6]);
  assert.deepEqual(ops.dot([[1, 2], [3, 4]], [[5, 6], [7, 8]]).arraySync(), [[19, 22], [43, 50]]);
  // N-d . M-d: sum over the last axis of a and the second-to-last of b.
  const a = randomTensor([2, 3, 4], 31);
  const b = randomTensor([5, 4, 2], 32);
  const ref = bruteEinsum("ijk,lkm->ijlm", [a, b]);
  assertClose(ops.dot(a, b), ref.values, [2, 3, 5, 2]);
  assert.throws(() => ops.dot(ops.ones([2, 3]), ops.ones([2, 3])), /dot: shapes \[2,3\] and \[2,3\] are not aligned/);
  checkGradients((x, y) => ops.dot(x, y), [randomTensor([2, 3], 33), randomTensor([2, 3, 2], 34)]);
});

test("tensordot, inner, vdot and outer", () => {
  const a = randomTensor([2, 3, 4], 41);
  const b = randomTensor([3, 4, 5], 42);
  assertClose(ops.tensordot(a, b), bruteEinsum("ijk,jkl->il", [a, b]).values, [2, 5]);
  assertClose(ops.tensordot(a, b, 0), bruteEinsum("ijk,lmn->ijklmn", [a, b]).values, [2, 3, 4, 3, 4, 5]);
  assertClose(ops.tensordot(a, b, [[1], [0]]), bruteEinsum("ijk,jlm->iklm", [a, b]).values, [2, 4, 4, 5]);
  assertClose(ops.tensordot(a, b, [[2, 1], [1, 0]]), bruteEinsum("ijk,jkl->il", [a, b]).values, [2, 5]);
  assert.throws(() => ops.tensordot(a, b, [[0], [0]]), /tensordot: shape mismatch: axis 0 of \[2,3,4\] has size 2 but axis 0 of \[3,4,5\] has size 3/);
  assert.throws(() => ops.tensordot(a, b, 4), /tensordot: axes=4/);
  checkGradients((x, y) => ops.tensordot(x, y, [[2, 1], [1, 0]]), [randomTensor([2, 3, 2], 43), randomTensor([3, 2, 2], 44)]);

  const c = randomTensor([2, 3], 45);
  const d = randomTensor([4, 3], 46);
  assertClose(ops.inner(c, d), bruteEinsum("ij,kj->ik", [c, d]).values, [2, 4]);
  assert.equal(ops.vdot([[1, 2], [3, 4]], [1, 1, 1, 2]).item(), 14);
  assert.throws(() => ops.vdot([1, 2], [1, 2, 3]), /vdot: operands must have the same number of elements/);
  assert.deepEqual(ops.outer([1, 2, 3], [[4], [5]]).arraySync(), [[4, 5], [8, 10], [12, 15]]);
  checkGradients((x, y) => ops.outer(x, y), [randomTensor([3], 47), randomTensor([2, 2], 48)]);
});

test("einsum: hand-computed common equations", () => {
  const a = ops.convertToTensor([[1, 2, 3], [4, 5, 6]], "float32");
  const b = ops.convertToTensor([[1, 0], [0, 1], [1, 1]], "float32");
  assert.deepEqual(ops.einsum("ij,jk->ik", a, b).arraySync(), [[4, 5], [10, 11]]);
  assert.deepEqual(ops.einsum("ij->ji", a).arraySync(), [[1, 4], [2, 5], [3, 6]]);
  assert.equal(ops.einsum("ij->", a).item(), 21);
  assert.deepEqual(ops.einsum("ij->j", a).arraySync(), [5, 7, 9]);
  assert.equal(ops.einsum("i,i->", [1, 2, 3], [4, 5, 6]).item(), 32);
  assert.deepEqual(ops.einsum("i,j->ij", [1, 2], [3, 4, 5]).arraySync(), [[3, 4, 5], [6, 8, 10]]);
  assert.deepEqual(ops.einsum("bi,bi->b", [[1, 2], [3, 4]], [[5, 6], [7, 8]]).arraySync(), [17, 53]);
  assert.deepEqual(ops.einsum("ij,kj->ik", a, a).arraySync(), [[14, 32], [32, 77]]);
  assert.equal(ops.einsum("ii->", [[1, 2], [3, 4]]).item(), 5);
  assert.deepEqual(ops.einsum("ii->i", [[1, 2], [3, 4]]).arraySync(), [1, 4]);
  // Implicit output: letters used once, alphabetically ("ba" transposes; "ij,jk" is a matmul).
  assert.deepEqual(ops.einsum("ba", a).arraySync(), [[1, 4], [2, 5], [3, 6]]);
  assert.deepEqual(ops.einsum("ij,jk", a, b).arraySync(), [[4, 5], [10, 11]]);
  const ints = ops.einsum("ij,jk->ik", [[1, 2]], [[3], [4]]);
  assert.equal(ints.dtype, "int32");
  assert.deepEqual(ints.arraySync(), [[11]]);
});

test("einsum agrees with a brute-force sum on many equations", () => {
  const cases: [string, number[][]][] = [
    ["ij,jk->ik", [[3, 4], [4, 5]]],
    ["bij,bjk->bik", [[2, 3, 4], [2, 4, 5]]],
    ["ij,kj->ik", [[3, 4], [5, 4]]],
    ["ji,jk->ik", [[4, 3], [4, 2]]],
    ["bi,bi->b", [[3, 5], [3, 5]]],
    ["bi,bi->bi", [[3, 5], [3, 5]]],
    ["i,i->", [[6], [6]]],
    ["ij->", [[3, 4]]],
    ["ij->ji", [[3, 4]]],
    ["ijk->kij", [[2, 3, 4]]],
    ["ijk->j", [[2, 3, 4]]],
    ["bhqd,bhkd->bhqk", [[2, 2, 3, 4], [2, 2, 5, 4]]],
    ["bhqk,bhkd->bhqd", [[2, 2, 3, 5], [2, 2, 5, 4]]],
    ["abc,cd->abd", [[2, 3, 4], [4, 2]]],
    ["ab,cd->abcd", [[2, 3], [2, 2]]],
    ["ijk,ikl->jl", [[2, 3, 4], [2, 4, 3]]],
    ["ij,ij->", [[3, 4], [3, 4]]],
    ["iij->ij", [[3, 3, 2]]],
    ["ij,jk,kl->il", [[2, 3], [3, 4], [4, 2]]],
    ["ai,bi,ci->abc", [[2, 3], [2, 3], [2, 3]]],
    ["xy,yz->zx", [[3, 2], [2, 4]]],
  ];
  let seed = 100;
  for (const [equation, shapes] of cases) {
    const tensors = shapes.map((s) => randomTensor(s, seed++));
    const ref = bruteEinsum(equation, tensors);
    assertClose(ops.einsum(equation, ...tensors), ref.values, ref.shape);
  }
});

test("einsum: ellipsis broadcasting", () => {
  const a = randomTensor([2, 3, 4], 200);
  const b = randomTensor([4, 5], 201);
  assertClose(ops.einsum("...ij,jk->...ik", a, b), bruteEinsum("bij,jk->bik", [a, b]).values, [2, 3, 5]);
  const c = randomTensor([1, 4, 5], 202);
  assertClose(ops.einsum("...ij,...jk->...ik", a, c), ops.matmul(a, c).dataSync(), [2, 3, 5]);
  assertClose(ops.einsum("...i->...", a), ops.sum(a, -1).dataSync(), [2, 3]);
  assertClose(ops.einsum("i...->...i", a), ops.transpose(a, [1, 2, 0]).dataSync(), [3, 4, 2]);
  // A summed ellipsis axis of size 1 on one side broadcasts against the other side.
  const p = randomTensor([1, 3], 203);
  const q = randomTensor([4, 3], 204);
  assertClose(ops.einsum("...i,...i->i", p, q), ops.multiply(ops.reshape(p, [3]), ops.sum(q, 0)).dataSync(), [3]);
  assertClose(ops.einsum("...i,...i->...", p, q), ops.sum(ops.multiply(p, q), -1).dataSync(), [4]);
});

test("einsum: gradients match finite differences", () => {
  const eqs: [string, number[][]][] = [
    ["ij,jk->ik", [[2, 3], [3, 2]]],
    ["bij,bjk->bik", [[2, 2, 3], [2, 3, 2]]],
    ["ij,kj->ik", [[2, 3], [2, 3]]],
    ["bi,bi->b", [[3, 2], [3, 2]]],
    ["i,j->ij", [[3], [2]]],
    ["ij->ji", [[2, 3]]],
    ["ij->", [[2, 3]]],
    ["ii->i", [[3, 3]]],
    ["ij,jk,kl->il", [[2, 2], [2, 3], [3, 2]]],
  ];
  let seed = 300;
  for (const [equation, shapes] of eqs) {
    checkGradients((...xs) => ops.einsum(equation, ...xs), shapes.map((s) => randomTensor(s, seed++)));
  }
});

test("einsum: clear errors for malformed or mismatched equations", () => {
  const m = ops.ones([2, 3]);
  assert.throws(() => ops.einsum("ij,jk->ik", m), /einsum: 'ij,jk->ik' names 2 operand\(s\) but 1 were given/);
  assert.throws(() => ops.einsum("ijk->i", m), /einsum: operand 0 has shape \[2,3\] \(rank 2\) but its subscripts 'ijk' name 3 axes/);
  assert.throws(() => ops.einsum("ij,jk->ik", m, ops.ones([4, 2])), /einsum: size mismatch for label 'j'.*3 vs 4/);
  assert.throws(() => ops.einsum("ij->iz", m), /einsum: output label 'z'.*does not appear/);
  assert.throws(() => ops.einsum("ij->ii", m), /einsum: output subscripts .* repeat a label/);
  assert.throws(() => ops.einsum("i1->i", m), /einsum: invalid character '1'/);
  assert.throws(() => ops.einsum("ij->i->j", m), /more than one '->'/);
  assert.throws(() => ops.einsum("ii->i", m), /einsum: size mismatch for label 'i' in 'ii->i': 2 vs 3/);
  assert.throws(() => ops.einsum("ij"), /no operands/);
});
