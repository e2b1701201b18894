// A promise rejected in board code and never handled is printed like Espruino does
// ("Uncaught ...") instead of reaching Node's process-wide handler. One process listener
// serves every live board; a rejection from elsewhere keeps Node's default (it is rethrown
// when no other listener exists).
type Owner = { owns(p: Promise<unknown>): boolean; printUncaught(e: unknown): void };

const owners = new Set<Owner>();

function onRejection(reason: unknown, promise: Promise<unknown>): void {
  for (const o of owners) if (o.owns(promise)) return o.printUncaught(reason);
  if (process.listenerCount("unhandledRejection") === 1) throw reason;
}

export function trackRejections(o: Owner): void {
  if (!owners.size) process.on("unhandledRejection", onRejection);
  owners.add(o);
}

export function untrackRejections(o: Owner): void {
  owners.delete(o);
  if (!owners.size) process.off("unhandledRejection", onRejection);
}
