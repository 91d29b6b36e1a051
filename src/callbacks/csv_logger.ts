import { platform } from "../platform/platform.js";
import { Callback, type Logs } from "./callback.js";
import { pyFloatRepr } from "./callback_utils.js";

export interface CSVLoggerArgs {
  /** Field separator. Default ",". */
  separator?: string;
  /** Append to an existing file (no second header) instead of overwriting it. Default false. */
  append?: boolean;
}

/**
 * `keras.callbacks.CSVLogger`: streams epoch results to a CSV file, as Keras writes it with
 * Python's `csv` module (excel dialect): a header `epoch,<sorted log keys>`, then one row per epoch
 * with the 0-based epoch and each value as Python prints a float ("NA" when missing), lines ending
 * in "\r\n", fields holding the separator or a quote quoted.
 */
export class CSVLogger extends Callback {
  readonly filename: string;
  readonly sep: string;
  readonly append: boolean;
  keys: string[] | null = null;
  private appendHeader = true;
  private headerWritten = false;

  constructor(filename: string, args: CSVLoggerArgs = {}) {
    super();
    if (typeof filename !== "string") throw new TypeError(`CSVLogger: filename must be a string, got ${String(filename)}`);
    this.filename = filename;
    this.sep = args.separator ?? ",";
    this.append = args.append ?? false;
    if (this.sep.length !== 1) throw new TypeError(`CSVLogger: separator must be a 1-character string, got ${JSON.stringify(this.sep)}`);
  }

  override async onTrainBegin(): Promise<void> {
    if (this.append) {
      const existing = (await platform().fileInfo(this.filename)) === undefined ? undefined : new TextDecoder().decode(await platform().readFile(this.filename));
      if (existing !== undefined) this.appendHeader = existing.split("\n", 1)[0].length === 0;
    } else {
      // Keras opens the file for writing here, which empties it.
      await platform().writeText(this.filename, "", false);
    }
    this.keys = null;
    this.headerWritten = false;
  }

  private field(text: string): string {
    if (text.includes(this.sep) || text.includes('"') || text.includes("\r") || text.includes("\n")) return `"${text.replaceAll('"', '""')}"`;
    return text;
  }

  private row(fields: string[]): string {
    return fields.map((f) => this.field(f)).join(this.sep) + "\r\n";
  }

  override async onEpochEnd(epoch: number, logs: Logs = {}): Promise<void> {
    if (this.keys === null) {
      this.keys = Object.keys(logs).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      // Keep a column for validation metrics the model is expected to produce.
      const expected = (this.model as { metricsNames?: unknown } | undefined)?.metricsNames;
      if (Array.isArray(expected)) {
        for (const name of expected) if (typeof name === "string" && name.startsWith("val_") && !this.keys.includes(name)) this.keys.push(name);
      }
    }
    let text = "";
    if (!this.headerWritten) {
      if (this.appendHeader) text += this.row(["epoch", ...this.keys]);
      this.headerWritten = true;
    }
    const value = (key: string): string => {
      const v = logs[key];
      return v === undefined || v === null ? "NA" : pyFloatRepr(v);
    };
    text += this.row([String(epoch), ...this.keys.map(value)]);
    await platform().writeText(this.filename, text, true);
  }

  override onTrainEnd(): void {
    this.headerWritten = false;
  }
}
