// Runs the vitest suites (of the config given with --config, default vitest.config.ts) and ends
// with the plain `N passed, N failed` line CI reads.
import { spawnSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";

const cfg = process.argv.indexOf("--config");
const out = cfg > 0 ? ".vitest-results." + process.argv[cfg + 1].replace(/\W/g, "_") + ".json" : ".vitest-results.json";
rmSync(out, { force: true });
const args = ["vitest", "run", "--reporter=default", "--reporter=json", "--outputFile.json=" + out, ...process.argv.slice(2)];
const r = spawnSync("npx", args, { stdio: "inherit" });
let passed = 0;
let failed = 0;
try {
  const j = JSON.parse(readFileSync(out, "utf8"));
  passed = j.numPassedTests;
  // Every test that did not pass counts as failed: a skipped one too (the suite skips none of
  // its own), which is what vitest reports for the tests of a file whose setup failed. A file that
  // failed before it had any test counts once.
  failed = j.numTotalTests - j.numPassedTests;
  for (const s of j.testResults) if (s.status === "failed" && !s.assertionResults.length) failed++;
} catch (e) {
  failed++;
  console.error("could not read vitest results: " + e.message);
}
if (r.status !== 0 && failed === 0) failed = 1;
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
