/**
 * `keras.utils.imshow`: a small image (an MNIST digit) drawn in the terminal, where the tutorials
 * call `plt.imshow(x_train[0], cmap=plt.cm.binary)`.
 *
 * On a terminal each text cell shows two pixels, one above the other: the upper-half block "▀" in
 * the upper pixel's colour (foreground) over the lower pixel's colour (background), in 24-bit
 * colour when `COLORTERM` says the terminal has it ("truecolor" or "24bit"), else in the 256-colour
 * palette's gray ramp (and 6×6×6 cube for colour images). When the output is not a terminal (a pipe,
 * a file, a CI log) or `NO_COLOR` is set or `TERM=dumb`, plain ASCII: each pixel is two characters
 * of " .:-=+*#%@", from no ink to full ink.
 *
 * Like `cmap=plt.cm.binary`, grayscale images are shown dark on light by default: high values
 * (an MNIST stroke, 255) are black on a white background, whatever the terminal's own colours. In
 * ASCII, ink stands for dark, so strokes are "@" on blank. `cmap: "gray"` shows high values light.
 */
import { convertToTensor, type TensorLike } from "../ops/core.js";
import { arrayToImg, type DataFormat } from "./image_utils.js";
import type { Image } from "./png.js";
import { platform, textOutput } from "../platform/platform.js";

/** The variables `terminalImageMode` reads, from the host (none in a browser). */
function hostEnv(): Record<string, string | undefined> {
  const env = platform().env;
  return { NO_COLOR: env("NO_COLOR"), TERM: env("TERM"), COLORTERM: env("COLORTERM") };
}

/** Where `imshow` writes: `process.stdout` or anything with `write` (and `isTTY`, `columns`). */
export interface ImshowStream {
  write(text: string): unknown;
  isTTY?: boolean;
  /** Width of the terminal in characters; images wider than this are shrunk. */
  columns?: number;
}

export type ImshowMode = "auto" | "truecolor" | "256" | "ascii";

export interface ImshowOptions {
  /** Default `process.stdout` (see `keras.utils.setTextOutput`). */
  stream?: ImshowStream;
  /** "auto" (default) picks from the stream and the environment, see the module notes. */
  mode?: ImshowMode;
  /** "binary" (default): high values dark on white, as matplotlib's binary colormap; "gray": high values light. */
  cmap?: "binary" | "gray";
  /** Value scaling of non-uint8 input, as `arrayToImg` (default true). */
  scale?: boolean;
  /** Widest output in characters; default the stream's `columns`, else 80. Larger images are shrunk. */
  maxWidth?: number;
  dataFormat?: DataFormat;
}

/** From no ink to full ink. */
export const ASCII_RAMP = " .:-=+*#%@";

const ESC = "\x1b[";

/** Which rendering `mode: "auto"` chooses for this stream and environment. */
export function terminalImageMode(stream: ImshowStream, env: Readonly<Record<string, string | undefined>> = hostEnv()): Exclude<ImshowMode, "auto"> {
  if (!stream.isTTY) return "ascii";
  if ((env.NO_COLOR ?? "") !== "" || env.TERM === "dumb") return "ascii";
  const colorterm = (env.COLORTERM ?? "").toLowerCase();
  return colorterm === "truecolor" || colorterm === "24bit" ? "truecolor" : "256";
}

/** Pixels as shown: RGB triples on white, after the colormap; `h * w * 3` bytes. */
function displayRgb(img: Image, cmap: "binary" | "gray"): Uint8Array {
  const { width, height, channels: c, data } = img;
  const out = new Uint8Array(width * height * 3);
  for (let p = 0; p < width * height; p++) {
    if (c === 1) {
      const v = cmap === "binary" ? 255 - data[p] : data[p];
      out[3 * p] = out[3 * p + 1] = out[3 * p + 2] = v;
    } else {
      const a = c === 4 ? data[p * 4 + 3] / 255 : 1;
      for (let k = 0; k < 3; k++) out[3 * p + k] = Math.round(data[p * c + k] * a + 255 * (1 - a));
    }
  }
  return out;
}

/** Averages `f × f` blocks (the last ones may be smaller). */
function shrink(rgb: Uint8Array, w: number, h: number, f: number): { rgb: Uint8Array; w: number; h: number } {
  if (f <= 1) return { rgb, w, h };
  const W = Math.ceil(w / f);
  const H = Math.ceil(h / f);
  const out = new Uint8Array(W * H * 3);
  for (let Y = 0; Y < H; Y++) {
    for (let X = 0; X < W; X++) {
      const sum = [0, 0, 0];
      let count = 0;
      for (let y = Y * f; y < Math.min(h, (Y + 1) * f); y++) {
        for (let x = X * f; x < Math.min(w, (X + 1) * f); x++) {
          for (let k = 0; k < 3; k++) sum[k] += rgb[(y * w + x) * 3 + k];
          count++;
        }
      }
      for (let k = 0; k < 3; k++) out[(Y * W + X) * 3 + k] = Math.round(sum[k] / count);
    }
  }
  return { rgb: out, w: W, h: H };
}

