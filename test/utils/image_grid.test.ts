import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decode } from "fast-png";
import * as ops from "../../src/ops/index.js";
import { FRAME, WRONG_COLOR, imageGridSvg, saveImageGrid } from "../../src/utils/image_grid.js";

async function tempDir(t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "keras-ts-grid-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** n uint8 images of h x w: image i has a bright pixel at row i % h, column 0, the rest dark. */
function batch(n: number, h: number, w: number) {
  const values = new Array(n * h * w).fill(0);
  for (let i = 0; i < n; i++) values[i * h * w + (i % h) * w] = 255;
  return ops.convertToTensor(values, "uint8").reshape([n, h, w]);
}

function pixel(png: ReturnType<typeof decode>, x: number, y: number): number[] {
  const o = (y * png.width + x) * png.channels;
  return Array.from(png.data.subarray(o, o + 3));
}

const RED = [0xd6, 0x27, 0x28];

test("PNG grid: dimensions match the layout, wrong predictions framed in red, right ones not", async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, "grid.png");
  const images = batch(5, 4, 6);
  const layout = await saveImageGrid(path, images, { labels: [1, 2, 3, 4, 5], predictions: [1, 2, 9, 4, 5], columns: 2, zoom: 10 });
  const png = decode(await readFile(path));
  assert.deepEqual([png.width, png.height], [layout.width, layout.height]);
  assert.equal(WRONG_COLOR, "#d62728");
  // 5 images in 2 columns: 3 rows; each image 60 x 40 pixels.
  assert.equal(new Set(layout.cells.map((c) => c.x)).size, 2);
  assert.equal(new Set(layout.cells.map((c) => c.y)).size, 3);
  for (const c of layout.cells) assert.deepEqual([c.width, c.height], [60, 40]);
  assert.deepEqual(layout.cells.map((c) => c.wrong), [false, false, true, false, false]);
  assert.deepEqual(layout.cells.map((c) => c.text), ["1/1", "2/2", "9/3", "4/4", "5/5"]);
  const wrong = layout.cells[2];
  // Every side of the wrong image's frame is red.
  for (const [x, y] of [
    [wrong.x - 2, wrong.y + 20],
    [wrong.x + wrong.width + 1, wrong.y + 20],
    [wrong.x + 30, wrong.y - FRAME],
    [wrong.x + 30, wrong.y + wrong.height + FRAME - 1],
  ]) {
    assert.deepEqual(pixel(png, x, y), RED, `frame pixel (${x}, ${y})`);
  }
  const right = layout.cells[0];
  assert.notDeepEqual(pixel(png, right.x - 2, right.y + 20), RED);
  assert.notDeepEqual(pixel(png, right.x - FRAME, right.y + 20), RED);
  // The wrong label is written in red: some pixels under the wrong image are red, none under a right one.
  const redBelow = (c: typeof wrong): number => {
    let count = 0;
    for (let y = c.y + c.height + FRAME + 1; y < c.y + c.height + FRAME + 22; y++) {
      for (let x = c.x; x < c.x + c.width; x++) {
        const [r, g, b] = pixel(png, x, y);
        if (r > 150 && g < 100 && b < 100) count++;
      }
    }
    return count;
  };
  assert.ok(redBelow(wrong) > 10, `red text pixels: ${redBelow(wrong)}`);
  assert.equal(redBelow(right), 0);
});

test("images are drawn upright, enlarged by whole pixels, dark on white (binary) by default", async (t) => {
  const dir = await tempDir(t);
  const path = join(dir, "one.png");
  // 2 x 3 image: only the top-right pixel is 255.
  const img = ops.convertToTensor([[[0, 0, 255], [0, 0, 0]]], "uint8");
  const layout = await saveImageGrid(path, img, { zoom: 8 });
  const png = decode(await readFile(path));
  const c = layout.cells[0];
  assert.deepEqual([c.width, c.height], [24, 16]);
  // Top-right 8 x 8 block is black (high value, binary colormap), every other pixel white, edges sharp.
  for (let y = 0; y < 16; y++) {
    for (let x = 0; x < 24; x++) {
      const expected = x >= 16 && y < 8 ? 0 : 255;
      assert.deepEqual(pixel(png, c.x + x, c.y + y), [expected, expected, expected], `(${x}, ${y})`);
    }
  }
  // cmap "gray" shows high values light.
  const gray = join(dir, "gray.png");
  const l2 = await saveImageGrid(gray, img, { zoom: 8, cmap: "gray" });
  const g = decode(await readFile(gray));
  assert.deepEqual(pixel(g, l2.cells[0].x + 20, l2.cells[0].y + 2), [255, 255, 255]);
  assert.deepEqual(pixel(g, l2.cells[0].x + 2, l2.cells[0].y + 2), [0, 0, 0]);
});

