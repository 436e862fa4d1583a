/**
 * The hub's logger: JSON lines on stdout, with people's private data (names, emails, phones,
 * addresses, tax ids) censored by pino's redaction wherever such a field sits in a logged object,
 * up to four levels deep. Partners' documents and storefront orders carry these fields; an error
 * logged with its payload must not copy them into log storage that outlives the data itself.
 */
import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';

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

/** Every private field at the top of a logged object or up to three objects below it. */
export const PRIVATE_PATHS = PRIVATE_FIELDS.flatMap((f) => [f, `*.${f}`, `*.*.${f}`, `*.*.*.${f}`]);

export function hubLogger(option: false | LoggerOptions | undefined, destination?: DestinationStream): Logger {
  if (option === false) return pino({ enabled: false });
  const options: LoggerOptions = { level: process.env.CROSSDOCK_LOG_LEVEL || 'info', ...option, redact: { paths: PRIVATE_PATHS, censor: CENSORED } };
  return destination ? pino(options, destination) : pino(options);
}
