import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readFile, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as keras from "../../src/index.js";

const { layers } = keras;

interface ParsedBox {
  name: string;
  className: string;
  x: number;
  y: number;
  width: number;
  height: number;
  text: string;
}

interface ParsedEdge {
  source: string;
  target: string;
  /** Tip of the arrowhead, and the midpoint of its base. */
  tip: [number, number];
  base: [number, number];
}

function parse(svg: string): { width: number; height: number; boxes: ParsedBox[]; edges: ParsedEdge[] } {
  const size = /^<svg [^>]*width="([\d.]+)" height="([\d.]+)"/.exec(svg)!;
  const boxes = [...svg.matchAll(/<g class="layer" data-name="([^"]*)" data-class="([^"]*)">([\s\S]*?)<\/g>/g)].map((m) => {
    const rect = /<rect class="box" x="([-\d.]+)" y="([-\d.]+)" width="([\d.]+)" height="([\d.]+)"/.exec(m[3])!;
    const text = [...m[3].matchAll(/<text[^>]*>([\s\S]*?)<\/text>/g)].map((t) => t[1].replace(/<[^>]+>/g, "")).join(" | ");
    return { name: m[1], className: m[2], x: +rect[1], y: +rect[2], width: +rect[3], height: +rect[4], text };
  });
  const edges = [...svg.matchAll(/<g class="edge" data-source="([^"]*)" data-target="([^"]*)">([\s\S]*?)<\/g>/g)].map((m) => {
    const points = /<polygon class="arrowhead" points="([^"]*)"/.exec(m[3])![1].split(" ").map((p) => p.split(",").map(Number));
    const tip = points[0] as [number, number];
    const base: [number, number] = [(points[1][0] + points[2][0]) / 2, (points[1][1] + points[2][1]) / 2];
    return { source: m[1], target: m[2], tip, base };
  });
  return { width: +size[1], height: +size[2], boxes, edges };
}

