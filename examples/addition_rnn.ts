/**
 * Keras's "Sequence to sequence learning for performing number addition": an LSTM encoder reads
 * "535+61 " one character at a time (reversed, which helps), RepeatVector hands its state to every
 * output step, and an LSTM decoder writes the sum "596 " one character per step. The questions
 * are generated here, as in Keras's example. `npm run example:addition` runs it.
 */
import * as keras from "keras-ts";

const { layers, ops } = keras;

const TRAINING_SIZE = 50000;
const DIGITS = 3;
const MAXLEN = DIGITS + 1 + DIGITS;
const CHARS = "0123456789+ ";
const EPOCHS = Number(process.env.EPOCHS ?? 30);

/** Seeded xorshift32 in [0, 1), for reproducible questions. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 4294967296;
  };
}

// Keras's generator: numbers of 1 to DIGITS digits, each pair (a, b) with a <= b... asked once.
const random = rng(1234);
const randomNumber = () => {
  const digits = 1 + Math.floor(random() * DIGITS);
  let text = "";
  for (let i = 0; i < digits; i++) text += CHARS[Math.floor(random() * 10)];
  return Number(text);
};
const questions: string[] = [];
const answers: string[] = [];
const seen = new Set<string>();
while (questions.length < TRAINING_SIZE) {
  const a = randomNumber();
  const b = randomNumber();
  const key = [a, b].sort((x, y) => x - y).join(",");
  if (seen.has(key)) continue;
  seen.add(key);
  const q = `${a}+${b}`.padEnd(MAXLEN, " ");
  // Reversed questions put the ones digits next to each other in time.
  questions.push([...q].reverse().join(""));
  answers.push(String(a + b).padEnd(DIGITS + 1, " "));
}
console.log(`${questions.length} questions, e.g. "${[...questions[0]].reverse().join("")}" = "${answers[0]}"`);

/** One-hot encoding of strings over CHARS: [n, length, 12]. */
function encode(texts: string[], length: number): keras.Tensor {
  const ids = texts.map((t) => [...t].map((c) => CHARS.indexOf(c)));
  return ops.oneHot(ops.convertToTensor(ids, "int32"), CHARS.length);
}
function decode(probabilities: keras.Tensor): string[] {
  const ids = ops.argmax(probabilities, -1).arraySync() as number[][];
  return ids.map((row) => row.map((i) => CHARS[i]).join(""));
}

const x = encode(questions, MAXLEN);
const y = encode(answers, DIGITS + 1);
// 90% train, 10% validation, as Keras's example splits.
const split = Math.floor(TRAINING_SIZE * 0.9);
const xTrain = ops.slice(x, [0, 0, 0], [split, MAXLEN, CHARS.length]);
const yTrain = ops.slice(y, [0, 0, 0], [split, DIGITS + 1, CHARS.length]);
const xVal = ops.slice(x, [split, 0, 0], [TRAINING_SIZE - split, MAXLEN, CHARS.length]);
const yVal = ops.slice(y, [split, 0, 0], [TRAINING_SIZE - split, DIGITS + 1, CHARS.length]);

keras.utils.setRandomSeed(42);
const model = new keras.Sequential([
  keras.Input({ shape: [MAXLEN, CHARS.length] }),
  new layers.LSTM(128),
  new layers.RepeatVector(DIGITS + 1),
  new layers.LSTM(128, { returnSequences: true }),
  new layers.Dense(CHARS.length, { activation: "softmax" }),
]);
model.compile({ loss: "categorical_crossentropy", optimizer: "adam", metrics: ["accuracy"] });
model.summary();

const started = performance.now();
await model.fit(xTrain, yTrain, { epochs: EPOCHS, batchSize: 32, validationData: [xVal, yVal], verbose: 2 });
const seconds = (performance.now() - started) / 1000;

const predicted = decode((await model.predict(xVal, { verbose: 0 })) as keras.Tensor);
const truth = answers.slice(split);
const exact = predicted.filter((p, i) => p === truth[i]).length;
for (let i = 0; i < 5; i++) {
  const q = [...questions[split + i]].reverse().join("").trim();
  console.log(`Q ${q.padEnd(MAXLEN)} T ${truth[i]} ${predicted[i] === truth[i] ? "☑" : "☒"} ${predicted[i]}`);
}
console.log(`exact sums on the validation questions: ${exact}/${truth.length} = ${(100 * exact / truth.length).toFixed(2)}% (${(seconds / EPOCHS).toFixed(1)} s/epoch on backend "${keras.backend.backend()}")`);
