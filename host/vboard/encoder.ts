// A rotary encoder turned by hand (KY-040 style) on two of the board's pins.
import type { Level, PinView } from "./pinview";

export interface EncoderWiring {
  pins: PinView;
}

// Rotary encoder on the CLK/DT pins: real quadrature edges through the GPIO model.
export class Encoder {
  constructor(private board: EncoderWiring) {}

  // steps > 0 clockwise (CLK leads DT), < 0 anticlockwise. One step = one CLK transition
  // followed by DT following it (half a quadrature cycle), so a decoder watching CLK on both
  // edges counts one per step. Each edge waits until its watch events are delivered (and
  // debounce timers have run), so a callback reading DT sees the level of that moment.
  // pins: the encoder part's (its declaration's, or pinwire.json "pins").
  async turn(steps: number, pins: { clk: string; dt: string }): Promise<void> {
    const { clk, dt } = pins;
    if (!this.board.pins.has(clk) || !this.board.pins.has(dt)) throw new Error("no encoder pins " + clk + "/" + dt);
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
