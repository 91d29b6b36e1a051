/**
 * A small Transformer encoder classifying the generated reviews of examples/synthetic_reviews.ts,
 * after Keras's "Text classification with Transformer" example: token + position embeddings
 * (two Embedding layers), a Transformer block (MultiHeadAttention, a feed-forward network,
 * residual connections, layer normalization, dropout), mean pooling over the tokens and a
 * softmax. `npm run example:transformer` runs it. The custom layers build their sublayers when
 * the model is assembled (their output shapes come from running them once on zeros).
 */
import * as keras from "keras-ts";
import { syntheticReviews } from "./synthetic_reviews.js";

const { layers, ops } = keras;
type Tensor = keras.Tensor;

/** Normalizes each token's features to zero mean and unit variance, then scales and shifts them. */
class LayerNorm extends layers.Layer {
  static override className = "LayerNorm";
  gamma?: keras.Variable;
  beta?: keras.Variable;
  constructor(private readonly epsilon = 1e-6) {
    super();
  }
  override build(inputShape: (number | null)[]): void {
    const dim = inputShape[inputShape.length - 1]!;
    this.gamma = this.addWeight({ name: "gamma", shape: [dim], initializer: "ones" });
    this.beta = this.addWeight({ name: "beta", shape: [dim], initializer: "zeros" });
    this.built = true;
  }
  override call(inputs: Tensor | Tensor[]): Tensor {
    const x = inputs as Tensor;
    const mean = ops.mean(x, -1, true);
    const variance = ops.mean(ops.square(ops.subtract(x, mean)), -1, true);
    const normalized = ops.divide(ops.subtract(x, mean), ops.sqrt(ops.add(variance, this.epsilon)));
    return ops.add(ops.multiply(normalized, this.gamma!.value), this.beta!.value);
  }
}

/** Keras's TransformerBlock: self-attention and a feed-forward network, each with a residual connection. */
class TransformerBlock extends layers.Layer {
  static override className = "TransformerBlock";
  readonly att: keras.layers.MultiHeadAttention;
  readonly ffn: keras.Sequential;
  readonly norm1 = new LayerNorm();
  readonly norm2 = new LayerNorm();
  readonly drop1: keras.layers.Dropout;
  readonly drop2: keras.layers.Dropout;
  constructor(embedDim: number, numHeads: number, ffDim: number, rate = 0.1) {
    super();
    this.att = new layers.MultiHeadAttention(numHeads, embedDim);
    this.ffn = new keras.Sequential([new layers.Dense(ffDim, { activation: "relu" }), new layers.Dense(embedDim)]);
    this.drop1 = new layers.Dropout(rate);
    this.drop2 = new layers.Dropout(rate);
  }
  override call(inputs: Tensor | Tensor[], options: keras.layers.CallOptions = {}): Tensor {
    const x = inputs as Tensor;
    const attended = this.drop1.apply(this.att.apply([x, x], { training: options.training }), { training: options.training }) as Tensor;
    const out1 = this.norm1.apply(ops.add(x, attended)) as Tensor;
    const ffn = this.drop2.apply(this.ffn.apply(out1), { training: options.training }) as Tensor;
    return this.norm2.apply(ops.add(out1, ffn)) as Tensor;
  }
}

/** Keras's TokenAndPositionEmbedding: the token's embedding plus its position's. */
class TokenAndPositionEmbedding extends layers.Layer {
  static override className = "TokenAndPositionEmbedding";
  readonly tokenEmb: keras.layers.Embedding;
  readonly posEmb: keras.layers.Embedding;
  constructor(private readonly maxlen: number, vocabSize: number, embedDim: number) {
    super();
    this.tokenEmb = new layers.Embedding(vocabSize, embedDim);
    this.posEmb = new layers.Embedding(maxlen, embedDim);
  }
  override call(inputs: Tensor | Tensor[]): Tensor {
    const x = inputs as Tensor;
    const positions = ops.arange(0, x.shape[1], 1, "int32");
    return ops.add(this.tokenEmb.apply(x) as Tensor, this.posEmb.apply(positions) as Tensor);
  }
}

/** Mean over the tokens (Keras's GlobalAveragePooling1D). */
class MeanPooling extends layers.Layer {
  static override className = "MeanPooling";
  override call(inputs: Tensor | Tensor[]): Tensor {
    return ops.mean(inputs as Tensor, 1);
  }
  override computeOutputShape(inputShape: (number | null)[]): (number | null)[] {
    return [inputShape[0], inputShape[2]];
  }
}

keras.utils.setRandomSeed(11);
const maxlen = 24;
const train = syntheticReviews(8000, 1);
const test = syntheticReviews(2000, 2);
const vectorize = new layers.TextVectorization({ maxTokens: 2000, outputSequenceLength: maxlen });
vectorize.adapt(train.texts);
const xTrain = vectorize.apply(train.texts) as Tensor;
const xTest = vectorize.apply(test.texts) as Tensor;
const yTrain = ops.convertToTensor(train.labels, "int32");
const yTest = ops.convertToTensor(test.labels, "int32");

const embedDim = 32;
const inputs = keras.Input({ shape: [maxlen], dtype: "int32" });
let x = new TokenAndPositionEmbedding(maxlen, vectorize.vocabularySize(), embedDim).apply(inputs) as keras.KerasTensor;
x = new TransformerBlock(embedDim, 2, 32).apply(x) as keras.KerasTensor;
x = new MeanPooling().apply(x) as keras.KerasTensor;
x = new layers.Dropout(0.1).apply(x) as keras.KerasTensor;
x = new layers.Dense(20, { activation: "relu" }).apply(x) as keras.KerasTensor;
x = new layers.Dropout(0.1).apply(x) as keras.KerasTensor;
const outputs = new layers.Dense(2, { activation: "softmax" }).apply(x) as keras.KerasTensor;
const model = new keras.Model({ inputs, outputs });
model.compile({ optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"] });
model.summary();

const started = performance.now();
await model.fit(xTrain, yTrain, { epochs: 6, batchSize: 32, validationData: [xTest, yTest] });
const seconds = (performance.now() - started) / 1000;
const [loss, accuracy] = (await model.evaluate(xTest, yTest, { verbose: 0 })) as number[];
console.log(`test loss ${loss.toFixed(4)}, test accuracy ${accuracy.toFixed(4)} (${(seconds / 6).toFixed(1)} s/epoch on backend "${keras.backend.backend()}")`);
