/**
 * Seeded mutations of model files, shared by `npm run fuzz` (scripts/fuzz.ts) and the regression
 * tests (test/saving/fuzz_regressions.test.ts). A case is stored as its target and operation, never
 * as bytes: fixtures without a license must not be copied into the repository.
 */

/** One mutation of one file's bytes. */
export type Mutation =
  | { kind: "flip"; offset: number; mask: number }
  | { kind: "set"; offset: number; value: number }
  | { kind: "truncate"; length: number }
  | { kind: "zero"; offset: number; length: number }
  | { kind: "splice"; from: number; to: number; length: number };

/** A fuzz case: which file of which target is changed, and how. */
export interface FuzzCase {
  /** A fixture name ("keras2_tiny_mlp.h5", "tfjs_abalone_mlp") or a saved model ("saved.keras"). */
  target: string;
  /** The file changed: the target itself, or a file in its folder ("model.json", "weights.bin"). */
  file: string;
  mutation: Mutation;
}

/** mulberry32: a small seeded generator, enough for choosing mutations. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A random mutation of a file of `length` bytes (mostly small, sometimes large). */
export function randomMutation(random: () => number, length: number): Mutation {
  const int = (n: number): number => Math.floor(random() * n);
  const offset = (): number => int(Math.max(1, length));
  const span = (): number => (random() < 0.8 ? 1 + int(16) : 1 + int(4096));
  switch (int(5)) {
    case 0:
      return { kind: "flip", offset: offset(), mask: 1 << int(8) };
    case 1:
      return { kind: "set", offset: offset(), value: int(256) };
    case 2:
      return { kind: "truncate", length: random() < 0.5 ? int(Math.min(length, 4096)) : int(length) };
    case 3:
      return { kind: "zero", offset: offset(), length: span() };
    default:
      return { kind: "splice", from: offset(), to: offset(), length: span() };
  }
}

/** The bytes after `mutation` (a new array; the input is not changed). */
export function applyMutation(bytes: Uint8Array, mutation: Mutation): Uint8Array {
  const out = bytes.slice();
  switch (mutation.kind) {
    case "flip":
      if (mutation.offset < out.length) out[mutation.offset] ^= mutation.mask;
      return out;
    case "set":
      if (mutation.offset < out.length) out[mutation.offset] = mutation.value;
      return out;
    case "truncate":
      return out.subarray(0, Math.min(mutation.length, out.length));
    case "zero":
      out.fill(0, mutation.offset, Math.min(out.length, mutation.offset + mutation.length));
      return out;
    case "splice": {
      const piece = bytes.subarray(mutation.from, Math.min(bytes.length, mutation.from + mutation.length));
      out.set(piece.subarray(0, Math.max(0, out.length - mutation.to)), Math.min(mutation.to, out.length));
      return out;
    }
  }
}

export function describeCase(c: FuzzCase): string {
  const m = c.mutation;
  const what =
    m.kind === "flip" ? `byte ${m.offset} ^= ${m.mask}` :
    m.kind === "set" ? `byte ${m.offset} = ${m.value}` :
    m.kind === "truncate" ? `truncated to ${m.length} bytes` :
    m.kind === "zero" ? `${m.length} bytes zeroed at ${m.offset}` :
    `${m.length} bytes from ${m.from} copied to ${m.to}`;
  return `${c.target}${c.file === c.target ? "" : `/${c.file}`}: ${what}`;
}

/** Messages that betray a crash inside the reader rather than a worded error. */
export const UNCLEAN_ERROR = /Aborted\(|RuntimeError|Cannot read propert|is not a function|is not iterable|undefined is not|null is not|Maximum call stack|Invalid typed array length|Array buffer allocation failed|out of memory|Cannot enlarge memory|signature mismatch|^\s*$/i;
