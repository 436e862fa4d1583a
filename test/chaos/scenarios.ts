/** The chaos scenarios, in the order `npm run chaos` runs them; two also run on the scale-out backend. */
import { duplicatesReorderedScenario } from './duplicates-reordered.js';
import { killRestartScenario } from './kill-restart.js';
import { scarceItemsScenario } from './scarce-items.js';
import { simulatorOutagesScenario } from './simulator-outages.js';
import { slowClientFloodScenario } from './slow-client-flood.js';
import type { BackendName, ScenarioReport } from './support.js';

export interface Scenario {
  key: string;
  backend: BackendName;
  run(o: { scale: number; seed: number }): Promise<ScenarioReport>;
}

export const SCENARIOS: Scenario[] = [
  { key: 'kill-restart', backend: 'embedded', run: killRestartScenario },
  { key: 'duplicates-reordered', backend: 'embedded', run: duplicatesReorderedScenario },
  { key: 'simulator-outages', backend: 'embedded', run: simulatorOutagesScenario },
  { key: 'scarce-items', backend: 'embedded', run: scarceItemsScenario },
  { key: 'slow-client-flood', backend: 'embedded', run: slowClientFloodScenario },
  { key: 'kill-restart-scale-out', backend: 'scale-out', run: (o) => killRestartScenario({ ...o, backend: 'scale-out' }) },
  { key: 'scarce-items-scale-out', backend: 'scale-out', run: (o) => scarceItemsScenario({ ...o, backend: 'scale-out' }) },
];
