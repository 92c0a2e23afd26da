import { TransportError, type TransportFailure } from "@rappel/core";
import { redactAddresses } from "./headers.js";

/**
 * Where a send was when it failed. `before-data`: the final `<CRLF>.<CRLF>` cannot have been written, the server
 * cannot have accepted the message. `data-sent`: the whole message went to the socket, the server may have
 * accepted it even though we never read its reply.
 */
export type SmtpPhase = "before-data" | "data-sent";

/** The fields nodemailer puts on its errors (`err.code`, `err.responseCode`, `err.command`, `err.response`). */
interface NodemailerErrorShape {
  message?: unknown;
  code?: unknown;
  responseCode?: unknown;
  command?: unknown;
  response?: unknown;
}

/** Local (client-side) rejections that no retry will fix. */
const LOCAL_PERMANENT = new Set(["EENVELOPE", "EMESSAGE"]);

/**
 * Maps a nodemailer error to a core `TransportError` (R-41, R-48):
 * - a reply code from the server decides: 4xx → transient, 5xx → permanent (an authentication failure is
 *   transient whatever its code: it is a configuration problem, not a property of the message);
 * - a local envelope/message rejection (nodemailer's `EENVELOPE`/`EMESSAGE` with no reply) → permanent;
 * - no reply at all (connection refused, lost, timed out): transient while the data cannot have been complete,
 *   unknown once it was fully written.
 */
export function classifySmtpError(error: unknown, phase: SmtpPhase): TransportError {
  const e = (typeof error === "object" && error !== null ? error : {}) as NodemailerErrorShape;
  const code = typeof e.code === "string" ? e.code : undefined;
  const responseCode =
    typeof e.responseCode === "number" && e.responseCode >= 200 && e.responseCode <= 599 ? e.responseCode : undefined;
  const command = typeof e.command === "string" ? normaliseCommand(e.command) : undefined;
  const providerText = typeof e.response === "string" ? redactAddresses(e.response).slice(0, 500) : undefined;

  let failure: TransportFailure;
  let why: string;
  if (responseCode !== undefined && responseCode >= 400) {
    if (code === "EAUTH" || code === "ETLS") {
      // Session set-up (login, STARTTLS) refused: a configuration problem, not a property of the message.
      failure = "transient";
      why = `${code === "EAUTH" ? "authentication" : "TLS upgrade"} refused (${responseCode})`;
    } else {
      failure = responseCode < 500 ? "transient" : "permanent";
      why = `server replied ${responseCode}`;
    }
  } else if (code !== undefined && LOCAL_PERMANENT.has(code)) {
    failure = "permanent";
    why = "message or envelope rejected before contacting the server";
  } else if (phase === "data-sent") {
    failure = "unknown";
    why = "no reply after the message data was sent";
  } else {
    failure = "transient";
    why = "connection failed before the message data";
  }

  const at = command && command !== "API" && command !== "CONN" ? ` at ${command}` : "";
  const message = `SMTP send failed${at}: ${why}${providerText ? ` — ${providerText}` : ""}`;
  return new TransportError(message, {
    failure,
    ...(responseCode !== undefined ? { responseCode } : {}),
    ...(command !== undefined ? { command } : {}),
    ...(providerText !== undefined ? { providerText } : {}),
    details: { provider: "smtp", phase, ...(code !== undefined ? { errorCode: code } : {}) },
  });
}

function normaliseCommand(command: string): string {
  // nodemailer says "MAIL FROM", "RCPT TO", "DATA", "AUTH PLAIN", "CONN", "API"…; keep the verb part only.
  return command.replace(/\s+/g, " ").trim().slice(0, 40);
}
