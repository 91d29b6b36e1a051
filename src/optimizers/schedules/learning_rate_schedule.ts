/**
 * `keras.optimizers.schedules`: learning rates that depend on the optimizer step, with Keras 3's
 * formulas (keras/src/optimizers/schedules/learning_rate_schedule.py). An optimizer evaluates its
 * schedule at `optimizer.iterations` (0 on the first step). Configs use Keras's snake_case keys.
 */
export abstract class LearningRateSchedule {
  /** The learning rate at `step`. */
  abstract call(step: number): number;
  abstract getConfig(): Record<string, unknown>;
  abstract className(): string;
}

function checkPositive(value: number, what: string, className: string): void {
  if (!(value > 0)) throw new Error(`${className}: argument \`${what}\` must be > 0. Received: ${what}=${value}`);
}

function configValue<T>(config: Record<string, unknown>, key: string, className: string): T {
  if (!(key in config)) throw new Error(`${className}.fromConfig: missing '${key}'`);
  return config[key] as T;
}

/** `initialLearningRate * decayRate ^ (step / decaySteps)`; the exponent is floored when `staircase`. */
export class ExponentialDecay extends LearningRateSchedule {
  constructor(
    readonly initialLearningRate: number,
    readonly decaySteps: number,
    readonly decayRate: number,
    readonly staircase = false,
    readonly name = "ExponentialDecay",
  ) {
    super();
    checkPositive(decaySteps, "decay_steps", "ExponentialDecay");
  }

  call(step: number): number {
    let p = step / this.decaySteps;
    if (this.staircase) p = Math.floor(p);
    return this.initialLearningRate * Math.pow(this.decayRate, p);
  }

  className(): string {
    return "ExponentialDecay";
  }

  getConfig(): Record<string, unknown> {
    return {
      initial_learning_rate: this.initialLearningRate,
      decay_steps: this.decaySteps,
      decay_rate: this.decayRate,
      staircase: this.staircase,
      name: this.name,
    };
  }

  static fromConfig(config: Record<string, unknown>): ExponentialDecay {
    const c = "ExponentialDecay";
    return new ExponentialDecay(
      configValue(config, "initial_learning_rate", c),
      configValue(config, "decay_steps", c),
      configValue(config, "decay_rate", c),
      (config.staircase as boolean | undefined) ?? false,
      (config.name as string | undefined) ?? c,
    );
  }
}

/**
 * `values[0]` while `step <= boundaries[0]`, `values[i]` while
 * `boundaries[i-1] < step <= boundaries[i]`, and `values[values.length - 1]` after the last boundary.
 */
export class PiecewiseConstantDecay extends LearningRateSchedule {
  readonly boundaries: readonly number[];
  readonly values: readonly number[];

  constructor(boundaries: readonly number[], values: readonly number[], readonly name = "PiecewiseConstant") {
    super();
    if (boundaries.length !== values.length - 1) {
      throw new Error(
        "PiecewiseConstantDecay: the length of boundaries should be 1 less than the length of values. " +
          `Received: boundaries=[${boundaries.join(", ")}] of length ${boundaries.length}, and values=[${values.join(", ")}] of length ${values.length}.`,
      );
    }
    this.boundaries = [...boundaries];
    this.values = [...values];
  }

  call(step: number): number {
    for (let i = 0; i < this.boundaries.length; i++) {
      if (step <= this.boundaries[i]) return this.values[i];
    }
    return this.values[this.values.length - 1];
  }

  className(): string {
    return "PiecewiseConstantDecay";
  }

  getConfig(): Record<string, unknown> {
    return { boundaries: [...this.boundaries], values: [...this.values], name: this.name };
  }

  static fromConfig(config: Record<string, unknown>): PiecewiseConstantDecay {
    const c = "PiecewiseConstantDecay";
    return new PiecewiseConstantDecay(
      configValue(config, "boundaries", c),
      configValue(config, "values", c),
      (config.name as string | undefined) ?? "PiecewiseConstant",
    );
  }
}

/**
 * `(initial - end) * (1 - step / decaySteps) ^ power + end`, with `step` capped at `decaySteps`;
 * with `cycle`, `decaySteps` is instead stretched to the first multiple above `step`.
 */
export class PolynomialDecay extends LearningRateSchedule {
  constructor(
    readonly initialLearningRate: number,
    readonly decaySteps: number,
    readonly endLearningRate = 0.0001,
    readonly power = 1.0,
    readonly cycle = false,
    readonly name = "PolynomialDecay",
  ) {
    super();
    checkPositive(decaySteps, "decay_steps", "PolynomialDecay");
  }

  call(step: number): number {
    let decaySteps = this.decaySteps;
    if (this.cycle) {
      decaySteps *= step === 0 ? 1 : Math.ceil(step / this.decaySteps);
    } else {
      step = Math.min(step, decaySteps);
    }
    const p = step / decaySteps;
    return (this.initialLearningRate - this.endLearningRate) * Math.pow(1 - p, this.power) + this.endLearningRate;
  }

