// The reference app's message codes (examples/servo-light/app.ts, its declaration: the one
// place they are named), as numbers for the tests that talk to a board running it.
import app from "../../examples/servo-light/app";

const code = (name: string): number => {
  const m = (app.messages as unknown as Record<string, { code: number } | undefined>)[name];
  if (!m) throw new Error("the reference app declares no message " + name);
  return m.code;
};

export const SERVO_ANGLE = code("SERVO_ANGLE");
export const SERVO_ROTATE = code("SERVO_ROTATE");
export const LIGHT_LEVEL = code("LIGHT_LEVEL");
export const LED_DUTY = code("LED_DUTY");
export const LED_SET = code("LED_SET");

// Where the reference app's parts are on a board: its declaration's default pins.
export interface ReferencePins {
  servo: string;
  encoder: { clk: string; dt: string };
  light: string | null;
  led: string;
}

export function referencePins(board: "esp8266" | "esp32" | "linux" = "esp8266"): ReferencePins {
  const p = app.parts as unknown as Record<string, { pins: Record<string, unknown> }>;
  return {
    servo: p.servo.pins[board] as string,
    encoder: p.encoder.pins[board] as { clk: string; dt: string },
    light: p.light.pins[board] as string | null,
    led: p.led.pins[board] as string,
  };
}
