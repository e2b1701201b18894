// Aedes routes every message through an mqemitter (aedes.mq) that runs at most `concurrency`
// (100) messages at once and queues the rest. When one finishes, mqemitter starts the next
// queued one from inside the finishing call (released() -> _do()), and a message that no
// subscription matches finishes synchronously, inside _do(). So a queue of unmatched messages
// is walked by recursion, three frames per message: with thousands queued the host died with
// "RangeError: Maximum call stack size exceeded" (Aedes client.js nextBatch <- PublishState.next
// <- MQEmitter._do). That is what thousands of devices do when the bridge's link drops (every
// state message queued behind it suddenly matches nothing) or when they all disconnect at once
// (one unmatched $SYS message each). Their publish callbacks nest the same way: a finished
// publish lets its client read and publish its next packet from inside the same call.
//
// flatten() makes the walk a loop: a _do() called while another is on the stack is queued and
// run when the outer one returns, in order. Nothing else changes: the same matching, the same
// concurrency count (each message counts from when it starts), the same callbacks.
export interface Emitter {
  _do(message: unknown, callback: unknown): unknown;
}

export function flatten(mq: Emitter): void {
  const run = mq._do;
  const pending: unknown[] = []; // message, callback, message, callback, ...
  let next = 0;
  let busy = false;
  mq._do = function (this: Emitter, message: unknown, callback: unknown) {
    if (busy) {
      pending.push(message, callback);
      return this;
    }
    busy = true;
    try {
      run.call(this, message, callback);
      while (next < pending.length) {
        const m = pending[next];
        const c = pending[next + 1];
        pending[next] = pending[next + 1] = undefined;
        next += 2;
        run.call(this, m, c);
      }
      pending.length = 0;
      next = 0;
    } finally {
      // A listener that threw leaves the rest queued for the next call.
      busy = false;
    }
    return this;
  };
}
