import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as keras from "../../src/index.js";
import { History } from "../../src/callbacks/history.js";
import { formatTick, integerTicks, niceTicks, textWidth } from "../../src/utils/svg_chart.js";

const HISTORY = {
  loss: [0.95, 0.52, 0.43, 0.39, 0.36, 0.345, 0.33, 0.322, 0.315, 0.308],
  accuracy: [0.78, 0.87, 0.885, 0.893, 0.9, 0.905, 0.908, 0.911, 0.913, 0.915],
  val_loss: [0.58, 0.45, 0.4, 0.37, 0.35, 0.34, 0.33, 0.325, 0.318, 0.312],
  val_accuracy: [0.86, 0.88, 0.891, 0.898, 0.903, 0.906, 0.91, 0.912, 0.914, 0.916],
};

interface ParsedSeries {
  key: string;
  split: string;
  points: [number, number][];
  markers: number;
}

/** The series of each panel, read back from the SVG text. */
function parsePanels(svg: string): Map<string, ParsedSeries[]> {
  const panels = new Map<string, ParsedSeries[]>();
  for (const panel of svg.split('<g class="panel"').slice(1)) {
    const metric = /^ data-metric="([^"]+)"/.exec(panel)![1];
    const series: ParsedSeries[] = [];
    for (const chunk of panel.split('<g class="series"').slice(1)) {
      const head = /^ data-key="([^"]+)" data-split="([^"]+)">/.exec(chunk)!;
      const body = chunk.slice(0, chunk.indexOf("</g>"));
      const polylines = [...body.matchAll(/<polyline points="([^"]*)"/g)];
      assert.equal(polylines.length, 1, `one polyline for ${head[1]}`);
      const points = polylines[0][1].split(" ").map((p) => p.split(",").map(Number) as [number, number]);
      series.push({ key: head[1], split: head[2], points, markers: (body.match(/class="marker"/g) ?? []).length });
    }
    panels.set(metric, series);
  }
  return panels;
}

