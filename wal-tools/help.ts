/** The --help text: usage, options and the exit codes scripts may rely on. */
export const HELP_TEXT = `usage: wal-dump [options] DIR | SEGMENT...

Shows the records of an Elava write-ahead log, one line each: revision (main.sub),
segment:offset (sequence number and byte offset of the frame), body length, kind, key and
a short summary (the diff for 'changed'). Segment headers and commit records are shown as
such. Read-only: takes no lock and is safe while the daemon writes; a record still being
written at the end of the newest segment is not corruption.

Modes (default: dump):
  --verify            check everything: headers, the CRC chain (within and across
                      segments), sequence contiguity, increasing revisions, whole
                      commits; report every problem with file and byte offset
  --stats             counts and bytes per record kind and per segment, commits,
                      revision and time ranges (of the records the filters select)
  --follow            after the end, wait for new records (polls every 200 ms) and follow
                      roll-over into new segments; stop with Ctrl-C
  --json              NDJSON: one object per record with its location and decoded payload
                      (with --stats or --verify: one JSON object)
  --raw               go on past damage: resynchronise at the next verifiable frame (a pair
                      of frames whose CRCs chain) and hex-dump the skipped bytes (at most
                      512 per gap)

Filters (dump, --stats, --follow):
  --from N, --to N    revision main range, inclusive
  --since T, --until T
                      commit time range, inclusive; T is ms since the epoch or ISO 8601
  --kind K[,K...]     appeared changed disappeared scope-scanned checkpoint
                      compaction-scheduled compaction-finished commit header
                      structures (the records carrying msgpack key tables)
  --key K             a key, or everything below it by whole components
                      (aws/123456789012/us-east-1); a trailing * matches any prefix
  --type T            resource type, e.g. ec2.volume (the key's fourth component)
  --limit N           show at most N records

Exit codes:
  0  clean; or a torn tail at the end of the newest segment, with a warning on stderr
     (normal after a crash: the daemon cuts it when it next opens the log)
  1  anything else: missing or unreadable directory, no segment files, an I/O error
  2  usage error
  3  corruption anywhere else: a damaged sealed segment, a missing, swapped or replaced
     segment, a bad header, or damage in the newest segment followed by valid records
     (which the daemon's next open would cut off)
Dumps stop at the first damage (unless --raw) and exit with the same codes.
`;
