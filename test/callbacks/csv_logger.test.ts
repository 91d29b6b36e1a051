import { test } from "node:test";
import assert from "node:assert/strict";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { CSVLogger } from "../../src/callbacks/index.js";
import { fakeModel, simulateFit, tempDir } from "./helpers.js";

// Expected contents are what Keras writes (Python's csv module, excel dialect: "\r\n" line ends).

test("CSVLogger: header 'epoch' + sorted keys, values as Python prints floats", async (t) => {
  const file = join(await tempDir(t), "log.csv");
  const logger = new CSVLogger(file);
  await simulateFit([logger], fakeModel(), [
    { val_loss: NaN, loss: 1, accuracy: 0.5 },
    { loss: 1e-5, val_loss: 0.1 + 0.2 },
  ]);
  assert.equal(await readFile(file, "utf8"), "epoch,accuracy,loss,val_loss\r\n0,0.5,1.0,nan\r\n1,NA,1e-05,0.30000000000000004\r\n");
});

test("CSVLogger: the keys are fixed by the first epoch", async (t) => {
  const file = join(await tempDir(t), "log.csv");
  await simulateFit([new CSVLogger(file)], fakeModel(), [{ loss: 2 }, { loss: 1, extra: 3 }]);
  assert.equal(await readFile(file, "utf8"), "epoch,loss\r\n0,2.0\r\n1,1.0\r\n");
});

test("CSVLogger: separator, and quoting of fields that need it", async (t) => {
  const file = join(await tempDir(t), "log.csv");
  await simulateFit([new CSVLogger(file, { separator: ";" })], fakeModel(), [{ "a;b": 1, loss: 0.25 }]);
  assert.equal(await readFile(file, "utf8"), 'epoch;"a;b";loss\r\n0;1.0;0.25\r\n');
});

test("CSVLogger: append=false overwrites; append=true continues without a second header", async (t) => {
  const file = join(await tempDir(t), "log.csv");
  await writeFile(file, "old contents\n");
  await simulateFit([new CSVLogger(file)], fakeModel(), [{ loss: 3 }]);
  assert.equal(await readFile(file, "utf8"), "epoch,loss\r\n0,3.0\r\n");
  const appender = new CSVLogger(file, { append: true });
  await simulateFit([appender], fakeModel(), [{ loss: 2 }, { loss: 1 }]);
  assert.equal(await readFile(file, "utf8"), "epoch,loss\r\n0,3.0\r\n0,2.0\r\n1,1.0\r\n");
  // A second fit with the same instance appends again.
  await simulateFit([appender], fakeModel(), [{ loss: 0.5 }]);
  assert.equal(await readFile(file, "utf8"), "epoch,loss\r\n0,3.0\r\n0,2.0\r\n1,1.0\r\n0,0.5\r\n");
});

test("CSVLogger: append=true to a missing or empty file writes the header", async (t) => {
  const dir = await tempDir(t);
  const missing = join(dir, "new.csv");
  await simulateFit([new CSVLogger(missing, { append: true })], fakeModel(), [{ loss: 1 }]);
  assert.equal(await readFile(missing, "utf8"), "epoch,loss\r\n0,1.0\r\n");
  const empty = join(dir, "empty.csv");
  await writeFile(empty, "");
  await simulateFit([new CSVLogger(empty, { append: true })], fakeModel(), [{ loss: 1 }]);
  assert.equal(await readFile(empty, "utf8"), "epoch,loss\r\n0,1.0\r\n");
});

test("CSVLogger: a column is kept for validation metrics the model reports in metricsNames", async (t) => {
  const file = join(await tempDir(t), "log.csv");
  const model = fakeModel();
  model.metricsNames = ["loss", "val_extra"];
  await simulateFit([new CSVLogger(file)], model, [{ loss: 1 }]);
  assert.equal(await readFile(file, "utf8"), "epoch,loss,val_extra\r\n0,1.0,NA\r\n");
});
