/**
 * `keras.datasets`: small standard datasets, loaded as Keras loads them.
 *
 *   const [[xTrain, yTrain], [xTest, yTest]] = await keras.datasets.mnist.loadData();
 */
export * as mnist from "./mnist.js";
export * as fashion_mnist from "./fashion_mnist.js";
export * as fashionMnist from "./fashion_mnist.js";
export type { LoadDataOptions, LoadDataResult } from "./common.js";
export type { MnistLoadDataOptions } from "./mnist.js";
export { DownloadError, DEFAULT_BASE_URL, BASE_URL_ENV, OFFLINE_ENV, type DownloadOptions, type Checksum } from "./download.js";
export { datasetsCacheDir } from "./cache.js";
export { readNpz, readNpy } from "./npz.js";
