/**
 * `npm run test:browser`: keras-ts in headless Chromium (Debian's /usr/bin/chromium, driven by
 * playwright-core), against the demo server (scripts/demo_server.ts):
 *
 *   1. the in-page tests (test/browser/page/tests.ts): ops and layers on the page's fast backends
 *      against the reference backend, the seed-001 MLP trained 300 steps, MNIST by URL, model
 *      files by URL and in IndexedDB, HDF5 in the Web Worker, pictures;
 *   2. a download: `model.save("downloads://...")` gives a .keras file that loads in Node;
 *   3. the demo (examples/browser/): it trains, a digit drawn with the mouse is predicted, and
 *      screenshots of the page are written (KERAS_TS_SCREENSHOTS=<folder>, default
 *      test/browser/screenshots/, which git ignores);
 *   4. with WebGPU on SwiftShader (--enable-unsafe-webgpu --use-webgpu-adapter=swiftshader): the
 *      webgpu backend's kernel cross-check (test/backend/webgpu/cross_check_page.ts, also run by
 *      npm run test:webgpu), then the in-page tests' ops, gradients and layers on WebGPU, and
 *      the seed model's 300 training steps on it.
 *
 * Options: --only=tests,download,demo,webgpu  --keep-open (leave the server up).
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";
import { startDemoServer } from "./demo_server.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const CHROMIUM = process.env.KERAS_TS_CHROMIUM ?? "/usr/bin/chromium";
const BASE_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];
const WEBGPU_FLAGS = ["--enable-unsafe-webgpu", "--use-webgpu-adapter=swiftshader"];
const only = process.argv.find((a) => a.startsWith("--only="))?.slice("--only=".length).split(",");
const wanted = (part: string): boolean => only === undefined || only.includes(part);
const shots = path.resolve(process.env.KERAS_TS_SCREENSHOTS ?? path.join(root, "test/browser/screenshots"));

interface Result {
  name: string;
  status: "pass" | "fail" | "skip";
  ms: number;
  message?: string;
}

const results: Result[] = [];

function report(result: Result): void {
  results.push(result);
  const mark = result.status === "pass" ? "ok  " : result.status === "skip" ? "skip" : "FAIL";
  const note = result.message === undefined ? "" : result.status === "fail" ? `\n      ${result.message.split("\n").slice(0, 6).join("\n      ")}` : ` (${result.message})`;
  console.log(`${mark} ${result.name} [${(result.ms / 1000).toFixed(1)} s]${note}`);
}

async function step(name: string, fn: () => Promise<string | void>): Promise<void> {
  const started = performance.now();
  try {
    const note = await fn();
    report({ name, status: "pass", ms: performance.now() - started, message: note || undefined });
  } catch (error) {
    report({ name, status: "fail", ms: performance.now() - started, message: (error as Error).stack ?? String(error) });
  }
}

async function launch(flags: string[] = []): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: [...BASE_FLAGS, ...flags] });
}

async function newPage(browser: Browser, label: string): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1100, height: 1400 }, acceptDownloads: true });
  page.on("pageerror", (error) => console.log(`  [${label} page error] ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error" || message.type() === "warning" || message.type() === "info") console.log(`  [${label} ${message.type()}] ${message.text().slice(0, 400)}`);
  });
  return page;
}

/** Runs the in-page tests (tests.ts) in a fresh page; each becomes a result line. */
async function inPageTests(browser: Browser, url: string, label: string, query = "", filter?: string): Promise<void> {
  const page = await newPage(browser, label);
  await page.goto(`${url}test/${query}`);
  await page.waitForFunction(() => document.body.dataset.ready === "yes" || (window as unknown as { kerasTestsError?: string }).kerasTestsError, null, { timeout: 120_000 });
  const backend = await page.evaluate(() => window.kerasTests.backend);
  const isolated = await page.evaluate(() => crossOriginIsolated);
  console.log(`# ${label}: the page's backend is ${backend}; cross-origin isolated: ${isolated}`);
  const pageResults = await page.evaluate((f) => window.kerasTests.run(f), filter);
  for (const r of pageResults) report({ ...r, name: `${label}: ${r.name}` });
  await page.close();
}

