import 'reflect-metadata';
import { Test } from '@nestjs/testing';
import { NangoConfigurationError, NangoModule } from '../../lib/index.js';
import { resolveNangoOptions } from '../../lib/nango-options.validation.js';
import { NANGO_DEFAULT_TELEMETRY } from '../../lib/telemetry/nango-telemetry-options.interface.js';

const K = 'sk-telemetry-options';

/** The problem lines of the NangoConfigurationError that `raw` gives. */
function problemsOf(raw: Record<string, unknown>): string[] {
  try {
    resolveNangoOptions(raw);
  } catch (error) {
    expect(error).toBeInstanceOf(NangoConfigurationError);
    return (error as Error).message.split('\n').slice(1);
  }
  throw new Error('the options were accepted');
}

describe('the telemetry option', () => {
  it('defaults: on, connection ids hashed, no propagation (left out of the resolved options)', () => {
    expect(resolveNangoOptions({ secretKey: K })).not.toHaveProperty('telemetry');
    expect(NANGO_DEFAULT_TELEMETRY).toEqual({
      enabled: true,
      connectionId: 'hash',
      propagate: false,
    });
  });

  it('takes each field, the others keeping their default', () => {
    expect(
      resolveNangoOptions({ secretKey: K, telemetry: { connectionId: 'raw', propagate: true } })
        .telemetry,
    ).toEqual({ enabled: true, connectionId: 'raw', propagate: true });
    expect(resolveNangoOptions({ secretKey: K, telemetry: { enabled: false } }).telemetry).toEqual({
      enabled: false,
      connectionId: 'hash',
      propagate: false,
    });
  });

  it.each([
    ['not an object', 'on', ["- telemetry: must be an object such as { connectionId: 'hash' }"]],
    [
      'a bad connectionId policy',
      { connectionId: 'sha256' },
      ["- telemetry.connectionId: must be 'omit', 'hash' or 'raw'"],
    ],
    [
      'non-boolean switches',
      { enabled: 'yes', propagate: 1 },
      [
        '- telemetry.enabled: must be true or false',
        '- telemetry.propagate: must be true or false',
      ],
    ],
    [
      'an unknown field',
      { sampleRate: 0.5 },
      ['- telemetry.sampleRate: is not a NangoModule option'],
    ],
  ])('refuses %s, naming the field', (_, telemetry, lines) => {
    expect(problemsOf({ secretKey: K, telemetry })).toEqual(expect.arrayContaining(lines));
  });

  it('a bad telemetry option stops the app from starting', async () => {
    await expect(
      Test.createTestingModule({
        imports: [
          NangoModule.forRoot({ secretKey: K, telemetry: { connectionId: 'sha' as 'raw' } }),
        ],
      }).compile(),
    ).rejects.toThrow("telemetry.connectionId: must be 'omit', 'hash' or 'raw'");
  });
});
