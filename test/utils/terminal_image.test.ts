import { test } from "node:test";
import assert from "node:assert/strict";
import * as ops from "../../src/ops/index.js";
import { ASCII_RAMP, imshow, renderTerminalImage, terminalImageMode, xterm256, type ImshowStream } from "../../src/utils/terminal_image.js";

/** A stream that records what is written. */
function capture(isTTY: boolean, columns?: number): ImshowStream & { text: string } {
  const s = { text: "", isTTY, columns, write(t: string) { s.text += t; } };
  return s;
}

const u8 = (rows: number[][]) => ops.convertToTensor(rows, "uint8");

test("ASCII when the stream is not a terminal: exact output, two characters per pixel, ink for high values", () => {
  const out = capture(false);
  const result = imshow(u8([[0, 255, 0], [128, 64, 230]]), { stream: out });
  assert.equal(result, undefined);
  // 0 -> " ", 255 -> "@", 128 -> "+", 64 -> ":", 230 -> "%"; trailing blanks are trimmed.
  assert.equal(out.text, "  @@\n++::%%\n");
  assert.equal(ASCII_RAMP, " .:-=+*#%@");
  // cmap "gray": high values are light, so ink for low values.
  const gray = capture(false);
  imshow(u8([[0, 255]]), { stream: gray, cmap: "gray" });
  assert.equal(gray.text, "@@\n");
  // Floats are stretched to 0..255 first, as arrayToImg does: 0.25, 0.5, 1 -> 0, 85, 255.
  const f = capture(false);
  imshow(ops.convertToTensor([[0.25, 0.5, 1]]), { stream: f });
  assert.equal(f.text, "  --@@\n");
});

test("24-bit half blocks: upper pixel as foreground, lower as background, reset per line", () => {
  // Column of 2 pixels: top 0 (white under binary), bottom 255 (black).
  assert.equal(renderTerminalImage(u8([[0], [255]]), "truecolor"), "\x1b[38;2;255;255;255m\x1b[48;2;0;0;0m▀\x1b[0m\n");
  // Odd height: the last row has the terminal's own background.
  assert.equal(renderTerminalImage(u8([[255, 255]]), "truecolor"), "\x1b[38;2;0;0;0m\x1b[49m▀▀\x1b[0m\n");
  // Colour images are shown in their colours (RGBA composited on white).
  const rgb = ops.convertToTensor([[[255, 0, 0]], [[0, 0, 255]]], "uint8");
  assert.equal(renderTerminalImage(rgb, "truecolor"), "\x1b[38;2;255;0;0m\x1b[48;2;0;0;255m▀\x1b[0m\n");
  const rgba = ops.convertToTensor([[[0, 0, 0, 0]], [[0, 0, 0, 255]]], "uint8");
  assert.equal(renderTerminalImage(rgba, "truecolor"), "\x1b[38;2;255;255;255m\x1b[48;2;0;0;0m▀\x1b[0m\n");
});

