import type { SymbolicShape } from "../backend/keras_tensor.js";
import type { Variable } from "../backend/variable.js";
import type { Layer } from "../layers/layer.js";
import { InputLayer } from "../layers/core/input_layer.js";
import { platform, textOutput } from "../platform/platform.js";

/** What `summary()` needs to know of a model, so this file does not depend on model classes. */
export interface SummarizableModel {
  name: string;
  layers: Layer[];
  trainableWeights: Variable[];
  nonTrainableWeights: Variable[];
  optimizer?: { variables: Variable[]; learningRate: unknown };
  compiled?: boolean;
}

export interface SummaryOptions {
  /** Total width of the table; Keras's default is 88 (108 with a Connected-to column), capped by the terminal. */
  lineLength?: number;
  /** Column boundaries as fractions of the line length. */
  positions?: number[];
  /** Receives the whole summary text; defaults to writing to stdout. */
  printFn?: (text: string) => void;
}

const BYTES: Record<string, number> = { float32: 4, int32: 4, uint8: 1, bool: 1 };

function memorySize(weights: Variable[]): number {
  return [...new Set(weights)].reduce((n, w) => n + w.size * (BYTES[w.dtype] ?? 4), 0);
}

/** Keras's readable_memory_size: "1.55 MB". */
export function readableMemorySize(bytes: number): string {
  const units = ["B", "KB", "MB", "GB", "TB", "PB"];
  let size = bytes;
  for (const unit of units) {
    if (size / 1024 < 1) return `${size.toFixed(2)} ${unit}`;
    size /= 1024;
  }
  return `${size.toFixed(2)} PB`;
}

function withCommas(n: number): string {
  return n.toLocaleString("en-US");
}

function formatShape(shape: SymbolicShape): string {
  return `(${shape.map((d) => (d === null ? "None" : String(d))).join(", ")}${shape.length === 1 ? "," : ""})`;
}

function outputShapeText(layer: Layer): string {
  const node = layer.inboundNodes[layer.inboundNodes.length - 1];
  if (node === undefined) return "?";
  const shapes = node.outputTensors.map((t) => formatShape(t.shape));
  return shapes.length === 1 ? shapes[0] : `[${shapes.join(", ")}]`;
}

/** Python's round(): halves go to the even neighbour. rich's width arithmetic depends on it. */
function pythonRound(x: number): number {
  const floor = Math.floor(x);
  const diff = x - floor;
  if (diff > 0.5) return floor + 1;
  if (diff < 0.5) return floor;
  return floor % 2 === 0 ? floor : floor + 1;
}

/** rich's ratio_reduce: takes `total` away from `values` in proportion to `ratios`. */
function ratioReduce(total: number, ratios: number[], maximums: number[], values: number[]): number[] {
  let totalRatio = ratios.reduce((a, b) => a + b, 0);
  let remaining = total;
  return values.map((value, i) => {
    if (ratios[i] && totalRatio > 0) {
      const distributed = Math.min(maximums[i], pythonRound((ratios[i] * remaining) / totalRatio));
      remaining -= distributed;
      totalRatio -= ratios[i];
      return value - distributed;
    }
    return value;
  });
}

/** Column content widths as Keras's rich table ends up with for `lineLength` and `positions`. */
function columnWidths(lineLength: number, positions: number[]): number[] {
  const widths: number[] = [];
  let current = 0;
  for (const p of positions) {
    const width = Math.floor(p * lineLength) - current;
    if (width < 4) throw new Error("summary: insufficient line length to print the summary");
    widths.push(width);
    current += width;
  }
  // Each cell has one space of padding on both sides; the borders take n + 1 characters.
  let padded = widths.map((w) => w + 2);
  const maxWidth = lineLength - (widths.length + 1);
  const total = padded.reduce((a, b) => a + b, 0);
  if (total > maxWidth) padded = ratioReduce(total - maxWidth, padded.map(() => 1), padded, padded);
  return padded.map((w) => w - 2);
}

/** Splits text into lines of at most `width` characters, breaking at spaces or commas when it can. */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let rest = text;
  while (rest.length > width) {
    let cut = Math.max(rest.lastIndexOf(" ", width), rest.lastIndexOf(",", width - 1) + 1);
    if (cut <= 0) cut = width;
    lines.push(rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).trimStart();
  }
  lines.push(rest);
  return lines;
}

