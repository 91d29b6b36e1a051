/**
 * The messages `console.warn` printed while `fn` ran (keras-ts's Python-style warnings go there;
 * like Python's, each message is shown once per process).
 */
export async function captureWarnings(fn: () => Promise<void> | void): Promise<string[]> {
  const messages: string[] = [];
  const warn = console.warn;
  console.warn = (...args: unknown[]) => void messages.push(args.map(String).join(" "));
  try {
    await fn();
  } finally {
    console.warn = warn;
  }
  return messages;
}

/**
 * What `fn` wrote to process.stdout as text (a progress bar, a summary). Binary writes pass on:
 * while `fit` lets the event loop turn, the test runner may write its own messages.
 */
export async function captureStdout(fn: () => Promise<void> | void): Promise<string> {
  const chunks: string[] = [];
  const stdout = process.stdout as unknown as { write: (s: string | Uint8Array) => boolean };
  const original = stdout.write;
  stdout.write = (s: string | Uint8Array) => {
    if (typeof s !== "string") return original.call(process.stdout, s);
    chunks.push(s);
    return true;
  };
  try {
    await fn();
  } finally {
    stdout.write = original;
  }
  return chunks.join("");
}
