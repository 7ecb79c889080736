// Structured logging with pino; secrets and personal contact details are redacted wherever they appear.
import { type Logger, pino } from 'pino';

export type { Logger };

const redactPaths = [
  '*.token',
  '*.botToken',
  '*.appToken',
  '*.signingSecret',
  '*.apiKey',
  '*.password',
  '*.appPassword',
  '*.authorization',
  '*.Authorization',
  'headers.authorization',
  'req.headers.authorization',
  '*.headers.authorization',
  '*.headers["x-slack-signature"]',
  '*.uri',
  '*.email',
];

/** Creates the process logger. Pass a destination stream in tests to capture lines. */
export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  const options = { level, redact: { paths: redactPaths, censor: '[redacted]' }, base: { app: 'itbuddy' } };
  return destination ? pino(options, destination as pino.DestinationStream) : pino(options);
}

/** A logger that writes nothing, for tests and tools. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
