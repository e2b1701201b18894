// WsClient over a Node socket against the `ws` package's WebSocketServer, and against a raw
// TCP server where the test needs bytes ws would never send.
import { createHash, randomBytes } from "node:crypto";
import net from "node:net";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import mqttPacket from "mqtt-packet";
import { WebSocketServer, type WebSocket } from "ws";
import { CLIENT_DECODERS, MqttParser } from "../shared/mqtt/parser";
import type { Bytes } from "../shared/bytes";
import { ProtocolError } from "../shared/errors";
import { sha1 as pureSha1 } from "../shared/sha1";
import { WsClient, type WsOptions } from "../shared/ws/client";
import { encodeFrame } from "../shared/ws/frame";
import { upgradeResponse } from "../shared/ws/handshake";

const nodeSha1 = (b: Bytes): Bytes => new Uint8Array(createHash("sha1").update(b).digest());
const digest = (b: Uint8Array) => b.length + ":" + createHash("sha1").update(b).digest("hex");

// A queue of events to await one by one.
function queue<T>() {
  const items: T[] = [];
  const waiters: ((v: T) => void)[] = [];
  return {
    push(v: T) {
      const w = waiters.shift();
      if (w) w(v);
      else items.push(v);
    },
    next(): Promise<T> {
      return items.length ? Promise.resolve(items.shift() as T) : new Promise((r) => waiters.push(r));
    },
  };
}

interface Conn {
  ws: WsClient;
  socket: net.Socket;
  opened: Promise<string>;
  messages: ReturnType<typeof queue<[Bytes, boolean]>>;
  pongs: ReturnType<typeof queue<Bytes>>;
  closed: Promise<[number, string]>;
  errors: ProtocolError[];
  thrown: unknown[]; // exceptions data() let through
}

// The platform side: a Node socket as the WsClient's transport, its events fed back in.
function connect(port: number, o: Partial<WsOptions> = {}): Conn {
  const socket = net.connect({ host: "127.0.0.1", port });
  const ws = new WsClient({ write: (b) => socket.write(b), close: () => socket.end() }, { host: "127.0.0.1:" + port, sha1: nodeSha1, ...o });
  const messages = queue<[Bytes, boolean]>();
  const pongs = queue<Bytes>();
  const errors: ProtocolError[] = [];
  const thrown: unknown[] = [];
  let opened!: (p: string) => void;
  let closed!: (v: [number, string]) => void;
  const c: Conn = {
    ws,
    socket,
    messages,
    pongs,
    errors,
    thrown,
    opened: new Promise((r) => (opened = r)),
    closed: new Promise((r) => (closed = r)),
  };
  ws.onopen = opened;
  ws.ondata = (b, text) => messages.push([Uint8Array.from(b), text]);
  ws.onpong = (b) => pongs.push(Uint8Array.from(b));
  ws.onerror = (e) => errors.push(e);
  ws.onclose = (code, reason) => closed([code, reason]);
  socket.on("connect", () => ws.start());
  socket.on("data", (b) => {
    try {
      ws.data(new Uint8Array(b.buffer, b.byteOffset, b.length));
    } catch (e) {
      thrown.push(e);
    }
  });
  socket.on("close", () => ws.closed());
  socket.on("error", () => {});
  return c;
}

