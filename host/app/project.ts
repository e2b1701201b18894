// An app project as `pinwire build`, `run` and `push` see it: the logic file (default main.ts),
// its declaration (default app.ts beside it) and the board config pinwire.json beside them; and
// the builder that turns it into a board's script: type check with the board typings and the
// Espruino rules (check.ts), the ES5 gate on every file the bundle takes in, then the board
// pipeline (build.ts). One builder serves a whole `run --watch` session, so a rebuild re-parses
// only what changed. A failure is a BuildError: every problem at its file, line and column.
import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { readFile } from "node:fs/promises";
import { dirname, join, relative, resolve, sep } from "node:path";
import type { Plugin } from "esbuild";
import ts from "typescript";
import { root } from "../../scripts/device-bundle.mjs";
import { crc32 } from "../../shared/crc32";
import type { BoardName } from "../../shared/boards";
import { buildApp } from "./build";
import { type BoardDiagnostic, BoardChecker, formatDiagnostics, sortDiagnostics } from "./check";
import { DeclarationError, loadApp, type LoadedApp } from "./declaration";
import { gateProblems, gateTypeScript } from "./es5-gate";

export interface Project {
  dir: string;
  entry: string; // the logic file
  app: string; // the declaration
  config: string; // pinwire.json (may not exist)
}

export class ProjectError extends Error {}

// The project of an entry (default main.ts in cwd) and its declaration (default app.ts beside it).
export function findProject(entry?: string, app?: string, cwd = process.cwd()): Project {
  const e = resolve(cwd, entry ?? "main.ts");
  if (!existsSync(e)) throw new ProjectError("no " + (entry ?? "main.ts") + " here (" + cwd + "): give the app's logic file, or start a project with `pinwire init <dir>`");
  const dir = dirname(e);
  const a = app ? resolve(cwd, app) : join(dir, "app.ts");
  if (!existsSync(a)) throw new ProjectError("no app declaration " + (app ?? relative(cwd, a)) + " (the file that does `export default defineApp({...})`; give it with --app)");
  return { dir, entry: e, app: a, config: join(dir, "pinwire.json") };
}

export class BuildError extends Error {
  constructor(
    readonly diagnostics: BoardDiagnostic[],
    readonly stage: "check" | "declaration" | "bundle" | "gate",
  ) {
    super(formatDiagnostics(diagnostics));
  }
}

export interface AppBuild {
  board: BoardName;
  code: string;
  bytes: number;
  version: string; // the script version a push gives it: <app version>-<CRC32 of the script>
  app: { name: string; version: string; hash: string; messages: number };
  inputs: string[]; // every file the build read (what --watch watches)
  ms: { check: number; bundle: number; total: number };
}

const RUNTIME = ["device", "shared", "types"].map((d) => join(root, d) + sep);
const isAppFile = (f: string) => !RUNTIME.some((d) => f.startsWith(d)) && !f.includes(sep + "node_modules" + sep + "tslib" + sep);

// The ES5 gate on each file esbuild takes in (except pinwire's own, which its tests hold to the
// gate, and the declaration, which becomes constants): an app's TypeScript before it is
// transpiled, a package's JavaScript as it is. Its problems are reported at their lines.
function gatePlugin(declaration: string, problems: BoardDiagnostic[], inputs: Set<string>): Plugin {
  return {
    name: "pinwire-gate",
    setup(b) {
      b.onLoad({ filter: /\.[cm]?[jt]s$/ }, async (a) => {
        const file = resolve(a.path);
        inputs.add(file);
        if (!isAppFile(file) || file === declaration) return undefined;
        const text = await readFile(file, "utf8");
        const found = /\.ts$/.test(file) ? gateTypeScript(ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true)) : gateProblems(text, { anySlice: false });
        for (const p of found) problems.push({ file, line: p.line, column: p.column, length: 1, code: "espruino", message: "Espruino 2v29 cannot run this: " + p.message });
        // undefined: the next plugin (the app's, then the TypeScript loader) loads the file.
        return undefined;
      });
    },
  };
}

