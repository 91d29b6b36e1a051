/**
 * The browser demo (npm run demo serves it): the seed-001 MLP trains on MNIST in the page with a
 * live progress bar and history plot, then predicts the digit drawn on a canvas; a `.keras` file
 * trained in Node is loaded by URL and predicts beside it; the page's model saves to IndexedDB and
 * as a download.
 *
 * Query parameters (the browser tests use them): `epochs` (default 1), `samples` (training
 * images, default all 60,000), `autostart=0` (wait for the Train button).
 */
import * as keras from "keras-ts";

const params = new URLSearchParams(location.search);
const EPOCHS = Number(params.get("epochs") ?? 1);
const SAMPLES = Number(params.get("samples") ?? 60000);

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;
const status = (text: string): void => {
  $("status").textContent = text;
};

/** Seed 001's input pipeline: `keras.utils.normalize(x, axis=1)` on [n, 28, 28] images. */
const prepare = (images: keras.Tensor): keras.Tensor => keras.utils.normalize(images, 1);

function seedModel(): keras.Sequential {
  const model = new keras.Sequential([
    keras.Input({ shape: [28, 28] }),
    new keras.layers.Flatten(),
    new keras.layers.Dense(128, { activation: "relu" }),
    new keras.layers.Dense(128, { activation: "relu" }),
    new keras.layers.Dense(10, { activation: "softmax" }),
  ]);
  model.compile({ optimizer: "adam", loss: "sparse_categorical_crossentropy", metrics: ["accuracy"] });
  return model;
}

let pageModel: keras.Model | undefined;
let nodeModel: keras.Model | undefined;

// ---------------------------------------------------------------------------------------------
// Drawing

const pad = $<HTMLCanvasElement>("pad");
const padContext = pad.getContext("2d", { willReadFrequently: true })!;

function clearPad(): void {
  padContext.fillStyle = "#000";
  padContext.fillRect(0, 0, pad.width, pad.height);
}

let drawing = false;
let last: [number, number] | null = null;

function pointerAt(event: PointerEvent): [number, number] {
  const box = pad.getBoundingClientRect();
  return [((event.clientX - box.left) * pad.width) / box.width, ((event.clientY - box.top) * pad.height) / box.height];
}

pad.addEventListener("pointerdown", (event) => {
  drawing = true;
  last = pointerAt(event);
  pad.setPointerCapture(event.pointerId);
});
pad.addEventListener("pointermove", (event) => {
  if (!drawing || last === null) return;
  const next = pointerAt(event);
  padContext.strokeStyle = "#fff";
  padContext.lineWidth = 22;
  padContext.lineCap = "round";
  padContext.lineJoin = "round";
  padContext.beginPath();
  padContext.moveTo(last[0], last[1]);
  padContext.lineTo(next[0], next[1]);
  padContext.stroke();
  last = next;
});
const endStroke = (): void => {
  if (!drawing) return;
  drawing = false;
  last = null;
  void predictDrawing();
};
pad.addEventListener("pointerup", endStroke);
pad.addEventListener("pointercancel", endStroke);
$("clear").addEventListener("click", () => {
  clearPad();
  for (const which of ["page", "node"]) {
    $(`digit-${which}`).textContent = "–";
    $(`bars-${which}`).replaceChildren();
  }
  $<HTMLCanvasElement>("input28").getContext("2d")!.clearRect(0, 0, 28, 28);
});

/**
 * The drawing as MNIST would have it: the ink's bounding box scaled to fit 20×20 pixels, placed in
 * 28×28 with its centre of mass at the centre (as the MNIST images were made).
 */