describe("WsClient against ws's WebSocketServer", () => {
  let wss: WebSocketServer;
  let port: number;
  // Each test says what the server does with a connection.
  let onConnection: (s: WebSocket, url: string, headers: Record<string, string | string[] | undefined>) => void;
  const conns: Conn[] = [];
  const open = (o: Partial<WsOptions> = {}) => {
    const c = connect(port, o);
    conns.push(c);
    return c;
  };

  beforeAll(async () => {
    wss = new WebSocketServer({
      host: "127.0.0.1",
      port: 0,
      handleProtocols: (set) => (set.has("bad") ? "other" : set.has("mqtt") ? "mqtt" : false),
    });
    wss.on("connection", (s, req) => onConnection(s, req.url || "", req.headers));
    await new Promise((r) => wss.on("listening", r));
    port = (wss.address() as AddressInfo).port;
  });
  afterEach(() => {
    for (const c of conns.splice(0)) c.socket.destroy();
  });
  afterAll(async () => {
    for (const s of wss.clients) s.terminate();
    await new Promise((r) => wss.close(r));
  });

  const SIZES = [0, 125, 126, 65535, 65536, 1048576];

  it("echoes binary messages of 0 to 1 MiB sent by us", async () => {
    onConnection = (s) => s.on("message", (d, binary) => s.send(d, { binary }));
    const c = open();
    expect(await c.opened).toBe("");
    const sent = SIZES.map((n) => randomBytes(n));
    for (const b of sent) c.ws.write(b);
    for (const b of sent) {
      const [got, text] = await c.messages.next();
      expect(text).toBe(false);
      expect(digest(got)).toBe(digest(b));
    }
  });

  it("echoes binary messages of 0 to 1 MiB sent by the server", async () => {
    const sent = SIZES.map((n) => randomBytes(n));
    const back = queue<Buffer>();
    onConnection = (s) => {
      s.on("message", (d) => back.push(d as Buffer));
      for (const b of sent) s.send(b);
    };
    const c = open();
    c.ws.ondata = (b) => c.ws.write(b);
    for (const b of sent) expect(digest(await back.next())).toBe(digest(b));
  });

  it("text messages arrive flagged as text", async () => {
    onConnection = (s) => s.send("h\u00e9llo \u{1f600}");
    const c = open();
    const [b, text] = await c.messages.next();
    expect(text).toBe(true);
    expect(Buffer.from(b).toString()).toBe("h\u00e9llo \u{1f600}");
  });

  it("fragmented messages both ways", async () => {
    const ours = randomBytes(70000);
    const theirs = [randomBytes(10), randomBytes(0), randomBytes(66000), randomBytes(5)];
    const got = queue<Buffer>();
    onConnection = (s) => {
      s.on("message", (d) => got.push(d as Buffer));
      theirs.forEach((b, i) => s.send(b, { fin: i === theirs.length - 1 }));
    };
    const c = open();
    await c.opened;
    // Ours: three fragments with a ping in between.
    c.ws.send(ours.subarray(0, 100), false, true);
    c.ws.ping(Buffer.from("mid"));
    c.ws.send(ours.subarray(100, 69000), false, true);
    c.ws.send(ours.subarray(69000));
    expect(digest(await got.next())).toBe(digest(ours));
    expect(Buffer.from(await c.pongs.next()).toString()).toBe("mid");
    expect(digest((await c.messages.next())[0])).toBe(digest(Buffer.concat(theirs)));
    // After a fragmented message, a plain one starts afresh (opcode binary, not continuation).
    c.ws.write(Buffer.from("after"));
    expect((await got.next()).toString()).toBe("after");
  });

  it("carries MQTT: packets split across messages and several in one reach the MQTT parser whole", async () => {
    const gen = (p: object) => mqttPacket.generate(p as mqttPacket.Packet);
    const publish = gen({ cmd: "publish", topic: "a/b", payload: randomBytes(3000), qos: 0, retain: false, dup: false });
    const connack = gen({ cmd: "connack", returnCode: 0, sessionPresent: false });
    const suback = gen({ cmd: "suback", messageId: 7, granted: [1] });
    const fromClient = queue<mqttPacket.Packet>();
    onConnection = (s) => {
      const parser = mqttPacket.parser({ protocolVersion: 4 });
      parser.on("packet", (p) => fromClient.push(p));
      s.on("message", (d) => parser.parse(d as Buffer));
      // CONNACK and SUBACK in one message, then a PUBLISH cut in three.
      s.send(Buffer.concat([connack, suback]));
      s.send(publish.subarray(0, 1));
      s.send(publish.subarray(1, 2000));
      s.send(publish.subarray(2000));
    };
    const c = open({ protocols: ["mqtt"] });
    const parser = new MqttParser(CLIENT_DECODERS);
    const packets: { type: number }[] = [];
    c.ws.ondata = (b) => packets.push(...(parser.push(b) as { type: number }[]));
    await c.opened;
    // And the other way: one CONNECT written as the MQTT client would, split in two writes.
    const connect = gen({ cmd: "connect", protocolId: "MQTT", protocolVersion: 4, clientId: "pw", clean: true, keepalive: 30 });
    c.ws.write(connect.subarray(0, 5));
    c.ws.write(connect.subarray(5));
    const got = await fromClient.next();
    expect(got.cmd).toBe("connect");
    expect((got as mqttPacket.IConnectPacket).clientId).toBe("pw");
    // The server's messages are in by the time its answer to a ping arrives.
    c.ws.ping();
    await c.pongs.next();
    expect(packets.map((p) => p.type)).toEqual([2, 9, 3]);
  });

  it("pings both ways: ws pings us and gets our pong; we ping and get ws's pong", async () => {
    const pong = queue<Buffer>();
    onConnection = (s) => {
      s.on("pong", (d) => pong.push(d));
      s.ping(Buffer.from("from server"));
    };
    const c = open();
    expect((await pong.next()).toString()).toBe("from server");
    c.ws.ping(Buffer.from("from client"));
    expect(Buffer.from(await c.pongs.next()).toString()).toBe("from client");
    c.ws.ping();
    expect((await c.pongs.next()).length).toBe(0);
  });

  it("we close with a code and a UTF-8 reason; ws sees them and echoes", async () => {
    const seen = queue<[number, string]>();
    onConnection = (s) => s.on("close", (code, reason) => seen.push([code, reason.toString()]));
    const c = open();
    await c.opened;
    c.ws.close(4001, "bye \u00fc");
    expect(await seen.next()).toEqual([4001, "bye \u00fc"]);
    expect(await c.closed).toEqual([4001, "bye \u00fc"]);
    expect(c.errors).toEqual([]);
    // Nothing goes out after the close.
    c.ws.write(Buffer.from("late"));
    expect(c.ws.state).toBe(4);
  });

  it("close() without arguments sends 1000", async () => {
    const seen = queue<number>();
    onConnection = (s) => s.on("close", (code) => seen.push(code));
    const c = open();
    await c.opened;
    c.ws.close();
    expect(await seen.next()).toBe(1000);
    expect((await c.closed)[0]).toBe(1000);
  });

  it("ws closes with a code and reason; we echo the code", async () => {
    const seen = queue<number>();
    onConnection = (s) => {
      s.on("close", (code) => seen.push(code));
      s.close(4002, "server bye");
    };
    const c = open();
    expect(await c.closed).toEqual([4002, "server bye"]);
    expect(await seen.next()).toBe(4002);
  });

  it("ws closes without a code: 1005", async () => {
    onConnection = (s) => s.close();
    const c = open();
    expect(await c.closed).toEqual([1005, ""]);
  });

  it("the connection dropping without a Close frame: 1006", async () => {
    onConnection = (s) => s.terminate();
    const c = open();
    expect(await c.closed).toEqual([1006, ""]);
    expect(c.errors).toEqual([]);
  });

  it("sends path, subprotocol offer and extra headers; mqtt is negotiated", async () => {
    const req = queue<[string, Record<string, string | string[] | undefined>]>();
    onConnection = (s, url, headers) => req.push([url, headers]);
    const c = open({ path: "/mqtt?x=1", protocols: ["mqtt"], headers: { Authorization: "Basic dTpw" } });
    expect(await c.opened).toBe("mqtt");
    const [url, headers] = await req.next();
    expect(url).toBe("/mqtt?x=1");
    expect(headers.authorization).toBe("Basic dTpw");
    expect(headers["sec-websocket-protocol"]).toBe("mqtt");
  });

  it("the pure-TS SHA-1 works as the injected hash", async () => {
    onConnection = () => {};
    const c = open({ sha1: pureSha1 });
    expect(await c.opened).toBe("");
  });

  it("refuses a subprotocol we did not offer", async () => {
    onConnection = () => {};
    const c = open({ protocols: ["bad"] });
    expect((await c.closed)[0]).toBe(1006);
    expect(c.errors.map((e) => e.code)).toEqual(["WS-4.1-protocol"]);
  });

  it("refuses an answer without the subprotocol we asked for", async () => {
    onConnection = () => {};
    const c = open({ protocols: ["v2.other"] });
    await c.closed;
    expect(c.errors.map((e) => e.code)).toEqual(["WS-4.1-protocol"]);
  });

  it("refuses a wrong Sec-WebSocket-Accept", async () => {
    const tamper = (headers: string[]) => {
      const i = headers.findIndex((h) => h.startsWith("Sec-WebSocket-Accept:"));
      headers[i] = "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=";
    };
    wss.once("headers", tamper);
    onConnection = () => {};
    const c = open();
    await c.closed;
    expect(c.errors.map((e) => e.code)).toEqual(["WS-4.1-accept"]);
  });

  it("invalid UTF-8 from the server: we close with 1007", async () => {
    const seen = queue<number>();
    onConnection = (s) => {
      s.on("close", (code) => seen.push(code));
      // Raw bytes under ws: an unmasked text frame holding 0xff.
      (s as unknown as { _socket: net.Socket })._socket.write(Buffer.from([0x81, 1, 0xff]));
    };
    const c = open();
    expect(await seen.next()).toBe(1007);
    await c.closed;
    expect(c.errors.map((e) => e.code)).toEqual(["WS-8.1-utf8"]);
  });

  it("a message over maxSize: we close with 1009", async () => {
    const seen = queue<number>();
    onConnection = (s) => {
      s.on("close", (code) => seen.push(code));
      s.send(Buffer.alloc(1001));
    };
    const c = open({ maxSize: 1000 });
    expect(await seen.next()).toBe(1009);
    expect(c.errors.map((e) => e.code)).toEqual(["WS-10.4-size"]);
  });

  it("an error thrown by ondata fails the connection (1002) and reaches onerror", async () => {
    const seen = queue<number>();
    onConnection = (s) => {
      s.on("close", (code) => seen.push(code));
      s.send(Buffer.from([0x30]));
    };
    const c = open();
    // As the MQTT parser would on a malformed packet.
    c.ws.ondata = () => {
      throw new ProtocolError("MQTT-2.2.2-2");
    };
    expect(await seen.next()).toBe(1002);
    expect(c.errors.map((e) => e.code)).toEqual(["MQTT-2.2.2-2"]);
  });

  it("any other exception from ondata closes with 1011 and propagates out of data()", async () => {
    const seen = queue<number>();
    onConnection = (s) => {
      s.on("close", (code) => seen.push(code));
      s.send(Buffer.from([1]));
    };
    const c = open();
    c.ws.ondata = () => {
      throw new TypeError("app bug");
    };
    expect(await seen.next()).toBe(1011);
    await c.closed;
    expect(c.errors).toEqual([]);
    expect(c.thrown.map((e) => (e as Error).message)).toEqual(["app bug"]);
  });
});

