import { ErrorCode, MESSAGE_KINDS } from "@rappel/core";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compileTemplate } from "../compile/compileTemplate.js";
import type { MacroContext } from "../context.js";
import { lintTemplate } from "../lint/lintTemplate.js";
import { smsInfo } from "../sms/smsInfo.js";
import { composeEmail } from "./composeEmail.js";
import { DEFAULT_TEMPLATES, defaultTemplate } from "./defaults.js";
import { htmlToText } from "./htmlToText.js";

const ctx: MacroContext = {
  client: { firstName: "Camille", lastName: "Martin" },
  appointment: {
    start: new Date("2026-06-09T10:00:00Z"),
    end: new Date("2026-06-09T10:30:00Z"),
    timeZone: "Europe/Paris",
    action: "created",
  },
  account: { name: "Dr Dubois" },
  location: { address: "12 rue des Lilas", city: "Lyon" },
  service: { name: "Consultation", instructions: "Apportez votre carte Vitale.\nVenez 10 min avant." },
  message: { contact: "Paul Durand", subject: "Rappel urgent" },
};

describe("htmlToText", () => {
  it.each([
    ["<p>Bonjour&nbsp;<b>Camille</b>,</p><p>À bientôt<br>Dr Dubois</p>", "Bonjour Camille,\n\nÀ bientôt\nDr Dubois"],
    ["<ul><li>un</li><li>deux</li></ul>fin", "- un\n- deux\n\nfin"],
    ['<a href="https://x.example/a?b=1&amp;c=2">le site</a>', "le site (https://x.example/a?b=1&c=2)"],
    ['<a href="mailto:a@b.example">a@b.example</a>', "a@b.example"],
    ["<style>p{}</style><p>a   b\n c</p><!-- x -->", "a b c"],
    ["&lt;script&gt; &#233;&#x20AC; &unknown;", "<script> é€ &unknown;"],
  ])("%j", (html, text) => {
    expect(htmlToText(html)).toBe(text);
  });
});

describe("composeEmail (R-27)", () => {
  it("assembles header, body, instructions, signature and footer, in HTML and text", () => {
    const mail = composeEmail(
      {
        subject: "Rappel : {{appointment.startDate}}\r\n{{client.name}}",
        header: "<p>Cabinet du Parc</p>",
        body: "<p>Bonjour {{client.firstName}}, RDV le {{appointment.startDate}} à {{appointment.startTime}}.</p>",
        signature: "<p>-- <br>{{account.name}}</p>",
        footer: "<p><small>Ne pas répondre</small></p>",
        instructions: true,
      },
      ctx,
    );
    expect(mail.subject).toBe("Rappel : 09/06/2026 Camille Martin");
    expect(mail.html).toContain('<html lang="fr">');
    expect(mail.html).toContain("<title>Rappel : 09/06/2026 Camille Martin</title>");
    const order = ["rappel-header", "rappel-body", "rappel-instructions", "rappel-signature", "rappel-footer"].map(
      (c) => mail.html.indexOf(c),
    );
    expect(order.every((v, i) => v > 0 && (i === 0 || v > order[i - 1]!))).toBe(true);
    expect(mail.html).toContain("Apportez votre carte Vitale.<br>Venez 10 min avant.");
    expect(mail.text).toBe(
      "Cabinet du Parc\n\nBonjour Camille, RDV le 09/06/2026 à 12h00.\n\nInformations pratiques\nApportez votre carte Vitale.\nVenez 10 min avant.\n\n--\nDr Dubois\n\nNe pas répondre",
    );
  });

  it("escapes every value in the HTML part, keeps it readable in the text part", () => {
    const evil: MacroContext = {
      client: { firstName: "<img src=x onerror=alert(1)>" },
      service: { instructions: "<b>x</b>" },
    };
    const mail = composeEmail(
      { subject: "{{client.firstName}}", body: "<p>{{client.firstName}}</p>", instructions: true },
      evil,
    );
    expect(mail.html).not.toContain("<img");
    expect(mail.html).not.toContain("<b>x</b>");
    expect(mail.text).toContain("<img src=x onerror=alert(1)>");
    expect(mail.subject).toBe("<img src=x onerror=alert(1)>");
  });

  it("uses an authored text part when given", () => {
    const mail = composeEmail({ subject: "S", body: "<p>HTML</p>", text: "Texte {{client.firstName}}" }, ctx);
    expect(mail.text).toBe("Texte Camille");
  });

  it("applies the purpose check and the 65,535-character limit", () => {
    expect(() => composeEmail({ subject: "S", body: "<p>Rappel</p>" }, ctx, { purpose: "reminder" })).toThrow(
      expect.objectContaining({ code: ErrorCode.TEMPLATE_MISSING_MACRO }),
    );
    expect(() =>
      composeEmail(
        { subject: "S", body: "<p>{{service.instructions}}</p>" },
        { service: { instructions: "x".repeat(65_600) } },
      ),
    ).toThrow(expect.objectContaining({ code: ErrorCode.EMAIL_TOO_LONG }));
    expect(() => composeEmail({ subject: "S", body: "{{{client.name}}}" }, ctx)).toThrow(
      expect.objectContaining({ code: ErrorCode.TEMPLATE_FORBIDDEN }),
    );
    expect(() => composeEmail(null as never, ctx)).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_INPUT }));
  });

  it("English locale", () => {
    const d = defaultTemplate("reminder", "en-US");
    const mail = composeEmail({ subject: d.subject, body: d.html, instructions: d.instructions }, ctx, {
      locale: "en-US",
    });
    expect(mail.subject).toBe("Reminder: appointment on 06/09/2026 at 12:00 PM");
    expect(mail.html).toContain('<html lang="en">');
    expect(mail.text).toContain("Practical information");
  });
});

