// Entry of the board thread: one chip per thread. The board's code runs here, in a vm context
// that holds only board-realm objects (prelude.js); the thread itself has nothing of the
// host's but the message port, an empty environment and a memory limit, and the host can end
// it at any moment (a watchdog reset, stop()) even while board code spins.
import { parentPort, workerData } from "node:worker_threads";
import { BoardCore } from "./core";
import type { FromBoard, ToBoard, WorkerInit } from "./protocol";

const port = parentPort!;
const { init, srcDir } = workerData as { init: WorkerInit; srcDir: string };
const post = (m: FromBoard) => port.postMessage(m);
const core = new BoardCore(init, srcDir, post);
process.on("unhandledRejection", (reason, p) => {
  if (!core.rejected(reason, p)) post({ ev: "output", text: "vboard: internal error: " + String(reason) + "\r\n" });
});
port.on("message", (m: ToBoard) => core.handle(m));
