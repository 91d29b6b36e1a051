import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { zipSync } from "fflate";
import * as ops from "../../src/ops/index.js";
import { Dense, Flatten, Input, Lambda } from "../../src/layers/index.js";
import { Sequential } from "../../src/models/sequential.js";
import "../../src/models/functional.js";
import { loadModel } from "../../src/saving/index.js";
import { readKerasArchive, writeKerasArchive } from "../../src/saving/keras_zip.js";
import { readH5, writeH5, type H5Group } from "../../src/saving/h5_io.js";
import { withTempDir } from "./helpers.js";

function makeModel(hidden = 5): Sequential {
  return new Sequential([Input({ shape: [2, 3] }), new Flatten(), new Dense(hidden, { activation: "relu" }), new Dense(2)]);
}

test("saving a model with a Lambda layer fails with the Lambda's error and leaves the previous file byte-identical", async () => {
  await withTempDir(async (dir) => {
    const file = path.join(dir, "model.keras");
    await makeModel().save(file);
    const before = fs.readFileSync(file);
    const bad = new Sequential([Input({ shape: [3] }), new Dense(4), new Lambda((x) => ops.multiply(x, 2)), new Dense(1)]);
    await assert.rejects(bad.save(file), (error: Error) => {
      assert.match(error.message, /Lambda layer '.*': a Lambda wrapping a TypeScript function cannot be saved/);
      assert.match(error.message, /Cannot serialize layer/);
      return true;
    });
    assert.ok(fs.readFileSync(file).equals(before), "the previous file is untouched");
    assert.deepEqual(fs.readdirSync(dir), ["model.keras"], "no temporary file is left behind");
    // Nothing was written for a new path either.
    await assert.rejects(bad.save(path.join(dir, "other.keras")), /Lambda/);
    assert.deepEqual(fs.readdirSync(dir), ["model.keras"]);
  });
});

test("loadModel: a file that is not a zip archive", async () => {
  await withTempDir(async (dir) => {
    const file = path.join(dir, "junk.keras");
    fs.writeFileSync(file, "this is not a model");
    await assert.rejects(loadModel(file), (error: Error) => error.message.includes(file) && /not a zip archive/.test(error.message));
    await assert.rejects(loadModel(path.join(dir, "missing.keras")), /cannot read ".*missing\.keras"/);
  });
});

async function archiveParts(file: string): Promise<{ config: Record<string, any>; weights: H5Group; weightsH5: Uint8Array }> {
  const archive = await readKerasArchive(file);
  return { config: archive.config as Record<string, any>, weights: await readH5(archive.weightsH5, file), weightsH5: archive.weightsH5 };
}

async function writeArchive(file: string, config: object, weightsH5: Uint8Array): Promise<void> {
  await writeKerasArchive(file, { metadataJson: { keras_version: "3.8.0", date_saved: "2025-01-01@00:00:00" }, configJson: config, weightsH5 });
}

test("loadModel: missing config.json, and malformed configs", async () => {
  await withTempDir(async (dir) => {
    const good = path.join(dir, "good.keras");
    await makeModel().save(good);
    const { config, weightsH5 } = await archiveParts(good);

    const noConfig = path.join(dir, "no_config.keras");
    fs.writeFileSync(noConfig, zipSync({ "metadata.json": new TextEncoder().encode("{}"), "model.weights.h5": weightsH5 }, { level: 0 }));
    await assert.rejects(loadModel(noConfig), (e: Error) => e.message.includes(noConfig) && e.message.includes('missing member "config.json"'));

    const noClass = path.join(dir, "no_class.keras");
    await writeArchive(noClass, { config: config.config }, weightsH5);
    await assert.rejects(loadModel(noClass), (e: Error) => e.message === `Malformed config in ${noClass}: missing "class_name"`);

    const noLayers = path.join(dir, "no_layers.keras");
    await writeArchive(noLayers, { ...config, config: { name: "x" } }, weightsH5);
    await assert.rejects(loadModel(noLayers), (e: Error) => e.message.includes(`Malformed Sequential config in ${noLayers}: expected a "layers" list`));

    const notAModel = path.join(dir, "not_a_model.keras");
    await writeArchive(notAModel, config.config.layers[2], weightsH5);
    await assert.rejects(loadModel(notAModel), /the top-level object is a 'Dense', not a model/);

    const badLayer = path.join(dir, "bad_layer.keras");
    const broken = structuredClone(config);
    broken.config.layers[2].config.units = -3;
    await writeArchive(badLayer, broken, weightsH5);
    await assert.rejects(loadModel(badLayer), (e: Error) =>
      e.message.startsWith(`Cannot rebuild layer '${config.config.layers[2].config.name}' (Dense) from ${badLayer}: Dense: units must be a positive integer`),
    );
  });
});

