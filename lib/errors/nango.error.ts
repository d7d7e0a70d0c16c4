/**
 * Base class of every error this package throws. Catch `NangoError` to handle them all.
 *
 * No error carries the secret key or a token: not in its message, its stack, `toJSON()` or
 * `util.inspect` output. Data that could hold secrets of a third party (a proxied response
 * body or its headers) sits on non-enumerable properties, readable but never printed.
 */
export class NangoError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    Object.defineProperty(this, 'name', {
      value: new.target.name,
      enumerable: false,
      configurable: true,
      writable: true,
    });
  }

  /** The error's name, message and enumerable fields: what `JSON.stringify(error)` shows. */
  toJSON(): Record<string, unknown> {
    return { name: this.name, message: this.message, ...Object.fromEntries(Object.entries(this)) };
  }
}

/**
 * The module options are invalid. Thrown while the application starts (`compile()` / `init()`),
 * with a message naming each bad field and what it takes, never a field's value.
 */
export class NangoConfigurationError extends NangoError {
  /** The option names that failed validation. */
  readonly fields: string[];

  constructor(message: string, fields: string[]) {
    super(message);
    this.fields = fields;
  }

  /** Builds the error from one line per bad field, naming the instance when it has a name. */
  static create(
    problems: ReadonlyArray<{ field: string; problem: string }>,
    instance?: string,
  ): NangoConfigurationError {
    const lines = problems.map(({ field, problem }) => `- ${field}: ${problem}`);
    const of = instance === undefined ? '' : ` of instance "${instance}"`;
    return new NangoConfigurationError(`Invalid NangoModule options${of}:\n${lines.join('\n')}`, [
      ...new Set(problems.map((p) => p.field)),
    ]);
  }
}

/**
 * A method got an argument that cannot make a valid request (an empty or over-long id, an
 * endpoint that is not a path, a header with CR/LF, ...). Thrown before anything is sent.
 */
export class NangoInvalidArgumentError extends NangoError {
  /** The method that was called, e.g. `proxy`. */
  readonly operation: string;
  /** The argument at fault, e.g. `connectionId` or `headers`. */
  readonly argument: string;

  constructor(operation: string, argument: string, problem: string) {
    super(`${operation}(): ${argument} ${problem}`);
    this.operation = operation;
    this.argument = argument;
  }
}
