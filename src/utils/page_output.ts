/**
 * keras-ts's pictures and text in a web page: SVG drawn into an element or a `<canvas>`, and a
 * text stream that behaves like a terminal inside an element (so `fit`'s progress bar redraws in
 * place). Targets are typed by what is used of them, so these compile without the DOM library.
 */
import { browserGlobals, requireDocument, type CanvasElement } from "../platform/dom.js";
import type { TextStream } from "../platform/platform.js";

/** An element of the page: the SVG becomes its content. */
export interface SvgHost {
  readonly tagName: string;
  innerHTML: string;
}

/** A `<canvas>`: the SVG is rasterized into it (resized to the picture). */
export interface CanvasTarget {
  readonly tagName: string;
  width: number;
  height: number;
  getContext(kind: "2d"): unknown;
}

export type SvgTarget = SvgHost | CanvasTarget;

function isCanvas(target: SvgTarget): target is CanvasTarget {
  return typeof (target as CanvasTarget).getContext === "function";
}

/**
 * Draws an SVG picture (what `plotHistory`, `plotModel` and `imageGridSvg` make) into the page: as
 * the content of `target`, or rasterized into it when it is a `<canvas>` (`scale` times the
 * picture's size, e.g. `devicePixelRatio`; default 1).
 */
export async function renderSvg(target: SvgTarget, svg: string, options: { scale?: number } = {}): Promise<void> {
  if (target === null || typeof target !== "object" || typeof target.tagName !== "string") {
    throw new TypeError(`renderSvg: target must be an element of the page (a <div>, a <canvas>), got ${target === null ? "null" : typeof target}`);
  }
  if (!isCanvas(target)) {
    // keras-ts writes this SVG itself, with every label escaped.
    target.innerHTML = svg;
    return;
  }
  const scale = options.scale ?? 1;
  if (!(scale > 0)) throw new RangeError(`renderSvg: scale must be positive, got ${scale}`);
  const g = browserGlobals();
  const document = requireDocument("renderSvg");
  if (g.Blob === undefined || g.URL.createObjectURL === undefined) throw new Error("renderSvg: drawing into a canvas needs Blob URLs");
  const url = g.URL.createObjectURL(new g.Blob([svg], { type: "image/svg+xml" }));
  try {
    const image = document.createElement("img");
    image.src = url;
    await image.decode();
    const canvas = target as unknown as CanvasElement;
    canvas.width = Math.max(1, Math.round(image.naturalWidth * scale));
    canvas.height = Math.max(1, Math.round(image.naturalHeight * scale));
    const context = canvas.getContext("2d");
    if (context === null) throw new Error("renderSvg: the canvas has no 2D context");
    context.clearRect(0, 0, canvas.width, canvas.height);
    context.drawImage(image, 0, 0, canvas.width, canvas.height);
  } finally {
    g.URL.revokeObjectURL?.(url);
  }
}

/** An element whose text a stream writes. */
export interface TextHost {
  textContent: string | null;
}

const ANSI = new RegExp(String.fromCharCode(27) + "\\[[0-9;]*m", "g");

/**
 * A text stream into a page element (a `<pre>`), with a terminal's `\r` and `\n`: a progress bar
 * redraws its line in place. Colours are dropped. Pass it to `keras.utils.setTextOutput` to show
 * `fit`'s progress bar and `model.summary()` in the page. `maxLines` keeps the last lines only
 * (default 200).
 */
export function textElementStream(element: TextHost, options: { maxLines?: number } = {}): TextStream {
  if (element === null || typeof element !== "object" || !("textContent" in element)) {
    throw new TypeError("textElementStream: element must be an element of the page (a <pre>)");
  }
  const maxLines = options.maxLines ?? 200;
  const lines: string[] = [""];
  return {
    isTTY: true,
    columns: 100,
    write(text: string) {
      for (const piece of text.replace(ANSI, "").split(/(\r|\n)/)) {
        if (piece === "\n") lines.push("");
        else if (piece === "\r") lines[lines.length - 1] = "";
        else lines[lines.length - 1] += piece;
      }
      if (lines.length > maxLines) lines.splice(0, lines.length - maxLines);
      element.textContent = lines.join("\n");
    },
  };
}
