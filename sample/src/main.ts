import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { startSample } from './sample.js';

const logger = new Logger('Sample');

async function main(): Promise<void> {
  const sample = await startSample({ log: (line) => logger.log(line) });
  const stop = async (): Promise<void> => {
    await sample.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

main().catch((error: unknown) => {
  logger.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
