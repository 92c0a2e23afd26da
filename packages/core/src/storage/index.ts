// The storage contract (what every storage adapter implements) and the in-memory storage.
export type {
  AddUsageOptions,
  AddUsageResult,
  BeginSendResult,
  CancelResult,
  ClaimDueOptions,
  ClaimedSend,
  JournalEntry,
  JournalEntryInput,
  JournalEvent,
  LeaseRef,
  ProviderStatus,
  ProviderStatusResult,
  ProviderStatusUpdate,
  ReadJournalOptions,
  ReleaseResult,
  RescheduleOptions,
  SendFilter,
  SendLease,
  SendOutcome,
  SendRecord,
  SendStatus,
  SmsOptOut,
  Storage,
  StorageCapabilities,
  UpsertResult,
  UsageCounters,
} from "./contract.js";
export { SEND_STATUSES } from "./contract.js";
export type {
  MemoryStorage,
  MemoryStorageInspector,
  MemoryStorageOptions,
  MemoryStorageStats,
  MemoryStoredSend,
} from "./memoryStorage.js";
export { createMemoryStorage } from "./memoryStorage.js";
