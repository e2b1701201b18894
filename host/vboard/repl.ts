// The line discipline of Espruino's console, enough for a terminal and for the Espruino CLI
// (EspruinoTools) to upload: echo with ">" prompt and "=result", lines starting with \x10
// run without echo, ESC LF (Alt-Enter) adds a newline without running, a line runs once
// its brackets balance (":" prompts for more), Ctrl-C drops the line, and board output
// clears and redraws the prompt the way jsiConsoleRemoveInputLine does.
import { formatValue } from "./format";

export interface ReplHost {
  // Runs one console line; ok=false when it threw (the host has printed "Uncaught ...").
  exec(code: string): { ok: boolean; value?: unknown };
  write(text: string): void;
}

// True when the brackets of `code` balance outside strings and comments.
export function isComplete(code: string): boolean {
  let depth = 0;
  let q = "";
  for (let i = 0; i < code.length; i++) {
    const c = code[i];
    if (q) {
      if (c === "\\") i++;
      else if (c === q) q = "";
      continue;
    }
    if (c === "/" && code[i + 1] === "/") {
      const e = code.indexOf("\n", i);
      if (e < 0) break;
      i = e;
    } else if (c === "/" && code[i + 1] === "*") {
      const e = code.indexOf("*/", i + 2);
      if (e < 0) return false;
      i = e + 1;
    } else if (c === '"' || c === "'" || c === "`") q = c;
    else if (c === "(" || c === "[" || c === "{") depth++;
    else if (c === ")" || c === "]" || c === "}") depth--;
  }
  return depth <= 0 && q !== "`";
}

export class Repl {
  echo = true;
  private line = "";
  private lineEchoOff = false;
  private promptShown = false;
  private lastCR = false;
  private esc = 0; // 0 none, 1 after ESC, 2 inside ESC [ ... (CSI)

  constructor(private host: ReplHost) {}

  private get echoing(): boolean {
    return this.echo && !this.lineEchoOff;
  }

  feed(data: string): void {
    for (const ch of data) this.char(ch);
  }

  private char(ch: string): void {
    const code = ch.charCodeAt(0);
    const wasCR = this.lastCR;
    this.lastCR = ch === "\r";
    if (this.esc === 1) {
      this.esc = ch === "[" ? 2 : 0;
      if (ch === "\n") this.line += "\n";
      return;
    }
    if (this.esc === 2) {
      if (code >= 0x40 && code <= 0x7e) this.esc = 0;
      return;
    }
    if (ch === "\x1b") this.esc = 1;
    else if (ch === "\x03") {
      this.line = "";
      this.lineEchoOff = false;
      if (this.echo) this.prompt("\r\n>");
    } else if (ch === "\x10") {
      if (this.line === "") this.lineEchoOff = true;
    } else if (ch === "\n" && wasCR) return;
    else if (ch === "\r" || ch === "\n") this.enter();
    else if (ch === "\x08" || ch === "\x7f") {
      if (this.line.length) {
        this.line = this.line.slice(0, -1);
        if (this.echoing) this.host.write("\x08 \x08");
      }
    } else if (code >= 32 || ch === "\t") {
      this.line += ch;
      if (this.echoing) this.host.write(ch);
    }
  }

  private prompt(text: string): void {
    this.host.write(text);
    this.promptShown = true;
  }

  private enter(): void {
    const echoing = this.echoing;
    if (this.line.trim() === "") {
      this.line = "";
      this.lineEchoOff = false;
      if (echoing) this.prompt("\r\n>");
      return;
    }
    if (!isComplete(this.line)) {
      this.line += "\n";
      if (echoing) this.host.write("\r\n:");
      return;
    }
    const code = this.line;
    this.line = "";
    this.lineEchoOff = false;
    this.promptShown = false;
    if (echoing) this.host.write("\r\n");
    const r = this.host.exec(code);
    if (echoing && r.ok) this.host.write("=" + formatValue(r.value, false) + "\r\n");
    if (echoing) this.prompt(">");
  }

  // Board output while the prompt is on screen: take the input line away, print, put it back.
  output(text: string): void {
    if (!this.promptShown) return this.host.write(text);
    const shown = this.lineEchoOff ? "" : this.line;
    this.host.write("\r" + " ".repeat(shown.length + 1) + "\r" + text + ">" + shown);
  }

  // After a reset the firmware has a fresh console.
  clear(): void {
    this.line = "";
    this.lineEchoOff = false;
    this.esc = 0;
  }
}
