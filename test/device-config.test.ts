// pinwire.json vetting as a host tool calls it before flashing (device/config.ts is pure).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { checkConfig, linkMode, parseUrl, validId } from "../device/config";
import { VERSION } from "../device/version";

describe("device config", () => {
  it("parses broker and gateway URLs with defaults per scheme", () => {
    expect(parseUrl("mqtt://user:pa:ss@broker.local:1884")).toEqual({ tls: false, ws: false, host: "broker.local", port: 1884, path: "/", user: "user", pass: "pa:ss" });
    expect(parseUrl("mqtt://10.0.0.2")).toMatchObject({ tls: false, ws: false, host: "10.0.0.2", port: 1883 });
    expect(parseUrl("mqtts://h")).toMatchObject({ tls: true, ws: false, port: 8883 });
    expect(parseUrl("ws://h:8080/mqtt")).toMatchObject({ tls: false, ws: true, host: "h", port: 8080, path: "/mqtt" });
    expect(parseUrl("wss://h/ws/dev1?x=1")).toMatchObject({ tls: true, ws: true, port: 443, path: "/ws/dev1?x=1" });
    expect(parseUrl("ws://dev1:secret@h:80/ws/dev1")).toMatchObject({ user: "dev1", pass: "secret", path: "/ws/dev1" });
    for (const bad of ["", "h:1883", "http://h", "mqtt://", "mqtt://h:", "mqtt://h:0", "mqtt://h:65536", "mqtt://h:12x", "mqtt://:1883", 42, null])
      expect(parseUrl(bad), String(bad)).toBeNull();
  });

  it("accepts ids that are one topic level of printable ASCII", () => {
    expect(validId("dev1")).toBe(true);
    expect(validId("a-b_c.9")).toBe(true);
    for (const bad of ["", "a/b", "a+b", "a#", "a b", "\u00e9", "x".repeat(65), 7]) expect(validId(bad), String(bad)).toBe(false);
  });

  it("chooses the link: mqtt when a broker is set, else the gateway, unless mode says", () => {
    expect(linkMode({ broker: "mqtt://h" })).toBe("mqtt");
    expect(linkMode({ gateway: "ws://h/ws/a" })).toBe("ws");
    expect(linkMode({ broker: "mqtt://h", gateway: "ws://h/ws/a", mode: "ws" })).toBe("ws");
  });

  it("refuses what cannot run, naming the reason", () => {
    const ok = { id: "dev1", broker: "mqtt://h:1883" };
    expect(checkConfig(ok, "esp8266")).toBeNull();
    expect(checkConfig({ ...ok, wifi: { ssid: "n", password: "p" }, pins: { servo: "D4" } }, "esp8266")).toBeNull();
    expect(checkConfig(null, "esp8266")).toBe("config");
    expect(checkConfig("x", "esp8266")).toBe("config");
    expect(checkConfig({ broker: "mqtt://h" }, "esp8266")).toBe("id");
    expect(checkConfig({ id: "a/b", broker: "mqtt://h" }, "esp8266")).toBe("id");
    expect(checkConfig({ id: "d" }, "esp8266")).toBe("gateway");
    expect(checkConfig({ id: "d", broker: "http://h" }, "esp8266")).toBe("broker");
    expect(checkConfig({ id: "d", gateway: "mqtt://h" }, "esp8266")).toBe("gateway");
    expect(checkConfig({ id: "d", broker: "mqtt://h", mode: "udp" }, "esp8266")).toBe("mode");
    expect(checkConfig({ ...ok, wifi: "net" }, "esp8266")).toBe("wifi");
    expect(checkConfig({ ...ok, pins: 3 }, "esp8266")).toBe("pins");
  });

  it("refuses TLS on the ESP8266 (Espruino has none there) and allows it elsewhere", () => {
    for (const cfg of [{ id: "d", broker: "mqtts://h" }, { id: "d", broker: "wss://h/mqtt" }, { id: "d", gateway: "wss://h/ws/d" }]) {
      expect(checkConfig(cfg, "esp8266")).toBe("no-tls");
      expect(checkConfig(cfg, "esp32")).toBeNull();
      expect(checkConfig(cfg, "linux")).toBeNull();
    }
  });

  it("reports the package version", () => {
    expect(VERSION).toBe(JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")).version);
  });
});
