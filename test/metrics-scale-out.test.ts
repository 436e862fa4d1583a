import { metricsBehaviour } from './behaviour/metrics.behaviour.js';
import { scaleOut } from './support/backends.js';

await metricsBehaviour(scaleOut);
