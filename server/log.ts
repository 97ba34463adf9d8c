export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** A logger for one module: its lines carry `module` and the given fields. */
  child(fields: LogFields): Logger;
}

// Secrets never reach a log line: a field named like one, or one written into a URL's query.
const secretName = /password|passwd|secret|token|csrf|api[-_]?key|^key$/i;
const secretInQuery = /([?&](?:pass(?:word|wd)?|secret|token|csrf|api[-_]?key|key)=)[^&#\s"]*/gi;

/** The value as it may be logged: secrets by name or in a query string replaced by `[redacted]`. */
export function redactSecrets(key: string, value: unknown): unknown {
  if (secretName.test(key) && value !== undefined && value !== null) return '[redacted]';
  if (value instanceof Error) return value.message.replace(secretInQuery, '$1[redacted]');
  return typeof value === 'string' ? value.replace(secretInQuery, '$1[redacted]') : value;
}

const levelOrder: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface LoggerOptions {
  level: LogLevel;
  /** JSON lines for log collectors, or plain text for a person at a terminal. */
  format: 'json' | 'text';
  write?: (line: string) => void;
}

export function createLogger(options: LoggerOptions, bound: LogFields = {}): Logger {
  const write = options.write ?? ((line: string) => process.stdout.write(line));
  const emit = (level: LogLevel, message: string, fields: LogFields = {}) => {
    if (levelOrder[level] < levelOrder[options.level]) return;
    const all = { ...bound, ...fields };
    for (const [key, value] of Object.entries(all)) all[key] = redactSecrets(key, value);
    message = redactSecrets('', message) as string;
    if (options.format === 'json') {
      write(`${JSON.stringify({ time: new Date().toISOString(), level, msg: message, ...all })}\n`);
    } else {
      const { module, ...rest } = all;
      const extras = Object.entries(rest).map(([key, value]) => ` ${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
      write(`${new Date().toTimeString().slice(0, 8)} ${level.padEnd(5)} ${module ? `[${String(module)}] ` : ''}${message}${extras.join('')}\n`);
    }
  };
  return {
    debug: (message, fields) => emit('debug', message, fields),
    info: (message, fields) => emit('info', message, fields),
    warn: (message, fields) => emit('warn', message, fields),
    error: (message, fields) => emit('error', message, fields),
    child: (fields) => createLogger(options, { ...bound, ...fields }),
  };
}
