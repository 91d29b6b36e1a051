import assert from "node:assert/strict";
import * as ops from "../../src/ops/index.js";
import { Tensor } from "../../src/backend/tensor.js";

export type Nested = number | Nested[];

export const f32 = (v: Nested) => ops.convertToTensor(v as number[], "float32");
export const i32 = (v: Nested) => ops.convertToTensor(v as number[], "int32");

function flat(v: unknown): number[] {
  return Array.isArray(v) ? v.flatMap(flat) : [Number(v)];
}

/** Element-wise closeness with a tolerance relative to max(1, |expected|). */
export function assertClose(actual: Tensor | number, expected: number | Nested, tol = 1e-5): void {
  const a = typeof actual === "number" ? [actual] : flat(actual.arraySync());
  const e = flat(expected);
  assert.equal(a.length, e.length, `size: got ${JSON.stringify(a)}, expected ${JSON.stringify(e)}`);
  for (let i = 0; i < a.length; i++) {
    assert.ok(Math.abs(a[i] - e[i]) <= tol * Math.max(1, Math.abs(e[i])), `element ${i}: got ${a[i]}, expected ${e[i]} (got ${JSON.stringify(a)})`);
  }
}

/**
 * The op tests' closeness: the same shape when `expected` is a tensor, and every element within
 * `tol * (1 + |expected|)`; a failure names `what` and the element.
 */
export function assertAllClose(actual: Tensor, expected: Tensor | ArrayLike<number>, what: string, tol = 1e-5): void {
  const a = actual.dataSync();
  const e = expected instanceof Tensor ? expected.dataSync() : expected;
  if (expected instanceof Tensor) assert.deepEqual([...actual.shape], [...expected.shape], `${what}: shape`);
  assert.equal(a.length, e.length, `${what}: size`);
  for (let i = 0; i < e.length; i++) {
    if (!(Math.abs(a[i] - e[i]) <= tol * (1 + Math.abs(e[i])))) assert.fail(`${what}[${i}]: got ${a[i]}, expected ${e[i]}`);
  }
}
