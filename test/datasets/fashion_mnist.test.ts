import { createHash } from "node:crypto";
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import * as datasets from "../../src/datasets/index.js";
import { DEBIAN_DIR, FILE_CHECKSUMS } from "../../src/datasets/fashion_mnist.js";
import { listFiles, serve, tempDir } from "./helpers.js";

/** The hex SHA-256 the checksums hold (the library's own, `download.sha256`, is asynchronous). */
const sha256 = (bytes: Uint8Array): string => createHash("sha256").update(bytes).digest("hex");

const { fashion_mnist, fashionMnist } = datasets;
const FILES = ["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"];
const haveDebian = FILES.every((f) => existsSync(join(DEBIAN_DIR, f)));
const noDebian = haveDebian ? false : `Debian's dataset-fashion-mnist is not installed (apt-get install dataset-fashion-mnist)`;
/** Debian's four files, read once (about 31 MB). */
const debian: Record<string, Uint8Array> = haveDebian ? Object.fromEntries(FILES.map((f) => [f, new Uint8Array(readFileSync(join(DEBIAN_DIR, f)))])) : {};

test("fashionMnist is the same module as fashion_mnist", () => {
  assert.equal(fashionMnist.loadData, fashion_mnist.loadData);
});

test("loads Fashion-MNIST from Debian's package: shapes, dtypes, known labels", { skip: noDebian }, async (t) => {
  const cacheDir = await tempDir(t);
  const [[xTrain, yTrain], [xTest, yTest]] = await fashion_mnist.loadData({ cacheDir, download: false });
  assert.deepEqual(xTrain.shape, [60000, 28, 28]);
  assert.deepEqual(yTrain.shape, [60000]);
  assert.deepEqual(xTest.shape, [10000, 28, 28]);
  assert.deepEqual(yTest.shape, [10000]);
  for (const x of [xTrain, yTrain, xTest, yTest]) assert.equal(x.dtype, "uint8");
  assert.deepEqual(Array.from(yTrain.dataSync().subarray(0, 10)), [9, 0, 0, 3, 0, 2, 7, 2, 5, 5]);
  assert.deepEqual(Array.from(yTest.dataSync().subarray(0, 10)), [9, 2, 1, 1, 6, 1, 4, 6, 5, 7]);
  const x = xTrain.dataSync();
  let s = 0;
  for (let i = 0; i < 784; i++) s += x[i];
  assert.equal(s, 76247); // the first image, an ankle boot
  assert.deepEqual(await listFiles(cacheDir), []);
});

test("the checksum table holds Keras's archive hashes and the content hashes of Debian's copy", { skip: noDebian }, () => {
  for (const f of FILES) {
    assert.match(FILE_CHECKSUMS[f].sha256 ?? "", /^[0-9a-f]{64}$/);
    assert.equal(FILE_CHECKSUMS[f].contentSha256, sha256(gunzipSync(debian[f])), f);
  }
});

test("download: served from 127.0.0.1, verified against the real checksums, cached, then read from the cache", { skip: noDebian }, async (t) => {
  const cacheDir = await tempDir(t);
  const server = await serve(t, debian);
  const [[xTrain, yTrain], [xTest, yTest]] = await fashion_mnist.loadData({ cacheDir, localDirs: [], baseUrl: server.baseUrl });
  assert.deepEqual(xTrain.shape, [60000, 28, 28]);
  assert.deepEqual(xTest.shape, [10000, 28, 28]);
  assert.deepEqual(Array.from(yTrain.dataSync().subarray(0, 5)), [9, 0, 0, 3, 0]);
  assert.deepEqual(Array.from(yTest.dataSync().subarray(0, 5)), [9, 2, 1, 1, 6]);
  assert.deepEqual(server.requests.sort(), [...FILES].sort());
  // Keras's layout: <cache>/fashion-mnist/<file>.gz, the bytes as served, no temporary files left.
  assert.deepEqual(await listFiles(cacheDir), FILES.map((f) => join("fashion-mnist", f)).sort());
  for (const f of FILES) assert.deepEqual(new Uint8Array(await readFile(join(cacheDir, "fashion-mnist", f))), debian[f], f);
  // Now the cache is enough: nothing more is requested.
  const [[, y2]] = await fashion_mnist.loadData({ cacheDir, localDirs: [], baseUrl: server.baseUrl });
  assert.deepEqual(Array.from(y2.dataSync().subarray(0, 5)), [9, 0, 0, 3, 0]);
  assert.equal(server.requests.length, 4);
});

test("download: a corrupted byte is rejected with the file and reason named, and nothing is cached", { skip: noDebian }, async (t) => {
  const cacheDir = await tempDir(t);
  const labels = debian["train-labels-idx1-ubyte.gz"].slice();
  labels[labels.length >> 1] ^= 0x10;
  const server = await serve(t, { ...debian, "train-labels-idx1-ubyte.gz": labels });
  await assert.rejects(fashion_mnist.loadData({ cacheDir, localDirs: [], baseUrl: server.baseUrl }), (e: Error) => {
    assert.match(e.message, /download of train-labels-idx1-ubyte\.gz from http:\/\/127\.0\.0\.1:\d+\/train-labels-idx1-ubyte\.gz failed: /);
    assert.match(e.message, /(corrupt: not a valid gzip file|checksum mismatch).*nothing was cached/);
    return true;
  });
  // train-images was fetched and verified first, yet nothing is cached: all four are checked before any is written.
  assert.ok(server.requests.includes("train-images-idx3-ubyte.gz"));
  assert.deepEqual(await listFiles(cacheDir), []);
});

