// Boards for the host suites, each running one of the example apps (or a script without a
// catalogue), behind one small interface so the suites do not depend on what plays the board.
// Today a fake board (host/sim/fake-board.ts) driven by the example's declaration, with the
// reference app's behaviour added below; a virtual board running the example's real bundle can
// take its place behind the same interface.
import { join } from "node:path";
import { loadApp, type LoadedApp } from "../../host/app/declaration";
import { FakeBoard, type Behaviour } from "../../host/sim/fake-board";
import { MessageTable, type Catalogue, type MessageSpec, type MessageValue } from "../../shared/catalogue";

export type AppName = "servo-light" | "sensor-struct";

const loaded = new Map<AppName, Promise<LoadedApp>>();

// An example's declaration, loaded once per process.
export function exampleApp(name: AppName): Promise<LoadedApp> {
  let p = loaded.get(name);
  if (!p) loaded.set(name, (p = loadApp(join(import.meta.dirname, "..", "..", "examples", name, "app.ts"))));
  return p;
}

export async function catalogueOf(name: AppName): Promise<Catalogue> {
  return (await exampleApp(name)).catalogue;
}

export async function tableOf(name: AppName): Promise<MessageTable> {
  return new MessageTable(await catalogueOf(name));
}

// The reference app beyond its catalogue (examples/servo-light: the LED follows the light,
// darker -> brighter, until set by hand; LED_SET -1 goes back to automatic).
const servoLight: Behaviour = {
  initial: { SERVO_ANGLE: 90, LIGHT_LEVEL: 50, LED_DUTY: 50, LED_SET: -1 },
  command(b, spec, value) {
    if (spec.name !== "LED_SET" || typeof value !== "number") return false;
    const auto = value < 0;
    b.report("LED_DUTY", auto ? 100 - (b.value("LIGHT_LEVEL") as number) : value);
    b.report("LED_SET", value);
    return true;
  },
  changed(b, name, value) {
    if (name === "LIGHT_LEVEL" && b.value("LED_SET") === -1) b.report("LED_DUTY", 100 - (value as number));
  },
};

const sensorStruct: Behaviour = {
  initial: { READING: { id: 1, v1: 21.5, v2: -3.25, v3: 4000000000, v4: "hello" }, PERIOD: 1000 },
};

const BEHAVIOURS: Record<AppName, Behaviour> = { "servo-light": servoLight, "sensor-struct": sensorStruct };

export interface TestBoard {
  readonly id: string;
  // The app it runs (null: a script without a catalogue).
  readonly app: AppName | null;
  // The value the board itself holds for a report (what it would show on its hardware).
  value(name: string): MessageValue | undefined;
  // The commands it accepted, in order.
  received(): { name: string; value: MessageValue }[];
  // Its input changed: it reports `value` for report `name` (and what follows from it).
  input(name: string, value: MessageValue): void;
  log(line: string): void;
  // A push of another app (or of a script without a catalogue): it restarts running that.
  switchApp(app: AppName | null, script: string): Promise<void>;
  // Comes back after its broker drops it (default: it does not).
  stop(graceful?: boolean): Promise<void>;
  start(): Promise<void>;
}

export interface TestBoardOptions {
  id: string;
  broker: string; // mqtt://127.0.0.1:<port>
  app: AppName | null;
  username?: string;
  password?: string;
  script?: string;
  reconnect?: boolean;
  rawState?: Uint8Array; // without a catalogue: the state bytes it publishes
}

export async function startTestBoard(o: TestBoardOptions): Promise<TestBoard> {
  const app = o.app ? await catalogueOf(o.app) : null;
  const fake = new FakeBoard({
    id: o.id,
    url: o.broker,
    username: o.username,
    password: o.password,
    app,
    behaviour: o.app ? BEHAVIOURS[o.app] : undefined,
    script: o.script ?? "1.0.0",
    reconnect: o.reconnect,
    rawState: o.rawState,
  });
  await fake.start();
  let current = o.app;
  return {
    id: o.id,
    get app() {
      return current;
    },
    value: (n) => fake.value(n),
    received: () => fake.received,
    input: (n, v) => fake.set(n, v),
    log: (l) => fake.log(l),
    async switchApp(next, script) {
      fake.opts.behaviour = next ? BEHAVIOURS[next] : undefined;
      await fake.switchApp(next ? await catalogueOf(next) : null, script);
      current = next;
    },
    stop: (graceful) => fake.stop(graceful),
    start: async () => void (await fake.start()),
  };
}

// A message of an example app as bytes (for a test's own commands and reports).
export async function encode(app: AppName, name: string, value: MessageValue): Promise<Uint8Array> {
  const t = await tableOf(app);
  return t.encode(t.byName.get(name) as MessageSpec, value);
}
