/**
 * The hub's configuration: process settings from the environment (docs/REFERENCE.md "Process") and
 * the YAML file of master data and API keys. Loaded and validated once at start; a bad value
 * stops the process naming the file, line and field. Secrets come only from the environment.
 */
import { CrossReferenceView } from '../model/cross-reference.js';
import { Type, type Static } from '@sinclair/typebox';
import { readFileSync } from 'node:fs';
import { getHeapStatistics } from 'node:v8';
import { fileURLToPath } from 'node:url';
import { LineCounter, parseDocument, isNode } from 'yaml';
import { ChannelInput, ItemInput, LocationInput } from '../model/catalog.js';
import { CustomerInput } from '../model/customer.js';
import { compileValidator } from '../model/validator.js';
import { isIdentifier, RESERVED_CHARACTERS } from '../model/formats.js';
import { SCOPES } from '../model/scopes.js';
import { TAIL_LIMIT } from '../domain/inventory/stock-position.js';
import { duplicateSlaId, SlaSection, slaSettings, type SlaSettings } from './sla-config.js';

const Delivery = {
  sellsIn: Type.Optional(
    Type.String({
      pattern: '^[A-Z0-9]{1,6}$',
      description: 'The unit this channel sells in (CA): it is offered floor(available / the unit size) of each item, and items without that unit nothing.',
    }),
  ),
  batchSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
  timeoutMs: Type.Optional(Type.Integer({ minimum: 100, maximum: 120_000, default: 10_000 })),
  rateLimit: Type.Optional(
    Type.Object(
      { perSecond: Type.Number({ exclusiveMinimum: 0 }), burst: Type.Integer({ minimum: 1 }) },
      { additionalProperties: false, description: 'Requests per second it accepts, as a token bucket.' },
    ),
  ),
  circuitBreaker: Type.Optional(
    Type.Object(
      {
        failures: Type.Integer({ minimum: 1, default: 5, description: 'Consecutive failed calls that open the circuit.' }),
        openSeconds: Type.Number({ minimum: 0.05, default: 30, description: 'How long it stays open before one probe is let through.' }),
      },
      { additionalProperties: false },
    ),
  ),
  retry: Type.Optional(
    Type.Object(
      {
        maxAttempts: Type.Integer({ minimum: 1, default: 10, description: 'Attempts before a message becomes a dead letter.' }),
        baseMs: Type.Integer({ minimum: 1, default: 1000 }),
        maxMs: Type.Integer({ minimum: 1, default: 60_000 }),
      },
      { additionalProperties: false },
    ),
  ),
  lowStock: Type.Optional(
    Type.Integer({ minimum: 0, default: 5, description: 'Availability at or below this goes ahead of other updates when the rate budget is short.' }),
  ),
  receives: Type.Optional(
    Type.Array(Type.String(), {
      description: 'The outbox topics it takes (fulfilment.request, shipment.confirmed, order.invoiced, ...); all addressed to it when absent.',
    }),
  ),
};

const WebhookSystem = Type.Object(
  {
    type: Type.Literal('webhook', { description: 'JSON batches POSTed to url.' }),
    url: Type.String({ pattern: '^https?://', description: 'Where deliveries are POSTed.' }),
    tokenEnv: Type.Optional(Type.String({ pattern: '^[A-Z_][A-Z0-9_]*$', description: 'Environment variable holding a bearer token for it.' })),
    channel: Type.Optional(
      Type.String({ description: 'The channel whose availability it receives (and whose order messages: shipment confirmations, invoices).' }),
    ),
    ...Delivery,
  },
  { additionalProperties: false },
);

const ShopifySystem = Type.Object(
  {
    type: Type.Literal('shopify', {
      description: 'A Shopify-style storefront: orders/create and orders/cancelled webhooks arrive at POST /hooks/{id}, signed with X-Shopify-Hmac-Sha256.',
    }),
    channel: Type.String({ description: 'The channel its orders are captured on.' }),
    webhookSecretEnv: Type.String({ pattern: '^[A-Z_][A-Z0-9_]*$', description: 'Environment variable holding the app secret that signs its webhooks.' }),
    customer: Type.Optional(Type.String({ description: 'The hub customer every order of this store is placed for (a retail account).' })),
    customerPrefix: Type.Optional(Type.String({ description: "Or: the hub customer is this prefix + the store's customer id." })),
    backorder: Type.Optional(
      Type.Union([Type.Literal('reject'), Type.Literal('allow')], {
        default: 'allow',
        description: 'A paid storefront order is usually taken even when short.',
      }),
    ),
    adminUrl: Type.Optional(
      Type.String({
        pattern: '^https?://',
        description: "The store's Admin API base (https://<shop>.myshopify.com): availability and fulfilments go out there.",
      }),
    ),
    accessTokenEnv: Type.Optional(Type.String({ pattern: '^[A-Z_][A-Z0-9_]*$', description: 'Environment variable holding the Admin API access token.' })),
    locationId: Type.Optional(Type.String({ description: 'The store location whose quantities the hub sets (a gid).' })),
    inventoryApi: Type.Optional(
      Type.Union([Type.Literal('graphql'), Type.Literal('rest')], {
        default: 'graphql',
        description: 'graphql: inventorySetQuantities, 250 items a call; rest: inventory_levels/set, one item a call.',
      }),
    ),
    ...Delivery,
  },
  { additionalProperties: false },
);

