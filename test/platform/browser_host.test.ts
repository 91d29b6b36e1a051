/**
 * The browser's host (src/platform/browser.ts), run in Node through `setPlatform`: locations are
 * URLs read with fetch, there is no file system, text goes to the console. (What needs a page —
 * IndexedDB, downloads, canvases, the HDF5 Web Worker — is checked in Chromium by
 * npm run test:browser.)
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { host as browserHost } from "../../src/platform/browser.js";
import { setPlatform } from "../../src/platform/platform.js";
import * as keras from "../../src/index.js";
import { serve } from "../datasets/helpers.js";

/** An IDX file: magic 00 00 08 <rank>, big-endian dims, uint8 data. */
function idx(shape: number[], fill: (i: number) => number): Uint8Array {
  const size = shape.reduce((a, b) => a * b, 1);
  const out = new Uint8Array(4 + 4 * shape.length + size);
  const view = new DataView(out.buffer);
  out[2] = 0x08;
  out[3] = shape.length;
  shape.forEach((d, k) => view.setUint32(4 + 4 * k, d, false));
  for (let i = 0; i < size; i++) out[4 + 4 * shape.length + i] = fill(i);
  return out;
}

function withBrowserHost(t: { after: (fn: () => void) => void }): void {
  const previous = setPlatform(browserHost);
  t.after(() => setPlatform(previous));
}

test("mnist.loadData({ url }) fetches the four IDX files from a folder URL, gzipped or not", async (t) => {
  const server = await serve(t, {
    "mnist/train-images-idx3-ubyte": idx([3, 28, 28], (i) => i % 256),
    "mnist/train-labels-idx1-ubyte": idx([3], (i) => i + 1),
    "mnist/t10k-images-idx3-ubyte.gz": new Uint8Array((await import("node:zlib")).gzipSync(idx([2, 28, 28], () => 9))),
    "mnist/t10k-labels-idx1-ubyte": idx([2], () => 7),
  });
  withBrowserHost(t);
  const [[xTrain, yTrain], [xTest, yTest]] = await keras.datasets.mnist.loadData({ url: `${server.baseUrl}mnist` });
  assert.deepEqual(xTrain.shape, [3, 28, 28]);
  assert.deepEqual([...yTrain.dataSync()], [1, 2, 3]);
  assert.deepEqual(xTest.shape, [2, 28, 28]);
  assert.equal(xTest.dataSync()[0], 9);
  assert.deepEqual([...yTest.dataSync()], [7, 7]);
});

test("mnist.loadData({ url }) names the URLs it tried when a file is missing", async (t) => {
  const server = await serve(t, {});
  withBrowserHost(t);
  await assert.rejects(keras.datasets.mnist.loadData({ url: `${server.baseUrl}nothing/` }), (e: Error) => {
    assert.match(e.message, /^mnist\.loadData: cannot fetch http:\/\/127\.0\.0\.1:\d+\/nothing\/train-images-idx3-ubyte: HTTP 404/);
    assert.match(e.message, /train-images-idx3-ubyte\.gz: HTTP 404/);
    return true;
  });
});

test("in a page without url, mnist.loadData looks in no folders and says to pass a url", async (t) => {
  withBrowserHost(t);
  await assert.rejects(keras.datasets.mnist.loadData({ download: false }), (e: Error) => {
    assert.match(e.message, /no local files \(a web page has no file system\)/);
    assert.match(e.message, /pass loadData\(\{ url \}\)/);
    assert.doesNotMatch(e.message, /\.keras\/datasets/);
    return true;
  });
});

test("a page has no file system: saving to a path says where it can save", async (t) => {
  withBrowserHost(t);
  const model = new keras.Sequential([keras.Input({ shape: [2] }), new keras.layers.Dense(1)]);
  await assert.rejects(model.save("model.keras"), /^Error: model\.save: cannot write "model\.keras": a web page has no file system; save with "indexeddb:\/\/name".*"downloads:\/\/name\.keras"/);
  await assert.rejects(model.saveWeights("model.weights.h5"), /^Error: model\.saveWeights: cannot write "model\.weights\.h5": a web page has no file system/);
  await assert.rejects(keras.utils.plotModel(model, { toFile: "model.svg" }), /plotModel: cannot write 'model\.svg': .*a web page has no file system/);
  // No page here: a relative URL has nothing to be relative to.
  await assert.rejects(keras.saving.loadModel("model.keras"), /"model\.keras" is not a URL/);
});

test("text output goes to the console a line at a time; a redrawn line is logged once, as it ends", (t) => {
  withBrowserHost(t);
  const logged: string[] = [];
  const log = console.log;
  console.log = (line: string) => logged.push(line);
  try {
    const out = browserHost.stdout();
    assert.equal(out.isTTY, false);
    out.write("Epoch 1/2\n");
    out.write("\r1/3 ━━");
    out.write("\r2/3 ━━━━");
    out.write("\r3/3 ━━━━━━ - loss: 0.5\nfin");
    out.write("al\n");
  } finally {
    console.log = log;
  }
  assert.deepEqual(logged, ["Epoch 1/2", "3/3 ━━━━━━ - loss: 0.5", "final"]);
});

test("a training loop gets a turn of the event loop after about 50 ms of work, and none before", async () => {
  await browserHost.nextTask();
  assert.equal(browserHost.maybeYield(), undefined);
  const start = performance.now();
  while (performance.now() - start < 60) {
    // Busy, as a training step is.
  }
  const turn = browserHost.maybeYield();
  assert.ok(turn instanceof Promise);
  await turn;
  assert.equal(browserHost.maybeYield(), undefined);
});

test("the browser host's SHA-256 and gunzip agree with Node's", async () => {
  const { createHash } = await import("node:crypto");
  const { gzipSync } = await import("node:zlib");
  const bytes = new Uint8Array(100_000).map((_, i) => (i * 31) % 251);
  assert.equal(await browserHost.sha256(bytes), createHash("sha256").update(bytes).digest("hex"));
  assert.deepEqual(browserHost.gunzipSync(new Uint8Array(gzipSync(bytes))), bytes);
});
