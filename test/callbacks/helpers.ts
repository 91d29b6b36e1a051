import type { TestContext } from "node:test";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Callback, Logs } from "../../src/callbacks/callback.js";
import { CallbackList } from "../../src/callbacks/callback_list.js";

/** A stand-in for a model: the fields callbacks use, with calls recorded. */
export interface FakeModel {
  stopTraining: boolean;
  optimizer: { learningRate: unknown; iterations?: number };
  weights: number[];
  metrics: { name: string; direction?: string }[];
  metricsNames: string[];
  getWeights(): number[];
  setWeights(values: number[]): void;
  setWeightsCalls: number[][];
  saved: { method: "save" | "saveWeights"; path: string; options: unknown }[];
  save(path: string, options?: unknown): Promise<void>;
  saveWeights(path: string, options?: unknown): Promise<void>;
}

export function fakeModel(learningRate: unknown = 0.1): FakeModel {
  const model: FakeModel = {
    stopTraining: false,
    optimizer: { learningRate, iterations: 0 },
    weights: [-1, -1],
    metrics: [],
    metricsNames: [],
    getWeights() {
      return [...this.weights];
    },
    setWeights(values) {
      this.setWeightsCalls.push([...values]);
      this.weights = [...values];
    },
    setWeightsCalls: [],
    saved: [],
    async save(path, options) {
      await new Promise((resolve) => setImmediate(resolve));
      this.saved.push({ method: "save", path, options });
    },
    async saveWeights(path, options) {
      await new Promise((resolve) => setImmediate(resolve));
      this.saved.push({ method: "saveWeights", path, options });
    },
  };
  return model;
}

/**
 * Drives callbacks as `fit` does, through the real CallbackList: each epoch "trains" (sets the
 * weights to [10 * epoch, 10 * epoch + 1]) then ends with a copy of its logs; stops when
 * `model.stopTraining` is set. Returns the number of epochs that ran.
 */
export async function simulateFit(callbacks: Callback[], model: FakeModel, epochLogs: Logs[], stepsPerEpoch = 0, batchLogs: (epoch: number, step: number) => Logs = () => ({ loss: 1 })): Promise<number> {
  const list = new CallbackList(callbacks, model as never, { epochs: epochLogs.length, steps: stepsPerEpoch, verbose: 0 });
  model.stopTraining = false;
  await list.call("onTrainBegin", {});
  let ran = 0;
  for (let epoch = 0; epoch < epochLogs.length; epoch++) {
    await list.call("onEpochBegin", epoch, {});
    for (let step = 0; step < stepsPerEpoch; step++) {
      await list.call("onTrainBatchBegin", step, {});
      await list.call("onTrainBatchEnd", step, batchLogs(epoch, step));
      if (model.stopTraining) break;
    }
    model.weights = [10 * epoch, 10 * epoch + 1];
    ran += 1;
    await list.call("onEpochEnd", epoch, { ...epochLogs[epoch] });
    if (model.stopTraining) break;
  }
  await list.call("onTrainEnd", {});
  return ran;
}

/** Captures console.log (Keras's print_msg) and console.warn (warnings) for one test. */
export function captureOutput(t: TestContext): { printed: () => string[]; warned: () => string[] } {
  const log = t.mock.method(console, "log", () => {});
  const warn = t.mock.method(console, "warn", () => {});
  return {
    printed: () => log.mock.calls.map((c) => String(c.arguments[0])),
    warned: () => warn.mock.calls.map((c) => String(c.arguments[0])),
  };
}

export async function tempDir(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "keras-ts-callbacks-"));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

export const losses = (...values: number[]): Logs[] => values.map((v) => ({ loss: v, val_loss: v }));
