import { describe, expect, it } from "vitest";
import { keywordOf } from "./keywords.js";

describe("keywordOf", () => {
  it.each([
    ["STOP", "stop"],
    ["stop", "stop"],
    [" Stop. ", "stop"],
    ["STOP SMS", "stop"],
    ["stop  sms", "stop"],
    ["STOPALL", "stop"],
    ["Unsubscribe", "stop"],
    ["CANCEL", "stop"],
    ["END", "stop"],
    ["QUIT", "stop"],
    ["REVOKE", "stop"],
    ["OPTOUT", "stop"],
    ["ARRET", "stop"],
    ["Arrêt", "stop"],
    ["ARRÊT !", "stop"],
    ["START", "start"],
    ["yes", "start"],
    ["UNSTOP", "start"],
    ["HELP", "help"],
    ["Aide", "help"],
    ["INFO", "help"],
  ])("%j → %s", (body, keyword) => expect(keywordOf(body)).toBe(keyword));

  it.each(["je ne peux pas venir, stop", "Stop à la pluie", "OUI", "Merci", "", "STOPPE"])(
    "%j is not a keyword",
    (body) => expect(keywordOf(body)).toBeUndefined(),
  );
});
