/**
 * The query socket's Prometheus counters, on the daemon's registry, read at scrape time
 * from the socket's own tallies (query-socket.ts): answers by command, refused requests,
 * answers whose client left before their end.
 */
import { Counter, type Registry } from 'prom-client';
import type { QuerySocketStats } from './query-socket.js';

export function registerQuerySocketMetrics(registry: Registry, stats: () => QuerySocketStats | null): void {
  const registers = [registry];
  new Counter({
    name: 'elava_query_socket_answers_total',
    help: 'query commands (elava list, get, ...) answered through the daemon\'s socket, by command',
    labelNames: ['command'],
    registers,
    collect() {
      this.reset();
      for (const [command, n] of stats()?.answered ?? new Map<string, number>()) this.inc({ command }, n);
    },
  });
  new Counter({
    name: 'elava_query_socket_refused_total',
    help: 'requests on the query socket refused (another elava version, a malformed request); their CLIs open the directory themselves',
    registers,
    collect() {
      this.reset();
      this.inc(stats()?.refused ?? 0);
    },
  });
  new Counter({
    name: 'elava_query_socket_abandoned_total',
    help: 'answers on the query socket whose client left before their end',
    registers,
    collect() {
      this.reset();
      this.inc(stats()?.abandoned ?? 0);
    },
  });
}
