/**
 * Every limit Elava enforces, in one place, units in the names. The relations between
 * them are asserted when this module loads, so a bad edit fails at start, not at 3 a.m.
 */
import assert from 'node:assert/strict';

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;

/** Default size of a log segment file; tests pass smaller ones. */
export const SEGMENT_SIZE_BYTES = 64 * MiB;
/** Smallest segment a caller may configure (header plus a few records). */
export const SEGMENT_SIZE_BYTES_MIN = 4 * KiB;
/** Fixed size of a segment header. */
export const SEGMENT_HEADER_BYTES = 64;
/** Every record frame starts at a multiple of this, so a length word never straddles a sector. */
export const RECORD_ALIGN_BYTES = 8;
/** Largest record body (record header + payload) the log writes or believes on read. */
export const RECORD_SIZE_BYTES_MAX = 4 * MiB;
/** Largest commit; a commit lies wholly within one segment, which grows to fit it. */
export const COMMIT_SIZE_BYTES_MAX = 1 * GiB;
/** Largest number of events in one commit. */
export const COMMIT_EVENTS_MAX = 10_000_000;
/** fdatasync slower than this logs a warning. */
export const FSYNC_WARN_MS = 200;
/** Chunk used to zero-fill a segment ahead of need, off the append path. */
export const PREALLOCATE_CHUNK_BYTES = 1 * MiB;
/** Read window of the streaming reader (grows only to fit one maximal record). */
export const READ_WINDOW_BYTES = 1 * MiB;
/** Read-ahead window of a batch of point reads (history queries reading many records). */
export const BATCH_READ_WINDOW_BYTES = 256 * KiB;
/** The append batch buffer is kept between writes up to this size; larger is given back. */
export const BATCH_BUFFER_BYTES_KEEP = 16 * MiB;
/** Commits waiting for the next group write; appends beyond it are refused. */
export const APPEND_QUEUE_COMMITS_MAX = 100_000;
/**
 * The unit a disk writes whole or not at all (the smallest sector in use). A torn write
 * leaves whole sectors of it never written: zero, since segments are zero-filled ahead.
 */
export const TORN_SECTOR_BYTES = 512;
/**
 * A record that ends in at least this many zero bytes, with zeros after it, was written
 * part-way (a short write); a record's own trailing zeros (padding, a zero last field) are
 * shorter.
 */
export const TORN_TAIL_ZERO_BYTES_MIN = 16;
/** Resynchronisations one survey of damage may make before it stops counting. */
export const DAMAGE_SURVEY_RESYNCS_MAX = 10_000;
/** `.broken` copies of damaged segments kept in a data directory (the newest ones). */
export const BROKEN_COPIES_KEPT = 8;
/** A lock file holds one short JSON line; a larger one is not Elava's. */
export const LOCK_FILE_BYTES_MAX = 4 * KiB;
/** Largest config file read (a bigger one, or /dev/zero, is refused without reading it). */
export const CONFIG_FILE_BYTES_MAX = 1 * MiB;
/**
 * The current state keeps one copy of each short string value of its records (states,
 * accounts, regions, types, tag values): strings up to this many characters are pooled,
 * and the pool is emptied when it reaches its entry cap (unique values such as ids pass
 * through it; repeated ones are pooled again at once).
 */
export const RECORD_STRING_POOL_LENGTH_MAX = 32;
export const RECORD_STRING_POOL_ENTRIES_MAX = 65_536;
/** Histogram of fdatasync latency: first bucket bound, and bucket count (doubling). */
export const FSYNC_BUCKET_FIRST_SECONDS = 0.001;
export const FSYNC_BUCKET_COUNT = 14; // 1 ms .. 8.192 s
/** Largest key an event frame carries (format 2: a u16 length; a longer key is refused at append). */
export const EVENT_KEY_BYTES_MAX = 0xffff;

