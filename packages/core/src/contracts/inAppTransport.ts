import { ErrorCode, RappelError, TransportError } from "../errors/errors.js";
import type { Storage } from "../storage/contract.js";
import { type Clock, systemClock } from "./clock.js";
import type { InAppMessage, SendResult, Transport } from "./transport.js";

/**
 * Options of {@link createInAppTransport}.
 *
 * @example
 * ```ts
 * const o: InAppTransportOptions = { storage: createMemoryStorage(), clock: createManualClock(new Date()) };
 * ```
 */
export interface InAppTransportOptions {
  /** A storage implementing the optional inbox methods (`appendInbox`, `readInbox`). */
  storage: Storage;
  /**
   * Where delivery instants come from. @default the system clock — the one place Rappel reads the time itself;
   * the engine passes its own clock.
   */
  clock?: Clock;
  /** Provider name recorded in journals. @default "inbox" */
  name?: string;
}

/**
 * The in-app message transport (R-44, channel `message`): delivers into the storage's inbox, where the host's
 * UI reads it (`storage.readInbox(structureId, recipientId)`). Idempotent by the message's `idempotencyKey`, so
 * it declares `capabilities.idempotencyKey` and the engine may retry an unknown outcome safely. Throws a
 * `RappelError` (`adapter-incomplete`) at creation when the storage has no inbox.
 *
 * @example
 * ```ts
 * const storage = createMemoryStorage();
 * const inbox = createInAppTransport({ storage, clock });
 * await inbox.send({ channel: "message", idempotencyKey: "k1", structureId: "s1", accountId: "a1", to: "a1",
 *   subject: "Nouveau rendez-vous", text: "Mme Durand, mardi 9 juin à 12h00" });
 * //=> { providerMessageId: "inbox-1", provider: "inbox", status: "delivered" }
 * (await storage.readInbox!("s1", "a1")).length //=> 1
 * ```
 */
export function createInAppTransport(options: InAppTransportOptions): Transport<InAppMessage> {
  const { storage } = options;
  const missing = (["appendInbox", "readInbox"] as const).filter((m) => typeof storage?.[m] !== "function");
  if (missing.length > 0) {
    throw new RappelError(ErrorCode.ADAPTER_INCOMPLETE, "This storage has no in-app inbox", {
      details: { missing },
    });
  }
  const clock = options.clock ?? systemClock;
  const name = options.name ?? "inbox";
  return {
    name,
    channel: "message",
    capabilities: { idempotencyKey: true },
    async send(message: InAppMessage): Promise<SendResult> {
      if (message?.channel !== "message") {
        throw new TransportError("The in-app transport only delivers the message channel", {
          failure: "permanent",
          command: "appendInbox",
        });
      }
      try {
        const stored = await storage.appendInbox!(message.structureId, {
          idempotencyKey: message.idempotencyKey,
          recipientId: message.to,
          accountId: message.accountId,
          subject: message.subject,
          text: message.text,
          at: clock.now(),
        });
        return { providerMessageId: `${name}-${stored.id}`, provider: name, status: "delivered" };
      } catch (cause) {
        // Malformed input will fail the same way again; anything else (a storage hiccup) is worth retrying,
        // and retrying is safe because the inbox is idempotent by key.
        const permanent = cause instanceof RappelError && cause.code === ErrorCode.INVALID_INPUT;
        throw new TransportError("The inbox did not store the message", {
          failure: permanent ? "permanent" : "transient",
          command: "appendInbox",
          cause,
        });
      }
    },
  };
}
