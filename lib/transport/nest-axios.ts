// The one door to `@nestjs/axios` for values: the check runs first (see nest-axios.check.ts),
// so a CommonJS loader that cannot load it fails with an error saying what to install.
import './nest-axios.check.js';

/** `@nestjs/axios`'s `HttpService`, loaded after the check. */
export { HttpService } from '@nestjs/axios';
