/**
 * `npm run bench:browser`: keras-ts against TensorFlow.js in the browser, on this machine.
 *
 *   1. Bundle size: the same MLP program (bench/browser/mlp_keras.ts, mlp_tfjs.ts) bundled by
 *      esbuild (minified, for the browser), gzipped (level 9), plus the gzipped .wasm file each
 *      loads in a cross-origin isolated page (threads) and in one that is not.
 *   2. Speed: the seed-001 MLP on full MNIST in headless Chromium (bench/browser/page.ts), keras-ts
 *      and TF.js on their WebAssembly backends in the same page: median seconds per epoch, time to
 *      predict the 10,000 test images, test accuracy; the ratio against the target (≤ 0.5x).
 *
 * Results go to stdout and to bench/results/<date>-<time>-browser.md. Options: --epochs=N
 * (default 2), --bundle-only, --only=keras-ts,tfjs.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import * as esbuild from "esbuild";
import { chromium } from "playwright-core";
import { startDemoServer } from "./demo_server.js";
import type { PeerResult } from "../bench/browser/page.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const arg = (name: string): string | undefined => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const epochs = Number(arg("epochs") ?? 2);
const only = arg("only")?.split(",");
const lines: string[] = [];
const out = (line = ""): void => {
  console.log(line);
  lines.push(line);
};

const gz = (bytes: Uint8Array): number => gzipSync(bytes, { level: 9 }).length;
const kb = (n: number): string => `${(n / 1024).toFixed(1)} KB`;

/** The program's bundle: minified JavaScript, as a page would ship it. */
async function bundleOf(program: string): Promise<Uint8Array> {
  const result = await esbuild.build({
    stdin: { contents: `import { main } from "./${program}"; void main("/mnist/", "/wasm/");`, resolveDir: path.join(root, "bench/browser"), loader: "ts" },
    absWorkingDir: root,
    bundle: true,
    platform: "browser",
    format: "esm",
    target: "es2022",
    minify: true,
    write: false,
    logLevel: "error",
    alias: { "keras-ts": path.join(root, "src/index.browser.ts") },
  });
  return result.outputFiles[0].contents;
}

function fileOrNull(file: string): Uint8Array | null {
  try {
    return readFileSync(file);
  } catch {
    return null;
  }
}

async function bundleSizes(): Promise<void> {
  const kerasJs = await bundleOf("mlp_keras.ts");
  const tfjsJs = await bundleOf("mlp_tfjs.ts");
  const tfjsWasm = path.join(root, "node_modules/@tensorflow/tfjs-backend-wasm/dist");
  const kerasWasm = (name: string) => fileOrNull(path.join(root, "dist/wasm", name));
  const rows: [string, Uint8Array, Uint8Array | null, Uint8Array | null][] = [
    ["keras-ts (wasm)", kerasJs, kerasWasm("keras_ts_threads.wasm"), kerasWasm("keras_ts.wasm")],
    ["TF.js (@tensorflow/tfjs + tfjs-backend-wasm)", tfjsJs, fileOrNull(path.join(tfjsWasm, "tfjs-backend-wasm-threaded-simd.wasm")), fileOrNull(path.join(tfjsWasm, "tfjs-backend-wasm-simd.wasm"))],
  ];
  out("## Bundle: the MLP program, esbuild --minify, gzip -9");
  out();
  out("| library | JS minified | JS gzipped | .wasm gzipped (isolated page: threads / not isolated) | total gzipped (isolated / not) |");
  out("|---|---|---|---|---|");
  const totals: number[] = [];
  for (const [name, js, threaded, single] of rows) {
    const jsGz = gz(js);
    const t = threaded === null ? null : gz(threaded);
    const s = single === null ? null : gz(single);
    totals.push(jsGz + (t ?? 0));
    out(`| ${name} | ${kb(js.length)} | ${kb(jsGz)} | ${t === null ? "(not built)" : kb(t)} / ${s === null ? "(not built)" : kb(s)} | ${kb(jsGz + (t ?? 0))} / ${kb(jsGz + (s ?? 0))} |`);
  }
  out();
  out(`keras-ts / TF.js, total gzipped (isolated page): ${(totals[0] / totals[1]).toFixed(2)}x (target: below 1x). The page's HDF5 worker (h5wasm, loaded only to read or write .keras/.h5 files) is not part of this program: ${kb(gz(await workerBundle()))} gzipped.`);
  out();
}

