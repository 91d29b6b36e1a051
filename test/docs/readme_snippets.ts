/**
 * The README's TypeScript snippets, as a user writes them, each in a function: `npm test`
 * type-checks this file, readme_snippets.test.ts keeps it equal to the README, the readme_*.test.ts
 * files run the snippets that need no downloads (the custom training loop, Customizing fit), and
 * `npm run test:package` type-checks it again against the packed package. Nothing here may cast: a snippet that needs a
 * cast to compile is a typing defect. The examples in examples/ are type-checked the same way.
 */
import * as keras from "keras-ts";

// ## Install
export async function install(): Promise<void> {
  console.log(`backend: ${keras.backend.backend()}`); // "native", or "wasm" when the addon is not built

  const [[xTrain, yTrain], [xTest, yTest]] = await keras.datasets.mnist.loadData();
  const model = new keras.Sequential([
    keras.Input({ shape: [28, 28] }),
    new keras.layers.Rescaling(1 / 255),
    new keras.layers.Flatten(),
    new keras.layers.Dense(128, { activation: "relu" }),
    new keras.layers.Dense(10, { activation: "softmax" }),
  ]);
  model.compile({ optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"] });
  await model.fit(xTrain, yTrain, { epochs: 1, batchSize: 32 });
  const { accuracy } = await model.evaluate(xTest, yTest, { returnDict: true });
  const probs = await model.predict(xTest, { verbose: 0 }); // a Tensor of shape [10000, 10]
  console.log(`test accuracy ${accuracy.toFixed(4)}, predictions ${probs.shape}`);
}

// ## Quick start, then ## Pictures (which draws the Quick start's data, history and model)
export async function quickStart(): Promise<void> {
  let [[xTrain, yTrain], [xTest, yTest]] = await keras.datasets.mnist.loadData();
  xTrain = keras.utils.normalize(xTrain, 1);
  xTest = keras.utils.normalize(xTest, 1);

  const model = new keras.Sequential();
  model.add(new keras.layers.Flatten());
  model.add(new keras.layers.Dense(128, { activation: keras.activations.relu }));
  model.add(new keras.layers.Dense(10, { activation: "softmax" }));
  model.compile({ optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"] });
  const history = await model.fit(xTrain, yTrain, { epochs: 3, batchSize: 32, validationData: [xTest, yTest] });
  const { loss, accuracy } = await model.evaluate(xTest, yTest, { returnDict: true });
  const probs = await model.predict(xTest);
  await model.save("first_model.keras");
  const again = await keras.models.loadModel("first_model.keras");

  keras.utils.imshow(keras.ops.take(xTrain, 0, 0));               // the first digit, in the terminal
  await keras.utils.saveImg("first_digit.png", keras.ops.take(xTrain, 0, 0));
  await keras.utils.saveImageGrid("test_predictions.png", keras.ops.slice(xTest, [0, 0, 0], [32, 28, 28]), {
    labels: yTest, predictions: probs,                             // wrong predictions framed in red
  });
  await keras.utils.plotHistory(history, { toFile: "history.png" }); // loss and metrics per epoch, train vs validation
  await keras.utils.plotModel(model, { toFile: "model.png", showShapes: true });

  // What the snippets' values are typed as.
  const lossValue: number = loss + accuracy;
  const shape: readonly number[] = probs.shape;
  const loaded: keras.Model = again;
  void [lossValue, shape, loaded];
}

// ### A convolutional network
export async function convolutionalNetwork(): Promise<void> {
  let [[xTrain, yTrain], [xTest, yTest]] = await keras.datasets.mnist.loadData();
  // Scale images to [0, 1] and give them a channel axis: [60000, 28, 28, 1].
  xTrain = keras.ops.expandDims(keras.ops.divide(xTrain.astype("float32"), 255), -1);
  xTest = keras.ops.expandDims(keras.ops.divide(xTest.astype("float32"), 255), -1);

  const model = new keras.Sequential([
    keras.Input({ shape: [28, 28, 1] }),
    new keras.layers.Conv2D(32, [3, 3], { activation: "relu" }),
    new keras.layers.MaxPooling2D({ poolSize: [2, 2] }),
    new keras.layers.Conv2D(64, [3, 3], { activation: "relu" }),
    new keras.layers.MaxPooling2D({ poolSize: [2, 2] }),
    new keras.layers.Flatten(),
    new keras.layers.Dropout(0.5),
    new keras.layers.Dense(10, { activation: "softmax" }),
  ]);
  model.summary(); // Total params: 34,826
  model.compile({ loss: "categorical_crossentropy", optimizer: "adam", metrics: ["accuracy"] });
  await model.fit(xTrain, keras.utils.toCategorical(yTrain, 10), { batchSize: 128, epochs: 15, validationSplit: 0.1 });
  const { accuracy } = await model.evaluate(xTest, keras.utils.toCategorical(yTest, 10), { returnDict: true });
  console.log(`test accuracy ${accuracy.toFixed(4)}`);
}

// ### Gradients
export async function gradients(): Promise<void> {
  const { ops } = keras;
  const f = (x: keras.Tensor) => ops.sum(ops.square(x));
  const [value, g] = keras.valueAndGrad(f)(ops.convertToTensor([1, 2, 3], "float32")); // 14, [2, 4, 6]
  void [value, g];
}

// #### A custom training loop (`steps` and `nextBatch` are the user's)
export function customTrainingLoop(steps: number, nextBatch: (step: number) => [keras.Tensor, keras.Tensor]): void {
  const model = new keras.Sequential([
    new keras.layers.Dense(64, { activation: "relu", inputShape: [784] }),
    new keras.layers.Dense(10),
  ]);
  const optimizer = new keras.optimizers.Adam({ learningRate: 1e-3 });
  const lossFn = new keras.losses.SparseCategoricalCrossentropy({ fromLogits: true });

  for (let step = 0; step < steps; step++) {
    const [xBatch, yBatch] = nextBatch(step);
    const weights = model.trainableWeights;
    const [loss, grads] = keras.valueAndGrad(
      () => lossFn.apply(yBatch, model.apply(xBatch, { training: true })),
      { variables: weights },
    )();
    optimizer.apply(grads, weights);
    if (step % 100 === 0) console.log(`step ${step}: loss ${loss.item().toFixed(4)}`);
  }
}

// ## Sequences: a text classifier with masking (`texts` and `labels` are the user's)
export async function textClassifier(): Promise<void> {
  const texts: string[] = ["a fine film", "a dull film"];
  const labels = keras.ops.convertToTensor([1, 0]);
  const vectorize = new keras.layers.TextVectorization({ maxTokens: 2000, outputSequenceLength: 24 });
  vectorize.adapt(texts);                               // string[]
  const model = new keras.Sequential([
    keras.Input({ shape: [null], dtype: "int32" }),
    new keras.layers.Embedding(vectorize.vocabularySize(), 32, { maskZero: true }),
    new keras.layers.Bidirectional(new keras.layers.LSTM(32, { returnSequences: true })),
    new keras.layers.Bidirectional(new keras.layers.LSTM(16)),
    new keras.layers.Dense(1, { activation: "sigmoid" }),
  ]);
  model.compile({ optimizer: "adam", loss: "binary_crossentropy", metrics: ["accuracy"] });
  await model.fit(vectorize.apply(texts), labels, { epochs: 4, batchSize: 64 });
}

// ## Sequences: a Transformer encoder block (`LayerNorm`, `vocabSize` and `maxlen` are the example's)
export async function transformerBlock(): Promise<void> {
  class LayerNorm extends keras.layers.Layer {
    override call(inputs: keras.Tensor): keras.Tensor {
      return inputs;
    }
  }
  const vocabSize = 2000;
  const maxlen = 24;
  class TransformerBlock extends keras.layers.Layer {
    att = new keras.layers.MultiHeadAttention(2, 32);
    ffn = new keras.Sequential([new keras.layers.Dense(32, { activation: "relu" }), new keras.layers.Dense(32)]);
    norm1 = new LayerNorm();            // a small custom layer in the example
    norm2 = new LayerNorm();
    override call(inputs: keras.Tensor, options: keras.layers.CallOptions = {}): keras.Tensor {
      const attended = this.att.apply([inputs, inputs], { training: options.training });
      const out1 = this.norm1.apply(keras.ops.add(inputs, attended));
      return this.norm2.apply(keras.ops.add(out1, this.ffn.apply(out1)));
    }
  }
  class TokenAndPositionEmbedding extends keras.layers.Layer {
    tokenEmb = new keras.layers.Embedding(vocabSize, 32);
    posEmb = new keras.layers.Embedding(maxlen, 32);
    override call(x: keras.Tensor): keras.Tensor {
      const positions = keras.ops.arange(0, x.shape[1], 1, "int32");
      return keras.ops.add(this.tokenEmb.apply(x), this.posEmb.apply(positions));
    }
  }
  void [TransformerBlock, TokenAndPositionEmbedding];
}

// ## Sequences: a cell of your own
export async function cellOfYourOwn(): Promise<void> {
  class MinimalRNNCell extends keras.layers.Layer {
    stateSize = 32;
    kernel?: keras.Variable;
    recurrentKernel?: keras.Variable;
    override build(shape: (number | null)[]) {
      this.kernel = this.addWeight({ name: "kernel", shape: [shape[1]!, 32] });
      this.recurrentKernel = this.addWeight({ name: "recurrent_kernel", shape: [32, 32] });
    }
    override call([x, h]: keras.Tensor[]) {
      const out = keras.ops.add(keras.ops.matmul(x, this.kernel!.value), keras.ops.matmul(h, this.recurrentKernel!.value));
      return [out, out];
    }
  }
  const layer = new keras.layers.RNN(new MinimalRNNCell(), { returnSequences: true });
  void layer;
}

// The types the API gives without casts (not in the README; they hold what it promises).
export async function apiTypes(): Promise<void> {
  const input = keras.Input({ shape: [8] });
  const hidden = new keras.layers.Dense(4, { activation: "relu" }).apply(input);
  const symbolicShape: readonly (number | null)[] = hidden.shape; // a KerasTensor
  const left = new keras.layers.Dense(2).apply(hidden);
  const right = new keras.layers.Dense(3).apply(hidden);
  const merged: keras.KerasTensor = new keras.layers.Concatenate().apply([left, right]);
  const concrete: keras.Tensor = new keras.layers.Dense(2).apply(keras.ops.ones([5, 8]));

  const oneOutput = new keras.Model({ inputs: input, outputs: merged });
  const listOfOne = new keras.Model({ inputs: input, outputs: [merged] });
  const twoOutputs = new keras.Model({ inputs: input, outputs: [left, right] });
  const x = keras.ops.ones([5, 8]);
  const single: keras.Tensor = await oneOutput.predict(x);
  const alsoSingle: keras.Tensor = await listOfOne.predict(x);
  const [a, b]: keras.Tensor[] = await twoOutputs.predict(x);
  const nested: keras.KerasTensor = oneOutput.apply(input);
  // A list of one, as in Keras: its tensor from a call on tensors, a list from a symbolic call.
  const calledListOfOne: keras.Tensor = listOfOne.apply(x);
  const symbolicListOfOne: keras.KerasTensor[] = listOfOne.apply(input);
  const onBatch: keras.Tensor = await oneOutput.predictOnBatch(x);

  oneOutput.compile({ optimizer: "sgd", loss: "mse" });
  const result: number | number[] = await oneOutput.evaluate(x, keras.ops.zeros([5, 5]), { verbose: 0 });
  const logs: Record<string, number> = await oneOutput.evaluate(x, keras.ops.zeros([5, 5]), { verbose: 0, returnDict: true });
  const stepLogs: Record<string, number> = await oneOutput.trainOnBatch(x, keras.ops.zeros([5, 5]), { returnDict: true });

  class OneOutput extends keras.Model<keras.KerasTensor> {
    readonly dense = new keras.layers.Dense(1);
    override call(inputs: keras.Tensor): keras.Tensor {
      return this.dense.apply(inputs);
    }
  }
  const fromSubclass: keras.Tensor = await new OneOutput().predict(x);
  const square = new keras.layers.Lambda((t: keras.Tensor) => keras.ops.square(t));
  const squared: keras.Tensor = square.apply(x);
  void [symbolicShape, concrete, single, alsoSingle, a, b, nested, calledListOfOne, symbolicListOfOne, onBatch, result, logs, stepLogs, fromSubclass, squared];

  // None of these is `any`: each wrong use is an error (an unused @ts-expect-error fails the build).
  // @ts-expect-error several outputs are a list
  const notSingle: keras.Tensor = await twoOutputs.predict(x);
  // @ts-expect-error a symbolic call gives a KerasTensor
  const notConcrete: keras.Tensor = new keras.layers.Dense(2).apply(input);
  // @ts-expect-error a call on tensors gives a Tensor
  const notSymbolic: keras.KerasTensor = new keras.layers.Dense(2).apply(x);
  // @ts-expect-error without returnDict, evaluate gives numbers
  const notLogs: Record<string, number> = await oneOutput.evaluate(x, keras.ops.zeros([5, 5]));
  // @ts-expect-error a loaded or subclassed model may have several outputs
  const unknownCount: keras.Tensor = await new keras.Model().predict(x);
  // @ts-expect-error a symbolic call keeps a list of one
  const notUnpacked: keras.KerasTensor = listOfOne.apply(input);
  void [notSingle, notConcrete, notSymbolic, notLogs, unknownCount, notUnpacked];
}

// ## In the browser
export async function inTheBrowser(): Promise<void> {
  const backend = await keras.backend.ready({ wasm: { baseUrl: "/wasm/" } }); // WebGPU, else wasm, else reference
  const [[xTrain, yTrain], [xTest, yTest]] = await keras.datasets.mnist.loadData({ url: "/mnist/" });
  void [backend, xTrain, yTrain, xTest, yTest];
}

// ## Model files (`xTrain`, `yTrain` and `myModel` are the user's)
export async function modelFiles(xTrain: keras.Tensor, yTrain: keras.Tensor, myModel: keras.Model): Promise<void> {
  // A model trained in Keras 2 (tf.keras) or Keras 3, fine-tuned in TypeScript:
  const model = await keras.models.loadModel("keras2_model.h5"); // compiled from its training_config
  await model.fit(xTrain, yTrain, { epochs: 2 });
  await model.save("fine_tuned.keras");

  // A TF.js model, from disk or over http(s) (fetch):
  const tfjsModel = await keras.models.loadModel("https://example.com/models/abalone/model.json");
  // ...and back to TF.js: tf.loadLayersModel("file://dir/model.json") in tfjs-node reads this.
  await tfjsModel.save("tfjs://exported_abalone");

  // Weights of a legacy .h5 file into a model built in code, matched by layer name:
  await myModel.loadWeights("pretrained.h5", { byName: true, skipMismatch: true });
}

// ### Moving to Keras's distributed training
export async function distributedPath(xTrain: keras.Tensor, yTrain: keras.Tensor): Promise<void> {
  // keras-ts
  const model = new keras.Sequential([keras.Input({ shape: [28, 28] }), new keras.layers.Flatten(),
    new keras.layers.Dense(128, { activation: "relu" }), new keras.layers.Dense(10, { activation: "softmax" })]);
  model.compile({ optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"] });
  await model.fit(xTrain, yTrain, { epochs: 1 });
  await model.save("mnist.keras");
}

// ### Customizing fit
export function customizingFit(): keras.Model<keras.KerasTensor> {
  class CustomModel extends keras.Model<keras.KerasTensor> {
    override trainStep(data: keras.StepData): keras.StepLogs {
      const [x, y, sampleWeight] = keras.utils.unpackXYSampleWeight<keras.Tensor, keras.Tensor, keras.Tensor>(data);
      const variables = this.trainableWeights;
      const [[loss, yPred], grads] = keras.valueAndGrad(
        (): [keras.Tensor, keras.Tensor] => {
          const yPred = this.apply(x, { training: true });
          return [this.computeLoss({ x, y, yPred, sampleWeight }), yPred];
        },
        { variables, hasAux: true },
      )();
      this.optimizer!.apply(grads, variables);
      for (const metric of this.metrics) {
        if (metric.name === "loss" && metric instanceof keras.metrics.Mean) metric.updateState(loss);
        else metric.updateState(y!, yPred, sampleWeight);
      }
      return Object.fromEntries(this.metrics.map((m) => [m.name, m.result()]));
    }
  }
  const inputs = keras.Input({ shape: [32] });
  const model = new CustomModel({ inputs, outputs: new keras.layers.Dense(1).apply(inputs) });
  model.compile({ optimizer: "adam", loss: "mse", metrics: ["mae"] });
  return model;
}
