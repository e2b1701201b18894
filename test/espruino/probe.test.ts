import { readFileSync } from "node:fs";
import { describe, it } from "vitest";
import { flashFiles } from "../../flash/usb";
import { startAedes, Watcher } from "../device-harness";
import { Espruino } from "./interpreter";

const POOL = (process.env.POOL as any) || "esp8266";
describe("probe", () => {
  it("boots", async () => {
    const broker = await startAedes();
    const w = await Watcher.connect("mqtt://127.0.0.1:" + broker.port);
    const app = process.env.APP ? readFileSync(process.env.APP, "latin1") : undefined;
    const files = await flashFiles(process.env.BOARD || "esp8266", { id: "p1", broker: "mqtt://127.0.0.1:" + (process.env.REFUSE ? 1 : broker.port), pins: { light: null } }, app);
    const e = await Espruino.start(POOL);
    try {
      await e.writeFiles(files);
      await e.boot();
      if (!process.env.REFUSE) await w.next((m) => m.topic === "pinwire/p1/status" && m.payload.toString() === "online", 0, 15000).catch((x) => { console.log(e.output()); throw x; });
      if (!process.env.REFUSE) await w.next((m) => m.topic === "pinwire/p1/state", 0, 15000).catch((x) => { console.log("BOARD OUTPUT", e.output().slice(-4000)); throw x; });
      await new Promise((r) => setTimeout(r, 1500));
      console.log("USAGE", (await e.memory()).usage);
      if (process.env.SCOPE) {
        const f = e.mark;
        e.send('var sc=' + process.env.SCOPE + '["\\xFFsco"];var out=[];for(var i in sc){var S=sc[i];var R=[];for(var k in S){R.push(k+":"+E.getSizeOf(S[k]));}out.push(i+"{"+R.join(" ")+"}");}print("SZ "+out.join(" ; "));');
        const m = await e.waitFor(new RegExp("SZ [^\n]*\n"), 10000, f);
        console.log(m[0]);
      }
      if (process.env.CHILD) {
        const f = e.mark;
        e.send('var z=E.getSizeOf(' + process.env.CHILD + ',1);print("SZ "+z.map(function(x){return x.name+":"+x.size}).join(" "));');
        const m = await e.waitFor(new RegExp("SZ [^\\n]*\\n"), 10000, f);
        console.log(m[0]);
      }
      if (process.env.SIZES) {
        const f = e.mark;
        e.send('var R=[];for(var k in global){if(k.charAt(0)=="$")R.push(k+":"+E.getSizeOf(global[k]));}print("SZ "+R.join(" "));');
        const m = await e.waitFor(new RegExp("SZ [^\\n]*\\n"), 10000, f);
        console.log(m[0]);
      }
    } finally {
      await e.close();
      await w.close();
      await broker.close();
    }
  });
});
