import { Callback, type Logs } from "./callback.js";

/** Records each epoch's logs: `history.history.loss[epoch]`. `fit` returns it. */
export class History extends Callback {
  epoch: number[] = [];
  history: Record<string, number[]> = {};

  override onTrainBegin(): void {
    this.epoch = [];
  }

  override onEpochEnd(epoch: number, logs: Logs = {}): void {
    this.epoch.push(epoch);
    for (const [key, value] of Object.entries(logs)) (this.history[key] ??= []).push(value);
    if (this.model !== undefined) this.model.history = this;
  }
}
