/**
 * The daemon's answers to query commands asked through its socket (query-socket.ts): the
 * CLI's own runQueryCommand over the daemon's live projections (queryStateFrom), so the
 * bytes are those `elava COMMAND --no-daemon` prints from the log. The live state is the
 * daemon's: it is never closed by an answer, only here when the socket closes. Long reads of
 * the past pause between their steps (steps.ts), so the daemon serves others meanwhile, and
 * take their turn among the daemon's long reads (`takeTurn`: the HTTP answers' limit,
 * heavy-answers.ts), so socket and HTTP clients together compute at most that many at once.
 */
import { runQueryCommand, type QueryIo } from '../query/commands.js';
import type { Projection } from '../projection/projection.js';
import { closeQueryState, keptStates, queryStateFrom, type QueryState } from '../query/query-state.js';
import type { QueryRequest } from '../query/socket-protocol.js';
import type { StructureTable } from '../wal/codec.js';

export class SocketAnswers {
  private state: QueryState | null = null;

  constructor(
    private readonly dir: string,
    private readonly projections: () => readonly Projection[],
    private readonly structures: () => StructureTable,
    private readonly takeTurn?: <T>(compute: () => Promise<T>) => Promise<T>,
  ) {}

  answer(request: QueryRequest, io: QueryIo): Promise<number> {
    this.state ??= queryStateFrom(this.dir, this.projections(), this.structures);
    return runQueryCommand(request.command, request.argv, io, {
      states: keptStates(this.state), cwd: request.cwd, pauses: true, ...(this.takeTurn === undefined ? {} : { takeTurn: this.takeTurn }),
    });
  }

  close(): void {
    if (this.state !== null) closeQueryState(this.state);
    this.state = null;
  }
}
