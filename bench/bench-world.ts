// Shared by bench/engine.bench.ts and bench/postgres-worker.ts: the account, agenda, prototype contact and
// prototype appointment their memory data sources start from (the benches then derive one contact and one
// appointment per send from the prototypes). The data source is passed in, so a bench loading the built dist
// seeds the dist's own data source.
import type { AccountOptionsInput, Appointment, Contact } from "../packages/core/src/index.js";
import type { MemoryDataSource } from "../packages/reminders/src/index.js";

/** The structure every bench send belongs to. */
export const BENCH_STRUCTURE = "s1";

/** A bench contact's mobile, distinct per index. */
export const benchMobile = (i: number): string => `+336${String(10_000_000 + i).slice(-8)}`;

/**
 * Puts account `a1` (with `options`), agenda `g1`, and the prototype contact and appointment (`proto`, Europe/Paris,
 * starting at `start`, 30 minutes long) into `data`; returns the two prototypes as stored.
 */
export function seedBenchWorld(
  data: MemoryDataSource,
  options: AccountOptionsInput,
  proto: { email?: string; start: Date },
): { contact: Contact; appointment: Appointment } {
  const S = BENCH_STRUCTURE;
  data.putAccount(
    { id: "a1", structureId: S, name: "Cabinet Dupont", email: "cabinet@example.org", signupDate: "2026-01-01" },
    options,
  );
  data.putAgenda({ id: "g1", accountId: "a1", name: "Dr Dupont", ownerUserId: "u1" }, S);
  const contact = data.putContact({
    id: "proto",
    structureId: S,
    accountIds: ["a1"],
    firstName: "Jeanne",
    lastName: "Martin",
    ...(proto.email === undefined ? {} : { email: proto.email }),
    phones: [{ number: "+33612345678", mobile: true }],
  });
  const appointment = data.putAppointment({
    id: "proto",
    structureId: S,
    accountId: "a1",
    agendaId: "g1",
    contactId: "proto",
    start: proto.start,
    end: new Date(proto.start.getTime() + 1_800_000),
    timeZone: "Europe/Paris",
  });
  return { contact, appointment };
}