const CsvSnapshotSystem = Type.Object(
  {
    type: Type.Literal('csv-snapshot', { description: 'A 3PL or marketplace dropping stock files (CSV/TSV, one row per item) into a folder.' }),
    location: Type.String({ description: 'The location the file counts.' }),
    source: Type.Optional(
      Type.String({ description: "The source id its snapshots carry (default: the system id); make it the location's authority for the counts to be used." }),
    ),
    folder: Type.Optional(
      Type.String({ description: 'The folder to watch (default: <data dir>/inbox/<system id>); processed/ and failed/ are made inside it.' }),
    ),
    delimiter: Type.Optional(Type.String({ minLength: 1, maxLength: 1, default: ',', description: 'Field separator; "\\t" for TSV.' })),
    columns: Type.Object(
      {
        sku: Type.String(),
        onHand: Type.String(),
        qualityHold: Type.Optional(Type.String()),
        damaged: Type.Optional(Type.String()),
      },
      { additionalProperties: false, description: 'Which column holds each field.' },
    ),
    unitFactor: Type.Optional(Type.Number({ exclusiveMinimum: 0, default: 1, description: 'Hub units per file unit (12 when the file counts cases of 12).' })),
    itemScheme: Type.Optional(
      Type.String({
        minLength: 1,
        description:
          "When set, the sku column holds the 3PL's own item codes, translated through the cross-references (kind item, this system, this scheme); a file naming a code not mapped is parked whole until it is.",
      }),
    ),
    pollSeconds: Type.Optional(Type.Number({ minimum: 0.05, default: 5 })),
    settleSeconds: Type.Optional(
      Type.Number({
        minimum: 0,
        default: 2,
        description:
          'A file is taken once its size and modification time have not changed for this long (0: at once). Files named with a leading dot, *.tmp or *.part are never taken; a file seen renamed from such a name (fba.tsv.part → fba.tsv) is taken at the next scan without waiting this long.',
      }),
    ),
  },
  { additionalProperties: false },
);

const Party = Type.Object(
  {
    qualifier: Type.String({
      minLength: 2,
      maxLength: 2,
      pattern: '^[A-Za-z0-9]{2}$',
      description: 'ISA id qualifier (01 DUNS, 12 phone, ZZ mutually defined, ...).',
    }),
    // Written into every ISA and GS: an X12 delimiter or control character here would break each document.
    id: Type.String({
      minLength: 1,
      maxLength: 15,
      pattern: '^[^*~>^\\x00-\\x1f\\x7f]+$',
      description: 'ISA interchange id; no * ~ > ^ or control character.',
    }),
    applicationId: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 15,
        pattern: '^[^*~>^\\x00-\\x1f\\x7f]+$',
        description: 'GS application code (GS02 of its groups, GS03 of ours) when it differs from the ISA id.',
      }),
    ),
  },
  { additionalProperties: false },
);

