/** The exception queue and the audit trail as the API shows them (GET /v1/exceptions, GET /v1/audit). */
import { Type, type Static } from '@sinclair/typebox';

export const EXCEPTION_STATUS_VALUES = ['open', 'acknowledged', 'resolved', 'auto_resolved'] as const;
export const EXCEPTION_ACTION_VALUES = ['retry', 'replay', 'edit', 'discard', 'add_xref', 'acknowledge', 'assign'] as const;

const Entity = Type.Object({ kind: Type.String(), id: Type.String() });

const HistoryEntryView = Type.Object({
  at: Type.String(),
  actor: Type.String(),
  action: Type.String(),
  note: Type.String(),
  status: Type.String(),
});

export const ExceptionSummary = Type.Object({
  id: Type.Integer(),
  class: Type.String({
    description: 'parked_event, parked_inbound, unknown_cross_reference, order_exception, dead_letter, dead_log_entry, erp_pending or sla_breach',
  }),
  severity: Type.String(),
  status: Type.Union(EXCEPTION_STATUS_VALUES.map((s) => Type.Literal(s))),
  owner: Type.String(),
  entity: Entity,
  group: Type.String({ description: 'The root cause it shares with others; act on all of them through /v1/exception-groups/{group}.' }),
  correlationId: Type.Union([Type.String(), Type.Null()]),
  error: Type.String(),
  actions: Type.Array(Type.String(), { description: 'The actions that apply now (none once resolved).' }),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});

export const ExceptionDetail = Type.Composite([
  ExceptionSummary,
  Type.Object({ payload: Type.Unknown(), history: Type.Array(HistoryEntryView), system: Type.Union([Type.String(), Type.Null()]) }),
]);

export const ExceptionQuery = Type.Object({
  status: Type.Optional(Type.Union(EXCEPTION_STATUS_VALUES.map((s) => Type.Literal(s)))),
  class: Type.Optional(Type.String({ minLength: 1 })),
  owner: Type.Optional(Type.String({ minLength: 1 })),
  entity: Type.Optional(Type.String({ minLength: 3, pattern: '^[^:]+:.+$', description: 'kind:id, e.g. order:ord_123' })),
  group: Type.Optional(Type.String({ minLength: 1 })),
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
  cursor: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,15}$', description: 'The `next` of the previous page.' })),
});
export type ExceptionQuery = Static<typeof ExceptionQuery>;

export const ActionParams = Type.Object({ action: Type.Union(EXCEPTION_ACTION_VALUES.map((a) => Type.Literal(a))) });

export const GroupResultView = Type.Object({
  group: Type.String(),
  action: Type.String(),
  results: Type.Array(Type.Object({ id: Type.Integer(), ok: Type.Boolean(), note: Type.String() })),
});

export const AuditEntryView = Type.Object({
  at: Type.String(),
  actor: Type.String({ description: "The API key's name, or operator:<name> when the CLI says who runs it." }),
  apiKey: Type.Union([Type.String(), Type.Null()]),
  via: Type.String({ description: 'api or cli' }),
  origin: Type.String({ description: "The caller's address." }),
  action: Type.String({ description: 'Method and route, e.g. PUT /v1/locations/:id' }),
  entity: Type.Union([Entity, Type.Null()]),
  status: Type.Integer(),
  before: Type.Optional(Type.Unknown()),
  after: Type.Optional(Type.Unknown()),
  correlationId: Type.String(),
});

export const AuditQuery = Type.Object({
  actor: Type.Optional(Type.String({ minLength: 1 })),
  entity: Type.Optional(Type.String({ minLength: 1, description: 'kind:id, or kind alone' })),
  since: Type.Optional(Type.String({ format: 'date-time' })),
  until: Type.Optional(Type.String({ format: 'date-time' })),
  limit: Type.Integer({ minimum: 1, maximum: 1000, default: 100 }),
  cursor: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,15}$' })),
});
export type AuditQuery = Static<typeof AuditQuery>;
