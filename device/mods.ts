// The app's optional parts are Storage modules (pw.ota, pw.ws: scripts/device-bundle.mjs
// MODULES), loaded with require() when first needed; Espruino runs them from flash and caches
// them. A missing one (an installer that wrote only the app) is reported and gives null.
export function mod(name: string): any {
  try {
    return global.require(name);
  } catch (e) {
    console.log("pinwire: no " + name + " " + e);
    return null;
  }
}
