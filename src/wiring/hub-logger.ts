/**
 * The hub's logger: JSON lines on stdout, with people's private data (names, emails, phones,
 * addresses, tax ids) censored by pino's redaction. Partners' documents and storefront orders
 * carry these fields; an error logged with its payload must not copy them into log storage that
 * outlives the data itself.
 *
 * The paths are anchored: a private field at the top of a logged object, or inside the objects
 * the hub logs documents and people under (customer, payload, body, record, document, order,
 * request, err, fields, ...), directly or one object further down. Leading wildcards (`*.email`)
 * would reach further but cost ~35-80 µs on every log line, more than a refused request itself;
 * anchored paths cost nothing on lines that carry none of those objects.
 */
import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import { correlationScope } from '../interfaces/http/correlation-id.js';

const PRIVATE_FIELDS = [
  'name',
  'first_name',
  'last_name',
  'firstName',
  'lastName',
  'contact',
  'email',
  'phone',
  'fax',
  'address',
  'address1',
  'address2',
  'street',
  'zip',
  'postalCode',
  'postal_code',
  'shipTo',
  'billTo',
  'shipping_address',
  'billing_address',
  'default_address',
  'taxId',
  'tax_id',
  'vatNumber',
];

export const CENSORED = '[private]';

/** The objects the hub logs documents, orders and people under. */
const CONTAINERS = ['customer', 'customers', 'payload', 'body', 'record', 'document', 'order', 'request', 'err', 'error', 'fields', 'parked', 'exception'];

/** Every private field at the top of a logged object, in a container, or one object below it. */
export const PRIVATE_PATHS = [...PRIVATE_FIELDS, ...CONTAINERS.flatMap((c) => PRIVATE_FIELDS.flatMap((f) => [`${c}.${f}`, `${c}.*.${f}`]))];

export function hubLogger(option: false | LoggerOptions | undefined, destination?: DestinationStream): Logger {
  if (option === false) return pino({ enabled: false });
  const options: LoggerOptions = {
    level: process.env.CROSSDOCK_LOG_LEVEL || 'info',
    ...option,
    redact: { paths: PRIVATE_PATHS, censor: CENSORED },
    // A line written while a request is served carries its correlation id (a line's own field wins).
    mixin: () => {
      const correlationId = correlationScope.getStore();
      return correlationId === undefined ? {} : { correlationId };
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