test("download: a valid gzip of different data fails the checksum, and nothing is cached", { skip: noDebian }, async (t) => {
  const cacheDir = await tempDir(t);
  const content = gunzipSync(debian["t10k-labels-idx1-ubyte.gz"]);
  content[8] = (content[8] + 1) % 10; // the first test label changed
  const server = await serve(t, { ...debian, "t10k-labels-idx1-ubyte.gz": gzipSync(content) });
  await assert.rejects(fashion_mnist.loadData({ cacheDir, localDirs: [], baseUrl: server.baseUrl }), (e: Error) => {
    assert.match(e.message, /download of t10k-labels-idx1-ubyte\.gz from .* failed: checksum mismatch/);
    assert.ok(e.message.includes(`does not match the expected ${FILE_CHECKSUMS["t10k-labels-idx1-ubyte.gz"].sha256}`), e.message);
    assert.ok(e.message.includes(`${sha256(content)}, does not match the expected ${FILE_CHECKSUMS["t10k-labels-idx1-ubyte.gz"].contentSha256}`), e.message);
    return true;
  });
  assert.deepEqual(await listFiles(cacheDir), []);
});

test("download: a checksums override accepts other data (a mirror, or test data)", async (t) => {
  const cacheDir = await tempDir(t);
  const idx = (type: number, dims: number[], values: number[]): Uint8Array => {
    const out = new Uint8Array(4 + 4 * dims.length + values.length);
    out.set([0, 0, type, dims.length]);
    dims.forEach((d, i) => new DataView(out.buffer).setUint32(4 + 4 * i, d, false));
    out.set(values, 4 + 4 * dims.length);
    return out;
  };
  const files: Record<string, Uint8Array> = {
    "train-images-idx3-ubyte.gz": gzipSync(idx(8, [1, 28, 28], new Array(784).fill(1))),
    "train-labels-idx1-ubyte.gz": gzipSync(idx(8, [1], [4])),
    "t10k-images-idx3-ubyte.gz": gzipSync(idx(8, [2, 28, 28], new Array(2 * 784).fill(2))),
    "t10k-labels-idx1-ubyte.gz": idx(8, [2], [5, 6]), // served uncompressed: its content hash still matches
  };
  const checksums = Object.fromEntries(Object.entries(files).map(([f, b]) => [f, sha256(b)]));
  const server = await serve(t, files);
  const [[xTrain, yTrain], [xTest, yTest]] = await fashion_mnist.loadData({ cacheDir, localDirs: [], baseUrl: server.baseUrl, checksums });
  assert.deepEqual(xTrain.shape, [1, 28, 28]);
  assert.deepEqual(yTrain.arraySync(), [4]);
  assert.deepEqual(xTest.shape, [2, 28, 28]);
  assert.deepEqual(yTest.arraySync(), [5, 6]);
  assert.equal((await listFiles(join(cacheDir, "fashion-mnist"))).length, 4);
});

test("nowhere to be found and HTTP 404: the error lists where it looked and what to install", async (t) => {
  const cacheDir = await tempDir(t);
  const server = await serve(t, { ...debian, "t10k-labels-idx1-ubyte.gz": 404 });
  await assert.rejects(fashion_mnist.loadData({ cacheDir, localDirs: [join(cacheDir, "nothing-here")], baseUrl: server.baseUrl }), (e: Error) => {
    assert.match(e.message, /^fashion_mnist\.loadData: the Fashion-MNIST dataset was not found locally and could not be downloaded\./);
    assert.ok(e.message.includes(`the cache ${join(cacheDir, "fashion-mnist")}/: no train-images-idx3-ubyte[.gz]`), e.message);
    assert.ok(e.message.includes(`${join(cacheDir, "nothing-here")}/: no`), e.message);
    assert.match(e.message, /download of (t10k-labels|train-images)-idx[13]-ubyte\.gz from http:\/\/127\.0\.0\.1:\d+\/\S+ failed: HTTP 404 Not Found/);
    assert.match(e.message, /`apt-get install dataset-fashion-mnist`/);
    return true;
  });
  assert.deepEqual(await listFiles(cacheDir), []);
});

test("a cache with only some of the files is reported as such in the error", { skip: noDebian }, async (t) => {
  const cacheDir = await tempDir(t);
  const server = await serve(t, {});
  const { mkdir, writeFile } = await import("node:fs/promises");
  await mkdir(join(cacheDir, "fashion-mnist"));
  await writeFile(join(cacheDir, "fashion-mnist", "train-labels-idx1-ubyte.gz"), debian["train-labels-idx1-ubyte.gz"]);
  await assert.rejects(fashion_mnist.loadData({ cacheDir, localDirs: [], baseUrl: server.baseUrl }), /the cache .*fashion-mnist\/: missing train-images-idx3-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte/);
});
