/**
 * The query layer's functions, in one place for the command line and the HTTP API. Each is
 * a pure function of a QueryState (plus reads of the log) and returns plain JSON-able data.
 * Revisions passed in must be readable (see point.ts: resolvePoint / checkRevision).
 */
export { listResources, getResource, type ListFilter, type ResourceAtPoint } from './resources.js';
export { resourceHistory, fieldTimeline, type HistoryEntry, type FieldHistoryEntry, type HistoryKind } from './history.js';
export { fleetAt } from './fleet.js';
export { diffWindow, disappearedBetween, type DiffWindow, type RevisionDiff, type ChangedResource, type Disappearance } from './diff.js';
export { wasteReport, type WasteOptions, type WasteReport, type UnattachedVolume, type StoppedResource, type UnownedResource } from './waste.js';
export { pageResources, summarizeResources, parseLimit, type PageRequest, type ResourcePage, type FleetSummary } from './page.js';
export { diffRevisions, filterDiff, parseDiffLimit, type FilteredDiff, type DiffTotals } from './diff-filter.js';
export { wasteCounts, cutWaste, parseWasteLimit, type WasteCounts } from './waste-cut.js';
