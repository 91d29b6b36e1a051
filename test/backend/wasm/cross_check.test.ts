import { crossCheck } from "../cross_check_suite.js";
import { createWasmBackend, tryCreateWasmBackend } from "../../../src/backend/wasm/load_node.js";

/*
 * The WebAssembly kernels against the reference (the suite is in test/backend/cross_check_suite.ts),
 * in both builds: the threaded one on a shared memory (the one Node picks), and the single-threaded
 * one for hosts without SharedArrayBuffer.
 */

const created = tryCreateWasmBackend();
// The pool test compares one thread with all of them: wait until the workers have started.
if ("backend" in created) await created.backend.ready();

function single(): ReturnType<typeof tryCreateWasmBackend> {
  try {
    return { backend: createWasmBackend({ threads: 1 }) };
  } catch (e) {
    return { error: String(e instanceof Error ? e.message : e) };
  }
}

for (const [label, target] of [[`wasm (${"backend" in created ? created.backend.info().threads : "?"} threads, threaded build)`, created], ["wasm (single-threaded build)", single()]] as const) {
  crossCheck({
    name: "wasm",
    label,
    created: target,
    levels: ["simd128"],
    forEachLevel(fn) {
      fn("simd128");
    },
  });
}
