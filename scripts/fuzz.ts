/**
 * `npm run fuzz [-- --cases=10000 --seed=1 --only=name]`: seeded byte flips, byte sets,
 * truncations, zero-filled ranges and splices over every model fixture (../shared) and over a model
 * keras-ts saves in each format (.keras, .h5, TF.js), each case loaded with `loadModel`.
 *
 * Every case must end within 2 s, either with a worded error (naming the file, no runtime crash
 * text) or with a model whose outputs equal the unmutated file's bit for bit. Formats without
 * checksums (legacy .h5, TF.js shards) can change a weight silently: such loads are counted as
 * "changed (no checksum in the format)", not failures; in a .keras file (CRC-32 per member) a
 * changed output is a failure. After the run, loading and saving must still work in this process.
 *
 * A watchdog thread kills the process if a case blocks the event loop for 10 s; the case being
 * run is always the last line of <workdir>/current-case.txt. Failing cases are printed as JSON, to
 * be added to test/saving/fuzz_regressions.json.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Worker } from "node:worker_threads";
import * as ops from "../src/ops/index.js";
import type { Tensor } from "../src/backend/tensor.js";
import { Dense, Dropout, Input } from "../src/layers/index.js";
import { Sequential } from "../src/models/sequential.js";
import type { Model } from "../src/models/model.js";
import { loadModel } from "../src/saving/index.js";
import { FIXTURES_DIR } from "../test/helpers/fixtures.js";
import { applyMutation, describeCase, randomMutation, seededRandom, UNCLEAN_ERROR, type FuzzCase } from "./fuzz_mutations.js";

const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, "").split("=")) as [string, string][]);
const CASES = Number(args.cases ?? 10000);
const SEED = Number(args.seed ?? 1);
const TIME_LIMIT_MS = 2000;

interface Target {
  name: string;
  /** Files of the target (one for a file, several for a TF.js folder), as bytes. */
  files: Map<string, Uint8Array>;
  isFolder: boolean;
  hasChecksums: boolean;
  /** The unmutated file's outputs on `input`, or why it does not load. */
  input?: Tensor;
  outputs?: Float32Array;
  loadError?: string;
}

const work = fs.mkdtempSync(path.join(fs.existsSync("/dev/shm") ? "/dev/shm" : os.tmpdir(), "keras-ts-fuzz-"));
const caseLog = path.join(work, "current-case.txt");

function startWatchdog(heartbeat: Int32Array): void {
  const code = `
    const { workerData } = require("node:worker_threads");
    const fs = require("node:fs");
    const beat = new Int32Array(workerData.buffer);
    let last = -1, since = Date.now();
    setInterval(() => {
      const now = Atomics.load(beat, 0);
      if (now !== last) { last = now; since = Date.now(); return; }
      if (Date.now() - since > 10000) {
        let current = "";
        try { current = fs.readFileSync(workerData.caseLog, "utf8"); } catch {}
        fs.writeSync(2, "\\nFUZZ FAILURE: the event loop was blocked for 10 s in case: " + current + "\\n");
        process.kill(process.pid, "SIGKILL");
      }
    }, 500);`;
  const worker = new Worker(code, { eval: true, workerData: { buffer: heartbeat.buffer, caseLog } });
  worker.unref();
}

function pathOf(target: Target, dir: string): string {
  return target.isFolder ? dir : path.join(dir, target.name);
}

function writeTarget(target: Target, dir: string, mutated?: { file: string; bytes: Uint8Array }): string {
  fs.mkdirSync(dir, { recursive: true });
  for (const [file, bytes] of target.files) {
    const where = target.isFolder ? path.join(dir, file) : path.join(dir, target.name);
    fs.writeFileSync(where, mutated !== undefined && mutated.file === file ? mutated.bytes : bytes);
  }
  return pathOf(target, dir);
}

function inputShapeOf(model: Model): number[] {
  const shape = (model as Sequential).inputShape ?? (model as unknown as { inputs?: { shape: (number | null)[] }[] }).inputs?.[0]?.shape;
  if (shape === undefined) throw new Error("the model has no known input shape");
  return [2, ...shape.slice(1).map((d) => d ?? 1)];
}

async function outputsOf(model: Model, input: Tensor): Promise<Float32Array> {
  const out = (await model.predict(input, { verbose: 0 })) as Tensor | Tensor[];
  return Float32Array.from((Array.isArray(out) ? out[0] : out).dataSync() as Float32Array);
}

