import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { smsInfo } from "./smsInfo.js";
import { transliterateToGsm } from "./transliterateToGsm.js";

describe("transliterateToGsm (R-18)", () => {
  it.each([
    ["L’hôpital", "L'hopital"],
    ["‘a’ “b” « c » ‹d› «\u00a0e\u202f»", '\'a\' "b" "c" "d" "e"'],
    ["Attendez…", "Attendez..."],
    ["9h–12h — fermé", "9h-12h - fermé"],
    ["Cœur, ŒUVRE", "Coeur, OEUVRE"],
    ["fête, pâte, île, côte, flûte, Noël, maïs, reçu, L’Haÿ", "fete, pate, ile, cote, flute, Noel, mais, recu, L'Hay"],
    ["ÊTRE À L’ÎLE, ÇA Ô", "ETRE A L'ILE, ÇA O"],
    ["12\u00a0€, 12\u202fh, a\u2009b", "12 €, 12 h, a b"],
    ["mot\u00adcoupé\u200b", "motcoupé"],
    ["fe\u0302te, e\u0301te\u0301", "fete, été"],
  ])("%j → %j", (input, expected) => {
    expect(transliterateToGsm(input)).toBe(expected);
    expect(smsInfo(transliterateToGsm(input)).encoding).toBe("GSM-7");
  });

  it("leaves GSM-7 characters untouched (é è à ù ì ò Ç Ä Ö Ñ Ü ä ö ñ ü ß € [ ] { })", () => {
    const gsm = "éèàùìòÇÄÖÑÜäöñüßÆæÅåØø€[]{}^~|\\ΔΦΓΛΩΠΨΣΘΞ@£$¥¤§¡¿\n\r";
    expect(transliterateToGsm(gsm)).toBe(gsm);
  });

  it("leaves what has no look-alike untouched (emoji, other scripts, unknown marks)", () => {
    for (const s of ["😀 👍🏽 🇫🇷", "日本語", "Привет", "q\u0307", "\ud83d"]) expect(transliterateToGsm(s)).toBe(s);
  });

  it("property: idempotent, and GSM-7 text is returned unchanged", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 40 }), (s) => {
        const once = transliterateToGsm(s);
        expect(transliterateToGsm(once)).toBe(once);
        if (smsInfo(s).encoding === "GSM-7") expect(once).toBe(s);
      }),
      { numRuns: 5000 },
    );
  }, 60_000);

  it("a typical French reminder goes from UCS-2 to GSM-7", () => {
    const s =
      "Dr Lefèvre vous rappelle votre rendez-vous le 09/06/2026 à 12h00 – merci de prévenir en cas d’empêchement.";
    expect(smsInfo(s).encoding).toBe("UCS-2");
    expect(smsInfo(transliterateToGsm(s)).encoding).toBe("GSM-7");
  });
});
