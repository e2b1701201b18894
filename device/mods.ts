// The app's optional parts are Storage modules (pw.ota, pw.ws: scripts/device-bundle.mjs
// MODULES), loaded with require() when first needed; Espruino runs them from flash and caches
// them. A missing one (an installer that wrote only the app) is reported and gives null.
//
// The modules use the app's own copies of the shared primitives below instead of carrying
// their own (the module build maps these imports to global.pw, set before the first module
// loads; see fromApp in
// scripts/device-bundle.mjs, which reads this table). One ProtocolError class on the board
// also keeps `instanceof` true across the app/module boundary. A script pushed over the air
// replaces the app but not the modules: keep every key, with the same meaning.
import { alloc, fromBinaryString, put, readU16BE, utf8Decode, utf8Encode, view, writeU16BE } from "../shared/bytes";
import { fail, ProtocolError } from "../shared/errors";
import { framer, join } from "../shared/stream";

// Made only when the first module loads: a board that never needs one keeps the JsVars.
function api(): any {
  // prettier-ignore
  const PW = { a: alloc, b: fromBinaryString, p: put, r: readU16BE, d: utf8Decode, e: utf8Encode, v: view, w: writeU16BE, f: fail, E: ProtocolError, F: framer, j: join };
  return PW;
}

export function mod(name: string): any {
  const g = global as any;
  try {
    if (!g.pw) g.pw = api();
    return global.require(name);
  } catch (e) {
    console.log("pinwire: no " + name + " " + e);
    return null;
  }
}
