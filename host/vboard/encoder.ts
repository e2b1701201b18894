// The rotary encoder wired to the board (KY-040 style, pull-ups on CLK and DT).
import type { Level, PinView } from "./pinview";
import type { PinMap } from "./profile";

export interface EncoderWiring {
  pins: PinView;
  pinMap(): PinMap;
}

// Rotary encoder on the CLK/DT pins: real quadrature edges through the GPIO model.
export class Encoder {
  constructor(private board: EncoderWiring) {}

  // The module's pull-ups hold CLK and DT high from power-on.
  rest(): void {
    const { clk, dt } = this.board.pinMap();
    for (const p of [clk, dt]) if (p && this.board.pins.has(p) && !this.board.pins.isDriven(p)) this.board.pins.drive(p, 1);
  }

  // steps > 0 clockwise (CLK leads DT), < 0 anticlockwise. One step = one CLK transition
  // followed by DT following it (half a quadrature cycle), so a decoder watching CLK on both
  // edges counts one per step. Each edge waits until its watch events are delivered (and
  // debounce timers have run), so a callback reading DT sees the level of that moment.
  async turn(steps: number, pins: { clk?: string; dt?: string } = {}): Promise<void> {
    const clk = pins.clk ?? this.board.pinMap().clk;
    const dt = pins.dt ?? this.board.pinMap().dt;
    if (!clk || !dt) throw new Error("encoder pins not configured");
    const bank = this.board.pins;
    if (bank.level(clk) !== bank.level(dt) || !bank.isDriven(clk)) {
      bank.drive(clk, 1);
      bank.drive(dt, 1);
      await bank.settled();
    }
    for (let i = 0; i < Math.abs(steps); i++) {
      const to = (1 - bank.level(clk)) as Level;
      const [first, second] = steps > 0 ? [clk, dt] : [dt, clk];
      bank.drive(first, to);
      await bank.settled();
      bank.drive(second, to);
      await bank.settled();
    }
  }
}
