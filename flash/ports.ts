// Finding and opening the board's port: a USB serial port (serialport 13) or a board's WiFi
// console (tcp://host[:23], ESP8266 telnet, also the virtual board's console). Failures are
// FlashError with a sentence the user can act on.
import { connect, type Socket } from "node:net";
import { SerialPortStream, type StreamOptions } from "@serialport/stream";
import { SerialPort } from "serialport";
import { FlashError } from "./errors";

export type PortInfo = Awaited<ReturnType<typeof SerialPort.list>>[number];
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Binding = StreamOptions<any>["binding"];

export { FlashError };

// Ports that are a real device: Linux also lists the 32 built-in /dev/ttyS* UARTs, which
// have no USB ids and nothing attached.
export function usablePorts(ports: PortInfo[]): PortInfo[] {
  return ports.filter((p) => p.vendorId || p.pnpId || /ttyUSB|ttyACM|usbserial|usbmodem|^COM\d+/i.test(p.path));
}

function describePort(p: PortInfo): string {
  return p.path + (p.manufacturer ? " (" + p.manufacturer + ")" : "");
}

// The one port to use when none was given.
export function pickPort(ports: PortInfo[]): string {
  const usable = usablePorts(ports);
  if (!usable.length) throw new FlashError("no-port", "no serial port found: plug the board in over USB, or give --port /dev/ttyUSB0 or --port tcp://<board-ip>");
  if (usable.length > 1) throw new FlashError("several-ports", "several serial ports found: " + usable.map(describePort).join(", ") + "; choose one with --port");
  return usable[0].path;
}

// What went wrong opening a serial port, from the binding's message.
export function openError(path: string, e: unknown): FlashError {
  const msg = String((e as Error)?.message ?? e);
  if (/permission denied|EACCES/i.test(msg))
    return new FlashError("permission", "permission denied on " + path + ": add yourself to the port's group (sudo usermod -aG dialout $USER), then log in again");
  if (/lock|busy|EBUSY|temporarily unavailable/i.test(msg))
    return new FlashError("busy", path + " is busy: another program (a serial monitor, the Espruino IDE, another pinwire) has it open");
  if (/no such file|ENOENT|does not exist/i.test(msg)) return new FlashError("no-such-port", "no port " + path + " (is the board plugged in?)");
  return new FlashError("open", "cannot open " + path + ": " + msg);
}

// A byte stream to the board's console.
export interface ConsoleLink {
  readonly name: string;
  write(b: Buffer | string): void;
  onData(fn: (b: Buffer) => void): void;
  onClose(fn: () => void): void;
  close(): Promise<void>;
}

export interface OpenOptions {
  baud?: number;
  binding?: Binding; // tests: @serialport/binding-mock
}

export async function listPorts(binding?: Binding): Promise<PortInfo[]> {
  return binding ? binding.list() : SerialPort.list();
}

function tcpLink(url: string): Promise<ConsoleLink> {
  const rest = url.slice("tcp://".length);
  const i = rest.lastIndexOf(":");
  const host = i > 0 ? rest.slice(0, i) : rest;
  const port = i > 0 ? Number(rest.slice(i + 1)) : 23;
  return new Promise((resolve, reject) => {
    const s: Socket = connect({ host, port }, () => {
      s.off("error", reject);
      s.setNoDelay(true);
      resolve({
        name: url,
        write: (b) => void s.write(b),
        onData: (fn) => void s.on("data", fn),
        onClose: (fn) => void s.on("close", fn),
        // A peer that never closes its side (a console that stopped reading) is cut after 2 s.
        close: () =>
          new Promise<void>((r) => {
            if (s.destroyed) return r();
            s.once("close", () => r());
            s.end();
            setTimeout(() => s.destroy(), 2000).unref();
          }),
      });
    });
    s.once("error", (e: NodeJS.ErrnoException) =>
      reject(new FlashError("connect", "cannot reach the board console at " + url + ": " + (e.code === "ECONNREFUSED" ? "connection refused" : e.message))),
    );
  });
}

function serialLink(path: string, o: OpenOptions): Promise<ConsoleLink> {
  return new Promise((resolve, reject) => {
    const opts = { path, baudRate: o.baud ?? 115200, autoOpen: false };
    const p = o.binding ? new SerialPortStream({ ...opts, binding: o.binding }) : new SerialPort(opts);
    p.open((err) => {
      if (err) return reject(openError(path, err));
      resolve({
        name: path,
        write: (b) => void p.write(b),
        onData: (fn) => void p.on("data", fn),
        onClose: (fn) => void p.on("close", fn),
        // Drain first: the last command (load()) must leave before the port closes.
        close: () => new Promise<void>((r) => (p.isOpen ? p.drain(() => p.close(() => r())) : r())),
      });
    });
  });
}

// Opens --port, or the only serial port there is.
export async function openConsole(port: string | undefined, o: OpenOptions = {}): Promise<ConsoleLink> {
  if (port?.startsWith("tcp://")) return tcpLink(port);
  const path = port ?? pickPort(await listPorts(o.binding));
  return serialLink(path, o);
}
