// The runtime's optional parts are Storage modules (pw.ota, pw.ws: scripts/device-bundle.mjs
// MODULES), loaded with require() when first needed; Espruino runs them from flash and caches
// them. A missing one (an installer that wrote only the script) is reported and gives null.
// Each module carries its own copy of the shared helpers it uses: lending it the script's would
// keep those helpers defined in every script, module loaded or not, and every function a board
// holds costs it RAM. What the script and the modules call of each other is declared in
// device/modules.ts.
export function mod(name: string): any {
  try {
    return global.require(name);
  } catch (e) {
    console.log("pinwire: no " + name + " " + e);
    return null;
  }
}
