// `pinwire init` as a new user meets it: a project in an empty directory, `npm install` (which
// links this checkout: the project depends on it by path), then its build, its own type check
// in plain tsc (an editor's view) and its test on the virtual board all pass straight away.
import { existsSync, readFileSync, realpathSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { root } from "../scripts/device-bundle.mjs";
import { run, tempDir } from "./host-helpers";

const tsx = join(root, "node_modules", "tsx", "dist", "cli.mjs");
let tmp: ReturnType<typeof tempDir>;
let dir: string;

beforeAll(() => {
  tmp = tempDir("pinwire-init-");
  dir = join(tmp.dir, "My Lamp");
});
afterAll(() => tmp.cleanup());

describe("pinwire init", () => {
  it("makes a project that installs, builds, type-checks and passes its test", async () => {
    const init = await run(process.execPath, [tsx, join(root, "host", "cli.ts"), "init", dir], { timeoutMs: 60000 });
    expect(init.stderr).toBe("");
    expect(init.code).toBe(0);
    expect(init.stdout).toMatch(/^created my-lamp in .*My Lamp: \.gitignore, README\.md, app\.ts, main\.ts, package\.json, pinwire\.json, test\/app\.test\.ts, tsconfig\.json$/m);
    const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
    expect(pkg.name).toBe("my-lamp");
    expect(pkg.devDependencies.pinwire).toMatch(/^file:/);
    expect(JSON.parse(readFileSync(join(dir, "pinwire.json"), "utf8")).id).toBe("my-lamp");

    const install = await run("npm", ["install", "--offline", "--no-audit", "--no-fund"], { cwd: dir, timeoutMs: 120000 });
    expect(install.code, install.stderr).toBe(0);
    expect(realpathSync(join(dir, "node_modules", "pinwire"))).toBe(realpathSync(root));
    expect(existsSync(join(dir, "node_modules", ".bin", "pinwire"))).toBe(true);

    const build = await run("npx", ["--no-install", "pinwire", "build", "--board", "esp8266"], { cwd: dir, timeoutMs: 120000 });
    expect(build.stderr).toBe("");
    expect(build.code).toBe(0);
    expect(build.stdout).toMatch(/^dist\/esp8266\/app\.js {2}[\d,]+ B {2}\(my-lamp 0\.1\.0 for esp8266, script 0\.1\.0-[0-9a-f]{8}\)$/m);

    const tsc = await run(process.execPath, [join(root, "node_modules", "typescript", "bin", "tsc"), "-p", dir], { cwd: dir, timeoutMs: 120000 });
    expect(tsc.stdout + tsc.stderr).toBe("");
    expect(tsc.code).toBe(0);

    const test = await run("npm", ["test"], { cwd: dir, timeoutMs: 120000 });
    expect(test.stdout).toMatch(/^# pass 1$/m);
    expect(test.stdout).toMatch(/^# fail 0$/m);
    expect(test.code).toBe(0);
  }, 240000);

  it("refuses a directory that is not empty", async () => {
    const again = await run(process.execPath, [tsx, join(root, "host", "cli.ts"), "init", dir], { timeoutMs: 60000 });
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/is not empty \(give --force to write into it anyway\)/);
  }, 60000);
});