function sameOutputs(a: Float32Array, b: Float32Array): boolean {
  return a.length === b.length && a.every((v, i) => Object.is(v, b[i]));
}

async function savedTargets(): Promise<Target[]> {
  const model = new Sequential([Input({ shape: [6] }), new Dense(8, { activation: "relu" }), new Dropout(0.25), new Dense(3, { activation: "softmax" })]);
  model.compile({ optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"] });
  const x = ops.reshape(ops.convertToTensor(Array.from({ length: 48 }, (_, i) => Math.sin(i)), "float32"), [8, 6]);
  const y = ops.convertToTensor([0, 1, 2, 0, 1, 2, 0, 1], "int32");
  await model.fit(x, y, { epochs: 1, batchSize: 4, verbose: 0 });
  const dir = path.join(work, "saved");
  fs.mkdirSync(dir, { recursive: true });
  await model.save(path.join(dir, "saved.keras"));
  await model.save(path.join(dir, "saved.h5"));
  await model.save(`tfjs://${path.join(dir, "saved_tfjs")}`);
  const read = (file: string): Map<string, Uint8Array> => new Map([[path.basename(file), new Uint8Array(fs.readFileSync(file))]]);
  const tfjsFiles = new Map(fs.readdirSync(path.join(dir, "saved_tfjs")).map((f) => [f, new Uint8Array(fs.readFileSync(path.join(dir, "saved_tfjs", f)))]));
  return [
    { name: "saved.keras", files: read(path.join(dir, "saved.keras")), isFolder: false, hasChecksums: true },
    { name: "saved.h5", files: read(path.join(dir, "saved.h5")), isFolder: false, hasChecksums: false },
    { name: "saved_tfjs", files: tfjsFiles, isFolder: true, hasChecksums: false },
  ];
}

function fixtureTargets(): Target[] {
  if (!fs.existsSync(FIXTURES_DIR)) {
    console.log(`note: ${FIXTURES_DIR} is missing; fuzzing the saved models only`);
    return [];
  }
  const out: Target[] = [];
  for (const name of fs.readdirSync(FIXTURES_DIR).sort()) {
    const full = path.join(FIXTURES_DIR, name);
    if (fs.statSync(full).isDirectory()) {
      const files = new Map(
        fs.readdirSync(full).filter((f) => f !== "reference.json").map((f) => [f, new Uint8Array(fs.readFileSync(path.join(full, f)))] as const),
      );
      out.push({ name, files, isFolder: true, hasChecksums: false });
    } else if (/\.(keras|h5)$/.test(name)) {
      out.push({ name, files: new Map([[name, new Uint8Array(fs.readFileSync(full))]]), isFolder: false, hasChecksums: name.endsWith(".keras") });
    }
  }
  return out;
}

async function prepare(target: Target): Promise<void> {
  const location = writeTarget(target, path.join(work, "original", target.name));
  try {
    const model = await loadModel(location);
    target.input = ops.reshape(ops.convertToTensor(Array.from({ length: inputShapeOf(model).reduce((a, b) => a * b, 1) }, (_, i) => Math.cos(i * 0.37)), "float32"), inputShapeOf(model));
    target.outputs = await outputsOf(model, target.input);
  } catch (error) {
    target.loadError = error instanceof Error ? error.message.split("\n")[0] : String(error);
  }
}

type Outcome = "error" | "identical" | "changed (no checksum in the format)";

async function main(): Promise<void> {
  const heartbeat = new Int32Array(new SharedArrayBuffer(4));
  startWatchdog(heartbeat);
  const warn = console.warn;
  console.warn = () => {}; // Loaders warn about fresh optimizers and the like; the counts matter here.
  const targets = [...fixtureTargets(), ...(await savedTargets())].filter((t) => args.only === undefined || t.name.includes(args.only));
  for (const target of targets) {
    await prepare(target);
    console.log(`${target.name}: ${target.loadError === undefined ? "loads" : `does not load (${target.loadError.slice(0, 120)})`}`);
  }
  const random = seededRandom(SEED);
  const counts = new Map<string, Map<Outcome, number>>();
  const failures: { case: FuzzCase; problem: string }[] = [];
  let slowest = { ms: 0, what: "" };
  const started = Date.now();
  for (let i = 0; i < CASES; i++) {
    const target = targets[Math.floor(random() * targets.length)];
    const fileNames = [...target.files.keys()];
    const file = fileNames[Math.floor(random() * fileNames.length)];
    const original = target.files.get(file)!;
    const fuzzCase: FuzzCase = { target: target.name, file: target.isFolder ? file : target.name, mutation: randomMutation(random, original.length) };
    const what = describeCase(fuzzCase);
    fs.writeFileSync(caseLog, `#${i} ${what}`);
    const location = writeTarget(target, path.join(work, "case"), { file, bytes: applyMutation(original, fuzzCase.mutation) });
    const t0 = performance.now();
    let outcome: Outcome | null = null;
    let problem: string | null = null;
    try {
      const model = await loadModel(location);
      if (target.outputs === undefined) problem = `loaded although the original does not (${target.loadError})`;
      else if (sameOutputs(await outputsOf(model, target.input!), target.outputs)) outcome = "identical";
      else if (!target.hasChecksums) outcome = "changed (no checksum in the format)";
      else problem = "loaded with different outputs";
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const named = message.includes(target.isFolder ? path.join(work, "case") : target.name);
      if (!(error instanceof Error)) problem = `threw a non-Error: ${message}`;
      else if (UNCLEAN_ERROR.test(message)) problem = `unclean error: ${message.slice(0, 300)}`;
      else if (!named) problem = `the error does not name the file: ${message.slice(0, 300)}`;
      else outcome = "error";
    }
    const ms = performance.now() - t0;
    if (ms > slowest.ms) slowest = { ms, what };
    if (ms > TIME_LIMIT_MS && problem === null) problem = `took ${ms.toFixed(0)} ms`;
    Atomics.add(heartbeat, 0, 1);
    if (problem !== null) {
      failures.push({ case: fuzzCase, problem });
      console.log(`FAIL #${i} ${what}: ${problem}`);
    } else {
      const perTarget = counts.get(target.name) ?? new Map<Outcome, number>();
      perTarget.set(outcome!, (perTarget.get(outcome!) ?? 0) + 1);
      counts.set(target.name, perTarget);
    }
    if ((i + 1) % 1000 === 0) console.log(`${i + 1} cases, ${((Date.now() - started) / 1000).toFixed(0)} s, ${failures.length} failure(s)`);
  }
  console.warn = warn;

  console.log(`\n${CASES} cases, seed ${SEED}, ${((Date.now() - started) / 1000).toFixed(1)} s; slowest ${slowest.ms.toFixed(0)} ms (${slowest.what})`);
  for (const [name, perTarget] of [...counts].sort()) {
    console.log(`  ${name}: ${[...perTarget].map(([o, n]) => `${n} ${o}`).join(", ")}`);
  }

  // The same process must still load and save.
  let after = 0;
  for (const target of targets) {
    if (target.outputs === undefined) continue;
    const model = await loadModel(writeTarget(target, path.join(work, "after", target.name)));
    if (!sameOutputs(await outputsOf(model, target.input!), target.outputs)) failures.push({ case: { target: target.name, file: "", mutation: { kind: "truncate", length: -1 } }, problem: "after the run: a clean reload differs" });
    for (const format of ["again.keras", "again.h5", "tfjs://again_tfjs"]) {
      const where = format.startsWith("tfjs://") ? `tfjs://${path.join(work, "after", target.name, format.slice(7))}` : path.join(work, "after", target.name, format);
      fs.mkdirSync(path.join(work, "after", target.name), { recursive: true });
      await model.save(where);
      const back = await loadModel(where);
      if (!sameOutputs(await outputsOf(back, target.input!), target.outputs)) failures.push({ case: { target: target.name, file: format, mutation: { kind: "truncate", length: -1 } }, problem: `after the run: ${format} round trip differs` });
      after++;
    }
  }
  console.log(`after the run: ${after} save + load round trips of the loadable targets`);
  fs.rmSync(work, { recursive: true, force: true });
  if (failures.length > 0) {
    console.log(`\n${failures.length} FAILURE(S); regression entries:`);
    for (const f of failures) console.log(JSON.stringify({ ...f.case, problem: f.problem }));
    process.exitCode = 1;
  } else {
    console.log("fuzz: 0 failures");
  }
}

await main();
