import { test } from "node:test";
import assert from "node:assert/strict";
import { CallbackList, LambdaCallback } from "../../src/callbacks/index.js";
import { fakeModel, simulateFit } from "./helpers.js";

test("LambdaCallback: every given hook fires with its arguments", async () => {
  const events: string[] = [];
  const cb = new LambdaCallback({
    onTrainBegin: (logs) => events.push(`trainBegin ${JSON.stringify(logs)}`),
    onEpochBegin: (epoch) => events.push(`epochBegin ${epoch}`),
    onTrainBatchBegin: (batch) => events.push(`batchBegin ${batch}`),
    onTrainBatchEnd: (batch, logs) => events.push(`batchEnd ${batch} ${logs?.loss}`),
    onEpochEnd: (epoch, logs) => events.push(`epochEnd ${epoch} ${logs?.val_loss}`),
    onTrainEnd: () => events.push("trainEnd"),
  });
  await simulateFit([cb], fakeModel(), [{ val_loss: 0.5 }, { val_loss: 0.25 }], 2, (e, s) => ({ loss: e + s / 10 }));
  assert.deepEqual(events, [
    "trainBegin {}",
    "epochBegin 0",
    "batchBegin 0",
    "batchEnd 0 0",
    "batchBegin 1",
    "batchEnd 1 0.1",
    "epochEnd 0 0.5",
    "epochBegin 1",
    "batchBegin 0",
    "batchEnd 0 1",
    "batchBegin 1",
    "batchEnd 1 1.1",
    "epochEnd 1 0.25",
    "trainEnd",
  ]);
});

test("LambdaCallback: async hooks are awaited before the next callback; test/predict hooks work", async () => {
  const events: string[] = [];
  const slow = new LambdaCallback({
    onEpochEnd: async (epoch) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      events.push(`slow ${epoch}`);
    },
    onPredictEnd: () => events.push("predictEnd"),
  });
  const next = new LambdaCallback({ onEpochEnd: (epoch) => events.push(`next ${epoch}`) });
  await simulateFit([slow, next], fakeModel(), [{ loss: 1 }]);
  const list = new CallbackList([slow], fakeModel() as never, {});
  await list.call("onPredictEnd", {});
  assert.deepEqual(events, ["slow 0", "next 0", "predictEnd"]);
});

test("LambdaCallback: unknown hook names and non-functions are rejected", () => {
  assert.throws(() => new LambdaCallback({ onBatchEnd: () => {} } as never), /unknown hook 'onBatchEnd'/);
  assert.throws(() => new LambdaCallback({ onEpochEnd: 3 } as never), /onEpochEnd must be a function/);
});
