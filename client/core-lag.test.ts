import { describe, expect, it } from 'vitest';
import { coreLagNotice } from './core-lag.ts';
import { messagesFor } from './i18n.ts';

describe('the core lag notice of the console and the boards', () => {
  it('says nothing for a tick or two of lag, how far behind past that, and that the database is down in an outage', () => {
    const zh = messagesFor('zh-CN');
    expect(coreLagNotice({ behindS: 3, outage: false }, zh)).toBeNull();
    expect(coreLagNotice({ behindS: 12, outage: false }, zh)).toBe(zh.behind(12));
    expect(coreLagNotice({ behindS: 12, outage: false }, zh)).toContain('滞后 12 秒');
    expect(coreLagNotice({ behindS: 0, outage: true }, messagesFor('en'))).toMatch(/^The database is not answering \(0 s\)/);
  });
});
