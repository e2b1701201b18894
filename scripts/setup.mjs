// Installs what pinwire needs on a fresh machine that has only Node: npm packages always,
// and with --test the Debian packages the test suites drive as real peers.
import { execSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const forTests = process.argv.includes("--test");

function run(cmd) {
  console.log("[setup] " + cmd);
  execSync(cmd, { cwd: root, stdio: "inherit" });
}

// npm: install when node_modules is missing or was installed from another package-lock.json.
// Compared by content, not mtime: a fresh checkout gives every file a new mtime.
const lock = join(root, "package-lock.json");
const stamp = join(root, "node_modules", ".pinwire-lock-sha1");
const lockHash = existsSync(lock) ? createHash("sha1").update(readFileSync(lock)).digest("hex") : "none";
const installed = existsSync(join(root, "node_modules", ".package-lock.json")) && existsSync(stamp) ? readFileSync(stamp, "utf8") : "";
if (installed !== lockHash) {
  run(existsSync(lock) ? "npm ci --no-audit --no-fund" : "npm install --no-audit --no-fund");
  writeFileSync(stamp, lockHash);
}

if (forTests) {
  // command on PATH -> Debian package that provides it
  const wanted = {
    mosquitto: "mosquitto",
    mosquitto_pub: "mosquitto-clients",
    chromium: "chromium",
    "lua5.1": "lua5.1",
    luajit: "luajit",
    "lua5.3": "lua5.3",
  };
  const has = (c) => spawnSync("sh", ["-c", "command -v " + c + " || test -x /usr/sbin/" + c], { stdio: "ignore" }).status === 0;
  const missing = new Set();
  for (const [cmd, pkg] of Object.entries(wanted)) if (!has(cmd)) missing.add(pkg);
  // lua-bitop is a library, not a command: ask Lua 5.1 whether it can load it.
  if (missing.has("lua5.1") || spawnSync("lua5.1", ["-e", 'require("bit")'], { stdio: "ignore" }).status !== 0) missing.add("lua-bitop");
  if (missing.size) {
    const list = [...missing].join(" ");
    if (process.getuid && process.getuid() === 0) {
      run("apt-get update -qq");
      run("DEBIAN_FRONTEND=noninteractive apt-get install -y -qq " + list);
    } else {
      console.error("[setup] the tests need these Debian packages: " + list);
      console.error("[setup] run as root, or: sudo apt-get install -y " + list);
      process.exit(1);
    }
  }
}