assert.ok(SEGMENT_HEADER_BYTES % RECORD_ALIGN_BYTES === 0);
assert.ok(RECORD_ALIGN_BYTES >= 4 && TORN_SECTOR_BYTES % RECORD_ALIGN_BYTES === 0);
assert.ok(SEGMENT_SIZE_BYTES_MIN % TORN_SECTOR_BYTES === 0 && BROKEN_COPIES_KEPT >= 1);
assert.ok(SEGMENT_SIZE_BYTES_MIN > SEGMENT_HEADER_BYTES + 2 * RECORD_ALIGN_BYTES);
assert.ok(SEGMENT_SIZE_BYTES >= SEGMENT_SIZE_BYTES_MIN);
assert.ok(RECORD_SIZE_BYTES_MAX < COMMIT_SIZE_BYTES_MAX);
assert.ok(COMMIT_SIZE_BYTES_MAX <= 2 ** 32, 'segment offsets must fit a u32-safe range');
assert.ok(READ_WINDOW_BYTES >= 64 * KiB);
assert.ok(EVENT_KEY_BYTES_MAX <= 0xffff && EVENT_KEY_BYTES_MAX + 64 < RECORD_SIZE_BYTES_MAX, 'a key fits its u16 length and a record');

// ---- mass-disappearance guard (src/changes/mass-guard.ts) ----

/** A complete listing that would tombstone more than this share of its scope is suspect. */
export const GUARD_SHARE_DEFAULT = 0.5;
/** ... but only in a scope that held at least this many resources. */
export const GUARD_RESOURCES_MIN_DEFAULT = 10;
/** Ids one suspect scope-scanned event may withhold (they travel in that one record). */
export const GUARD_WITHHELD_IDS_MAX = 50_000;
/** Longest resource id counted on (GCE and RDS names: 63 characters), plus msgpack framing. */
const GUARD_ID_BYTES_MAX = 63 + 3;

assert.ok(GUARD_SHARE_DEFAULT > 0 && GUARD_SHARE_DEFAULT < 1);
assert.ok(
  GUARD_WITHHELD_IDS_MAX * GUARD_ID_BYTES_MAX < RECORD_SIZE_BYTES_MAX - 64 * KiB,
  'withheld ids fit one record',
);

// ---- key index (src/mvcc/) ----
// One revision entry is three float64 slots: `main`, `packed`, `offsetBytes`, where
// `packed = sub * 2^(MVCC_SEGMENT_ID_BITS + 1) + segmentId * 2 + tombstoneBit`. The product
// must stay below 2^53 to be exact, which bounds `sub` and the segment id together.

/** Bits for the segment id (an index into the shared segment-name table). */
export const MVCC_SEGMENT_ID_BITS = 21;
/** 2,097,152 segment files; at 64 MiB each that is 128 TiB of log. */
export const MVCC_SEGMENT_IDS_MAX = 2 ** MVCC_SEGMENT_ID_BITS;
/** Largest `sub` (events in one commit minus one) the packed encoding can hold. */
export const MVCC_SUB_MAX = 2 ** (53 - MVCC_SEGMENT_ID_BITS - 1) - 1;
/** Largest byte offset of a record inside one segment. */
export const MVCC_OFFSET_BYTES_MAX = Number.MAX_SAFE_INTEGER;
/** Depth bound for canonical encoding of record attributes (no unbounded recursion). */
export const PROJECTION_ATTR_DEPTH_MAX = 32;
/**
 * How deep a record's attribute values nest (a list of attachment maps is two) for change
 * detection: comparing deeper is a bug (src/changes/record-equal.ts), and deeper bytes
 * vouch for nothing (src/model/listing-bytes.ts).
 */
export const ATTR_DEPTH_MAX = 8;

assert.ok(MVCC_SUB_MAX >= 2 ** 31 - 1, 'sub must cover at least 2^31 events per commit');
assert.ok((MVCC_SUB_MAX + 1) * 2 ** (MVCC_SEGMENT_ID_BITS + 1) <= 2 ** 53, 'packed revision exceeds 2^53');
assert.ok(MVCC_SUB_MAX >= COMMIT_EVENTS_MAX, 'a full commit must fit the packed sub');

// ---- checkpoints and compaction (src/checkpoint/, src/store/) ----

/** Default policy: a checkpoint after this many events appended since the last one... */
export const CHECKPOINT_EVERY_EVENTS = 1_000_000;
/** ...or this many log bytes, whichever comes first. */
export const CHECKPOINT_EVERY_BYTES = 256 * MiB;
/** Largest body of a format-1 checkpoint believed on read (a length word past it is corruption). */
export const CHECKPOINT_BODY_BYTES_MAX = 4 * GiB - 1;
/** Largest part of a checkpoint file (format 2) believed on read or written. */
export const CHECKPOINT_PART_BYTES_MAX = 1 * GiB;
/** Most parts one checkpoint file may hold (a count past it is corruption). */
export const CHECKPOINT_PARTS_MAX = 1_000_000;
/**
 * Keys (key index) or records (current state) per checkpoint part: ~1.3 MB each at ten
 * revisions or one ~300-byte record per key, so writing and restoring build, encode and
 * decode about that much at a time, with a turn of the event loop between parts. With
 * 16 384, building and packing one key-index part held a 1 M-resource daemon's loop ~200 ms
 * during every checkpoint.
 */
