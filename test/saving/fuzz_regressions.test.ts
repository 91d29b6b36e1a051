/**
 * Fuzz cases that once failed (hangs, poisoned HDF5, runtime crash text, unclear messages), kept
 * as generated mutations of the fixtures (target + operation), never as copied bytes. Each must
 * end within 2 s with a worded error naming the file, or load a model equal to the original; and
 * loading still works afterwards in the same process.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { loadModel } from "../../src/saving/index.js";
import type { Model } from "../../src/models/model.js";
import { applyMutation, describeCase, UNCLEAN_ERROR, type FuzzCase } from "../../scripts/fuzz_mutations.js";
import { fixturePath, fixturesMissing } from "../helpers/fixtures.js";
import { withTempDir } from "./helpers.js";

const cases = JSON.parse(fs.readFileSync(new URL("./fuzz_regressions.json", import.meta.url), "utf8")) as (FuzzCase & { why: string })[];

for (const fuzzCase of cases) {
  test(`fuzz regression: ${describeCase(fuzzCase)} (${fuzzCase.why})`, { skip: fixturesMissing() }, async () => {
    await withTempDir(async (dir) => {
      const source = fixturePath(fuzzCase.target);
      const isFolder = fs.statSync(source).isDirectory();
      const target = path.join(dir, fuzzCase.target);
      if (isFolder) fs.cpSync(source, target, { recursive: true });
      else fs.copyFileSync(source, target);
      const changed = isFolder ? path.join(target, fuzzCase.file) : target;
      fs.writeFileSync(changed, applyMutation(new Uint8Array(fs.readFileSync(isFolder ? path.join(source, fuzzCase.file) : source)), fuzzCase.mutation));
      const t0 = Date.now();
      const warn = console.warn;
      console.warn = () => {};
      let loaded: Model | undefined;
      try {
        loaded = await loadModel(target);
      } catch (e) {
        const message = (e as Error).message;
        assert.doesNotMatch(message, UNCLEAN_ERROR);
        assert.ok(message.includes(target), `the error names the file: ${message}`);
        assert.doesNotMatch(message, /not a zip archive/);
      } finally {
        console.warn = warn;
      }
      assert.ok(Date.now() - t0 < 2000, `ended after ${Date.now() - t0} ms`);
      // A mutation of bytes the model does not read loads the original model.
      if (loaded !== undefined) {
        console.warn = () => {};
        const original = await loadModel(source).finally(() => (console.warn = warn));
        assert.deepEqual(loaded.getConfig(), original.getConfig(), "the same architecture");
        loaded.getWeights().forEach((w, i) => assert.deepEqual(w.dataSync(), original.getWeights()[i].dataSync(), `weight ${i}`));
      }
    });
  });
}

test("after the fuzz regressions, the untouched fixtures still load", { skip: fixturesMissing() }, async () => {
  for (const name of ["keras3_mnist_mlp.keras", "keras2_tiny_mlp.h5", "tfjs_abalone_mlp"]) assert.ok((await loadModel(fixturePath(name))).layers.length > 0);
});
