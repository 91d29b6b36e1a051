import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fixturePath } from "../helpers/fixtures.js";
import type { Tensor } from "../../src/backend/tensor.js";
import type { H5Group } from "../../src/saving/h5_io.js";

export { fixturesMissing } from "../helpers/fixtures.js";

/** A fixture's path; tests using it declare `{ skip: fixturesMissing() }`. */
export function fixture(name: string): string {
  return fixturePath(name);
}

export function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "keras-ts-saving-test-"));
}

export function removeDir(dir: string): void {
  fs.rmSync(dir, { recursive: true, force: true });
}

/** Runs `fn` with a fresh temporary directory, removed afterwards. */
export async function withTempDir<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = tempDir();
  try {
    return await fn(dir);
  } finally {
    removeDir(dir);
  }
}

export function asList(x: Tensor | Tensor[]): Tensor[] {
  return Array.isArray(x) ? x : [x];
}

/** Bit-for-bit equality of tensors (same shape, dtype and every element identical). */
export function assertTensorsIdentical(actual: Tensor | Tensor[], expected: Tensor | Tensor[], what: string): void {
  const a = asList(actual);
  const e = asList(expected);
  assert.equal(a.length, e.length, `${what}: number of tensors`);
  a.forEach((t, i) => {
    assert.deepEqual([...t.shape], [...e[i].shape], `${what}[${i}]: shape`);
    assert.equal(t.dtype, e[i].dtype, `${what}[${i}]: dtype`);
    const x = t.dataSync();
    const y = e[i].dataSync();
    for (let j = 0; j < x.length; j++) {
      if (!Object.is(x[j], y[j])) assert.fail(`${what}[${i}]: element ${j} differs: ${x[j]} vs ${y[j]}`);
    }
  });
}

/** Every dataset of an HDF5 tree as "path -> dtype shape", plus every group path. */
export function h5Listing(tree: H5Group): { datasets: Map<string, string>; groups: Set<string> } {
  const datasets = new Map<string, string>();
  const groups = new Set<string>();
  const walk = (g: H5Group, p: string): void => {
    for (const [name, d] of Object.entries(g.datasets)) datasets.set(`${p}${name}`, `${d.dtype} [${d.shape.join(",")}]`);
    for (const [name, child] of Object.entries(g.groups)) {
      groups.add(`${p}${name}`);
      walk(child, `${p}${name}/`);
    }
  };
  walk(tree, "");
  return { datasets, groups };
}
