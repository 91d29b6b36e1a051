/**
 * `npm run demo`: serves the browser demo (examples/browser/) on 127.0.0.1, by default on port
 * 8080 (`PORT=...` or `--port=...` for another), until stopped with Ctrl-C.
 */
import { startDemoServer } from "./demo_server.js";

const portArg = process.argv.find((a) => a.startsWith("--port="))?.slice("--port=".length) ?? process.env.PORT ?? "8080";
const port = Number(portArg);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`npm run demo: the port must be a number from 0 to 65535, got ${JSON.stringify(portArg)}`);
  process.exit(2);
}
const server = await startDemoServer({ port, minify: process.argv.includes("--minify") });
console.log(`keras-ts browser demo: ${server.url} (Ctrl-C stops it)`);
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    void server.close().then(() => process.exit(0));
  });
}
