import {
  type JsonValue,
  type PlannedSend,
  type PlanResult,
  SECURITY_EVENTS,
  type SecurityEvent,
  type SendRecipient,
} from "@rappel/core";
import { Problems, skip } from "./common.js";
import { seg } from "./keys.js";
import { type Draft, finish, newDraft } from "./reconcile.js";
import type { ExistingSend, PlannerAgenda, PlannerUser } from "./types.js";

/**
 * The input of {@link planSecurityEvent}.
 *
 * @example
 * ```ts
 * const input: PlanSecurityEventInput = {
 *   event: "email-changed", eventId: "evt-42", structureId: "s1",
 *   user: { id: "u1", email: "new@cabinet.example" }, previousEmail: "old@cabinet.example",
 *   users: [], now: new Date("2026-06-08T12:00:00Z"),
 * };
 * ```
 */
export interface PlanSecurityEventInput {
  /** What happened. */
  event: SecurityEvent;
  /** A stable id of this occurrence (the host's audit-log id): it makes the keys, so replaying it plans nothing new. */
  eventId: string;
  /** The tenant. */
  structureId: string;
  /**
   * The account the sends are filed under. Security sends concern collaborator users, not a client account: when
   * left out, the structure id stands in (the `PlannedSend.accountId` field is required).
   */
  accountId?: string;
  /** The user the event is about: the new administrator, the user added / removed / granted / exporting, or whose
   * password, phone or email changed, who logged in from a new device or whose account got locked. */
  user: {
    /** The user's id. */
    id: string;
    /** The user's current email address. */
    email: string;
  };
  /** For `email-changed`: the address before the change, which receives the notice. */
  previousEmail?: string;
  /** For `agenda-access-changed`: the agenda whose access changed. */
  agenda?: PlannerAgenda;
  /**
   * For `agenda-user-added`: the structure's agendas after the change; for `agenda-user-removed`: before it (the
   * owners of agendas where the user's access is not `none` are told). For `patient-base-exported`: the agendas
   * linked to the exported patient base (their practitioners are told).
   */
  agendas?: readonly PlannerAgenda[];
  /** The structure's collaborator users: administrators and agenda owners are looked up here. */
  users: readonly PlannerUser[];
  /** Sends already stored for this event (see {@link ExistingSend}). */
  existing?: readonly ExistingSend[];
  /** The current instant: security notices go now. */
  now: Date;
}

const EVENTS: ReadonlySet<string> = new Set(SECURITY_EVENTS);

interface Target {
  type: SendRecipient["type"];
  id: string;
  address: string | undefined;
}

function admins(users: readonly PlannerUser[]): Target[] {
  return users.filter((u) => u.role === "admin").map((u) => ({ type: "user", id: u.id, address: u.email }));
}

function owner(users: readonly PlannerUser[], userId: string): Target {
  return { type: "user", id: userId, address: users.find((u) => u.id === userId)?.email };
}

function targetsOf(input: PlanSecurityEventInput): Target[] {
  const { users, user } = input;
  const self: Target = { type: "user", id: user.id, address: user.email };
  switch (input.event) {
    case "administrator-added":
    case "export-right-granted":
      return admins(users);
    case "agenda-access-changed":
      return [owner(users, input.agenda!.ownerUserId)];
    case "agenda-user-added":
    case "agenda-user-removed":
      return (input.agendas ?? [])
        .filter((g) => (g.access ?? []).some((a) => a.userId === user.id && a.level !== "none"))
        .map((g) => owner(users, g.ownerUserId));
    case "patient-base-exported": {
      const out = admins(users);
      for (const g of input.agendas ?? []) {
        const email = g.practitioner?.email;
        out.push(email ? { type: "practitioner", id: g.id, address: email } : owner(users, g.ownerUserId));
      }
      return out;
    }
    case "email-changed":
      return [{ type: "user", id: user.id, address: input.previousEmail }];
    default:
      return [self];
  }
}

