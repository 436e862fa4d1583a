/** `crossdock start`: runs the hub until SIGINT/SIGTERM, then shuts down cleanly. */
import { loadHubConfig } from '../../../config/hub-config.js';
import { startHub } from '../../../main.js';
import { startScaleOutHub } from '../../../wiring/scale-out-hub.js';
import type { Command } from '../command.js';

export const startCommand: Command = {
  name: 'start',
  summary: 'Run the hub (configuration from the environment; see README).',
  usage: '',
  async run() {
    const config = loadHubConfig();
    const options = { config, announce: (line: string) => console.error(line) };
    const hub = config.backend === 'scale-out' ? await startScaleOutHub(options) : await startHub(options);
    await new Promise<void>((resolve) => {
      const stop = () => { process.off('SIGINT', stop); process.off('SIGTERM', stop); resolve(); };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    await hub.close();
    return 0;
  },
};