// esbuild's errors (an import that does not resolve, a syntax it cannot lower) as diagnostics.
function esbuildDiagnostics(e: unknown): BoardDiagnostic[] | null {
  const errs = (e as { errors?: { text: string; location?: { file: string; line: number; column: number; length: number } | null }[] }).errors;
  if (!Array.isArray(errs)) return null;
  return errs.map((x) => ({
    file: x.location ? resolve(x.location.file) : "",
    line: x.location?.line ?? 0,
    column: (x.location?.column ?? 0) + 1,
    length: x.location?.length ?? 1,
    code: "bundle",
    message: x.text,
  }));
}

export class AppBuilder {
  private readonly checker: BoardChecker;

  constructor(
    readonly project: Project,
    private readonly o: { typecheck?: boolean } = {},
  ) {
    this.checker = new BoardChecker(project.dir);
  }

  // The declaration evaluated, again only when a file it loaded has changed (each evaluation
  // loads its modules anew, which a long watch session would pile up).
  private decl?: { files: Map<string, string>; loaded: LoadedApp };

  private async declaration(): Promise<LoadedApp> {
    const same = (m: Map<string, string>) => [...m].every(([f, text]) => existsSync(f) && readFileSync(f, "utf8") === text);
    if (this.decl && same(this.decl.files)) return this.decl.loaded;
    const urls: string[] = [];
    let loaded: LoadedApp;
    try {
      loaded = await loadApp(this.project.app, (u) => urls.push(u));
    } catch (e) {
      if (!(e instanceof DeclarationError)) throw e;
      throw new BuildError([{ file: this.project.app, line: 1, column: 1, length: 0, code: "declaration", message: e.message }], "declaration");
    }
    const files = new Map<string, string>();
    for (const u of urls) {
      if (!u.startsWith("file:")) continue;
      const f = fileURLToPath(u.replace(/\?.*$/, ""));
      if (existsSync(f)) files.set(f, readFileSync(f, "utf8"));
    }
    if (!files.has(resolve(this.project.app))) files.set(resolve(this.project.app), readFileSync(this.project.app, "utf8"));
    this.decl = { files, loaded };
    return loaded;
  }

  async build(board: BoardName): Promise<AppBuild> {
    const p = this.project;
    const t0 = performance.now();
    if (this.o.typecheck !== false) {
      const d = this.checker.check([p.entry, p.app], [p.app]);
      if (d.length) throw new BuildError(d, "check");
    }
    const t1 = performance.now();
    const loaded = await this.declaration();
    const problems: BoardDiagnostic[] = [];
    const inputs = new Set<string>([p.entry, p.app]);
    let code: string;
    try {
      code = (await buildApp({ main: p.entry, app: p.app }, board, loaded, [gatePlugin(resolve(p.app), problems, inputs)])).code;
    } catch (e) {
      if (problems.length) throw new BuildError(sortDiagnostics(problems), "gate");
      const d = esbuildDiagnostics(e);
      if (d) throw new BuildError(d, "bundle");
      throw e;
    }
    if (problems.length) throw new BuildError(sortDiagnostics(problems), "gate");
    // Every file of the app passed the gate: a problem left in the bundle is pinwire's.
    const left = gateProblems(code, { anySlice: false });
    if (left.length)
      throw new BuildError(
        left.map((g) => ({ file: "", line: 0, column: 0, length: 0, code: "gate", message: "the bundle fails the ES5 gate at offset " + g.pos + " (" + g.message + "), in pinwire's own code: " + JSON.stringify(code.slice(Math.max(0, g.pos - 40), g.pos + 40)) })),
        "gate",
      );
    const t2 = performance.now();
    const c = loaded.catalogue;
    return {
      board,
      code,
      bytes: Buffer.byteLength(code, "latin1"),
      version: c.version + "-" + crc32(Buffer.from(code, "latin1")).toString(16).padStart(8, "0"),
      app: { name: c.app, version: c.version, hash: c.hash, messages: c.messages.length },
      inputs: [...inputs].filter((f) => isAppFile(f)),
      ms: { check: t1 - t0, bundle: t2 - t1, total: t2 - t0 },
    };
  }
}