function validate(input: PlanSecurityEventInput): void {
  const p = new Problems();
  if (!p.object(input, "input")) p.throwIfAny("planSecurityEvent");
  if (!EVENTS.has(input.event)) p.add("invalid-input", "event", "Expected one of SECURITY_EVENTS");
  p.id(input.eventId, "eventId").id(input.structureId, "structureId").date(input.now, "now");
  if (p.object(input.user, "user")) p.id(input.user.id, "user.id");
  if (!Array.isArray(input.users)) p.add("invalid-input", "users", "Expected the structure's users");
  if (input.event === "email-changed" && (typeof input.previousEmail !== "string" || input.previousEmail === "")) {
    p.add("invalid-input", "previousEmail", "An email change is told to the previous address");
  }
  if (input.event === "agenda-access-changed" && !p.object(input.agenda, "agenda")) {
    p.add("invalid-input", "agenda", "An access change needs the agenda");
  }
  p.throwIfAny("planSecurityEvent");
}

/**
 * Plans the security and access notices of R-36: immediate emails, one per recipient (deduplicated by address).
 *
 * | event | told |
 * | --- | --- |
 * | `administrator-added`, `export-right-granted` | every administrator (role `admin`) of the structure |
 * | `agenda-access-changed` | the agenda's owner |
 * | `agenda-user-added` / `agenda-user-removed` | the owner of every agenda where the user's access is not `none` |
 * | `patient-base-exported` | every administrator and the practitioner of every linked agenda (its owner when no practitioner email is set) |
 * | `password-changed`, `phone-changed`, `new-device-login`, `account-locked` | the user |
 * | `email-changed` | the user, at the **previous** address |
 *
 * A recipient without an email is recorded skipped `no-email`. Keys: `<structure>:security:<event>:<eventId>:<type>-<id>`.
 *
 * @param input - See {@link PlanSecurityEventInput}.
 * @returns The emails to plan (`kind: "security"`, `channel: "email"`, `sendAt: now`), none to cancel.
 * @throws {@link @rappel/core!ValidationError} `invalid-input` / `invalid-date` listing every bad argument (unknown
 *   event, missing `previousEmail` for an email change, missing `agenda` for an access change).
 *
 * @example
 * ```ts
 * const r = planSecurityEvent({
 *   event: "email-changed", eventId: "evt-42", structureId: "s1",
 *   user: { id: "u1", email: "new@cabinet.example" }, previousEmail: "old@cabinet.example",
 *   users: [], now: new Date("2026-06-08T12:00:00Z"),
 * });
 * r.plan.map((s) => s.recipient.address); //=> ["old@cabinet.example"]
 * r.plan[0].key; //=> "s1:security:email-changed:evt-42:user-u1"
 * ```
 */
export function planSecurityEvent(input: PlanSecurityEventInput): PlanResult {
  validate(input);
  const draft: Draft = newDraft();
  const accountId = input.accountId ?? input.structureId;
  const seen = new Set<string>();
  const prefix = `${seg(input.structureId)}:security:${input.event}:${seg(input.eventId)}`;
  const data: Record<string, JsonValue> = { event: input.event, userId: input.user.id };
  if (input.event === "agenda-access-changed" && input.agenda) data.agendaId = input.agenda.id;
  for (const t of targetsOf(input)) {
    const key = `${prefix}:${t.type}-${seg(t.id)}`;
    const b = { key, structureId: input.structureId, accountId, kind: "security" as const, channel: "email" as const };
    if (!t.address) {
      if (!seen.has(key)) draft.skipped.push(skip(b, "no-email"));
      seen.add(key);
      continue;
    }
    const address = t.address.toLowerCase();
    if (seen.has(address) || seen.has(key)) continue;
    seen.add(address);
    seen.add(key);
    const send: PlannedSend = {
      ...b,
      recipient: { type: t.type, id: t.id, address: t.address },
      sendAt: new Date(input.now.getTime()),
      billing: "none",
      data,
    };
    draft.plan.push(send);
  }
  return finish(draft, input.existing);
}
