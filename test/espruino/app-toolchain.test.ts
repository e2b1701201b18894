// The maker's path on Espruino 2v29 itself: the project `pinwire init` makes, built by `pinwire
// build`'s builder for the ESP8266, laid out in the interpreter's Storage as `pinwire flash`
// lays it out, booted on the ESP8266 pool against a broker: it logs over MQTT and reports; then
// one line of its logic changed, built again and pushed over the air as `pinwire run` pushes
// it: the interpreter boots the new script from the loader, which reports the pushed version
// and logs the changed line. Prints free JsVars after connect with the machine's load.
import { loadavg } from "node:os";
import mqtt, { type MqttClient } from "mqtt";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { flashFiles } from "../../flash/usb";
import { pushScript } from "../../flash/push";
import { runtimeModules } from "../../host/app/build";
import { AppBuilder, findProject } from "../../host/app/project";
import { startAedes, type TestBroker } from "../helpers/broker";
import { tempProject, type TempProject, withStartLine } from "../helpers/projects";
import { Espruino } from "./interpreter";
import { Conditions } from "../helpers/conditions";

let broker: TestBroker;
let host: MqttClient;
let project: TempProject;
const seen: { topic: string; text: string }[] = [];
const seenSoFar = new Conditions(() => "seen " + JSON.stringify(seen.slice(-6)));

beforeAll(async () => {
  broker = await startAedes();
  host = await mqtt.connectAsync(broker.url, { clientId: "toolchain-real-" + process.pid });
  host.on("message", (topic, payload) => {
    seen.push({ topic, text: payload.toString("latin1") });
    seenSoFar.poke();
  });
  await host.subscribeAsync(["pinwire/+/log", "pinwire/+/info"]);
  project = tempProject("realapp");
});

afterAll(async () => {
  await host?.endAsync(true);
  await broker?.close();
  project?.cleanup();
});

const until = (pred: () => boolean, what: string, ms = 30000) => seenSoFar.until(pred, what, ms);

const logged = (id: string, line: string) => seen.some((m) => m.topic === "pinwire/" + id + "/log" && m.text === line);
const info = (id: string) => {
  const m = seen.filter((x) => x.topic === "pinwire/" + id + "/info").pop();
  return m ? JSON.parse(m.text) : null;
};

describe("an app from pinwire init on Espruino 2v29 (ESP8266 pool)", () => {
  it("boots as flashed, logs over MQTT, and takes a one-line change over the air", async () => {
    const id = "real-app";
    const builder = new AppBuilder(findProject(project.file("main.ts")));
    const first = await builder.build("esp8266");
    const e = await Espruino.start("esp8266");
    try {
      await e.writeFiles(await flashFiles("esp8266", { id, broker: broker.url }, first.code, await runtimeModules("esp8266")));
      await e.boot();
      await until(() => logged(id, "realapp started"), "the app's start-up log line");
      await until(() => info(id)?.app === "realapp", "its info");
      const mem = await e.memory();
      console.log(`realapp on the ESP8266 pool: ${first.bytes} bytes, ${mem.free} of ${mem.total} JsVars free after connect; load ${loadavg().map((x) => x.toFixed(2)).join(" ")}`);

      project.write("main.ts", withStartLine(project, "realapp, one line changed"));
      const next = await builder.build("esp8266");
      const r = await pushScript(host, { id, image: Buffer.from(next.code, "latin1"), version: next.version });
      expect(r).toMatchObject({ outcome: "updated", version: next.version });
      await until(() => logged(id, "realapp, one line changed"), "the pushed script's log line");
      await until(() => info(id)?.script === next.version, "info naming the pushed script");
    } finally {
      await e.close();
    }
  }, 120000);
});
