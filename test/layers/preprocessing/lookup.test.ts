import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { unzipSync } from "fflate";
import { readFileSync } from "node:fs";
import * as keras from "../../../src/index.js";

const { layers, ops } = keras;

test("StringLookup: Keras's examples (vocabulary, adapt, invert, mask, multiple OOV, encodings)", () => {
  const vocab = ["a", "b", "c", "d"];
  const data = [["a", "c", "d"], ["d", "z", "b"]];
  assert.deepEqual(new layers.StringLookup({ vocabulary: vocab }).apply(data).arraySync(), [[1, 3, 4], [4, 0, 2]]);
  const adapted = new layers.StringLookup();
  adapted.adapt([["d", "z", "b"], ["a", "c", "d"]]);
  assert.deepEqual(adapted.getVocabulary(), ["[UNK]", "d", "z", "c", "b", "a"]);
  assert.deepEqual(new layers.StringLookup({ vocabulary: vocab, maskToken: "" }).apply([["a", ""], ["z", "d"]]).arraySync(), [[2, 0], [1, 5]]);
  assert.deepEqual(new layers.StringLookup({ vocabulary: vocab, invert: true }).apply([[1, 3, 4], [4, 0, 2]]), [["a", "c", "d"], ["d", "[UNK]", "b"]]);
  assert.deepEqual(new layers.StringLookup({ vocabulary: vocab, outputMode: "multi_hot" }).apply(data).arraySync(), [[0, 1, 0, 1, 1], [1, 0, 1, 0, 1]]);
  assert.deepEqual(new layers.StringLookup({ vocabulary: vocab, outputMode: "count" }).apply([["a", "c", "d", "d"], ["d", "z", "b", "z"]]).arraySync(), [[0, 1, 0, 1, 2], [2, 0, 1, 0, 1]]);
  assert.deepEqual(new layers.StringLookup({ vocabulary: vocab, outputMode: "one_hot" }).apply(["a", "b", "c", "d", "z"]).arraySync(), [
    [0, 1, 0, 0, 0], [0, 0, 1, 0, 0], [0, 0, 0, 1, 0], [0, 0, 0, 0, 1], [1, 0, 0, 0, 0],
  ]);
  // Two OOV buckets: "z" hashes to one of them (Keras's example gives 1).
  assert.deepEqual(new layers.StringLookup({ vocabulary: vocab, numOovIndices: 2 }).apply(data).arraySync(), [[2, 4, 5], [5, 1, 3]]);
  const tfidf = new layers.StringLookup({ outputMode: "tf_idf", vocabulary: vocab, idfWeights: [0.25, 0.75, 0.6, 0.4] });
  const got = tfidf.apply([["a", "c", "d", "d"], ["d", "z", "b", "z"]]).arraySync() as number[][];
  const want = [[0, 0.25, 0, 0.6, 0.8], [1.0, 0, 0.75, 0, 0.4]];
  got.forEach((row, i) => row.forEach((v, j) => assert.ok(Math.abs(v - want[i][j]) < 1e-6, `${v} vs ${want[i][j]}`)));
  assert.throws(() => new layers.StringLookup({ vocabulary: ["a", "a"] }), /repeated term/);
  assert.throws(() => new layers.StringLookup({ vocabulary: ["a"], numOovIndices: 0 }).apply(["b"]), /all inputs should be in vocabulary/);
});

test("IntegerLookup: Keras's examples; config round trip", () => {
  const vocab = [12, 36, 1138, 42];
  const data = ops.convertToTensor([[12, 1138, 42], [42, 1000, 36]], "int32");
  assert.deepEqual(new layers.IntegerLookup({ vocabulary: vocab }).apply(data).arraySync(), [[1, 3, 4], [4, 0, 2]]);
  const adapted = new layers.IntegerLookup();
  adapted.adapt([[12, 1138, 42], [42, 1000, 36]]);
  assert.deepEqual(adapted.getVocabulary(), [-1, 42, 1138, 1000, 36, 12]);
  assert.deepEqual(new layers.IntegerLookup({ vocabulary: vocab, numOovIndices: 2 }).apply(data).arraySync(), [[2, 4, 5], [5, 0, 3]]);
  assert.deepEqual(new layers.IntegerLookup({ vocabulary: vocab, maskToken: 0 }).apply([[12, 1138, 0], [0, 1000, 36]]).arraySync(), [[2, 4, 0], [0, 1, 3]]);
  const layer = new layers.IntegerLookup({ vocabulary: vocab, outputMode: "multi_hot" });
  const config = layer.getConfig();
  assert.deepEqual([config.vocabulary, config.vocabulary_dtype, config.oov_token, config.vocabulary_size], [vocab, "int64", -1, 5]);
  assert.deepEqual(layers.IntegerLookup.fromConfig(JSON.parse(JSON.stringify(config))).getConfig(), config);
});

