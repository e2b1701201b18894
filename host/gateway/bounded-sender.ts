// Per-client output with bounded memory, writing pre-built WebSocket frames.
//
// Fan-out cost is what limits a bridge: one report goes to every client of a device. So a
// frame is built once (frame() below: server frames are unmasked, so the bytes are the same
// for every client) and written straight to each client's socket, and writes made in one
// tick are corked into a single writev. `ws` still owns the handshake, the parsing of what
// clients send, and control frames; with permessage-deflate off its Sender keeps no queue of
// its own, so whole frames written here cannot interleave with its frames.
//
// While the socket keeps up, frames go straight out. Once the client's buffered bytes pass
// the high-water mark, new frames are parked in one slot per key (for board messages the
// key is the message type), so a newer value replaces an older unsent one: a slow browser
// sees the latest value of each report, not a backlog. The slots are flushed as the socket drains:
// a zero-length write with a callback, queued behind the backlog, says when. Memory per
// client: high-water + one frame per key.
import type { WebSocket } from "ws";
import type { Socket } from "node:net";
import { encodeFrame } from "../../shared/ws/frame";

const OPEN = 1;
const EMPTY = Buffer.alloc(0);

// Sockets corked during this tick, all uncorked by one nextTick (not one per client).
let corked: Socket[] = [];
function uncorkAll(): void {
  const l = corked;
  corked = [];
  for (let i = 0; i < l.length; i++) l[i].uncork();
}

// A whole, unmasked frame (FIN set) carrying payload with the given opcode (1 text, 2 binary):
// the shared encoder (shared/ws/frame.ts) as a Buffer for socket writes.
export function frame(opcode: 1 | 2, payload: Uint8Array | string): Buffer {
  const f = encodeFrame(opcode, typeof payload === "string" ? Buffer.from(payload, "utf8") : payload);
  return Buffer.from(f.buffer, f.byteOffset, f.length);
}

export class BoundedSender {
  private pending = new Map<string | number, Buffer>();
  private readonly onWritten: (err?: Error | null) => void;
  private corkedIn = -1; // the tick (uncork generation) this socket was corked in
  private armed = 0; // drain probes (zero-length writes) in flight
  dropped = 0; // frames replaced before they could be sent

  constructor(
    private ws: WebSocket,
    private highWater: number,
  ) {
    // One callback per client, not one closure per probe.
    this.onWritten = (err) => {
      this.armed--;
      if (!err && this.pending.size && this.ws.bufferedAmount < this.highWater) this.flush();
      if (this.pending.size && !this.armed) this.arm();
    };
  }

  private socket(): Socket | null {
    return (this.ws as unknown as { _socket: Socket | null })._socket;
  }

  // f: a frame from frame(); key: what a newer frame may replace while the client is slow.
  send(key: string | number, f: Buffer): void {
    if (this.ws.readyState !== OPEN) return;
    if (this.pending.size || this.ws.bufferedAmount >= this.highWater) {
      if (this.pending.has(key)) {
        this.dropped++;
        this.pending.delete(key); // re-insert: delivery follows the latest arrival order
      }
      this.pending.set(key, f);
      if (!this.armed) this.arm();
      return;
    }
    this.write(f);
  }

  get queued(): number {
    return this.pending.size;
  }

  // A zero-length write completes after everything before it: its callback says "drained".
  private arm(): void {
    const s = this.socket();
    if (!s || this.ws.readyState !== OPEN) return;
    this.armed++;
    s.write(EMPTY, this.onWritten);
  }

  private write(f: Buffer): void {
    const s = this.socket();
    if (!s) return;
    if (this.corkedIn !== generation) {
      this.corkedIn = generation;
      s.cork();
      if (!corked.length) process.nextTick(nextGeneration);
      corked.push(s);
    }
    s.write(f); // no callback: arm() is how a backed-up client learns it drained
  }

  private flush(): void {
    for (const [key, f] of this.pending) {
      if (this.ws.readyState !== OPEN) return this.pending.clear();
      if (this.ws.bufferedAmount >= this.highWater) return;
      this.pending.delete(key);
      this.write(f);
    }
  }
}

let generation = 0;
function nextGeneration(): void {
  generation++;
  uncorkAll();
}
