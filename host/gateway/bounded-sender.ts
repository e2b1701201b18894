// Per-client output with bounded memory. While the socket keeps up, messages go straight
// out. Once the client's buffered bytes pass the high-water mark, new messages are parked
// in one slot per key (for board messages the key is the message type), so a newer value
// replaces an older unsent one: a slow browser sees the latest servo angle, not a backlog.
// The slots are flushed as the socket drains (ws calls the send callback once the bytes
// reach the kernel). Memory per client: high-water + one message per key.
import type { WebSocket } from "ws";

const BINARY = { binary: true };
const TEXT = { binary: false };

export class BoundedSender {
  private pending = new Map<string | number, Uint8Array | string>();
  private readonly onWritten: (err?: Error) => void;
  dropped = 0; // values replaced before they could be sent

  constructor(
    private ws: WebSocket,
    private highWater: number,
  ) {
    // One callback per client, not one closure per message.
    this.onWritten = (err) => {
      if (!err && this.pending.size && this.ws.bufferedAmount < this.highWater) this.flush();
    };
  }

  send(key: string | number, data: Uint8Array | string): void {
    if (this.ws.readyState !== 1) return;
    if (this.pending.size || this.ws.bufferedAmount >= this.highWater) {
      if (this.pending.has(key)) {
        this.dropped++;
        this.pending.delete(key); // re-insert: keeps delivery order by latest arrival
      }
      this.pending.set(key, data);
      return;
    }
    this.ws.send(data, typeof data === "string" ? TEXT : BINARY, this.onWritten);
  }

  get queued(): number {
    return this.pending.size;
  }

  private flush(): void {
    for (const [key, data] of this.pending) {
      if (this.ws.readyState !== 1) return this.pending.clear();
      if (this.ws.bufferedAmount >= this.highWater) return;
      this.pending.delete(key);
      this.ws.send(data, typeof data === "string" ? TEXT : BINARY, this.onWritten);
    }
  }
}
