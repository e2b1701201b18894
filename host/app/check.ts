// The type check of an app's board code: TypeScript with the board typings (types/: what
// Espruino 2v29 has, and what it lacks), then the Espruino rules over the app's own files, so
// that code the board cannot run is refused at its line before anything is bundled:
//  - a use of a declaration from types/espruino-lacks.d.ts (Map, Array.from, Math.imul,
//    typed-array slice, ...): the message is the declaration's @deprecated text;
//  - syntax that compiles to ES5 code the board cannot run or cannot afford (measured on the
//    2v29 interpreter after the board pipeline; SYNTAX below says why for each).
// One checker serves a whole `pinwire run --watch` session: the program is built again on every
// check from the source files kept in memory, so only the files that changed are parsed again.
import { existsSync, readFileSync, realpathSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import ts from "typescript";
import { root } from "../../scripts/device-bundle.mjs";

export interface BoardDiagnostic {
  file: string; // absolute path ("" for a problem with no file)
  line: number; // 1-based
  column: number; // 1-based
  length: number;
  code: string; // "TS2304" (TypeScript's own) or "espruino"
  message: string;
}

// The board tsconfig (compiler options and typing files); a project's tsconfig extends it.
export const BOARD_TSCONFIG = join(root, "types", "tsconfig.board.json");
const TYPINGS_DIR = join(root, "types") + sep;
// pinwire's own board code: type-checked by the repository's tests, not with each app.
const RUNTIME_DIRS = ["device", "shared", "types", "node_modules"].map((d) => join(root, d) + sep);

// Why each construct is refused. Measured on Espruino 2v29 (ESP8266 pool) with the board
// pipeline's output: array spread and `new` with spread throw (tslib's __spreadArray calls
// Array.prototype.slice, undefined there: Espruino keeps built-in methods off the prototype
// objects); async functions and generators run, but through tslib's __awaiter/__generator
// (1.3-1.6 KB of board code and a state machine per call); a subclass of Error or Array gives
// plain Errors and Arrays (instanceof false, its methods missing); labels are a
// ReferenceError; assigning an array's length throws "Assignment to a constant".
export const SYNTAX = {
  arraySpread:
    "array spread ([...a]) compiles to tslib's __spreadArray, which calls Array.prototype.slice: Espruino 2v29 keeps built-in methods off the prototype objects, so it throws there. Use a.concat(b) or a loop.",
  callSpread:
    "spread among other arguments compiles to tslib's __spreadArray, which throws on Espruino 2v29 (Array.prototype.slice is undefined there). Spread alone (f(...args)) is fine; else build the list with concat and call f.apply(null, list).",
  newSpread: "new with spread arguments compiles to tslib's __spreadArray, which throws on Espruino 2v29 (Array.prototype.slice is undefined there). Pass the arguments one by one, or an array.",
  async:
    "Espruino 2v29 has no async/await; compiled to ES5 an async function needs tslib's __awaiter and __generator (about 1.6 KB of board code and a state machine for every call). Use promise.then(...) or a callback.",
  forAwait: "Espruino 2v29 has no async iteration (for await). Use promise.then(...) or a callback.",
  generator:
    "Espruino 2v29 has no generators; compiled to ES5 a generator needs tslib's __generator (about 1.3 KB of board code and a state machine object). Use a callback, or an object with a next() method you write.",
  label: "Espruino 2v29 has no labelled statements (break/continue <label> is a ReferenceError there). Use a flag, or move the loops into a function and return.",
  length: "an array's length cannot be assigned on Espruino 2v29 (\"Assignment to a constant\"). Use a.splice(n) to shorten it, or a.push(...) to grow it.",
  builtinProto: (c: string, m: string) =>
    `Espruino 2v29 keeps built-in methods off ${c}.prototype (${c}.prototype.${m} is undefined there): call it through an instance, e.g. ${c === "String" ? '"".' : c === "Array" ? "[]." : "<a " + c + ">."}${m}.call(...).`,
  builtinClass: (c: string) =>
    `a class that extends ${c} does not work on Espruino 2v29: the object made is a plain ${c}, so instanceof is false and the class's own methods are missing. ${
      /Error$/.test(c) ? 'Throw an Error and tell it apart by a property (const e: any = new Error(msg); e.code = "X"; throw e).' : "Make a class that holds the " + c + " in a property."
    }`,
};

// Constructors of lib.es5.d.ts whose instances are Espruino built-ins.
const BUILTINS = new Set([
  "Array",
  "String",
  "Number",
  "Boolean",
  "Function",
  "RegExp",
  "Date",
  "Promise",
  "Error",
  "TypeError",
  "SyntaxError",
  "ReferenceError",
  "ArrayBuffer",
  "DataView",
  "Int8Array",
  "Uint8Array",
  "Uint8ClampedArray",
  "Int16Array",
  "Uint16Array",
  "Int32Array",
  "Uint32Array",
  "Float32Array",
  "Float64Array",
]);

// The board's compiler options: types/tsconfig.board.json, or the project's tsconfig.json when
// it has one (it extends the board's), with what makes code board code forced back.
export function boardOptions(projectDir?: string): { options: ts.CompilerOptions; typings: string[]; errors: BoardDiagnostic[] } {
  const own = projectDir && existsSync(join(projectDir, "tsconfig.json")) ? join(projectDir, "tsconfig.json") : BOARD_TSCONFIG;
  const errors: ts.Diagnostic[] = [];
  const host: ts.ParseConfigFileHost = { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (d) => errors.push(d) };
  const parsed = ts.getParsedCommandLineOfConfigFile(own, { noEmit: true }, host);
  const board = own === BOARD_TSCONFIG ? parsed : ts.getParsedCommandLineOfConfigFile(BOARD_TSCONFIG, { noEmit: true }, host);
  const options: ts.CompilerOptions = { ...(parsed?.options ?? {}), ...forced(board?.options ?? {}) };
  const typings = (board?.fileNames ?? []).map((f) => resolve(f));
  return { options, typings, errors: [...errors, ...(parsed?.errors ?? [])].map(fromTs) };
}

function forced(board: ts.CompilerOptions): ts.CompilerOptions {
  return { target: board.target, lib: board.lib, types: [], noEmit: true, importHelpers: true, skipLibCheck: true };
}

// pinwire's runtime and its typings, the default libraries, and packages: not the app's code.
function isAppFile(sf: ts.SourceFile, program: ts.Program): boolean {
  if (sf.isDeclarationFile || program.isSourceFileDefaultLibrary(sf)) return false;
  const f = resolve(sf.fileName);
  return !RUNTIME_DIRS.some((d) => f.startsWith(d)) && !f.includes(sep + "node_modules" + sep);
}

function position(sf: ts.SourceFile, start: number): { line: number; column: number } {
  const p = sf.getLineAndCharacterOfPosition(start);
  return { line: p.line + 1, column: p.character + 1 };
}

function fromTs(d: ts.Diagnostic): BoardDiagnostic {
  const message = ts.flattenDiagnosticMessageText(d.messageText, "\n");
  if (!d.file || d.start === undefined) return { file: "", line: 0, column: 0, length: 0, code: "TS" + d.code, message };
  return { file: resolve(d.file.fileName), ...position(d.file, d.start), length: d.length ?? 0, code: "TS" + d.code, message };
}

// The @deprecated text of a declaration in the board typings, if it has one.
function lacking(decl: ts.Declaration): string | undefined {
  if (!resolve(decl.getSourceFile().fileName).startsWith(TYPINGS_DIR)) return undefined;
  for (const tag of ts.getJSDocTags(decl)) if (tag.tagName.text === "deprecated") return ts.getTextOfJSDocComment(tag.comment)?.trim() || "not on Espruino 2v29";
  return undefined;
}

function isLibDecl(decl: ts.Declaration, program: ts.Program): boolean {
  const sf = decl.getSourceFile();
  return program.isSourceFileDefaultLibrary(sf) || resolve(sf.fileName).startsWith(TYPINGS_DIR);
}

const ASSIGNMENTS = new Set([
  ts.SyntaxKind.EqualsToken,
  ts.SyntaxKind.PlusEqualsToken,
  ts.SyntaxKind.MinusEqualsToken,
  ts.SyntaxKind.AsteriskEqualsToken,
  ts.SyntaxKind.SlashEqualsToken,
  ts.SyntaxKind.PercentEqualsToken,
  ts.SyntaxKind.LessThanLessThanEqualsToken,
  ts.SyntaxKind.GreaterThanGreaterThanEqualsToken,
  ts.SyntaxKind.GreaterThanGreaterThanGreaterThanEqualsToken,
  ts.SyntaxKind.AmpersandEqualsToken,
  ts.SyntaxKind.BarEqualsToken,
  ts.SyntaxKind.CaretEqualsToken,
]);

// The Espruino rules over one of the app's files.
export function espruinoRules(sf: ts.SourceFile, program: ts.Program): BoardDiagnostic[] {
  const checker = program.getTypeChecker();
  const out: BoardDiagnostic[] = [];
  const seen = new Set<string>();
  const report = (node: ts.Node, message: string, start = node.getStart(sf), end = node.getEnd()) => {
    const key = start + ":" + message;
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ file: resolve(sf.fileName), ...position(sf, start), length: end - start, code: "espruino", message });
  };
  const symbolOf = (node: ts.Node): ts.Symbol | undefined => {
    let s = ts.isShorthandPropertyAssignment(node.parent) && node.parent.name === node ? checker.getShorthandAssignmentValueSymbol(node.parent) : checker.getSymbolAtLocation(node);
    if (s && s.flags & ts.SymbolFlags.Alias) s = checker.getAliasedSymbol(s);
    return s;
  };
  const isArrayLike = (t: ts.Type) => checker.isArrayType(t) || checker.isTupleType(t);

  const visit = (node: ts.Node): void => {
    // A name (or property name) whose declaration is one of what Espruino lacks.
    if (ts.isIdentifier(node) || ts.isPrivateIdentifier(node)) {
      const s = ts.isIdentifier(node) ? symbolOf(node) : undefined;
      for (const d of s?.declarations ?? []) {
        const why = lacking(d);
        if (why) {
          report(node, why);
          break;
        }
      }
    }
    if (ts.isSpreadElement(node)) {
      const p = node.parent;
      if (ts.isArrayLiteralExpression(p)) report(node, SYNTAX.arraySpread);
      else if (ts.isNewExpression(p)) report(node, SYNTAX.newSpread);
      else if (ts.isCallExpression(p) && p.arguments.length > 1) report(node, SYNTAX.callSpread);
    }
    if (ts.isFunctionLike(node)) {
      const asyncKw = ts.canHaveModifiers(node) ? ts.getModifiers(node)?.find((m) => m.kind === ts.SyntaxKind.AsyncKeyword) : undefined;
      if (asyncKw) report(asyncKw, SYNTAX.async);
      const star = (node as ts.FunctionLikeDeclarationBase).asteriskToken;
      if (star) report(star, SYNTAX.generator);
    }
    if (ts.isForOfStatement(node) && node.awaitModifier) report(node.awaitModifier, SYNTAX.forAwait);
    if (ts.isLabeledStatement(node)) report(node.label, SYNTAX.label);
    if ((ts.isClassDeclaration(node) || ts.isClassExpression(node)) && node.heritageClauses) {
      for (const h of node.heritageClauses) {
        if (h.token !== ts.SyntaxKind.ExtendsKeyword) continue;
        for (const t of h.types) {
          const s = symbolOf(ts.isPropertyAccessExpression(t.expression) ? t.expression.name : t.expression);
          const name = s?.getName() ?? "";
          if (s && BUILTINS.has(name) && (s.declarations ?? []).some((d) => isLibDecl(d, program))) report(t, SYNTAX.builtinClass(name));
        }
      }
    }
    // a.length = n, a.length -= 1, a.length++ on an array
    const target = ts.isBinaryExpression(node) && ASSIGNMENTS.has(node.operatorToken.kind) ? node.left : ts.isPrefixUnaryExpression(node) || ts.isPostfixUnaryExpression(node) ? node.operand : undefined;
    if (
      target &&
      (ts.isPrefixUnaryExpression(node) || ts.isPostfixUnaryExpression(node) ? node.operator === ts.SyntaxKind.PlusPlusToken || node.operator === ts.SyntaxKind.MinusMinusToken : true) &&
      ts.isPropertyAccessExpression(target) &&
      target.name.text === "length" &&
      isArrayLike(checker.getTypeAtLocation(target.expression))
    )
      report(target, SYNTAX.length);
    // Array.prototype.slice and the like
    if (ts.isPropertyAccessExpression(node) && ts.isPropertyAccessExpression(node.expression) && node.expression.name.text === "prototype" && ts.isIdentifier(node.expression.expression)) {
      const c = symbolOf(node.expression.expression);
      const m = symbolOf(node.name);
      const name = c?.getName() ?? "";
      if (c && BUILTINS.has(name) && (c.declarations ?? []).some((d) => isLibDecl(d, program)) && m && (m.declarations ?? []).some((d) => isLibDecl(d, program)))
        report(node, SYNTAX.builtinProto(name, node.name.text));
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

// Keeps every source file it has read (by path and modification time), so that the next check
// of the same app parses only what changed.
class CachingHost {
  private files = new Map<string, { mtime: number; sf: ts.SourceFile }>();
  readonly host: ts.CompilerHost;

  constructor(options: ts.CompilerOptions) {
    const h = ts.createCompilerHost(options, true);
    const get = h.getSourceFile.bind(h);
    h.getSourceFile = (file, lang, onError, create) => {
      let mtime = -1;
      try {
        mtime = statSync(file).mtimeMs;
      } catch {
        // missing: TypeScript reports it
      }
      const c = this.files.get(file);
      if (c && c.mtime === mtime && !create) return c.sf;
      const sf = get(file, lang, onError, create);
      if (sf) this.files.set(file, { mtime, sf });
      return sf;
    };
    this.host = h;
  }
}

export class BoardChecker {
  private program?: ts.Program;
  private readonly options: ts.CompilerOptions;
  private readonly typings: string[];
  private readonly configErrors: BoardDiagnostic[];
  private readonly host: CachingHost;

  constructor(projectDir?: string) {
    const b = boardOptions(projectDir);
    this.options = b.options;
    this.typings = b.typings;
    this.configErrors = b.errors;
    this.host = new CachingHost(this.options);
  }

  // Type-checks the app's files (its logic file and its declaration) and what they import; the
  // Espruino rules run over every file of the app except `hostOnly` ones (the declaration: the
  // build evaluates it on the host, and the board gets constants instead).
  check(files: string[], hostOnly: string[] = []): BoardDiagnostic[] {
    const roots = [...files.map((f) => resolve(f)), ...this.typings];
    this.program = ts.createProgram({ rootNames: roots, options: this.options, host: this.host.host, oldProgram: this.program });
    const p = this.program;
    const out: BoardDiagnostic[] = [...this.configErrors, ...[...p.getOptionsDiagnostics(), ...p.getGlobalDiagnostics()].map(fromTs)];
    const skip = new Set(hostOnly.map((f) => real(f)));
    for (const sf of p.getSourceFiles()) {
      if (!isAppFile(sf, p)) continue;
      const tsDiags = [...p.getSyntacticDiagnostics(sf), ...p.getSemanticDiagnostics(sf)].filter((d) => d.category === ts.DiagnosticCategory.Error).map(fromTs);
      const rules = skip.has(real(sf.fileName)) ? [] : espruinoRules(sf, p);
      // Where a rule explains an error TypeScript also reports at the same place (calling a
      // NotOnEspruino value), the rule's message is the one to read.
      const at = new Set(rules.map((r) => r.line + ":" + r.column));
      out.push(...rules, ...tsDiags.filter((d) => !at.has(d.line + ":" + d.column) && !rules.some((r) => r.line === d.line && d.column >= r.column && d.column < r.column + r.length)));
    }
    // A generator or an async function makes TypeScript look for the iterator types ES5 lacks
    // ("Cannot find global type 'IterableIterator'"): the rule at its line says it better.
    const explained = out.some((d) => d.message === SYNTAX.generator || d.message === SYNTAX.async || d.message === SYNTAX.forAwait);
    return sortDiagnostics(explained ? out.filter((d) => !(d.code === "TS2318" && !d.file)) : out);
  }
}

function real(f: string): string {
  try {
    return realpathSync(f);
  } catch {
    return resolve(f);
  }
}

export function sortDiagnostics(d: BoardDiagnostic[]): BoardDiagnostic[] {
  return d.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column);
}

// tsc's layout: file:line:col - error CODE: message, then the line with the place marked.
export function formatDiagnostics(diags: BoardDiagnostic[], cwd = process.cwd()): string {
  const sources = new Map<string, string[]>();
  const lines = (f: string) => {
    let l = sources.get(f);
    if (!l) sources.set(f, (l = existsSync(f) ? readFileSync(f, "utf8").split(/\r?\n/) : []));
    return l;
  };
  return diags
    .map((d) => {
      if (!d.file) return `error ${d.code}: ${d.message}`;
      const where = relative(cwd, d.file) || d.file;
      const text = lines(d.file)[d.line - 1];
      let s = `${where}:${d.line}:${d.column} - error ${d.code}: ${d.message}`;
      if (text !== undefined) {
        const n = String(d.line);
        const width = Math.max(1, Math.min(d.length, text.length - d.column + 1));
        s += `\n\n${n} ${text}\n${" ".repeat(n.length)} ${" ".repeat(d.column - 1)}${"~".repeat(width)}\n`;
      }
      return s;
    })
    .join("\n");
}

// The directory a checker for this entry should read a tsconfig.json from.
export function projectDirOf(entry: string): string {
  return dirname(resolve(entry));
}