function pngSize(bytes: Uint8Array): { width: number; height: number } {
  assert.deepEqual([...bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], "PNG signature");
  assert.equal(Buffer.from(bytes.subarray(12, 16)).toString("latin1"), "IHDR");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

test("plotHistory draws one panel per metric, train and validation polylines with a marker per epoch", async () => {
  const svg = await keras.utils.plotHistory(HISTORY);
  const panels = parsePanels(svg);
  assert.deepEqual([...panels.keys()], ["loss", "accuracy"]);
  for (const [metric, series] of panels) {
    assert.deepEqual(series.map((s) => [s.key, s.split]), [[metric, "train"], [`val_${metric}`, "validation"]]);
    for (const s of series) {
      assert.equal(s.points.length, 10);
      assert.equal(s.markers, 10);
      for (let i = 1; i < s.points.length; i++) assert.ok(s.points[i][0] > s.points[i - 1][0], "x increases with the epoch");
    }
  }
  // Higher values are drawn higher up (smaller y): accuracy rises, loss falls.
  const acc = panels.get("accuracy")![0].points;
  assert.ok(acc[9][1] < acc[0][1]);
  const loss = panels.get("loss")![0].points;
  assert.ok(loss[9][1] > loss[0][1]);
  // Same x for the same epoch in train and validation.
  assert.deepEqual(panels.get("loss")![0].points.map((p) => p[0]), panels.get("loss")![1].points.map((p) => p[0]));
});

test("plotHistory labels: title, axis labels, legend, round tick labels, epochs from 1", async () => {
  const svg = await keras.utils.plotHistory(HISTORY, { title: "Seed <002>" });
  assert.match(svg, /<text class="title"[^>]*>Seed &lt;002&gt;<\/text>/);
  assert.equal((svg.match(/class="axis-label x-label"[^>]*>Epoch</g) ?? []).length, 2);
  assert.match(svg, /class="axis-label y-label"[^>]*>loss</);
  assert.match(svg, /class="axis-label y-label"[^>]*>accuracy</);
  const legend = svg.slice(svg.indexOf('<g class="legend">'), svg.indexOf('<g class="panel"'));
  assert.match(legend, />train</);
  assert.match(legend, />validation</);
  const tickLabels = [...svg.matchAll(/class="tick-label"[^>]*>([^<]*)</g)].map((m) => m[1]);
  assert.ok(tickLabels.includes("1") && tickLabels.includes("10"), `epoch ticks run 1..10: ${tickLabels.join(" ")}`);
  assert.ok(!tickLabels.includes("0"), "no epoch 0");
  for (const label of tickLabels) assert.match(label, /^-?\d+(\.\d{1,2})?$/, `round tick label ${label}`);
  assert.ok(tickLabels.includes("0.90"), "accuracy ticks at round values");
  assert.match(svg, /font-family="DejaVu Sans"/);
});

test("plotHistory accepts a History object and draws only the metrics asked for", async () => {
  const history = new History();
  history.onTrainBegin();
  for (let epoch = 0; epoch < 4; epoch++) history.onEpochEnd(epoch + 3, { loss: 1 / (epoch + 1), accuracy: 0.5 + epoch / 10 });
  const svg = await keras.utils.plotHistory(history, { metrics: ["accuracy"] });
  const panels = parsePanels(svg);
  assert.deepEqual([...panels.keys()], ["accuracy"]);
  assert.equal(panels.get("accuracy")!.length, 1, "no validation series in this history");
  assert.doesNotMatch(svg.slice(svg.indexOf('<g class="legend">'), svg.indexOf('<g class="panel"')), />validation</);
  // Epochs come from history.epoch (initialEpoch 3 -> epochs 4..7).
  const labels = [...svg.matchAll(/class="tick-label"[^>]*>([^<]*)</g)].map((m) => m[1]);
  assert.ok(labels.includes("4") && labels.includes("7"), labels.join(" "));
});

test("plotHistory writes SVG and PNG files atomically, PNG at the figure's size", async () => {
  const dir = await mkdtemp(join(tmpdir(), "plot-history-"));
  try {
    const svg = await keras.utils.plotHistory(HISTORY, { toFile: join(dir, "history.svg"), width: 700, height: 300 });
    assert.equal(await readFile(join(dir, "history.svg"), "utf8"), svg);
    assert.match(svg, /^<svg [^>]*width="700" height="300"/);
    await keras.utils.plotHistory(HISTORY, { toFile: join(dir, "history.png"), width: 640, height: 360 });
    assert.deepEqual(pngSize(await readFile(join(dir, "history.png"))), { width: 640, height: 360 });
    // Default size: two panels side by side.
    await keras.utils.plotHistory(HISTORY, { toFile: join(dir, "default.PNG") });
    assert.deepEqual(pngSize(await readFile(join(dir, "default.PNG"))), { width: 952, height: 432 });
    assert.deepEqual((await readdir(dir)).sort(), ["default.PNG", "history.png", "history.svg"], "no temporary files left");
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("plotHistory errors: empty history, unknown metric, bad path, bad extension", async () => {
  await assert.rejects(keras.utils.plotHistory({}), /history is empty \(no epochs recorded\)/);
  await assert.rejects(keras.utils.plotHistory({ loss: [] }), /history is empty/);
  await assert.rejects(keras.utils.plotHistory(new History()), /history is empty/);
  await assert.rejects(keras.utils.plotHistory(HISTORY, { metrics: ["acc"] }), /unknown metric 'acc'; available metrics: loss, accuracy/);
  await assert.rejects(keras.utils.plotHistory(HISTORY, { metrics: ["val_loss"] }), /unknown metric 'val_loss' \(validation curves are drawn in the panel of 'loss'\)/);
  const dir = await mkdtemp(join(tmpdir(), "plot-history-"));
  try {
    const missing = join(dir, "no", "such", "dir", "history.png");
    await assert.rejects(keras.utils.plotHistory(HISTORY, { toFile: missing }), (error: Error) => {
      assert.match(error.message, /^plotHistory: cannot write '/);
      assert.ok(error.message.includes(missing), error.message);
      return true;
    });
    await assert.rejects(keras.utils.plotHistory(HISTORY, { toFile: join(dir, "history.jpg") }), /unsupported file extension '\.jpg'.*supported: \.png, \.svg/);
    // A failed write leaves the previous file intact.
    const target = join(dir, "keep.svg");
    await writeFile(target, "previous");
    await assert.rejects(keras.utils.plotHistory({ loss: [1, "x" as unknown as number] }, { toFile: target }), /must be a list of numbers/);
    assert.equal(await readFile(target, "utf8"), "previous");
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("plotHistory copes with one epoch and non-finite values", async () => {
  const one = parsePanels(await keras.utils.plotHistory({ loss: [0.5], val_loss: [0.6] }));
  assert.equal(one.get("loss")![0].points.length, 1);
  assert.ok(one.get("loss")!.every((s) => s.points.every(([x, y]) => Number.isFinite(x) && Number.isFinite(y))));
  const nan = parsePanels(await keras.utils.plotHistory({ loss: [1, Number.NaN, 0.5, Infinity, 0.25] }));
  assert.equal(nan.get("loss")![0].points.length, 3, "non-finite epochs are left out of the curve");
});

test("svg_chart helpers: nice ticks, tick labels, text widths", () => {
  assert.deepEqual(niceTicks(0.308, 0.95, 6).ticks.map((t) => formatTick(t, 0.2, 1)), ["0.2", "0.4", "0.6", "0.8", "1.0"]);
  const acc = niceTicks(0.78, 0.916, 6);
  assert.equal(acc.step, 0.05);
  assert.deepEqual(acc.ticks.map((t) => formatTick(t, acc.step, acc.decimals)), ["0.75", "0.80", "0.85", "0.90", "0.95"]);
  const lr = niceTicks(4.8e-5, 0.001, 6);
  assert.equal(formatTick(lr.ticks[1], lr.step, lr.decimals), "0.0002");
  const tiny = niceTicks(1e-8, 5e-8, 5);
  assert.deepEqual(tiny.ticks.slice(0, 2).map((t) => formatTick(t, tiny.step, tiny.decimals)), ["1e-8", "2e-8"]);
  assert.deepEqual(integerTicks(1, 10, 11), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  assert.deepEqual(integerTicks(1, 100, 6), [1, 20, 40, 60, 80, 100]);
  // DejaVu Sans advances: "Dense" is about 2.9 em in regular, wider in bold.
  assert.ok(Math.abs(textWidth("Dense", 16) - 16 * (0.77 + 0.615 + 0.634 + 0.521 + 0.615)) < 0.1);
  assert.ok(textWidth("Dense", 16, true) > textWidth("Dense", 16));
});