function renderTable(header: string[], rows: string[][], widths: number[], align: ("left" | "right")[]): string[] {
  const pad = (text: string, i: number) => (align[i] === "right" ? text.padStart(widths[i]) : text.padEnd(widths[i]));
  const rule = (left: string, fill: string, join: string, right: string) => left + widths.map((w) => fill.repeat(w + 2)).join(join) + right;
  const renderRow = (cells: string[], edge: string): string[] => {
    const wrapped = cells.map((c, i) => wrap(c, widths[i]));
    const height = Math.max(...wrapped.map((w) => w.length));
    const lines: string[] = [];
    for (let r = 0; r < height; r++) lines.push(edge + wrapped.map((w, i) => ` ${pad(w[r] ?? "", i)} `).join(edge) + edge);
    return lines;
  };
  const out = [rule("┏", "━", "┳", "┓"), ...renderRow(header, "┃"), rule("┡", "━", "╇", "┩")];
  rows.forEach((row, i) => {
    if (i > 0) out.push(rule("├", "─", "┼", "┤"));
    out.push(...renderRow(row, "│"));
  });
  out.push(rule("└", "─", "┴", "┘"));
  return out;
}

/** A model is drawn sequential-like (3 columns) unless some layer has several inputs or is called twice. */
function isSequentialLike(model: SummarizableModel, isFunctional: boolean): boolean {
  if (!isFunctional) return true;
  for (const layer of model.layers) {
    if (layer.inboundNodes.length > 1) return false;
    const node = layer.inboundNodes[0];
    if (node !== undefined && node.inputTensors.length > 1) return false;
  }
  const consumers = new Map<Layer, number>();
  for (const layer of model.layers) {
    for (const node of layer.inboundNodes) {
      for (const t of node.inputTensors) {
        const source = t.kerasHistory?.layer as Layer;
        consumers.set(source, (consumers.get(source) ?? 0) + 1);
      }
    }
  }
  return [...consumers.values()].every((n) => n <= 1);
}

/** Keras 3's `model.summary()` text. */
export function summaryText(model: SummarizableModel, isFunctional: boolean, options: SummaryOptions = {}): string {
  const sequentialLike = isSequentialLike(model, isFunctional);
  const out = textOutput();
  const terminalColumns = out.isTTY && out.columns ? out.columns : Number(platform().env("COLUMNS")) || 80;
  const defaultLength = Math.min(sequentialLike ? 88 : 108, terminalColumns - 4);
  const lineLength = options.lineLength ?? defaultLength;
  const positions = options.positions ?? (sequentialLike ? [0.45, 0.8, 1.0] : [0.3, 0.56, 0.74, 1.0]);
  const header = sequentialLike ? ["Layer (type)", "Output Shape", "Param #"] : ["Layer (type)", "Output Shape", "Param #", "Connected to"];
  const align: ("left" | "right")[] = sequentialLike ? ["left", "left", "right"] : ["left", "left", "right", "left"];
  const rows = model.layers.map((layer) => {
    const params = layer.built ? withCommas(layer.countParams()) : "0 (unbuilt)";
    const row = [`${layer.name} (${layer.className()})`, outputShapeText(layer), params];
    if (!sequentialLike) {
      const sources = layer.inboundNodes.flatMap((node) =>
        node.inputTensors.map((t) => `${(t.kerasHistory!.layer as Layer).name}[${t.kerasHistory!.nodeIndex}][${t.kerasHistory!.tensorIndex}]`),
      );
      row.push(layer instanceof InputLayer || sources.length === 0 ? "-" : sources.join(", "));
    }
    return row;
  });
  const widths = columnWidths(lineLength, positions);
  const trainable = model.trainableWeights;
  const nonTrainable = model.nonTrainableWeights;
  const optimizerVariables = model.compiled && model.optimizer !== undefined ? model.optimizer.variables : [];
  const count = (ws: Variable[]) => [...new Set(ws)].reduce((n, w) => n + w.size, 0);
  // Keras also counts the optimizer's iteration counter (int64) and, unless it is a schedule, its learning rate.
  const optimizerBuilt = optimizerVariables.length > 0;
  const counterCount = optimizerBuilt ? 1 + (typeof model.optimizer!.learningRate === "number" ? 1 : 0) : 0;
  const counterBytes = optimizerBuilt ? 8 + (counterCount - 1) * 4 : 0;
  const optimizerCount = count(optimizerVariables) + counterCount;
  const optimizerMemory = memorySize(optimizerVariables) + counterBytes;
  const totalCount = count(trainable) + count(nonTrainable) + optimizerCount;
  const totalMemory = memorySize(trainable) + memorySize(nonTrainable) + optimizerMemory;
  const lines = [
    `Model: "${model.name}"`,
    ...renderTable(header, rows, widths, align),
    ` Total params: ${withCommas(totalCount)} (${readableMemorySize(totalMemory)})`,
    ` Trainable params: ${withCommas(count(trainable))} (${readableMemorySize(memorySize(trainable))})`,
    ` Non-trainable params: ${withCommas(count(nonTrainable))} (${readableMemorySize(memorySize(nonTrainable))})`,
  ];
  if (optimizerBuilt) {
    lines.push(` Optimizer params: ${withCommas(optimizerCount)} (${readableMemorySize(optimizerMemory)})`);
  }
  return `${lines.join("\n")}\n`;
}
