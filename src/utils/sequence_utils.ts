import type { DType } from "../backend/dtypes.js";
import { Tensor } from "../backend/tensor.js";
import * as ops from "../ops/index.js";

export interface PadSequencesOptions {
  /** Length of every output sequence (default: the longest input sequence). */
  maxlen?: number | null;
  /** "int32" (default) or "float32"; values are converted as NumPy's asarray does (int32 truncates). */
  dtype?: DType;
  /** Pad at the start ("pre", default) or the end ("post"). */
  padding?: "pre" | "post";
  /** Drop values at the start ("pre", default) or the end ("post") of sequences longer than maxlen. */
  truncating?: "pre" | "post";
  /** The padding value (default 0). */
  value?: number;
}

type Step = number | readonly Step[];

function flattenStep(step: Step, out: number[]): number[] {
  if (typeof step === "number") out.push(step);
  else for (const s of step) flattenStep(s, out);
  return out;
}

function shapeOf(step: Step): number[] {
  const shape: number[] = [];
  let s: Step = step;
  while (Array.isArray(s)) {
    shape.push(s.length);
    s = (s as readonly Step[])[0];
  }
  return shape;
}

/**
 * Keras's `pad_sequences`: a list of sequences (lists of numbers, or of equal-shaped nested
 * lists) as one [samples, maxlen, ...] tensor, padded with `value` and truncated to `maxlen`.
 *
 *   padSequences([[1], [2, 3], [4, 5, 6]])  // [[0, 0, 1], [0, 2, 3], [4, 5, 6]]
 */
export function padSequences(sequences: readonly (readonly Step[] | Tensor)[], options: PadSequencesOptions = {}): Tensor {
  if (!Array.isArray(sequences)) throw new TypeError("padSequences: `sequences` must be iterable.");
  const seqs = sequences.map((s, i) => {
    if (s instanceof Tensor) return s.arraySync() as Step[];
    if (!Array.isArray(s)) throw new TypeError(`padSequences: \`sequences\` must be a list of iterables. Found non-iterable: ${String(s)} at position ${i}`);
    return s as readonly Step[];
  });
  const padding = options.padding ?? "pre";
  const truncating = options.truncating ?? "pre";
  if (padding !== "pre" && padding !== "post") throw new Error(`Padding type "${String(padding)}" not understood`);
  if (truncating !== "pre" && truncating !== "post") throw new Error(`Truncating type "${String(truncating)}" not understood`);
  const dtype = options.dtype ?? "int32";
  if (dtype !== "int32" && dtype !== "float32") throw new TypeError(`padSequences: dtype must be "int32" or "float32", got ${JSON.stringify(dtype)}`);
  const value = options.value ?? 0;
  if (typeof value !== "number") {
    throw new TypeError(`\`dtype\` ${dtype} is not compatible with \`value\`'s type: ${typeof value}\nStrings cannot be padded into a numeric tensor.`);
  }
  const first = seqs.find((s) => s.length > 0);
  const sampleShape = first === undefined ? [] : shapeOf(first[0]);
  const sampleSize = sampleShape.reduce((a, d) => a * d, 1);
  const maxlen = options.maxlen ?? Math.max(0, ...seqs.map((s) => s.length));
  if (!Number.isInteger(maxlen) || maxlen < 0) throw new RangeError(`padSequences: maxlen must be a non-negative integer, got ${maxlen}`);
  const convert = dtype === "int32" ? (v: number) => Math.trunc(v) : (v: number) => v;
  const data = (dtype === "int32" ? new Int32Array(seqs.length * maxlen * sampleSize) : new Float32Array(seqs.length * maxlen * sampleSize)).fill(convert(value));
  seqs.forEach((s, idx) => {
    if (s.length === 0 || maxlen === 0) return;
    const kept = truncating === "pre" ? s.slice(-maxlen) : s.slice(0, maxlen);
    const start = padding === "post" ? 0 : maxlen - kept.length;
    kept.forEach((step, t) => {
      const shape = shapeOf(step);
      if (shape.length !== sampleShape.length || shape.some((d, i) => d !== sampleShape[i])) {
        throw new Error(`Shape of sample (${shape.join(", ")}) of sequence at position ${idx} is different from expected shape (${sampleShape.join(", ")})`);
      }
      const values = flattenStep(step, []);
      const at = (idx * maxlen + start + t) * sampleSize;
      for (let k = 0; k < sampleSize; k++) data[at + k] = convert(values[k]);
    });
  });
  return ops.reshape(ops.convertToTensor(data), [seqs.length, maxlen, ...sampleShape]);
}
