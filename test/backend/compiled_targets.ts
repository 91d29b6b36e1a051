import type { ReferenceBackend } from "../../src/backend/reference/index.js";
import { loadNativeAddon } from "../../src/backend/native/addon.js";
import { tryCreateNativeBackend } from "../../src/backend/native/index.js";
import { createWasmBackend, tryCreateWasmBackend } from "../../src/backend/wasm/load_node.js";

/*
 * The compiled backends the cross-check suites (cross_check_suite.ts, coverage_suite.ts) run on:
 * the native addon at every SIMD level the CPU has, and the WebAssembly module in its two builds
 * (threaded on a shared memory, the one Node picks; single-threaded, for hosts without
 * SharedArrayBuffer).
 */

/** What the suites need of a backend beyond the kernels. */
export type CompiledBackend = ReferenceBackend & { name: string; smallSize: number; info(): { isa: string; threads: number }; setNumThreads(n: number): void };

export interface CompiledTarget {
  /** The backend's name ("native", "wasm"). */
  name: string;
  /** What a suite's title calls it. */
  label: string;
  /** The backend, or why it is not available here (the suites then skip). */
  created: { backend: CompiledBackend } | { error: string };
  /** Its SIMD levels, best first (info().isa reports one). */
  levels: string[];
  /** Runs `fn` once per level (selecting each in turn), leaving the best one selected. */
  forEachLevel(fn: (level: string) => void): void;
}

export function nativeTarget(): CompiledTarget {
  const created = tryCreateNativeBackend();
  const loaded = loadNativeAddon();
  const best = "error" in loaded ? "c" : loaded.addon.info().isa;
  const levels = "error" in loaded ? [] : best === "avx512" ? ["avx512", "avx2", "c"] : best === "avx2" ? ["avx2", "c"] : ["c"];
  return {
    name: "native",
    label: "native",
    created: "error" in created ? { error: `native addon not built: ${created.error}` } : created,
    levels,
    forEachLevel(fn) {
      if ("error" in loaded) return;
      try {
        for (const isa of levels) {
          loaded.addon.setIsa(isa as "avx512" | "avx2" | "c");
          fn(isa);
        }
      } finally {
        loaded.addon.setIsa(levels[0] as "avx512" | "avx2" | "c");
      }
    },
  };
}

/** Both wasm builds, once the threaded one's workers have started (the suites compare one thread with all). */
export async function wasmTargets(): Promise<CompiledTarget[]> {
  const threaded = tryCreateWasmBackend();
  if ("backend" in threaded) await threaded.backend.ready();
  let single: CompiledTarget["created"];
  try {
    single = { backend: createWasmBackend({ threads: 1 }) };
  } catch (e) {
    single = { error: String(e instanceof Error ? e.message : e) };
  }
  const wasm = (label: string, created: CompiledTarget["created"]): CompiledTarget => ({
    name: "wasm",
    label,
    created: "error" in created ? { error: `wasm backend unavailable: ${created.error}` } : created,
    levels: ["simd128"],
    forEachLevel: (fn) => fn("simd128"),
  });
  const threads = "backend" in threaded ? threaded.backend.info().threads : 0;
  return [wasm(`wasm (threaded build, ${threads} threads)`, threaded), wasm("wasm (single-threaded build)", single)];
}
