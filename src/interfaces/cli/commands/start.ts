/** `crossdock start`: runs the hub until SIGINT/SIGTERM, then shuts down cleanly. */
import { loadHubConfig, type HubConfig } from '../../../config/hub-config.js';
import { startHub } from '../../../main.js';
import { startScaleOutHub } from '../../../wiring/scale-out-hub.js';
import type { HubExtension } from '../../../wiring/hub-extension.js';
import type { Command } from '../command.js';

/** Builds what a caller outside src/ adds to the hub (bin/crossdock.js: the demo network). */
export type ExtensionsFor = (config: HubConfig, announce: (line: string) => void) => HubExtension[];

export function startCommand(extensionsFor: ExtensionsFor = () => []): Command {
  return {
    name: 'start',
    summary: 'Run the hub (configuration from the environment; see README).',
    usage: '',
    async run() {
      const config = loadHubConfig();
      const announce = (line: string) => console.error(line);
      const options = { config, announce, extensions: extensionsFor(config, announce), guardProcess: true };
      const hub = config.backend === 'scale-out' ? await startScaleOutHub(options) : await startHub(options);
      await new Promise<void>((resolve) => {
        const stop = () => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          resolve();
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
      announce('Stopping: finishing the work in hand (press Ctrl-C again to stop at once)');
      process.once('SIGINT', () => process.exit(130));
      await hub.close();
      return 0;
    },
  };
}
