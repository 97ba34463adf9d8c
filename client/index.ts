// The client's one entry: the sign-in page at /login, the dispatcher's console at /dispatch, the officials' posture boards at /posture, the admin console at /admin, the wall everywhere else. Each view loads
// only its own code, so the sign-in page does not wait for the map.
import { registerBundledFont } from './bundled-font.ts';

registerBundledFont();
if (location.pathname === '/login') await import('./sign-in.ts');
else if (location.pathname === '/dispatch') await import('./dispatch.ts');
else if (location.pathname === '/posture') await import('./posture.ts');
else if (location.pathname === '/admin') await import('./admin.ts');
else await import('./wall.ts');
