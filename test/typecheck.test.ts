// The build transpiles file by file and does not type-check: the type checks run here, for the
// board tree (ES5 lib, Espruino's typings) and for the host tree.
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { root } from "../scripts/device-bundle.mjs";

function tsc(project: string): string {
  try {
    execFileSync(process.execPath, [join(root, "node_modules", "typescript", "bin", "tsc"), "--noEmit", "-p", join(root, project)], { cwd: root, encoding: "utf8" });
    return "";
  } catch (e) {
    return String((e as { stdout?: string }).stdout || e);
  }
}

describe("type checks", () => {
  it("the board tree (tsconfig.device.json)", () => {
    expect(tsc("tsconfig.device.json")).toBe("");
  }, 120000);
  it("the host tree (tsconfig.json)", () => {
    expect(tsc("tsconfig.json")).toBe("");
  }, 120000);
});