/** The page saves to downloads://; the file that arrives loads in Node with the same predictions. */
async function downloadCheck(browser: Browser, url: string): Promise<string> {
  const page = await newPage(browser, "download");
  await page.goto(`${url}test/`);
  await page.waitForFunction(() => document.body.dataset.ready === "yes", null, { timeout: 120_000 });
  const [download, expected] = await Promise.all([
    page.waitForEvent("download", { timeout: 60_000 }),
    page.evaluate(async () => {
      const keras = (window as unknown as { keras: typeof import("keras-ts") }).keras;
      keras.utils.setRandomSeed(9);
      const model = new keras.Sequential([keras.Input({ shape: [5] }), new keras.layers.Dense(3, { activation: "softmax" })]);
      model.compile({ optimizer: "adam", loss: "sparse_categorical_crossentropy" });
      await model.save("downloads://from-the-page");
      const x = keras.ops.reshape(keras.ops.arange(10), [2, 5]);
      return Array.from(((await model.predict(x, { verbose: 0 })) as import("keras-ts").Tensor).dataSync() as Float32Array);
    }),
  ]);
  const file = path.join(shots, download.suggestedFilename());
  await download.saveAs(file);
  await page.close();
  if (download.suggestedFilename() !== "from-the-page.keras") throw new Error(`the download is named ${download.suggestedFilename()}`);
  const keras = await import("../src/index.js");
  const model = await keras.saving.loadModel(file);
  const got = Array.from(((await model.predict(keras.ops.reshape(keras.ops.arange(10), [2, 5]), { verbose: 0 })) as import("../src/index.js").Tensor).dataSync());
  got.forEach((v, i) => {
    if (Math.abs(v - expected[i]) > 1e-6) throw new Error(`prediction ${i}: Node gives ${v}, the page gave ${expected[i]}`);
  });
  return `${download.suggestedFilename()}, ${readFileSync(file).length} bytes, loads in Node with the page's predictions`;
}

/** Draws with the mouse on the demo's pad: `strokes` are polylines in the pad's 280x280 units. */
async function draw(page: Page, strokes: [number, number][][]): Promise<void> {
  await page.click("#clear");
  const box = (await page.locator("#pad").boundingBox())!;
  const at = ([x, y]: [number, number]): [number, number] => [box.x + (x * box.width) / 280, box.y + (y * box.height) / 280];
  await page.evaluate(() => delete document.body.dataset.predicted);
  for (const stroke of strokes) {
    await page.mouse.move(...at(stroke[0]));
    await page.mouse.down();
    for (const point of stroke.slice(1)) await page.mouse.move(...at(point), { steps: 8 });
    await page.mouse.up();
  }
  await page.waitForFunction(() => document.body.dataset.predicted === "yes", null, { timeout: 30_000 });
}

const DIGITS: Record<string, [number, number][][]> = {
  "1": [[[150, 50], [145, 140], [140, 235]]],
  "7": [[[80, 60], [200, 60], [175, 110], [150, 170], [125, 240]]],
  "0": [[[140, 45], [90, 80], [75, 145], [95, 215], [140, 240], [190, 210], [205, 140], [185, 75], [140, 45]]],
};

async function demoCheck(browser: Browser, url: string): Promise<string> {
  const page = await newPage(browser, "demo");
  await page.goto(`${url}?epochs=1`);
  await page.waitForFunction(() => document.body.dataset.trained !== undefined || document.body.dataset.error !== undefined, null, { timeout: 600_000 });
  const state = await page.evaluate(() => ({ error: document.body.dataset.error, status: document.getElementById("status")!.textContent, backend: document.getElementById("backend")!.textContent }));
  if (state.error !== undefined) throw new Error(`the demo failed: ${state.error}`);
  await page.screenshot({ path: path.join(shots, "demo-trained.png"), fullPage: true });
  const notes = [`backend ${state.backend}`, String(state.status)];
  const wrong: string[] = [];
  for (const [digit, strokes] of Object.entries(DIGITS)) {
    await draw(page, strokes);
    const predicted = await page.evaluate(() => [document.getElementById("digit-page")!.textContent, document.getElementById("digit-node")!.textContent]);
    notes.push(`drew ${digit}: page model says ${predicted[0]}, Node model says ${predicted[1]}`);
    await page.locator("h2:nth-of-type(2)").scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(shots, `demo-drawn-${digit}.png`), clip: { x: 0, y: (await page.locator("#pad").boundingBox())!.y - 60, width: 1100, height: 420 } });
    if (predicted[0] !== digit && predicted[1] !== digit) wrong.push(`${digit} (predicted ${predicted.join(" / ")})`);
  }
  await page.close();
  if (wrong.length > 0) throw new Error(`neither model recognized the drawn ${wrong.join(", ")}; ${notes.join("; ")}`);
  return notes.join("; ");
}