// A raw TCP server that answers the handshake with what each test writes.
describe("WsClient against a raw TCP server", () => {
  let server: net.Server;
  let port: number;
  let onSocket: (s: net.Socket, head: string) => void;

  beforeAll(async () => {
    server = net.createServer((s) => {
      let head = "";
      const onData = (b: Buffer) => {
        head += b.toString("latin1");
        const e = head.indexOf("\r\n\r\n");
        if (e < 0) return;
        s.off("data", onData);
        onSocket(s, head.slice(0, e));
      };
      s.on("data", onData);
      s.on("error", () => {});
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
  });

  it("a response head split into single bytes, with frames in its last chunk", async () => {
    onSocket = (s, head) => {
      const res = Buffer.from(upgradeResponse(head, nodeSha1), "latin1");
      const frames = Buffer.concat([encodeFrame(2, Buffer.from("one")), encodeFrame(2, Buffer.from("two"))]);
      const writes = [...res.subarray(0, res.length - 1)].map((b) => Buffer.of(b));
      writes.push(Buffer.concat([res.subarray(res.length - 1), frames]));
      // One write per event-loop turn, so that the client sees them as separate chunks.
      const next = () => {
        const w = writes.shift();
        if (w) s.write(w, () => setImmediate(next));
      };
      next();
    };
    const c = connect(port);
    expect(await c.opened).toBe("");
    expect(Buffer.from((await c.messages.next())[0]).toString()).toBe("one");
    expect(Buffer.from((await c.messages.next())[0]).toString()).toBe("two");
    c.socket.destroy();
  });

  it("a masked frame from the server: close 1002 with WS-5.1-masked", async () => {
    const closeFrame = queue<Buffer>();
    onSocket = (s, head) => {
      s.on("data", (b) => closeFrame.push(b));
      s.write(upgradeResponse(head, nodeSha1));
      s.write(encodeFrame(2, Buffer.from("x"), Buffer.from([1, 2, 3, 4])));
    };
    const c = connect(port);
    const f = await closeFrame.next();
    // Our Close frame is masked (client), so unmask its 2-byte body to read the code.
    expect(f[0]).toBe(0x88);
    expect(f[1]).toBe(0x82);
    expect(((f[6] ^ f[2]) << 8) | (f[7] ^ f[3])).toBe(1002);
    await c.closed;
    expect(c.errors.map((e) => e.code)).toEqual(["WS-5.1-masked"]);
  });

  it("after the server's Close the client echoes it and leaves the TCP close to the server (7.1.1)", async () => {
    const echo = queue<Buffer>();
    let server!: net.Socket;
    onSocket = (s, head) => {
      server = s;
      s.on("data", (b) => echo.push(b));
      s.write(upgradeResponse(head, nodeSha1));
      s.write(encodeFrame(8, Buffer.from([0x0f, 0xa3, 0x62, 0x79, 0x65]))); // 4003 "bye"
    };
    const c = connect(port);
    const f = await echo.next();
    expect(f[0]).toBe(0x88);
    expect(((f[6] ^ f[2]) << 8) | (f[7] ^ f[3])).toBe(4003);
    // Close exchanged, transport still open on our side: the server closes first.
    expect(c.ws.state).toBe(3);
    expect(c.socket.writableEnded).toBe(false);
    server.end();
    expect(await c.closed).toEqual([4003, "bye"]);
  });

  it("a client-initiated close also waits for the server's TCP close after its Close", async () => {
    const got = queue<Buffer>();
    let server!: net.Socket;
    onSocket = (s, head) => {
      server = s;
      s.on("data", (b) => got.push(b));
      s.write(upgradeResponse(head, nodeSha1));
    };
    const c = connect(port);
    await c.opened;
    c.ws.close(1000);
    expect((await got.next())[0]).toBe(0x88);
    // connect()'s data listener runs first, so the client has taken the Close in this one.
    const taken = new Promise<void>((r) => c.socket.once("data", () => r()));
    server.write(encodeFrame(8, Buffer.from([0x03, 0xe8])));
    await taken;
    expect(c.ws.state).toBe(3);
    expect(c.socket.writableEnded).toBe(false);
    server.end();
    expect(await c.closed).toEqual([1000, ""]);
  });

  it("refuses a non-101 status, a missing Upgrade and an unasked-for extension", async () => {
    const answers = [
      "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
      "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\n\r\n",
    ];
    const codes: string[] = [];
    for (const a of answers) {
      onSocket = (s) => s.write(a);
      const c = connect(port);
      await c.closed;
      codes.push(...c.errors.map((e) => e.code));
    }
    onSocket = (s, head) => s.write(upgradeResponse(head, nodeSha1).replace("\r\n\r\n", "\r\nSec-WebSocket-Extensions: permessage-deflate\r\n\r\n"));
    const c = connect(port);
    await c.closed;
    codes.push(...c.errors.map((e) => e.code));
    expect(codes).toEqual(["WS-4.1-status", "WS-4.1-upgrade", "WS-4.1-extension"]);
  });

  it("gives up on a response head over 4 KB", async () => {
    onSocket = (s) => s.write("HTTP/1.1 101 Switching Protocols\r\nX: " + "a".repeat(5000));
    const c = connect(port);
    await c.closed;
    expect(c.errors.map((e) => e.code)).toEqual(["WS-4.1-size"]);
  });
});

describe("WsClient closing handshake timer", () => {
  it("closes the transport itself 5 s after the Close exchange when the server has not", () => {
    vi.useFakeTimers();
    try {
      const written: Uint8Array[] = [];
      let closes = 0;
      const ws = new WsClient({ write: (b) => written.push(b), close: () => closes++ }, { host: "h", sha1: nodeSha1 });
      let closed: [number, string] | null = null;
      ws.onclose = (code, reason) => (closed = [code, reason]);
      ws.start();
      const head = Buffer.from(written[0]).toString("latin1");
      ws.data(Buffer.from(upgradeResponse(head.slice(0, head.indexOf("\r\n\r\n")), nodeSha1), "latin1"));
      expect(ws.state).toBe(1);
      ws.data(encodeFrame(8, Buffer.from([0x03, 0xe9])));
      expect(written.length).toBe(2); // the echo
      vi.advanceTimersByTime(4999);
      expect(closes).toBe(0);
      vi.advanceTimersByTime(1);
      expect(closes).toBe(1);
      ws.closed();
      expect(closed).toEqual([1001, ""]);
      // A transport that closes in time clears the timer: nothing fires later.
      const ws2 = new WsClient({ write: (b) => written.push(b), close: () => closes++ }, { host: "h", sha1: nodeSha1 });
      ws2.start();
      const head2 = Buffer.from(written[written.length - 1]).toString("latin1");
      ws2.data(Buffer.from(upgradeResponse(head2.slice(0, head2.indexOf("\r\n\r\n")), nodeSha1), "latin1"));
      ws2.data(encodeFrame(8, Buffer.from([0x03, 0xe8])));
      ws2.closed();
      expect(vi.getTimerCount()).toBe(0);
      expect(closes).toBe(1);
    } finally {
      vi.useRealTimers();
    }
  });
});