test("CategoryEncoding: Keras's examples (one_hot, multi_hot, count with weights); config", () => {
  const oneHot = new layers.CategoryEncoding({ numTokens: 4, outputMode: "one_hot" });
  assert.deepEqual(oneHot.apply(ops.convertToTensor([3, 2, 0, 1], "int32")).arraySync(), [[0, 0, 0, 1], [0, 0, 1, 0], [1, 0, 0, 0], [0, 1, 0, 0]]);
  const multi = new layers.CategoryEncoding({ numTokens: 4, outputMode: "multi_hot" });
  assert.deepEqual(multi.apply(ops.convertToTensor([[0, 1], [0, 0], [1, 2], [3, 1]], "int32")).arraySync(), [[1, 1, 0, 0], [1, 0, 0, 0], [0, 1, 1, 0], [0, 1, 0, 1]]);
  const count = new layers.CategoryEncoding({ numTokens: 4, outputMode: "count" });
  const weights = ops.convertToTensor([[0.1, 0.2], [0.1, 0.1], [0.2, 0.3], [0.4, 0.2]]);
  const y = count.apply(ops.convertToTensor([[0, 1], [0, 0], [1, 2], [3, 1]], "int32"), { countWeights: weights } as never).arraySync() as number[][];
  const want = [[0.1, 0.2, 0, 0], [0.2, 0, 0, 0], [0, 0.2, 0.3, 0], [0, 0.2, 0, 0.4]];
  y.forEach((row, i) => row.forEach((v, j) => assert.ok(Math.abs(v - want[i][j]) < 1e-6)));
  assert.deepEqual(multi.getConfig().num_tokens, 4);
  assert.deepEqual(layers.CategoryEncoding.fromConfig(JSON.parse(JSON.stringify(multi.getConfig()))).getConfig(), multi.getConfig());
  assert.throws(() => multi.apply(ops.convertToTensor([[4]], "int32")), /0 <= values < num_tokens/);
  assert.throws(() => new layers.CategoryEncoding({}), /num_tokens must be set/);
  assert.deepEqual((new layers.CategoryEncoding({ numTokens: 5 }).apply(keras.Input({ shape: [2], dtype: "int32" })) as keras.KerasTensor).shape, [null, 5]);
});

test("TextVectorization: standardize, split, adapt order, padding and truncation, n-grams, multi-hot, tf-idf", () => {
  const tv = new layers.TextVectorization({ maxTokens: 10, outputSequenceLength: 6 });
  tv.adapt(["The cat sat on the mat.", "The dog ate my homework!", "a cat, a dog"]);
  // Most frequent first, ties by token, high to low; "" pads and "[UNK]" is index 1.
  assert.deepEqual(tv.getVocabulary(), ["", "[UNK]", "the", "dog", "cat", "a", "sat", "on", "my", "mat"]);
  assert.deepEqual(tv.apply(["the CAT ate", "unknown words here and more and more"]).arraySync(), [[2, 4, 1, 0, 0, 0], [1, 1, 1, 1, 1, 1]]);
  const ragged = new layers.TextVectorization({ vocabulary: ["earth", "wind", "and", "fire"] });
  assert.deepEqual(ragged.apply(["earth wind and fire", "fire and earth michigan"]).arraySync(), [[2, 3, 4, 5], [5, 4, 2, 1]]);
  const grams = new layers.TextVectorization({ ngrams: 2, standardize: null });
  grams.adapt(["a b a b"]);
  assert.deepEqual(grams.getVocabulary(), ["", "[UNK]", "b", "a b", "a", "b a"]);
  const mh = new layers.TextVectorization({ outputMode: "multi_hot", vocabulary: ["earth", "wind", "and", "fire"] });
  assert.deepEqual(mh.apply(["earth wind", "fire fire zzz"]).arraySync(), [[0, 1, 1, 0, 0], [1, 0, 0, 0, 1]]);
  const tfidf = new layers.TextVectorization({ outputMode: "tf_idf" });
  tfidf.adapt(["a b", "a", "c"]);
  const w = tfidf.apply(["a a"]).arraySync() as number[][];
  // idf(a) = log(1 + 3 / (1 + 2)); "a" counted twice.
  assert.ok(Math.abs(w[0][tfidf.getVocabulary().indexOf("a")] - 2 * Math.log(2)) < 1e-6);
  assert.throws(() => new layers.TextVectorization({ outputMode: "multi_hot", outputSequenceLength: 3 }), /must not be set/);
  assert.throws(() => tv.apply([["a", "b"]]), /the last shape dimension must be 1/);
});

test("TextVectorization: config round trip; in a model, its vocabulary is saved as Keras's asset and reloaded", async () => {
  const tv = new layers.TextVectorization({ maxTokens: 20, outputSequenceLength: 4 });
  tv.adapt(["hello world", "hello there world", "general kenobi"]);
  const config = tv.getConfig();
  assert.equal(config.vocabulary_size, tv.vocabularySize());
  assert.equal(config.vocabulary, null);
  assert.equal(config.standardize, "lower_and_strip_punctuation");
  const model = new keras.Sequential([keras.Input({ shape: [1] }), tv, new layers.Embedding(20, 3)]);
  const dir = mkdtempSync(path.join(tmpdir(), "keras-ts-tv-"));
  try {
    const file = path.join(dir, "m.keras");
    await model.save(file);
    const members = unzipSync(readFileSync(file));
    const asset = members["assets/layers/text_vectorization/_lookup_layer/vocabulary.txt"];
    assert.ok(asset !== undefined, `the vocabulary asset is in the archive: ${Object.keys(members).join(", ")}`);
    assert.equal(new TextDecoder().decode(asset), tv.getVocabulary().join("\n"));
    const loaded = await keras.models.loadModel(file);
    const again = loaded.layers[0] as keras.layers.TextVectorization;
    assert.deepEqual(again.getVocabulary(), tv.getVocabulary());
    assert.deepEqual(again.apply(["hello kenobi"]).arraySync(), tv.apply(["hello kenobi"]).arraySync());
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
