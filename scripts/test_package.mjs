#!/usr/bin/env node
/*
 * `npm run test:package`: keras-ts as its users get it. Packs the package, installs the tarball
 * into a new project in a temporary folder (dependencies from npm's cache when it has them), and
 * checks that:
 *   - the tarball holds what the install needs, no native build output, and no dist/ file
 *     without its source in src/;
 *   - the install builds the native addon;
 *   - user code type-checks with `tsc --strict` against the installed .d.ts: without @types/node
 *     (with the DOM library, and with ES2022 alone), then with @types/node;
 *   - the README's Install program runs on the native backend, with KERAS_TS_STRICT_NATIVE=1 so
 *     that a kernel falling back to the reference backend is an error, and on the wasm backend
 *     (built into the tarball: the user needs no toolchain for it);
 *   - without the addon, keras-ts picks the wasm backend by itself, with no warning;
 *   - a page's bundler (esbuild, for the browser) bundles the installed package with no Node module,
 *     the wasm backend's URL loader in place of its Node loader;
 *   - a CommonJS package gets keras-ts from `import()`, and from `require()` where Node can
 *     require ES modules (as the README says).
 * The temporary folder is removed unless KERAS_TS_KEEP_PACKAGE_TEST=1.
 */
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const rootPackage = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8"));
const tsc = createRequire(path.join(root, "package.json")).resolve("typescript/bin/tsc");
const npm = process.platform === "win32" ? "npm.cmd" : "npm";
const work = mkdtempSync(path.join(os.tmpdir(), "keras-ts-package-"));
const project = path.join(work, "project");
const started = Date.now();

