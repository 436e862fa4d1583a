/** The chaos scenarios by key, in the order `npm run chaos` runs them. */
import { killRestartScenario } from './kill-restart.js';
import { scarceItemsScenario } from './scarce-items.js';
import { duplicatesReorderedScenario } from './duplicates-reordered.js';
import { slowClientFloodScenario } from './slow-client-flood.js';
import { simulatorOutagesScenario } from './simulator-outages.js';
import type { ScenarioReport } from './support.js';

export const SCENARIOS: Record<string, (o: { scale: number; seed: number }) => Promise<ScenarioReport>> = {
  'kill-restart': killRestartScenario,
  'duplicates-reordered': duplicatesReorderedScenario,
  'simulator-outages': simulatorOutagesScenario,
  'scarce-items': scarceItemsScenario,
  'slow-client-flood': slowClientFloodScenario,
};
