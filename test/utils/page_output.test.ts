/**
 * Pictures and text into page elements, with stand-ins for the elements (the real page, canvases
 * included, is npm run test:browser's).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as keras from "../../src/index.js";

function fakeElement(tagName = "DIV"): { tagName: string; innerHTML: string; textContent: string | null; draws: number } {
  let html = "";
  const element = {
    tagName,
    textContent: null as string | null,
    draws: 0,
    get innerHTML() {
      return html;
    },
    set innerHTML(value: string) {
      html = value;
      element.draws++;
    },
  };
  return element;
}

test("textElementStream shows the text as a terminal would: \\r redraws the line, colours dropped", () => {
  const pre = fakeElement("PRE");
  const stream = keras.utils.textElementStream(pre);
  assert.equal(stream.isTTY, true);
  stream.write("Epoch 1/1\n");
  stream.write("\r\x1b[1m1/2\x1b[0m ━━━");
  stream.write("\r\x1b[1m2/2\x1b[0m ━━━━━━ - loss: 0.1\n");
  assert.equal(pre.textContent, "Epoch 1/1\n2/2 ━━━━━━ - loss: 0.1\n");
  const short = fakeElement("PRE");
  const kept = keras.utils.textElementStream(short, { maxLines: 2 });
  kept.write("a\nb\nc\nd");
  assert.equal(short.textContent, "c\nd");
  assert.throws(() => keras.utils.textElementStream(null as never), /textElementStream: element must be an element of the page/);
});

test("setTextOutput sends fit's progress bar and summary() to the stream, and back", async () => {
  const pre = fakeElement("PRE");
  const previous = keras.utils.setTextOutput(keras.utils.textElementStream(pre));
  try {
    const model = new keras.Sequential([keras.Input({ shape: [2] }), new keras.layers.Dense(1)]);
    model.compile({ optimizer: "sgd", loss: "mse" });
    model.summary();
    await model.fit(keras.ops.ones([8, 2]), keras.ops.zeros([8, 1]), { epochs: 2, batchSize: 4 });
  } finally {
    keras.utils.setTextOutput(previous);
  }
  assert.match(pre.textContent ?? "", /Total params: 3/);
  assert.match(pre.textContent ?? "", /Epoch 2\/2\n2\/2 ━━━━━━━━━━━━━━━━━━━━ .* - loss: /);
});

test("renderSvg puts the picture in an element; plotHistory, plotModel and drawImageGrid draw into one", async () => {
  const div = fakeElement();
  await keras.utils.renderSvg(div, "<svg/>");
  assert.equal(div.innerHTML, "<svg/>");
  await assert.rejects(keras.utils.renderSvg(null as never, "<svg/>"), /renderSvg: target must be an element of the page/);

  const plot = fakeElement();
  const svg = await keras.utils.plotHistory({ loss: [1, 0.5], accuracy: [0.5, 0.8] }, { element: plot });
  assert.equal(plot.innerHTML, svg);
  assert.match(svg, /^<svg/);

  const model = new keras.Sequential([keras.Input({ shape: [2] }), new keras.layers.Dense(3), new keras.layers.Dense(1)]);
  const graph = fakeElement();
  // With an element and no toFile, plotModel writes no file (Keras's default "model.png" is for scripts).
  assert.equal(await keras.utils.plotModel(model, { element: graph }), graph.innerHTML);
  assert.match(graph.innerHTML, /dense_\d*/);

  const grid = fakeElement();
  const layout = await keras.utils.drawImageGrid(grid, keras.ops.zeros([3, 4, 4], "uint8"), { labels: ["a", "b", "c"] });
  assert.equal(layout.cells.length, 3);
  assert.match(grid.innerHTML, /<image /);
});

test("LivePlot redraws the history after every epoch of fit", async () => {
  const div = fakeElement();
  const model = new keras.Sequential([keras.Input({ shape: [2] }), new keras.layers.Dense(1)]);
  model.compile({ optimizer: "sgd", loss: "mse", metrics: ["mae"] });
  const x = keras.ops.ones([8, 2]);
  const y = keras.ops.zeros([8, 1]);
  await model.fit(x, y, { epochs: 3, batchSize: 4, verbose: 0, validationData: [x, y], callbacks: [new keras.callbacks.LivePlot({ element: div, title: "live" })] });
  assert.equal(div.draws, 3);
  assert.match(div.innerHTML, /live/);
  assert.match(div.innerHTML, /validation/);
  assert.throws(() => new keras.callbacks.LivePlot({} as never), /LivePlot: give the element to draw in/);
});
