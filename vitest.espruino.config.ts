import { defineConfig } from "vitest/config";

// The real-interpreter suite (npm run test:espruino): Espruino 2v29's own Linux builds run the
// board bundles exactly as `pinwire flash` lays them out. Each test drives interpreter processes;
// files run one at a time so their timings do not compete for the 2 cores.
export default defineConfig({
  test: {
    include: ["test/espruino/**/*.test.ts"],
    globalSetup: ["test/global-setup.ts"],
    testTimeout: 60000,
    hookTimeout: 60000,
    pool: "forks",
    fileParallelism: false,
  },
});
