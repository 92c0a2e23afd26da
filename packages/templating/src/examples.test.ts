// The `@example` results written in the TSDoc of every exported function, checked.
import { ErrorCode } from "@rappel/core";
import { describe, expect, it } from "vitest";
import {
  applySmsLimit,
  checkEmailLength,
  compileTemplate,
  composeEmail,
  DEFAULT_TEMPLATES,
  defaultTemplate,
  EMAIL_MAX_LENGTH,
  formatDate,
  formatDuration,
  formatMoney,
  formatTime,
  htmlToText,
  lintTemplate,
  MACRO_NAMES,
  MACROS,
  resolveMacro,
  smsInfo,
  TemplateError,
  transliterateToGsm,
} from "./index.js";

describe("TSDoc examples", () => {
  it("smsInfo", () => {
    expect(smsInfo("Bonjour, RDV le 09/06/2026 à 12h00")).toEqual({
      encoding: "GSM-7",
      units: 34,
      segments: 1,
      perSegment: 160,
      remaining: 126,
    });
    expect(smsInfo("Rappel : RDV demain ✅")).toEqual({
      encoding: "UCS-2",
      units: 21,
      segments: 1,
      perSegment: 70,
      remaining: 49,
    });
  });

  it("transliterateToGsm", () => {
    expect(transliterateToGsm("L’hôpital « Sainte-Thérèse » vous rappelle…")).toBe(
      'L\'hopital "Sainte-Thérèse" vous rappelle...',
    );
    expect(transliterateToGsm("Cœur ❤")).toBe("Coeur ❤");
  });

  it("compileTemplate and TemplateError", () => {
    const t = compileTemplate("_NOM DU SERVICE_ le {{appointment.startDate}} à {{appointment.startTime}}", {
      channel: "sms",
    });
    expect(t.macros).toEqual(["service.name", "appointment.startDate", "appointment.startTime"]);
    expect(
      t.render({
        service: { name: "Ostéopathie" },
        appointment: { start: new Date("2026-06-09T10:00:00Z"), timeZone: "Europe/Paris" },
      }),
    ).toBe("Ostéopathie le 09/06/2026 à 12h00");
    expect(
      compileTemplate("Bonjour {{client.firstName}}", { channel: "sms" }).render({ client: { firstName: "Camille" } }),
    ).toBe("Bonjour Camille");
    try {
      compileTemplate("Bonjour {{client.fristName}}", { channel: "sms" });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(TemplateError);
      const te = e as TemplateError;
      expect([te.code, te.index, te.suggestion]).toEqual(["template-unknown-macro", 8, "client.firstName"]);
    }
  });

  it("formatting", () => {
    const d = new Date("2026-06-09T10:00:00Z");
    expect(formatDate(d, { timeZone: "Europe/Paris" })).toBe("09/06/2026");
    expect(formatDate(d, { locale: "en-US", timeZone: "Europe/Paris" })).toBe("06/09/2026");
    expect(formatTime(d, { timeZone: "Europe/Paris" })).toBe("12h00");
    expect(formatTime(new Date("2026-06-09T16:00:00Z"), { locale: "en-US", timeZone: "America/New_York" })).toBe(
      "12:00 PM",
    );
    expect(formatDuration(30)).toBe("30 min");
    expect(formatDuration(90)).toBe("1 h 30");
    expect(formatDuration(90, { locale: "en-US" })).toBe("1 h 30 min");
    expect(formatMoney({ amount: 1250, currency: "EUR" })).toBe("12,50 €");
    expect(formatMoney({ amount: 10, currency: "CHF" }, { locale: "en-US" })).toBe("CHF 0.10");
  });

  it("catalogue", () => {
    expect(MACROS.length).toBe(27);
    expect(MACROS.find((m) => m.french.includes("_PRÉNOM-CLIENT_"))!.name).toBe("client.firstName");
    expect(MACROS.find((m) => m.name === "service.name")!.french).toEqual(["_NOM DU SERVICE_"]);
    expect(MACRO_NAMES[0]).toBe("client.firstName");
    expect(resolveMacro("_NOM DU SERVICE_")).toBe("service.name");
    expect(resolveMacro("[sujet]")).toBe("message.subject");
    expect(resolveMacro("constructor")).toBeUndefined();
  });

  it("limits", () => {
    expect(applySmsLimit("a".repeat(170), { overflow: "truncate" }).text.length).toBe(160);
    expect(applySmsLimit("a".repeat(170), { overflow: "allow" }).info.segments).toBe(2);
    expect(() => applySmsLimit("a".repeat(170))).toThrow(expect.objectContaining({ code: ErrorCode.SMS_TOO_LONG }));
    expect(EMAIL_MAX_LENGTH).toBe(65535);
    expect(checkEmailLength("Bonjour")).toBe("Bonjour");
    expect(() => checkEmailLength("x".repeat(65_536))).toThrow(
      expect.objectContaining({ code: ErrorCode.EMAIL_TOO_LONG }),
    );
  });

  it("email", () => {
    expect(htmlToText("<p>Bonjour&nbsp;<b>Camille</b>,</p><p>À bientôt<br>Dr Dubois</p>")).toBe(
      "Bonjour Camille,\n\nÀ bientôt\nDr Dubois",
    );
    const mail = composeEmail(
      {
        subject: "Rappel : {{appointment.startDate}}",
        body: "<p>Bonjour {{client.firstName}},</p>",
        footer: "<p>Cabinet du Parc</p>",
      },
      {
        client: { firstName: "Camille" },
        appointment: { start: new Date("2026-06-09T10:00:00Z"), timeZone: "Europe/Paris" },
      },
    );
    expect(mail.subject).toBe("Rappel : 09/06/2026");
    expect(mail.text).toBe("Bonjour Camille,\n\nCabinet du Parc");
    expect(defaultTemplate("reminder").sms).toBe(
      "{{account.name}}, vous rappelle votre rendez-vous le {{appointment.startDate}} à {{appointment.startTime}}",
    );
    expect(defaultTemplate("new-message").subject).toBe("Nouveau message de [contact] : [sujet]");
    expect(defaultTemplate("reminder", "en-US").sms).toBe(
      "{{account.name}} reminds you of your appointment on {{appointment.startDate}} at {{appointment.startTime}}",
    );
    expect(DEFAULT_TEMPLATES.en.cancellation.subject).toBe(
      "Your appointment on {{appointment.startDate}} is cancelled",
    );
  });

  it("lintTemplate", () => {
    const r = lintTemplate(
      "{{account.name}}, vous rappelle votre rendez-vous le {{appointment.startDate}} à {{appointment.startTime}}. Pensez à apporter votre carte Vitale et votre ordonnance.",
      { channel: "sms", purpose: "reminder" },
    );
    expect([r.ok, r.typical?.segments, r.worstCase?.segments, r.pushOver]).toEqual([false, 1, 2, ["account.name"]]);
    expect(lintTemplate("Bonjour {{client.firstName}}", { channel: "sms" }).ok).toBe(true);
  });
});
