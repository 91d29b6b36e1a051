import { WasmBackend } from "./index.js";
import { WORKER_BODY, WasmInstance, type WorkerStart } from "./instance.js";
import { sharedMemoryAvailable, webAssembly, type WasmModule } from "./wasm_api.js";

/*
 * Loading the wasm backend where there is no file system (a browser page, a web worker): the
 * module is fetched from a URL (or given), compiled asynchronously, and its worker threads are
 * Blob-URL Web Workers running WORKER_BODY, so no worker script has to be served. Threads need a
 * SharedArrayBuffer, which a browser gives a cross-origin isolated page only (served with
 * `Cross-Origin-Opener-Policy: same-origin` and `Cross-Origin-Embedder-Policy: require-corp`);
 * elsewhere the single-threaded build loads.
 *
 *   const backend = await loadWasmBackend();               // dist/wasm/ beside this file
 *   keras.backend.setBackend(backend);
 *
 * The default URLs are written `new URL("...", import.meta.url)` so that bundlers (Vite, webpack,
 * Parcel) copy the .wasm files into the build and rewrite the URLs.
 */

export interface LoadWasmOptions {
  /** The folder holding keras_ts.wasm and keras_ts_threads.wasm, relative to the page or absolute (default: the package's dist/wasm/). */
  baseUrl?: string | { readonly href: string };
  /** The module itself (bytes or compiled), instead of fetching it; it must be the build that `threads` calls for. */
  module?: WasmModule | ArrayBuffer | ArrayBufferView;
  /** Threads, the caller included (default: the logical cores where shared memory is available, else 1). */
  threads?: number;
  /**
   * The most memory the module may take, in bytes (default 1 GB): a shared memory reserves its
   * maximum up front, which a browser on a small device may refuse. Tensors live outside it; it
   * holds a kernel call's operands and scratch.
   */
  maxMemoryBytes?: number;
}

interface BrowserGlobals {
  navigator?: { hardwareConcurrency?: number };
  Worker?: new (url: string) => { postMessage(message: unknown): void };
  Blob?: new (parts: string[], options: { type: string }) => object;
  URL: { createObjectURL?(blob: object): string } & (new (url: string, base?: string | URL) => URL);
  location?: { href: string };
  fetch?: (url: string | URL) => Promise<{ ok: boolean; status: number; arrayBuffer(): Promise<ArrayBuffer> }>;
}

function defaultUrl(threaded: boolean): URL {
  return threaded ? new URL("../../../dist/wasm/keras_ts_threads.wasm", import.meta.url) : new URL("../../../dist/wasm/keras_ts.wasm", import.meta.url);
}

/** `base` as an absolute URL: a relative one ("/wasm/", "wasm/") is relative to the page (or the worker's script). */
function folderUrl(base: string, g: BrowserGlobals): URL {
  try {
    return new URL(base, g.location?.href);
  } catch {
    throw new Error(`keras-ts: the wasm backend's baseUrl ${JSON.stringify(base)} is not a URL, and there is no page location to resolve it against`);
  }
}

/** Starts one Web Worker from a Blob URL; undefined where the host has no Worker or Blob. */
function blobWorkerSpawner(g: BrowserGlobals): ((start: WorkerStart) => void) | undefined {
  const { Worker, Blob } = g;
  if (Worker === undefined || Blob === undefined || g.URL.createObjectURL === undefined) return undefined;
  const url = g.URL.createObjectURL(new Blob([`${WORKER_BODY}\nself.onmessage = (event) => start(event.data);`], { type: "text/javascript" }));
  return (start) => new Worker(url).postMessage(start);
}

/** A wasm backend for this page or worker. */
export async function loadWasmBackend(options: LoadWasmOptions = {}): Promise<WasmBackend> {
  const wa = webAssembly();
  if (wa === undefined) throw new Error("keras-ts: this JavaScript host has no WebAssembly");
  const g = globalThis as unknown as BrowserGlobals;
  const spawn = blobWorkerSpawner(g);
  const wanted = options.threads ?? Math.max(1, Math.min(64, g.navigator?.hardwareConcurrency ?? 1));
  const threaded = wanted > 1 && sharedMemoryAvailable() && spawn !== undefined;
  let module: WasmModule;
  const given = options.module;
  if (given instanceof ArrayBuffer || ArrayBuffer.isView(given)) {
    module = await wa.compile(given);
  } else if (given !== undefined) {
    module = given;
  } else {
    const file = threaded ? "keras_ts_threads.wasm" : "keras_ts.wasm";
    const base = options.baseUrl;
    const url = base !== undefined ? new URL(file, folderUrl(typeof base === "string" ? base : base.href, g)) : defaultUrl(threaded);
    if (g.fetch === undefined) throw new Error(`keras-ts: no fetch to load ${url}`);
    const response = await g.fetch(url);
    if (!response.ok) throw new Error(`keras-ts: fetching ${url} failed (HTTP ${response.status})`);
    module = await wa.compile(await response.arrayBuffer());
  }
  const maximumPages = Math.floor((options.maxMemoryBytes ?? 2 ** 30) / 65536);
  return new WasmBackend(new WasmInstance({ module, threads: threaded ? wanted : 1, spawn: threaded ? spawn : undefined, maximumPages }));
}
