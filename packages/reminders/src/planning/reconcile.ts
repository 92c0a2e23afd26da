import type { CancelSpec, JsonValue, MessageKind, PlannedSend, PlanResult, SkippedSend } from "@rappel/core";
import { type ExistingSend, stateOf } from "./types.js";

/** A set of sends the plan is authoritative for: every pending send in it that the plan does not name goes. */
export interface Scope {
  appointmentId: string;
  kinds?: readonly MessageKind[];
}

/** What a planner builds before it is reconciled with the stored sends. */
export interface Draft {
  plan: PlannedSend[];
  skipped: SkippedSend[];
  /** Authoritative scopes (see {@link Scope}). */
  scopes: Scope[];
  /** Emit the scopes as cancel specs when the stored sends are not known (moves and cancellations). */
  scopesWithoutExisting: boolean;
  /** Keys that must not stay pending (sends folded into another one). */
  cancelKeys: string[];
  /** Several appointments were planned together: the same send may be in `plan` more than once. */
  dedupe: boolean;
}

// Scopes and keys to cancel are rare in event planning: a fresh draft shares these empty lists, and the first
// addition replaces them (addScope, addCancelKey). Frozen: a push on them throws instead of sharing state.
const NO_SCOPES: Scope[] = Object.freeze([]) as unknown as Scope[];
const NO_KEYS: string[] = Object.freeze([]) as unknown as string[];

/** A fresh draft. */
export function newDraft(): Draft {
  return { plan: [], skipped: [], scopes: NO_SCOPES, scopesWithoutExisting: false, cancelKeys: NO_KEYS, dedupe: false };
}

/** Adds an authoritative scope to a draft. */
export function addScope(draft: Draft, scope: Scope): void {
  if (draft.scopes === NO_SCOPES) draft.scopes = [scope];
  else draft.scopes.push(scope);
}

/** Adds a key that must not stay pending to a draft. */
export function addCancelKey(draft: Draft, key: string): void {
  if (draft.cancelKeys === NO_KEYS) draft.cancelKeys = [key];
  else draft.cancelKeys.push(key);
}

