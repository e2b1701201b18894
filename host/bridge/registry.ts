// What the bridge knows about each device, all of it rebuilt from retained messages
// (status, info, state) on subscribe: nothing here needs saving, so bridges can restart or
// run side by side against one broker.
import { SERVO_ANGLE, LIGHT_LEVEL, LED_DUTY, LED_SET } from "../../shared/messages";

export type Status = "online" | "offline" | "unknown";

export interface DeviceState {
  servo: number | null; // degrees, last SERVO_ANGLE
  light: number | null; // %, last LIGHT_LEVEL
  led: number | null; // %, last LED_DUTY
  // The LED's mode as the board reports it (LED_SET on the state topic): -1 automatic (the
  // LED follows the light), 0..100 manual at that duty; null until reported (older boards).
  mode: number | null;
}

// The reports a board sends on its state topic, in snapshot order, and where each is kept.
export const REPORT_CMDS = [SERVO_ANGLE, LIGHT_LEVEL, LED_DUTY, LED_SET];
export const STATE_KEYS: Record<number, keyof DeviceState> = { [SERVO_ANGLE]: "servo", [LIGHT_LEVEL]: "light", [LED_DUTY]: "led", [LED_SET]: "mode" };

export function emptyState(): DeviceState {
  return { servo: null, light: null, led: null, mode: null };
}

export interface DeviceSnapshot {
  id: string;
  status: Status;
  info: unknown | null;
  state: DeviceState;
  lastSeen: string | null; // ISO time of the last message from or about the device
}

export class DeviceRecord {
  status: Status = "unknown";
  info: unknown | null = null;
  state: DeviceState = emptyState();
  lastSeen = 0;
  constructor(readonly id: string) {}

  // Returns false for a cmd that is not a state report.
  applyReport(cmd: number, value: number): boolean {
    const key = STATE_KEYS[cmd];
    if (!key) return false;
    this.state[key] = value;
    return true;
  }

  snapshot(): DeviceSnapshot {
    return {
      id: this.id,
      status: this.status,
      info: this.info,
      state: { ...this.state },
      lastSeen: this.lastSeen ? new Date(this.lastSeen).toISOString() : null,
    };
  }
}

export class DeviceRegistry {
  private devices = new Map<string, DeviceRecord>();

  get(id: string): DeviceRecord | undefined {
    return this.devices.get(id);
  }

  // The second value says whether the device is new to this bridge.
  ensure(id: string): [DeviceRecord, boolean] {
    let d = this.devices.get(id);
    if (d) return [d, false];
    d = new DeviceRecord(id);
    this.devices.set(id, d);
    return [d, true];
  }

  delete(id: string): boolean {
    return this.devices.delete(id);
  }

  list(): DeviceSnapshot[] {
    return [...this.devices.values()].sort((a, b) => (a.id < b.id ? -1 : 1)).map((d) => d.snapshot());
  }
}
