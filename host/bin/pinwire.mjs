#!/usr/bin/env node
// The installed `pinwire` command. It registers tsx's loader in this process and runs
// host/cli.ts here (no build step, no child process): the launcher and the server are one
// process, so a `kill -9` of the pid `npx pinwire` started frees the ports with it, and
// Ctrl-C / SIGTERM reach the CLI's own shutdown handlers directly.
import { register as registerEsm } from "tsx/esm/api";
import { register as registerCjs } from "tsx/cjs/api";

registerEsm();
registerCjs();
const { main } = await import("../cli.ts");
await main(process.argv);