const EdiX12System = Type.Object(
  {
    type: Type.Literal('edi-x12', {
      description:
        'A trading partner exchanging X12 004010 files through folders: 850 and 860 in (answered by 997 and 855), 856/810/846 out; a supplier (receivesAt): 856 in as inbound supply; or a 3PL (the authority of a location): 940 out, 945 and 846 in. Its 997s are matched to what the hub sent.',
    }),
    channel: Type.Optional(Type.String({ description: 'The channel its purchase orders are captured on (a customer partner).' })),
    customer: Type.Optional(Type.String({ description: 'The hub customer its purchase orders are placed for (a customer partner).' })),
    us: Party,
    partner: Party,
    folder: Type.Optional(Type.String({ description: 'Where in/, out/, processed/ and failed/ live (default: <data dir>/edi/<system id>).' })),
    itemQualifier: Type.Optional(
      Type.String({
        description: 'PO1 product id qualifier carrying the hub SKU as is (VN, BP, IN, ...); default VN when itemQualifiers is not set.',
      }),
    ),
    itemQualifiers: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 3 }), {
        minItems: 1,
        description:
          'Product id qualifiers tried in this order through the cross-references (kind item, this system, the qualifier as scheme): BP, UP, EN, VN... The first that is mapped gives the SKU; outbound documents name the item under the first of these the partner has an id for.',
      }),
    ),
    sellsIn: Type.Optional(
      Type.String({
        pattern: '^[A-Z0-9]{1,6}$',
        description: 'The unit this channel sells in (CA): it is offered floor(available / the unit size) of each item, and items without that unit nothing.',
      }),
    ),
    inventoryAdviceSeconds: Type.Optional(
      Type.Number({ minimum: 0, default: 900, description: 'At most one 846 inventory advice this often (changes in between coalesce).' }),
    ),
    usage: Type.Optional(Type.Union([Type.Literal('P'), Type.Literal('T')], { default: 'P', description: 'ISA15: production or test.' })),
    testInterchanges: Type.Optional(
      Type.Union([Type.Literal('refuse'), Type.Literal('test-mode')], {
        default: 'refuse',
        description:
          'What to do with an interchange marked test (ISA15 = T): refuse it (kept as an exception, nothing taken), or take it in test mode (read, translated and answered with ISA15 = T; no order captured, nothing reserved, nothing committed to the ERP, no stock changed).',
      }),
    ),
    receivesAt: Type.Optional(
      Type.String({ description: "A supplier's location: where the shipments its 856 ship notices announce arrive (inbound supply with their ETA)." }),
    ),
    backorder: Type.Optional(Type.Union([Type.Literal('reject'), Type.Literal('allow')], { default: 'allow' })),
    pollSeconds: Type.Optional(Type.Number({ minimum: 0.05, default: 5 })),
    settleSeconds: Type.Optional(
      Type.Number({
        minimum: 0,
        default: 2,
        description:
          'An interchange is taken once its size and modification time have not changed for this long (0: at once). Files named with a leading dot, *.tmp or *.part are never taken; one renamed from such a name is taken at the next scan.',
      }),
    ),
  },
  { additionalProperties: false },
);

const AmazonListingsSystem = Type.Object(
  {
    type: Type.Literal('amazon-listings', {
      description: "An Amazon-style marketplace: its channel's availability goes out as Listings Items PATCHes, one SKU a call.",
    }),
    url: Type.String({ pattern: '^https?://', description: 'The Selling Partner API endpoint.' }),
    channel: Type.String(),
    sellerId: Type.String(),
    marketplaceId: Type.Optional(Type.String({ default: 'ATVPDKIKX0DER', description: 'Defaults to the US marketplace.' })),
    tokenEnv: Type.Optional(Type.String({ pattern: '^[A-Z_][A-Z0-9_]*$', description: 'Environment variable holding the access token.' })),
    ...Delivery,
  },
  { additionalProperties: false },
);

const CarrierSystem = Type.Object(
  {
    type: Type.Literal('carrier', {
      description: 'A carrier (or tracking aggregator) sending tracking webhooks to /hooks/{id}; delivered parcels deliver their orders.',
    }),
    secretEnv: Type.String({
      pattern: '^[A-Z_][A-Z0-9_]*$',
      description: 'Environment variable holding the secret its webhooks are signed with (HMAC-SHA256, hex, in X-Hmac-Signature).',
    }),
  },
  { additionalProperties: false },
);

const RestWebhookSystem = Type.Object(
  {
    type: Type.Literal('rest-webhook', {
      description: 'A REST system POSTing its own JSON to /hooks/{id}, mapped by a JSONata file to a hub order or hub events.',
    }),
    mapping: Type.String({ description: 'The JSONata file, relative to this configuration file.' }),
    produces: Type.Union([Type.Literal('order'), Type.Literal('events')], { description: 'What the mapping turns a message into.' }),
    channel: Type.Optional(Type.String({ description: 'For order-producing systems: the channel its orders belong to (the mapping sets it on each order).' })),
    secretEnv: Type.String({
      pattern: '^[A-Z_][A-Z0-9_]*$',
      description: 'Environment variable holding the secret its messages are signed with (HMAC-SHA256, hex).',
    }),
    signatureHeader: Type.Optional(Type.String({ default: 'x-signature', description: 'The header carrying the signature.' })),
    idHeader: Type.Optional(
      Type.String({
        pattern: '^[A-Za-z0-9-]+$',
        description: 'A header carrying a unique id per message (kept across its retries): a message whose id was received already is taken once.',
      }),
    ),
    timestampHeader: Type.Optional(
      Type.String({
        pattern: '^[A-Za-z0-9-]+$',
        description:
          'A header carrying when the message was sent (RFC 3339 or Unix seconds). When set, it is required, the signature covers "<timestamp>.<body>", and a message older than webhooks.maxAgeSeconds is refused.',
      }),
    ),
  },
  { additionalProperties: false },
);

