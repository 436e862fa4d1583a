/**
 * `crossdock mappings test MAPPING.jsonata --produces order|events FILE...`: runs a mapping over
 * sample documents and prints the canonical result, or what is wrong with it, without a hub.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { JsonataMapping, MappingError } from '../../../wiring/mappings.js';
import { CliUsageError, type Command } from '../command.js';

export const mappingsCommand: Command = {
  name: 'mappings',
  summary: 'Test a JSONata mapping on sample documents and show the canonical result or the errors.',
  usage: 'test MAPPING.jsonata --produces order|events FILE...',
  async run(args) {
    const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { produces: { type: 'string' } } });
    const [verb, mappingFile, ...files] = positionals;
    if (verb !== 'test' || !mappingFile || files.length === 0) throw new CliUsageError('say: mappings test MAPPING.jsonata --produces order|events FILE...');
    const produces = values.produces;
    if (produces !== 'order' && produces !== 'events') throw new CliUsageError('--produces must be order or events');
    let mapping: JsonataMapping;
    try {
      mapping = new JsonataMapping(mappingFile, produces);
    } catch (err) {
      if (err instanceof MappingError) {
        console.error(err.message);
        return 1;
      }
      throw err;
    }
    let failed = 0;
    for (const file of files) {
      let input: unknown;
      try {
        input = JSON.parse(readFileSync(file, 'utf8'));
      } catch (err) {
        console.log(`${file}: cannot be read as JSON: ${(err as Error).message}`);
        failed++;
        continue;
      }
      const result = await mapping.map(input);
      if (result.ok) {
        console.log(`${file}: ok`);
        console.log(JSON.stringify(result.produces === 'order' ? result.order : result.events, null, 2));
      } else {
        failed++;
        console.log(`${file}: the result is not a valid ${produces === 'order' ? 'order' : 'list of events'}:`);
        for (const e of result.errors) console.log(`  ${e.path}: ${e.message}`);
      }
    }
    return failed === 0 ? 0 : 1;
  },
};