/** xterm-256 colour index nearest to an RGB colour: the gray ramp 232..255 (plus 16 and 231), or the 6×6×6 cube. */
export function xterm256(r: number, g: number, b: number): number {
  const levels = [0, 95, 135, 175, 215, 255];
  const nearestLevel = (v: number): number => {
    let best = 0;
    for (let i = 1; i < 6; i++) if (Math.abs(levels[i] - v) < Math.abs(levels[best] - v)) best = i;
    return best;
  };
  const [ri, gi, bi] = [nearestLevel(r), nearestLevel(g), nearestLevel(b)];
  const cube = 16 + 36 * ri + 6 * gi + bi;
  const cubeErr = (levels[ri] - r) ** 2 + (levels[gi] - g) ** 2 + (levels[bi] - b) ** 2;
  const mean = (r + g + b) / 3;
  const step = Math.max(0, Math.min(23, Math.round((mean - 8) / 10)));
  const grayValue = 8 + 10 * step;
  const grayErr = (grayValue - r) ** 2 + (grayValue - g) ** 2 + (grayValue - b) ** 2;
  return grayErr < cubeErr ? 232 + step : cube;
}

/**
 * The text `imshow` prints, for a mode already chosen: lines ending in "\n" (ANSI colour codes
 * for "truecolor" and "256", reset at the end of each line).
 */
export function renderTerminalImage(x: TensorLike, mode: Exclude<ImshowMode, "auto">, options: Omit<ImshowOptions, "stream" | "mode"> = {}): string {
  const t = convertToTensor(x);
  const img = arrayToImg(t, { dataFormat: options.dataFormat, scale: options.scale });
  const cmap = options.cmap ?? "binary";
  if (cmap !== "binary" && cmap !== "gray") throw new TypeError(`imshow: cmap must be "binary" or "gray", got ${JSON.stringify(cmap)}`);
  const maxWidth = Math.max(1, Math.floor(options.maxWidth ?? 80));
  const perPixel = mode === "ascii" ? 2 : 1;
  const factor = Math.ceil((img.width * perPixel) / maxWidth);
  const { rgb, w, h } = shrink(displayRgb(img, cmap), img.width, img.height, factor);
  const at = (x: number, y: number): [number, number, number] => [rgb[(y * w + x) * 3], rgb[(y * w + x) * 3 + 1], rgb[(y * w + x) * 3 + 2]];
  const lines: string[] = [];
  if (mode === "ascii") {
    for (let y = 0; y < h; y++) {
      let line = "";
      for (let x = 0; x < w; x++) {
        const [r, g, b] = at(x, y);
        // Ink is darkness; Pillow's luma for colour pixels.
        const ink = 255 - ((r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16);
        const ch = ASCII_RAMP[Math.min(ASCII_RAMP.length - 1, Math.floor((ink * ASCII_RAMP.length) / 256))];
        line += ch + ch;
      }
      lines.push(line.trimEnd());
    }
    return lines.map((l) => `${l}\n`).join("");
  }
  if (mode !== "truecolor" && mode !== "256") throw new TypeError(`imshow: mode must be "auto", "truecolor", "256" or "ascii", got ${JSON.stringify(mode)}`);
  const color = (fg: boolean, [r, g, b]: [number, number, number]): string =>
    mode === "truecolor" ? `${ESC}${fg ? 38 : 48};2;${r};${g};${b}m` : `${ESC}${fg ? 38 : 48};5;${xterm256(r, g, b)}m`;
  for (let y = 0; y < h; y += 2) {
    let line = "";
    let lastFg = "";
    let lastBg = "";
    for (let x = 0; x < w; x++) {
      const fg = color(true, at(x, y));
      const bg = y + 1 < h ? color(false, at(x, y + 1)) : `${ESC}49m`;
      if (fg !== lastFg) line += fg;
      if (bg !== lastBg) line += bg;
      line += "▀";
      lastFg = fg;
      lastBg = bg;
    }
    lines.push(`${line}${ESC}0m`);
  }
  return lines.map((l) => `${l}\n`).join("");
}

/**
 * Shows one image in the terminal (matplotlib's `plt.imshow` for a terminal):
 *
 *   keras.utils.imshow(xTrain[0]);           // a 28×28 digit: 14 lines of 28 half blocks
 *
 * `x` is `[h, w]`, `[h, w, 1]`, `[h, w, 3]` or `[h, w, 4]` (channels_first with `dataFormat`);
 * uint8 values are shown as they are, other dtypes stretched to 0..255 as `arrayToImg` does.
 * See the module notes for how it looks in each mode. Returns nothing.
 */
export function imshow(x: TensorLike, options: ImshowOptions = {}): void {
  const stream = options.stream ?? textOutput();
  const mode = options.mode ?? "auto";
  const chosen = mode === "auto" ? terminalImageMode(stream) : mode;
  const maxWidth = options.maxWidth ?? (typeof stream.columns === "number" && stream.columns > 0 ? stream.columns : 80);
  stream.write(renderTerminalImage(x, chosen, { ...options, maxWidth }));
}