function drawingAsMnist(): Uint8Array | null {
  const { data, width, height } = padContext.getImageData(0, 0, pad.width, pad.height);
  let x0 = width, y0 = height, x1 = -1, y1 = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (data[(y * width + x) * 4] > 32) {
        x0 = Math.min(x0, x);
        x1 = Math.max(x1, x);
        y0 = Math.min(y0, y);
        y1 = Math.max(y1, y);
      }
    }
  }
  if (x1 < 0) return null;
  const w = x1 - x0 + 1;
  const h = y1 - y0 + 1;
  const scale = 20 / Math.max(w, h);
  const small = document.createElement("canvas");
  small.width = 28;
  small.height = 28;
  const smallContext = small.getContext("2d", { willReadFrequently: true })!;
  smallContext.imageSmoothingQuality = "high";
  const sw = Math.max(1, Math.round(w * scale));
  const sh = Math.max(1, Math.round(h * scale));
  smallContext.drawImage(pad, x0, y0, w, h, Math.round((28 - sw) / 2), Math.round((28 - sh) / 2), sw, sh);
  const pixels = smallContext.getImageData(0, 0, 28, 28).data;
  const gray = new Uint8Array(28 * 28);
  let mass = 0, mx = 0, my = 0;
  for (let i = 0; i < 28 * 28; i++) {
    gray[i] = pixels[i * 4];
    mass += gray[i];
    mx += (i % 28) * gray[i];
    my += Math.floor(i / 28) * gray[i];
  }
  const dx = Math.round(13.5 - mx / mass);
  const dy = Math.round(13.5 - my / mass);
  const centred = new Uint8Array(28 * 28);
  for (let y = 0; y < 28; y++) {
    for (let x = 0; x < 28; x++) {
      const sx = x - dx;
      const sy = y - dy;
      if (sx >= 0 && sx < 28 && sy >= 0 && sy < 28) centred[y * 28 + x] = gray[sy * 28 + sx];
    }
  }
  return centred;
}

function showInput(pixels: Uint8Array): void {
  const context = $<HTMLCanvasElement>("input28").getContext("2d")!;
  const image = context.createImageData(28, 28);
  for (let i = 0; i < 28 * 28; i++) {
    image.data.set([pixels[i], pixels[i], pixels[i], 255], i * 4);
  }
  context.putImageData(image, 0, 0);
}

async function showPrediction(which: "page" | "node", model: keras.Model | undefined, input: keras.Tensor): Promise<void> {
  if (model === undefined) return;
  // `data()`: on WebGPU the prediction is on the GPU until read back.
  const probs = (await ((await model.predict(input, { verbose: 0 })) as keras.Tensor).data()) as Float32Array;
  let best = 0;
  for (let k = 1; k < 10; k++) if (probs[k] > probs[best]) best = k;
  $(`digit-${which}`).textContent = String(best);
  const bars = $(`bars-${which}`);
  bars.replaceChildren();
  probs.forEach((p, k) => {
    const label = document.createElement("span");
    label.textContent = String(k);
    const bar = document.createElement("div");
    bar.className = "bar";
    bar.style.width = `${Math.max(1, p * 100)}%`;
    if (k === best) bar.style.background = "#d62728";
    const value = document.createElement("span");
    value.textContent = p.toFixed(3);
    bars.append(label, bar, value);
  });
}

async function predictDrawing(): Promise<void> {
  const pixels = drawingAsMnist();
  if (pixels === null) return;
  showInput(pixels);
  const input = prepare(keras.ops.reshape(keras.ops.convertToTensor(pixels), [1, 28, 28]));
  await showPrediction("page", pageModel, input);
  await showPrediction("node", nodeModel, input);
  document.body.dataset.predicted = "yes";
}

// ---------------------------------------------------------------------------------------------
// Training, loading, saving

let data: Awaited<ReturnType<typeof keras.datasets.mnist.loadData>> | undefined;

/** The first `n` rows of a tensor that is on the host, as a tensor on the host. */
function hostRows(t: keras.Tensor, n: number): keras.Tensor {
  const rowSize = t.shape.slice(1).reduce((a, b) => a * b, 1);
  return keras.ops.reshape(keras.ops.convertToTensor(t.dataSync().subarray(0, n * rowSize)), [n, ...t.shape.slice(1)]);
}