export const CHECKPOINT_PART_ITEMS = 4096;

/**
 * Keys a restored key index puts in its map of keys per background step after open
 * (TreeIndex.fillKeyMap): a million took ~1.1 s on the 2-core build machine, so a step is
 * ~20 ms of work there (a collection while the map grows made one turn 141 ms at 1 M, in
 * line with the restore's own longest gaps).
 */
export const KEY_MAP_FILL_SLOTS_PER_STEP = 16_384;
/**
 * Records (and live keys) change detection compares between two turns of a daemon's event
 * loop: ~100 ms at the 1 M-resource rates `npm run bench -- scan` measures.
 */
export const DETECT_RECORDS_PER_TURN = 16_384;
/**
 * A listing's records as bytes (src/model/listing-bytes.ts) are written into chunks of
 * this size once a listing outgrows the small first ones; chunks are never grown by
 * copying. Growing one buffer by half each time copied ~3x the bytes, and the discarded
 * buffers (memory outside V8's heap) made V8 collect the whole heap 170 times in one scan
 * benchmark at a million resources.
 */
export const LISTING_BYTES_CHUNK_BYTES = 256 * 1024;
/** Chunks of listings no longer kept are reused by the next scan, up to this many bytes. */
export const LISTING_BYTES_POOL_BYTES = 1024 * 1024 * 1024;
/**
 * The daemon compacts its heap (heap-settle.ts) once this many events, and at least as many
 * as there are live resources, were applied since the last time: replay and cycles leave
 * each superseded record dead in the old generation, spread thin over pages a plain GC
 * keeps (a full replay of 10 M events at 1 M resources: 1.9 GB committed for 0.8 GB live).
 */
export const HEAP_SETTLE_EVENTS_MIN = 500_000;
/** Checkpoints kept after a new one is durable (the newest compaction base is kept too). */
export const CHECKPOINTS_KEPT = 3;
/** Progress of a rebuild or recovery is reported at most this often. */
export const REPLAY_PROGRESS_EVERY_MS = 1000;
/** Events between two progress checks during replay. */
export const REPLAY_PROGRESS_EVERY_EVENTS = 65_536;
/**
 * Replay gives the event loop a turn this often, so a recovering daemon answers /healthz
 * and /readyz: a few ms of replay at the rates `npm run bench -- recovery` measures.
 */
export const REPLAY_YIELD_EVERY_EVENTS = 2_048;
/** Retention: every revision younger than this is kept (default of retention.keepAll). */
export const RETENTION_KEEP_ALL_DAYS_DEFAULT = 30;
/** Day starts one downsampling marker carries at most (a long-stopped daemon catches up in steps). */
export const RETENTION_DAYS_PER_MARKER_MAX = 3_660;
/** Longest retention.horizon accepted (a century): beyond it a typo is likelier than intent. */
export const RETENTION_HORIZON_DAYS_MAX = 36_600;

assert.ok(CHECKPOINTS_KEPT >= 1);
assert.ok(CHECKPOINT_EVERY_BYTES >= SEGMENT_SIZE_BYTES_MIN);
assert.ok(CHECKPOINT_BODY_BYTES_MAX < 2 ** 32, 'checkpoint body length is a u32');
assert.ok(CHECKPOINT_PART_BYTES_MAX < 2 ** 32, 'checkpoint part length is a u32');
assert.ok(CHECKPOINT_PART_ITEMS >= 1);
assert.ok(KEY_MAP_FILL_SLOTS_PER_STEP >= 1);

/** AWS starts a stopped RDS instance (or Aurora cluster) after this many days stopped. */
export const RDS_STOP_MS_MAX = 7 * 86_400_000;
/**
 * A start that follows at least RDS_STOP_MS_MAX stopped, and is stopped again within this,
 * is taken for AWS's forced restart (and the stop that follows for its user's answer): the
 * waste report counts the instance as stopped across it.
 */
export const RDS_FORCED_RESTART_GAP_MS_MAX = 86_400_000;