/** JSON with object keys sorted, so that two equal data objects compare equal whatever their key order. */
export function stableJson(value: JsonValue | undefined): string {
  if (value === undefined) return "";
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((v) => stableJson(v)).join(",")}]`;
  const keys = Object.keys(value).sort();
  let out = "{";
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    const v = value[k];
    if (v === undefined) continue;
    out += `${out.length > 1 ? "," : ""}${JSON.stringify(k)}:${stableJson(v)}`;
  }
  return `${out}}`;
}

const ms = (d: Date | undefined): number | undefined => (d === undefined ? undefined : d.getTime());

/**
 * Whether a stored send already says exactly what `send` says: then storing `send` again would change nothing.
 * @internal
 */
export function sameSend(a: PlannedSend, b: PlannedSend): boolean {
  return (
    a.key === b.key &&
    ms(a.sendAt) === ms(b.sendAt) &&
    ms(a.expiresAt) === ms(b.expiresAt) &&
    a.kind === b.kind &&
    a.channel === b.channel &&
    a.structureId === b.structureId &&
    a.accountId === b.accountId &&
    a.recipient.type === b.recipient.type &&
    a.recipient.id === b.recipient.id &&
    a.recipient.address === b.recipient.address &&
    a.appointmentId === b.appointmentId &&
    a.contactId === b.contactId &&
    a.billing === b.billing &&
    a.groupKey === b.groupKey &&
    stableJson(a.data as JsonValue) === stableJson(b.data as JsonValue)
  );
}

function inScope(send: ExistingSend, scopes: readonly Scope[]): boolean {
  for (const s of scopes) {
    if (send.appointmentId === s.appointmentId && (s.kinds === undefined || s.kinds.includes(send.kind))) return true;
  }
  return false;
}

/**
 * Turns a draft into the {@link PlanResult}: duplicates by key removed (they are equal by construction), and, when
 * the stored sends are known, only what changes: no send planned again once in flight or done, no pending send
 * re-stored unchanged, exact keys to cancel, and a pending send whose time has just passed left to the engine's
 * lateness rule rather than cancelled.
 */
export function finish(draft: Draft, existing: readonly ExistingSend[] | undefined): PlanResult {
  if (existing === undefined && !draft.dedupe) {
    // One subject: keys are unique by construction (the hot path of event planning).
    const cancel: CancelSpec[] = [];
    if (draft.scopesWithoutExisting) {
      for (const s of draft.scopes) cancel.push(s.kinds ? { appointmentId: s.appointmentId, kinds: s.kinds } : s);
    }
    if (draft.cancelKeys.length > 0) cancel.push({ keys: uniq(draft.cancelKeys) });
    return { plan: draft.plan, cancel, skipped: draft.skipped };
  }
  if (existing !== undefined && existing.length === 0 && distinctKeys(draft.plan, draft.skipped)) {
    // Nothing stored yet (the usual creation): everything planned is new, nothing is there to cancel, and no key is
    // repeated, so the general path below would return the draft's own lists, without its maps and sets.
    return { plan: draft.plan, cancel: [], skipped: draft.skipped };
  }
  const planned = new Map<string, PlannedSend>();
  for (const s of draft.plan) if (!planned.has(s.key)) planned.set(s.key, s);
  const skippedByKey = new Map<string, SkippedSend>();
  for (const s of draft.skipped) if (!planned.has(s.key) && !skippedByKey.has(s.key)) skippedByKey.set(s.key, s);

  if (existing === undefined) {
    const cancel: CancelSpec[] = [];
    if (draft.scopesWithoutExisting) {
      for (const s of draft.scopes) cancel.push(s.kinds ? { appointmentId: s.appointmentId, kinds: s.kinds } : s);
    }
    const keys = uniq(draft.cancelKeys.filter((k) => !planned.has(k)));
    if (keys.length > 0) cancel.push({ keys });
    return { plan: [...planned.values()], cancel, skipped: [...skippedByKey.values()] };
  }

  const stored = new Map<string, ExistingSend & { state: ReturnType<typeof stateOf> }>();
  for (const e of existing) stored.set(e.key, { ...e, state: stateOf(e.status) });
  const plan: PlannedSend[] = [];
  for (const send of planned.values()) {
    const e = stored.get(send.key);
    if (e === undefined || e.state === "cancelled" || (e.state === "pending" && !sameSend(e, send))) plan.push(send);
  }
  const skipped: SkippedSend[] = [];
  const lateButPending = new Set<string>();
  for (const s of skippedByKey.values()) {
    const e = stored.get(s.key);
    if (e === undefined || e.state === "cancelled") skipped.push(s);
    else if (e.state === "pending" && s.reason === "past" && e.sendAt.getTime() === s.sendAt?.getTime()) {
      // The same send, only overdue: the engine's lateness rule decides, not the planner.
      lateButPending.add(s.key);
    } else if (e.state === "pending") skipped.push(s);
  }
  const explicit = new Set(draft.cancelKeys);
  const keys: string[] = [];
  for (const e of stored.values()) {
    if (e.state !== "pending" || planned.has(e.key) || lateButPending.has(e.key)) continue;
    if (explicit.has(e.key) || inScope(e, draft.scopes)) keys.push(e.key);
  }
  return { plan, cancel: keys.length > 0 ? [{ keys: uniq(keys) }] : [], skipped };
}

/**
 * Whether no key repeats across the planned and skipped sends, checked pairwise on small drafts (an event plans a
 * few sends); a larger draft answers `false` and takes the general path, which removes repeats.
 */
function distinctKeys(plan: readonly PlannedSend[], skipped: readonly SkippedSend[]): boolean {
  const n = plan.length;
  const total = n + skipped.length;
  if (total > 16) return false;
  for (let i = 0; i < total; i++) {
    const key = i < n ? plan[i]!.key : skipped[i - n]!.key;
    for (let j = i + 1; j < total; j++) if ((j < n ? plan[j]!.key : skipped[j - n]!.key) === key) return false;
  }
  return true;
}

function uniq(keys: string[]): string[] {
  return keys.length < 2 ? keys : [...new Set(keys)];
}
