// Our handshake answer, frame encoder and receiver in the server role, on a raw TCP server,
// against the `ws` package's WebSocket client.
import { createHash, randomBytes } from "node:crypto";
import net from "node:net";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import type { Bytes } from "../shared/bytes";
import { isProtocolError } from "../shared/errors";
import { encodeFragments, encodeFrame } from "../shared/ws/frame";
import { upgradeResponse } from "../shared/ws/handshake";
import { closeCodeOf, createReceiver } from "../shared/ws/receiver";

const sha1 = (b: Bytes): Bytes => new Uint8Array(createHash("sha1").update(b).digest());
const digest = (b: Uint8Array) => b.length + ":" + createHash("sha1").update(b).digest("hex");

// What the server saw, for the tests to check.
interface Seen {
  messages: [number, string][];
  closeCode?: number;
  error?: string;
}

// A minimal echo server: messages go back as they came (text or binary), pings are answered,
// "frag:N" asks for an N-byte binary message in 1000-byte fragments, a Close is echoed and the
// socket ended; protocol errors close with the matching code.
function serve(s: net.Socket, seen: Seen): void {
  let head = "";
  let push: ((c: Bytes) => void) | null = null;
  const send = (op: number, d: Uint8Array) => s.write(encodeFrame(op, d));
  s.on("error", () => {});
  s.on("data", (b: Buffer) => {
    if (!push) {
      head += b.toString("latin1");
      const e = head.indexOf("\r\n\r\n");
      if (e < 0) return;
      s.write(upgradeResponse(head.slice(0, e), sha1, ["mqtt"]));
      push = createReceiver(
        (op, d) => {
          if (op === 1 || op === 2) {
            seen.messages.push([op, digest(d)]);
            const t = Buffer.from(d).toString();
            if (op === 1 && t.startsWith("frag:")) for (const f of encodeFragments(2, randomBytes(Number(t.slice(5))).fill(9), 1000)) s.write(f);
            else send(op, d);
          } else if (op === 9) send(10, d);
          else if (op === 8) {
            seen.closeCode = d.length ? (d[0] << 8) | d[1] : 1005;
            send(8, d);
            s.end();
          }
        },
        1 << 21,
        true,
      );
      b = b.subarray(b.length - (head.length - e - 4));
    }
    try {
      push(b);
    } catch (e) {
      if (!isProtocolError(e)) throw e;
      seen.error = e.code;
      const body = Buffer.alloc(2);
      body.writeUInt16BE(closeCodeOf(e.code));
      send(8, body);
      s.end();
    }
  });
}

describe("server role against ws's client", () => {
  let server: net.Server;
  let url: string;
  let seen: Seen;

  beforeAll(async () => {
    server = net.createServer((s) => serve(s, seen));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    url = "ws://127.0.0.1:" + (server.address() as AddressInfo).port + "/";
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
  });

  async function client(protocols?: string[]): Promise<WebSocket> {
    seen = { messages: [] };
    const ws = new WebSocket(url, protocols);
    await new Promise((res, rej) => {
      ws.once("open", res);
      ws.once("error", rej);
    });
    return ws;
  }
  const nextMessage = (ws: WebSocket) =>
    new Promise<[Buffer, boolean]>((r) => ws.once("message", (d, binary) => r([d as Buffer, binary])));
  const closed = (ws: WebSocket) => new Promise<[number, string]>((r) => ws.once("close", (code, reason) => r([code, reason.toString()])));

  it("negotiates mqtt and echoes binary messages of 0 to 1 MiB", async () => {
    const ws = await client(["mqtt"]);
    expect(ws.protocol).toBe("mqtt");
    for (const n of [0, 125, 126, 65535, 65536, 1048576]) {
      const b = randomBytes(n);
      const echo = nextMessage(ws);
      ws.send(b);
      const [d, binary] = await echo;
      expect(binary).toBe(true);
      expect(digest(d)).toBe(digest(b));
    }
    ws.close();
    await closed(ws);
  });

  it("answers without a subprotocol when none it knows is offered", async () => {
    const ws = await client(["v9"]).catch((e: Error) => e);
    // ws refuses an answer without the protocol it asked for, as our client does.
    expect(ws).toBeInstanceOf(Error);
    const plain = await client();
    expect(plain.protocol).toBe("");
    plain.close();
    await closed(plain);
  });

  it("reassembles ws's fragmented messages, with a ping in between", async () => {
    const ws = await client();
    const parts = [randomBytes(100), randomBytes(70000), randomBytes(3)];
    const echo = nextMessage(ws);
    const pong = new Promise<Buffer>((r) => ws.once("pong", r));
    ws.send(parts[0], { fin: false });
    ws.ping("between");
    ws.send(parts[1], { fin: false });
    ws.send(parts[2], { fin: true });
    expect((await pong).toString()).toBe("between");
    expect(digest((await echo)[0])).toBe(digest(Buffer.concat(parts)));
    expect(seen.messages.length).toBe(1);
    ws.close();
    await closed(ws);
  });

  it("our fragments reassemble in ws; text echoes as text", async () => {
    const ws = await client();
    const big = nextMessage(ws);
    ws.send("frag:5500");
    const [d, binary] = await big;
    expect(binary).toBe(true);
    expect(digest(d)).toBe(digest(Buffer.alloc(5500, 9)));
    const echo = nextMessage(ws);
    ws.send("h\u00e9");
    expect((await echo)[0].toString()).toBe("h\u00e9");
    expect((await echo)[1]).toBe(false);
    ws.close();
    await closed(ws);
  });

  it("close code and reason from ws reach us; our echo reaches ws", async () => {
    const ws = await client();
    const done = closed(ws);
    ws.close(4321, "r\u00e9ason");
    expect(await done).toEqual([4321, "r\u00e9ason"]);
    expect(seen.closeCode).toBe(4321);
  });

  it("an unmasked frame from the client is refused with 1002", async () => {
    const ws = await client();
    const done = closed(ws);
    // An unmasked frame, written under ws onto its socket: only a broken client sends this.
    (ws as unknown as { _socket: net.Socket })._socket.write(Buffer.from([0x82, 1, 0]));
    expect((await done)[0]).toBe(1002);
    expect(seen.error).toBe("WS-5.1-unmasked");
  });
});
