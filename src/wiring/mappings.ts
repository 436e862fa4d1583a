/**
 * The REST connector's JSONata mappings as the CLI tries them (`crossdock mappings test`): the
 * same compiled mapping a configured system uses, with no hub running.
 */
export { JsonataMapping, MappingError } from '../connectors/rest-webhook/jsonata-mapping.js';
