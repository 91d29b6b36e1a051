/** optimizers.get / serialize / deserialize, getConfig (Keras's snake_case) and fromConfig round trips. */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as optimizers from "../../src/optimizers/index.js";
import { Adadelta, Adagrad, Adam, Adamax, AdamW, Nadam, RMSprop, SGD, schedules, type Optimizer } from "../../src/optimizers/index.js";
import { runSteps, GRADS, INITS } from "./helpers.js";

const BASE_DEFAULTS = {
  weight_decay: null,
  clipnorm: null,
  global_clipnorm: null,
  clipvalue: null,
  use_ema: false,
  ema_momentum: 0.99,
  ema_overwrite_frequency: null,
  loss_scale_factor: null,
  gradient_accumulation_steps: null,
};

test("get: every Keras name, case-insensitive, gives the default optimizer", () => {
  const cases: [string, new () => Optimizer][] = [
    ["adam", Adam], ["Adam", Adam], ["ADAM", Adam],
    ["sgd", SGD], ["SGD", SGD],
    ["rmsprop", RMSprop], ["RMSprop", RMSprop], ["RMSProp", RMSprop],
    ["adamw", AdamW], ["AdamW", AdamW],
    ["adagrad", Adagrad], ["adadelta", Adadelta], ["adamax", Adamax], ["nadam", Nadam],
  ];
  for (const [name, cls] of cases) {
    const opt = optimizers.get(name);
    assert.ok(opt instanceof cls, `${name} -> ${cls.name}`);
    // Default settings (Adagrad is auto-named, so names are left out).
    assert.deepEqual({ ...opt.getConfig(), name: null }, { ...new cls().getConfig(), name: null });
  }
  assert.ok(!(optimizers.get("adam") instanceof AdamW));
});

test("get: an instance is returned as is; null gives null; a config is deserialized", () => {
  const opt = new Adam();
  assert.equal(optimizers.get(opt), opt);
  assert.equal(optimizers.get(null), null);
  const fromConfig = optimizers.get({ class_name: "SGD", config: { learning_rate: 0.5, momentum: 0.9, nesterov: true } });
  assert.ok(fromConfig instanceof SGD);
  assert.equal(fromConfig.learningRate, 0.5);
  assert.equal(fromConfig.momentum, 0.9);
  assert.equal(fromConfig.nesterov, true);
  assert.ok(optimizers.get({ class_name: "rmsprop", config: {} }) instanceof RMSprop);
});

test("get: unknown names are errors listing the known optimizers", () => {
  assert.throws(
    () => optimizers.get("adamm"),
    /Unknown optimizer: 'adamm'\. Known optimizers: Adadelta, Adagrad, Adam, AdamW, Adamax, Nadam, RMSprop, SGD/,
  );
  assert.throws(() => optimizers.get({ class_name: "Lion", config: {} }), /Unknown optimizer: 'Lion'/);
  assert.throws(() => optimizers.get(42 as unknown as string), /Could not interpret optimizer identifier/);
});

test("defaults and getConfig match Keras 3 for every optimizer", () => {
  const lr = Math.fround(0.001);
  assert.deepEqual(new SGD().getConfig(), { name: "SGD", learning_rate: Math.fround(0.01), ...BASE_DEFAULTS, momentum: 0, nesterov: false });
  assert.deepEqual(new RMSprop().getConfig(), { name: "rmsprop", learning_rate: lr, ...BASE_DEFAULTS, rho: 0.9, momentum: 0, epsilon: 1e-7, centered: false });
  assert.deepEqual(new AdamW().getConfig(), {
    name: "adamw", learning_rate: lr, ...BASE_DEFAULTS, weight_decay: 0.004, beta_1: 0.9, beta_2: 0.999, epsilon: 1e-7, amsgrad: false,
  });
  const adagrad = new Adagrad().getConfig();
  assert.match(adagrad.name as string, /^adagrad(_\d+)?$/, "auto-named, as Keras's name=None");
  assert.deepEqual({ ...adagrad, name: "x" }, { name: "x", learning_rate: lr, ...BASE_DEFAULTS, initial_accumulator_value: 0.1, epsilon: 1e-7 });
  assert.deepEqual(new Adadelta().getConfig(), { name: "adadelta", learning_rate: lr, ...BASE_DEFAULTS, rho: 0.95, epsilon: 1e-7 });
  assert.deepEqual(new Adamax().getConfig(), { name: "adamax", learning_rate: lr, ...BASE_DEFAULTS, beta_1: 0.9, beta_2: 0.999, epsilon: 1e-7 });
  assert.deepEqual(new Nadam().getConfig(), { name: "nadam", learning_rate: lr, ...BASE_DEFAULTS, beta_1: 0.9, beta_2: 0.999, epsilon: 1e-7 });
});

