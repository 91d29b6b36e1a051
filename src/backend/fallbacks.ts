/*
 * Where the selected backend did not run a kernel itself: the native backend handing a call to the
 * reference kernels (a case its C code does not cover), or any backend running the composed
 * default of a fused kernel it lacks. Each such call is counted here, so a slow path is never
 * silent: `keras.backend.fallbacks()` lists them, and `KERAS_TS_STRICT_NATIVE=1` (or
 * `setStrictKernels(true)`) turns the first one into an error.
 */

import { platform } from "../platform/platform.js";

export interface Fallback {
  /** The backend that was selected. */
  backend: string;
  kernel: string;
  /** What ran instead: the reference TypeScript kernel, or the composition of core kernels. */
  ranOn: "reference" | "composed";
  reason: string;
  count: number;
}

const records = new Map<string, Fallback>();

function strictFromEnvironment(): boolean {
  const raw = platform().env("KERAS_TS_STRICT_NATIVE");
  return raw !== undefined && /^(1|true|yes)$/i.test(raw.trim());
}

let strict = strictFromEnvironment();

/** Makes every fallback an error (true) or a counted event (false); returns the previous setting. */
export function setStrictKernels(on: boolean): boolean {
  const previous = strict;
  strict = on;
  return previous;
}

export function recordFallback(backend: string, kernel: string, ranOn: Fallback["ranOn"], reason: string): void {
  if (strict) {
    throw new Error(
      `keras-ts: the ${backend} backend has no kernel for ${kernel} (${reason}); it would run the ${ranOn === "reference" ? "reference TypeScript kernel" : "composition of core kernels"}, ` +
        "and strict kernels are on (KERAS_TS_STRICT_NATIVE=1)",
    );
  }
  const key = `${backend}\u0000${kernel}\u0000${ranOn}\u0000${reason}`;
  const record = records.get(key);
  if (record !== undefined) record.count++;
  else records.set(key, { backend, kernel, ranOn, reason, count: 1 });
}

/** Every fallback since the start (or the last `resetFallbacks`), most frequent first. */
export function fallbacks(): Fallback[] {
  return [...records.values()].map((r) => ({ ...r })).sort((a, b) => b.count - a.count);
}

export function resetFallbacks(): void {
  records.clear();
}
