// Board variant of options.ts (swapped in by scripts/device-bundle.mjs): no check, and the
// minifier drops the empty call.
import type { ConnectPacket } from "./packet";

export function checkOptions(_p: ConnectPacket): void {}