describe("default templates", () => {
  it("cover every message kind in French and English", () => {
    for (const lang of ["fr", "en"] as const)
      expect(Object.keys(DEFAULT_TEMPLATES[lang]).sort()).toEqual([...MESSAGE_KINDS].sort());
  });

  it("the French reminder SMS is seed 000's default text", () => {
    expect(compileTemplate(defaultTemplate("reminder").sms, { channel: "sms", purpose: "reminder" }).render(ctx)).toBe(
      "Dr Dubois, vous rappelle votre rendez-vous le 09/06/2026 à 12h00",
    );
  });

  for (const lang of ["fr", "en"] as const) {
    for (const kind of MESSAGE_KINDS) {
      it(`${lang} ${kind}: compiles for its channels, passes its purpose check, SMS is GSM-7 and fits one part`, () => {
        const d = DEFAULT_TEMPLATES[lang][kind];
        const locale = lang === "en" ? "en-US" : "fr-FR";
        const sms = lintTemplate(d.sms, { channel: "sms", purpose: kind });
        expect(sms.issues).toEqual([]);
        expect(sms.worstCase!.segments).toBe(1);
        expect(smsInfo(compileTemplate(d.sms, { channel: "sms" }).render(ctx, { locale })).encoding).toBe("GSM-7");
        expect(lintTemplate(d.subject, { channel: "subject" }).ok).toBe(true);
        const mail = composeEmail({ subject: d.subject, body: d.html, instructions: d.instructions }, ctx, {
          locale,
          purpose: kind,
        });
        expect(mail.subject.length).toBeGreaterThan(5);
        expect(mail.text.length).toBeGreaterThan(10);
        expect(mail.html).not.toMatch(/\{\{|\[contact\]|\[sujet\]/);
      });
    }
  }

  it("unknown kind is invalid input", () => {
    expect(() => defaultTemplate("fax" as never)).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_INPUT }));
  });
});

