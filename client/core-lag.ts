import type { CoreStatus } from '../streams/index.ts';
import type { Messages } from './i18n.ts';

/** Behind by this many seconds or more, a view says so, s: a tick or two late is normal. */
const behindNoticeS = 5;

/** The server's core is behind applying input, or its database is down. */
export const coreLagging = (core: CoreStatus) => core.outage || core.behindS >= behindNoticeS;

/** What a view says while the core lags (positions move; cases, alerts and figures follow later), or null. */
export function coreLagNotice(core: CoreStatus, messages: Pick<Messages, 'behind' | 'databaseDown'>): string | null {
  if (!coreLagging(core)) return null;
  return core.outage ? messages.databaseDown(core.behindS) : messages.behind(core.behindS);
}
