import { test } from "node:test";
import { fixturePath, fixturesMissing } from "../helpers/fixtures.js";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import fsPromises from "node:fs/promises";
import { syncBuiltinESMExports } from "node:module";
import * as os from "node:os";
import * as path from "node:path";
import { unzipSync, zipSync } from "fflate";
import {
  decodeKerasArchive,
  encodeKerasArchive,
  readKerasArchive,
  writeFileAtomic,
  writeKerasArchive,
  type KerasArchiveParts,
} from "../../src/saving/keras_zip.js";
import { getH5Dataset, readH5, writeH5 } from "../../src/saving/h5_io.js";

const fixture = fixturePath;

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "keras-ts-zip-test-"));
}

function parts(tag: string): KerasArchiveParts {
  return {
    metadataJson: { keras_version: "3.8.0", date_saved: "2025-01-01@00:00:00", tag },
    configJson: { module: "keras", class_name: "Sequential", config: { name: `model_${tag}`, layers: [] }, registered_name: null },
    weightsH5: new Uint8Array([0x89, 0x48, 0x44, 0x46, 1, 2, 3, tag.length]),
  };
}

test("writeKerasArchive / readKerasArchive round trip, members stored uncompressed", async () => {
  const dir = tempDir();
  try {
    const file = path.join(dir, "model.keras");
    await writeKerasArchive(file, parts("one"));
    const back = await readKerasArchive(file);
    assert.deepEqual(back.metadata, parts("one").metadataJson);
    assert.deepEqual(back.config, parts("one").configJson);
    assert.deepEqual(back.weightsH5, parts("one").weightsH5);

    const seen: Array<[string, number]> = [];
    unzipSync(new Uint8Array(fs.readFileSync(file)), {
      filter: (info) => {
        seen.push([info.name, info.compression]);
        return false;
      },
    });
    assert.deepEqual(seen, [
      ["metadata.json", 0],
      ["config.json", 0],
      ["model.weights.h5", 0],
    ]);
    assert.deepEqual(fs.readdirSync(dir), ["model.keras"], "no temp file left");
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("overwriting an existing archive replaces it", async () => {
  const dir = tempDir();
  try {
    const file = path.join(dir, "model.keras");
    await writeKerasArchive(file, parts("one"));
    fs.chmodSync(file, 0o640);
    await writeKerasArchive(file, parts("second"));
    const back = await readKerasArchive(file);
    assert.equal((back.config.config as { name: string }).name, "model_second");
    assert.equal(fs.statSync(file).mode & 0o777, 0o640, "permission bits kept");
    assert.deepEqual(fs.readdirSync(dir), ["model.keras"]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("a failed save leaves the previous file intact and no temp file", async () => {
  const dir = tempDir();
  try {
    const file = path.join(dir, "model.keras");
    await writeKerasArchive(file, parts("one"));
    const before = fs.readFileSync(file);

    // Bad input: fails while encoding.
    const cyclic: Record<string, unknown> = { module: "keras" };
    cyclic.self = cyclic;
    await assert.rejects(
      writeKerasArchive(file, { ...parts("two"), configJson: cyclic }),
      /writeKerasArchive: cannot write ".*model\.keras": cannot serialize config\.json to JSON/,
    );
    await assert.rejects(
      writeKerasArchive(file, { ...parts("two"), weightsH5: [1, 2, 3] as unknown as Uint8Array }),
      /model\.weights\.h5 must be a Uint8Array/,
    );
    assert.deepEqual(fs.readFileSync(file), before);

    // Failure after the temp file was written: the rename onto a non-empty directory fails.
    const blocked = path.join(dir, "blocked.keras");
    fs.mkdirSync(blocked);
    fs.writeFileSync(path.join(blocked, "keep.txt"), "keep");
    await assert.rejects(writeKerasArchive(blocked, parts("three")), /writeKerasArchive: cannot write ".*blocked\.keras": /);
    assert.deepEqual(fs.readdirSync(blocked), ["keep.txt"]);

    // Missing parent directory.
    await assert.rejects(writeKerasArchive(path.join(dir, "no", "such", "dir.keras"), parts("four")), /cannot write .*ENOENT/);

    assert.deepEqual(fs.readdirSync(dir).sort(), ["blocked.keras", "model.keras"], "no temp file left");
    assert.deepEqual(fs.readFileSync(file), before);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

/** Replaces a `node:fs/promises` export (as seen by ES module importers too) while `fn` runs. */
async function withPatchedFsPromises<K extends keyof typeof fsPromises>(name: K, replacement: (typeof fsPromises)[K], fn: () => Promise<void>): Promise<void> {
  const original = fsPromises[name];
  (fsPromises as Record<string, unknown>)[name] = replacement;
  syncBuiltinESMExports();
  try {
    await fn();
  } finally {
    (fsPromises as Record<string, unknown>)[name] = original;
    syncBuiltinESMExports();
  }
}

test("a crash while writing or before the rename leaves the previous file intact", async () => {
  const dir = tempDir();
  try {
    const file = path.join(dir, "model.keras");
    await writeKerasArchive(file, parts("one"));
    const before = fs.readFileSync(file);
    const big: KerasArchiveParts = { ...parts("two"), weightsH5: new Uint8Array(1 << 20).fill(7) };

    // The disk "fills up" half way through writing the bytes.
    const probe = await fsPromises.open(path.join(dir, "probe"), "w");
    const handleProto = Object.getPrototypeOf(probe) as { writeFile: (data: Uint8Array) => Promise<void> };
    await probe.close();
    fs.rmSync(path.join(dir, "probe"));
    const originalWriteFile = handleProto.writeFile;
    let partialWrites = 0;
    handleProto.writeFile = async function (this: unknown, data: Uint8Array) {
      await originalWriteFile.call(this, data.subarray(0, data.length >> 1));
      partialWrites++;
      throw Object.assign(new Error("ENOSPC: no space left on device (simulated)"), { code: "ENOSPC" });
    };
    try {
      await assert.rejects(writeKerasArchive(file, big), /writeKerasArchive: cannot write ".*model\.keras": ENOSPC/);
    } finally {
      handleProto.writeFile = originalWriteFile;
    }
    assert.equal(partialWrites, 1);
    assert.deepEqual(fs.readFileSync(file), before);
    assert.deepEqual(fs.readdirSync(dir), ["model.keras"], "no temp file left");

    // The process "dies" between writing the temp file and renaming it.
    await withPatchedFsPromises("rename", async () => {
      throw new Error("simulated failure before rename");
    }, async () => {
      await assert.rejects(writeKerasArchive(file, big), /simulated failure before rename/);
    });
    assert.deepEqual(fs.readFileSync(file), before);
    assert.deepEqual(fs.readdirSync(dir), ["model.keras"], "no temp file left");

    // And with nothing patched the same save goes through.
    await writeKerasArchive(file, big);
    assert.equal((await readKerasArchive(file)).weightsH5.length, 1 << 20);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("a read-only directory: error, previous file intact, no temp file", { skip: process.getuid?.() === 0 ? "running as root: permissions are not enforced" : false }, async () => {
  const dir = tempDir();
  const file = path.join(dir, "model.keras");
  try {
    await writeKerasArchive(file, parts("one"));
    const before = fs.readFileSync(file);
    fs.chmodSync(dir, 0o555);
    await assert.rejects(writeKerasArchive(file, parts("two")), /EACCES|EPERM/);
    fs.chmodSync(dir, 0o755);
    assert.deepEqual(fs.readFileSync(file), before);
    assert.deepEqual(fs.readdirSync(dir), ["model.keras"]);
  } finally {
    fs.chmodSync(dir, 0o755);
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("writeFileAtomic writes through a symlink to its target", async () => {
  const dir = tempDir();
  try {
    const real = path.join(dir, "real.bin");
    const link = path.join(dir, "link.bin");
    fs.writeFileSync(real, "old");
    fs.symlinkSync(real, link);
    await writeFileAtomic(link, new TextEncoder().encode("new"));
    assert.ok(fs.lstatSync(link).isSymbolicLink());
    assert.equal(fs.readFileSync(real, "utf8"), "new");
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("reads keras3_mnist_mlp.keras written by Keras 3.8.0", { skip: fixturesMissing() }, async () => {
  const archive = await readKerasArchive(fixture("keras3_mnist_mlp.keras"));
  assert.equal(archive.metadata?.keras_version, "3.8.0");
  assert.equal(typeof archive.metadata?.date_saved, "string");
  for (const key of ["module", "class_name", "config", "build_config", "compile_config"]) {
    assert.ok(key in archive.config, `config.json has ${key}`);
  }
  assert.equal(archive.config.module, "keras");
  assert.equal(archive.config.class_name, "Sequential");
  assert.equal(archive.weightsH5.length, 1240932);
  const weights = await readH5(archive.weightsH5, "keras3_mnist_mlp.keras");
  assert.deepEqual(getH5Dataset(weights, "layers/dense/vars/0")?.shape, [784, 128]);
});

test("reads keras3_mnist_cnn.keras (Keras 3.11.3, compile_config without optimizer)", { skip: fixturesMissing() }, async () => {
  const archive = await readKerasArchive(fixture("keras3_mnist_cnn.keras"));
  assert.equal(archive.metadata?.keras_version, "3.11.3");
  const compileConfig = archive.config.compile_config as Record<string, unknown>;
  assert.equal(typeof compileConfig, "object");
  assert.ok(!("optimizer" in compileConfig));
  const weights = await readH5(archive.weightsH5, "keras3_mnist_cnn.keras");
  assert.deepEqual(getH5Dataset(weights, "layers/conv2d_1/vars/0")?.shape, [3, 3, 32, 64]);
});

test("a real archive re-saved with writeH5 + writeKerasArchive reads back identical", { skip: fixturesMissing() }, async () => {
  const dir = tempDir();
  try {
    const original = await readKerasArchive(fixture("keras3_mnist_mlp.keras"));
    const tree = await readH5(original.weightsH5, "keras3_mnist_mlp.keras");
    const file = path.join(dir, "resaved.keras");
    const t0 = performance.now();
    await writeKerasArchive(file, {
      metadataJson: original.metadata ?? {},
      configJson: original.config,
      weightsH5: await writeH5(tree),
    });
    const t1 = performance.now();
    const again = await readKerasArchive(file);
    const treeAgain = await readH5(again.weightsH5, file);
    const t2 = performance.now();
    assert.deepEqual(again.config, original.config);
    assert.deepEqual(again.metadata, original.metadata);
    assert.deepEqual(treeAgain, tree);
    assert.ok(t1 - t0 < 1000 && t2 - t1 < 1000, `save ${t1 - t0} ms, load ${t2 - t1} ms`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("read errors name the file and the reason", { skip: fixturesMissing() }, async () => {
  const dir = tempDir();
  try {
    await assert.rejects(readKerasArchive(path.join(dir, "missing.keras")), /cannot read ".*missing\.keras": ENOENT/);

    const notZip = path.join(dir, "text.keras");
    fs.writeFileSync(notZip, "hello, I am not a zip");
    await assert.rejects(readKerasArchive(notZip), /".*text\.keras" is not a valid \.keras file: not a zip archive/);

    await assert.rejects(
      readKerasArchive(fixture("keras2_mnist_mlp.h5")),
      /"[^"]*keras2_mnist_mlp\.h5" is not a valid \.keras file: it is an HDF5 file \(the legacy Keras \.h5 format\)/,
    );

    const good = encodeKerasArchive(parts("x"));
    assert.throws(() => decodeKerasArchive(good.subarray(0, good.length - 30), "cut.keras"), /"cut\.keras" is not a valid \.keras file: the zip end record is missing \(the file is truncated/);

    const enc = new TextEncoder();
    const noConfig = zipSync({ "metadata.json": enc.encode("{}"), "model.weights.h5": new Uint8Array(4) });
    assert.throws(() => decodeKerasArchive(noConfig, "noconfig.keras"), /"noconfig\.keras" is not a valid \.keras file: missing member "config\.json"/);

    const noWeights = zipSync({ "metadata.json": enc.encode("{}"), "config.json": enc.encode("{}") });
    assert.throws(() => decodeKerasArchive(noWeights, "noweights.keras"), /missing member "model\.weights\.h5"/);

    const badJson = zipSync({ "metadata.json": enc.encode("{}"), "config.json": enc.encode('{"module": "keras",'), "model.weights.h5": new Uint8Array(4) });
    const badJsonFile = path.join(dir, "badjson.keras");
    fs.writeFileSync(badJsonFile, badJson);
    await assert.rejects(readKerasArchive(badJsonFile), /".*badjson\.keras" is not a valid \.keras file: invalid JSON in member "config\.json": /);

    const badMeta = zipSync({ "metadata.json": enc.encode("[1, 2]"), "config.json": enc.encode("{}"), "model.weights.h5": new Uint8Array(4) });
    assert.throws(() => decodeKerasArchive(badMeta, "m.keras"), /member "metadata\.json" is not a JSON object/);

    // metadata.json is optional (Keras does not read it when loading).
    const noMeta = zipSync({ "config.json": enc.encode('{"a": 1}'), "model.weights.h5": new Uint8Array([7]) });
    assert.deepEqual(decodeKerasArchive(noMeta, "nometa.keras"), { metadata: null, config: { a: 1 }, weightsH5: new Uint8Array([7]) });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
