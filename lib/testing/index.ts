/** Test helpers: a Nango stand-in server, and NangoTestingModule wiring NangoModule to it. */
export * from './nango-stand-in.js';
export * from './nango-testing.module.js';
export * from './stand-in-answers.js';
export type { StandInUpstream, StandInUpstreamRequest } from './stand-in-upstream.js';
export type { StandInProviderSeed, StandInFunctionSeed } from './stand-in-catalogue.routes.js';
