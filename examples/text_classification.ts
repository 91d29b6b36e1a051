/**
 * Sentiment of short reviews with TextVectorization, Embedding (maskZero), a Bidirectional LSTM
 * and masking, as Keras's "bidirectional LSTM" text examples do. `npm run example:text` runs it.
 * The reviews are generated (examples/synthetic_reviews.ts) with negations and "but" clauses, so
 * word order matters; padding is masked, so the LSTMs see each review at its own length.
 */
import * as keras from "keras-ts";
import { syntheticReviews } from "./synthetic_reviews.js";

keras.utils.setRandomSeed(7);
const train = syntheticReviews(8000, 1);
const test = syntheticReviews(2000, 2);
console.log(`${train.texts.length} training reviews, e.g. "${train.texts[0]}" -> ${train.labels[0]}`);

// Strings -> token ids: lowercased, punctuation stripped, split on whitespace, padded with 0.
const vectorize = new keras.layers.TextVectorization({ maxTokens: 2000, outputSequenceLength: 24 });
vectorize.adapt(train.texts);
console.log(`vocabulary: ${vectorize.vocabularySize()} tokens, starting ${JSON.stringify(vectorize.getVocabulary().slice(0, 8))}`);
const xTrain = vectorize.apply(train.texts) as keras.Tensor;
const xTest = vectorize.apply(test.texts) as keras.Tensor;
const yTrain = keras.ops.convertToTensor(train.labels, "float32");
const yTest = keras.ops.convertToTensor(test.labels, "float32");

const model = new keras.Sequential([
  keras.Input({ shape: [null], dtype: "int32" }),
  // maskZero: the padding id 0 is masked, and the mask flows into the recurrent layers.
  new keras.layers.Embedding(vectorize.vocabularySize(), 32, { maskZero: true }),
  new keras.layers.Bidirectional(new keras.layers.LSTM(32, { returnSequences: true })),
  new keras.layers.Bidirectional(new keras.layers.LSTM(16)),
  new keras.layers.Dense(1, { activation: "sigmoid" }),
]);
model.compile({ optimizer: "adam", loss: "binary_crossentropy", metrics: ["accuracy"] });
model.summary();

const started = performance.now();
await model.fit(xTrain, yTrain, { epochs: 4, batchSize: 64, validationData: [xTest, yTest] });
const seconds = (performance.now() - started) / 1000;
const [loss, accuracy] = (await model.evaluate(xTest, yTest, { verbose: 0 })) as number[];
console.log(`test loss ${loss.toFixed(4)}, test accuracy ${accuracy.toFixed(4)} (${(seconds / 4).toFixed(1)} s/epoch on backend "${keras.backend.backend()}")`);

const samples = ["The screen was not good.", "The price was awful but the sound is really excellent!", "The battery was great and the case felt flimsy and the support was terrible."];
const scores = (await model.predict(vectorize.apply(samples) as keras.Tensor, { verbose: 0 })) as keras.Tensor;
scores.dataSync().forEach((p, i) => console.log(`${p.toFixed(3)}  ${samples[i]}`));
