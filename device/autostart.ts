// Imported first by every app's bundle (host/app/build.ts), so the runtime starts before the
// app's own code runs: an app that throws while it starts (a wrong pin, a typo) leaves the board
// reachable, its link up and the error in its log, so the next push can fix it; and a script on
// trial that throws is still counted a failed boot by the loader and rolled back. The log comes
// first, so that what the runtime and the app print while they start reaches the host too.
import { logStart } from "./log";
import { start } from "./start";

logStart();
start();