function step(what) {
  console.log(`\n== ${what} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
}

function fail(message) {
  console.error(`test:package FAILED: ${message}`);
  console.error(`(the project is kept in ${work})`);
  process.exit(1);
}

/** Runs a command; fails the test with its output unless it exits 0. Returns stdout and stderr together, or stdout alone. */
function run(cmd, args, options = {}, { stdoutOnly = false } = {}) {
  const result = spawnSync(cmd, args, { encoding: "utf8", maxBuffer: 64 * 1024 * 1024, ...options, env: { ...process.env, ...options.env } });
  const output = `${result.stdout ?? ""}${result.stderr ?? ""}`;
  if (result.error || result.status !== 0) fail(`${cmd} ${args.join(" ")} exited with ${result.status ?? result.error}:\n${output}`);
  return stdoutOnly ? result.stdout : output;
}

function writeJson(file, value) {
  writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
}

/** The first ```ts block after the README's "## Install" heading: the program a new user runs. */
function installProgram() {
  const readme = readFileSync(path.join(root, "README.md"), "utf8");
  const at = readme.indexOf("\n## Install\n");
  const match = at < 0 ? null : /^```ts\n([\s\S]*?)^```$/m.exec(readme.slice(at));
  if (match === null) fail("README.md has no ```ts block under ## Install");
  return match[1];
}

/** A strict user project's tsconfig over `files`. */
function tsconfig(name, files, compilerOptions) {
  writeJson(path.join(project, name), {
    compilerOptions: { strict: true, module: "nodenext", moduleResolution: "nodenext", target: "es2022", skipLibCheck: false, noEmit: true, ...compilerOptions },
    files,
  });
}

try {
  step("npm pack");
  mkdirSync(project);
  // npm prints the prepare script's output (the build) before the JSON.
  const packOutput = run(npm, ["pack", "--json", "--pack-destination", work], { cwd: root }, { stdoutOnly: true });
  const packed = JSON.parse(packOutput.slice(packOutput.search(/^\[/m)));
  const tarball = path.join(work, packed[0].filename);
  const files = new Set(packed[0].files.map((f) => f.path));
  const needed = [
    "package.json", "README.md", "LICENSE", "binding.gyp", "scripts/build_native.mjs", "native/addon.c", "native/kt.h", "dist/index.js", "dist/index.d.ts",
    "dist/wasm/keras_ts.wasm", "dist/wasm/keras_ts_threads.wasm",
  ];
  const missing = needed.filter((f) => !files.has(f));
  if (missing.length > 0) fail(`the tarball lacks ${missing.join(", ")}`);
  const stray = [...files].filter((f) => f.startsWith("build/") || f.startsWith("node_modules/") || f.startsWith("test/"));
  if (stray.length > 0) fail(`the tarball holds files users do not need: ${stray.slice(0, 5).join(", ")}`);
  // `npm run build` empties dist/ first: output of a deleted or renamed source must not ship. The
  // wasm modules are built from native/ (scripts/build_wasm.mjs) and are exactly the two needed above.
  const stale = [...files].filter((f) => f.startsWith("dist/") && !f.startsWith("dist/wasm/") && !files.has(f.replace(/^dist\//, "src/").replace(/(\.d)?\.(js|ts)(\.map)?$/, ".ts")));
  const wasmFiles = [...files].filter((f) => f.startsWith("dist/wasm/")).sort();
  if (wasmFiles.join() !== "dist/wasm/keras_ts.wasm,dist/wasm/keras_ts_threads.wasm") fail(`dist/wasm/ in the tarball holds ${wasmFiles.join(", ")}`);
  if (stale.length > 0) fail(`the tarball holds build output without a source: ${stale.slice(0, 5).join(", ")}`);
  const license = readFileSync(path.join(root, "LICENSE"), "utf8");
  if (rootPackage.license !== "Apache-2.0" || !license.includes("Apache License") || !license.includes("Version 2.0, January 2004")) fail("LICENSE is not the Apache License 2.0 that package.json names");
  console.log(`${packed[0].filename}: ${files.size} files, ${(packed[0].size / 1e6).toFixed(1)} MB`);

  step("npm install <tarball> into a new project");
  // allowScripts approves keras-ts's install script (npm 11 asks for it, as the README says; older npm ignores the field).
  writeJson(path.join(project, "package.json"), { name: "keras-ts-user", private: true, type: "module", allowScripts: { [`file:${tarball}`]: true } });
  const install = run(npm, ["install", "--prefer-offline", "--no-audit", "--no-fund", "--foreground-scripts", tarball], { cwd: project });
  const built = /keras-ts: native backend built \(([^)]*)\)/.exec(install);
  if (built === null) fail(`the install did not build the native addon:\n${install}`);
  console.log(`native addon built (${built[1]})`);
  if (readdirSync(path.join(project, "node_modules")).includes("@types")) fail("installing keras-ts brought @types into the project; the no-@types/node checks would not mean anything");

  step("tsc --strict without @types/node");
  const program = installProgram();
  writeFileSync(path.join(project, "install.ts"), program);
  cpSync(path.join(root, "test", "docs", "readme_snippets.ts"), path.join(project, "readme_snippets.ts"));
  const examples = readdirSync(path.join(root, "examples")).filter((f) => f.endsWith(".ts"));
  mkdirSync(path.join(project, "examples"));
  for (const f of examples) cpSync(path.join(root, "examples", f), path.join(project, "examples", f));
  const userFiles = ["install.ts", "readme_snippets.ts", ...examples.map((f) => `examples/${f}`)];
  // Examples that read their command line (process.argv, process.env) are Node programs: they need
  // Node's types, as a user's would. Every other user file must compile without them.
  const nodePrograms = examples.filter((f) => /\bprocess\.|from "node:/.test(readFileSync(path.join(root, "examples", f), "utf8")));
  const portableFiles = userFiles.filter((f) => !nodePrograms.some((e) => f === `examples/${e}`));
  // Only the package's types: they must need neither Node's types nor the DOM's.
  writeFileSync(path.join(project, "surface.ts"), 'import * as keras from "keras-ts";\nexport const api: typeof keras = keras;\n');
  tsconfig("tsconfig.surface.json", ["surface.ts"], { types: [], lib: ["es2022"] });
  run(process.execPath, [tsc, "-p", "tsconfig.surface.json"], { cwd: project });
  tsconfig("tsconfig.nonode.json", portableFiles, { types: [] });
  run(process.execPath, [tsc, "-p", "tsconfig.nonode.json"], { cwd: project });
  console.log(`ok: the package's .d.ts alone (lib es2022), and ${portableFiles.length} user files (lib es2022 + dom; ${nodePrograms.join(", ")} need Node's types and are checked next)`);

  step("tsc --strict with @types/node");
  const typesNode = rootPackage.devDependencies["@types/node"];
  run(npm, ["install", "--prefer-offline", "--no-audit", "--no-fund", "--save-dev", `@types/node@${typesNode}`], { cwd: project });
  tsconfig("tsconfig.node.json", userFiles, { types: ["node"], lib: ["es2022"] });
  run(process.execPath, [tsc, "-p", "tsconfig.node.json"], { cwd: project });
  console.log(`ok: ${userFiles.length} user files with @types/node@${typesNode}`);

  step("the README's Install program on the native backend, KERAS_TS_STRICT_NATIVE=1");
  tsconfig("tsconfig.emit.json", ["install.ts"], { types: ["node"], noEmit: false, outDir: "out" });
  run(process.execPath, [tsc, "-p", "tsconfig.emit.json"], { cwd: project });
  const output = run(process.execPath, [path.join("out", "install.js")], {
    cwd: project,
    env: { KERAS_TS_STRICT_NATIVE: "1", KERAS_TS_BACKEND: "native" },
  });
  const lines = output.split(/\r?\n/).filter((l) => /^backend: |^test accuracy /.test(l));
  console.log(lines.join("\n"));
  if (!lines.includes("backend: native")) fail(`the program did not run on the native backend:\n${output}`);
  const accuracy = Number(/^test accuracy ([0-9.]+)/m.exec(output)?.[1]);
  if (!(accuracy > 0.9)) fail(`one epoch of MNIST should pass 0.9 test accuracy, got ${accuracy}:\n${output}`);
  if (!/predictions 10000,10$/m.test(output)) fail(`predict did not give a [10000, 10] tensor:\n${output}`);

  step("the README's Install program on the wasm backend, KERAS_TS_STRICT_NATIVE=1");
  const wasmOutput = run(process.execPath, [path.join("out", "install.js")], {
    cwd: project,
    env: { KERAS_TS_STRICT_NATIVE: "1", KERAS_TS_BACKEND: "wasm" },
  });
  const wasmLines = wasmOutput.split(/\r?\n/).filter((l) => /^backend: |^test accuracy /.test(l));
  console.log(wasmLines.join("\n"));
  if (!wasmLines.includes("backend: wasm")) fail(`the program did not run on the wasm backend:\n${wasmOutput}`);
  const wasmAccuracy = Number(/^test accuracy ([0-9.]+)/m.exec(wasmOutput)?.[1]);
  if (!(wasmAccuracy > 0.9)) fail(`one epoch of MNIST on wasm should pass 0.9 test accuracy, got ${wasmAccuracy}:\n${wasmOutput}`);

  step("without the addon: the wasm backend, chosen by itself");
  // As on a machine where the addon could not be built: the install's build output is gone.
  const addon = path.join(project, "node_modules", "keras-ts", "build", "Release", "keras_native.node");
  renameSync(addon, `${addon}.away`);
  try {
    writeFileSync(path.join(project, "auto.mjs"), 'import * as keras from "keras-ts";\nconst y = keras.ops.matmul(keras.ops.ones([300, 200]), keras.ops.ones([200, 100]));\nconsole.log(`backend: ${keras.backend.backend()} ${y.shape} ${y.dataSync()[0]}`);\n');
    const auto = run(process.execPath, ["auto.mjs"], { cwd: project, env: { KERAS_TS_BACKEND: "" } });
    if (!/^backend: wasm 300,100 200$/m.test(auto)) fail(`without the addon keras-ts did not run on the wasm backend:\n${auto}`);
    if (/keras-ts: /.test(auto)) fail(`choosing the wasm backend printed a warning:\n${auto}`);
    console.log(auto.trim());
  } finally {
    renameSync(`${addon}.away`, addon);
  }

  step("a browser bundle of the installed package (esbuild, --platform=browser)");
  // What a page's bundler does with the package: the `browser` export and the `browser` field's
  // swaps must leave no Node module in the bundle (esbuild fails the build on one).
  const esbuild = createRequire(path.join(root, "package.json"))("esbuild");
  writeFileSync(path.join(project, "page.js"), 'import * as keras from "keras-ts";\nexport const api = keras;\n');
  let browserBundle;
  try {
    browserBundle = await esbuild.build({ entryPoints: [path.join(project, "page.js")], absWorkingDir: project, bundle: true, platform: "browser", format: "esm", write: false, metafile: true, logLevel: "silent" });
  } catch (error) {
    fail(`the installed package does not bundle for the browser:\n${(error.errors ?? []).map((e) => `  ${e.text} (${e.location?.file ?? "?"})`).join("\n") || error}`);
  }
  const inputs = Object.keys(browserBundle.metafile.inputs);
  for (const wanted of ["dist/index.browser.js", "dist/platform/browser.js", "dist/backend/wasm/load_url.js", "dist/backend/wasm/load_node_browser.js"]) {
    if (!inputs.includes(`node_modules/keras-ts/${wanted}`)) fail(`the browser bundle lacks ${wanted}`);
  }
  for (const unwanted of ["dist/platform/node.js", "dist/backend/wasm/load_node.js"]) {
    if (inputs.includes(`node_modules/keras-ts/${unwanted}`)) fail(`the browser bundle holds ${unwanted}, a Node module`);
  }
  console.log(`ok: ${inputs.length} modules, ${(browserBundle.outputFiles[0].contents.length / 1e3).toFixed(0)} kB unminified, the browser entry and host, the wasm backend's URL loader`);

  step("a CommonJS package");
  const cjs = path.join(project, "cjs");
  mkdirSync(cjs);
  writeJson(path.join(cjs, "package.json"), { type: "commonjs" });
  writeFileSync(
    path.join(cjs, "main.js"),
    [
      "let required;",
      'try { required = typeof require("keras-ts").Sequential; } catch (e) { required = e.code; }',
      'import("keras-ts").then((k) => console.log(JSON.stringify({ required, imported: typeof k.Sequential })));',
      "",
    ].join("\n"),
  );
  const seen = JSON.parse(run(process.execPath, ["main.js"], { cwd: cjs }).trim().split("\n").pop());
  // Node 20.19+ requires ES modules without top-level await; older Node 20 refuses with ERR_REQUIRE_ESM.
  const expected = { required: process.features.require_module ? "function" : "ERR_REQUIRE_ESM", imported: "function" };
  if (JSON.stringify(seen) !== JSON.stringify(expected)) fail(`CommonJS saw ${JSON.stringify(seen)}, the README says ${JSON.stringify(expected)}`);
  console.log(`require(): ${seen.required === "function" ? "the module" : seen.required}; import(): the module (Node ${process.versions.node})`);

  console.log(`\ntest:package passed in ${((Date.now() - started) / 1000).toFixed(0)} s`);
} finally {
  if (!/^(1|true|yes)$/i.test(process.env.KERAS_TS_KEEP_PACKAGE_TEST ?? "")) rmSync(work, { recursive: true, force: true });
}
