/**
 * The browser entry bundles for a page: esbuild, building src/index.browser.ts for the browser as a
 * user's bundler would (the package's `browser` field applied), must find no Node module and no
 * Node global, and the bundle must run where only a browser's globals exist: training and
 * prediction in a V8 context without `process`, `Buffer` or `require`. (npm run test:browser runs
 * it in Chromium, files and pictures included.)
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import vm from "node:vm";
import * as esbuild from "esbuild";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const NODE_GLOBALS = ["process", "Buffer", "global", "__dirname", "__filename", "require", "module", "setImmediate", "clearImmediate"];
const SENTINEL = "__keras_ts_node_global_";

/** Fails the build on any import of a Node module, naming the importer. */
const noNodeModules: esbuild.Plugin = {
  name: "no-node-modules",
  setup(build) {
    const builtins = new Set(builtinModules);
    build.onResolve({ filter: /.*/ }, (args) => {
      const bare = args.path.replace(/^node:/, "").split("/")[0];
      if (args.path.startsWith("node:") || builtins.has(bare) || builtins.has(args.path)) {
        return { errors: [{ text: `Node module "${args.path}" imported by ${path.relative(root, args.importer)}` }] };
      }
      return undefined;
    });
  },
};

async function bundle(entry: string, format: esbuild.Format): Promise<{ text: string; inputs: string[] }> {
  const result = await esbuild.build({
    entryPoints: [path.join(root, entry)],
    absWorkingDir: root,
    bundle: true,
    platform: "browser",
    format,
    globalName: format === "iife" ? "keras" : undefined,
    target: "es2022",
    write: false,
    metafile: true,
    logLevel: "silent",
    // A free Node global becomes a name no browser defines, which the checks below find.
    define: Object.fromEntries(NODE_GLOBALS.map((g) => [g, `${SENTINEL}${g}`])),
    plugins: [noNodeModules],
  });
  return { text: result.outputFiles[0].text, inputs: Object.keys(result.metafile.inputs) };
}

test("the browser entry bundles with no Node module and no Node global", async () => {
  let built: { text: string; inputs: string[] };
  try {
    built = await bundle("src/index.browser.ts", "esm");
  } catch (error) {
    const errors = (error as { errors?: esbuild.Message[] }).errors ?? [];
    assert.fail(`the browser bundle failed:\n${errors.map((e) => `  ${e.text}${e.location ? ` (${e.location.file}:${e.location.line})` : ""}`).join("\n") || String(error)}`);
  }
  const used = [...new Set(built.text.match(new RegExp(`${SENTINEL}\\w+`, "g")) ?? [])].map((s) => s.slice(SENTINEL.length));
  assert.deepEqual(used, [], `the bundle uses Node globals: ${used.join(", ")}`);
  assert.ok(built.inputs.includes("src/platform/browser.ts"), "the browser host is in the bundle");
  assert.ok(!built.inputs.includes("src/platform/node.ts"), "the Node host is not");
  assert.ok(!built.inputs.some((f) => f.includes("h5wasm")), "h5wasm stays out of the page's bundle (it loads in the HDF5 worker)");
});

test("the HDF5 worker bundles for the browser too", async () => {
  const built = await bundle("src/saving/h5_worker_browser.ts", "esm");
  assert.ok(built.inputs.some((f) => f.startsWith("node_modules/h5wasm/dist/esm/")), "it carries h5wasm's browser build");
  assert.equal(built.text.includes(SENTINEL), false);
});

test("the browser package.json field names existing files for each Node-only module", () => {
  const pkg = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as { browser: Record<string, string>; exports: { ".": Record<string, string> } };
  assert.equal(pkg.exports["."].browser, "./dist/index.browser.js");
  for (const [from, to] of Object.entries(pkg.browser)) {
    if (!from.startsWith("./src/")) continue;
    assert.ok(readFileSync(path.join(root, from.replace(/\.js$/, ".ts")), "utf8").length > 0, from);
    assert.ok(readFileSync(path.join(root, to), "utf8").length > 0, to);
    // The dist twin of every source entry.
    const distFrom = from.replace("./src/", "./dist/").replace(/\.ts$/, ".js");
    assert.equal(pkg.browser[distFrom], to.replace("./src/", "./dist/").replace(/\.ts$/, ".js"), `${distFrom} maps like ${from}`);
  }
});

test("the bundle trains and predicts in a context with only a browser's globals", async () => {
  const { text } = await bundle("src/index.browser.ts", "iife");
  const logged: string[] = [];
  const sandbox: Record<string, unknown> = {
    console: { log: (...a: unknown[]) => logged.push(a.join(" ")), warn: (...a: unknown[]) => logged.push(a.join(" ")), error: console.error },
    TextEncoder,
    TextDecoder,
    URL,
    setTimeout,
    clearTimeout,
    queueMicrotask,
    performance,
    MessageChannel,
    WebAssembly: (globalThis as Record<string, unknown>).WebAssembly,
    btoa,
    atob,
    crypto: globalThis.crypto,
    structuredClone,
  };
  const context = vm.createContext(sandbox);
  vm.runInContext(text, context, { filename: "keras-ts.browser.js" });
  const run = vm.runInContext(
    `(async () => {
      keras.utils.setRandomSeed(1);
      const model = new keras.Sequential([
        keras.Input({ shape: [4] }),
        new keras.layers.Dense(8, { activation: "relu" }),
        new keras.layers.Dense(3, { activation: "softmax" }),
      ]);
      model.compile({ optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"] });
      const x = keras.random.uniform([64, 4], { seed: 2 });
      const y = keras.ops.cast(keras.ops.argmax(x, -1), "int32");
      const history = await model.fit(x, keras.ops.minimum(y, 2), { epochs: 2, batchSize: 16 });
      const p = await model.predict(x, { verbose: 0 });
      return { platform: typeof process, backend: keras.backend.backend(), losses: history.history.loss, shape: p.shape };
    })()`,
    context,
  ) as Promise<{ platform: string; backend: string; losses: number[]; shape: number[] }>;
  const result = await run;
  assert.equal(result.platform, "undefined");
  assert.equal(result.backend, "reference");
  assert.equal(result.losses.length, 2);
  assert.ok(result.losses.every(Number.isFinite), String(result.losses));
  assert.deepEqual([...result.shape], [64, 3]);
  // The progress bar went to the console, one line per epoch (no \\r redraws logged).
  assert.ok(logged.some((l) => /^Epoch 2\/2$/.test(l)), logged.join("\n"));
  assert.ok(logged.some((l) => /^4\/4 .*loss: /.test(l)), logged.join("\n"));
});
