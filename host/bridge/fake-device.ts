// A stand-in device speaking the pinwire topics with the `mqtt` npm client: retained status
// with an "offline" will, retained info, retained state snapshots, and commands applied
// the way the device app does (SERVO_ROTATE moves the servo, LED_SET sets the LED or -1 for
// automatic; it reports its LED mode as LED_SET on state, as the board does). Used by tests, the bench, and `pinwire sim` until the virtual board runs.
import mqtt, { type MqttClient } from "mqtt";
import { encodeMessage, decodeMessage, parseControl, SERVO_ANGLE, LIGHT_LEVEL, LED_DUTY, SERVO_ROTATE, LED_SET } from "../../shared/messages";

export interface FakeDeviceOptions {
  id: string;
  url: string;
  username?: string;
  password?: string;
  lightPeriodMs?: number; // 0 = no light changes on its own (tests drive it)
}

export class FakeDevice {
  client!: MqttClient;
  servo = 90;
  light = 50;
  led = 50;
  auto = true;
  commands: { cmd: number; value: number }[] = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(readonly opts: FakeDeviceOptions) {}

  topic(kind: string): string {
    return "pinwire/" + this.opts.id + "/" + kind;
  }

  async start(): Promise<this> {
    this.client = mqtt.connect(this.opts.url, {
      clientId: "dev-" + this.opts.id + "-" + Math.random().toString(16).slice(2, 8),
      username: this.opts.username,
      password: this.opts.password,
      protocolVersion: 4,
      reconnectPeriod: 0,
      will: { topic: this.topic("status"), payload: Buffer.from("offline"), retain: true, qos: 1 },
    });
    await new Promise<void>((resolve, reject) => {
      this.client.once("connect", () => resolve());
      this.client.once("error", reject);
    });
    this.client.on("message", (_t, p) => this.onCommand(p));
    await this.client.subscribeAsync(this.topic("cmd"));
    await this.client.publishAsync(this.topic("info"), JSON.stringify({ board: "FAKE", version: "0.0.0", memory: { free: 1000, total: 1700 } }), { retain: true, qos: 1 });
    await this.publishState();
    await this.client.publishAsync(this.topic("status"), "online", { retain: true, qos: 1 });
    if (this.opts.lightPeriodMs) {
      this.timer = setInterval(() => {
        this.light = Math.max(0, Math.min(100, this.light + Math.round(Math.random() * 10 - 5)));
        this.report(LIGHT_LEVEL, this.light);
        if (this.auto) this.report(LED_DUTY, (this.led = 100 - this.light));
      }, this.opts.lightPeriodMs);
    }
    return this;
  }

  // The whole state in one retained payload, so the retained message rebuilds all of it.
  publishState(): Promise<unknown> {
    const b = Buffer.concat([
      encodeMessage(SERVO_ANGLE, this.servo),
      encodeMessage(LIGHT_LEVEL, this.light),
      encodeMessage(LED_DUTY, this.led),
      encodeMessage(LED_SET, this.mode()),
    ]);
    return this.client.publishAsync(this.topic("state"), b, { retain: true, qos: 0 });
  }

  // The LED mode as reported: -1 automatic, else the manual duty.
  mode(): number {
    return this.auto ? -1 : this.led;
  }

  report(cmd: number, value: number): void {
    this.client.publish(this.topic("state"), Buffer.from(encodeMessage(cmd, value)), { retain: false, qos: 0 });
  }

  private onCommand(p: Buffer): void {
    let m;
    try {
      m = p.length === 8 ? decodeMessage(p) : parseControl(p.toString());
    } catch {
      return;
    }
    this.commands.push(m);
    if (m.cmd === SERVO_ROTATE) {
      this.servo = m.value;
      this.report(SERVO_ANGLE, this.servo);
    } else if (m.cmd === LED_SET) {
      this.auto = m.value < 0;
      this.led = this.auto ? 100 - this.light : m.value;
      this.report(LED_DUTY, this.led);
      this.report(LED_SET, this.mode());
    }
  }

  async stop(graceful = true): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    if (graceful && this.client.connected) await this.client.publishAsync(this.topic("status"), "offline", { retain: true, qos: 1 });
    await this.client.endAsync(!graceful);
  }
}
