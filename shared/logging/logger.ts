import { Logger } from '@aws-lambda-powertools/logger';
import { redactingReplacer } from './redact';

/**
 * Structured JSON logger for one function. Every entry passes through the redacting replacer,
 * so a secret that slips into a log attribute is masked rather than written.
 */
export const createLogger = (serviceName: string): Logger =>
  new Logger({
    serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? serviceName,
    logLevel: (process.env.POWERTOOLS_LOG_LEVEL as 'INFO' | undefined) ?? 'INFO',
    jsonReplacerFn: redactingReplacer as (key: string, value: unknown) => unknown,
  });
