import { Logger, type LoggerService } from '@nestjs/common';

/**
 * Why `NangoWebhookGuard` turned a webhook away: no `X-Nango-Hmac-Sha256` header, a header
 * that is not 64 hex characters, a signature no signing key gives, or no raw body to verify.
 */
export type NangoWebhookRejection =
  'missing-signature' | 'bad-encoding' | 'mismatch' | 'missing-raw-body';

/** What each rejection's warn line says: the cause and where to look, never a value. */
const WHY: Record<NangoWebhookRejection, string> = {
  'missing-signature':
    'no X-Nango-Hmac-Sha256 header (Nango signs every webhook: is the sender Nango?)',
  'bad-encoding':
    'the X-Nango-Hmac-Sha256 header is not 64 hex characters (Nango sends the lowercase hex HMAC-SHA256 of the raw body)',
  mismatch:
    'the X-Nango-Hmac-Sha256 signature matches no signing key (set webhookSigningKey to the environment webhook signing key shown in the Nango dashboard; the secret key is used only when it is unset)',
  'missing-raw-body':
    'the request has no raw body to verify (an empty body, or a content type the app does not keep raw: Nango sends application/json; the app needs NestFactory.create(AppModule, { rawBody: true }))',
};

/** How long a reason stays quiet after it was logged, in milliseconds. */
export const NANGO_WEBHOOK_REJECTION_LOG_WINDOW_MS = 60_000;

/**
 * Logs a rejected webhook at warn, at most once a minute per reason, so that a wrong signing key
 * shows in the logs without a flood of lines. One per application (provided by `NangoModule`).
 * The line names the route and the reason; never the header's value, the body or a key.
 */
export class NangoWebhookRejectionLog {
  private readonly last = new Map<NangoWebhookRejection, number>();

  /**
   * @param now the clock, in milliseconds (tests pass a fake one)
   * @param logger where the lines go; default Nest's `Logger` with the context `NangoWebhookGuard`
   */
  constructor(
    private readonly now: () => number = Date.now,
    private readonly logger: LoggerService = new Logger('NangoWebhookGuard'),
  ) {}

  /** Logs that the webhook posted to `path` was rejected for `reason`, unless it was just logged. */
  report(reason: NangoWebhookRejection, path: string): void {
    const now = this.now();
    const last = this.last.get(reason);
    if (last !== undefined && now - last < NANGO_WEBHOOK_REJECTION_LOG_WINDOW_MS) return;
    this.last.set(reason, now);
    this.logger.warn(
      `Rejected a Nango webhook on POST ${path}: ${WHY[reason]}. The same reason is not logged again for a minute.`,
    );
  }
}