  className(): string {
    return "PolynomialDecay";
  }

  getConfig(): Record<string, unknown> {
    return {
      initial_learning_rate: this.initialLearningRate,
      decay_steps: this.decaySteps,
      end_learning_rate: this.endLearningRate,
      power: this.power,
      cycle: this.cycle,
      name: this.name,
    };
  }

  static fromConfig(config: Record<string, unknown>): PolynomialDecay {
    const c = "PolynomialDecay";
    return new PolynomialDecay(
      configValue(config, "initial_learning_rate", c),
      configValue(config, "decay_steps", c),
      (config.end_learning_rate as number | undefined) ?? 0.0001,
      (config.power as number | undefined) ?? 1.0,
      (config.cycle as boolean | undefined) ?? false,
      (config.name as string | undefined) ?? c,
    );
  }
}

/** `initialLearningRate / (1 + decayRate * step / decaySteps)`; the ratio is floored when `staircase`. */
export class InverseTimeDecay extends LearningRateSchedule {
  constructor(
    readonly initialLearningRate: number,
    readonly decaySteps: number,
    readonly decayRate: number,
    readonly staircase = false,
    readonly name = "InverseTimeDecay",
  ) {
    super();
    checkPositive(decaySteps, "decay_steps", "InverseTimeDecay");
  }

  call(step: number): number {
    let p = step / this.decaySteps;
    if (this.staircase) p = Math.floor(p);
    return this.initialLearningRate / (1 + this.decayRate * p);
  }

  className(): string {
    return "InverseTimeDecay";
  }

  getConfig(): Record<string, unknown> {
    return {
      initial_learning_rate: this.initialLearningRate,
      decay_steps: this.decaySteps,
      decay_rate: this.decayRate,
      staircase: this.staircase,
      name: this.name,
    };
  }

  static fromConfig(config: Record<string, unknown>): InverseTimeDecay {
    const c = "InverseTimeDecay";
    return new InverseTimeDecay(
      configValue(config, "initial_learning_rate", c),
      configValue(config, "decay_steps", c),
      configValue(config, "decay_rate", c),
      (config.staircase as boolean | undefined) ?? false,
      (config.name as string | undefined) ?? c,
    );
  }
}

/**
 * Cosine decay with an optional linear warmup (Keras 3's `CosineDecay`).
 *
 * Without `warmupTarget`: `initial * ((1 - alpha) * 0.5 * (1 + cos(pi * s / decaySteps)) + alpha)`
 * with `s = min(step, decaySteps)`.
 *
 * With `warmupTarget`: `s = min(step, warmupSteps + decaySteps)`; while `s < warmupSteps` the rate
 * goes linearly `initial + (warmupTarget - initial) * s / warmupSteps`, then it decays as above from
 * `warmupTarget` over `s - warmupSteps`.
 */
export class CosineDecay extends LearningRateSchedule {
  constructor(
    readonly initialLearningRate: number,
    readonly decaySteps: number,
    readonly alpha = 0.0,
    readonly warmupTarget: number | null = null,
    readonly warmupSteps = 0,
    readonly name = "CosineDecay",
  ) {
    super();
    checkPositive(decaySteps, "decay_steps", "CosineDecay");
  }

  private decay(step: number, from: number): number {
    const cosineDecayed = 0.5 * (1 + Math.cos(Math.PI * (step / this.decaySteps)));
    return from * ((1 - this.alpha) * cosineDecayed + this.alpha);
  }

  call(step: number): number {
    if (this.warmupTarget === null) return this.decay(Math.min(step, this.decaySteps), this.initialLearningRate);
    const s = Math.min(step, this.decaySteps + this.warmupSteps);
    if (s < this.warmupSteps) {
      return (this.warmupTarget - this.initialLearningRate) * (s / this.warmupSteps) + this.initialLearningRate;
    }
    return this.decay(s - this.warmupSteps, this.warmupTarget);
  }

  className(): string {
    return "CosineDecay";
  }

  getConfig(): Record<string, unknown> {
    return {
      initial_learning_rate: this.initialLearningRate,
      decay_steps: this.decaySteps,
      alpha: this.alpha,
      name: this.name,
      warmup_target: this.warmupTarget,
      warmup_steps: this.warmupSteps,
    };
  }

  static fromConfig(config: Record<string, unknown>): CosineDecay {
    const c = "CosineDecay";
    return new CosineDecay(
      configValue(config, "initial_learning_rate", c),
      configValue(config, "decay_steps", c),
      (config.alpha as number | undefined) ?? 0.0,
      (config.warmup_target as number | null | undefined) ?? null,
      (config.warmup_steps as number | undefined) ?? 0,
      (config.name as string | undefined) ?? c,
    );
  }
}
