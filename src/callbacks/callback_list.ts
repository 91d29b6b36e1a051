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

  /**
   * Whether any callback implements `hook` (overrides Callback's no-op). The training loops skip
   * a batch hook nobody implements, and the per-batch logs it would be given.
   */
  implements(hook: Hook): boolean {
    let known = this.implemented.get(hook);
    if (known === undefined) {
      known = this.callbacks.some((c) => c[hook] !== Callback.prototype[hook]);
      this.implemented.set(hook, known);
    }
    return known;
  }

  private readonly implemented = new Map<Hook, boolean>();

  async call(hook: Hook, ...args: [number, Logs?] | [Logs?]): Promise<void> {
    for (const c of this.callbacks) {
      const result = (c[hook] as (...a: unknown[]) => void | Promise<void>).apply(c, args);
      if (result instanceof Promise) await result;
    }
  }
}
