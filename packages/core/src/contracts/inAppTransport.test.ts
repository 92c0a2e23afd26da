import { describe, expect, it } from "vitest";
import { RappelError, TransportError } from "../errors/errors.js";
import { createMemoryStorage } from "../storage/memoryStorage.js";
import { createManualClock } from "./clock.js";
import { createInAppTransport } from "./inAppTransport.js";
import type { InAppMessage } from "./transport.js";

const message = (key: string, to = "a1"): InAppMessage => ({
  channel: "message",
  idempotencyKey: key,
  structureId: "s1",
  accountId: "a1",
  to,
  subject: "Nouveau rendez-vous",
  text: "Mme Durand, mardi 9 juin à 12h00",
});

describe("createInAppTransport (R-44, channel message)", () => {
  it("delivers into the storage inbox, idempotently by key, at the clock's instant", async () => {
    const storage = createMemoryStorage();
    const clock = createManualClock(new Date("2026-06-08T08:00:00Z"));
    const inbox = createInAppTransport({ storage, clock });
    expect(inbox).toMatchObject({ name: "inbox", channel: "message", capabilities: { idempotencyKey: true } });
    expect(await inbox.send(message("k1"))).toEqual({
      providerMessageId: "inbox-1",
      provider: "inbox",
      status: "delivered",
    });
    clock.advance({ minutes: 5 });
    expect((await inbox.send(message("k1"))).providerMessageId).toBe("inbox-1");
    await inbox.send(message("k2", "u-manager"));
    const box = await storage.readInbox!("s1", "a1");
    expect(box).toHaveLength(1);
    expect(box[0]).toMatchObject({ subject: "Nouveau rendez-vous", read: false, accountId: "a1" });
    expect(box[0]!.at.toISOString()).toBe("2026-06-08T08:00:00.000Z");
    expect(await storage.readInbox!("s1", "u-manager")).toHaveLength(1);
  });

  it("refuses a storage without an inbox, listing what is missing", () => {
    const storage = createMemoryStorage();
    const { appendInbox: _a, readInbox: _r, ...bare } = storage;
    try {
      createInAppTransport({ storage: bare as never });
      throw new Error("expected a throw");
    } catch (e) {
      expect(e).toBeInstanceOf(RappelError);
      expect((e as RappelError).code).toBe("adapter-incomplete");
      expect((e as RappelError).details.missing).toEqual(["appendInbox", "readInbox"]);
    }
  });

  it("maps storage failures to transport failure classes", async () => {
    const storage = createMemoryStorage();
    const inbox = createInAppTransport({ storage, clock: createManualClock(new Date("2026-06-08T08:00:00Z")) });
    await expect(inbox.send({ ...message("k"), to: "" })).rejects.toMatchObject({ failure: "permanent" });
    await expect(inbox.send({ ...message("k"), channel: "sms" } as never)).rejects.toBeInstanceOf(TransportError);
    await storage.close();
    await expect(inbox.send(message("k3"))).rejects.toMatchObject({ failure: "transient", command: "appendInbox" });
  });
});
