/** Test helpers: a Nango stand-in server. */
export * from './nango-stand-in.js';