// ---- queries and the web console (src/query/, src/daemon/http-*.ts, src/console/) ----

/** Resources one page of a paged list answers (`--limit` / `?limit=`) at most. */
export const LIST_PAGE_RESOURCES_MAX = 1000;
/**
 * Records read from the log together (in log order) by a page, a summary or the whole fleet
 * at an older revision, and keys walked per step (steps.ts): a page's first read is its own
 * size, doubling up to this while a selective filter finds too few; the fleet and its counts
 * are read in reads of this size (a summary holds no more decoded records than this). Each
 * read is one step between the daemon's pauses: a few ms (with 4 096, sixteen answers at once
 * kept `/v1/status` p99 at ~0.8 s at 100 k resources; whole-fleet reads were no slower with 512).
 */
export const PAST_RECORDS_READ_BATCH_MAX = 512;
/** Keys of the key index a diff's window walk (diff.ts) looks at per step (steps.ts): ~5 ms at 1 M keys. */
export const WINDOW_KEYS_PER_STEP = 4096;
/**
 * Live records the waste report (waste.ts) looks at per step (steps.ts): its whole-fleet
 * passes held the daemon 3.4 s in one piece at 1 M resources; a step of 4 096 is a few ms.
 */
export const WASTE_RECORDS_PER_STEP = 4096;
/**
 * Times a waste report is begun again, in steps, when a commit lands during one (it reads
 * the newest revision, which a commit moves); the last attempt runs in one piece.
 */
export const WASTE_REPORT_ATTEMPTS_MAX = 3;
/** Long reads of the past (steps.ts) the daemon computes at once for HTTP and the query socket; others wait (heavy-answers.ts). */
export const HEAVY_ANSWERS_AT_ONCE = 2;
/** Owners a summary names one by one; the rest are summed as `others`. */
export const SUMMARY_OWNERS_MAX = 100;
/** Items per kind (appeared, changed, disappeared) a limited diff answers at most. */
export const DIFF_ITEMS_PER_KIND_MAX = 10_000;
/** Items per waste rule a limited waste report answers at most. */
export const WASTE_ITEMS_PER_RULE_MAX = 100_000;
/** Fleet counts at older revisions the daemon keeps answered for the fleet page (a few hundred bytes each). */
export const SUMMARY_CACHE_ENTRIES = 16;
/** Diffs (windows) the daemon keeps answered for the changes page (each holds its records). */
export const DIFF_CACHE_ENTRIES = 4;
/** Cycles the daemon remembers for the health page (durations, outcome). */
export const HEALTH_CYCLES_KEPT = 100;
/** Largest file the console's static server sends (they are a few KiB each). */
export const CONSOLE_FILE_BYTES_MAX = 1 * MiB;

/**
 * Items of a long JSON answer serialised between two turns of the event loop (json-stream.ts):
 * ~256 records take ~1–2 ms, so a request waits at most about that per concurrent stream.
 */
export const JSON_STREAM_ITEMS_PER_PIECE = 256;

assert.ok(LIST_PAGE_RESOURCES_MAX >= 1 && PAST_RECORDS_READ_BATCH_MAX >= 1 && HEAVY_ANSWERS_AT_ONCE >= 1 && WINDOW_KEYS_PER_STEP >= 1 && WASTE_RECORDS_PER_STEP >= 1 && WASTE_REPORT_ATTEMPTS_MAX >= 1 && SUMMARY_OWNERS_MAX >= 1 && HEALTH_CYCLES_KEPT >= 1 && JSON_STREAM_ITEMS_PER_PIECE >= 1);
assert.ok(DIFF_ITEMS_PER_KIND_MAX >= LIST_PAGE_RESOURCES_MAX && SUMMARY_CACHE_ENTRIES >= 1);

// ---- queries through the daemon's Unix socket (src/query/socket-protocol.ts, src/daemon/query-socket.ts) ----

/**
 * Longest Unix socket path bind() and connect() take: sun_path is 108 bytes on Linux, 104
 * on macOS and the BSDs, less the terminating NUL. A data directory whose socket path is
 * longer has no socket: queries open the directory read-only instead.
 */
