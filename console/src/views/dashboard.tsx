/** Live figures from the hub's event stream: throughput and lag as charts, queues and exceptions as tables. */
import { useEffect, useRef, useState } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { openStream } from '../stream';
import { Empty, Notice, Section, when } from '../ui';

interface Destination {
  destination: string;
  circuit: string;
  backlog: number;
  lagSeconds: number;
  deadLetters: number;
  lastSuccessAt: string | null;
  rateLimitUse: number | null;
}
interface Sample {
  at: string;
  position: number;
  eventsPerSecond: number;
  ordersPerSecond: number;
  destinations: Destination[];
  openExceptionsByOwner?: Record<string, number>;
}

/** Samples kept for the charts: two minutes at one a second. */
const KEEP = 120;
const COLOURS = ['#1f6feb', '#b35900', '#1a7f37', '#8250df', '#bf3989', '#0a7f8c', '#6e7781'];

export function Dashboard() {
  const [samples, setSamples] = useState<Sample[]>([]);
  const [state, setState] = useState<{ live: boolean; message?: string | undefined }>({ live: false });
  useEffect(
    () =>
      openStream('/v1/console/stream', {
        onSample: (s) => setSamples((prev) => [...prev.slice(-(KEEP - 1)), s as Sample]),
        onState: (st, message) => setState({ live: st === 'live', message }),
      }),
    [],
  );
  const last = samples.at(-1);
  const times = samples.map((s) => Date.parse(s.at) / 1000);
  const destinations = last?.destinations ?? [];
  const owners = Object.entries(last?.openExceptionsByOwner ?? {});
  return (
    <div class="dashboard">
      <p class="live" aria-live="polite">
        {state.live ? 'Live: updated every second.' : (state.message ?? 'Connecting to the hub…')}
      </p>
      <dl class="figures">
        <div>
          <dt>Events in per second</dt>
          <dd data-figure="events-per-second">{last ? last.eventsPerSecond : '—'}</dd>
        </div>
        <div>
          <dt>Orders per second</dt>
          <dd data-figure="orders-per-second">{last ? last.ordersPerSecond : '—'}</dd>
        </div>
        <div>
          <dt>Event log position</dt>
          <dd data-figure="position">{last ? last.position : '—'}</dd>
        </div>
        <div>
          <dt>Open exceptions</dt>
          <dd data-figure="open-exceptions">{last?.openExceptionsByOwner ? owners.reduce((n, [, c]) => n + c, 0) : '—'}</dd>
        </div>
      </dl>
      <div class="charts">
        <Chart
          title="Events and orders per second"
          times={times}
          series={[
            { label: 'events/s', values: samples.map((s) => s.eventsPerSecond) },
            { label: 'orders/s', values: samples.map((s) => s.ordersPerSecond) },
          ]}
        />
        <Chart
          title="Sync lag per destination (seconds)"
          times={times}
          series={destinations.map((d) => ({
            label: d.destination,
            values: samples.map((s) => s.destinations.find((x) => x.destination === d.destination)?.lagSeconds ?? null),
          }))}
        />
      </div>
      <Section title="Queues by destination">
        {destinations.length === 0 ? (
          <Empty>No destinations yet. Configure systems in the hub's configuration file; they appear here once the hub delivers to them.</Empty>
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">Destination</th>
                <th scope="col">Circuit</th>
                <th scope="col">Waiting</th>
                <th scope="col">Lag (s)</th>
                <th scope="col">Dead letters</th>
                <th scope="col">Rate limit in use</th>
                <th scope="col">Last success</th>
              </tr>
            </thead>
            <tbody>
              {destinations.map((d) => (
                <tr key={d.destination}>
                  <th scope="row">{d.destination}</th>
                  <td class={`circuit ${d.circuit}`}>{d.circuit.replace('_', ' ')}</td>
                  <td>{d.backlog}</td>
                  <td>{d.lagSeconds}</td>
                  <td>{d.deadLetters}</td>
                  <td>{d.rateLimitUse === null ? 'no limit' : `${Math.round(d.rateLimitUse * 100)}%`}</td>
                  <td>{when(d.lastSuccessAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Section>
      <Section title="Open exceptions by owner">
        {!last?.openExceptionsByOwner ? (
          <Notice text="The exception queue is not served by this hub process." />
        ) : owners.length === 0 ? (
          <Empty>No open exceptions: nothing is stuck.</Empty>
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">Owner</th>
                <th scope="col">Open</th>
              </tr>
            </thead>
            <tbody>
              {owners.map(([owner, n]) => (
                <tr key={owner}>
                  <th scope="row">
                    <a href={`#/exceptions?owner=${encodeURIComponent(owner)}&status=open`}>{owner}</a>
                  </th>
                  <td>{n}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Section>
    </div>
  );
}

function Chart({ title, times, series }: { title: string; times: number[]; series: { label: string; values: (number | null)[] }[] }) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const labels = series.map((s) => s.label).join('|');
  useEffect(() => {
    if (!box.current) return;
    const width = Math.max(280, box.current.clientWidth);
    plot.current = new uPlot(
      {
        width,
        height: 200,
        series: [{}, ...series.map((s, i) => ({ label: s.label, stroke: COLOURS[i % COLOURS.length], width: 2 }))],
        axes: [{}, { size: 50 }],
        scales: { y: { range: (_u, _min, max) => [0, Math.max(1, max * 1.1)] } },
      },
      [times, ...series.map((s) => s.values)],
      box.current,
    );
    const resize = () => box.current && plot.current?.setSize({ width: Math.max(280, box.current.clientWidth), height: 200 });
    addEventListener('resize', resize);
    return () => {
      removeEventListener('resize', resize);
      plot.current?.destroy();
      plot.current = null;
    };
    // Rebuilt when the set of series changes; data alone goes through setData.
  }, [labels]);
  useEffect(() => {
    plot.current?.setData([times, ...series.map((s) => s.values)] as uPlot.AlignedData);
  });
  const latest = series.map((s) => `${s.label} ${s.values.at(-1) ?? '—'}`).join(', ');
  return (
    <figure class="chart">
      <figcaption>{title}</figcaption>
      <div ref={box} role="img" aria-label={`${title}: latest ${latest || 'no data yet'}`} />
    </figure>
  );
}
