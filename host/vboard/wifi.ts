// A simulated access point for require("Wifi") on the ESP boards: connect succeeds when the
// SSID (and password, if set) match the host's options, and the host can drop the link.
export interface WifiOptions {
  ssid?: string; // the network in range; undefined: any SSID connects
  password?: string; // undefined: any password is accepted
  ip?: string; // address handed out (default 192.168.4.2)
  delayMs?: number; // connect latency (default 0: next turn of the event loop)
  saved?: boolean; // credentials saved on the board: connected from power-on (default true)
}

export type WifiStatus = "off" | "connecting" | "connected" | "wrong_password" | "no_ap_found";

export class WifiSim {
  status: WifiStatus = "off";
  ssid = "";

  constructor(readonly o: WifiOptions = {}) {}

  get up(): boolean {
    return this.status === "connected";
  }

  // Power-on: a board with saved credentials is on the network before its code runs.
  powerOn(): void {
    if (this.o.saved === false) {
      this.status = "off";
      this.ssid = "";
    } else {
      this.status = "connected";
      this.ssid = this.o.ssid ?? "vboard";
    }
  }

  // The outcome of a connect attempt, or null on success.
  attempt(ssid: string, password: string | undefined): string | null {
    if (this.o.ssid !== undefined && ssid !== this.o.ssid) return "no_ap_found";
    if (this.o.password !== undefined && password !== this.o.password) return "wrong_password";
    return null;
  }

  info(): { ip: string; netmask: string; gw: string; mac: string } {
    const up = this.status === "connected";
    const ip = this.o.ip ?? "192.168.4.2";
    return {
      ip: up ? ip : "0.0.0.0",
      netmask: up ? "255.255.255.0" : "0.0.0.0",
      gw: up ? ip.replace(/\d+$/, "1") : "0.0.0.0",
      mac: "5c:cf:7f:00:00:01",
    };
  }
}
