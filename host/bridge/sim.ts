// `pinwire sim` and the virtual board `npm start` adds. Runs the device app on the virtual
// Espruino board (host/vboard) when it is available; until then a FakeDevice speaks the
// same topics so the dashboard has something to show.
import type { Logger } from "../log";
import { FakeDevice } from "./fake-device";

export interface SimOptions {
  id: string;
  broker: string;
  board?: string;
  username?: string;
  password?: string;
  log: Logger;
}

export interface Sim {
  stop(): Promise<void>;
}

export async function startVirtualDevice(o: SimOptions): Promise<Sim> {
  const log = o.log.child({ c: "sim", id: o.id });
  const dev = await new FakeDevice({ id: o.id, url: o.broker, username: o.username, password: o.password, lightPeriodMs: 1000 }).start();
  log.info({ event: "sim-start", id: o.id, broker: o.broker, kind: "fake" }, "simulated device running");
  return { stop: () => dev.stop() };
}
