import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as path from "node:path";
import * as ops from "../../src/ops/index.js";
import type { Tensor } from "../../src/backend/tensor.js";
import type { Model } from "../../src/models/model.js";
import { loadModel } from "../../src/saving/index.js";
import { fixturePath, fixturesMissing } from "../helpers/fixtures.js";

interface ReferenceCase {
  name: string;
  input?: { shape: number[]; data: number[] };
  pixels?: { shape: number[]; data: number[] };
  input_shape?: number[];
  output?: { shape: number[]; data: number[] };
  producer_output?: { shape: number[]; data: number[] };
}

interface Reference {
  suggested_tolerance: { atol: number; rtol: number };
  cases: ReferenceCase[];
}

function caseInput(c: ReferenceCase): Tensor {
  if (c.input !== undefined) return ops.reshape(ops.convertToTensor(c.input.data, "float32"), c.input.shape);
  const pixels = c.pixels!;
  return ops.reshape(ops.convertToTensor(pixels.data.map((p) => Math.fround(Math.fround(p) / 255)), "float32"), c.input_shape!);
}

/** The worst |actual - expected| beyond atol + rtol·|expected| (0 when within tolerance). */
function matchError(actual: Tensor, expected: { shape: number[]; data: number[] }, tol: { atol: number; rtol: number }, what: string): number {
  assert.deepEqual([...actual.shape], expected.shape, `${what}: shape`);
  const values = actual.dataSync();
  let worst = 0;
  for (let i = 0; i < values.length; i++) {
    const diff = Math.abs(values[i] - expected.data[i]);
    worst = Math.max(worst, diff);
    assert.ok(diff <= tol.atol + tol.rtol * Math.abs(expected.data[i]), `${what}: element ${i} is ${values[i]}, expected ${expected.data[i]}`);
  }
  return worst;
}

/** Every fixture and its reference file. */
const FIXTURES: { file: string; reference: string }[] = [
  { file: "keras3_mnist_mlp.keras", reference: "keras3_mnist_mlp.reference.json" },
  { file: "keras2_mnist_mlp.h5", reference: "keras2_mnist_mlp.reference.json" },
  { file: "keras2_tiny_mlp.h5", reference: "keras2_tiny_mlp.reference.json" },
  { file: "tfjs_abalone_mlp", reference: "tfjs_abalone_mlp/reference.json" },
  { file: "keras2_mnist_cnn.h5", reference: "keras2_mnist_cnn.reference.json" },
  { file: "keras3_mnist_cnn.keras", reference: "keras3_mnist_cnn.reference.json" },
  { file: "keras3_mnist_cnn_legacy.h5", reference: "keras3_mnist_cnn_legacy.reference.json" },
  { file: "tfjs_mnist_cnn", reference: "tfjs_mnist_cnn/reference.json" },
  { file: "keras3_lstm_timeseries.keras", reference: "keras3_lstm_timeseries.reference.json" },
];

async function assertMatchesReference(model: Model, referenceFile: string, what: string): Promise<string[]> {
  const reference = JSON.parse(fs.readFileSync(fixturePath(referenceFile), "utf8")) as Reference;
  const report: string[] = [];
  for (const c of reference.cases) {
    const out = (await model.predict(caseInput(c), { verbose: 0 })) as Tensor;
    const expected = c.output ?? c.producer_output!;
    const worst = matchError(out, expected, reference.suggested_tolerance, `${what} ${c.name}`);
    report.push(`${c.name} ${worst.toExponential(2)}`);
  }
  return report;
}

for (const fixture of FIXTURES) {
  test(`${fixture.file} loads and matches its reference outputs (atol 1e-5, rtol 1e-4)`, { skip: fixturesMissing() }, async (t) => {
    const warn = console.warn;
    console.warn = () => {};
    try {
      const model = await loadModel(fixturePath(fixture.file));
      t.diagnostic(`max abs error: ${(await assertMatchesReference(model, fixture.reference, fixture.file)).join(", ")}`);
    } finally {
      console.warn = warn;
    }
  });
}

test("TF.js: a model.json path, its folder, tfjs://folder and an http URL load the same model", { skip: fixturesMissing() }, async () => {
  const folder = fixturePath("tfjs_abalone_mlp");
  const server = http.createServer((request, response) => {
    const file = path.join(folder, path.basename(request.url ?? ""));
    if (!fs.existsSync(file)) {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { "content-type": "application/octet-stream" }).end(fs.readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    const port = (server.address() as AddressInfo).port;
    for (const location of [path.join(folder, "model.json"), folder, `tfjs://${folder}`, `http://127.0.0.1:${port}/model.json`, `http://127.0.0.1:${port}/`]) {
      const model = await loadModel(location);
      await assertMatchesReference(model, "tfjs_abalone_mlp/reference.json", location);
    }
    await assert.rejects(loadModel(`http://127.0.0.1:${port}/nothing.json`), /HTTP 404/);
  } finally {
    server.close();
  }
});

test("loading a TF.js model.json never says 'not a zip archive'", { skip: fixturesMissing() }, async () => {
  const model = await loadModel(fixturePath("tfjs_abalone_mlp/model.json"));
  assert.equal(model.layers.length, 3);
});
