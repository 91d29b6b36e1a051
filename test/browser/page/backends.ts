/**
 * The page's fast backends, each checked against the reference backend by tests.ts: a fresh
 * instance of each (the active backend is not changed), or why it does not load here.
 */
import * as keras from "keras-ts";

export type Candidate = { name: string; backend: keras.backend.Backend } | { name: string; error: string };

export async function fastBackends(): Promise<Candidate[]> {
  return [{ name: "wasm", error: "the wasm backend is not in this build yet" }];
}
