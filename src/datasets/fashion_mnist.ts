/**
 * `keras.datasets.fashion_mnist`: Zalando's Fashion-MNIST, 60,000 training and 10,000 test
 * 28x28 grayscale images of 10 kinds of clothing.
 *
 * | Label | Description | Label | Description |
 * |:-----:|-------------|:-----:|-------------|
 * |   0   | T-shirt/top |   5   | Sandal      |
 * |   1   | Trouser     |   6   | Shirt       |
 * |   2   | Pullover    |   7   | Sneaker     |
 * |   3   | Dress       |   8   | Bag         |
 * |   4   | Coat        |   9   | Ankle boot  |
 *
 * The copyright for Fashion-MNIST is held by Zalando SE; it is licensed under the MIT license.
 */
import { platform } from "../platform/platform.js";
import { datasetsCacheDir, findFiles } from "./cache.js";
import { downloadFix, IDX_FILE_NAMES, loadIdxSet, notFoundError, parseIdxSet, type LoadDataOptions, type LoadDataResult } from "./common.js";
import { downloadsEnabled, expectedChecksum, fetchVerified, resolveBaseUrl, saveToCache, type Checksum, type Downloaded } from "./download.js";

/** Where Debian's `dataset-fashion-mnist` package installs the four gzipped IDX files. */
export const DEBIAN_DIR = "/usr/share/datasets/fashion-mnist";

/** The cache's subfolder, as in Keras: `<cacheDir>/fashion-mnist/<file>.gz`. */
export const CACHE_SUBDIR = "fashion-mnist";

/**
 * SHA-256 of each file Keras downloads: `sha256` of the archive at
 * https://storage.googleapis.com/tensorflow/tf-keras-datasets/ (Keras's own FILE_HASHES), and
 * `contentSha256` of the decompressed IDX bytes (so a recompressed copy, such as Debian's, passes).
 */
export const FILE_CHECKSUMS: Readonly<Record<string, Checksum>> = Object.freeze({
  "train-images-idx3-ubyte.gz": {
    sha256: "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
    contentSha256: "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
  },
  "train-labels-idx1-ubyte.gz": {
    sha256: "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
    contentSha256: "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
  },
  "t10k-images-idx3-ubyte.gz": {
    sha256: "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
    contentSha256: "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
  },
  "t10k-labels-idx1-ubyte.gz": {
    sha256: "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
    contentSha256: "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
  },
});

const WHERE = "fashion_mnist.loadData";

/**
 * Loads Fashion-MNIST: `[[xTrain, yTrain], [xTest, yTest]]`, uint8 images [60000,28,28] and
 * [10000,28,28], uint8 labels 0-9 [60000] and [10000].
 *
 * Looks, in order, in the cache (`<cacheDir>/fashion-mnist/`: the four files
 * train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte,
 * each gzipped with a .gz suffix or not), then in Debian's `dataset-fashion-mnist`
 * (/usr/share/datasets/fashion-mnist), then downloads the four .gz files from Keras's URL,
 * checks their SHA-256 and caches them.
 */
export async function loadData(options: LoadDataOptions = {}): Promise<LoadDataResult> {
  const cacheDir = datasetsCacheDir(options.cacheDir);
  const { join } = platform().path;
  const cacheSub = join(cacheDir, CACHE_SUBDIR);
  const looked: string[] = [];
  const idxList = IDX_FILE_NAMES.map((n) => `${n}[.gz]`).join(", ");

  const cached = await findFiles(cacheSub, IDX_FILE_NAMES);
  if (cached.missing.length === 0) return loadIdxSet(WHERE, cached.paths, ` (in the cache ${cacheSub}: delete the file to download it again)`);
  looked.push(`the cache ${cacheSub}/: ${cached.paths.length === 0 ? `no ${idxList}` : `missing ${cached.missing.join(", ")}`}`);

  for (const dir of options.localDirs ?? [DEBIAN_DIR]) {
    const found = await findFiles(dir, IDX_FILE_NAMES);
    if (found.missing.length === 0) return loadIdxSet(WHERE, found.paths, "");
    const what = dir === DEBIAN_DIR ? "Debian's dataset-fashion-mnist " : "";
    looked.push(`${what}${dir}/: ${found.paths.length === 0 ? `no ${idxList}` : `missing ${found.missing.join(", ")}`}`);
  }

  const enabled = downloadsEnabled(options.download);
  const fixes = [
    "`apt-get install dataset-fashion-mnist` (Debian/Ubuntu; installs the files in /usr/share/datasets/fashion-mnist)",
    `put the four Fashion-MNIST .gz files (${IDX_FILE_NAMES.map((n) => `${n}.gz`).join(", ")}) in ${cacheSub}/ (set KERAS_HOME or the cacheDir option to use another folder)`,
    downloadFix(enabled),
  ];
  if (!enabled) {
    throw notFoundError(WHERE, "Fashion-MNIST", looked, "downloads are turned off (download: false or KERAS_TS_DATASETS_OFFLINE)", fixes);
  }
  const baseUrl = resolveBaseUrl(options.baseUrl);
  const downloads: Downloaded[] = [];
  try {
    // Everything is fetched and verified before anything is cached.
    for (const name of IDX_FILE_NAMES) {
      const fileName = `${name}.gz`;
      downloads.push(await fetchVerified(baseUrl, fileName, expectedChecksum(fileName, FILE_CHECKSUMS, options.checksums)));
    }
  } catch (error) {
    throw notFoundError(WHERE, "Fashion-MNIST", looked, error as Error, fixes);
  }
  const result = parseIdxSet(
    WHERE,
    downloads.map((d) => ({ name: `${d.fileName} (downloaded)`, bytes: d.content ?? d.bytes })),
  );
  for (const d of downloads) await saveToCache(join(cacheSub, d.fileName), d.bytes);
  return result;
}
