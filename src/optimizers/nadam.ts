import type { Tensor } from "../backend/tensor.js";
import { Variable } from "../backend/variable.js";
import * as ops from "../ops/index.js";
import { Optimizer, optimizerArgsFromConfig, type OptimizerArgs } from "./optimizer.js";

export interface NadamArgs extends OptimizerArgs {
  /** Default 0.9. */
  beta1?: number;
  /** Default 0.999. */
  beta2?: number;
  /** Default 1e-7. */
  epsilon?: number;
}

/**
 * Nadam (Adam with Nesterov momentum), Keras 3's `Nadam` (keras/src/optimizers/nadam.py).
 * Defaults: learningRate 0.001, beta1 0.9, beta2 0.999, epsilon 1e-7, name "nadam".
 *
 * Keras 3's momentum cache is `u_t = beta1 * (1 - 0.5 * 0.96^t)` (no 0.004 schedule decay, unlike
 * tf.keras 2's Nadam), with `uProduct` the running product of the u_t:
 *
 *   t = iterations + 1
 *   uProduct = uProduct * u_t                      (once per step, before the variable updates)
 *   m = m + (g - m) * (1 - beta1)
 *   v = v + (g^2 - v) * (1 - beta2)
 *   mHat = u_{t+1} * m / (1 - uProduct * u_{t+1}) + (1 - u_t) * g / (1 - uProduct)
 *   vHat = v / (1 - beta2^t)
 *   w = w - lr * mHat / (sqrt(vHat) + epsilon)
 *
 * State (`variables`): `momentum` and `velocity` interleaved per variable (m0, v0, m1, v1, ...),
 * then the scalar `u_product` (initially 1), as Keras 3 tracks them.
 */
export class Nadam extends Optimizer {
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  private momentums: Variable[] = [];
  private velocities: Variable[] = [];
  private uProduct: Variable | undefined;
  /** Per-step scalars shared by every variable's update (set in beforeUpdateSteps). */
  private momentumScale: Tensor | undefined;
  private gradientScale: Tensor | undefined;
  private epsilonScaled = 0;

  constructor(args: NadamArgs = {}) {
    super(args, "nadam", 0.001);
    this.beta1 = args.beta1 ?? 0.9;
    this.beta2 = args.beta2 ?? 0.999;
    this.epsilon = args.epsilon ?? 1e-7;
  }

  className(): string {
    return "Nadam";
  }

  protected override buildSlots(variables: readonly Variable[]): void {
    [this.momentums, this.velocities] = this.addOptimizerVariables(variables, ["momentum", "velocity"]);
    const dtype = variables.length > 0 ? variables[0].dtype : "float32";
    this.uProduct = this.addStateVariable(new Variable(ops.convertToTensor(1.0, dtype), { name: "u_product", trainable: false }));
  }

  private momentumCache(step: number): number {
    return this.beta1 * (1 - 0.5 * Math.pow(0.96, step));
  }

  protected override beforeUpdateSteps(lr: number): void {
    const t = this.iterations + 1;
    const uT = this.momentumCache(t);
    const uNext = this.momentumCache(t + 1);
    const uProduct = this.uProduct!.assign(ops.multiply(this.uProduct!.value, uT));
    // lr * mHat / (sqrt(v / c) + eps) == (lr * sqrt(c) * mHat) / (sqrt(v) + eps * sqrt(c)),
    // c = 1 - beta2^t; lr * sqrt(c) is folded into the two mHat coefficients.
    const sqrtC = Math.sqrt(1 - Math.pow(this.beta2, t));
    const scale = lr * sqrtC;
    this.momentumScale = ops.divide(uNext * scale, ops.subtract(1, ops.multiply(uProduct, uNext)));
    this.gradientScale = ops.divide((1 - uT) * scale, ops.subtract(1, uProduct));
    this.epsilonScaled = this.epsilon * sqrtC;
  }

  protected updateStep(gradient: Tensor, variable: Variable, _lr: number, index: number): void {
    const momentum = this.momentums[index];
    const velocity = this.velocities[index];
    const m = momentum.assign(ops.add(momentum.value, ops.multiply(ops.subtract(gradient, momentum.value), 1 - this.beta1)));
    const v = velocity.assign(ops.add(velocity.value, ops.multiply(ops.subtract(ops.square(gradient), velocity.value), 1 - this.beta2)));
    const step = ops.add(ops.multiply(m, this.momentumScale!), ops.multiply(gradient, this.gradientScale!));
    variable.assign(ops.subtract(variable.value, ops.divide(step, ops.add(ops.sqrt(v), this.epsilonScaled))));
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), beta_1: this.beta1, beta_2: this.beta2, epsilon: this.epsilon };
  }

  static fromConfig(config: Record<string, unknown>): Nadam {
    return new Nadam(optimizerArgsFromConfig(config, "Nadam", { beta_1: "beta1", beta_2: "beta2", epsilon: "epsilon" }) as NadamArgs);
  }
}
