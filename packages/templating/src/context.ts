import type { AppointmentAction, Money } from "@rappel/core";

/**
 * The data a template is rendered with (SPEC §9): a plain object nested like the canonical macro names
 * (`{ client: { firstName } }`), except that the appointment carries instants, not strings: `startDate`,
 * `startTime`, `endDate`, `endTime` and `duration` are derived from `start` and `end` in the render's time zone and
 * locale. Every field is optional; a missing one renders as the empty string.
 *
 * Only own data properties are read: inherited properties, getters and functions are ignored (never called).
 *
 * @example
 * ```ts
 * const ctx: MacroContext = {
 *   account: { name: "Dr Claire Dubois" },
 *   client: { firstName: "Camille", lastName: "Martin" },
 *   appointment: { start: new Date("2026-06-09T10:00:00Z"), end: new Date("2026-06-09T10:30:00Z"), timeZone: "Europe/Paris" },
 * };
 * ```
 */
export interface MacroContext {
  /** The contact (patient). `name` defaults to first + last name. */
  client?: { firstName?: string; lastName?: string; name?: string };
  /** The appointment: instants, zone, what happened to it, and what it cost. */
  appointment?: {
    /** Start instant. */
    start?: Date;
    /** End instant. */
    end?: Date;
    /** IANA zone of the appointment; the default zone of the render. */
    timeZone?: string;
    /** What happened (`created`, `moved`, `cancelled`, `confirmed`); other strings render as given. */
    action?: AppointmentAction | (string & {});
    /** Billed amount in minor units. */
    billedAmount?: Money;
  };
  /** The practitioner. */
  practitioner?: { name?: string; email?: string };
  /** The clinic (practice). */
  clinic?: { name?: string };
  /** Where the appointment takes place. */
  location?: { name?: string; address?: string; city?: string; region?: string; regionCode?: string; country?: string };
  /** The room. */
  room?: { name?: string };
  /** The service (reason for the visit). */
  service?: { name?: string; instructions?: string };
  /** The person receiving the message. */
  recipient?: { name?: string };
  /** A taken message: subject and the contact it is about. */
  message?: { subject?: string; contact?: string };
  /** The client account. */
  account?: { name?: string };
}
