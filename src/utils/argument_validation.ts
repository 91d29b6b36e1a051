/**
 * Keras's argument standardization (keras/src/utils/argument_validation.py): a bare integer where
 * Keras accepts one for a tuple, and errors that name the owner and the value. Data formats and
 * padding names are standardized by ops/operation_utils.ts, as the ops take them.
 */

export type Padding = "valid" | "same";
export type ConvPadding = Padding | "causal";

function show(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}

/**
 * `value` as `n` integers: a number stands for all of them. Each must be > 0, or >= 0 with
 * `allowZero`. `owner` names who asks ("Conv2D layer 'conv2d'").
 */
export function standardizeTuple(value: unknown, n: number, name: string, owner: string, allowZero = false): number[] {
  const message = `${owner}: the \`${name}\` argument must be a tuple of ${n} integers. Received ${name}=${show(value)}`;
  let tuple: unknown[];
  if (typeof value === "number") tuple = new Array<number>(n).fill(value);
  else if (Array.isArray(value)) tuple = value;
  else throw new TypeError(message);
  if (tuple.length !== n || !tuple.every((v) => typeof v === "number" && Number.isInteger(v))) throw new TypeError(message);
  const bad = (tuple as number[]).filter((v) => (allowZero ? v < 0 : v <= 0));
  if (bad.length > 0) throw new RangeError(`${message}, including values {${[...new Set(bad)].join(", ")}} that do not satisfy \`value ${allowZero ? ">=" : ">"} 0\``);
  // A copy: the caller keeps it, and the user's array may change later.
  return [...(tuple as number[])];
}

/**
 * Per-axis (before, after) amounts for `rank` spatial axes, as ZeroPadding2D/3D and Cropping2D/3D
 * take them: one integer for all, `rank` integers (symmetric per axis), or `rank` pairs.
 */
export function standardizePairs(value: unknown, rank: number, name: string, owner: string): [number, number][] {
  const ordinal = ["1st", "2nd", "3rd"];
  if (typeof value === "number") {
    if (!Number.isInteger(value) || value < 0) throw new RangeError(`${owner}: \`${name}\` cannot be negative or fractional. Received: ${name}=${show(value)}.`);
    return Array.from({ length: rank }, () => [value, value]);
  }
  if (!Array.isArray(value) || value.length !== rank) {
    throw new Error(`${owner}: \`${name}\` should be either an int, a tuple of ${rank} ints, or a tuple of ${rank} tuples of 2 ints. Received: ${name}=${show(value)}.`);
  }
  return value.map((entry, i) => standardizeTuple(entry, 2, `${ordinal[i] ?? `${i + 1}th`} entry of ${name}`, owner, true) as [number, number]);
}
