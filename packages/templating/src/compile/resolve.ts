import { ErrorCode, type Money, RappelError } from "@rappel/core";
import { formatDuration, formatMoney, instant } from "../format/format.js";
import { getLocaleProfile, type LocaleProfile } from "../format/locale.js";
import { getZone, type LocalFields, localFields } from "../format/zone.js";
import type { MacroName } from "../macros/catalogue.js";

/** Per-render state: options resolved once, derived fields computed at most once. */
export interface RenderState {
  ctx: unknown;
  locale: string;
  profile: LocaleProfile;
  zoneName: string | undefined;
  /** The context's own `appointment`, read once (NONE until read). */
  appointment: unknown;
  start: LocalFields | undefined;
  end: LocalFields | undefined;
}

/**
 * An own data property of a plain value, or undefined. Getters are not invoked (their descriptor has no `value`),
 * inherited properties are not read, and functions are returned only to be ignored by `text`.
 */
export function own(o: unknown, key: string): unknown {
  if (o === null || typeof o !== "object") return undefined;
  const d = Object.getOwnPropertyDescriptor(o, key);
  return d === undefined ? undefined : d.value;
}

/** Renders a leaf value: strings as is, finite numbers and bigints in decimal; anything else (functions!) as "". */
export function text(v: unknown): string {
  if (typeof v === "string") return v;
  if (typeof v === "number") return Number.isFinite(v) ? String(v) : "";
  if (typeof v === "bigint") return String(v);
  return "";
}

const NONE = Symbol("unread");

function appointment(s: RenderState): unknown {
  if (s.appointment === NONE) s.appointment = own(s.ctx, "appointment");
  return s.appointment;
}

export function zoneName(s: RenderState): string {
  if (s.zoneName === undefined) {
    const z = own(appointment(s), "timeZone");
    s.zoneName = typeof z === "string" && z !== "" ? z : "UTC";
  }
  return s.zoneName;
}

function fields(s: RenderState, which: "start" | "end"): LocalFields | undefined {
  const cached = s[which];
  if (cached) return cached;
  const d = own(appointment(s), which);
  if (d === undefined || d === null) return undefined;
  const f = localFields(getZone(zoneName(s)), instant(d, `appointment.${which}`));
  s[which] = f;
  return f;
}

const ACTIONS: Record<string, [fr: string, en: string]> = {
  created: ["pris", "booked"],
  moved: ["déplacé", "moved"],
  cancelled: ["annulé", "cancelled"],
  confirmed: ["confirmé", "confirmed"],
};

const leaf =
  (group: string, key: string) =>
  (s: RenderState): string =>
    text(own(own(s.ctx, group), key));

/** How each canonical macro is computed from the context. */
export const RESOLVERS: Record<MacroName, (s: RenderState) => string> = {
  "client.firstName": leaf("client", "firstName"),
  "client.lastName": leaf("client", "lastName"),
  "client.name": (s) => {
    const c = own(s.ctx, "client");
    const name = text(own(c, "name"));
    if (name !== "") return name;
    const first = text(own(c, "firstName"));
    const last = text(own(c, "lastName"));
    return first && last ? `${first} ${last}` : first || last;
  },
  "appointment.startDate": (s) => {
    const f = fields(s, "start");
    return f ? s.profile.date(f) : "";
  },
  "appointment.startTime": (s) => {
    const f = fields(s, "start");
    return f ? s.profile.time(f) : "";
  },
  "appointment.endDate": (s) => {
    const f = fields(s, "end");
    return f ? s.profile.date(f) : "";
  },
  "appointment.endTime": (s) => {
    const f = fields(s, "end");
    return f ? s.profile.time(f) : "";
  },
  "appointment.duration": (s) => {
    const a = appointment(s);
    const start = own(a, "start");
    const end = own(a, "end");
    if (start == null || end == null) return "";
    const ms = instant(end, "appointment.end") - instant(start, "appointment.start");
    if (ms < 0) throw new RappelError(ErrorCode.INVALID_DATE, "appointment.end is before appointment.start");
    return formatDuration(ms / 60_000, { locale: s.locale });
  },
  "appointment.timeZone": (s) => zoneName(s),
  "appointment.action": (s) => {
    const a = text(own(appointment(s), "action"));
    const labels = Object.hasOwn(ACTIONS, a) ? ACTIONS[a] : undefined;
    return labels ? labels[s.profile.english ? 1 : 0] : a;
  },
  "appointment.billedAmount": (s) => {
    const m = own(appointment(s), "billedAmount");
    if (m == null) return "";
    return formatMoney({ amount: own(m, "amount"), currency: own(m, "currency") } as Money, { locale: s.locale });
  },
  "practitioner.name": leaf("practitioner", "name"),
  "practitioner.email": leaf("practitioner", "email"),
  "clinic.name": leaf("clinic", "name"),
  "location.name": leaf("location", "name"),
  "location.address": leaf("location", "address"),
  "location.city": leaf("location", "city"),
  "location.region": leaf("location", "region"),
  "location.regionCode": leaf("location", "regionCode"),
  "location.country": leaf("location", "country"),
  "room.name": leaf("room", "name"),
  "service.name": leaf("service", "name"),
  "service.instructions": leaf("service", "instructions"),
  "recipient.name": leaf("recipient", "name"),
  "message.subject": leaf("message", "subject"),
  "message.contact": leaf("message", "contact"),
  "account.name": leaf("account", "name"),
};

/** Builds the per-render state, validating options eagerly. */
export function renderState(ctx: unknown, options: { locale?: string; timeZone?: string } | undefined): RenderState {
  if (ctx === null || typeof ctx !== "object") {
    throw new RappelError(ErrorCode.INVALID_INPUT, "The render context must be an object");
  }
  const locale = options?.locale ?? "fr-FR";
  const timeZone = options?.timeZone;
  if (timeZone !== undefined) getZone(timeZone);
  return {
    ctx,
    locale,
    profile: getLocaleProfile(locale),
    zoneName: timeZone,
    appointment: NONE,
    start: undefined,
    end: undefined,
  };
}