export const UNIX_SOCKET_PATH_BYTES_MAX = process.platform === 'linux' ? 107 : 103;
/** Largest request line a client may send (a command line, JSON-encoded). */
export const QUERY_REQUEST_BYTES_MAX = 64 * KiB;
/** Arguments one request may carry. */
export const QUERY_REQUEST_ARGS_MAX = 256;
/** How long the daemon waits for a connected client's request line before hanging up. */
export const QUERY_REQUEST_WAIT_MS = 5_000;
/**
 * How long a client may take no bytes of a long answer (HTTP, the query socket) before the
 * daemon drops the connection. The answer holds its records until it is written: four
 * clients that asked for the fleet at an older revision of 100 k resources and never read
 * held ~380 MiB for as long as they stayed connected (a million resources: ~1 GiB each).
 */
export const ANSWER_STALL_MS_MAX = 30_000;
/**
 * How long the CLI waits for the daemon to accept its request (the `accepted` frame, sent
 * before any work) before it opens the directory read-only itself.
 */
export const QUERY_ACCEPT_WAIT_MS = 10_000;
/** Socket connections the daemon serves at once; more are closed at once (the CLI then opens the directory itself). */
export const QUERY_CONNECTIONS_MAX = 8;
/** Text one `out`/`err` frame carries at most: longer writes are split at line ends. */
export const QUERY_FRAME_TEXT_CHARS_MAX = 1 * MiB;
/** Largest frame the CLI believes; only a single line longer than the frame text (one huge record) comes near it. */
export const QUERY_FRAME_BYTES_MAX = 64 * MiB;
/** At a clean stop, answers in flight get this long to finish before their connections are cut. */
export const QUERY_CLOSE_GRACE_MS = 2_000;

assert.ok(UNIX_SOCKET_PATH_BYTES_MAX >= 100);
assert.ok(QUERY_REQUEST_ARGS_MAX >= 16 && QUERY_REQUEST_BYTES_MAX >= 4 * KiB);
assert.ok(QUERY_CONNECTIONS_MAX >= 1 && QUERY_CLOSE_GRACE_MS >= 0);
// JSON escaping at most sextuples text (\u0000), and a frame must hold a whole one.
assert.ok(QUERY_FRAME_BYTES_MAX >= 6 * QUERY_FRAME_TEXT_CHARS_MAX + 64);

// ---- fan-in through NATS JetStream (src/fanin/) ----

/** Publishes of one forwarder awaiting the server's acknowledgement, at most. */
export const FORWARD_IN_FLIGHT_MAX = 4096;
/** The oldest unacknowledged publish may wait this long; then the session starts again. */
export const FORWARD_ACK_TIMEOUT_MS = 10_000;
/**
 * A stop that looks like damage in the forwarder's live log is believed after this long (a
 * commit the writer is writing that moment can look like it; a real one stays).
 */
export const FORWARD_DAMAGE_PATIENCE_MS = 5_000;
/** Scopes whose subject the forwarder remembers (a subject is built once per scope). */
export const FORWARD_SUBJECTS_CACHED_MAX = 4096;
/** Events read from the local log per pass (a pass ends at a commit boundary past this). */
export const FORWARD_READ_EVENTS_MAX = 65_536;
/** How often a caught-up forwarder looks at the log for new commits. */
export const FORWARD_POLL_MS = 100;
/** Wait before reconnecting after a failure: doubles from the first to the last. */
export const FANIN_BACKOFF_MS_MIN = 100;
export const FANIN_BACKOFF_MS_MAX = 10_000;
/** The stream's dedupe window (Nats-Msg-Id), when the forwarder creates the stream. */
export const FANIN_DUPLICATE_WINDOW_MS = 10 * 60_000;
/** Messages one pull of the aggregator asks for. */
export const AGGREGATE_FETCH_MESSAGES = 4096;
/**
 * Messages the aggregator may hold unacknowledged (the consumer's max_ack_pending): a
 * source commit is acknowledged only once it is durable here, so this is also the largest
 * source commit (in events) an aggregator can take.
 */
export const AGGREGATE_ACK_PENDING_MAX = 1_000_000;
/** How long JetStream waits for an acknowledgement before it redelivers. */
export const AGGREGATE_ACK_WAIT_MS = 30_000;

assert.ok(FANIN_BACKOFF_MS_MIN <= FANIN_BACKOFF_MS_MAX);
assert.ok(AGGREGATE_FETCH_MESSAGES <= AGGREGATE_ACK_PENDING_MAX);
assert.ok(FORWARD_IN_FLIGHT_MAX <= AGGREGATE_ACK_PENDING_MAX);
