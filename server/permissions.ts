import { entityKinds, type EntityKind, type Role, type User } from '../geo/index.ts';
import type { LiveLayer } from '../streams/index.ts';

/**
 * Who may do what: the one table every REST route, socket event and room is checked against.
 * Police positions are sensitive: operators and dispatchers in the command centre see them;
 * officials and admins only with the 'police-positions' grant, and each such read is audited.
 */
export const permissionRoles = {
  /** The city: base map, districts, places, traffic, feed health. */
  'city:read': ['operator', 'dispatcher', 'official', 'admin'],
  /** Where individual buses, taxis, trucks and grid inspectors are. */
  'units:read': ['operator', 'dispatcher', 'official', 'admin'],
  /** Where individual police cars and officers are. */
  'police-units:read': ['operator', 'dispatcher'],
  /** Camera alerts and citizen reports. */
  'alerts:read': ['operator', 'dispatcher', 'official', 'admin'],
  /** The incident queue, each case and its history. */
  'incidents:read': ['operator', 'dispatcher', 'official', 'admin'],
  /** Moving a case through its lifecycle, and sending units to it. */
  'incidents:write': ['dispatcher'],
  /** Which units are sent where, with their routes, and geofence alerts: police positions inside. */
  'dispatch:read': ['operator', 'dispatcher'],
  /** Drawing and removing geofences. */
  'geofences:manage': ['dispatcher'],
  /** Issuing an emergency warning to every screen and the outbound webhook. */
  'warnings:issue': ['dispatcher'],
  /** Acknowledging, assigning and clearing alerts. */
  'alerts:write': ['operator', 'dispatcher'],
  /** The posture boards: counts and rates, no unit's position. */
  'posture:read': ['operator', 'dispatcher', 'official', 'admin'],
  'users:manage': ['admin'],
  /** Keys for the feeds that push over HTTP. */
  'feeds:manage': ['admin'],
  'audit:read': ['admin'],
  /** The device registry: registering, importing and retiring units. */
  'devices:manage': ['admin'],
} as const satisfies Record<string, readonly Role[]>;
export type Permission = keyof typeof permissionRoles;
export const permissionNames = Object.keys(permissionRoles) as Permission[];

/** Roles that may see police positions when granted, not by role: their reads are audited. */
const grantedPolicePositions: readonly Role[] = ['official', 'admin'];

export function can(user: Pick<User, 'role' | 'grants'>, permission: Permission): boolean {
  if ((permissionRoles[permission] as readonly Role[]).includes(user.role)) return true;
  return permission === 'police-units:read' && grantedPolicePositions.includes(user.role) && user.grants.includes('police-positions');
}

/** Whether this user's reads of police positions go to the audit log (a non-police role with the grant). */
export function auditsPoliceReads(user: Pick<User, 'role'>): boolean {
  return grantedPolicePositions.includes(user.role);
}

export const policeKinds: readonly EntityKind[] = ['police-car', 'police-officer'];

/** What seeing this kind of unit takes. */
export function permissionForKind(kind: EntityKind): Permission {
  return policeKinds.includes(kind) ? 'police-units:read' : 'units:read';
}

/** What a live layer takes: each kind of unit its own, the city layers 'city:read', alerts 'alerts:read'. */
export function layerPermission(layer: LiveLayer): Permission {
  if ((entityKinds as readonly string[]).includes(layer)) return permissionForKind(layer as EntityKind);
  const permissions: Partial<Record<LiveLayer, Permission>> = { alerts: 'alerts:read', incidents: 'incidents:read', dispatch: 'dispatch:read' };
  return permissions[layer] ?? 'city:read';
}

/** The entity kinds this user may see. */
export function visibleKinds(user: Pick<User, 'role' | 'grants'>): EntityKind[] {
  return entityKinds.filter((kind) => can(user, permissionForKind(kind)));
}

/**
 * The kinds a request asks for (`kind`, comma-separated; all it may see when absent), or why it
 * is refused: 400 for an unknown kind, 403 for one the user may not see.
 */
