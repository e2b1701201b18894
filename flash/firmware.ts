// `pinwire firmware`: writes an Espruino firmware the user downloaded (nothing is fetched)
// with Espressif's esptool-js, through a Web Serial-shaped adapter over node serialport.
// Offsets follow Espruino's targets/esp8266/README_flash.txt and targets/esp32/README_flash.txt:
//   ESP8266, combined image: whole image at 0x0 (espruino_2vXX_esp8266_4mb_combined_4096.bin,
//     or ..._combined_512.bin for 512 KB modules);
//   ESP8266, split files (a folder): boot_v1.6.bin 0x0, espruino_esp8266_user1.bin 0x1000,
//     esp_init_data_default.bin and blank.bin at the flash's end less 16 KB and 8 KB
//     (4 MB: 0x3FC000 / 0x3FE000; 2 MB: 0x1FC000 / 0x1FE000; 1 MB: 0xFC000 / 0xFE000;
//     512 KB: 0x7C000 / 0x7E000);
//   ESP32 (a folder): bootloader.bin 0x1000, partitions_espruino.bin 0x8000,
//     espruino_esp32.bin 0x10000; a lone espruino_esp32.bin goes to 0x10000.
import { existsSync, readFileSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { SerialPortStream } from "@serialport/stream";
import { SerialPort } from "serialport";
import { type Binding, FlashError, openError } from "./ports";

export interface FirmwarePart {
  path: string;
  address: number;
}

export interface FirmwarePlan {
  chip: "esp8266" | "esp32";
  parts: FirmwarePart[];
  flashSize: string; // esptool-js FlashSizeValues
  flashMode: string;
  flashFreq: string;
}

const ESP8266_SIZES: Record<string, number> = { "512KB": 0x80000, "1MB": 0x100000, "2MB": 0x200000, "4MB": 0x400000 };

function need(dir: string, name: string): string {
  const p = join(dir, name);
  if (!existsSync(p)) throw new FlashError("firmware-file", "missing " + name + " in " + dir);
  return p;
}

// Where each file goes. `file` is one image or the folder of Espruino's zip for the board.
export function firmwarePlan(board: string, file: string, flashSize?: string, flashMode = "dio"): FirmwarePlan {
  if (!existsSync(file)) throw new FlashError("firmware-file", "no such file: " + file);
  const dir = statSync(file).isDirectory();
  if (board === "esp8266") {
    if (!dir) {
      // Combined images: the name says the layout (…_combined_512.bin or …_4mb_combined_4096.bin).
      const size = flashSize ?? (/combined_512/.test(basename(file)) ? "512KB" : "4MB");
      if (!ESP8266_SIZES[size]) throw new FlashError("flash-size", "ESP8266 flash size must be one of " + Object.keys(ESP8266_SIZES).join(", "));
      return { chip: "esp8266", parts: [{ path: file, address: 0 }], flashSize: size === "4MB" ? "4MB-c1" : size, flashMode, flashFreq: "40m" };
    }
    const size = flashSize ?? "4MB";
    const end = ESP8266_SIZES[size];
    if (!end) throw new FlashError("flash-size", "ESP8266 flash size must be one of " + Object.keys(ESP8266_SIZES).join(", "));
    return {
      chip: "esp8266",
      parts: [
        { path: need(file, "boot_v1.6.bin"), address: 0x0 },
        { path: need(file, "espruino_esp8266_user1.bin"), address: 0x1000 },
        { path: need(file, "esp_init_data_default.bin"), address: end - 0x4000 },
        { path: need(file, "blank.bin"), address: end - 0x2000 },
      ],
      flashSize: size === "4MB" ? "4MB-c1" : size,
      flashMode,
      flashFreq: "40m",
    };
  }
  if (board === "esp32") {
    const parts = dir
      ? [
          { path: need(file, "bootloader.bin"), address: 0x1000 },
          { path: need(file, "partitions_espruino.bin"), address: 0x8000 },
          { path: need(file, "espruino_esp32.bin"), address: 0x10000 },
        ]
      : [{ path: file, address: 0x10000 }];
    return { chip: "esp32", parts, flashSize: flashSize ?? "keep", flashMode, flashFreq: "40m" };
  }
  throw new FlashError("board", "firmware can be written to esp8266 or esp32, not '" + board + "'");
}

// The Web Serial port esptool-js's Transport expects, over a node serialport.
export class NodeSerialDevice {
  readable: ReadableStream<Uint8Array> | null = null;
  writable: WritableStream<Uint8Array> | null = null;
  private port: SerialPortStream | null = null;

  constructor(
    readonly path: string,
    private binding?: Binding,
    private info: { usbVendorId?: number; usbProductId?: number } = {},
  ) {}

  getInfo() {
    return this.info;
  }

  async open(o: { baudRate: number }): Promise<void> {
    const opts = { path: this.path, baudRate: o.baudRate, autoOpen: false };
    const p = this.binding ? new SerialPortStream({ ...opts, binding: this.binding }) : new SerialPort(opts);
    await new Promise<void>((resolve, reject) => p.open((e) => (e ? reject(openError(this.path, e)) : resolve())));
    this.port = p;
    let onData: ((b: Buffer) => void) | null = null;
    this.readable = new ReadableStream<Uint8Array>({
      start(c) {
        onData = (b: Buffer) => c.enqueue(new Uint8Array(b));
        p.on("data", onData);
        p.once("close", () => {
          try {
            c.close();
          } catch {
            // already closed by cancel()
          }
        });
      },
      cancel() {
        if (onData) p.off("data", onData);
      },
    });
    this.writable = new WritableStream<Uint8Array>({
      write: (chunk) => new Promise<void>((resolve, reject) => p.write(Buffer.from(chunk), (e) => (e ? reject(e) : p.drain(() => resolve())))),
    });
  }

  async setSignals(s: { dataTerminalReady?: boolean; requestToSend?: boolean; break?: boolean }): Promise<void> {
    const p = this.port;
    if (!p) throw new FlashError("not-open", "port not open");
    const set: { dtr?: boolean; rts?: boolean; brk?: boolean } = {};
    if (s.dataTerminalReady !== undefined) set.dtr = s.dataTerminalReady;
    if (s.requestToSend !== undefined) set.rts = s.requestToSend;
    if (s.break !== undefined) set.brk = s.break;
    await new Promise<void>((resolve, reject) => p.set(set, (e) => (e ? reject(e) : resolve())));
  }

  async setBaudRate(baudRate: number): Promise<void> {
    const p = this.port;
    if (p) await new Promise<void>((resolve, reject) => p.update({ baudRate }, (e) => (e ? reject(e) : resolve())));
  }

  async close(): Promise<void> {
    const p = this.port;
    this.port = null;
    this.readable = this.writable = null;
    if (p?.isOpen) await new Promise<void>((resolve) => p.close(() => resolve()));
  }
}

export interface FirmwareOptions {
  board: string;
  file: string;
  port: string;
  baud?: number; // flashing speed after the stub loads (default 460800)
  flashSize?: string;
  flashMode?: string;
  binding?: Binding;
  onProgress?: (written: number, total: number) => void;
  log?: (line: string) => void;
}

export async function writeFirmware(o: FirmwareOptions): Promise<{ chip: string; bytes: number }> {
  const plan = firmwarePlan(o.board, o.file, o.flashSize, o.flashMode);
  const files = plan.parts.map((p) => ({ data: new Uint8Array(readFileSync(p.path)), address: p.address }));
  const total = files.reduce((n, f) => n + f.data.length, 0);
  const { ESPLoader, Transport } = await import("esptool-js");
  const device = new NodeSerialDevice(o.port, o.binding);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const transport = new Transport(device as any, false);
  const log = o.log ?? (() => {});
  const loader = new ESPLoader({
    transport,
    baudrate: o.baud ?? 460800,
    romBaudrate: 115200,
    terminal: { clean: () => {}, writeLine: (s: string) => log(s), write: (s: string) => log(s) },
  });
  try {
    const chip = await loader.main();
    if (!chip.toUpperCase().includes(plan.chip.toUpperCase()))
      throw new FlashError("chip", "the board on " + o.port + " is " + chip + ", not " + plan.chip);
    await loader.writeFlash({
      fileArray: files,
      flashMode: plan.flashMode as never,
      flashFreq: plan.flashFreq as never,
      flashSize: plan.flashSize as never,
      eraseAll: false,
      compress: true,
      reportProgress: (i, written) => {
        const done = files.slice(0, i).reduce((n, f) => n + f.data.length, 0) + written;
        o.onProgress?.(Math.min(done, total), total);
      },
    });
    await loader.after("hard_reset");
    return { chip, bytes: total };
  } finally {
    await transport.disconnect().catch(() => {});
  }
}
