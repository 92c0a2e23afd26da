/**
 * `@rappel/adapter-tests`: the conformance suites every Rappel storage adapter runs, with vitest.
 *
 * @packageDocumentation
 */

export type {
  Awaitable,
  PersistedJournalEntry,
  PersistedSend,
  StorageConformanceOptions,
  StorageConformanceTest,
  StorageInspector,
} from "./storageConformance.js";
export { runStorageConformance, STORAGE_CONFORMANCE_TESTS } from "./storageConformance.js";
