/**
 * The HDF5 worker: the only place h5wasm (the HDF5 C library compiled to WebAssembly) runs.
 *
 * Why a worker (the client: src/platform/node_hdf5.ts): HDF5 is not written for hostile input. A
 * corrupt file can make it loop forever inside WebAssembly, where no JavaScript timer can
 * interrupt it on the thread that runs it; it can make it ask for gigabytes ("Cannot enlarge
 * memory") and leave its global state broken, so that every later HDF5 call in the same instance
 * fails. In a worker thread the client can stop a runaway read with `worker.terminate()` (V8
 * interrupts WebAssembly loops) and start a fresh instance, so a bad file costs one instance,
 * never the process.
 *
 * Inside, every read is bounded by the file's size (./h5_codec.ts, shared with the browser's
 * worker, ./h5_worker_browser.ts).
 *
 * Messages: {id, op: "read", bytes | path, name} -> {id, ok, tree | message};
 *           {id, op: "write", tree, trackOrder} -> {id, ok, bytes | message}.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parentPort, workerData } from "node:worker_threads";
import { H5FileError, reason, readTree, transferables, writeTree } from "./h5_codec.js";
import type { H5Request, H5Response } from "./h5_protocol.js";

async function main(): Promise<void> {
  const port = parentPort;
  if (port === null) return;
  // The WebAssembly runtime prints aborts and HDF5 diagnostics through the console it captured at
  // load time; silence them here so only the client's worded errors reach the user.
  const quiet = (): void => {};
  console.log = quiet;
  console.warn = quiet;
  console.error = quiet;
  // The client passes where h5wasm is, so the worker also runs as bundled code from memory.
  const mod = (await import((workerData as { h5wasmUrl: string }).h5wasmUrl)) as typeof import("h5wasm/node");
  const api = mod.default;
  const module = await api.ready;
  module.activate_throwing_error_handler();
  // The client made this folder and removes it when the worker ends, however it ends.
  const dir = (workerData as { scratch: string }).scratch;
  let counter = 0;
  port.on("message", (request: H5Request) => {
    const scratch = path.join(dir, `${counter++}.h5`);
    try {
      if (request.op === "read") {
        let file = request.path;
        if (file === undefined) {
          fs.writeFileSync(scratch, request.bytes!);
          file = scratch;
        }
        const tree = readTree(api, file, request.name, fs.statSync(file).size);
        port.postMessage({ id: request.id, ok: true, tree } satisfies H5Response, transferables(tree));
      } else {
        writeTree(api, scratch, request.tree, request.trackOrder);
        const bytes = new Uint8Array(fs.readFileSync(scratch));
        port.postMessage({ id: request.id, ok: true, bytes } satisfies H5Response, [bytes.buffer as ArrayBuffer]);
      }
    } catch (error) {
      const message =
        error instanceof H5FileError ? error.message : request.op === "read" ? `${request.name}: ${reason(error)}` : `writeH5: HDF5 write failed: ${reason(error)}`;
      port.postMessage({ id: request.id, ok: false, message } satisfies H5Response);
    } finally {
      fs.rmSync(scratch, { force: true });
    }
  });
  port.postMessage({ ready: true } satisfies H5Response);
}

void main();
