#!/usr/bin/env node
/*
 * Builds the native CPU backend (build/Release/keras_native.node) with node-gyp; `npm install`
 * runs it. It never fails the install: when the addon cannot be built (no compiler, no Node
 * headers, KERAS_TS_SKIP_NATIVE=1), it prints one warning line and exits 0, and keras-ts runs on
 * its TypeScript reference backend. The full compiler log goes to build/native-build.log.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const logPath = path.join(root, "build", "native-build.log");
const addonPath = path.join(root, "build", "Release", "keras_native.node");

function warn(reason, advice = "") {
  console.warn(`keras-ts: native backend not built (${reason}); keras-ts will use the TypeScript reference backend${advice}`);
  process.exit(0);
}

/** How to build it later: from the user's project when keras-ts is a dependency, else from this clone. */
const rebuildCommand = root.split(path.sep).includes("node_modules") ? "npm rebuild keras-ts" : "npm run build:native";

if (/^(1|true|yes)$/i.test(process.env.KERAS_TS_SKIP_NATIVE ?? "")) warn("KERAS_TS_SKIP_NATIVE is set");

/** node-gyp's entry point: npm's own copy (npm tells scripts where it is), else one on PATH, else npx. */
function findNodeGyp() {
  const candidates = [];
  const fromNpm = process.env.npm_config_node_gyp;
  if (fromNpm) candidates.push(fromNpm);
  const prefix = path.dirname(path.dirname(process.execPath));
  candidates.push(
    path.join(prefix, "lib", "node_modules", "npm", "node_modules", "node-gyp", "bin", "node-gyp.js"),
    path.join(path.dirname(process.execPath), "node_modules", "npm", "node_modules", "node-gyp", "bin", "node-gyp.js"),
  );
  if (process.env.npm_execpath) {
    // npm_execpath is .../npm/bin/npm-cli.js
    candidates.push(path.join(path.dirname(path.dirname(process.env.npm_execpath)), "node_modules", "node-gyp", "bin", "node-gyp.js"));
  }
  try {
    candidates.push(createRequire(import.meta.url).resolve("node-gyp/bin/node-gyp.js"));
  } catch {
    // not a dependency of this package
  }
  for (const c of candidates) if (c.endsWith(".js") && existsSync(c)) return { cmd: process.execPath, args: [c] };
  const onPath = spawnSync(process.platform === "win32" ? "where" : "which", ["node-gyp"], { encoding: "utf8" });
  if (onPath.status === 0 && onPath.stdout.trim()) return { cmd: onPath.stdout.trim().split(/\r?\n/)[0], args: [] };
  return { cmd: process.platform === "win32" ? "npx.cmd" : "npx", args: ["--yes", "node-gyp"] };
}

/** Node's own headers, when they sit beside the node binary (distribution packages): no download. */
function nodedirArgs() {
  if (process.env.npm_config_nodedir) return [];
  const prefix = path.dirname(path.dirname(process.execPath));
  if (existsSync(path.join(prefix, "include", "node", "node_api.h"))) return [`--nodedir=${prefix}`];
  return [];
}

const gyp = findNodeGyp();
const args = [...gyp.args, "rebuild", ...nodedirArgs()];
const started = Date.now();
const result = spawnSync(gyp.cmd, args, { cwd: root, encoding: "utf8", env: process.env, maxBuffer: 64 * 1024 * 1024 });
const log = `$ ${gyp.cmd} ${args.join(" ")}\n${result.stdout ?? ""}\n${result.stderr ?? ""}\n${result.error ? String(result.error) : ""}`;
try {
  mkdirSync(path.dirname(logPath), { recursive: true });
  writeFileSync(logPath, log);
} catch {
  // the log is a convenience
}
if (result.error || result.status !== 0 || !existsSync(addonPath)) {
  // The most telling line: a compiler's error, else a missing tool, else make's, else node-gyp's own.
  const lines = log.split("\n").map((l) => l.trim());
  const own = lines.filter((l) => !l.startsWith("gyp "));
  const missingTool = own.find((l) => /No such file or directory|command not found|not found/i.test(l));
  const first =
    own.find((l) => /\berror:/i.test(l)) ??
    missingTool ??
    own.find((l) => /^make: \*\*\*/.test(l)) ??
    lines.find((l) => /^gyp ERR! find Python/.test(l) && /install/i.test(l)) ??
    lines.find((l) => /^gyp ERR! stack Error/.test(l)) ??
    lines.find((l) => /error|not found|cannot/i.test(l)) ??
    (result.error ? String(result.error) : `node-gyp exited with status ${result.status}`);
  // npm runs install scripts in the package's folder; the user typed the command in INIT_CWD.
  const logShown = path.relative(process.env.INIT_CWD ?? process.cwd(), logPath) || logPath;
  const toolsMissing = missingTool !== undefined || /find Python/.test(log);
  const advice = toolsMissing
    ? `. Building it needs a C compiler, make and Python 3 (Debian/Ubuntu: apt-get install build-essential python3); then run \`${rebuildCommand}\``
    : `. To try again: \`${rebuildCommand}\``;
  warn(`${first.slice(0, 160)}; see ${logShown}`, advice);
}
// Load it once in a fresh process: a library that builds but cannot load (wrong ABI) counts as a failure.
const probe = spawnSync(process.execPath, ["-e", `const m = require(${JSON.stringify(addonPath)}); console.log(JSON.stringify(m.info()))`], { encoding: "utf8" });
if (probe.status !== 0) warn(`built, but it does not load: ${(probe.stderr || "").trim().split("\n")[0]}`);
const info = JSON.parse(probe.stdout.trim());
console.log(`keras-ts: native backend built (${info.isa}, ${info.threads} threads) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
