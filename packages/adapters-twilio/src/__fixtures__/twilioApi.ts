// A local HTTP server on 127.0.0.1 speaking Twilio's Messages API, scriptable per test: success JSON, error JSON
// with Twilio codes, 429 with Retry-After, 500, hanging (to force a timeout), resetting the socket after reading
// the whole request. It records every request it received (method, path, auth, content type, form fields).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { getExpectedTwilioSignature } from "twilio/lib/webhooks/webhooks.js";

export type ApiAction =
  | { kind: "ok"; status?: string; numSegments?: string; httpStatus?: number }
  | { kind: "error"; httpStatus: number; code?: number; message?: string; headers?: Record<string, string> }
  | { kind: "raw"; httpStatus: number; body: string; headers?: Record<string, string> }
  | { kind: "hang" }
  | { kind: "reset" };

export interface RecordedRequest {
  method: string;
  path: string;
  authorization: string | undefined;
  contentType: string | undefined;
  form: Record<string, string>;
  formKeys: string[];
}

export interface FakeTwilioApi {
  baseUrl: string;
  /** Messages created so far: sid → the StatusCallback URL given at creation. */
  created: Map<string, string | undefined>;
  /**
   * Posts a status callback for a created message to its StatusCallback URL, signed like Twilio does with the
   * account's auth token. Resolves with the HTTP status the webhook answered.
   */
  postStatus(sid: string, status: string, extra?: Record<string, string>): Promise<number>;
  action: ApiAction;
  requests: RecordedRequest[];
  reset(): void;
  close(): Promise<void>;
}

let counter = 0;
const sid = () => `SM${(++counter).toString(16).padStart(32, "0")}`;

export async function startFakeTwilioApi(opts: { authToken?: string } = {}): Promise<FakeTwilioApi> {
  const sockets = new Set<Socket>();
  const api: FakeTwilioApi = {
    baseUrl: "",
    created: new Map(),
    async postStatus(sid, status, extra = {}) {
      const callback = api.created.get(sid);
      if (!callback) throw new Error(`No StatusCallback for ${sid}`);
      const params = {
        AccountSid: "AC",
        MessageSid: sid,
        SmsSid: sid,
        MessageStatus: status,
        SmsStatus: status,
        ...extra,
      };
      const res = await fetch(callback, {
        method: "POST",
        headers: {
          "Content-Type": "application/x-www-form-urlencoded",
          "X-Twilio-Signature": getExpectedTwilioSignature(opts.authToken ?? "", callback, params),
        },
        body: new URLSearchParams(params).toString(),
      });
      await res.arrayBuffer();
      return res.status;
    },
    action: { kind: "ok" },
    requests: [],
    reset() {
      api.action = { kind: "ok" };
      api.requests = [];
      api.created.clear();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
  const server: Server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString("utf8");
    const params = new URLSearchParams(raw);
    api.requests.push({
      method: req.method ?? "",
      path: req.url ?? "",
      authorization: req.headers.authorization,
      contentType: req.headers["content-type"],
      form: Object.fromEntries(params),
      formKeys: [...params.keys()],
    });
    const action = api.action;
    const json = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { "Content-Type": "application/json", ...headers });
      res.end(JSON.stringify(body));
    };
    switch (action.kind) {
      case "ok": {
        if (req.method === "GET") return json(200, { sid: "AC", status: "active" });
        const id = sid();
        api.created.set(id, params.get("StatusCallback") ?? undefined);
        return json(action.httpStatus ?? 201, {
          sid: id,
          account_sid: "AC",
          to: params.get("To"),
          from: params.get("From"),
          messaging_service_sid: params.get("MessagingServiceSid"),
          body: params.get("Body"),
          status: action.status ?? "queued",
          num_segments: action.numSegments ?? "1",
          direction: "outbound-api",
          error_code: null,
          error_message: null,
        });
      }
      case "error":
        return json(
          action.httpStatus,
          {
            code: action.code,
            message: action.message ?? "Error",
            more_info: `https://www.twilio.com/docs/errors/${action.code}`,
            status: action.httpStatus,
          },
          action.headers,
        );
      case "raw":
        res.writeHead(action.httpStatus, action.headers ?? {});
        res.end(action.body);
        return;
      case "hang":
        return; // never answers; the socket is destroyed on close()
      case "reset":
        req.socket.destroy();
        return;
    }
  });
  server.on("connection", (s: Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const address = server.address();
  api.baseUrl = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  return api;
}
