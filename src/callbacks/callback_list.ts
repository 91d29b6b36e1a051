import type { Model } from "../models/model.js";
import { Callback, type Logs, type TrainingParams } from "./callback.js";

type Hook = Exclude<keyof Callback, "model" | "params" | "setModel" | "setParams">;

/** Calls every callback's hook in order, awaiting each. */
export class CallbackList {
  readonly callbacks: Callback[];

  constructor(callbacks: readonly Callback[], model: Model, params: TrainingParams) {
    for (const c of callbacks) {
      if (!(c instanceof Callback)) throw new TypeError(`callbacks: expected keras.callbacks.Callback instances, got ${String(c)}`);
    }
    this.callbacks = [...callbacks];
    for (const c of this.callbacks) {
      c.setModel(model);
      c.setParams(params);
    }
  }

  async call(hook: Hook, ...args: [number, Logs?] | [Logs?]): Promise<void> {
    for (const c of this.callbacks) {
      const result = (c[hook] as (...a: unknown[]) => void | Promise<void>).apply(c, args);
      if (result instanceof Promise) await result;
    }
  }
}