function pngSize(bytes: Uint8Array): { width: number; height: number } {
  assert.deepEqual([...bytes.subarray(1, 4)], [0x50, 0x4e, 0x47], "PNG signature");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

/** Two inputs, a shared layer, Concatenate and Add merges, two outputs. */
function branchingModel() {
  keras.utils.clearSession();
  const image = keras.Input({ shape: [784], name: "image" });
  const meta = keras.Input({ shape: [16], name: "meta" });
  const shared = new layers.Dense(32, { activation: "relu", name: "shared_dense" });
  const a = shared.apply(image);
  const proj = new layers.Dense(784, { name: "meta_proj" }).apply(meta);
  const b = shared.apply(proj);
  const merged = new layers.Concatenate({ name: "concat" }).apply([a, b]);
  const summed = new layers.Add({ name: "add" }).apply([a, b]);
  const trunk = new layers.Dense(64, { activation: "relu", name: "trunk" }).apply(merged);
  const digit = new layers.Dense(10, { activation: "softmax", name: "digit" }).apply(trunk);
  const score = new layers.Dense(1, { activation: "sigmoid", name: "score" }).apply(summed);
  return new keras.Model({ inputs: [image, meta], outputs: [digit, score], name: "branching" });
}

const BRANCH_EDGES = [
  "image->shared_dense",
  "meta->meta_proj",
  "meta_proj->shared_dense",
  "shared_dense->concat",
  "shared_dense->add",
  "concat->trunk",
  "trunk->digit",
  "add->score",
];

function centre(b: ParsedBox): [number, number] {
  return [b.x + b.width / 2, b.y + b.height / 2];
}

test("plotModel draws one box per layer and one arrow per connection of a branching functional model", async () => {
  const model = branchingModel();
  const { boxes, edges, width, height } = parse(await keras.utils.plotModel(model, { toFile: join(tmpdir(), `unused-${process.pid}.svg`), showLayerNames: true }));
  await rm(join(tmpdir(), `unused-${process.pid}.svg`), { force: true });
  assert.deepEqual(boxes.map((b) => b.name).sort(), model.layers.map((l) => l.name).sort());
  assert.equal(boxes.length, 9);
  // The shared layer is one box; each (source, destination) pair is one arrow, as Keras's add_edge.
  assert.deepEqual(edges.map((e) => `${e.source}->${e.target}`).sort(), [...BRANCH_EDGES].sort());
  const byName = new Map(boxes.map((b) => [b.name, b]));
  assert.equal(byName.get("concat")!.className, "Concatenate");
  assert.equal(byName.get("image")!.text, "image (InputLayer)");
  for (const e of edges) {
    const source = byName.get(e.source)!;
    const target = byName.get(e.target)!;
    // Top to bottom: arrows point down and end on the top side of their target.
    assert.ok(e.tip[1] > e.base[1], `${e.source}->${e.target} points down`);
    assert.ok(Math.abs(e.tip[1] - target.y) < 0.5, "tip on the target's top side");
    assert.ok(e.tip[0] >= target.x && e.tip[0] <= target.x + target.width, "tip within the target's side");
    assert.ok(source.y + source.height < target.y, "sources above their targets");
  }
  // No two boxes overlap; everything is inside the picture.
  for (const a of boxes) {
    assert.ok(a.x >= 0 && a.y >= 0 && a.x + a.width <= width && a.y + a.height <= height);
    for (const b of boxes) {
      if (a === b) continue;
      const apart = a.x + a.width <= b.x || b.x + b.width <= a.x || a.y + a.height <= b.y || b.y + b.height <= a.y;
      assert.ok(apart, `${a.name} and ${b.name} overlap`);
    }
  }
  // Ranks by longest path from the inputs: the shared layer sits below meta_proj.
  assert.ok(byName.get("shared_dense")!.y > byName.get("meta_proj")!.y + byName.get("meta_proj")!.height);
  // A chain is drawn straight: trunk right under concat, digit under trunk.
  assert.ok(Math.abs(centre(byName.get("trunk")!)[0] - centre(byName.get("concat")!)[0]) < 0.5);
  assert.ok(Math.abs(centre(byName.get("digit")!)[0] - centre(byName.get("trunk")!)[0]) < 0.5);
});

test("plotModel with rankdir LR lays the graph out from left to right", async () => {
  const model = branchingModel();
  const tb = parse(keras.utils.modelToSvg(model));
  const lr = parse(keras.utils.modelToSvg(model, { rankdir: "LR" }));
  assert.ok(tb.height > tb.width, "TB is tall");
  assert.ok(lr.width > lr.height, "LR is wide");
  const byName = new Map(lr.boxes.map((b) => [b.name, b]));
  assert.equal(lr.edges.length, BRANCH_EDGES.length);
  for (const e of lr.edges) {
    const source = byName.get(e.source)!;
    const target = byName.get(e.target)!;
    assert.ok(e.tip[0] > e.base[0], `${e.source}->${e.target} points right`);
    assert.ok(Math.abs(e.tip[0] - target.x) < 0.5, "tip on the target's left side");
    assert.ok(source.x + source.width < target.x, "sources left of their targets");
  }
  assert.match(keras.utils.modelToSvg(model, { rankdir: "LR" }), /data-rankdir="LR"/);
  assert.throws(() => keras.utils.modelToSvg(model, { rankdir: "XY" as "TB" }), /rankdir must be "TB" or "LR"/);
});

test("plotModel labels follow Keras 3: class only by default, name (Class), shapes, dtype, activation, trainable", async () => {
  const model = branchingModel();
  const plain = parse(await keras.utils.plotModel(model, { toFile: join(tmpdir(), `plain-${process.pid}.svg`) }));
  await rm(join(tmpdir(), `plain-${process.pid}.svg`), { force: true });
  assert.deepEqual(plain.boxes.map((b) => b.text).sort(), ["Add", "Concatenate", "Dense", "Dense", "Dense", "Dense", "Dense", "InputLayer", "InputLayer"]);
  const svg = keras.utils.modelToSvg(model, { showShapes: true, showDtype: true });
  const byName = new Map(parse(svg).boxes.map((b) => [b.name, b]));
  assert.equal(byName.get("trunk")!.text, "trunk (Dense) | Input shape: (None, 64) | Output shape: (None, 64) | Output dtype: float32");
  assert.equal(byName.get("concat")!.text, "concat (Concatenate) | Input shape: [(None, 32), (None, 32)] | Output shape: (None, 64) | Output dtype: float32");
  // An InputLayer has no input shape cell.
  assert.equal(byName.get("image")!.text, "image (InputLayer) | Output shape: (None, 784) | Output dtype: float32");
  assert.match(svg, /<tspan font-weight="bold">\(None, 64\)<\/tspan>/);
  // Boxes grow to fit their text.
  const small = parse(keras.utils.modelToSvg(model)).boxes.find((b) => b.name === "trunk")!;
  assert.ok(byName.get("trunk")!.width > small.width + 200);
  const extra = parse(keras.utils.modelToSvg(model, { showLayerActivations: true, showTrainable: true, showLayerNames: false }));
  const trunk = extra.boxes.find((b) => b.name === "trunk")!;
  assert.equal(trunk.text, "Dense | Activation: relu | Trainable");
  assert.equal(extra.boxes.find((b) => b.name === "image")!.text, "InputLayer", "no weights: no Trainable cell");
});

test("plotModel draws a Sequential model as a chain of its layers, as Keras 3 (no InputLayer box)", async () => {
  keras.utils.clearSession();
  const model = new keras.Sequential([
    new layers.Dense(512, { activation: "relu", inputShape: [784] }),
    new layers.Dropout(0.2),
    new layers.Dense(10, { activation: "softmax" }),
  ]);
  const { boxes, edges } = parse(keras.utils.modelToSvg(model, { showShapes: true }));
  assert.deepEqual(boxes.map((b) => b.name), ["dense", "dropout", "dense_1"]);
  assert.deepEqual(edges.map((e) => `${e.source}->${e.target}`), ["dense->dropout", "dropout->dense_1"]);
  assert.equal(boxes[0].text, "dense (Dense) | Input shape: (None, 784) | Output shape: (None, 512)");
  assert.ok(boxes[0].y < boxes[1].y && boxes[1].y < boxes[2].y);
  const unbuilt = new keras.Sequential([new layers.Dense(4)]);
  await assert.rejects(keras.utils.plotModel(unbuilt, { toFile: join(tmpdir(), "never.png") }), /This model has not yet been built/);
});

test("plotModel writes PNG at dpi / 72 pixels per point, and SVG text", async () => {
  const dir = await mkdtemp(join(tmpdir(), "plot-model-"));
  try {
    const model = branchingModel();
    const svg = await keras.utils.plotModel(model, { toFile: join(dir, "model.svg"), showShapes: true });
    assert.equal(await readFile(join(dir, "model.svg"), "utf8"), svg);
    const { width, height } = parse(svg);
    await keras.utils.plotModel(model, { toFile: join(dir, "model.png"), showShapes: true, dpi: 72 });
    const at72 = pngSize(await readFile(join(dir, "model.png")));
    assert.equal(at72.width, Math.round(width));
    assert.ok(Math.abs(at72.height - height) <= 1);
    await keras.utils.plotModel(model, { toFile: join(dir, "model200.png"), showShapes: true });
    assert.equal(pngSize(await readFile(join(dir, "model200.png"))).width, Math.round((width * 200) / 72), "Keras's default dpi is 200");
    assert.deepEqual((await readdir(dir)).sort(), ["model.png", "model.svg", "model200.png"]);
    const missing = join(dir, "missing", "model.png");
    await assert.rejects(keras.utils.plotModel(model, { toFile: missing }), (error: Error) => error.message.startsWith("plotModel: cannot write '") && error.message.includes(missing));
    await assert.rejects(keras.utils.plotModel(model, { toFile: join(dir, "model.pdf") }), /unsupported file extension '\.pdf'/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test("plotModel handles nested models, expanded or not, and a layer fed by its own output", () => {
  keras.utils.clearSession();
  const blockIn = keras.Input({ shape: [32], name: "block_in" });
  const blockOut = new layers.Add({ name: "block_add" }).apply([blockIn, new layers.Dense(32, { name: "block_dense" }).apply(blockIn)]);
  const block = new keras.Model({ inputs: blockIn, outputs: blockOut, name: "res_block" });
  const head = new keras.Sequential([new layers.Dense(16, { inputShape: [32], name: "head_a" }), new layers.Dense(4, { name: "head_b" })], { name: "head" });
  const x = keras.Input({ shape: [8], name: "x" });
  const stem = new layers.Dense(32, { name: "stem" }).apply(x);
  const out = head.apply(new layers.Add({ name: "skip" }).apply([stem, block.apply(stem)]));
  const model = new keras.Model({ inputs: x, outputs: out });

  const collapsed = parse(keras.utils.modelToSvg(model));
  assert.deepEqual(collapsed.boxes.map((b) => `${b.name}:${b.className}`).sort(), ["head:Sequential", "res_block:Functional", "skip:Add", "stem:Dense", "x:InputLayer"]);
  assert.deepEqual(collapsed.edges.map((e) => `${e.source}->${e.target}`).sort(), ["res_block->skip", "skip->head", "stem->res_block", "stem->skip", "x->stem"]);

  const svg = keras.utils.modelToSvg(model, { expandNested: true });
  const expanded = parse(svg);
  assert.deepEqual(expanded.boxes.map((b) => b.name).sort(), ["block_add", "block_dense", "block_in", "head_a", "head_b", "skip", "stem", "x"]);
  assert.deepEqual(
    expanded.edges.map((e) => `${e.source}->${e.target}`).sort(),
    ["block_add->skip", "block_dense->block_add", "block_in->block_add", "block_in->block_dense", "head_a->head_b", "skip->head_a", "stem->block_in", "stem->skip", "x->stem"],
  );
  assert.deepEqual([...svg.matchAll(/<g class="cluster" data-name="([^"]+)"/g)].map((m) => m[1]).sort(), ["head", "res_block"]);

  const y = keras.Input({ shape: [4], name: "y" });
  const recurrent = new layers.Dense(4, { name: "recurrent" });
  const loop = parse(keras.utils.modelToSvg(new keras.Model({ inputs: y, outputs: recurrent.apply(recurrent.apply(y)) })));
  assert.deepEqual(loop.edges.map((e) => `${e.source}->${e.target}`).sort(), ["recurrent->recurrent", "y->recurrent"]);
});
