/**
 * The HDF5 worker in a browser: a module Web Worker running h5wasm's browser build, on files in
 * its in-memory file system. The page's side is src/platform/browser_hdf5.ts (time limit,
 * retirement); why a worker at all is in ./h5_worker.ts, the Node twin, and the reading itself,
 * bounded by the file's size, in ./h5_codec.ts.
 *
 * Bundle it as its own entry point (it carries h5wasm) and give its URL to
 * `keras.saving.setHdf5WorkerUrl()`, or let webpack / Vite find it through the client's
 * `new URL(..., import.meta.url)`.
 */
import { H5FileError, reason, readTree, transferables, writeTree, type H5wasmApi } from "./h5_codec.js";
import type { H5Request, H5Response } from "./h5_protocol.js";

interface WorkerScope {
  postMessage(message: H5Response, transfer?: ArrayBuffer[]): void;
  addEventListener(type: "message", listener: (event: { data: H5Request }) => void): void;
}

interface MemoryFs {
  writeFile(path: string, data: Uint8Array): void;
  readFile(path: string): Uint8Array;
  unlink(path: string): void;
}

async function main(): Promise<void> {
  const scope = globalThis as unknown as WorkerScope;
  // h5wasm prints HDF5's diagnostics to the console; the page gets worded errors instead.
  const quiet = (): void => {};
  console.log = quiet;
  console.warn = quiet;
  console.error = quiet;
  const mod = (await import("h5wasm")) as unknown as { default: H5wasmApi };
  const api = mod.default;
  const module = await api.ready;
  module.activate_throwing_error_handler();
  const fs = (module as unknown as { FS: MemoryFs }).FS;
  let counter = 0;
  scope.addEventListener("message", ({ data: request }) => {
    const scratch = `/keras-ts-${counter++}.h5`;
    try {
      if (request.op === "read") {
        const bytes = request.bytes;
        if (bytes === undefined) throw new Error("a browser's HDF5 worker reads bytes, not paths");
        fs.writeFile(scratch, bytes);
        const tree = readTree(api, scratch, request.name, bytes.length);
        scope.postMessage({ id: request.id, ok: true, tree }, transferables(tree));
      } else {
        writeTree(api, scratch, request.tree, request.trackOrder);
        const bytes = fs.readFile(scratch).slice();
        scope.postMessage({ id: request.id, ok: true, bytes }, [bytes.buffer as ArrayBuffer]);
      }
    } catch (error) {
      const message =
        error instanceof H5FileError ? error.message : request.op === "read" ? `${request.name}: ${reason(error)}` : `writeH5: HDF5 write failed: ${reason(error)}`;
      scope.postMessage({ id: request.id, ok: false, message });
    } finally {
      try {
        fs.unlink(scratch);
      } catch {
        // Never written (the request failed first).
      }
    }
  });
  scope.postMessage({ ready: true });
}

void main();
