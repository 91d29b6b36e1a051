/**
 * The HDF5 reader's worker in a browser: h5wasm runs in a module Web Worker
 * (../saving/h5_worker_browser.ts), never on the page's thread, with the same time limit and
 * retirement as in Node (src/platform/node_hdf5.ts): a read that runs too long is stopped by
 * `worker.terminate()`, and a failed request gets the next one a fresh HDF5 instance.
 *
 * The worker is its own script, because it carries h5wasm (about 4 MB) that a page needs only when
 * it reads or writes `.keras` / `.h5` files. Its default URL is written
 * `new URL("../saving/h5_worker_browser.js", import.meta.url)`, which webpack 5 and Vite recognize
 * and bundle as a worker; with other bundlers (esbuild) build that file as a second entry point
 * and give its URL to `keras.saving.setHdf5WorkerUrl()`.
 */
import { isHdf5, type H5Answer, type H5Group, type H5Request, type H5Response } from "../saving/h5_protocol.js";
import { browserGlobals, type WorkerLike } from "./dom.js";
import type { Hdf5Host } from "./platform.js";

let workerUrl: string | undefined;

/**
 * `keras.saving.setHdf5WorkerUrl(url)`: where the HDF5 worker script is (keras-ts's
 * dist/saving/h5_worker_browser.js, bundled with h5wasm). Only a browser needs it.
 */
export function setHdf5WorkerUrl(url: string | { readonly href: string } | undefined): void {
  workerUrl = url === undefined || typeof url === "string" ? url : url.href;
  if (live !== null) {
    live.worker.terminate();
    live = null;
  }
}

interface LiveWorker {
  worker: WorkerLike;
  ready: Promise<void>;
  onDeath: ((why: string) => void) | null;
}

let live: LiveWorker | null = null;
let queue: Promise<unknown> = Promise.resolve();
let nextId = 1;

function fixHint(url: string): string {
  return `serve keras-ts's dist/saving/h5_worker_browser.js, bundled with h5wasm, and give its URL to keras.saving.setHdf5WorkerUrl() (tried ${url})`;
}

function spawn(): { worker: WorkerLike; url: string } {
  const { Worker } = browserGlobals();
  if (Worker === undefined) throw new Error("reading and writing HDF5 (.keras, .h5) in a browser needs Web Workers, which this page does not have");
  if (workerUrl !== undefined) return { worker: new Worker(workerUrl, { type: "module", name: "keras-ts-hdf5" }), url: workerUrl };
  const url = new URL("../saving/h5_worker_browser.js", import.meta.url);
  return { worker: new Worker(url, { type: "module", name: "keras-ts-hdf5" }), url: url.href };
}

function startWorker(): LiveWorker {
  const { worker, url } = spawn();
  const state: LiveWorker = { worker, ready: Promise.resolve(), onDeath: null };
  state.ready = new Promise<void>((resolve, reject) => {
    const onMessage = (event: { data?: unknown }): void => {
      if (typeof event.data === "object" && event.data !== null && "ready" in event.data) {
        worker.removeEventListener("message", onMessage);
        resolve();
      }
    };
    worker.addEventListener("message", onMessage);
    worker.addEventListener("error", (event) => {
      const why = event.message ? `it failed: ${event.message}` : "it failed to load";
      if (live === state) live = null;
      reject(new Error(`the HDF5 worker could not start (${why}); ${fixHint(url)}`));
      state.onDeath?.(why);
    });
  });
  state.ready.catch(() => {});
  return state;
}

function retire(state: LiveWorker): void {
  state.onDeath = null;
  state.worker.terminate();
  if (live === state) live = null;
}

function request(message: H5Request, transfer: ArrayBuffer[], timeLimitMs: number | null, what: string): Promise<H5Answer & { ok: true }> {
  const run = async (): Promise<H5Answer & { ok: true }> => {
    if (live === null) live = startWorker();
    const state = live;
    let timer: unknown;
    try {
      await state.ready;
      const answer = await new Promise<H5Answer>((resolve, reject) => {
        state.onDeath = (why) => reject(new Error(`${what}: the HDF5 reader stopped (${why})`));
        const onMessage = (event: { data?: unknown }): void => {
          const response = event.data as H5Response;
          if ("id" in response && response.id === message.id) {
            state.worker.removeEventListener("message", onMessage);
            resolve(response);
          }
        };
        state.worker.addEventListener("message", onMessage);
        if (timeLimitMs !== null) {
          timer = browserGlobals().setTimeout(() => {
            state.worker.removeEventListener("message", onMessage);
            reject(new Error(`${what}: reading the HDF5 data did not finish within ${timeLimitMs} ms and was stopped; the file is corrupt or not a Keras HDF5 file`));
          }, timeLimitMs);
        }
        state.worker.postMessage(message, transfer);
      });
      if (!answer.ok) throw new Error(answer.message);
      state.onDeath = null;
      return answer;
    } catch (error) {
      retire(state);
      throw error;
    } finally {
      if (timer !== undefined) browserGlobals().clearTimeout(timer);
    }
  };
  const result = queue.then(run, run);
  queue = result.catch(() => {});
  return result;
}

/** The browser's HDF5 host; `fetchBytes` reads a location (a URL) for `readFile`. */
export function browserHdf5(fetchBytes: (location: string) => Promise<Uint8Array>): Hdf5Host {
  const read = async (bytes: Uint8Array, name: string, timeLimitMs: number): Promise<H5Group> => {
    const answer = await request({ id: nextId++, op: "read", bytes, name }, [bytes.buffer as ArrayBuffer], timeLimitMs, name);
    return answer.tree!;
  };
  return {
    read,
    async readFile(location, timeLimitMs) {
      const bytes = await fetchBytes(location);
      if (!isHdf5(bytes)) throw new Error(`${location}: not an HDF5 file (no HDF5 signature)`);
      return read(bytes, location, timeLimitMs(bytes.length));
    },
    async write(tree, trackOrder) {
      const answer = await request({ id: nextId++, op: "write", tree, trackOrder }, [], null, "writeH5");
      return answer.bytes!;
    },
  };
}
