import { z } from "zod";
import { parseOrThrow } from "../domain/validation.js";
import { ErrorCode } from "../errors/errors.js";

/**
 * Purposes that may carry a signature of their own.
 *
 * @example
 * ```ts
 * SIGNATURE_PURPOSES.includes("cancelled") //=> true
 * ```
 */
export const SIGNATURE_PURPOSES = Object.freeze([
  "pending-confirmation",
  "cancelled",
  "invoice",
  "evaluation-request",
  "voucher",
] as const);

/**
 * One of {@link SIGNATURE_PURPOSES}.
 *
 * @example
 * ```ts
 * const purpose: SignaturePurpose = "invoice";
 * ```
 */
export type SignaturePurpose = (typeof SIGNATURE_PURPOSES)[number];

const SignatureId = z.string().min(1, "Expected a non-empty signature id");
const Linked = z.object({ signatureId: SignatureId.optional() }).passthrough();

const InputSchema = z.object({
  account: Linked,
  agenda: Linked.optional(),
  service: Linked.optional(),
  resource: Linked.optional(),
  purpose: z.enum(SIGNATURE_PURPOSES).optional(),
  purposeSignatures: z.record(z.string(), SignatureId.optional()).optional(),
  defaultSignatureId: SignatureId,
});

/**
 * Input of {@link resolveSignature} (SPEC §9). Each level links at most one signature id.
 *
 * @example
 * ```ts
 * const input: ResolveSignatureInput = { account: {}, agenda: { signatureId: "A" }, defaultSignatureId: "default" };
 * ```
 */
export interface ResolveSignatureInput {
  /** The client account; its `signatureId` is the account's own default signature. */
  account: { signatureId?: string };
  /** The appointment's agenda. */
  agenda?: { signatureId?: string };
  /** The appointment's service ("motif"). */
  service?: { signatureId?: string };
  /** The appointment's resource. */
  resource?: { signatureId?: string };
  /** The purpose of the send, when it has one. */
  purpose?: SignaturePurpose;
  /** Signature ids per purpose. */
  purposeSignatures?: Partial<Record<string, string>>;
  /** Used when nothing more specific is set. */
  defaultSignatureId: string;
}

/**
 * Picks the signature of an email. A purpose signature wins when the send has a purpose and a
 * signature is set for it; otherwise the most specific signature set wins:
 * resource > service > agenda > account > `defaultSignatureId`.
 *
 * The `pending-confirmation` purpose only exists for sends made when online bookings need manual
 * confirmation; the planner never plans such a send otherwise, so this function need not know the setting.
 *
 * Throws a `ValidationError` (`invalid-input`) for malformed input (e.g. an empty `defaultSignatureId`, an
 * unknown purpose).
 *
 * @example
 * ```ts
 * // The seed's table: account default, agenda A, service B, resource C.
 * resolveSignature({ account: {}, defaultSignatureId: "default" }) //=> "default"
 * resolveSignature({ account: {}, agenda: { signatureId: "A" }, defaultSignatureId: "default" }) //=> "A"
 * resolveSignature({ account: {}, agenda: { signatureId: "A" }, service: { signatureId: "B" },
 *   defaultSignatureId: "default" }) //=> "B"
 * resolveSignature({ account: {}, agenda: { signatureId: "A" }, service: { signatureId: "B" },
 *   resource: { signatureId: "C" }, defaultSignatureId: "default" }) //=> "C"
 * resolveSignature({ account: {}, service: { signatureId: "B" }, purpose: "cancelled",
 *   purposeSignatures: { cancelled: "X" }, defaultSignatureId: "default" }) //=> "X"
 * ```
 */
export function resolveSignature(input: ResolveSignatureInput): string {
  const i = parseOrThrow(InputSchema, input, ErrorCode.INVALID_INPUT, "signature input");
  if (i.purpose !== undefined) {
    const own = i.purposeSignatures?.[i.purpose];
    if (own !== undefined) return own;
  }
  return (
    i.resource?.signatureId ??
    i.service?.signatureId ??
    i.agenda?.signatureId ??
    i.account.signatureId ??
    i.defaultSignatureId
  );
}
