// The app catalogue's types (docs/catalogue.md), apart from shared/catalogue.ts so that code
// type-checked for the board (an app's declaration, device/declare.ts) can name them.

export type Direction = "report" | "command" | "both";

export interface UiHint {
  widget: "gauge" | "slider" | "buttons" | "switch" | "chart" | "value" | "table";
  step?: number;
  presets?: number[];
  labels?: string[];
  on?: number;
  off?: number | string;
  series?: string;
}

export interface HaHint {
  component: "sensor" | "binary_sensor" | "number" | "switch" | "light";
  name?: string;
  device_class?: string;
  on?: number;
  off?: number | string;
  state?: string;
}

export interface MessageSpec {
  name: string;
  code: number;
  dir: Direction;
  payload: string; // "int32" or "struct { ... }"
  unit?: string;
  range?: [number, number];
  control?: string;
  reports?: string;
  ui?: UiHint[];
  ha?: HaHint;
}

export interface Catalogue {
  pinwire: number;
  app: string;
  version: string;
  hash: string;
  messages: MessageSpec[];
}

