import { metricsBehaviour } from './behaviour/metrics.behaviour.js';
import { embedded } from './support/backends.js';

await metricsBehaviour(embedded);
