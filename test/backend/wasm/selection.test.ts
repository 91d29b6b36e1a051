import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

/*
 * Which backend Node picks by itself: on a machine where the native addon cannot load, the wasm
 * backend, with no warning; where neither loads, the reference backend, with one. The child
 * processes lose the addon by a failing process.dlopen (what Node does with a missing or
 * incompatible .node file) and the wasm module by a WebAssembly that refuses to compile.
 */

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "..");
const built = existsSync(path.join(root, "dist/wasm/keras_ts_threads.wasm")) && existsSync(path.join(root, "dist/wasm/keras_ts.wasm"));

const NO_ADDON = "process.dlopen = () => { throw new Error('no addon on this machine'); };";
const NO_WASM = "WebAssembly.Module = function () { throw new Error('WebAssembly refused'); };";
const PROGRAM = [
  'const keras = await import("./src/index.ts");',
  "const backend = await keras.backend.ready();",
  "const y = keras.ops.matmul(keras.ops.ones([300, 200]), keras.ops.ones([200, 100]));",
  "console.log(JSON.stringify({ name: keras.backend.backend(), same: backend === keras.backend.getBackend(), info: backend.info?.(), y: y.dataSync()[0] }));",
].join("\n");

function runChild(preamble: string, env: Record<string, string> = {}): { out: { name: string; same: boolean; info?: { isa: string; threads: number }; y: number }; stderr: string } {
  const child = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", `${preamble}\n${PROGRAM}`], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, KERAS_TS_BACKEND: "", KERAS_TS_NUM_THREADS: "", ...env },
    timeout: 60_000,
  });
  assert.equal(child.status, 0, `the child failed:\n${child.stdout}\n${child.stderr}`);
  return { out: JSON.parse(child.stdout.trim().split("\n").pop()!), stderr: child.stderr };
}

test("Node without the addon picks the wasm backend (threaded build, its threads started by ready()), with no warning", { skip: built ? false : "dist/wasm not built (npm run build)" }, () => {
  const { out, stderr } = runChild(NO_ADDON);
  assert.equal(out.name, "wasm");
  assert.ok(out.same);
  assert.deepEqual(out.info, { isa: "simd128", threads: Math.min(os.availableParallelism(), 64) });
  assert.equal(out.y, 200);
  assert.equal(stderr, "");
});

test("KERAS_TS_NUM_THREADS=1 gives it the single-threaded build", { skip: built ? false : "dist/wasm not built (npm run build)" }, () => {
  const { out } = runChild(NO_ADDON, { KERAS_TS_NUM_THREADS: "1" });
  assert.equal(out.name, "wasm");
  assert.equal(out.info?.threads, 1);
});

test("without the addon and without WebAssembly: the reference backend, with a warning naming both reasons", () => {
  const { out, stderr } = runChild(`${NO_ADDON}\n${NO_WASM}`);
  assert.equal(out.name, "reference");
  assert.equal(out.y, 200);
  assert.match(stderr, /native backend unavailable \(.*no addon on this machine.*\) and wasm backend unavailable \(WebAssembly refused\); using the TypeScript reference backend/);
});
