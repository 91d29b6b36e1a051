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
