import { describe, expect, it } from 'vitest';
import { createLogger } from './log.ts';

describe('the logger', () => {
  it('never writes a secret: fields named like one, or one in a URL query, in either format', () => {
    for (const format of ['json', 'text'] as const) {
      const lines: string[] = [];
      const log = createLogger({ level: 'debug', format, write: (line) => void lines.push(line) });
      log.info('GET /login?user=li.wei&password=hunter2-secret&next=%2Fwall', {
        url: '/login?user=li.wei&password=hunter2-secret',
        webhook: 'https://gateway.example.org/send?token=tok-123&area=d-01',
        password: 'hunter2-secret',
        apiKey: 'key-abc',
        error: new Error('fetch /x?key=key-abc failed'),
        passengers: 42,
      });
      const [line] = lines;
      expect(line, format).not.toMatch(/hunter2|tok-123|key-abc/);
      expect(line, `${format}: what is not secret stays`).toContain('user=li.wei');
      expect(line).toContain('area=d-01');
      expect(line).toContain('42');
      expect(line).toContain('[redacted]');
    }
  });
});
