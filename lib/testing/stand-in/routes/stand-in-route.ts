import type { RecordedRequest, StandInUpstream } from '../stand-in.interfaces.js';
import type { StandInReplies } from '../stand-in.replies.js';
import type { StandInStore } from '../stand-in.store.js';
import type { StandInJsonAnswer } from '../stand-in.wire.js';

/**
 * A resource's routes: the answer to a request they hold, or undefined (the stand-in then
 * answers Nango's 500 `generic_error_support`, as Nango does for a route it does not have).
 */
export type StandInRoute = (
  req: RecordedRequest,
  store: StandInStore,
) => StandInJsonAnswer | undefined;

/** What the router (and the proxy, which answers more than JSON) works with. */
export interface StandInContext {
  /** The stand-in's state. */
  store: StandInStore;
  /** Turns answers into what is written. */
  replies: StandInReplies;
  /** The third-party API behind the proxy, when the test gives one. */
  upstream: StandInUpstream | undefined;
}
