// The virtual board reproduces the Espruino 2v29 behaviour our device code depends on.
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import net from "node:net";
import tls from "node:tls";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { VirtualBoard, type VirtualBoardOptions } from "../host/vboard/index";

const boards: VirtualBoard[] = [];
const dirs: string[] = [];
const servers: net.Server[] = [];

function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), "vboard-"));
  dirs.push(d);
  return d;
}

function board(o: Partial<VirtualBoardOptions> = {}): VirtualBoard {
  const b = new VirtualBoard({ storageDir: o.storageDir ?? tmp(), ...o });
  boards.push(b);
  return b;
}

afterEach(async () => {
  for (const b of boards.splice(0)) await b.stop();
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

// A TCP peer on 127.0.0.1:0 that records what it receives and hands out its sockets.
async function peer(): Promise<{ port: number; conns: net.Socket[]; received: () => Buffer; next: () => Promise<net.Socket> }> {
  const conns: net.Socket[] = [];
  const chunks: Buffer[] = [];
  const waiting: Array<(s: net.Socket) => void> = [];
  const srv = net.createServer((s) => {
    conns.push(s);
    s.on("data", (d) => chunks.push(d));
    s.on("error", () => {});
    const w = waiting.shift();
    if (w) w(s);
  });
  servers.push(srv);
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  return {
    port: (srv.address() as net.AddressInfo).port,
    conns,
    received: () => Buffer.concat(chunks),
    next: () => (conns.length ? Promise.resolve(conns[conns.length - 1]) : new Promise((r) => waiting.push(r))),
  };
}

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

describe("language quirks", () => {
  it("lacks the built-ins Espruino lacks", async () => {
    const b = board();
    await b.boot();
    expect(await b.eval("typeof Map + typeof Set + typeof Symbol + typeof WeakMap + typeof WeakSet + typeof Reflect + typeof Proxy")).toBe("undefined".repeat(7));
    expect(await b.eval("typeof Math.imul + typeof Array.from + typeof ArrayBuffer.isView")).toBe("undefined".repeat(3));
    // still there: what Espruino has
    expect(await b.eval("typeof Promise + typeof Uint8Array + typeof DataView + typeof JSON")).toBe("function".repeat(3) + "object");
  });

  it("typed-array slice returns a plain Array; Array.prototype.slice is undefined but [].slice works", async () => {
    const b = board();
    await b.boot();
    expect(await b.eval("var s = new Uint8Array([1,2,3]).slice(1); Array.isArray(s) && !(s instanceof Uint8Array) && s.join()")).toBe("2,3");
    expect(await b.eval("typeof Array.prototype.slice")).toBe("undefined");
    expect(await b.eval("[].slice.call([1,2,3], 1).join()")).toBe("2,3");
    expect(await b.eval("typeof Function.prototype.bind + typeof (function(){}).bind")).toBe("undefinedfunction");
    // tslib's __spreadArray pattern crashes as on the board
    await expect(b.eval("Array.prototype.slice.call([1])")).rejects.toThrow(/call/);
    expect(await b.eval("Object.prototype.toString.call([]) + '|' + Object.prototype.toString.call({})")).toBe("|[object Object]");
    await expect(b.eval("var a = []; for (var i = 0; i < 300; i++) a.push(65); String.fromCharCode.apply(null, a)")).rejects.toThrow();
  });

  it("does not inherit static methods through tsc's __extends", async () => {
    const b = board();
    await b.boot();
    const code =
      "var ext = function (d, b) { (Object.setPrototypeOf || function (d, b) { for (var p in b) d[p] = b[p]; })(d, b);" +
      " function __() { this.constructor = d; } d.prototype = Object.create(b.prototype); };" +
      "function Base() {} Base.make = function () { return 1; }; Base.prototype.hi = function () { return 'hi'; };" +
      "function Child() { Base.call(this); } ext(Child, Base);" +
      "typeof Child.make + ' ' + new Child().hi()";
    expect(await b.eval(code)).toBe("undefined hi");
  });

  it("loads source as bytes: a UTF-8 character in a literal becomes two chars", async () => {
    const b = board();
    await b.boot('var s = "\u00ff"; print(s.length, s.charCodeAt(0), s.charCodeAt(1))');
    expect(b.consoleOutput).toContain("2 195 191");
  });

  it("rejects syntax Espruino 2v29 cannot parse and accepts what it can", async () => {
    const b = board();
    await b.boot();
    for (const bad of ["var a = [...[1]]", "var {x} = {x: 1}", "function f(a = 1) {}", "async function f() {}", "var o = {['k']: 1}", "var y = 2 ** 3", "var z = o?.p"])
      await expect(b.eval(bad), bad).rejects.toThrow(/Espruino 2v29 has no/);
    expect(await b.eval("let q = 1; const r = () => q + 1; class K { get v() { return r(); } } `${new K().v}`")).toBe("2");
  });

  it("every object is an event emitter (Object.prototype.on/emit)", async () => {
    const b = board();
    await b.boot();
    expect(await b.eval("var o = {}; var got = []; o.on('x', function (a, c) { got.push(a + c); }); o.emit('x', 1, 2); o.removeAllListeners('x'); o.emit('x', 5, 5); JSON.stringify(o) + got.join()")).toBe("{}3");
  });
});

describe("errors", () => {
  it("an uncaught error at top level ends the script; the board carries on", async () => {
    const b = board();
    const uncaught: unknown[] = [];
    b.on("uncaught", (e) => uncaught.push(e));
    const ok = await b.boot('print("before"); setTimeout(function () { print("timer ran"); }, 1); throw new Error("stop here"); print("after");');
    expect(ok).toBe(false);
    await b.waitForOutput("timer ran");
    expect(b.consoleOutput).toContain("Uncaught Error: stop here");
    expect(b.consoleOutput).not.toContain("after");
    expect(uncaught).toHaveLength(1);
  });

  it("an error inside a callback is printed and later callbacks still run", async () => {
    const b = board();
    await b.boot('var n = 0; var t = setInterval(function () { n++; if (n === 1) throw new Error("in callback"); if (n === 3) { clearInterval(t); print("third tick"); } }, 2);');
    await b.waitForOutput("third tick");
    expect(b.consoleOutput).toContain("Uncaught Error: in callback");
  });

  it("an unhandled promise rejection in board code is printed, not thrown at the host", async () => {
    const b = board();
    await b.boot('new Promise(function (res, rej) { rej(new Error("rejected")); }); print("went on");');
    await b.waitForOutput("Uncaught Error: rejected");
  });
});

describe("timers", () => {
  it("setTimeout order, args, clearTimeout, changeInterval", async () => {
    const b = board();
    // Timers run in due-time order however late the host loop comes round, so the 6 ms
    // timeout always runs before the interval's 5th call (at >= 9 ms).
    await b.boot(
      "var log = [];" +
        "setTimeout(function (a) { log.push(a); }, 6, 'b');" +
        "setTimeout(function (a) { log.push(a); }, 1, 'a');" +
        "var dead = setTimeout(function () { log.push('cleared'); }, 2); clearTimeout(dead);" +
        "var n = 0; var iv = setInterval(function () { n++; if (n === 2) changeInterval(iv, 1);" +
        "  if (n === 5) { clearInterval(iv); log.push('iv5'); print(log.join()); } }, 3);",
    );
    await b.waitForOutput("iv5");
    expect(b.consoleOutput).toContain("a,b,iv5");
    expect((await b.state()).timers).toBe(0);
  });

  it("reboot clears timers, watches and sockets, then boots from Storage again", async () => {
    const p = await peer();
    const b = board();
    b.storage.write(".bootcde", Buffer.from('print("boot #" + (require("Storage").list().length))'));
    await b.boot();
    await b.eval(`setInterval(function () { print("old interval"); }, 1); setWatch(function () {}, D12, {repeat: true}); require("net").connect({host: "127.0.0.1", port: ${p.port}}, function () { print("connected"); });`);
    const server = await p.next();
    await b.waitForOutput("connected");
    expect((await b.state()).timers).toBe(1);
    const closed = new Promise((r) => server.on("close", r));
    const before = b.consoleOutput.length;
    await b.reboot();
    // From the new boot's banner on: the old interval may still print until the reset itself.
    const mark = b.consoleOutput.indexOf("boot #1", before);
    await closed; // the peer sees the board's socket go
    expect((await b.state()).timers).toBe(0);
    expect(b.pins.watchesOn("D12")).toBe(0);
    expect(b.openSockets).toBe(0);
    await b.eval('setTimeout(function () { print("sentinel"); }, 20);');
    const out = await b.waitForOutput("sentinel", mark);
    expect(out).toContain("boot #1");
    expect(out).not.toContain("old interval");
  });
});

describe("load, save, reboot from board code", () => {
  it("load() and E.reboot() take effect after the running code returns; E.on('init') runs after boot code", async () => {
    const b = board();
    b.flash('E.on("init", function () { print("init " + typeof later); }); var later = 1; print("bootcde");');
    await b.boot('require("Storage").write("next.js", "print(\'next\'); E.reboot();"); load("next.js"); print("still here");');
    // load(file) ran next.js after "still here", then E.reboot() booted .bootcde with its init handler
    const out = await b.waitForOutput("init number");
    expect(out.indexOf("still here")).toBeLessThan(out.indexOf("next"));
    expect(out.indexOf("next")).toBeLessThan(out.indexOf("bootcde"));
  });

  it("a load() made synchronously by boot code that load() started is dropped; from a timer it runs", async () => {
    // Power-on runs .bootcde, whose load() restarts once; that boot's own load() is dropped (as
    // Espruino clears the load flag after carrying it out). A timer's load() is not.
    const count = 'var S = require("Storage"); var n = (S.readJSON("n", 1) || 0) + 1; S.writeJSON("n", n); print("boot " + n);';
    const b = board();
    b.flash(count + 'if (n < 4) load(); setTimeout(function () { print("settled " + n); }, 20);');
    await b.boot();
    await b.waitForOutput("settled 2");
    expect(b.storage.read("n")?.toString()).toBe("2");
    b.storage.erase("n");
    b.flash(count + "if (n < 4) setTimeout(load, 10);");
    const mark = b.consoleOutput.length;
    await b.reboot();
    await b.waitForOutput("boot 4", mark);
  });
});

describe("net", () => {
  it("data arrives as binary strings; write(Uint8Array) sends its decimal text, E.toString sends bytes", async () => {
    const p = await peer();
    const b = board();
    await b.boot();
    await b.eval(
      `var s = require("net").connect({host: "127.0.0.1", port: ${p.port}}, function () {
        s.write(new Uint8Array([0, 1, 255]));
        s.write("|");
        s.write(E.toString(new Uint8Array([0, 1, 255])));
      });
      s.on("data", function (d) { var c = []; for (var i = 0; i < d.length; i++) c.push(d.charCodeAt(i)); print("data " + typeof d + " " + c.join(",")); });
      s.on("close", function () { print("closed"); });`,
    );
    const server = await p.next();
    await new Promise<void>((r) => {
      const check = () => (p.received().length >= 11 ? r() : server.once("data", check));
      check();
    });
    expect(p.received()).toEqual(Buffer.concat([Buffer.from("0,1,255|"), Buffer.from([0, 1, 255])]));
    server.end(Buffer.from([0, 200, 255]));
    await b.waitForOutput("closed");
    expect(b.consoleOutput).toContain("data string 0,200,255");
  });

  it("connecting to a refused port throws synchronously", async () => {
    const port = await freePort();
    const b = board();
    await b.boot();
    const r = (await b.eval(`var r; try { require("net").connect({host: "127.0.0.1", port: ${port}}, function () {}); r = "no throw"; } catch (e) { r = "threw " + (e instanceof Error); } r`));
    expect(r).toBe("threw true");
    expect(b.openSockets).toBe(0);
  });

  it("tls exists on esp32 and linux, not on esp8266", async () => {
    const e8 = board({ board: "esp8266" });
    await e8.boot();
    await expect(e8.eval('require("tls")')).rejects.toThrow("Module tls not found");
    const e32 = board({ board: "esp32" });
    await e32.boot();
    expect(await e32.eval('typeof require("tls").connect')).toBe("function");
  });
});

describe("Storage", () => {
  it("piecewise writes: the first call fixes the size, unwritten bytes read 0xFF", async () => {
    const b = board();
    await b.boot();
    const r = (await b.eval(`var S = require("Storage");
      S.write("p", "ab", 0, 6);
      var mid = S.read("p");
      S.write("p", "cd", 4);
      var c = []; var d = S.read("p"); for (var i = 0; i < d.length; i++) c.push(d.charCodeAt(i));
      c.join() + "|" + mid.length`));
    expect(r).toBe("97,98,255,255,99,100|6");
    await expect(b.eval('require("Storage").write("p", "toolong", 4)')).rejects.toThrow(/Too much data/);
  });

  it("persists on disk across boards; readJSON, list, erase, getFree", async () => {
    const dir = tmp();
    const a = board({ storageDir: dir });
    await a.boot();
    await a.eval('require("Storage").writeJSON("cfg.json", {id: "dev1", n: [1, 2]}); require("Storage").write("bin", new Uint8Array([1, 2, 3]));');
    const free = (await a.eval('require("Storage").getFree()')) as number;
    await a.stop();
    const b = board({ storageDir: dir });
    await b.boot();
    expect(await b.eval('var S = require("Storage"); S.readJSON("cfg.json").id + S.readJSON("cfg.json").n.length + S.list().join("/")')).toBe("dev12bin/cfg.json");
    expect(b.storage.read("bin")).toEqual(Buffer.from([1, 2, 3]));
    expect(free).toBeLessThan(65536);
    await b.eval('require("Storage").erase("bin")');
    expect(await b.eval('require("Storage").read("bin") === undefined && require("Storage").list().length')).toBe(1);
  });

  it("require() finds modules stored in Storage", async () => {
    const b = board();
    b.storage.write("mymod", Buffer.from("exports.twice = function (x) { return 2 * x; };"));
    await b.boot();
    expect(await b.eval('require("mymod").twice(21)')).toBe(42);
    await expect(b.eval('require("nope")')).rejects.toThrow("Module nope not found");
  });
});

describe("E, crypto, process", () => {
  it("heatshrink round-trips with Espruino's own build", async () => {
    const b = board();
    await b.boot();
    expect(await b.eval('var h = require("heatshrink"); var c = h.compress("hello hello hello hello"); (c.byteLength < 23) + " " + E.toString(h.decompress(c))')).toBe("true hello hello hello hello");
  });

  it("top-level let/const behave like var (re-declaring at the console works)", async () => {
    const b = board();
    await b.boot();
    await b.eval("let a = 1; const k = 2;");
    expect(await b.eval("let a = 5; const k = 6; a + k")).toBe(11);
  });

  it("E.toString / toUint8Array / CRC32 / btoa / atob", async () => {
    const b = board();
    await b.boot();
    expect(await b.eval('var s = E.toString([0, 1], new Uint8Array([255]), "A", 66); s.length + ":" + s.charCodeAt(2) + s.substr(3)')).toBe("5:255AB");
    expect(await b.eval('var u = E.toUint8Array("\\x01\\xff"); (u instanceof Uint8Array) + " " + u[1]')).toBe("true 255");
    expect(await b.eval('E.CRC32("123456789")')).toBe(0xcbf43926);
    expect(await b.eval('atob(btoa("\\x00\\xffhi")) === "\\x00\\xffhi" && btoa("hello")')).toBe("aGVsbG8=");
  });

  it("SHA1 everywhere, SHA256 only on esp32/linux", async () => {
    const e8 = board({ board: "esp8266" });
    await e8.boot();
    const hex = 'var h = new Uint8Array(require("crypto").SHA1("abc")); var o = ""; for (var i = 0; i < h.length; i++) o += (h[i] < 16 ? "0" : "") + h[i].toString(16); o';
    expect(await e8.eval(hex)).toBe(createHash("sha1").update("abc").digest("hex"));
    expect(await e8.eval('typeof require("crypto").SHA256')).toBe("undefined");
    const lx = board({ board: "linux" });
    await lx.boot();
    expect(await lx.eval('new Uint8Array(require("crypto").SHA256("abc"))[0]')).toBe(createHash("sha256").update("abc").digest()[0]);
  });

  it("process.memory() models the JsVar pool and grows with data", async () => {
    const e8 = board({ board: "esp8266" });
    await e8.boot();
    const m0 = (await e8.eval("process.memory()")) as { total: number; free: number; usage: number; blocksize: number };
    expect(m0.total).toBe(1700);
    expect(m0.free + m0.usage).toBe(1700);
    await e8.eval("var big = []; for (var i = 0; i < 200; i++) big.push({v: i});");
    const m1 = (await e8.memory()).usage;
    expect(m1).toBeGreaterThan(m0.usage + 400);
    for (let i = 0; i < 20; i++) (await e8.eval("big.length")); // expressions typed in are not kept
    expect((await e8.memory()).usage).toBe(m1);
    await e8.eval("function kept() { return 'a function typed in stays in RAM, body and all'; }");
    expect((await e8.memory()).usage).toBeGreaterThan(m1 + 4);
    expect(await e8.eval("process.env.BOARD + process.env.VERSION")).toBe("ESP8266_BOARD2v29");
    const e32 = board({ board: "esp32" });
    await e32.boot();
    expect((await e32.memory()).total).toBe(2500);
  });
});

describe("Wifi", () => {
  it("connects when SSID and password match, reports IP, and can be dropped", async () => {
    const b = board({ wifi: { ssid: "lab", password: "pw", ip: "10.0.0.7", saved: false } });
    await b.boot(`var W = require("Wifi");
      W.on("connected", function (d) { print("connected " + d.ip); });
      W.on("disconnected", function () { print("dropped"); });
      W.connect("lab", {password: "nope"}, function (err) {
        print("first " + err);
        W.connect("lab", {password: "pw"}, function (err) { print("second " + err + " " + W.getIP().ip); });
      });`);
    await b.waitForOutput("connected 10.0.0.7");
    expect(b.consoleOutput).toContain("first wrong_password");
    expect(b.consoleOutput).toContain("second null 10.0.0.7");
    b.wifiDisconnect();
    await b.waitForOutput("dropped");
  });

  it("sockets need the link: saved WiFi is up at power-on, a drop closes sockets, connects throw until it is back", async () => {
    const p = await peer();
    const b = board({ wifi: { ssid: "lab" } });
    await b.boot(`require("Wifi").on("connected", function () { print("wifi up"); });
      var s = require("net").connect({host: "127.0.0.1", port: ${p.port}}, function () { print("sock up"); });
      s.on("close", function () { print("sock closed"); });`);
    await b.waitForOutput("wifi up");
    await b.waitForOutput("sock up");
    const mark = b.consoleOutput.length;
    b.wifiDisconnect();
    await b.waitForOutput("sock closed", mark);
    const tryConnect = `var r; try { require("net").connect({host: "127.0.0.1", port: ${p.port}}); r = "ok"; } catch (e) { r = "threw"; } r`;
    expect(await b.eval(tryConnect)).toBe("threw");
    b.wifiReconnect();
    await b.waitForOutput("wifi up", mark);
    expect(await b.eval(tryConnect)).toBe("ok");
  });

  it("is absent on linux", async () => {
    const b = board({ board: "linux" });
    await b.boot();
    await expect(b.eval('require("Wifi")')).rejects.toThrow("Module Wifi not found");
  });
});

describe("peripherals", () => {
  // The decoder style of device/encoder.ts: watch CLK on both edges (with debounce), read DT.
  const decoder = (clk: string, dt: string, debounce: number) =>
    `var count = 0, seq = [];
     pinMode(${clk}, "input_pullup"); pinMode(${dt}, "input_pullup");
     setWatch(function (e) { var d = digitalRead(${dt}); seq.push((e.state ? 1 : 0) + "" + d); count += d !== +e.state ? 1 : -1; print("count " + count); },
       ${clk}, {repeat: true, edge: "both", debounce: ${debounce}});`;

  it("encoder.turn makes quadrature edges the watch decodes, both directions", async () => {
    const b = board();
    await b.boot(decoder("NodeMCU.D6", "NodeMCU.D7", 2)); // CLK GPIO12, DT GPIO13
    const mark = b.consoleOutput.length;
    await b.encoder.turn(3, { clk: "D12", dt: "D13" });
    await b.waitForOutput("count 3", mark);
    await b.encoder.turn(-2, { clk: "D12", dt: "D13" });
    await b.waitForOutput("count 1", mark);
    expect(await b.eval("seq.join()")).toBe("01,10,01,11,00");
    expect(await b.eval("count")).toBe(1);
  });

  it("encoder watch without debounce, with the data option carrying DT", async () => {
    const b = board({ board: "esp32" });
    // The encoder module's own pull-ups hold both lines high.
    b.setPin("D32", 1);
    b.setPin("D33", 1);
    await b.boot(`var got = []; setWatch(function (e) { got.push((e.state ? "C" : "c") + (e.data ? "D" : "d") + (e.time >= e.lastTime)); }, D32, {repeat: true, edge: "both", data: D33});`);
    await b.encoder.turn(2, { clk: "D32", dt: "D33" });
    await b.encoder.turn(-1, { clk: "D32", dt: "D33" });
    expect(await b.eval("got.join()")).toBe("cDtrue,Cdtrue,cdtrue");
  });

  it("servo angle is read back from the 50 Hz PWM duty or a pulse", async () => {
    const b = board();
    await b.boot();
    await b.eval("analogWrite(D15, 1.5 / 20, {freq: 50})");
    expect(b.servoAngle("D15")).toBeCloseTo(90, 5);
    await b.eval("analogWrite(NodeMCU.D8, 0.5 / 20, {freq: 50})");
    expect(b.servoAngle("D15")).toBeCloseTo(0, 5);
    await b.eval("analogWrite(D15, 2.5 / 20, {freq: 50})");
    expect(b.servoAngle("D15")).toBeCloseTo(180, 5);
    await b.eval("digitalPulse(D5, 1, 1.0)");
    expect(b.servoAngle("D5")).toBeCloseTo(45, 5);
  });

  it("setAnalog sets what analogRead returns; duty reads the last analogWrite", async () => {
    const b = board();
    await b.boot();
    b.setAnalog("A0", 0.42);
    expect(await b.eval("analogRead(A0)")).toBeCloseTo(0.42, 10);
    b.setAnalog("A0", { percent: 75 });
    expect(await b.eval("analogRead(NodeMCU.A0)")).toBeCloseTo(0.75, 10);
    b.setAnalog("A0", { raw: 1023 });
    expect(await b.eval("analogRead(A0)")).toBe(1);
    await expect(b.eval("analogRead(D4)")).rejects.toThrow(/not an ADC/);
    await b.eval("analogWrite(D14, 0.3)");
    expect(b.duty("D14")).toBeCloseTo(0.3, 10);
    await b.eval("digitalWrite(NodeMCU.D5, 1)");
    expect(b.duty("D14")).toBe(1);
    expect(await b.eval("D14.read() + ' ' + digitalRead(D14)")).toBe("true 1");
    const lx = board({ board: "linux" });
    await lx.boot();
    expect(await lx.eval("analogRead(D1)")).toBe(0);
    expect(lx.consoleOutput).toContain("ERROR: analogRead not implemented");
  });

  it("pins: arrays, Pin methods, pin numbers and names, outside drive", async () => {
    const b = board();
    await b.boot();
    await b.eval("digitalWrite([D1, D2, D3], 5)");
    expect([b.pinLevel("D1"), b.pinLevel("D2"), b.pinLevel("D3")]).toEqual([1, 0, 1]);
    expect(await b.eval("digitalRead([D1, D2, D3])")).toBe(5);
    expect(await b.eval("D4.set(); var a = D4.read(); D4.toggle(); a + ' ' + D4.read() + ' ' + new Pin(4).getMode() + ' ' + (new Pin(4) === D4)")).toBe("true false output true");
    expect(await b.eval("digitalWrite(16, 1); digitalWrite('D0', 1); String(NodeMCU.D0) + digitalRead(D16) + digitalRead(D0)")).toBe("D1611");
    await b.eval('pinMode(D5, "input_pullup")');
    expect(await b.eval("digitalRead(D5)")).toBe(1);
    b.setPin("D5", 0);
    expect(await b.eval("D5.read()")).toBe(false);
    await expect(b.eval("digitalWrite(40, 1)")).rejects.toThrow(/Invalid pin/);
    expect(await b.eval("typeof D17 + typeof D16")).toBe("undefinedobject");
  });
});

describe("tls", () => {
  it("esp32 connects over TLS to a self-signed server (no ca: not verified, as on the board)", async () => {
    const dir = tmp();
    execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
      "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", join(dir, "k.pem"), "-out", join(dir, "c.pem")], { stdio: "ignore" });
    const cert = readFileSync(join(dir, "c.pem"), "utf8");
    const srv = tls.createServer({ key: readFileSync(join(dir, "k.pem")), cert }, (s) => s.pipe(s));
    servers.push(srv);
    await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
    const port = (srv.address() as net.AddressInfo).port;
    const b = board({ board: "esp32" });
    await b.boot();
    await b.eval("globalThis.CA = " + JSON.stringify(cert));
    for (const opts of ["{host: '127.0.0.1', port: " + port + "}", "{host: '127.0.0.1', port: " + port + ", ca: CA}"]) {
      const mark = b.consoleOutput.length;
      await b.eval(`var t = require("tls").connect(${opts}, function () { t.write("\\x00hi\\xff"); });
        t.on("data", function (d) { print("echo " + d.length + " " + d.charCodeAt(3)); t.end(); });`);
      await b.waitForOutput("echo 4 255", mark);
    }
  });
});

describe("the device bundle", () => {
  // dist/device/<board>/app.js is built by the global setup; it must load on the virtual board
  // (syntax gate, missing built-ins) for every board, even with no pinwire.json in Storage.
  for (const name of ["esp8266", "esp32", "linux"] as const) {
    it(`${name}: app.js boots from .bootcde without an uncaught error`, async () => {
      const b = board({ board: name });
      b.flash(readFileSync(join("dist", "device", name, "app.js")));
      expect(await b.boot()).toBe(true);
      expect(b.consoleOutput).not.toContain("Uncaught");
      expect((await b.memory()).usage).toBeLessThan((await b.memory()).total);
    });
  }
});
