/** Test helpers: a Nango stand-in server, and NangoTestingModule wiring NangoModule to it. */
export * from './stand-in/nango-stand-in.js';
export type * from './stand-in/stand-in.interfaces.js';
export * from './nango-testing.module.js';
export * from './stand-in-answers.js';
