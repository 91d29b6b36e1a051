import { test } from "node:test";
import assert from "node:assert/strict";
import { Progbar } from "../../src/utils/progbar.js";

function capture(isTTY: boolean) {
  const chunks: string[] = [];
  return { stream: { isTTY, write: (s: string) => void chunks.push(s) }, chunks };
}

test("a finished bar prints Keras 3's line with the final values", () => {
  const { stream, chunks } = capture(false);
  const bar = new Progbar({ target: 469, stream });
  bar.update(100, [["accuracy", 0.5], ["loss", 1.25]]);
  assert.equal(chunks.length, 0, "nothing is printed mid-epoch when not a TTY");
  bar.update(469, [["accuracy", 0.9251], ["loss", 0.2598]], true);
  assert.match(chunks.join(""), /^469\/469 ━{20} \d+s \d+(us|ms|s)\/step - accuracy: 0\.9251 - loss: 0\.2598\n$/);
});

test("on a TTY the bar is redrawn in place with an ETA", () => {
  const { stream, chunks } = capture(true);
  const bar = new Progbar({ target: 10, stream, interval: 0 });
  bar.update(5, [["loss", 2]]);
  const line = chunks.join("");
  assert.ok(line.startsWith("\r"), "redraws with a carriage return");
  assert.match(line, /5\/10/);
  assert.match(line, /━{10}/);
  assert.match(line, /loss: 2\.0000/);
});

test("verbose 2 prints one line at the end only", () => {
  const { stream, chunks } = capture(false);
  const bar = new Progbar({ target: 3, stream, verbose: 2 });
  bar.update(1, [["loss", 1]]);
  bar.update(3, [["loss", 0.5]], true);
  assert.equal(chunks.length, 1);
  assert.match(chunks[0], /^3\/3 - \d+s - \d+(us|ms|s)\/step - loss: 0\.5000\n$/);
});
