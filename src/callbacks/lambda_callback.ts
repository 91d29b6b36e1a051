import { Callback, type Logs } from "./callback.js";

type EpochFn = (epoch: number, logs?: Logs) => unknown;
type BatchFn = (batch: number, logs?: Logs) => unknown;
type LogsFn = (logs?: Logs) => unknown;

/** Any hook of `Callback`; a function may return a promise, which training awaits. */
export interface LambdaCallbackArgs {
  onEpochBegin?: EpochFn;
  onEpochEnd?: EpochFn;
  onTrainBegin?: LogsFn;
  onTrainEnd?: LogsFn;
  onTrainBatchBegin?: BatchFn;
  onTrainBatchEnd?: BatchFn;
  onTestBegin?: LogsFn;
  onTestEnd?: LogsFn;
  onTestBatchBegin?: BatchFn;
  onTestBatchEnd?: BatchFn;
  onPredictBegin?: LogsFn;
  onPredictEnd?: LogsFn;
  onPredictBatchBegin?: BatchFn;
  onPredictBatchEnd?: BatchFn;
}

const HOOKS = [
  "onEpochBegin",
  "onEpochEnd",
  "onTrainBegin",
  "onTrainEnd",
  "onTrainBatchBegin",
  "onTrainBatchEnd",
  "onTestBegin",
  "onTestEnd",
  "onTestBatchBegin",
  "onTestBatchEnd",
  "onPredictBegin",
  "onPredictEnd",
  "onPredictBatchBegin",
  "onPredictBatchEnd",
] as const;

/** Passes a promise through (so training awaits it); drops any other return value. */
function asHookResult(value: unknown): void | Promise<void> {
  if (value !== null && typeof value === "object" && typeof (value as { then?: unknown }).then === "function") {
    return Promise.resolve(value).then(() => undefined);
  }
  return undefined;
}

/**
 * `keras.callbacks.LambdaCallback`: a callback built from functions, e.g.
 * `new LambdaCallback({ onEpochEnd: (epoch, logs) => console.log(epoch, logs?.loss) })`.
 * Epoch hooks get `(epoch, logs)`, batch hooks `(batch, logs)`, begin/end hooks `(logs)`.
 */
export class LambdaCallback extends Callback {
  constructor(args: LambdaCallbackArgs = {}) {
    super();
    const known = new Set<string>(HOOKS);
    for (const key of Object.keys(args)) {
      if (!known.has(key)) throw new TypeError(`LambdaCallback: unknown hook '${key}'; expected one of ${HOOKS.join(", ")}`);
    }
    for (const hook of HOOKS) {
      const fn = args[hook] as ((...a: unknown[]) => unknown) | undefined;
      if (fn === undefined) continue;
      if (typeof fn !== "function") throw new TypeError(`LambdaCallback: ${hook} must be a function, got ${String(fn)}`);
      (this as unknown as Record<string, (...a: unknown[]) => void | Promise<void>>)[hook] = (...a: unknown[]) => asHookResult(fn(...a));
    }
  }
}
