// The example apps (examples/<name>/) as a maker's board runs them: built by `pinwire build`'s
// builder for one board, laid out in a virtual board's Storage as `pinwire flash` lays out a
// chip's (loader, script, the runtime's modules, pinwire.json), and booted.
import { join } from "node:path";
import { flashFiles } from "../../flash/usb";
import { runtimeModules } from "../../host/app/build";
import { type AppBuild, AppBuilder, findProject } from "../../host/app/project";
import { type BoardName, VirtualBoard } from "../../host/vboard";
import { root } from "../../scripts/device-bundle.mjs";
import { tempDir } from "../host-helpers";

export type ExampleName = "servo-light" | "sensor-struct" | "button-relay";

const builders = new Map<ExampleName, AppBuilder>();
const builds = new Map<string, Promise<AppBuild>>();

export const exampleDir = (name: ExampleName): string => join(root, "examples", name);

// The example's script for a board, built once per process.
export function buildExample(name: ExampleName, board: BoardName = "esp8266"): Promise<AppBuild> {
  let b = builders.get(name);
  if (!b) builders.set(name, (b = new AppBuilder(findProject(join(exampleDir(name), "main.ts")))));
  const key = name + "/" + board;
  let p = builds.get(key);
  if (!p) builds.set(key, (p = b.build(board)));
  return p;
}

export interface ExampleBoard {
  board: VirtualBoard;
  build: AppBuild;
  out(): string; // everything it printed
  close(): Promise<void>;
}

// Boots the example with `config` as its pinwire.json. `before` runs before the boot (wire the
// board's inputs: a sensor's level, a pin held).
export async function bootExample(name: ExampleName, config: object, board: BoardName = "esp8266", before?: (b: VirtualBoard) => void): Promise<ExampleBoard> {
  const build = await buildExample(name, board);
  const { dir, cleanup } = tempDir("pinwire-example-");
  let text = "";
  const vb = new VirtualBoard({ board, storageDir: dir, console: (t) => (text += t) });
  for (const f of await flashFiles(board, config, build.code, await runtimeModules(board))) vb.storage.write(f.name, f.data);
  before?.(vb);
  await vb.boot();
  return {
    board: vb,
    build,
    out: () => text,
    async close() {
      await vb.stop();
      cleanup();
    },
  };
}