test("256 colours: the gray ramp and the cube", () => {
  assert.equal(renderTerminalImage(u8([[0], [255]]), "256"), "\x1b[38;5;231m\x1b[48;5;16m▀\x1b[0m\n");
  assert.equal(xterm256(128, 128, 128), 244); // gray ramp 232 + 12 = rgb(128, 128, 128)
  assert.equal(xterm256(8, 8, 8), 232);
  assert.equal(xterm256(255, 0, 0), 196);
  const s = renderTerminalImage(u8([[0, 100, 200, 255], [50, 150, 250, 30]]), "256");
  assert.match(s, /^(\x1b\[(38|48);5;(1[6-9]|[2-9]\d|1\d\d|2[0-5]\d)m|▀)+\x1b\[0m\n$/);
});

test("auto mode: ASCII off a terminal, truecolor with COLORTERM=truecolor, else 256; NO_COLOR and TERM=dumb give ASCII", () => {
  assert.equal(terminalImageMode({ write() {}, isTTY: false }, { COLORTERM: "truecolor" }), "ascii");
  assert.equal(terminalImageMode({ write() {}, isTTY: true }, { COLORTERM: "truecolor" }), "truecolor");
  assert.equal(terminalImageMode({ write() {}, isTTY: true }, { COLORTERM: "24bit" }), "truecolor");
  assert.equal(terminalImageMode({ write() {}, isTTY: true }, {}), "256");
  assert.equal(terminalImageMode({ write() {}, isTTY: true }, { COLORTERM: "truecolor", NO_COLOR: "1" }), "ascii");
  assert.equal(terminalImageMode({ write() {}, isTTY: true }, { TERM: "dumb" }), "ascii");
  // imshow reads process.env.
  const saved = { COLORTERM: process.env.COLORTERM, NO_COLOR: process.env.NO_COLOR, TERM: process.env.TERM };
  try {
    delete process.env.NO_COLOR;
    process.env.TERM = "xterm-256color";
    process.env.COLORTERM = "truecolor";
    const tty = capture(true);
    imshow(u8([[0], [255]]), { stream: tty });
    assert.ok(tty.text.includes("\x1b[38;2;"), JSON.stringify(tty.text));
    delete process.env.COLORTERM;
    const tty256 = capture(true);
    imshow(u8([[0], [255]]), { stream: tty256 });
    assert.ok(tty256.text.includes("\x1b[38;5;"), JSON.stringify(tty256.text));
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
});

/** A 28 x 28 "digit": a ring, value 255 on it, 0 elsewhere. */
function digit(): number[][] {
  return Array.from({ length: 28 }, (_, y) => Array.from({ length: 28 }, (_, x) => (Math.abs(Math.hypot(x - 13.5, y - 11.5) - 7) < 2 ? 255 : 0)));
}

test("a 28 x 28 digit: 14 lines of 28 half blocks that decode back to the image; 28 ASCII lines", () => {
  const rows = digit();
  const s = renderTerminalImage(u8(rows), "truecolor");
  const lines = s.split("\n").slice(0, -1);
  assert.equal(lines.length, 14);
  // Replay the escape codes: each ▀ gives the pixel above (fg) and below (bg).
  for (let ty = 0; ty < 14; ty++) {
    let fg = -1;
    let bg = -1;
    let x = 0;
    for (const m of lines[ty].matchAll(/\x1b\[(38|48);2;(\d+);\d+;\d+m|▀|\x1b\[0m/g)) {
      if (m[1] === "38") fg = Number(m[2]);
      else if (m[1] === "48") bg = Number(m[2]);
      else if (m[0] === "▀") {
        assert.equal(fg, 255 - rows[2 * ty][x], `top pixel (${x}, ${2 * ty})`);
        assert.equal(bg, 255 - rows[2 * ty + 1][x], `bottom pixel (${x}, ${2 * ty + 1})`);
        x++;
      }
    }
    assert.equal(x, 28);
  }
  const ascii = renderTerminalImage(u8(rows), "ascii").split("\n").slice(0, -1);
  assert.equal(ascii.length, 28);
  ascii.forEach((line, y) => {
    const expected = rows[y].map((v) => (v === 255 ? "@@" : "  ")).join("").trimEnd();
    assert.equal(line, expected, `row ${y}`);
  });
});

test("wide images are shrunk to the stream's width", () => {
  const wide = ops.zeros([10, 100], "uint8");
  const narrow = capture(false, 40);
  imshow(wide, { stream: narrow, cmap: "gray" });
  const lines = narrow.text.split("\n").slice(0, -1);
  assert.ok(lines.every((l) => l.length <= 40), `widest ${Math.max(...lines.map((l) => l.length))}`);
  assert.equal(lines.length, 2); // 100 * 2 / 40 -> factor 5: 10 rows become 2
  assert.equal(renderTerminalImage(wide, "truecolor", { maxWidth: 50 }).split("\n")[0].split("▀").length - 1, 50);
});

test("bad inputs are clear errors", () => {
  const out = capture(false);
  assert.throws(() => imshow(ops.zeros([2, 2, 2, 1]), { stream: out }), /got shape \[2,2,2,1\]/);
  assert.throws(() => imshow(ops.zeros([2, 2, 2]), { stream: out }), /unsupported channel count 2 in image of shape \[2,2,2\]/);
  assert.throws(() => imshow(ops.zeros([2, 2, 5]), { stream: out }), /channel count 5/);
  assert.throws(() => imshow(ops.zeros([2, 2]), { stream: out, mode: "sixel" as never }), /mode must be/);
  assert.equal(out.text, "");
});
