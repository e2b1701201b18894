// App projects for the toolchain suites: `pinwire init`'s template in a temp directory, with
// pinwire linked into its node_modules as `npm install` links it (a symlink to this checkout),
// and any file replaced or added.
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { initProject, TEMPLATE } from "../../host/app/init";
import { root } from "../../scripts/device-bundle.mjs";
import { tempDir } from "../host-helpers";

export interface TempProject {
  dir: string;
  name: string;
  file(name: string): string; // its path
  read(name: string): string;
  write(name: string, text: string): void;
  cleanup(): void;
}

export function tempProject(name: string, files: Record<string, string> = {}): TempProject {
  const t = tempDir("pinwire-app-");
  const dir = join(t.dir, name);
  const made = initProject(dir, { name });
  mkdirSync(join(dir, "node_modules"), { recursive: true });
  symlinkSync(root, join(dir, "node_modules", "pinwire"));
  const p: TempProject = {
    dir,
    name: made.name,
    file: (f) => join(dir, f),
    read: (f) => readFileSync(join(dir, f), "utf8"),
    write: (f, text) => {
      mkdirSync(dirname(join(dir, f)), { recursive: true });
      writeFileSync(join(dir, f), text);
    },
    cleanup: t.cleanup,
  };
  for (const [f, text] of Object.entries(files)) p.write(f, text);
  return p;
}

// The template's logic file with its start-up log line saying `text` instead.
export function withStartLine(p: TempProject, text: string): string {
  const main = readFileSync(join(TEMPLATE, "main.ts"), "utf8").replaceAll("{{name}}", p.name);
  const line = 'log("' + p.name + ' started");';
  if (!main.includes(line)) throw new Error("the template's start-up line is not " + line);
  return main.replace(line, "log(" + JSON.stringify(text) + ");");
}