export function askedKinds(query: unknown, user: Pick<User, 'role' | 'grants'>): { kinds: EntityKind[] } | { status: 400 | 403; error: string } {
  const visible = visibleKinds(user);
  if (query === undefined) return { kinds: visible };
  const names = (Array.isArray(query) ? query : [query]).flatMap((value) => String(value).split(',')).filter(Boolean);
  const unknown = names.filter((name) => !(entityKinds as readonly string[]).includes(name));
  if (unknown.length > 0) return { status: 400, error: `unknown kind ${unknown.map((k) => `"${k}"`).join(', ')}; use one or more of ${entityKinds.join(', ')}` };
  const refused = names.filter((name) => !(visible as readonly string[]).includes(name));
  if (refused.length > 0) return { status: 403, error: `the ${user.role} role may not see where ${refused.join(', ')} units are; ask an administrator if your work needs it` };
  return { kinds: names as EntityKind[] };
}

/** Who may call a route: a permission, anyone signed in, or anyone. */
export type Access = Permission | 'signed-in' | 'public';

/**
 * Every API route and who may call it. Routes are registered from this table only (http-app),
 * the OpenAPI document states it, and the role matrix test walks it.
 */
export const apiRouteAccess = {
  'GET /api/openapi.json': 'public',
  'POST /api/session': 'public',
  'GET /api/session': 'public',
  'DELETE /api/session': 'signed-in',
  'GET /api/city': 'city:read',
  'GET /api/feeds': 'city:read',
  'GET /api/traffic': 'city:read',
  'GET /api/search': 'city:read',
  'GET /api/basemap/tiles/:z/:x/:y': 'city:read',
  'GET /api/basemap/city-tiles/:layer/:z/:x/:y': 'city:read',
  'GET /api/basemap/:layer': 'city:read',
  'GET /api/entities': 'units:read',
  'GET /api/buses': 'units:read',
  'GET /api/camera-events': 'alerts:read',
  'GET /api/reports': 'alerts:read',
  'GET /api/incidents': 'incidents:read',
  'POST /api/incidents': 'incidents:write',
  'GET /api/incident-categories': 'incidents:read',
  'GET /api/incidents/:id': 'incidents:read',
  'POST /api/incidents/:id/transitions': 'incidents:write',
  'POST /api/incidents/:id/merge': 'incidents:write',
  'GET /api/incidents/:id/nearby': 'incidents:read',
  // The past as the present: each kind of unit as its live permission has it (checked per kind).
  'GET /api/history/positions': 'units:read',
  'GET /api/history/units/:id/track': 'units:read',
  'GET /api/history/nearby': 'units:read',
  'GET /api/incidents/:id/candidates': 'incidents:write',
  'GET /api/incidents/:id/assignments': 'dispatch:read',
  'GET /api/incidents/:id/fleet': 'dispatch:read',
  'POST /api/incidents/:id/assignments': 'incidents:write',
  'GET /api/force': 'units:read',
  'GET /api/geofences': 'dispatch:read',
  'POST /api/geofences': 'geofences:manage',
  'DELETE /api/geofences/:id': 'geofences:manage',
  'GET /api/geofence-alerts': 'dispatch:read',
  'POST /api/geofence-alerts/clear': 'alerts:write',
  'POST /api/geofence-alerts/:id': 'alerts:write',
  'GET /api/warnings': 'alerts:read',
  'GET /api/posture': 'posture:read',
  'GET /api/posture/:board': 'posture:read',
  'POST /api/warnings': 'warnings:issue',
  'GET /api/users': 'users:manage',
  'POST /api/users': 'users:manage',
  'PATCH /api/users/:id': 'users:manage',
  'GET /api/feed-keys': 'feeds:manage',
  'POST /api/feed-keys': 'feeds:manage',
  'PATCH /api/feed-keys/:id': 'feeds:manage',
  'GET /api/set-aside': 'feeds:manage',
  'POST /api/set-aside/:id/replay': 'feeds:manage',
  'GET /api/audit': 'audit:read',
  'GET /api/audit.csv': 'audit:read',
  'GET /api/devices': 'devices:manage',
  'POST /api/devices': 'devices:manage',
  'POST /api/devices/import': 'devices:manage',
  'POST /api/devices/:id/retire': 'devices:manage',
} as const satisfies Record<string, Access>;
export type ApiRoute = keyof typeof apiRouteAccess;