async function train(): Promise<void> {
  $<HTMLButtonElement>("train").disabled = true;
  const [[xTrain, yTrain], [xTest, yTest]] = data!;
  const n = Math.min(SAMPLES, xTrain.shape[0]);
  // Rows taken on the host, where the data arrived (on WebGPU an op would put them on the GPU).
  const x = prepare(n < xTrain.shape[0] ? hostRows(xTrain, n) : xTrain);
  const y = n < yTrain.shape[0] ? hostRows(yTrain, n) : yTrain;
  keras.utils.setRandomSeed(1);
  const model = seedModel();
  status(`Training on ${n} images for ${EPOCHS} epoch(s)…`);
  const started = performance.now();
  const history = await model.fit(x, y, {
    epochs: EPOCHS,
    batchSize: 32,
    callbacks: [new keras.callbacks.LivePlot({ element: $("history"), title: "Training in the page" })],
  });
  const seconds = (performance.now() - started) / 1000;
  const { accuracy } = await model.evaluate(prepare(xTest), yTest, { returnDict: true, verbose: 0 });
  pageModel = model;
  const loss = history.history.loss.at(-1)!;
  status(`Trained in ${seconds.toFixed(1)} s (${(seconds / EPOCHS).toFixed(1)} s per epoch): loss ${loss.toFixed(4)}, test accuracy ${accuracy.toFixed(4)}. Draw a digit.`);
  document.body.dataset.trained = String(accuracy);
  for (const id of ["train", "save-idb", "load-idb", "download"]) $<HTMLButtonElement>(id).disabled = false;
}

async function loadNodeModel(): Promise<void> {
  try {
    nodeModel = await keras.saving.loadModel("models/mnist_mlp.keras");
    const [, [xTest, yTest]] = data!;
    const { accuracy } = await nodeModel.evaluate(prepare(xTest), yTest, { returnDict: true, verbose: 0 });
    $("node-model").textContent = `models/mnist_mlp.keras (trained in Node by the demo server): ${nodeModel.countParams()} parameters, test accuracy ${accuracy.toFixed(4)} in this page.`;
    await keras.utils.plotModel(nodeModel, { element: $("graph"), showShapes: true, showLayerActivations: true });
    document.body.dataset.nodeModel = String(accuracy);
  } catch (error) {
    $("node-model").textContent = `Could not load models/mnist_mlp.keras: ${(error as Error).message}`;
    throw error;
  }
}

$("train").addEventListener("click", () => void train());
$("save-idb").addEventListener("click", async () => {
  await pageModel!.save("indexeddb://mnist-mlp");
  $("save-status").textContent = "Saved to indexeddb://mnist-mlp.";
});
$("load-idb").addEventListener("click", async () => {
  pageModel = await keras.saving.loadModel("indexeddb://mnist-mlp");
  $("save-status").textContent = "Loaded indexeddb://mnist-mlp.";
  await predictDrawing();
});
$("download").addEventListener("click", async () => {
  await pageModel!.save("downloads://mnist-mlp.keras");
  $("save-status").textContent = "Downloading mnist-mlp.keras.";
});

async function main(): Promise<void> {
  clearPad();
  // The HDF5 reader of .keras files runs in a Web Worker the demo server builds.
  keras.saving.setHdf5WorkerUrl(new URL("h5_worker.js", location.href));
  keras.utils.setTextOutput(keras.utils.textElementStream($("progress")));
  const backend = await keras.backend.ready({ wasm: { baseUrl: new URL("wasm/", location.href).href } });
  $("backend").textContent = backend.name;
  $("threads").textContent = crossOriginIsolated ? "(cross-origin isolated: threads available)" : "(not cross-origin isolated: one thread)";
  status("Loading MNIST…");
  data = await keras.datasets.mnist.loadData({ url: "mnist/" });
  await loadNodeModel();
  if (params.get("autostart") === "0") {
    status("Ready: press Train.");
    $<HTMLButtonElement>("train").disabled = false;
  } else {
    await train();
  }
}

main().catch((error: Error) => {
  status(`Error: ${error.message}`);
  document.body.dataset.error = error.message;
  console.error(error);
});