async function workerBundle(): Promise<Uint8Array> {
  const result = await esbuild.build({ entryPoints: [path.join(root, "src/saving/h5_worker_browser.ts")], bundle: true, platform: "browser", format: "esm", minify: true, write: false, logLevel: "error" });
  return result.outputFiles[0].contents;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

async function speed(): Promise<void> {
  const server = await startDemoServer({ port: 0, minify: true, log: () => {} });
  const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"] });
  try {
    const page = await browser.newPage();
    page.on("console", (m) => {
      if (m.type() === "error" || m.type() === "warning") console.log(`  [page ${m.type()}] ${m.text()}`);
    });
    await page.goto(`${server.url}bench/`);
    await page.waitForFunction(() => document.body.dataset.ready === "yes", null, { timeout: 60_000 });
    const cores = await page.evaluate(() => navigator.hardwareConcurrency);
    const load = os.loadavg();
    const results: PeerResult[] = [];
    for (const peer of only ?? ["keras-ts", "tfjs"]) {
      // Each peer in a fresh page, so neither inherits the other's heap.
      const fresh = await browser.newPage();
      await fresh.goto(`${server.url}bench/`);
      await fresh.waitForFunction(() => document.body.dataset.ready === "yes", null, { timeout: 60_000 });
      console.log(`# ${peer}: ${epochs} epoch(s) ...`);
      results.push(...(await fresh.evaluate((o) => window.kerasBench.run(o), { epochs, only: [peer] })));
      await fresh.close();
    }
    out(`## Speed: seed 001 on full MNIST in Chromium ${browser.version()} (headless), ${epochs} epoch(s) each`);
    out();
    out(`Machine: ${os.cpus()[0]?.model ?? "?"}, ${os.cpus().length} cores (navigator.hardwareConcurrency ${cores}), load average ${load.map((x) => x.toFixed(2)).join(" / ")} at the start.`);
    out();
    out("| peer | backend | s/epoch (median) | epochs | predict 10k (batch 32) | test accuracy |");
    out("|---|---|---|---|---|---|");
    for (const r of results) out(`| ${r.peer} | ${r.detail} | ${median(r.epochSeconds).toFixed(2)} | ${r.epochSeconds.map((s) => s.toFixed(2)).join(", ")} | ${r.predictSeconds.toFixed(2)} s | ${r.testAccuracy.toFixed(4)} |`);
    const k = results.find((r) => r.peer === "keras-ts");
    const t = results.find((r) => r.peer === "TF.js");
    if (k !== undefined && t !== undefined) {
      const ratio = median(k.epochSeconds) / median(t.epochSeconds);
      out();
      out(`keras-ts / TF.js: epoch ${ratio.toFixed(2)}x (target ≤ 0.5x: ${ratio <= 0.5 ? "met" : "not met"}), predict ${(k.predictSeconds / t.predictSeconds).toFixed(2)}x.`);
    }
    out();
  } finally {
    await browser.close();
    await server.close();
  }
}

out(`# keras-ts in the browser against TF.js (${new Date().toISOString()})`);
out();
await bundleSizes();
if (!process.argv.includes("--bundle-only")) await speed();
const now = new Date();
const pad = (n: number): string => String(n).padStart(2, "0");
const stamp = `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}-${pad(now.getHours())}${pad(now.getMinutes())}${pad(now.getSeconds())}`;
mkdirSync(path.join(root, "bench/results"), { recursive: true });
const file = path.join(root, "bench/results", `${stamp}-browser.md`);
writeFileSync(file, `${lines.join("\n")}\n`);
console.log(`written to ${path.relative(root, file)}`);
