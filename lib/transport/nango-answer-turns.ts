// Node's own, not the global one: a test of the app that fakes timers (jest.useFakeTimers()) must
// not leave big answers waiting for a turn that never comes.
import { setImmediate } from 'node:timers';

/**
 * Answers of at least this many bytes take turns (see {@link NangoAnswerTurns}): a page of 100
 * records of 1 KB is about 100 KB, and its `JSON.parse` holds the thread for a few tenths of a
 * millisecond.
 */
export const BIG_ANSWER_BYTES = 64 * 1024;

/**
 * Big answers take turns with the rest of the event loop: at most one of them is parsed and
 * handed to its caller in one turn of the loop, the others wait for the next turns, in the order
 * they arrived. A small answer never waits, nor does a big one when no other has been handled in
 * the current turn.
 *
 * Why: when many big answers arrive together (ten drains of `@OnNangoRecords()` reading their
 * pages), the loop used to read, parse and hand on every one of them before it went back to its
 * sockets, so a request to the app waited behind all of them. Between two big answers the loop
 * now serves the app's own I/O and timers; the records benchmark (`bench/results-records.md`)
 * measures what it does to the app's webhook route beside ten drains.
 */
export class NangoAnswerTurns {
  /** The big answers waiting for a turn of their own, oldest first. */
  private readonly waiting: (() => void)[] = [];
  /** Whether a big answer was handled in this turn (a turn ends at the next `setImmediate`). */
  private taken = false;

  /**
   * Runs `handle` now if the answer is small or the turn is free; otherwise in a later turn.
   *
   * @param bytes the size of the answer's body, after decompression
   * @param handle parses the answer and settles its call; it must not throw
   */
  run(bytes: number, handle: () => void): void {
    if (bytes < BIG_ANSWER_BYTES) return handle();
    if (this.taken) {
      this.waiting.push(handle);
      return;
    }
    this.taken = true;
    setImmediate(this.next);
    handle();
  }

  /** How many big answers wait for a turn. */
  get pending(): number {
    return this.waiting.length;
  }

  /** A new turn: the oldest waiting answer takes it, or the turn stays free. */
  private readonly next = (): void => {
    const handle = this.waiting.shift();
    if (handle === undefined) {
      this.taken = false;
      return;
    }
    // Scheduled from inside the check phase, this runs in the next turn, after the loop's I/O.
    setImmediate(this.next);
    handle();
  };
}

/** The turns of the process's event loop, shared by every adapter of every module instance. */
export const nangoAnswerTurns = new NangoAnswerTurns();
