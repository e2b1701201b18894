// Runs first in every fresh board context (trusted code, not the board's). `host` is the
// bridge into the simulator; it is captured here and never left reachable from the board's
// globals. Nothing the board can reach comes from the host's realm: every host function is
// called through a wrapper made here, host objects are rebuilt here, and an error a host
// function throws is rethrown as this realm's error (a host function, object or error would
// hand board code the host's Function constructor, and with it the host's `process`).
// Objects the board sees are made in this realm, so `instanceof Error`, `.on` and JSON behave
// as on Espruino. Also sets up the runtime of the scoping rewrite (scoping.ts: $$vb, $$U).
// Returns the helpers the host needs to build context values and to measure memory.
(function (host) {
  "use strict";
  var G = globalThis;
  var realSlice = Array.prototype.slice;
  var realBind = Function.prototype.bind;
  var realFcc = String.fromCharCode;
  var realSetProto = Object.setPrototypeOf;
  var realEval = G.eval;
  var apply = Function.prototype.call.bind(Function.prototype.apply);
  var WM = WeakMap;
  var WS = WeakSet;
  var protoDesc = Object.getOwnPropertyDescriptor(Object.prototype, "__proto__");
  var hidden = function (o, k, v) {
    Object.defineProperty(o, k, { value: v, writable: true, configurable: true, enumerable: false });
  };
  var ERRORS = { Error: Error, TypeError: TypeError, RangeError: RangeError, SyntaxError: SyntaxError, ReferenceError: ReferenceError };

  // A value thrown by host code, as this realm's error.
  function own(e) {
    if (e === null || (typeof e !== "object" && typeof e !== "function") || e instanceof Object) return e;
    var C = ERRORS[String(e.name)] || Error;
    return new C(String(e.message));
  }
  // This realm's function calling host function f.
  function wrap(f, name) {
    var w = function () {
      try {
        return apply(f, undefined, arguments);
      } catch (e) {
        throw own(e);
      }
    };
    if (name) Object.defineProperty(w, "name", { value: name });
    return w;
  }
  function call(f) {
    try {
      return apply(f, undefined, realSlice.call(arguments, 1));
    } catch (e) {
      throw own(e);
    }
  }
  // A host object's functions, as an object of this realm.
  function rebuild(o) {
    var r = {};
    for (var k in o) r[k] = typeof o[k] === "function" ? wrap(o[k], k) : o[k];
    return r;
  }

  // ---- Espruino 2v29 lacks these (README, "Quirks").
  ["Map", "Set", "WeakMap", "WeakSet", "Symbol", "Reflect", "Proxy", "WeakRef", "FinalizationRegistry",
   "SharedArrayBuffer", "Atomics", "BigInt", "BigInt64Array", "BigUint64Array", "WebAssembly", "Intl"].forEach(function (k) {
    delete G[k];
  });
  delete Math.imul;
  delete Array.from;
  delete ArrayBuffer.isView;
  // Array.prototype.slice / Function.prototype.bind are undefined when looked up on the
  // prototype, yet [].slice and fn.bind work (tslib's __spreadArray crashes on this).
  Object.defineProperty(Array.prototype, "slice", {
    configurable: true,
    get: function () { return this === Array.prototype ? undefined : realSlice; },
    set: function (v) { hidden(this, "slice", v); },
  });
  Object.defineProperty(Function.prototype, "bind", {
    configurable: true,
    get: function () { return this === Function.prototype ? undefined : realBind; },
    set: function (v) { hidden(this, "bind", v); },
  });
  // Typed-array slice gives a plain Array.
  hidden(Object.getPrototypeOf(Uint8Array.prototype), "slice", function slice(s, e) {
    return realSlice.call(this, s, e);
  });
  String.fromCharCode = function fromCharCode() {
    if (arguments.length > 256) throw new Error("Too many arguments");
    return realFcc.apply(String, arguments);
  };
  // Object.prototype.toString.call([]) is "" on the board.
  var realToString = Object.prototype.toString;
  hidden(Object.prototype, "toString", function toString() {
    return Array.isArray(this) ? "" : realToString.call(this);
  });
  // Static members are not inherited: setting a constructor's prototype chain does nothing.
  Object.setPrototypeOf = function setPrototypeOf(o, p) {
    return typeof o === "function" ? o : realSetProto(o, p);
  };
  Object.defineProperty(Object.prototype, "__proto__", {
    configurable: true,
    get: protoDesc.get,
    set: function (p) { if (typeof this !== "function") protoDesc.set.call(this, p); },
  });

  // ---- Every Espruino object is an event emitter (Object.prototype.on/emit).
  var events = new WM();
  function listeners(o, make) {
    var m = events.get(o);
    if (m || !make) return m || null;
    m = {};
    events.set(o, m);
    return m;
  }
  hidden(Object.prototype, "on", function on(ev, fn) {
    var m = listeners(this, true);
    (m[ev] || (m[ev] = [])).push(fn);
    return this;
  });
  hidden(Object.prototype, "addListener", Object.prototype.on);
  hidden(Object.prototype, "prependListener", function prependListener(ev, fn) {
    var m = listeners(this, true);
    (m[ev] || (m[ev] = [])).unshift(fn);
    return this;
  });
  hidden(Object.prototype, "emit", function emit(ev) {
    var m = listeners(this, false);
    if (!m || !m[ev]) return;
    var args = realSlice.call(arguments, 1);
    var l = m[ev].concat();
    for (var i = 0; i < l.length; i++) l[i].apply(this, args);
  });
  hidden(Object.prototype, "removeListener", function removeListener(ev, fn) {
    var m = listeners(this, false);
    if (!m || !m[ev]) return;
    var i = m[ev].indexOf(fn);
    if (i >= 0) m[ev].splice(i, 1);
    if (!m[ev].length) delete m[ev];
  });
  hidden(Object.prototype, "removeAllListeners", function removeAllListeners(ev) {
    var m = listeners(this, false);
    if (!m) return;
    if (ev === undefined) for (var k in m) delete m[k];
    else delete m[ev];
  });

  // ---- Espruino's scoping (scoping.ts): the runtime of the rewritten code.
  var U = Object.freeze({}); // a variable whose statement has not run yet
  var fns = new WM(); // function -> [meta id, scope object it was made in]
  var chainRunners = [];
  function chainRunner(n) {
    if (!chainRunners[n]) {
      var vars = [];
      for (var i = 0; i < n; i++) vars.push("$$e" + i + "=$$c[" + i + "]");
      chainRunners[n] = realEval("(function($$c,eval,$$code){var " + vars.join(",") + ";return eval($$code)})");
    }
    return chainRunners[n];
  }
  function keysOf(s) {
    return Object.keys(s).filter(function (k) { return k !== " p"; });
  }
  // Code run in a chain of scope objects (innermost first): eval in a function, a module.
  function runIn(code, chain, self) {
    if (typeof code !== "string") return code;
    if (!chain) return realEval(call(host.compile, code, null));
    var js = call(host.compile, code, chain.map(keysOf));
    return chainRunner(chain.length).call(self, chain, realEval, js);
  }
  function evalFn(code) {
    return runIn(code, null, undefined);
  }
  var has = function (o, k) { return Object.prototype.hasOwnProperty.call(o, k); };
  var vb = {
    f: function (fn, id, scope) { fns.set(fn, [id, scope]); return fn; },
    g: function (name) { if (!(name in G)) G[name] = undefined; },
    h: function (s, name) { return has(s, name) && s[name] !== U; },
    d: function (s, name) { if (!(has(s, name) && s[name] !== U)) s[name] = undefined; },
    e: function (fn, self, chain, args) { return fn === evalFn ? runIn(args[0], chain, self) : apply(fn, undefined, args); },
    m: function (o, k, self, chain, args) { var fn = o[k]; return fn === evalFn ? runIn(args[0], chain, self) : apply(fn, o, args); },
    G: G,
  };
  // A function shows the source it was written with, not the rewrite.
  var realFnToString = Function.prototype.toString;
  hidden(Function.prototype, "toString", function toString() {
    var i = fns.get(this);
    var src = i && call(host.fnSource, i[0]);
    return typeof src === "string" ? src : realFnToString.call(this);
  });
  Object.defineProperty(G, "$$U", { value: U });
  Object.defineProperty(G, "$$vb", { value: Object.freeze(vb) });
  G.eval = evalFn;

  // ---- Pins
  var pins = {};
  var pinSet = new WS();
  function Pin(v) {
    var n = call(host.pinName, v);
    if (n === undefined) throw new Error("Invalid pin " + v);
    if (pins[n]) return pins[n];
    if (!(this instanceof Pin)) return new Pin(n);
    hidden(this, "__pin", n);
    pins[n] = this;
    pinSet.add(this);
    call(host.registerPin, this, n);
  }
  Pin.prototype.read = function () { return !!digitalRead(this); };
  Pin.prototype.write = function (v) { digitalWrite(this, v); };
  Pin.prototype.set = function () { digitalWrite(this, 1); };
  Pin.prototype.reset = function () { digitalWrite(this, 0); };
  Pin.prototype.toggle = function () { var v = !call(host.pinOut, this); digitalWrite(this, v); return v; };
  Pin.prototype.mode = function (m) { pinMode(this, m); };
  Pin.prototype.getMode = function () { return getPinMode(this); };
  Pin.prototype.getInfo = function () { return { num: call(host.pinNum, this), port: "D", channel: 0 }; };
  Pin.prototype.toString = function () { return this.__pin; };
  G.Pin = Pin;
  host.pinNames.forEach(function (n) { G[n] = new Pin(n); });
  if (host.nodemcu) {
    var nm = {};
    for (var k in host.nodemcu) nm[k] = pins[host.nodemcu[k]];
    G.NodeMCU = nm;
  }

  // ---- Host functions become globals.
  var globals = rebuild(host.globals);
  ["pinMode", "getPinMode", "digitalRead", "digitalWrite", "digitalPulse", "analogRead", "analogWrite",
   "setWatch", "clearWatch", "setTimeout", "setInterval", "clearTimeout", "clearInterval", "changeInterval",
   "getTime", "setTime", "print", "load", "save", "reset", "echo", "atob", "btoa", "getSerial",
   "setDeepSleep", "setSleepIndicator", "setBusyIndicator", "trace"].forEach(function (k) {
    G[k] = globals[k];
  });
  G.global = G;
  G.console = { log: globals.print, info: globals.print, warn: globals.print, error: globals.print, debug: globals.print, trace: globals.print };
  G.process = { env: JSON.parse(host.env), version: JSON.parse(host.env).VERSION, memory: globals.memory };
  var E = rebuild(host.E);
  G.E = E;
  var cache = {};
  var required = {}; // built-in modules asked for (the firmware caches them)
  G.Modules = {
    addCached: function (name, mod) { cache[name] = typeof mod === "string" ? evalModule(mod) : mod; },
    removeCached: function (name) { delete cache[name]; },
    removeAllCached: function () { for (var k in cache) delete cache[k]; },
    getCached: function () { return Object.keys(cache); },
  };
  // Espruino runs a module in one scope object holding `exports` and `module` (module is
  // that scope object itself), with `this` the exports.
  function evalModule(code) {
    var scope = { " p": null };
    scope.exports = {};
    scope.module = scope;
    runIn(code, [scope], scope.exports);
    return scope.exports;
  }

  // ---- Sockets (net, tls): events come from the host through emit on this object.
  function Socket() {}
  Socket.prototype.write = function (data) {
    // Espruino sends the string form of anything that is not a string: a Uint8Array goes
    // out as the text "0,1,255". Board code must E.toString() bytes first.
    call(host.sockWrite, this.__id, typeof data === "string" ? data : String(data));
    return true;
  };
  Socket.prototype.end = function (data) {
    if (data !== undefined) this.write(data);
    call(host.sockEnd, this.__id);
  };
  Socket.prototype.destroy = function () { call(host.sockDestroy, this.__id); };
  Socket.prototype.pipe = function (dest) {
    this.on("data", function (d) { dest.write(d); });
  };
  function connector(tls) {
    return {
      connect: function (opts, cb) {
        if (typeof opts === "string") opts = { host: opts.split(":")[0], port: +opts.split(":")[1] };
        var s = new Socket();
        if (cb) s.on("connect", cb);
        hidden(s, "__id", call(host.sockConnect, opts, tls, s));
        return s;
      },
    };
  }

  // ---- Wifi (simulated access point; the host decides what connects).
  var W = host.wifi;
  var Wifi = {
    connect: function (ssid, opts, cb) { call(W.connect, String(ssid), opts || {}, cb); },
    disconnect: function (cb) { call(W.disconnect, cb); },
    getIP: function (cb) { var r = call(W.ip); if (cb) call(W.later, cb, [null, r]); return r; },
    getStatus: function (cb) { var r = call(W.status); if (cb) call(W.later, cb, [r]); return r; },
    getDetails: function (cb) { var r = call(W.details); if (cb) call(W.later, cb, [r]); return r; },
    scan: function (cb) { call(W.later, cb, [call(W.scan)]); },
    setHostname: function (h, cb) { if (cb) call(W.later, cb, [null]); },
    getHostname: function (cb) { if (cb) call(W.later, cb, ["espruino"]); return "espruino"; },
    setDHCPHostname: function () {},
    save: function () {},
    restore: function () {},
    stopAP: function (cb) { if (cb) call(W.later, cb, [null]); },
    startAP: function (ssid, opts, cb) { if (cb) call(W.later, cb, [null]); },
    setSNTP: function () {},
    ping: function (ip, cb) { if (cb) call(W.later, cb, [{ totalCount: 1, totalBytes: 32, totalTime: 1, respTime: 1, seqNo: 1, timeoutCount: 0 }]); },
  };

  var builtins = { net: connector(false), Storage: rebuild(host.Storage), crypto: rebuild(host.crypto) };
  if (host.has.tls) builtins.tls = connector(true);
  if (host.heatshrink) builtins.heatshrink = rebuild(host.heatshrink);
  if (host.has.Wifi) builtins.Wifi = Wifi;
  if (host.chip) {
    var chip = rebuild(host.chip);
    if (host.has.ESP8266) G.ESP8266 = builtins.ESP8266 = chip;
    if (host.has.ESP32) G.ESP32 = builtins.ESP32 = chip;
  }
  G.require = function require(name) {
    if (has(cache, name)) return cache[name];
    if (has(builtins, name)) {
      required[name] = true;
      return builtins[name];
    }
    var src = call(host.storageModule, name);
    if (src !== undefined) return (cache[name] = evalModule(src));
    throw new Error("Module " + name + " not found");
  };

  // ---- What the firmware itself is made of: the memory model counts only what board code
  // adds. Everything reachable from the globals now, with the keys each object has now.
  var firmware = new WS();
  var firmwareKeys = new WM();
  (function mark(o, depth) {
    if (o === null || (typeof o !== "object" && typeof o !== "function") || firmware.has(o) || depth > 6) return;
    firmware.add(o);
    var names = Object.getOwnPropertyNames(o);
    var keys = {};
    for (var i = 0; i < names.length; i++) {
      keys[names[i]] = true;
      var d = Object.getOwnPropertyDescriptor(o, names[i]);
      if (d && "value" in d) mark(d.value, depth + 1);
    }
    firmwareKeys.set(o, keys);
    mark(Object.getPrototypeOf(o), depth + 1);
  })(G, 0);
  [Object.prototype, Function.prototype, Array.prototype, Uint8Array.prototype, Error.prototype, Promise.prototype, Socket.prototype, Wifi].forEach(function (p) {
    firmware.add(p);
  });
  for (var b in builtins) {
    var bk = {};
    firmware.add(builtins[b]);
    for (var f in builtins[b]) {
      bk[f] = true;
      if (typeof builtins[b][f] === "function") firmware.add(builtins[b][f]);
    }
    firmwareKeys.set(builtins[b], bk);
  }
  for (var wf in Wifi) firmware.add(Wifi[wf]);
  for (var sp in Socket.prototype) firmware.add(Socket.prototype[sp]);

  return {
    obj: function (json) { return JSON.parse(json); },
    Error: Error,
    TypeError: TypeError,
    SyntaxError: SyntaxError,
    Uint8Array: Uint8Array,
    ArrayBuffer: ArrayBuffer,
    Promise: Promise,
    wifi: Wifi,
    E: E,
    // for the memory model
    fnInfo: function (f) { return fns.get(f); },
    builtin: function (o) { return firmware.has(o); },
    builtinKeys: function (o) { return firmwareKeys.get(o); },
    listeners: function (o) { return events.get(o); },
    isPin: function (o) { return pinSet.has(o); },
    U: U,
    objectProto: Object.prototype,
    cached: function () { return cache; },
    required: function () { return Object.keys(required); },
    fromContext: function (e) { return e instanceof Object; },
  };
});
