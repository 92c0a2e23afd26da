/**
 * The canonical macro names of SPEC R-22, one per datum.
 *
 * @example
 * ```ts
 * const name: MacroName = "client.firstName";
 * ```
 */
export type MacroName =
  | "client.firstName"
  | "client.lastName"
  | "client.name"
  | "appointment.startDate"
  | "appointment.startTime"
  | "appointment.endDate"
  | "appointment.endTime"
  | "appointment.duration"
  | "appointment.timeZone"
  | "appointment.action"
  | "appointment.billedAmount"
  | "practitioner.name"
  | "practitioner.email"
  | "clinic.name"
  | "location.name"
  | "location.address"
  | "location.city"
  | "location.region"
  | "location.regionCode"
  | "location.country"
  | "room.name"
  | "service.name"
  | "service.instructions"
  | "recipient.name"
  | "message.subject"
  | "message.contact"
  | "account.name";

/**
 * One entry of the macro catalogue: the canonical name, what it holds, an example, the longest plausible value (used
 * by {@link lintTemplate} for worst-case SMS length) and every other spelling that maps to it.
 *
 * @example
 * ```ts
 * MACROS.find((m) => m.name === "service.name")!.french //=> ["_NOM DU SERVICE_"]
 * ```
 */
export interface MacroDefinition {
  /** Canonical name, written `{{service.name}}` in the native mustache syntax. */
  readonly name: MacroName;
  /** What the macro renders, in English. */
  readonly description: string;
  /** An example rendered value (French locale, Europe/Paris). */
  readonly example: string;
  /** Longest plausible rendered length in characters, for configuration-time length checks. */
  readonly maxLength: number;
  /** Owl-style English aliases (`_CLIENT-FIRST-NAME_`). */
  readonly owl: readonly string[];
  /** French aliases, exactly as listed in seed 002 (spaces and apostrophes included). */
  readonly french: readonly string[];
  /** Bracket variables of seed 000 (`[contact]`, `[sujet]`). */
  readonly bracket: readonly string[];
}

const m = (
  name: MacroName,
  description: string,
  example: string,
  maxLength: number,
  owl: string[],
  french: string[] = [],
  bracket: string[] = [],
): MacroDefinition => Object.freeze({ name, description, example, maxLength, owl, french, bracket });

/**
 * The macro catalogue (SPEC R-22): one canonical name per datum, with description, example, maximum plausible
 * length and aliases: Owl-style English, the 22 French forms of seed 002 exactly as written there, and the bracket
 * variables `[contact]` and `[sujet]` of seed 000. `docs/macros.md` is generated from it.
 *
 * @example
 * ```ts
 * MACROS.length //=> 27
 * MACROS.find((m) => m.french.includes("_PRÉNOM-CLIENT_"))!.name //=> "client.firstName"
 * ```
 */
