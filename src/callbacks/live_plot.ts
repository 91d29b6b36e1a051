import { platform } from "../platform/platform.js";
import { plotHistory, type PlotHistoryOptions } from "../utils/plot_history.js";
import type { SvgTarget } from "../utils/page_output.js";
import { Callback, type Logs } from "./callback.js";

export interface LivePlotArgs extends Omit<PlotHistoryOptions, "toFile" | "element"> {
  /** The page element to draw in (its content becomes the picture), or a `<canvas>` to paint. */
  element: SvgTarget;
}

/**
 * `plotHistory`, redrawn after every epoch of `fit` in a web page element: the curves grow as the
 * model trains. The page gets a turn after each redraw, so it shows.
 *
 *   await model.fit(x, y, { epochs: 10, callbacks: [new keras.callbacks.LivePlot({ element: div })] });
 */
export class LivePlot extends Callback {
  private readonly options: LivePlotArgs;
  private logs: Record<string, number[]> = {};
  private epochs: number[] = [];

  constructor(args: LivePlotArgs) {
    super();
    if (args === null || typeof args !== "object" || args.element === undefined || args.element === null) {
      throw new TypeError("LivePlot: give the element to draw in: new LivePlot({ element })");
    }
    this.options = { ...args };
  }

  override onTrainBegin(): void {
    this.logs = {};
    this.epochs = [];
  }

  override async onEpochEnd(epoch: number, logs: Logs = {}): Promise<void> {
    this.epochs.push(epoch);
    for (const [key, value] of Object.entries(logs)) {
      if (typeof value !== "number") continue;
      (this.logs[key] ??= []).push(value);
    }
    // The same shape as History, so the x axis counts the epochs fit counted (initialEpoch too).
    await plotHistory({ history: this.logs, epoch: this.epochs } as unknown as Parameters<typeof plotHistory>[0], this.options);
    await platform().nextTask();
  }
}
