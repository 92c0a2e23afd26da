/**
 * The contact fields an account may require at booking; `reason` is the booking's reason.
 *
 * @example
 * ```ts
 * const f: RequiredContactField = "birthDate";
 * ```
 */
export type RequiredContactField = "email" | "birthDate" | "address" | "postalCode" | "city" | "remark" | "reason";

/**
 * Reports which required booking fields are missing, in the order they are required. A field counts as
 * missing when absent, empty or only white space.
 *
 * @example
 * ```ts
 * missingBookingFields({ contact: { email: "a@b.example", city: " " }, reason: "" }, ["email", "city", "reason"])
 * //=> ["city", "reason"]
 * ```
 */
export function missingBookingFields(
  booking: {
    contact: Partial<Record<Exclude<RequiredContactField, "reason">, string | undefined | null>>;
    reason?: string | null;
  },
  required: readonly RequiredContactField[],
): RequiredContactField[] {
  const blank = (v: unknown) => typeof v !== "string" || v.trim().length === 0;
  return required.filter((field) => blank(field === "reason" ? booking.reason : booking.contact?.[field]));
}