export const HubFile = Type.Object(
  {
    locations: Type.Optional(Type.Record(Type.String(), LocationInput, { description: 'Locations by id.' })),
    channels: Type.Optional(Type.Record(Type.String(), ChannelInput, { description: 'Channels by id.' })),
    items: Type.Optional(Type.Record(Type.String(), ItemInput, { description: 'Items by SKU, with their unit tables.' })),
    xrefs: Type.Optional(
      Type.Array(CrossReferenceView, {
        description: "Cross-references applied at every start (as PUT /v1/xrefs): another system's id of an item, customer or location, to the hub's.",
      }),
    ),
    customers: Type.Optional(
      Type.Record(Type.String(), CustomerInput, { description: 'Customers by id (created if missing; the API may change them later).' }),
    ),
    apiKeys: Type.Optional(
      Type.Array(
        Type.Object(
          {
            name: Type.String({ minLength: 1 }),
            keyEnv: Type.String({ pattern: '^[A-Z_][A-Z0-9_]*$', description: 'Environment variable holding the key; keys never sit in this file.' }),
            scopes: Type.Array(Type.Union(SCOPES.map((s) => Type.Literal(s))), { minItems: 1 }),
          },
          { additionalProperties: false },
        ),
      ),
    ),
    systems: Type.Optional(
      Type.Record(
        Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$' }),
        Type.Union([WebhookSystem, ShopifySystem, CsvSnapshotSystem, EdiX12System, RestWebhookSystem, AmazonListingsSystem, CarrierSystem]),
        {
          description:
            'Systems the hub exchanges messages with, by id. A webhook system receives the outbox messages addressed to its id, to its channel, and to the locations it is the authority of; a shopify system sends orders to POST /hooks/{id}.',
        },
      ),
    ),
    erp: Type.Optional(
      Type.Object(
        {
          url: Type.Optional(
            Type.String({
              pattern: '^https?://',
              description: "Base URL of the ERP's sales-order API. Absent in the demo: the bundled ERP simulator runs in-process.",
            }),
          ),
          tokenEnv: Type.Optional(Type.String({ pattern: '^[A-Z_][A-Z0-9_]*$', description: 'Environment variable holding a bearer token for the ERP.' })),
          timeoutMs: Type.Optional(
            Type.Integer({
              minimum: 50,
              maximum: 120_000,
              default: 3000,
              description: "How long a capture waits for the ERP before the channel's onErpUnavailable policy applies.",
            }),
          ),
          retryBaseMs: Type.Optional(
            Type.Integer({ minimum: 10, default: 1000, description: 'First delay before retrying a queued order; doubles per attempt.' }),
          ),
          retryMaxMs: Type.Optional(Type.Integer({ minimum: 10, default: 60_000, description: 'Longest delay between retries.' })),
        },
        { additionalProperties: false },
      ),
    ),
    orders: Type.Optional(
      Type.Object(
        {
          waitForPreconditionMs: Type.Optional(
            Type.Integer({
              minimum: 1000,
              default: 3_600_000,
              description: 'How long an order event waits for its precondition (a shipment for its release) before it becomes an exception.',
            }),
          ),
          idempotencyKeyHours: Type.Optional(
            Type.Number({ minimum: 0.01, maximum: 8760, default: 24, description: 'How long Idempotency-Keys and their answers are kept.' }),
          ),
        },
        { additionalProperties: false },
      ),
    ),
    ledger: Type.Optional(
      Type.Object(
        {
          movementsKept: Type.Optional(
            Type.Integer({
              minimum: 1,
              maximum: 100_000,
              default: 64,
              description:
                "Movements each bucket of a source's item at a location keeps after its last count. A late count that more of its source's later movements overtook is not applied and is listed at GET /v1/events/overtaken. Every process of a hub must use the same value.",
            }),
          ),
        },
        { additionalProperties: false },
      ),
    ),
    exceptions: Type.Optional(
      Type.Object(
        {
          defaultOwner: Type.Optional(Type.String({ minLength: 1, default: 'operations', description: 'The team owning an exception no rule names.' })),
          owners: Type.Optional(
            Type.Array(
              Type.Object(
                {
                  class: Type.Optional(
                    Type.String({
                      description:
                        'parked_event, parked_inbound, unknown_cross_reference, order_exception, dead_letter, dead_log_entry, erp_pending or sla_breach; any when absent.',
                    }),
                  ),
                  system: Type.Optional(
                    Type.String({ description: 'The system the problem concerns (a destination, an inbound system, erp); any when absent.' }),
                  ),
                  owner: Type.String({ minLength: 1 }),
                },
                { additionalProperties: false },
              ),
              { description: 'Who owns a new exception: the first rule whose class and system match.' },
            ),
          ),
          erpPendingMinutes: Type.Optional(
            Type.Number({ minimum: 0, default: 5, description: 'An order the ERP has not taken this long after capture becomes an exception.' }),
          ),
          reconcileMs: Type.Optional(
            Type.Integer({ minimum: 50, default: 10_000, description: 'How often the queue is brought in line with the problems the hub holds.' }),
          ),
        },
        { additionalProperties: false },
      ),
    ),
    auth: Type.Optional(
      Type.Object(
        {
          metricsPublic: Type.Optional(
            Type.Boolean({ default: false, description: '/metrics answers without a key (by default it needs a key with the metrics or admin scope).' }),
          ),
          perKeyPerMinute: Type.Optional(
            Type.Integer({
              minimum: 1,
              default: 6_000_000,
              description: 'Requests a minute per API key (a key created through the API may set its own ratePerMinute); beyond it 429 with Retry-After.',
            }),
          ),
          failedAuthPerMinute: Type.Optional(
            Type.Integer({
              minimum: 1,
              default: 600,
              description:
                'Failed authentications a minute from one client address; beyond it every request of that address needing a key is answered 429 until the minute ends.',
            }),
          ),
          keyRefreshMs: Type.Optional(
            Type.Integer({
              minimum: 50,
              default: 1000,
              description:
                'How often a scale-out process rereads the keys created and revoked through the API: a key revoked through one process is refused by the others within this.',
            }),
          ),
        },
        { additionalProperties: false },
      ),
    ),
    webhooks: Type.Optional(
      Type.Object(
        {
          maxAgeSeconds: Type.Optional(
            Type.Integer({
              minimum: 1,
              default: 18_000,
              description:
                "A webhook whose sender's timestamp (X-Shopify-Triggered-At, a REST system's timestampHeader) is older than this is refused. Default 5 hours: Shopify retries a webhook for 4 hours with its first timestamp.",
            }),
          ),
          clockSkewSeconds: Type.Optional(
            Type.Integer({ minimum: 0, default: 300, description: "How far in the future a sender's timestamp may be (its clock runs ahead)." }),
          ),
        },
        { additionalProperties: false, description: 'Replay protection for inbound webhooks; webhook ids are remembered for twice maxAgeSeconds.' },
      ),
    ),
    sla: Type.Optional(SlaSection),
    audit: Type.Optional(
      Type.Object(
        { retentionDays: Type.Optional(Type.Number({ minimum: 0.001, default: 365, description: 'Audit entries older than this are dropped.' })) },
        { additionalProperties: false },
      ),
    ),
    edi: Type.Optional(
      Type.Object(
        {
          retentionDays: Type.Optional(
            Type.Number({
              minimum: 1,
              default: 90,
              description:
                'EDI interchanges taken (for duplicate detection) and transactions sent (for matching 997s) older than this are forgotten, every partner.',
            }),
          ),
        },
        { additionalProperties: false },
      ),
    ),
    http: Type.Optional(
      Type.Object(
        {
          host: Type.Optional(
            Type.String({
              minLength: 1,
              description:
                'The address to listen on (the environment variable HOST wins). Default 127.0.0.1: only this machine can reach the hub; 0.0.0.0 (or ::) listens on every interface.',
            }),
          ),
          requestTimeoutMs: Type.Optional(
            Type.Integer({
              minimum: 100,
              default: 30_000,
              description: 'The whole request, headers and body, must arrive within this; a slower client is answered 408 and disconnected.',
            }),
          ),
          headersTimeoutMs: Type.Optional(
            Type.Integer({ minimum: 100, default: 10_000, description: 'The headers must arrive within this (at most requestTimeoutMs).' }),
          ),
          keepAliveTimeoutMs: Type.Optional(
            Type.Integer({ minimum: 100, default: 72_000, description: 'A kept-alive connection with no new request for this long is closed.' }),
          ),
          idleTimeoutMs: Type.Optional(
            Type.Integer({ minimum: 100, default: 120_000, description: 'A connection with no traffic either way for this long is closed.' }),
          ),
          maxConnections: Type.Optional(
            Type.Integer({
              minimum: 1,
              default: 1000,
              description: "Open connections at most; more are closed as they open. Keep it well under the process's file-handle limit (ulimit -n).",
            }),
          ),
          bodyLimitBytes: Type.Optional(Type.Integer({ minimum: 1024, default: 67_108_864, description: 'Largest request body (64 MiB).' })),
          shedding: Type.Optional(
            Type.Object(
              {
                maxEventLoopDelayMs: Type.Optional(
                  Type.Integer({
                    minimum: 0,
                    default: 0,
                    description:
                      'Requests are answered 503 while the event loop stalls longer than this (2000 sheds after a 2 s stall); 0, the default: never, since one large batch may stall it that long.',
                  }),
                ),
                maxHeapUsedBytes: Type.Optional(
                  Type.Integer({ minimum: 0, description: "...or while the heap holds more than this; default 90% of V8's heap limit; 0: never." }),
                ),
                retryAfterSeconds: Type.Optional(Type.Integer({ minimum: 1, default: 10, description: 'The Retry-After a shed request is given.' })),
              },
              { additionalProperties: false },
            ),
          ),
        },
        { additionalProperties: false, description: 'Limits on HTTP clients, so that slow or hostile ones cannot stop the hub.' },
      ),
    ),
    scaleOut: Type.Optional(
      Type.Object(
        {
          partitions: Type.Optional(
            Type.Integer({ minimum: 1, maximum: 1024, description: 'Inventory subjects in the log (items hash onto them); default 16.' }),
          ),
          ackWaitSeconds: Type.Optional(
            Type.Number({
              minimum: 0.5,
              maximum: 3600,
              description: 'How long a worker may hold log entries before they are handed to another worker; default 30.',
            }),
          ),
          maxAttempts: Type.Optional(
            Type.Integer({ minimum: 1, maximum: 100, description: 'Attempts before a log entry that keeps failing goes to the dead letters; default 5.' }),
          ),
          duplicateWindowMinutes: Type.Optional(
            Type.Number({ minimum: 1, maximum: 10_080, description: 'How long the log remembers message ids to drop repeated appends; default 10.' }),
          ),
          batchesInFlight: Type.Optional(
            Type.Integer({
              minimum: 1,
              maximum: 16,
              description: "Log batches a worker applies at once (one batch's database round trips overlap another's work); default 4.",
            }),
          ),
          connections: Type.Optional(
            Type.Integer({
              minimum: 2,
              maximum: 500,
              description:
                "PostgreSQL connections this process may hold at once; default 20. Every process of a namespace together must stay under the server's max_connections.",
            }),
          ),
        },
        { additionalProperties: false, description: 'Tuning of the scale-out backend (CROSSDOCK_BACKEND=scale-out).' },
      ),
    ),
    demo: Type.Optional(
      Type.Object(
        {
          erpSimulator: Type.Optional(
            Type.Boolean({ description: 'Run the bundled ERP simulator in-process and send orders to it (when erp.url is not set).' }),
          ),
          network: Type.Optional(
            Type.Boolean({ description: 'Run the simulated network (storefront, marketplace, EDI partner, 3PL, carrier) and the systems that talk to it.' }),
          ),
          faults: Type.Optional(
            Type.Record(
              Type.Union([Type.Literal('erp'), Type.Literal('storefront'), Type.Literal('marketplace'), Type.Literal('wms'), Type.Literal('carrier')]),
              Type.Object(
                {
                  latencyMs: Type.Optional(Type.Integer({ minimum: 0 })),
                  errorRate: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
                  tooManyRequests: Type.Optional(Type.Integer({ minimum: 0, description: 'Answer 429 to this many calls.' })),
                  outage: Type.Optional(Type.Boolean()),
                },
                { additionalProperties: false },
              ),
              { description: 'Faults the simulators start with (each also takes PUT /_sim/faults at run time).' },
            ),
          ),
          seedStock: Type.Optional(Type.Boolean({ description: 'On an empty log, send opening snapshots for every configured item.' })),
          traffic: Type.Optional(
            Type.Object(
              {
                eventsPerSecond: Type.Number({ minimum: 0, maximum: 10_000 }),
                ordersPerMinute: Type.Optional(
                  Type.Number({
                    minimum: 0,
                    maximum: 6000,
                    description: 'Orders the simulated storefront places, each then released, shipped, delivered and invoiced.',
                  }),
                ),
              },
              { additionalProperties: false },
            ),
          ),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
export type HubFile = Static<typeof HubFile>;

export interface HubConfig {
  port: number;
  host: string;
  dataDir: string;
  configFile: string;
  adminKey?: string;
  demoTraffic: boolean;
  backend: 'embedded' | 'scale-out';
  /** Present when backend is 'scale-out'. */
  scaleOut?: ScaleOutSettings;
  checkpointIntervalMs: number;
  file: HubFile;
  /** Keys resolved from the environment, by name. */
  apiKeys: { name: string; key: string; scopes: (typeof SCOPES)[number][] }[];
}

export interface ScaleOutSettings {
  databaseUrl: string;
  natsUrl: string;
  /** api: HTTP, lookups, writes to the log; worker: applies the log to the shared state; all: both. */
  role: 'api' | 'worker' | 'all';
  /** Prefixes every NATS stream, subject and consumer and names the PostgreSQL schema. */
  namespace: string;
}

export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    readonly field: string,
    reason: string,
  ) {
    super(`${file}${line !== undefined ? `:${line}` : ''}: ${field}: ${reason}`);
    this.name = 'ConfigError';
  }
}

export const DEMO_CONFIG = fileURLToPath(new URL('../../../config/demo.yaml', import.meta.url));

const fileValidator = compileValidator(HubFile);

/** Reads and validates the YAML file. Throws ConfigError naming file, line and field. */
export function loadHubFile(path: string): HubFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(path, undefined, '(file)', `cannot be read: ${(err as Error).message}`);
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    throw new ConfigError(path, lines.linePos(e.pos[0]).line, '(syntax)', e.message.split('\n')[0]!);
  }
  const value = doc.toJS() ?? {};
  if (!fileValidator.check(value)) {
    const issue = fileValidator.issues(value, 1)[0]!;
    const segments = issue.path
      .split('/')
      .filter(Boolean)
      .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
    let line: number | undefined;
    for (let n = segments.length; n >= 0 && line === undefined; n--) {
      const node = doc.getIn(
        segments.slice(0, n).map((s) => (/^\d+$/.test(s) ? Number(s) : s)),
        true,
      );
      if (isNode(node) && node.range) line = lines.linePos(node.range[0]).line;
    }
    throw new ConfigError(path, line, segments.join('.') || '(root)', issue.message);
  }
  // Master data ids reach other systems' formats, as through the API: the same rule (formats.ts).
  for (const section of ['locations', 'channels', 'items', 'customers'] as const) {
    for (const id of Object.keys(value[section] ?? {})) {
      if (!isIdentifier(id)) {
        const node = doc.getIn([section, id], true);
        const line = isNode(node) && node.range ? lines.linePos(node.range[0]).line : undefined;
        throw new ConfigError(
          path,
          line,
          `${section}.${id}`,
          `the id must have no space at either end and no control character or ${RESERVED_CHARACTERS} (reserved by EDI X12)`,
        );
      }
    }
  }
  const repeated = value.sla ? duplicateSlaId(value.sla) : undefined;
  if (repeated) throw new ConfigError(path, undefined, repeated.field, `'${repeated.id}' is used twice; ids must be unique`);
  return value;
}

/** The whole configuration from an environment. Throws ConfigError. */
export function loadHubConfig(env: NodeJS.ProcessEnv = process.env): HubConfig {
  const configFile = env.CROSSDOCK_CONFIG || DEMO_CONFIG;
  const port = env.PORT === undefined || env.PORT === '' ? 8080 : Number(env.PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError('environment', undefined, 'PORT', `must be a port number, got '${env.PORT}'`);
  const backend = (env.CROSSDOCK_BACKEND || 'embedded') as HubConfig['backend'];
  if (backend !== 'embedded' && backend !== 'scale-out') {
    throw new ConfigError('environment', undefined, 'CROSSDOCK_BACKEND', `must be 'embedded' or 'scale-out', got '${backend}'`);
  }
  const scaleOut = backend === 'scale-out' ? scaleOutSettings(env) : undefined;
  const file = loadHubFile(configFile);
  const apiKeys = (file.apiKeys ?? []).flatMap((k, i) => {
    const key = env[k.keyEnv];
    if (key === undefined || key === '') return [];
    if (key.length < 16) throw new ConfigError(configFile, undefined, `apiKeys.${i}.keyEnv`, `${k.keyEnv} holds a key shorter than 16 characters`);
    return [{ name: k.name, key, scopes: k.scopes }];
  });
  const interval = Number(env.CROSSDOCK_CHECKPOINT_MS ?? 5000);
  return {
    port,
    host: env.HOST || file.http?.host || '127.0.0.1',
    dataDir: env.CROSSDOCK_DATA_DIR || './data',
    configFile,
    ...(env.CROSSDOCK_ADMIN_KEY ? { adminKey: env.CROSSDOCK_ADMIN_KEY } : {}),
    demoTraffic: (env.CROSSDOCK_DEMO_TRAFFIC ?? 'on').toLowerCase() !== 'off',
    backend,
    ...(scaleOut ? { scaleOut } : {}),
    checkpointIntervalMs: Number.isFinite(interval) && interval > 0 ? interval : 5000,
    file,
    apiKeys,
  };
}

/** The file's tuning with every default filled in: the one place the wiring's defaults live. */
export interface HubSettings {
  erp: { url?: string; tokenEnv?: string; timeoutMs: number; retryBaseMs: number; retryMaxMs: number };
  orders: { waitForPreconditionMs: number; idempotencyKeyHours: number };
  exceptions: { defaultOwner: string; owners: { class?: string; system?: string; owner: string }[]; erpPendingMs: number; reconcileMs: number };
  audit: { retentionMs: number };
  edi: { retentionMs: number };
  sla: SlaSettings;
  scaleOut: { partitions: number; ackWaitSeconds: number; maxAttempts: number; duplicateWindowMinutes: number; batchesInFlight: number; connections: number };
  ledger: { movementsKept: number };
  webhooks: { maxAgeSeconds: number; clockSkewSeconds: number };
  http: {
    requestTimeoutMs: number;
    headersTimeoutMs: number;
    keepAliveTimeoutMs: number;
    idleTimeoutMs: number;
    maxConnections: number;
    bodyLimitBytes: number;
    shedding: { maxEventLoopDelayMs: number; maxHeapUsedBytes: number; retryAfterSeconds: number };
  };
  auth: { metricsPublic: boolean; perKeyPerMinute: number; failedAuthPerMinute: number; keyRefreshMs: number };
}

/** Fills in what the configuration file leaves out (the defaults README "Configuration" names). */
export function settingsOf(file: HubFile): HubSettings {
  const erp = file.erp ?? {};
  const scaleOut = file.scaleOut ?? {};
  return {
    erp: {
      ...(erp.url ? { url: erp.url } : {}),
      ...(erp.tokenEnv ? { tokenEnv: erp.tokenEnv } : {}),
      timeoutMs: erp.timeoutMs ?? 3000,
      retryBaseMs: erp.retryBaseMs ?? 1000,
      retryMaxMs: erp.retryMaxMs ?? 60_000,
    },
    orders: {
      waitForPreconditionMs: file.orders?.waitForPreconditionMs ?? 3_600_000,
      idempotencyKeyHours: file.orders?.idempotencyKeyHours ?? 24,
    },
    exceptions: {
      defaultOwner: file.exceptions?.defaultOwner ?? 'operations',
      owners: file.exceptions?.owners ?? [],
      erpPendingMs: (file.exceptions?.erpPendingMinutes ?? 5) * 60_000,
      reconcileMs: file.exceptions?.reconcileMs ?? 10_000,
    },
    audit: { retentionMs: (file.audit?.retentionDays ?? 365) * 86_400_000 },
    edi: { retentionMs: (file.edi?.retentionDays ?? 90) * 86_400_000 },
    sla: slaSettings(file.sla ?? {}),
    scaleOut: {
      partitions: scaleOut.partitions ?? 16,
      ackWaitSeconds: scaleOut.ackWaitSeconds ?? 30,
      maxAttempts: scaleOut.maxAttempts ?? 5,
      duplicateWindowMinutes: scaleOut.duplicateWindowMinutes ?? 10,
      batchesInFlight: scaleOut.batchesInFlight ?? 4,
      connections: scaleOut.connections ?? 20,
    },
    ledger: { movementsKept: file.ledger?.movementsKept ?? TAIL_LIMIT },
    webhooks: { maxAgeSeconds: file.webhooks?.maxAgeSeconds ?? 18_000, clockSkewSeconds: file.webhooks?.clockSkewSeconds ?? 300 },
    http: httpSettings(file.http ?? {}),
    auth: {
      metricsPublic: file.auth?.metricsPublic ?? false,
      perKeyPerMinute: file.auth?.perKeyPerMinute ?? 6_000_000,
      failedAuthPerMinute: file.auth?.failedAuthPerMinute ?? 600,
      keyRefreshMs: file.auth?.keyRefreshMs ?? 1000,
    },
  };
}

function httpSettings(http: NonNullable<HubFile['http']>): HubSettings['http'] {
  const requestTimeoutMs = http.requestTimeoutMs ?? 30_000;
  const shedding = http.shedding ?? {};
  return {
    requestTimeoutMs,
    // Node refuses a headers timeout longer than the request timeout.
    headersTimeoutMs: Math.min(http.headersTimeoutMs ?? 10_000, requestTimeoutMs),
    keepAliveTimeoutMs: http.keepAliveTimeoutMs ?? 72_000,
    idleTimeoutMs: http.idleTimeoutMs ?? 120_000,
    maxConnections: http.maxConnections ?? 1000,
    bodyLimitBytes: http.bodyLimitBytes ?? 64 * 1024 * 1024,
    shedding: {
      maxEventLoopDelayMs: shedding.maxEventLoopDelayMs ?? 0,
      maxHeapUsedBytes: shedding.maxHeapUsedBytes ?? Math.floor(getHeapStatistics().heap_size_limit * 0.9),
      retryAfterSeconds: shedding.retryAfterSeconds ?? 10,
    },
  };
}

const NAMESPACE = /^[a-z][a-z0-9_]{0,40}$/;

/** The scale-out settings from the environment (docs/REFERENCE.md "Process"). Throws ConfigError naming the variable. */
export function scaleOutSettings(env: NodeJS.ProcessEnv): ScaleOutSettings {
  const need = (name: string, example: string) => {
    const value = env[name];
    if (!value) throw new ConfigError('environment', undefined, name, `is required when CROSSDOCK_BACKEND=scale-out (for example ${example})`);
    return value;
  };
  const role = (env.CROSSDOCK_ROLE || 'all') as ScaleOutSettings['role'];
  if (role !== 'api' && role !== 'worker' && role !== 'all') {
    throw new ConfigError('environment', undefined, 'CROSSDOCK_ROLE', `must be 'api', 'worker' or 'all', got '${role}'`);
  }
  const namespace = env.CROSSDOCK_NAMESPACE || 'crossdock';
  if (!NAMESPACE.test(namespace)) {
    throw new ConfigError(
      'environment',
      undefined,
      'CROSSDOCK_NAMESPACE',
      `must start with a lower-case letter and hold only lower-case letters, digits and _ (at most 41), got '${namespace}'`,
    );
  }
  return {
    databaseUrl: need('DATABASE_URL', 'postgres://127.0.0.1:5432/crossdock'),
    natsUrl: need('NATS_URL', 'nats://127.0.0.1:4222'),
    role,
    namespace,
  };
}
