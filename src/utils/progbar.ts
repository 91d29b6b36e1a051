import { textOutput } from "../platform/platform.js";

/** Where progress and summaries are written; tests pass their own. */
export interface OutputStream {
  write(text: string): void;
  isTTY?: boolean;
}

export interface ProgbarOptions {
  /** Total number of steps, or undefined when unknown. */
  target?: number;
  width?: number;
  /** 0 silent, 1 bar (redrawn in place on a TTY; one final line otherwise), 2 one line at the end. */
  verbose?: number;
  /** Minimum seconds between redraws. */
  interval?: number;
  unitName?: string;
  stream?: OutputStream;
  /** Names of values shown as given rather than averaged over the updates (all others are averaged). */
  statefulMetrics?: Iterable<string>;
  /** Names of values averaged over the updates (all others are shown as given). Give this or `statefulMetrics`, not both. */
  statelessMetrics?: Iterable<string>;
}

function formatStepTime(secondsPerUnit: number, unit: string): string {
  if (secondsPerUnit >= 1 || secondsPerUnit === 0) return ` ${secondsPerUnit.toFixed(0)}s/${unit}`;
  if (secondsPerUnit >= 1e-3) return ` ${(secondsPerUnit * 1e3).toFixed(0)}ms/${unit}`;
  return ` ${(secondsPerUnit * 1e6).toFixed(0)}us/${unit}`;
}

function formatEta(seconds: number): string {
  const s = Math.floor(seconds);
  if (seconds > 3600) return `${Math.floor(s / 3600)}:${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}:${String(s % 60).padStart(2, "0")}`;
  if (seconds > 60) return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
  return `${s}s`;
}

function formatValue(v: number): string {
  return Math.abs(v) > 1e-3 || v === 0 ? v.toFixed(4) : v.toExponential(4);
}

/**
 * Keras 3's progress bar: `469/469 ━━━━━━━━━━━━━━━━━━━━ 3s 6ms/step - accuracy: 0.9251 - loss: 0.2598`,
 * or `     12/Unknown 3s 20ms/step - loss: 0.2598` while the total is unknown. While running it shows
 * the ETA. By default the values shown mid-way are averaged over the updates, as Keras's Progbar
 * does (`statefulMetrics` / `statelessMetrics` choose which); the final line shows the values
 * passed with `finalize`.
 */
export class Progbar {
  /** The total number of steps, undefined while unknown (it may be set once known). */
  target?: number;
  private readonly width: number;
  private readonly verbose: number;
  private readonly interval: number;
  private readonly unitName: string;
  private readonly stream: OutputStream;
  private readonly dynamic: boolean;
  private readonly start = performance.now();
  private lastUpdate = 0;
  private seenSoFar = 0;
  private readonly values = new Map<string, [number, number]>();
  private previousWidth = 0;
  private timeAfterFirstStep?: number;
  private readonly statefulMetrics?: Set<string>;
  private readonly statelessMetrics?: Set<string>;

  constructor(options: ProgbarOptions = {}) {
    if (options.statefulMetrics !== undefined && options.statelessMetrics !== undefined) {
      throw new Error("Progbar: give only one of `statefulMetrics` (values shown as given) or `statelessMetrics` (values averaged)");
    }
    if (options.statefulMetrics !== undefined) this.statefulMetrics = new Set(options.statefulMetrics);
    else if (options.statelessMetrics !== undefined) this.statelessMetrics = new Set(options.statelessMetrics);
    this.target = options.target;
    this.width = options.width ?? 20;
    this.verbose = options.verbose ?? 1;
    this.interval = options.interval ?? 0.05;
    this.unitName = options.unitName ?? "step";
    this.stream = options.stream ?? textOutput();
    this.dynamic = this.stream.isTTY === true;
  }

  /** Reports progress at step `current` with the running values. */
  update(current: number, values: readonly (readonly [string, number])[] = [], finalize?: boolean): void {
    const done = finalize ?? (this.target !== undefined && current >= this.target);
    for (const [key, value] of values) {
      const stateless = this.statefulMetrics !== undefined ? !this.statefulMetrics.has(key) : this.statelessMetrics?.has(key) ?? true;
      if (done || !stateless) this.values.set(key, [value, 1]);
      else {
        const base = Math.max(current - this.seenSoFar, 1);
        const entry = this.values.get(key);
        if (entry === undefined) this.values.set(key, [value * base, base]);
        else {
          entry[0] += value * base;
          entry[1] += base;
        }
      }
    }
    this.seenSoFar = current;
    const now = performance.now();
    const elapsed = (now - this.start) / 1000;
    const perStep = this.stepDuration(current, now);
    if (this.verbose === 1) {
      if (!done && (!this.dynamic || (now - this.lastUpdate) / 1000 < this.interval)) return;
      let line = "";
      const colour = (code: string, text: string) => (this.dynamic ? `\x1b[${code}m${text}\x1b[0m` : text);
      if (this.target !== undefined && this.target > 0) {
        const digits = Math.floor(Math.log10(this.target)) + 1;
        line += `${colour("1", `${String(current).padStart(digits)}/${this.target}`)} `;
        const filled = Math.floor((this.width * Math.min(current, this.target)) / this.target);
        if (filled > 0) line += colour("32", "━".repeat(filled));
        line += colour("37", "━".repeat(this.width - filled));
      } else {
        line += `${String(current).padStart(7)}/Unknown`;
      }
      line += done || this.target === undefined || this.target <= 0
        ? ` ${colour("1", `${elapsed.toFixed(0)}s`)}`
        : ` ${colour("1", formatEta(perStep * (this.target - current)))}`;
      line += formatStepTime(perStep, this.unitName);
      line += this.formatValues();
      if (this.dynamic) {
        const padding = Math.max(0, this.previousWidth - line.length);
        this.stream.write(`\r${line}${" ".repeat(padding)}`);
        this.previousWidth = line.length;
        if (done) this.stream.write("\n");
      } else {
        this.stream.write(`${line}\n`);
      }
    } else if (this.verbose === 2 && done) {
      const digits = this.target === undefined || this.target <= 0 ? 1 : Math.floor(Math.log10(this.target)) + 1;
      const count = this.target === undefined || this.target <= 0 ? `${current}` : `${String(current).padStart(digits)}/${this.target}`;
      this.stream.write(`${count} - ${elapsed.toFixed(0)}s -${formatStepTime(perStep, this.unitName)}${this.formatValues()}\n`);
    }
    this.lastUpdate = now;
  }

  private formatValues(): string {
    let text = "";
    for (const [key, [total, count]] of this.values) text += ` - ${key}: ${formatValue(total / Math.max(1, count))}`;
    return text;
  }

  /** Seconds per step, leaving out the first step (which includes one-time setup), as Keras does. */
  private stepDuration(current: number, now: number): number {
    if (current === 0) return 0;
    if (current === 1 || this.timeAfterFirstStep === undefined) {
      if (current === 1) this.timeAfterFirstStep = now;
      return (now - this.start) / 1000 / current;
    }
    return (now - this.timeAfterFirstStep) / 1000 / (current - 1);
  }
}
