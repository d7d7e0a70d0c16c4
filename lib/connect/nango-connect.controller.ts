import { Controller, HttpCode, Inject, Logger, Post, Req, type Type } from '@nestjs/common';
import type { NangoService } from '../nango.service.js';
import { getNangoServiceToken } from '../nango.tokens.js';
import type { NangoConnectRoute } from './nango-connect-options.schema.js';
import type { NangoConnectRequest, NangoConnectSessionAnswer } from './nango-connect.options.js';
import { openConnectSession } from './nango-connect.session.js';

/**
 * The controller of a `forRoot({ connect })`: `POST <connect.path>` answers
 * `{ token, expiresAt }`, a Connect session for the request's user (see `openConnectSession`).
 * A plain controller, so the app's global guards, pipes and interceptors apply.
 */
export function nangoConnectController(route: NangoConnectRoute): Type {
  @Controller()
  class NangoConnectController {
    private readonly logger = new Logger('NangoConnect');

    constructor(
      @Inject(getNangoServiceToken(route.instance)) private readonly nango: NangoService,
    ) {}

    @Post(route.path)
    @HttpCode(201)
    create(@Req() request: NangoConnectRequest): Promise<NangoConnectSessionAnswer> {
      return openConnectSession(this.nango, route, request, this.logger);
    }
  }
  return NangoConnectController;
}
