// Runs first in every fresh board context (trusted code, not the board's). `host` is the
// bridge into the simulator; it is captured here and never left reachable from the board's
// globals. Objects the board sees are made in this realm, so `instanceof Error`, `.on` and
// JSON behave as on Espruino. Returns the helpers the host needs to build context values.
(function (host) {
  "use strict";
  var G = globalThis;
  var realSlice = Array.prototype.slice;
  var realBind = Function.prototype.bind;
  var realFcc = String.fromCharCode;
  var realSetProto = Object.setPrototypeOf;
  var protoDesc = Object.getOwnPropertyDescriptor(Object.prototype, "__proto__");
  var hidden = function (o, k, v) {
    Object.defineProperty(o, k, { value: v, writable: true, configurable: true, enumerable: false });
  };

  // ---- Espruino 2v29 lacks these (shared/notes/espruino.md, "Missing or different").
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
  function listeners(o, make) {
    var d = Object.getOwnPropertyDescriptor(o, "__ev");
    if (d) return d.value;
    if (!make) return null;
    var m = {};
    hidden(o, "__ev", m);
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

  // ---- Pins
  var pins = {};
  function Pin(v) {
    var n = host.pinName(v);
    if (n === undefined) throw new Error("Invalid pin " + v);
    if (pins[n]) return pins[n];
    if (!(this instanceof Pin)) return new Pin(n);
    hidden(this, "__pin", n);
    pins[n] = this;
    host.registerPin(this, n);
  }
  Pin.prototype.read = function () { return !!digitalRead(this); };
  Pin.prototype.write = function (v) { digitalWrite(this, v); };
  Pin.prototype.set = function () { digitalWrite(this, 1); };
  Pin.prototype.reset = function () { digitalWrite(this, 0); };
  Pin.prototype.toggle = function () { var v = !host.pinOut(this); digitalWrite(this, v); return v; };
  Pin.prototype.mode = function (m) { pinMode(this, m); };
  Pin.prototype.getMode = function () { return getPinMode(this); };
  Pin.prototype.getInfo = function () { return { num: host.pinNum(this), port: "D", channel: 0 }; };
  Pin.prototype.toString = function () { return this.__pin; };
  G.Pin = Pin;
  host.pinNames.forEach(function (n) { G[n] = new Pin(n); });
  if (host.nodemcu) {
    var nm = {};
    for (var k in host.nodemcu) nm[k] = pins[host.nodemcu[k]];
    G.NodeMCU = nm;
  }

  // ---- Plain host functions become globals (they return primitives).
  ["pinMode", "getPinMode", "digitalRead", "digitalWrite", "digitalPulse", "analogRead", "analogWrite",
   "setWatch", "clearWatch", "setTimeout", "setInterval", "clearTimeout", "clearInterval", "changeInterval",
   "getTime", "setTime", "print", "load", "save", "reset", "echo", "atob", "btoa", "getSerial",
   "setDeepSleep", "setSleepIndicator", "setBusyIndicator", "trace"].forEach(function (k) {
    G[k] = host.globals[k];
  });
  G.global = G;
  G.console = { log: host.globals.print, info: host.globals.print, warn: host.globals.print, error: host.globals.print, debug: host.globals.print, trace: host.globals.print };
  G.process = { env: JSON.parse(host.env), version: JSON.parse(host.env).VERSION, memory: host.globals.memory };
  var E = {};
  for (var e in host.E) E[e] = host.E[e];
  G.E = E;
  var cache = {};
  G.Modules = {
    addCached: function (name, mod) { cache[name] = typeof mod === "string" ? evalModule(mod) : mod; },
    removeCached: function (name) { delete cache[name]; },
    removeAllCached: function () { for (var k in cache) delete cache[k]; },
    getCached: function () { return Object.keys(cache); },
  };
  function evalModule(code) {
    var module = { exports: {} };
    (new Function("exports", "module", code))(module.exports, module);
    return module.exports;
  }

  // ---- Sockets (net, tls): events come from the host through emit on this object.
  function Socket() {}
  Socket.prototype.write = function (data) {
    // Espruino sends the string form of anything that is not a string: a Uint8Array goes
    // out as the text "0,1,255". Board code must E.toString() bytes first.
    host.sockWrite(this.__id, typeof data === "string" ? data : String(data));
    return true;
  };
  Socket.prototype.end = function (data) {
    if (data !== undefined) this.write(data);
    host.sockEnd(this.__id);
  };
  Socket.prototype.destroy = function () { host.sockDestroy(this.__id); };
  Socket.prototype.pipe = function (dest) {
    this.on("data", function (d) { dest.write(d); });
  };
  function connector(tls) {
    return {
      connect: function (opts, cb) {
        if (typeof opts === "string") opts = { host: opts.split(":")[0], port: +opts.split(":")[1] };
        var s = new Socket();
        if (cb) s.on("connect", cb);
        hidden(s, "__id", host.sockConnect(opts, tls, s));
        return s;
      },
    };
  }

  // ---- Wifi (simulated access point; the host decides what connects).
  var Wifi = {
    connect: function (ssid, opts, cb) { host.wifi.connect(String(ssid), opts || {}, cb); },
    disconnect: function (cb) { host.wifi.disconnect(cb); },
    getIP: function (cb) { var r = host.wifi.ip(); if (cb) host.wifi.later(cb, [null, r]); return r; },
    getStatus: function (cb) { var r = host.wifi.status(); if (cb) host.wifi.later(cb, [r]); return r; },
    getDetails: function (cb) { var r = host.wifi.details(); if (cb) host.wifi.later(cb, [r]); return r; },
    scan: function (cb) { host.wifi.later(cb, [host.wifi.scan()]); },
    setHostname: function (h, cb) { if (cb) host.wifi.later(cb, [null]); },
    getHostname: function (cb) { if (cb) host.wifi.later(cb, ["espruino"]); return "espruino"; },
    setDHCPHostname: function () {},
    save: function () {},
    restore: function () {},
    stopAP: function (cb) { if (cb) host.wifi.later(cb, [null]); },
    startAP: function (ssid, opts, cb) { if (cb) host.wifi.later(cb, [null]); },
    setSNTP: function () {},
    ping: function (ip, cb) { if (cb) host.wifi.later(cb, [{ totalCount: 1, totalBytes: 32, totalTime: 1, respTime: 1, seqNo: 1, timeoutCount: 0 }]); },
  };

  var builtins = { net: connector(false), Storage: host.Storage, crypto: host.crypto };
  if (host.has.tls) builtins.tls = connector(true);
  if (host.heatshrink) builtins.heatshrink = host.heatshrink;
  if (host.has.Wifi) builtins.Wifi = Wifi;
  if (host.has.ESP8266) G.ESP8266 = builtins.ESP8266 = host.chip;
  if (host.has.ESP32) G.ESP32 = builtins.ESP32 = host.chip;
  var has = function (o, k) { return Object.prototype.hasOwnProperty.call(o, k); };
  G.require = function require(name) {
    if (has(cache, name)) return cache[name];
    if (has(builtins, name)) return builtins[name];
    var src = host.storageModule(name);
    if (src !== undefined) return (cache[name] = evalModule(src));
    throw new Error("Module " + name + " not found");
  };

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
    snapshot: function () { return Object.getOwnPropertyNames(G); },
  };
});
