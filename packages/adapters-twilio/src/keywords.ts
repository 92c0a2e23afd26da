/**
 * What an inbound SMS asks for, when it is a keyword: `stop` (opt out of SMS), `start` (opt back in), `help`.
 *
 * @example
 * ```ts
 * const k: InboundKeyword = "stop";
 * ```
 */
export type InboundKeyword = "stop" | "start" | "help";

// Twilio's default opt-out/opt-in/help keywords, plus the French ones a patient in France actually types
// ("STOP SMS" is the form printed at the end of French commercial SMS; "ARRET"/"ARRÊT" is the French word).
const KEYWORDS: Readonly<Record<string, InboundKeyword>> = {
  STOP: "stop",
  STOPALL: "stop",
  "STOP ALL": "stop",
  UNSUBSCRIBE: "stop",
  CANCEL: "stop",
  END: "stop",
  QUIT: "stop",
  REVOKE: "stop",
  OPTOUT: "stop",
  "OPT OUT": "stop",
  "STOP SMS": "stop",
  ARRET: "stop",
  "ARRET SMS": "stop",
  DESABONNER: "stop",
  DESINSCRIRE: "stop",
  START: "start",
  YES: "start",
  UNSTOP: "start",
  HELP: "help",
  INFO: "help",
  AIDE: "help",
};

/**
 * Recognises a keyword reply the way carriers do: the whole message must be the keyword, compared without case,
 * accents, surrounding spaces or trailing punctuation (`"Stop."`, `" arrêt "`, `"STOP SMS"`). A sentence that
 * merely contains a keyword (`"je ne peux pas venir, stop"`) is not a keyword. Twilio's own `OptOutType`, when
 * the webhook carries it, takes precedence over this (see the webhook handler).
 */
export function keywordOf(body: string): InboundKeyword | undefined {
  const normalised = body
    .normalize("NFD")
    .replace(/\p{M}/gu, "")
    .toUpperCase()
    .replace(/[\s\u00A0]+/g, " ")
    .trim()
    .replace(/[.!?;,\s]+$/u, "")
    .replace(/^[\s"'«»]+|[\s"'«»]+$/gu, "");
  return Object.hasOwn(KEYWORDS, normalised) ? KEYWORDS[normalised] : undefined;
}
