// `pinwire/app`: how an app declares itself, once, in TypeScript. The build evaluates the
// declaration on the host (scripts/app-build.mjs): it becomes the catalogue hosts read
// (docs/catalogue.md) and, in the board bundle, compact constants in place of this module's
// values (a message is its code number there; a part is its pins and options for that board).
//
//   export const SERVO_ANGLE = message({ code: 12, dir: "report", unit: "deg", range: [0, 180] });
//   export const servo = part("servo", { pins: { esp8266: "D15", esp32: "D18", linux: "D15" } });
//   export default defineApp({ name: "servo-light", version: "1.0.0",
//     messages: { SERVO_ANGLE }, parts: { servo } });
//
// Host-side only (the board never runs this file): it may use all of ES2022.
import type { MessageSpec } from "../shared/catalogue-types";

export type { Direction, HaHint, UiHint } from "../shared/catalogue-types";

// A declared message as the app's code sees it: on the board it is the message's code (a
// number), or for a struct payload a small descriptor; the type parameter is the value it
// carries (a number for int32, an object of the members for a struct).
export type Msg<V = number> = { readonly __message: V } & (number | object);

// A catalogue entry as the app writes it: its name is the export's, its payload "int32" unless
// it gives a C struct declaration ("struct { int id; float v1; }").
export type MessageDecl = Omit<MessageSpec, "name" | "payload"> & { payload?: string };

// int32 messages by default; give V for a struct payload: message<{ id: number; v: number }>(...)
export function message<V = number>(decl: MessageDecl): Msg<V> {
  return { ...decl, __message: undefined as unknown as V } as unknown as Msg<V>;
}

export type BoardName = "esp8266" | "esp32" | "linux";

// A pin: Espruino's name ("D15", "A0"), or null for "not wired on this board".
export type PinName = string | null;

// Each part kind: its pin roles and its options (all optional; defaults in device/parts/).
export interface PartKinds {
  servo: { pins: { pin: PinName }; options: { min?: number; max?: number } };
  encoder: { pins: { clk: PinName; dt: PinName }; options: { min?: number; max?: number; debounce?: number } };
  analogIn: { pins: { pin: PinName }; options: { period?: number; avg?: number; dark?: number; bright?: number; hyst?: number } };
  pwm: { pins: { pin: PinName }; options: { freq?: number; gamma?: number } };
  button: { pins: { pin: PinName }; options: { debounce?: number; pull?: "up" | "down" | "none"; invert?: boolean } };
  digitalOut: { pins: { pin: PinName }; options: { invert?: boolean; initial?: number } };
}
export type PartKind = keyof PartKinds;

// Pins per board: one pin name for a single-pin part, or an object of its roles.
type PinsFor<K extends PartKind> = PartKinds[K]["pins"] extends { pin: PinName } ? PinName | PartKinds[K]["pins"] : PartKinds[K]["pins"];

export interface PartDecl<K extends PartKind = PartKind> {
  readonly kind: K;
  readonly pins: { [B in BoardName]: PinsFor<K> };
  readonly options: PartKinds[K]["options"];
  readonly __part?: K;
}

export function part<K extends PartKind>(kind: K, decl: { pins: { [B in BoardName]: PinsFor<K> } } & PartKinds[K]["options"]): PartDecl<K> {
  const { pins, ...options } = decl;
  return { kind, pins, options: options as PartKinds[K]["options"] };
}

export interface AppDecl {
  name: string;
  version: string;
  messages: { [name: string]: Msg<unknown> };
  parts?: { [name: string]: PartDecl };
}

export function defineApp<A extends AppDecl>(app: A): A {
  return app;
}
