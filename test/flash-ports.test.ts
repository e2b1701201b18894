// Port choice and errors (serialport with @serialport/binding-mock), the esptool-js
// Web Serial adapter over it, and the firmware offsets for each board. Writing a firmware
// for real needs a chip (docs/flashing.md).
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
// @ts-expect-error binding-mock's package "exports" carry no types entry
import { MockBinding as Mock } from "@serialport/binding-mock";
import { afterEach, describe, expect, it } from "vitest";
import { firmwarePlan, NodeSerialDevice } from "../flash/firmware";
import { type Binding, FlashError, listPorts, openConsole, openError, pickPort } from "../flash/ports";
import { tempDir } from "./host-helpers";
import { codeOf } from "./error-code";

const MockBinding = Mock as Binding & { createPort(path: string, o?: object): void; reset(): void };

afterEach(() => MockBinding.reset());

const code = (f: () => unknown) => codeOf(f, (e) => e instanceof FlashError);

describe("choosing the serial port", () => {
  it("takes the only USB port, ignores built-in UARTs, and names the candidates when there are several", async () => {
    expect(code(() => pickPort([]))).toBe("no-port");
    expect(code(() => pickPort([{ path: "/dev/ttyS0" } as never]))).toBe("no-port");
    MockBinding.createPort("/dev/ttyUSB0", { manufacturer: "Silicon Labs", vendorId: "10c4", productId: "ea60" });
    expect(pickPort(await listPorts(MockBinding))).toBe("/dev/ttyUSB0");
    MockBinding.createPort("/dev/ttyACM0", { manufacturer: "Espressif", vendorId: "303a" });
    let e: unknown;
    try {
      pickPort(await listPorts(MockBinding));
    } catch (x) {
      e = x;
    }
    expect(e).toBeInstanceOf(FlashError);
    expect((e as FlashError).code).toBe("several-ports");
    expect((e as FlashError).message).toContain("/dev/ttyUSB0 (Silicon Labs)");
    expect((e as FlashError).message).toContain("--port");
  });

  it("opens the port, and says clearly when it is busy, missing or not permitted", async () => {
    MockBinding.createPort("/dev/ttyUSB0", { vendorId: "10c4", echo: true });
    const link = await openConsole(undefined, { binding: MockBinding });
    expect(link.name).toBe("/dev/ttyUSB0");
    const got = new Promise<string>((r) => link.onData((b) => r(b.toString())));
    link.write("print(1)\n");
    expect(await got).toBe("print(1)\n");
    await expect(openConsole("/dev/ttyUSB0", { binding: MockBinding })).rejects.toMatchObject({ code: "busy" });
    await link.close();
    await expect(openConsole("/dev/ttyUSB9", { binding: MockBinding })).rejects.toMatchObject({ code: "no-such-port" });
    expect(openError("/dev/ttyUSB0", new Error("Error: Permission denied, cannot open /dev/ttyUSB0")).code).toBe("permission");
    expect(openError("/dev/ttyUSB0", new Error("Error: Permission denied, cannot open /dev/ttyUSB0")).message).toContain("dialout");
    expect(openError("/dev/ttyUSB0", new Error("Error Resource temporarily unavailable Cannot lock port")).code).toBe("busy");
  });

  it("says so when a tcp:// console refuses the connection", async () => {
    await expect(openConsole("tcp://127.0.0.1:1")).rejects.toMatchObject({ code: "connect" });
  });
});

