/**
 * `npm test` fails on an import cycle in src/ (dependency-cruiser, run by `npm run check:cycles`).
 * Type-only imports are erased at compile time and do not count; dynamic import() does.
 */
module.exports = {
  forbidden: [
    {
      name: "no-circular",
      severity: "error",
      comment: "A runtime import cycle in src/: break it with a registration hook or by moving the shared piece down.",
      from: {},
      to: { circular: true, viaOnly: { dependencyTypesNot: ["type-only"] } },
    },
  ],
  options: {
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    doNotFollow: { path: "node_modules" },
  },
};