/** The webgpu backend's own cross-check page: one result line per kernel, and its end-to-end checks. */
async function webgpuKernelCheck(browser: Browser, url: string): Promise<void> {
  const started = performance.now();
  const page = await newPage(browser, "webgpu kernels");
  await page.goto(`${url}test/webgpu.html`);
  await page.waitForFunction(() => (globalThis as { __results?: unknown }).__results !== undefined, null, { timeout: 600_000, polling: 250 });
  type Out = { fatal?: string; results: { kernel: string; label: string; ok: boolean; detail?: string }[]; endToEnd: { results: { name: string; ok: boolean; detail?: string }[] } };
  const out = await page.evaluate(() => (globalThis as unknown as { __results: Out }).__results);
  await page.close();
  const ms = performance.now() - started;
  if (out.fatal !== undefined) {
    report({ name: "webgpu: the kernel cross-check page", status: "fail", ms, message: out.fatal });
    return;
  }
  const byKernel = new Map<string, { cases: number; failed: string[] }>();
  for (const r of out.results) {
    const k = byKernel.get(r.kernel) ?? { cases: 0, failed: [] };
    k.cases++;
    if (!r.ok) k.failed.push(`${r.label}: ${r.detail}`);
    byKernel.set(r.kernel, k);
  }
  for (const [kernel, k] of byKernel) {
    report({ name: `webgpu kernels: ${kernel} against the reference backend (${k.cases} cases)`, status: k.failed.length === 0 ? "pass" : "fail", ms: 0, message: k.failed.slice(0, 3).join("\n") || undefined });
  }
  for (const r of out.endToEnd.results) report({ name: `webgpu end to end: ${r.name}`, status: r.ok ? "pass" : "fail", ms: 0, message: r.detail || undefined });
}

async function main(): Promise<void> {
  mkdirSync(shots, { recursive: true });
  const server = await startDemoServer({ port: 0, log: (m) => console.log(`# ${m}`) });
  console.log(`# demo server at ${server.url}; Chromium ${CHROMIUM}; screenshots in ${path.relative(root, shots) || "."}`);
  try {
    const browser = await launch();
    console.log(`# Chromium ${browser.version()}`);
    try {
      if (wanted("tests")) await inPageTests(browser, server.url, "wasm page");
      if (wanted("download")) await step("a model saved to downloads:// arrives as a .keras file that loads in Node", () => downloadCheck(browser, server.url));
      if (wanted("demo")) await step("the demo trains, and predicts digits drawn with the mouse", () => demoCheck(browser, server.url));
    } finally {
      await browser.close();
    }
    if (wanted("webgpu")) {
      const gpu = await launch(WEBGPU_FLAGS);
      try {
        const page = await newPage(gpu, "webgpu");
        await page.goto(`${server.url}test/`);
        const adapter = await page.evaluate(async () => {
          const gpu = (navigator as unknown as { gpu?: { requestAdapter(): Promise<{ info?: { vendor?: string; architecture?: string } } | null> } }).gpu;
          if (gpu === undefined) return "no navigator.gpu";
          const a = await gpu.requestAdapter();
          return a === null ? "no adapter" : `adapter ${a.info?.vendor ?? "?"} ${a.info?.architecture ?? ""}`.trim();
        });
        await page.close();
        console.log(`# WebGPU on SwiftShader: ${adapter}`);
        await webgpuKernelCheck(gpu, server.url);
        // The WebGPU backend's checks (ops, gradients, layers trained three steps), and the seed
        // model trained with fit on it.
        await inPageTests(gpu, server.url, "webgpu page", "?backends=webgpu", "^webgpu|trains");
      } finally {
        await gpu.close();
      }
    }
  } finally {
    if (!process.argv.includes("--keep-open")) await server.close();
  }
  const failed = results.filter((r) => r.status === "fail");
  const skipped = results.filter((r) => r.status === "skip");
  writeFileSync(path.join(shots, "results.json"), `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\n# ${results.length - failed.length - skipped.length} passed, ${failed.length} failed, ${skipped.length} skipped`);
  if (failed.length > 0) process.exitCode = 1;
}

await main();
