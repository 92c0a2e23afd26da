import { TransportError } from "../errors/errors.js";
import type { Channel, OutboundMessage, SendResult, Transport } from "./transport.js";

/**
 * Options of {@link createMemoryTransport}.
 *
 * @example
 * ```ts
 * const opts: MemoryTransportOptions = { channel: "sms", name: "memory-sms" };
 * ```
 */
export interface MemoryTransportOptions<C extends Channel = Channel> {
  /** Channel served. @default "email" */
  channel?: C;
  /** Provider name recorded in journals. @default "memory" */
  name?: string;
  /**
   * Decides, per call, whether to fail instead of recording: return a `TransportError` (or any error) to reject
   * with it, or `undefined` to accept. `attempt` counts calls with the same idempotency key, from 1.
   */
  fail?: (message: Extract<OutboundMessage, { channel: C }>, attempt: number) => Error | undefined;
}

/**
 * One message recorded by a memory transport.
 *
 * @example
 * ```ts
 * const [first] = transport.sent; first.providerMessageId //=> "memory-1"
 * ```
 */
export interface RecordedMessage<M extends OutboundMessage = OutboundMessage> {
  /** The message as handed to `send` (a structured clone). */
  message: M;
  /** The id returned. */
  providerMessageId: string;
}

/**
 * A record-only transport: a {@link Transport} that keeps what it is given.
 *
 * @example
 * ```ts
 * const t = createMemoryTransport({ channel: "sms" });
 * await t.send(sms); t.sent.length //=> 1
 * ```
 */
export interface MemoryTransport<M extends OutboundMessage = OutboundMessage> extends Transport<M> {
  /** Messages accepted, in order. */
  readonly sent: readonly RecordedMessage<M>[];
  /** Number of `send` calls per idempotency key, failed ones included. */
  readonly attempts: ReadonlyMap<string, number>;
  /** Forgets everything recorded. */
  clear(): void;
  /** Whether `close()` was called. */
  readonly closed: boolean;
}

/**
 * Creates a record-only transport for tests, examples and demos. It accepts every message (unless `fail` says
 * otherwise), returns `memory-1`, `memory-2`… as provider ids, and rejects sends after `close()` with a
 * permanent `TransportError`.
 *
 * @example
 * ```ts
 * const email = createMemoryTransport({ channel: "email" });
 * const result = await email.send(message);
 * result.providerMessageId //=> "memory-1"
 * email.sent[0].message.subject //=> "Rappel de rendez-vous"
 * ```
 */
export function createMemoryTransport<C extends Channel = "email">(
  options: MemoryTransportOptions<C> = {},
): MemoryTransport<Extract<OutboundMessage, { channel: C }>> {
  type M = Extract<OutboundMessage, { channel: C }>;
  const channel = (options.channel ?? "email") as C;
  const name = options.name ?? "memory";
  const sent: RecordedMessage<M>[] = [];
  const attempts = new Map<string, number>();
  let counter = 0;
  let closed = false;
  const transport = {
    name,
    channel,
    get sent() {
      return sent;
    },
    get attempts() {
      return attempts;
    },
    get closed() {
      return closed;
    },
    async send(message: M): Promise<SendResult> {
      if (closed) throw new TransportError("Transport is closed", { failure: "permanent", command: "send" });
      if (message.channel !== channel) {
        throw new TransportError(`This transport serves ${channel}, not ${message.channel}`, {
          failure: "permanent",
          command: "send",
        });
      }
      const attempt = (attempts.get(message.idempotencyKey) ?? 0) + 1;
      attempts.set(message.idempotencyKey, attempt);
      const failure = options.fail?.(message, attempt);
      if (failure) throw failure;
      counter += 1;
      const providerMessageId = `${name}-${counter}`;
      sent.push({ message: structuredClone(message), providerMessageId });
      return { providerMessageId, provider: name, status: "sent" };
    },
    async verify() {
      if (closed) throw new TransportError("Transport is closed", { failure: "permanent", command: "verify" });
    },
    async close() {
      closed = true;
    },
    clear() {
      sent.length = 0;
      attempts.clear();
      counter = 0;
    },
  };
  return transport as unknown as MemoryTransport<M>;
}
