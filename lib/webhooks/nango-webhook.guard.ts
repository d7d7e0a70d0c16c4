import {
  BadRequestException,
  Inject,
  Injectable,
  Optional,
  UnauthorizedException,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { NangoUsageError } from '../errors/nango-misuse.errors.js';
import { NangoInstanceRegistry } from '../nango-instance.registry.js';
import type { ResolvedNangoOptions } from '../interfaces/nango-module-options.interface.js';
import type {
  NangoWebhookOptions,
  NangoWebhookBody,
} from '../interfaces/nango-webhook.interface.js';
import { NANGO_WEBHOOK_PAYLOAD, NangoWebhookMetadata } from './nango-webhook.constants.js';
import {
  NANGO_WEBHOOK_SIGNATURE_HEADER,
  nangoWebhookSignatureProblem,
} from './nango-webhook.signature.js';
import { NangoTelemetry } from '../telemetry/nango-telemetry.js';
import type { NangoWebhookVerdict } from '../telemetry/nango-telemetry.names.js';
import { recordRefusedWebhook } from '../telemetry/nango-webhook.telemetry.js';
import {
  NangoWebhookRejectionLog,
  type NangoWebhookRejection,
} from './nango-webhook.rejection-log.js';

/** The parts of an Express or Fastify request the guard reads. */
interface WebhookRequest {
  headers: Record<string, string | string[] | undefined>;
  rawBody?: Buffer;
  body?: unknown;
  url?: string;
  [NANGO_WEBHOOK_PAYLOAD]?: NangoWebhookBody;
}

/**
 * Lets a request through only when its `X-Nango-Hmac-Sha256` header is the HMAC-SHA256 of the
 * raw body under one of the instance's webhook signing keys (`webhookSigningKey`, else the
 * secret key). Answers 401 otherwise; the handler never runs, and a warn line says why (no
 * header, not hex, no key matches, no raw body: at most once a minute per reason, never a
 * value). The verified body, parsed, is then available to `@NangoWebhookBody()`.
 *
 * The application must keep raw bodies: `NestFactory.create(AppModule, { rawBody: true })`
 * (Express and Fastify). Apply it with `@NangoWebhook()`.
 */
@Injectable()
export class NangoWebhookGuard implements CanActivate {
  private readonly keys = new Map<string, readonly string[]>();

  /**
   * @param reflector reads `@NangoWebhook()` options
   * @param registry the app's Nango instances, whose keys verify
   * @param rejections where rejections are logged (one per app; its own when used alone)
   */
  constructor(
    protected readonly reflector: Reflector,
    @Optional() protected readonly registry?: NangoInstanceRegistry,
    @Optional()
    @Inject(NangoWebhookRejectionLog)
    protected readonly rejections: NangoWebhookRejectionLog = new NangoWebhookRejectionLog(),
  ) {}

  /** Lets the request through only when its raw body carries a valid Nango signature. */
  canActivate(context: ExecutionContext): boolean {
    const options =
      this.reflector.getAllAndOverride(NangoWebhookMetadata, [
        context.getHandler(),
        context.getClass(),
      ]) ?? {};
    const request = context.switchToHttp().getRequest<WebhookRequest>();
    const rawBody = request.rawBody;
    if (!Buffer.isBuffer(rawBody)) {
      this.rejected('missing-raw-body', request);
      if (hasParsedBody(request.body)) {
        throw this.refused(options, 'missing_raw_body', NangoUsageError.missingRawBody());
      }
      throw this.refused(
        options,
        'missing_signature',
        new UnauthorizedException('Missing Nango webhook body or signature'),
      );
    }
    const signature = request.headers[NANGO_WEBHOOK_SIGNATURE_HEADER];
    const problem = nangoWebhookSignatureProblem(rawBody, signature, this.signingKeys(options));
    if (problem !== undefined) {
      this.rejected(problem, request);
      throw this.refused(
        options,
        signature === undefined ? 'missing_signature' : 'invalid_signature',
        new UnauthorizedException('Invalid Nango webhook signature'),
      );
    }
    try {
      request[NANGO_WEBHOOK_PAYLOAD] = parsePayload(rawBody);
    } catch (error) {
      throw this.refused(options, 'invalid_body', error);
    }
    return true;
  }

  /** Records why a webhook was refused (telemetry), and gives back the error to throw. */
  private refused(
    options: NangoWebhookOptions,
    verdict: Exclude<NangoWebhookVerdict, 'verified'>,
    error: unknown,
  ): unknown {
    const resolved = this.registry?.find(options.instance)?.options;
    recordRefusedWebhook(resolved && NangoTelemetry.of(resolved), verdict);
    return error;
  }

  /**
   * The keys that verify webhooks for `options.instance`: its `webhookSigningKey` (one or
   * several), else its secret key. Override to fetch keys elsewhere.
   */
  protected signingKeys(options: NangoWebhookOptions): readonly string[] {
    const instance = options.instance ?? '';
    let keys = this.keys.get(instance);
    if (keys === undefined) {
      const resolved = this.instanceOptions(options.instance);
      keys = resolved.webhookSigningKeys ?? [resolved.secretKey];
      this.keys.set(instance, keys);
    }
    return keys;
  }

  /** Logs a rejection (rate-limited), naming the route's path without its query. */
  protected rejected(reason: NangoWebhookRejection, request: { url?: string }): void {
    this.rejections.report(reason, (request.url ?? '').split('?')[0] ?? '');
  }

  private instanceOptions(instance: string | undefined): ResolvedNangoOptions {
    const requester = `@NangoWebhook(${instance === undefined ? '' : `{ instance: '${instance}' }`})`;
    if (this.registry === undefined) {
      throw NangoInstanceRegistry.missing(instance, requester);
    }
    return this.registry.get(instance, requester).options;
  }
}

function hasParsedBody(body: unknown): boolean {
  if (body === undefined || body === null) return false;
  if (typeof body === 'string' || Buffer.isBuffer(body)) return body.length > 0;
  return typeof body !== 'object' || Object.keys(body).length > 0;
}

function parsePayload(rawBody: Buffer): NangoWebhookBody {
  let payload: unknown;
  try {
    payload = JSON.parse(rawBody.toString('utf8')) as unknown;
  } catch {
    throw new BadRequestException('A Nango webhook body must be JSON');
  }
  if (
    typeof payload !== 'object' ||
    payload === null ||
    Array.isArray(payload) ||
    typeof (payload as { type?: unknown }).type !== 'string'
  ) {
    throw new BadRequestException('A Nango webhook body must be an object with a "type"');
  }
  return payload as NangoWebhookBody;
}