export const MACROS: readonly MacroDefinition[] = Object.freeze([
  m("client.firstName", "The contact's first name.", "Camille", 40, ["_CLIENT-FIRST-NAME_"], ["_PRÉNOM-CLIENT_"]),
  m("client.lastName", "The contact's last name.", "Martin", 40, ["_CLIENT-LAST-NAME_"]),
  m(
    "client.name",
    "The contact's full name: `client.name` when given, else first and last name.",
    "Camille Martin",
    81,
    ["_CLIENT-NAME_"],
    ["_NOM-DU-CLIENT_"],
  ),
  m(
    "appointment.startDate",
    "Start date, in the render's time zone and locale.",
    "09/06/2026",
    10,
    ["_APT-START-DATE_"],
    ["_DATE DE DÉBUT D'APT_"],
  ),
  m(
    "appointment.startTime",
    "Start time, in the render's time zone and locale (`12h00`, `12:00 PM`).",
    "12h00",
    8,
    ["_APT-START-TIME_"],
    ["_APT-START-TIME_"],
  ),
  m(
    "appointment.endDate",
    "End date, in the render's time zone and locale.",
    "09/06/2026",
    10,
    ["_APT-END-DATE_"],
    ["_APT-END-DATE_"],
  ),
  m(
    "appointment.endTime",
    "End time, in the render's time zone and locale.",
    "12h30",
    8,
    ["_APT-END-TIME_"],
    ["_APT-END-TIME_"],
  ),
  m(
    "appointment.duration",
    "Duration from start to end (`30 min`, `1 h 30`).",
    "30 min",
    10,
    ["_DURATION_"],
    ["_DURÉE_"],
  ),
  m(
    "appointment.timeZone",
    "The IANA time zone the dates and times are written in.",
    "Europe/Paris",
    32,
    ["_TIMEZONE_"],
    ["_FUSEAU HORAIRE_"],
  ),
  m(
    "appointment.action",
    "What happened to the appointment (`pris`, `déplacé`, `annulé`, `confirmé`; English `booked`, `moved`…).",
    "déplacé",
    10,
    ["_ACTION_"],
    ["_ACTION_"],
  ),
  m(
    "appointment.billedAmount",
    "Billed amount, from minor units, in the locale's currency format.",
    "12,50 €",
    16,
    ["_BILLED-AMOUNT_"],
    ["_MONTANT FACTURÉ_"],
  ),
  m(
    "practitioner.name",
    "The practitioner's name.",
    "Dr Claire Dubois",
    60,
    ["_THERAPIST-NAME_"],
    ["_NOM DU THÉRAPEUTE_"],
  ),
  m(
    "practitioner.email",
    "The practitioner's email address.",
    "c.dubois@cabinet.example",
    64,
    ["_THERAPIST-EMAIL_"],
    ["_COURRIEL DU THÉRAPEUTE_"],
  ),
  m(
    "clinic.name",
    "The clinic's (practice's) name.",
    "Cabinet du Parc",
    60,
    ["_CLINIC-NAME_"],
    ["_NOM DE LA CLINIQUE_"],
  ),
  m(
    "location.name",
    "Name of the appointment's location.",
    "Cabinet du Parc",
    60,
    ["_LOCATION-NAME_"],
    ["_NOM-DE-LIEU_"],
  ),
  m(
    "location.address",
    "Street address of the location.",
    "12 rue des Lilas",
    100,
    ["_LOCATION-ADDRESS_"],
    ["_ADRESSE-LIEU_"],
  ),
  m("location.city", "City of the location.", "Lyon", 40, ["_LOCATION-CITY_"], ["_LIEU-VILLE_"]),
  m(
    "location.region",
    "Region of the location.",
    "Auvergne-Rhône-Alpes",
    40,
    ["_LOCATION-REGION_"],
    ["_LOCALISATION-RÉGION_"],
  ),
  m(
    "location.regionCode",
    "Region code of the location.",
    "ARA",
    10,
    ["_LOCATION-REGION-CODE_"],
    ["_LOCALISATION-CODE-RÉGIONAL_"],
  ),
  m("location.country", "Country of the location.", "France", 40, ["_LOCATION-COUNTRY_"], ["_LIEU-PAYS_"]),
  m("room.name", "Name of the room.", "Salle 2", 40, ["_ROOM-NAME_"], ["_NOM DE LA SALLE_"]),
  m(
    "service.name",
    "Name of the service (reason for the visit).",
    "Consultation",
    60,
    ["_SERVICE-NAME_"],
    ["_NOM DU SERVICE_"],
  ),
  m(
    "service.instructions",
    "The service's instructions for patients (shown in confirmations).",
    "Merci d'arriver 10 minutes en avance.",
    500,
    ["_SERVICE-INSTRUCTIONS_"],
  ),
  m(
    "recipient.name",
    "Name of the person receiving the message.",
    "Camille Martin",
    81,
    ["_RECIPIENT-NAME_"],
    ["_NOM_DU_BÉNÉFICIAIRE_"],
  ),
  m("message.subject", "Subject of a taken message.", "Demande de rappel", 60, ["_MESSAGE-SUBJECT_"], [], ["[sujet]"]),
  m(
    "message.contact",
    "The contact (first and last name) a taken message is about.",
    "Camille Martin",
    81,
    ["_MESSAGE-CONTACT_"],
    [],
    ["[contact]"],
  ),
  m("account.name", "Name of the client account (the practitioner or practice).", "Dr Claire Dubois", 60, [
    "_ACCOUNT-NAME_",
  ]),
]);

/**
 * Every canonical macro name, in catalogue order.
 *
 * @example
 * ```ts
 * MACRO_NAMES[0] //=> "client.firstName"
 * ```
 */
export const MACRO_NAMES: readonly MacroName[] = Object.freeze(MACROS.map((d) => d.name));

const byName = new Map<string, MacroDefinition>(MACROS.map((d) => [d.name, d]));
const byAlias = new Map<string, MacroName>();
for (const d of MACROS) for (const a of [...d.owl, ...d.french, ...d.bracket]) byAlias.set(a, d.name);

/**
 * Resolves a canonical name or any alias (Owl English, French, bracket) to its canonical name.
 *
 * @param name - A spelling as written in a template.
 * @returns The canonical name, or `undefined` when the name is not in the catalogue.
 * @example
 * ```ts
 * resolveMacro("_NOM DU SERVICE_") //=> "service.name"
 * resolveMacro("[sujet]") //=> "message.subject"
 * resolveMacro("constructor") //=> undefined
 * ```
 */
export function resolveMacro(name: string): MacroName | undefined {
  return byName.has(name) ? (name as MacroName) : byAlias.get(name);
}

/** The catalogue entry of a canonical name. */
export function macroDefinition(name: MacroName): MacroDefinition {
  return byName.get(name)!;
}

/** Every alias, longest first (so that `_NOM_DU_BÉNÉFICIAIRE_` wins over shorter candidates at the same place). */
export const ALIASES_LONGEST_FIRST: readonly string[] = [...byAlias.keys()].sort((a, b) => b.length - a.length);
