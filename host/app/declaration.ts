// An app's declaration (device/declare.ts), evaluated on the host: loaded from its TypeScript
// file, checked, turned into the catalogue (docs/catalogue.md) and into the module that stands
// in for the declaration file in a board bundle, where a message is its code and a part is its
// pins and options for that board.
import { createHash } from "node:crypto";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { tsImport } from "tsx/esm/api";
import { CATALOGUE_VERSION, canonicalCatalogue, catalogueProblem, layoutOf, type Catalogue, type MessageSpec } from "../../shared/catalogue";
import type { AppDecl, BoardName, MessageDecl, PartDecl } from "../../device/declare";
import { root } from "../../scripts/device-bundle.mjs";

export class DeclarationError extends Error {}

export interface LoadedApp {
  file: string;
  app: AppDecl;
  // Every export of the declaration file, by name (messages, parts, default, anything else).
  exports: Record<string, unknown>;
  catalogue: Catalogue;
}

// `onImport` hears the URL of every module the declaration loads (itself included).
export async function loadApp(file: string, onImport?: (url: string) => void): Promise<LoadedApp> {
  const abs = resolve(file);
  let mod: Record<string, unknown>;
  try {
    mod = (await tsImport(pathToFileURL(abs).href, { parentURL: import.meta.url, onImport })) as Record<string, unknown>;
  } catch (e) {
    throw new DeclarationError("cannot load the app declaration " + file + ": " + (e as Error).message);
  }
  const app = mod.default as AppDecl | undefined;
  if (!app || typeof app !== "object" || !app.messages) throw new DeclarationError(file + " must `export default defineApp({...})`");
  return { file: abs, app, exports: mod, catalogue: catalogueOf(app) };
}

const isMessage = (v: unknown): v is MessageDecl => !!v && typeof v === "object" && "__message" in v;
const isPart = (v: unknown): v is PartDecl => !!v && typeof v === "object" && "kind" in v && "pins" in v && "options" in v;

// The catalogue of a declaration, checked (throws DeclarationError naming what is wrong).
export function catalogueOf(app: AppDecl): Catalogue {
  const messages: MessageSpec[] = Object.entries(app.messages).map(([name, m]) => {
    if (!isMessage(m)) throw new DeclarationError("messages." + name + " is not a message(...)");
    const spec: MessageSpec = { name, code: m.code, dir: m.dir, payload: m.payload ?? "int32" };
    for (const k of ["unit", "range", "control", "reports", "ui", "ha"] as const) if (m[k] !== undefined) (spec as unknown as Record<string, unknown>)[k] = m[k];
    return spec;
  });
  const base = { pinwire: CATALOGUE_VERSION, app: app.name, version: app.version, messages };
  const hash = createHash("sha256").update(canonicalCatalogue(base)).digest("hex").slice(0, 8);
  const cat: Catalogue = { pinwire: base.pinwire, app: base.app, version: base.version, hash, messages };
  const bad = catalogueProblem(cat);
  if (bad) throw new DeclarationError("app " + app.name + ": " + bad);
  for (const [name, p] of Object.entries(app.parts ?? {})) if (!isPart(p)) throw new DeclarationError("parts." + name + " is not a part(...)");
  return cat;
}

// A C struct member list as the board's packer reads it: [name, type, offset] per member, with
// type one of u8 i8 u16 i16 u32 i32 f32 or cN (char[N]).
function boardLayout(spec: MessageSpec): unknown {
  const s = layoutOf(spec);
  const short: Record<string, string> = { uint8: "u8", int8: "i8", uint16: "u16", int16: "i16", uint32: "u32", int32: "i32", float32: "f32" };
  return { c: spec.code, z: s.size, l: s.fields.slice(1).map((f) => [f.name, f.type === "char" ? "c" + f.size : short[f.type], f.offset]) };
}

// What a part is on one board: its name (for pinwire.json overrides), pins and options.
function boardPart(name: string, p: PartDecl, board: BoardName): unknown {
  return { n: name, p: p.pins[board], o: p.options };
}

// The module that replaces the declaration file in the board bundle: the same export names,
// with board values. `meta` (the default export) is what the runtime needs of the catalogue.
export function boardModule(loaded: LoadedApp, board: BoardName): string {
  const { app, exports, catalogue } = loaded;
  const names = new Map<unknown, string>();
  for (const [n, m] of Object.entries(app.messages)) names.set(m, n);
  for (const [n, p] of Object.entries(app.parts ?? {})) names.set(p, n);
  const lines: string[] = [];
  let structs = false;
  for (const [exp, v] of Object.entries(exports)) {
    if (exp === "default") continue;
    let value: unknown;
    if (isMessage(v)) {
      const spec = catalogue.messages.find((m) => m.name === names.get(v));
      if (!spec) throw new DeclarationError("export " + exp + " is a message missing from defineApp's messages");
      if (spec.payload !== "int32") {
        const l = boardLayout(spec) as { c: number; z: number; l: unknown };
        lines.push(`export var ${exp} = structMessage(${l.c}, ${l.z}, ${JSON.stringify(l.l)});`);
        structs = true;
        continue;
      }
      value = spec.code;
    } else if (isPart(v)) {
      const name = names.get(v);
      if (!name) throw new DeclarationError("export " + exp + " is a part missing from defineApp's parts");
      value = boardPart(name, v, board);
    } else if (v === null || ["number", "string", "boolean"].includes(typeof v)) value = v;
    else continue;
    lines.push(`export var ${exp} = ${JSON.stringify(value)};`);
  }
  if (structs) lines.unshift(`import { structMessage } from ${JSON.stringify(join(root, "device", "struct-msg.ts"))};`);

  return lines.join("\n") + "\n";
}

// The module "pinwire:app" of a board bundle (typed in device/board.d.ts): what the runtime needs
// to announce and check messages. The catalogue text, the command table and the report list are
// functions declared at the top level, so their literals are only made when used and cost no
// RAM in between (docs/espruino.md).
export function appModule(c: Catalogue): string {
  const cmds = c.messages
    .filter((m) => m.dir !== "report")
    .map((m) => (m.payload === "int32" ? [m.code, m.range ? m.range[0] : -2147483648, m.range ? m.range[1] : 2147483647, m.control ?? "", m.unit ?? ""] : [m.code, "*", layoutOf(m).size, m.control ?? "", ""]).join(" "))
    .join(";");
  const reports = c.messages.filter((m) => m.dir !== "command").map((m) => m.code);
  return [
    `export var APP_NAME = ${JSON.stringify(c.app)};`,
    `export var APP_VERSION = ${JSON.stringify(c.version)};`,
    `export var APP_HASH = ${JSON.stringify(c.hash)};`,
    `export function APP_CATALOGUE() { return ${JSON.stringify(JSON.stringify(c))}; }`,
    `export function APP_COMMANDS() { return ${JSON.stringify(cmds)}; }`,
    `export function APP_REPORTS() { return ${JSON.stringify(reports)}; }`,
  ].join("\n");
}
