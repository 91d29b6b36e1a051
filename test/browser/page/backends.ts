/**
 * The page's fast backends, each a fresh instance (the active backend is not changed): the
 * WebAssembly backend's two builds (threaded, as a cross-origin isolated page gets it, and
 * single-threaded), and WebGPU where the page has an adapter.
 */
import * as keras from "keras-ts";
import { createWebGpuBackend } from "../../../src/backend/webgpu/index.js";

export type Candidate = { name: string; backend: keras.backend.Backend } | { name: string; error: string };

type WasmLoader = (options: { baseUrl?: string; threads?: number }) => Promise<keras.backend.Backend & { ready(): Promise<void>; info(): { threads: number } }>;

async function wasm(threads: number | undefined, label: string): Promise<Candidate> {
  const load = (keras.backend as unknown as { loadWasmBackend?: WasmLoader }).loadWasmBackend;
  if (load === undefined) return { name: label, error: "the wasm backend is not in this build" };
  try {
    const backend = await load({ baseUrl: new URL("/wasm/", location.href).href, threads });
    await backend.ready();
    const info = backend.info();
    const name = `${label} (${info.threads} thread${info.threads === 1 ? "" : "s"})`;
    return { name, backend };
  } catch (error) {
    return { name: label, error: (error as Error).message };
  }
}

async function webgpu(): Promise<Candidate> {
  try {
    return { name: "webgpu", backend: await createWebGpuBackend() };
  } catch (error) {
    return { name: "webgpu", error: (error as Error).message };
  }
}

/** The candidates of `kinds` ("wasm", "webgpu"). */
export async function fastBackends(kinds: readonly string[]): Promise<Candidate[]> {
  const out: Candidate[] = [];
  if (kinds.includes("wasm")) out.push(await wasm(undefined, "wasm threaded build"), await wasm(1, "wasm single-threaded build"));
  if (kinds.includes("webgpu")) out.push(await webgpu());
  return out;
}