test("SVG: one <image> per input, the label texts, the count of wrong ones; .svg path writes it", async (t) => {
  const probs = ops.convertToTensor([
    [0.9, 0.1, 0],
    [0.2, 0.7, 0.1],
    [0.1, 0.2, 0.7],
    [0.6, 0.3, 0.1],
  ]);
  const { svg, layout } = imageGridSvg(batch(4, 5, 5), { labels: ops.convertToTensor([0, 1, 2, 2, 7, 7]), predictions: probs, classNames: ["zero", "one", "two"], title: "A & B" });
  assert.equal(svg.match(/<image /g)?.length, 4);
  for (const text of ["zero/zero", "one/one", "two/two", "zero/two"]) assert.ok(svg.includes(`>${text}</text>`), text);
  assert.ok(svg.includes("1 of 4 wrong"));
  assert.ok(svg.includes(">A &amp; B</text>"));
  assert.equal(svg.match(/class="cell wrong"/g)?.length, 1);
  assert.ok(svg.includes('image-rendering="optimizeSpeed"'));
  assert.deepEqual(layout.cells.map((c) => c.wrong), [false, false, false, true]);
  // Labels alone: just the label under each image, nothing red.
  const plain = imageGridSvg(batch(3, 5, 5), { labels: ["cat", "dog", "cat"] }).svg;
  assert.ok(plain.includes(">dog</text>"));
  assert.ok(!plain.includes(WRONG_COLOR));
  // Predictions alone.
  assert.ok(imageGridSvg(batch(1, 5, 5), { predictions: [3] }).svg.includes(">pred 3</text>"));

  const dir = await tempDir(t);
  const path = join(dir, "grid.svg");
  await saveImageGrid(path, batch(4, 5, 5), { labels: [0, 1, 2, 3] });
  const text = await readFile(path, "utf8");
  assert.ok(text.startsWith("<svg"));
  assert.equal(text.match(/<image /g)?.length, 4);
  assert.deepEqual(await readdir(dir), ["grid.svg"]);
});

test("float, RGB and lists of images; default layout", () => {
  // float [n, h, w]: each image scaled as saveImg scales it.
  const floats = ops.convertToTensor([[[0, 0.5], [1, 0.25]], [[-1, 1], [0, 0]]]);
  assert.equal(imageGridSvg(floats).layout.cells.length, 2);
  // [n, h, w, 3] and [n, h, w, 4]
  assert.equal(imageGridSvg(ops.zeros([2, 3, 3, 3], "uint8")).layout.cells.length, 2);
  assert.equal(imageGridSvg(ops.zeros([1, 3, 3, 4])).layout.cells.length, 1);
  // A list of single images of different sizes.
  const list = [ops.zeros([4, 4], "uint8"), ops.zeros([2, 6, 1], "uint8")];
  const { layout } = imageGridSvg(list, { zoom: 2 });
  assert.deepEqual(layout.cells.map((c) => [c.width, c.height]), [[8, 8], [12, 4]]);
  // 32 digits: 8 columns, 4 rows, each 28 x 28 shown 4x (112 px).
  const d = imageGridSvg(batch(32, 28, 28)).layout;
  assert.equal(new Set(d.cells.map((c) => c.x)).size, 8);
  assert.equal(new Set(d.cells.map((c) => c.y)).size, 4);
  assert.equal(d.cells[0].width, 112);
});

test("bad inputs are clear errors", async (t) => {
  assert.throws(() => imageGridSvg([]), /no images to draw \(got an empty list\)/);
  assert.throws(() => imageGridSvg(ops.zeros([0, 28, 28])), /no images to draw \(shape \[0,28,28\]\)/);
  assert.throws(() => imageGridSvg(ops.zeros([28, 28])), /expected a batch of images .* got shape \[28,28\] \(a single image\?/);
  assert.throws(() => imageGridSvg(ops.zeros([2, 28, 28, 2])), /channel count 2 in image of shape \[28,28,2\].*batch of shape \[2,28,28,2\]/);
  assert.throws(() => imageGridSvg(ops.zeros([2, 28, 28, 5])), /channel count 5/);
  assert.throws(() => imageGridSvg([ops.zeros([3, 3, 2])]), /channel count 2 in image of shape \[3,3,2\]/);
  assert.throws(() => imageGridSvg(batch(3, 2, 2), { labels: [1, 2] }), /3 images but only 2 labels/);
  assert.throws(() => imageGridSvg(batch(2, 2, 2), { labels: ops.zeros([2, 2, 2]) }), /labels must be .* got shape \[2,2,2\]/);
  assert.throws(() => imageGridSvg(batch(2, 2, 2), { zoom: 1.5 }), /zoom must be a positive integer/);
  const dir = await tempDir(t);
  await assert.rejects(saveImageGrid(join(dir, "grid.jpg"), batch(1, 2, 2)), /use a name ending in \.png or \.svg/);
  await writeFile(join(dir, "file"), "x");
  const bad = join(dir, "file", "grid.png");
  await assert.rejects(saveImageGrid(bad, batch(1, 2, 2)), (e: Error) => e.message.startsWith("saveImageGrid: cannot write") && e.message.includes(bad));
});