describe("lintTemplate (R-26)", () => {
  const base = defaultTemplate("reminder").sms;

  it("the default reminder plus a short supplement fits, at worst case", () => {
    const r = lintTemplate(`${base} Merci de prévenir 24 h avant.`, { channel: "sms", purpose: "reminder" });
    expect(r.ok).toBe(true);
    expect(r.worstCase!.segments).toBe(1);
  });

  it("names the macro that can push the SMS over", () => {
    const r = lintTemplate(`${base}. Pensez à apporter votre carte Vitale et votre ordonnance.`, {
      channel: "sms",
      purpose: "reminder",
    });
    expect(r.ok).toBe(false);
    expect(r.typical!.segments).toBe(1);
    expect(r.worstCase!.segments).toBe(2);
    expect(r.pushOver).toEqual(["account.name"]);
    expect(r.issues).toEqual([
      expect.objectContaining({ severity: "warning", code: ErrorCode.SMS_TOO_LONG, macro: "account.name" }),
    ]);
    expect(
      lintTemplate(r.macros.length ? `${base}. Pensez à apporter votre carte Vitale.` : "", {
        channel: "sms",
        maxSegments: 2,
      }).ok,
    ).toBe(true);
  });

  it("errors when even typical values are too long", () => {
    const r = lintTemplate(`${base} ${"x".repeat(120)}`, { channel: "sms" });
    expect(r.issues[0]).toMatchObject({ severity: "error", code: ErrorCode.SMS_TOO_LONG });
  });

  it("reports template errors with position and suggestion instead of throwing", () => {
    const r = lintTemplate("RDV _DATE DE DEBUT D'APT_", { channel: "sms" });
    expect(r.ok).toBe(false);
    expect(r.issues[0]).toMatchObject({
      severity: "error",
      code: ErrorCode.TEMPLATE_UNKNOWN_MACRO,
      index: 4,
      suggestion: "_DATE DE DÉBUT D'APT_",
    });
    expect(lintTemplate("RDV", { channel: "sms", purpose: "reminder" }).issues[0]!.code).toBe(
      ErrorCode.TEMPLATE_MISSING_MACRO,
    );
  });

  it("warns when the template text itself is not GSM-7, unless transliterated", () => {
    const src = "L’équipe vous rappelle votre RDV";
    expect(lintTemplate(src, { channel: "sms" }).issues.map((i) => i.code)).toEqual(["sms-ucs2-text"]);
    expect(lintTemplate(src, { channel: "sms", encoding: "gsm-transliterate" }).ok).toBe(true);
  });

  it("checks email bodies against 65,535 characters", () => {
    const r = lintTemplate(`<p>${"x".repeat(65_100)}</p>{{service.instructions}}`, { channel: "email-html" });
    expect(r.pushOver).toEqual(["service.instructions"]);
    expect(r.issues[0]).toMatchObject({ severity: "warning", code: ErrorCode.EMAIL_TOO_LONG });
  });
});

describe("composeEmail escaping (property)", () => {
  it("no value ever adds a tag to the HTML document", () => {
    const parts = {
      subject: "{{client.firstName}} [sujet]",
      header: "<p>{{clinic.name}}</p>",
      body: "<p>Bonjour {{client.firstName}} {{client.lastName}}, {{#room.name}}<b>{{room.name}}</b>{{/room.name}}</p>",
      signature: "<p>{{practitioner.name}}</p>",
      footer: "<p>{{account.name}}</p>",
      instructions: true,
    };
    const make = (v: string): MacroContext => ({
      client: { firstName: v, lastName: v },
      clinic: { name: v },
      room: { name: `r${v}` },
      practitioner: { name: v },
      account: { name: v },
      message: { subject: v },
      service: { instructions: `i${v.replace(/[\r\n]/g, "")}` },
    });
    const tags = (html: string) => html.split("<").length;
    const baseline = tags(composeEmail(parts, make("x")).html);
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 30 }), (v) => {
        const mail = composeEmail(parts, make(v));
        expect(tags(mail.html)).toBe(baseline);
        expect(mail.subject).not.toMatch(/[\r\n]/);
      }),
      { numRuns: 1500 },
    );
  }, 60_000);
});
