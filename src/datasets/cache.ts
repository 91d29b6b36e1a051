/** Where datasets are cached, as in Keras: `$KERAS_HOME/datasets`, else `~/.keras/datasets`. */
import { platform } from "../platform/platform.js";

/**
 * The directory datasets are cached in: `cacheDir` when given, else `$KERAS_HOME/datasets` when
 * KERAS_HOME is set, else `~/.keras/datasets` (the layout Python Keras uses, so its cache is shared).
 */
export function datasetsCacheDir(cacheDir?: string): string {
  const { path, env } = platform();
  if (cacheDir !== undefined && cacheDir !== "") return path.resolve(cacheDir);
  const kerasHome = env("KERAS_HOME");
  if (kerasHome !== undefined && kerasHome !== "") return path.resolve(kerasHome, "datasets");
  return path.join(platform().homeDir() ?? "/", ".keras", "datasets");
}

export async function isFile(path: string): Promise<boolean> {
  return (await platform().fileInfo(path))?.kind === "file";
}

/**
 * Finds each of `names` in `dir`, gzipped (`name.gz`, tried first) or not. Returns the paths in
 * order, or the names that are missing.
 */
export async function findFiles(dir: string, names: readonly string[]): Promise<{ paths: string[]; missing: string[] }> {
  const { join } = platform().path;
  const paths: string[] = [];
  const missing: string[] = [];
  for (const name of names) {
    const gz = join(dir, `${name}.gz`);
    const raw = join(dir, name);
    if (await isFile(gz)) paths.push(gz);
    else if (await isFile(raw)) paths.push(raw);
    else missing.push(name);
  }
  return { paths, missing };
}
