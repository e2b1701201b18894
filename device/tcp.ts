// The board's one TCP (or TLS) connection over Espruino's net/tls modules. Espruino hands
// sockets "binary strings" (one char per byte) and would send a Uint8Array as the text
// "0,1,255", so bytes are converted both ways here. Only one socket is open at a time;
// events from a socket already replaced are ignored, so a late close cannot tear down
// its successor.
import { fromBinaryString, type Bytes } from "../shared/bytes";

let sock: any = null;

// Opens host:port; up() on connect, data(bytes) per chunk, down() once when it closes
// or fails. Returns false when the connect was refused at once (no callback follows).
export function tcpOpen(host: string, port: number, tls: boolean, up: () => void, data: (b: Bytes) => void, down: () => void): boolean {
  tcpClose();
  let s: any;
  const log = function (e: any): void {
    console.log("tcp " + host + ":" + port + " " + e);
  };
  try {
    // No TLS in the ESP8266 build: the branch folds away there.
    s = global.require(PINWIRE_BOARD !== "esp8266" && tls ? "tls" : "net").connect({ host: host, port: port }, function () {
      if (s === sock) up();
    });
  } catch (e) {
    // The Linux build throws synchronously on a refused connect.
    log(e);
    return false;
  }
  sock = s;
  s.on("data", function (d: string) {
    if (s === sock) data(fromBinaryString(d));
  });
  s.on("error", function (e: any) {
    log(e && e.message ? e.message : e);
  });
  s.on("close", function () {
    if (s !== sock) return;
    sock = null;
    down();
  });
  return true;
}

export function tcpWrite(b: Bytes): void {
  if (sock) sock.write(E.toString(b));
}

// Closes without calling down(): the caller chose to close.
export function tcpClose(): void {
  const s = sock;
  sock = null;
  if (s) s.end();
}
