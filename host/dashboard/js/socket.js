// A WebSocket that comes back: after a drop it reconnects with exponential backoff
// (reset once a connection opens) and at once when the browser reports the network back.
// Callers see open/message/close events and `state`; send() returns false while down.
export class ReconnectingSocket {
  constructor(url, { binary = false, minDelayMs = 250, maxDelayMs = 5000, onopen, onmessage, onstate, onfail } = {}) {
    this.url = url;
    this.binary = binary;
    this.minDelay = minDelayMs;
    this.maxDelay = maxDelayMs;
    this.delay = minDelayMs;
    this.onopen = onopen || (() => {});
    this.onmessage = onmessage || (() => {});
    this.onstate = onstate || (() => {});
    // Called when a connection closes without ever opening; return false to stop retrying.
    this.onfail = onfail || (() => true);
    this.state = "idle";
    this.ws = null;
    this.timer = 0;
    this.stopped = false;
    this.retryNow = () => {
      if (this.state === "waiting") this.connect();
    };
    window.addEventListener("online", this.retryNow);
  }

  setState(s) {
    if (this.state === s) return;
    this.state = s;
    this.onstate(s);
  }

  connect() {
    clearTimeout(this.timer);
    if (this.stopped) return;
    this.setState("connecting");
    let opened = false;
    const ws = new WebSocket(this.url);
    if (this.binary) ws.binaryType = "arraybuffer";
    this.ws = ws;
    ws.onopen = () => {
      opened = true;
      this.delay = this.minDelay;
      this.setState("open");
      this.onopen();
    };
    ws.onmessage = (e) => this.onmessage(e.data);
    ws.onerror = () => {}; // onclose follows with the code
    ws.onclose = (e) => {
      if (this.ws !== ws) return;
      this.ws = null;
      if (this.stopped) return this.setState("closed");
      if (!opened && this.onfail(e) === false) return this.setState("closed");
      this.setState("waiting");
      // Jitter so many pages do not come back in lockstep after a server restart.
      const wait = this.delay * (0.75 + Math.random() * 0.5);
      this.delay = Math.min(this.delay * 2, this.maxDelay);
      this.timer = setTimeout(() => this.connect(), wait);
    };
  }

  send(data) {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return false;
    this.ws.send(data);
    return true;
  }

  close() {
    this.stopped = true;
    clearTimeout(this.timer);
    window.removeEventListener("online", this.retryNow);
    if (this.ws) this.ws.close(1000);
    else this.setState("closed");
  }
}
