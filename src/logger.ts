// The operator's logger: JSON lines with a fixed message and key/value fields. Redaction is a
// safety net; the code never hands a token to the logger in the first place.
import pino, { type DestinationStream, type Logger } from 'pino';

export const REDACTED_PATHS = [
  'token',
  '*.token',
  'defaultToken',
  '*.defaultToken',
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  '*.headers.Authorization',
  'config.defaultToken',
];

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { component: 'appcopy-operator' },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}
