/** This package's version, sent in the `User-Agent` of every request to Nango. */
export const NESTJS_NANGO_VERSION = '0.1.0';
