import { Injectable } from '@nestjs/common';
import { NangoService } from 'nestjs-nango';

@Injectable()
export class ReposService {
  constructor(private readonly nango: NangoService) {}

  async repos(userId: string) {
    const { data } = await this.nango.get({
      endpoint: '/user/repos',
      providerConfigKey: 'github',
      connectionId: userId,
    });
    return data;
  }
}
