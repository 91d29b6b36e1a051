/**
 * The wasm backend's Node loader in a browser bundle (the package's `browser` field puts this file
 * in place of ./load_node.ts): a page has no file to read synchronously, so the module is fetched
 * and compiled asynchronously there (./load_url.ts), by `await keras.backend.ready()` or
 * `await keras.backend.setBackend("wasm")`.
 */
import type { WasmBackend } from "./index.js";

const WHY = "in a browser the wasm backend loads asynchronously: await keras.backend.ready() or keras.backend.setBackend(\"wasm\")";

export function createWasmBackend(_options: { threads?: number } = {}): WasmBackend {
  throw new Error(`keras-ts: ${WHY}`);
}

export function tryCreateWasmBackend(): { error: string } {
  return { error: WHY };
}
