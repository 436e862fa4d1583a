/** The API scopes (docs/REFERENCE.md "Auth and errors"); a key holds a set of them. */
export const SCOPES = ['events:write', 'availability:read', 'orders:write', 'orders:read', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];
