// The runtime's optional parts are Storage modules (pw.ota, pw.ws; their interface and its
// version: device/modules.ts), loaded with require() when first needed; Espruino runs them from
// flash and caches them. A missing one (an installer that wrote only the script), or one of
// another interface version (installed by an older or newer pinwire than built this script),
// is reported and gives null: the script carries on without it.
import { MODULES_VERSION, type ModuleName, type StorageModules } from "./modules";

export function mod<K extends ModuleName>(name: K): StorageModules[K] | null {
  try {
    const M = global.require(name);
    if (M.v === MODULES_VERSION) return M;
    // pinwire flash installs the modules this pinwire builds against.
    console.log("pinwire: " + name + " is interface " + M.v + ", needs " + MODULES_VERSION + ": pinwire flash");
  } catch (e) {
    console.log("pinwire: no " + name + " " + e);
  }
  return null;
}