describe("esptool-js over node serialport", () => {
  it("the Web Serial adapter writes, reads and sets DTR/RTS", async () => {
    MockBinding.createPort("/dev/ttyUSB0", { vendorId: "10c4", record: true });
    const dev = new NodeSerialDevice("/dev/ttyUSB0", MockBinding, { usbVendorId: 0x10c4 });
    await dev.open({ baudRate: 115200 });
    expect(dev.getInfo().usbVendorId).toBe(0x10c4);
    const w = dev.writable!.getWriter();
    await w.write(new Uint8Array([0xc0, 0x00, 0x08, 0xc0]));
    w.releaseLock();
    const port = (dev as unknown as { port: { port: { recording: Buffer; emitData(b: Buffer): void } } }).port.port;
    expect([...port.recording]).toEqual([0xc0, 0x00, 0x08, 0xc0]);
    const r = dev.readable!.getReader();
    port.emitData(Buffer.from([1, 2, 3]));
    expect([...(await r.read()).value!]).toEqual([1, 2, 3]);
    r.releaseLock();
    await dev.setSignals({ dataTerminalReady: false, requestToSend: true });
    await dev.setBaudRate(460800);
    await dev.close();
    await expect(dev.setSignals({ dataTerminalReady: true })).rejects.toMatchObject({ code: "not-open" });
  });
});

describe("firmware offsets (Espruino's README_flash)", () => {
  function files(dir: string, names: string[]): void {
    mkdirSync(dir, { recursive: true });
    for (const n of names) writeFileSync(join(dir, n), "x");
  }

  it("ESP8266: a combined image at 0, split files at boot/user1/init-data/blank for each flash size", () => {
    const { dir, cleanup } = tempDir("pinwire-fw-");
    try {
      const combined = join(dir, "espruino_2v29_esp8266_4mb_combined_4096.bin");
      const small = join(dir, "espruino_2v29_esp8266_combined_512.bin");
      files(dir, [combined, small].map((p) => p.slice(dir.length + 1)));
      expect(firmwarePlan("esp8266", combined)).toMatchObject({ chip: "esp8266", parts: [{ path: combined, address: 0 }], flashSize: "4MB-c1", flashMode: "dio" });
      expect(firmwarePlan("esp8266", small)).toMatchObject({ parts: [{ address: 0 }], flashSize: "512KB" });
      const split = join(dir, "espruino_2v29_esp8266");
      files(split, ["boot_v1.6.bin", "espruino_esp8266_user1.bin", "esp_init_data_default.bin", "blank.bin"]);
      const at = (size?: string) => firmwarePlan("esp8266", split, size).parts.map((p) => [p.path.slice(split.length + 1), p.address]);
      expect(at()).toEqual([
        ["boot_v1.6.bin", 0x0],
        ["espruino_esp8266_user1.bin", 0x1000],
        ["esp_init_data_default.bin", 0x3fc000],
        ["blank.bin", 0x3fe000],
      ]);
      expect(at("512KB").slice(2)).toEqual([
        ["esp_init_data_default.bin", 0x7c000],
        ["blank.bin", 0x7e000],
      ]);
      expect(at("1MB").slice(2).map((x) => x[1])).toEqual([0xfc000, 0xfe000]);
      expect(at("2MB").slice(2).map((x) => x[1])).toEqual([0x1fc000, 0x1fe000]);
      expect(code(() => firmwarePlan("esp8266", split, "8MB"))).toBe("flash-size");
      expect(code(() => firmwarePlan("esp8266", join(dir, "nope.bin")))).toBe("firmware-file");
    } finally {
      cleanup();
    }
  });

  it("ESP32: bootloader 0x1000, partitions 0x8000, Espruino 0x10000; a lone app image at 0x10000", () => {
    const { dir, cleanup } = tempDir("pinwire-fw-");
    try {
      files(dir, ["bootloader.bin", "partitions_espruino.bin"]);
      expect(code(() => firmwarePlan("esp32", dir))).toBe("firmware-file");
      files(dir, ["espruino_esp32.bin"]);
      expect(firmwarePlan("esp32", dir).parts.map((p) => [p.path.slice(dir.length + 1), p.address])).toEqual([
        ["bootloader.bin", 0x1000],
        ["partitions_espruino.bin", 0x8000],
        ["espruino_esp32.bin", 0x10000],
      ]);
      expect(firmwarePlan("esp32", join(dir, "espruino_esp32.bin"))).toMatchObject({ chip: "esp32", parts: [{ address: 0x10000 }], flashSize: "keep" });
      expect(code(() => firmwarePlan("linux", dir))).toBe("board");
    } finally {
      cleanup();
    }
  });
});
