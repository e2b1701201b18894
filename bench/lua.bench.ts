// The protocol core on Lua: builds dist/lua if stale, runs every vector of test/lua-vectors.ts on
// lua5.1 (+ lua-bitop), luajit and lua5.3, then the throughput of the hot paths (lua/bench.lua)
// and the size of each build. Run: npm run bench:lua. The last line is the summary CI reads:
//   lua: <N> vectors identical on lua5.1, luajit, lua5.3; <B> bytes
// (N vectors, each checked on all three; B the size of the compiled core for the 5.1 + bit
// build that NodeMCU runs).
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildLua, isStale, outDir, ROOT, TARGETS } from "../scripts/build-lua.mjs";
import { INTERPRETERS, makeVectors, mismatches, runLua } from "../test/lua-vectors";

function luaBytes(dir: string): { files: number; bytes: number } {
  let files = 0;
  let bytes = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile() || !e.name.endsWith(".lua")) continue;
    files++;
    bytes += statSync(join(e.parentPath, e.name)).size;
  }
  return { files, bytes };
}

async function main(): Promise<void> {
  if (isStale()) buildLua();
  const vectors = makeVectors();
  const dir = mkdtempSync(join(tmpdir(), "pinwire-lua-bench-"));
  const file = join(dir, "vectors.txt");
  writeFileSync(file, vectors.map((v) => v.line).join("\n") + "\n");
  let failed = false;
  try {
    for (const { cmd, build } of INTERPRETERS) {
      const t0 = performance.now();
      const got = await runLua(cmd, outDir(build), file, false, join(ROOT, "lua", "vectors.lua"));
      const ms = performance.now() - t0;
      const bad = mismatches(vectors, got);
      console.log(`${cmd.padEnd(7)} dist/lua/${build.padEnd(4)} ${vectors.length} vectors in ${ms.toFixed(0)} ms: ${bad.length ? bad.length + " MISMATCHES" : "identical"}`);
      for (const b of bad) console.log("  " + b);
      if (bad.length) failed = true;
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  console.log("\nops/s (lua/bench.lua)");
  const rows = new Map<string, string[]>();
  for (const { cmd, build } of INTERPRETERS) {
    const out = execFileSync(cmd, [join(ROOT, "lua", "bench.lua"), outDir(build)], { encoding: "utf8" });
    for (const line of out.trim().split("\n")) {
      const [name, ops] = line.split(" ");
      if (!rows.has(name)) rows.set(name, []);
      rows.get(name)!.push(Number(ops).toLocaleString("en-US"));
    }
  }
  console.log("case".padEnd(22) + INTERPRETERS.map((i) => i.cmd.padStart(12)).join(""));
  for (const [name, v] of rows) console.log(name.padEnd(22) + v.map((x) => x.padStart(12)).join(""));

  console.log("");
  for (const t of TARGETS) {
    const s = luaBytes(outDir(t.name));
    console.log(`dist/lua/${t.name} (luaTarget ${t.luaTarget}): ${s.files} files, ${s.bytes} bytes`);
  }
  if (failed) {
    console.log("lua: MISMATCH between Node and Lua (see above)");
    process.exit(1);
  }
  const core = luaBytes(outDir("jit")).bytes;
  console.log(`lua: ${vectors.length} vectors identical on lua5.1, luajit, lua5.3; ${core} bytes`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
