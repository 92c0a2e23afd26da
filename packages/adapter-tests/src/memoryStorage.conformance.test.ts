// The memory storage of @rappel/core runs the shared conformance suite here rather than in core: core depending on
// this package (even as a dev dependency) would make a workspace cycle core → adapter-tests → core, which breaks
// the topological order of `pnpm -r build` in a fresh clone.
import { createMemoryStorage, type MemoryStorage } from "@rappel/core";
import { runStorageConformance, type StorageInspector } from "./index.js";

function memoryInspector(storage: MemoryStorage): StorageInspector {
  const raw = storage.inspect();
  return {
    send(structureId, key) {
      const s = raw.send(structureId, key);
      if (s === null) return null;
      return {
        structureId: s.structureId,
        key: s.key,
        status: s.status,
        attempts: s.attempts,
        sendAt: new Date(s.sendAt),
        nextAttemptAt: new Date(s.nextAttemptAt),
        leaseOwner: s.leaseOwner,
        leaseToken: s.leaseOwner === null ? null : s.leaseToken,
        leaseExpiresAt: s.leaseExpiresAt === null ? null : new Date(s.leaseExpiresAt),
        cancelRequested: s.cancelRequested,
        handedOff: s.handedOffAt !== null,
        providerMessageId: s.providerMessageId,
        providerStatus: s.providerStatus,
        recipientAddress: s.recipientAddress,
        data: JSON.parse(s.dataJson),
      };
    },
    sendCount: (structureId) => raw.sendCount(structureId),
    journal: (structureId, contactId) =>
      raw.journal(structureId, contactId).map((e) => ({ seq: e.seq, event: e.event, key: e.key })),
    usage: (structureId, accountId, month) => raw.usage(structureId, accountId, month),
    smsOptOut: (structureId, e164) => raw.smsOptOut(structureId, e164)?.optedOut ?? null,
  };
}

runStorageConformance<MemoryStorage>({
  name: "memory storage conformance",
  createStorage: () => createMemoryStorage(),
  inspect: memoryInspector,
});
