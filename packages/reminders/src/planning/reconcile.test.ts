import type { PlannedSend, SkippedSend } from "@rappel/core";
import { describe, expect, it } from "vitest";
import { created } from "./__fixtures__/build.js";
import { planAppointmentEvent } from "./appointment.js";
import { addCancelKey, addScope, finish, newDraft } from "./reconcile.js";
import type { ExistingSend } from "./types.js";

const send = (key: string, over: Partial<PlannedSend> = {}): PlannedSend => ({
  key,
  structureId: "s1",
  accountId: "a1",
  kind: "reminder",
  channel: "sms",
  recipient: { type: "contact", id: "c1", address: "+33612345678" },
  sendAt: new Date("2026-06-08T10:00:00Z"),
  appointmentId: "r1",
  billing: "reminder",
  data: {},
  ...over,
});
const skip = (key: string): SkippedSend => ({
  key,
  structureId: "s1",
  accountId: "a1",
  kind: "reminder",
  channel: "email",
  reason: "no-email",
  appointmentId: "r1",
});

describe("finish with no stored sends (existing: [])", () => {
  it("plans everything, cancels nothing, skips what the draft skipped, whatever the scopes and keys to cancel", () => {
    const draft = newDraft();
    draft.plan.push(send("k1"), send("k2", { channel: "email" }));
    draft.skipped.push(skip("k3"));
    addScope(draft, { appointmentId: "r1" });
    addCancelKey(draft, "k9");
    const r = finish(draft, []);
    expect(r).toEqual({ plan: [send("k1"), send("k2", { channel: "email" })], cancel: [], skipped: [skip("k3")] });
  });

  it("keeps the first of repeated keys, and drops a skip whose key is planned", () => {
    const draft = newDraft();
    draft.dedupe = true;
    draft.plan.push(send("k1"), send("k2"), send("k1", { channel: "email" }));
    draft.skipped.push(skip("k2"), skip("k3"), skip("k3"));
    expect(finish(draft, [])).toEqual({ plan: [send("k1"), send("k2")], cancel: [], skipped: [skip("k3")] });
  });

  it("gives what one stored send of another appointment gives (nothing of it to cancel)", () => {
    const other: ExistingSend = { ...send("s1:apt:r9@x:reminder:first:sms", { appointmentId: "r9" }), status: "done" };
    for (const event of ["created", "confirmed"] as const) {
      const none = planAppointmentEvent(created({ event, existing: [] }));
      expect(none).toEqual(planAppointmentEvent(created({ event, existing: [other] })));
      expect(none.plan.length).toBeGreaterThan(0);
      expect(none.cancel).toEqual([]);
    }
  });
});