test("Adam's config equals the one Keras 3.8 wrote in keras3_mnist_mlp.keras", () => {
  const keras38 = {
    module: "keras.optimizers",
    class_name: "Adam",
    config: {
      name: "adam", learning_rate: 0.0010000000474974513, weight_decay: null, clipnorm: null, global_clipnorm: null,
      clipvalue: null, use_ema: false, ema_momentum: 0.99, ema_overwrite_frequency: null, loss_scale_factor: null,
      gradient_accumulation_steps: null, beta_1: 0.9, beta_2: 0.999, epsilon: 1e-07, amsgrad: false,
    },
    registered_name: null,
  };
  assert.deepEqual(optimizers.serialize(new Adam()), keras38);
  // And Keras's config loads back.
  const back = optimizers.get(keras38) as Adam;
  assert.ok(back instanceof Adam);
  assert.equal(back.learningRate, 0.0010000000474974513);
  assert.equal(back.epsilon, 1e-7);
});

test("getConfig -> fromConfig round trip (through JSON) for every optimizer, non-default settings", () => {
  const list: Optimizer[] = [
    new SGD({ learningRate: 0.5, momentum: 0.06, nesterov: true, weightDecay: 0.004, name: "my_sgd" }),
    new RMSprop({ learningRate: 0.5, rho: 0.8, momentum: 0.05, epsilon: 1e-6, centered: true, clipnorm: 2 }),
    new Adam({ learningRate: 0.5, beta1: 0.5, beta2: 0.67, epsilon: 1e-5, amsgrad: true, clipvalue: 3 }),
    new AdamW({ learningRate: 0.5, weightDecay: 0.008, beta1: 0.5, beta2: 0.67, epsilon: 1e-5, amsgrad: true }),
    new Adagrad({ learningRate: 0.5, initialAccumulatorValue: 0.2, epsilon: 1e-5, globalClipnorm: 1 }),
    new Adadelta({ learningRate: 0.5, rho: 0.9, epsilon: 1e-5 }),
    new Adamax({ learningRate: 0.5, beta1: 0.8, beta2: 0.95, epsilon: 1e-5 }),
    new Nadam({ learningRate: 0.5, beta1: 0.5, beta2: 0.67, epsilon: 1e-5 }),
    new SGD({ learningRate: new schedules.CosineDecay(0.1, 100, 0.0, 0.5, 10) }),
  ];
  for (const opt of list) {
    const ser = JSON.parse(JSON.stringify(optimizers.serialize(opt)));
    assert.equal(ser.module, "keras.optimizers");
    assert.equal(ser.class_name, opt.className());
    const back = optimizers.deserialize(ser);
    assert.equal(back.constructor, opt.constructor);
    assert.deepEqual(back.getConfig(), ser.config, opt.className());
    // The rebuilt optimizer takes the same steps.
    assert.deepEqual(runSteps(back, INITS, GRADS).history, runSteps(optimizers.deserialize(ser), INITS, GRADS).history);
  }
  const scheduled = optimizers.deserialize(JSON.parse(JSON.stringify(optimizers.serialize(list[8]))));
  assert.ok(scheduled.learningRate instanceof schedules.CosineDecay);
  assert.equal(scheduled.currentLearningRate, 0.1, "warmup starts at initialLearningRate");
});

test("static fromConfig on each class; unsupported or unknown keys are errors", () => {
  const sgd = SGD.fromConfig({ learning_rate: 0.1, momentum: 0.5 });
  assert.equal(sgd.momentum, 0.5);
  assert.equal(Nadam.fromConfig({ beta_1: 0.8 }).beta1, 0.8);
  assert.equal(Adagrad.fromConfig({ initial_accumulator_value: 0.3 }).initialAccumulatorValue, 0.3);
  assert.equal(AdamW.fromConfig({}).weightDecay, 0.004);
  assert.throws(() => AdamW.fromConfig({ weight_decay: null }), /`weightDecay` must be a float/);
  assert.throws(() => Adam.fromConfig({ bogus: 1 }), /Adam.fromConfig: argument\(s\) not recognized: bogus/);
  assert.throws(() => Adam.fromConfig({ use_ema: true }), /use_ema=true is not supported/);
  assert.throws(() => Adam.fromConfig({ gradient_accumulation_steps: 4 }), /gradient_accumulation_steps=4 is not supported/);
  // tf.keras 2.x keys are tolerated (Keras 3 ignores `decay` too).
  assert.equal(Adam.fromConfig({ learning_rate: 0.01, decay: 0.0, jit_compile: true, is_legacy_optimizer: false }).learningRate, 0.01);
});
