// Builds every board's device bundle and the bench size-probe entries once, before any suite,
// then tells the test workers (forked after this) not to recompile build/device-es5: parallel
// workers rewriting files that other workers bundle from made suites flaky.
import { BOARDS, buildBoard, compileES5, ES5_BUILT_ENV } from "../scripts/device-bundle.mjs";

export default async function setup(): Promise<void> {
  for (const b of BOARDS) await buildBoard(b);
  compileES5("bench/tsconfig.device.json");
  process.env[ES5_BUILT_ENV] = "1";
}
