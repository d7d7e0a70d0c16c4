import {
  Controller,
  HttpCode,
  Inject,
  Logger,
  Optional,
  Post,
  Req,
  Res,
  type Type,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
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
      @Optional() private readonly adapterHost?: HttpAdapterHost,
    ) {}

    @Post(route.path)
    @HttpCode(201)
    create(
      @Req() request: NangoConnectRequest,
      @Res({ passthrough: true }) response: unknown,
    ): Promise<NangoConnectSessionAnswer> {
      return openConnectSession(this.nango, route, request, {
        logger: this.logger,
        setHeader: (name, value) => this.adapterHost?.httpAdapter.setHeader(response, name, value),
      });
    }
  }
  return NangoConnectController;
}