test("loadModel: an unknown layer class names the class, the file and what is supported", async () => {
  await withTempDir(async (dir) => {
    const good = path.join(dir, "good.keras");
    await makeModel().save(good);
    const { config, weightsH5 } = await archiveParts(good);
    const unknown = structuredClone(config);
    unknown.config.layers[1].class_name = "NoSuchLayer";
    const file = path.join(dir, "unknown.keras");
    await writeArchive(file, unknown, weightsH5);
    await assert.rejects(loadModel(file), (e: Error) => {
      assert.ok(e.message.startsWith(`Unknown layer class 'NoSuchLayer' in ${file}; keras-ts supports: `), e.message);
      assert.match(e.message, /\bDense\b.*\bFlatten\b.*\bInputLayer\b/);
      return true;
    });
  });
});

test("loadModel: weight shape mismatches and missing weights name the layer, the path and both shapes", async () => {
  await withTempDir(async (dir) => {
    const small = path.join(dir, "small.keras");
    const big = path.join(dir, "big.keras");
    await makeModel(5).save(small);
    await makeModel(7).save(big);
    const smallParts = await archiveParts(small);
    const bigParts = await archiveParts(big);

    const mismatched = path.join(dir, "mismatch.keras");
    await writeArchive(mismatched, smallParts.config, bigParts.weightsH5);
    const denseName = smallParts.config.config.layers[2].config.name;
    await assert.rejects(loadModel(mismatched), (e: Error) => {
      assert.ok(e.message.startsWith(`Cannot load weights from ${mismatched} (model.weights.h5): `), e.message);
      assert.ok(
        e.message.includes(`layer '${denseName}' (Dense): shape mismatch for variable 'kernel' at "layers/dense/vars/0": the model expects [6, 5], the file has [6, 7]`),
        e.message,
      );
      assert.ok(e.message.includes(`"layers/dense_1/vars/0": the model expects [5, 2], the file has [7, 2]`), e.message);
      return true;
    });

    const tree = structuredClone(smallParts.weights);
    delete tree.groups.layers.groups.dense_1;
    const missing = path.join(dir, "missing.keras");
    await writeArchive(missing, smallParts.config, await writeH5(tree));
    await assert.rejects(loadModel(missing), /\(Dense\): missing weights \(no group "layers\/dense_1\/vars" in the file; expected 2 variable\(s\)\)/);

    const short = structuredClone(smallParts.weights);
    delete short.groups.layers.groups.dense.groups.vars.datasets["1"];
    const shortFile = path.join(dir, "short.keras");
    await writeArchive(shortFile, smallParts.config, await writeH5(short));
    await assert.rejects(loadModel(shortFile), /expected 2 variable\(s\) \[kernel, bias\] but "layers\/dense\/vars" holds 1/);
  });
});

test("loadWeights: a mismatch fails before anything is assigned; skipMismatch loads what fits", async () => {
  await withTempDir(async (dir) => {
    const source = new Sequential([Input({ shape: [3] }), new Dense(4), new Dense(6)]);
    const file = path.join(dir, "w.weights.h5");
    await source.saveWeights(file);
    const target = new Sequential([Input({ shape: [3] }), new Dense(4), new Dense(2)]);
    const before = target.getWeights().map((w) => w.dataSync());
    await assert.rejects(target.loadWeights(file), /layers\/dense_1\/vars\/0": the model expects \[4, 2\], the file has \[4, 6\]/);
    target.getWeights().forEach((w, i) => assert.deepEqual(w.dataSync(), before[i], `weight ${i} untouched`));

    const warn = console.warn;
    const warnings: string[] = [];
    console.warn = (message: string) => void warnings.push(message);
    try {
      await target.loadWeights(file, { skipMismatch: true });
    } finally {
      console.warn = warn;
    }
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /skipped \(skipMismatch\)/);
    assert.deepEqual(target.layers[0].getWeights()[0].dataSync(), source.layers[0].getWeights()[0].dataSync(), "the first Dense was loaded");
    assert.deepEqual(target.layers[1].getWeights()[0].dataSync(), before[2], "the mismatched Dense was skipped");

    await assert.rejects(target.loadWeights(path.join(dir, "nope.weights.h5")), /nope\.weights\.h5: cannot read file/);
  });
});
