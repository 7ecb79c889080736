// Verifies Slack's request signature (https://api.slack.com/authentication/verifying-requests-from-slack) before
// Bolt sees the request: v0 HMAC-SHA256 of `v0:timestamp:body` under the signing secret, and a timestamp within
// five minutes of now in either direction (Bolt rejects only old ones, so a future one stayed replayable longer).
//
// Why here rather than in Bolt's receiver: Bolt compares signatures with tsscmp, which draws a random key and
// computes two more HMACs per request, most of the receiver's cost per event. crypto.timingSafeEqual is
// Node's constant-time comparison; the signature length is public, so comparing lengths first leaks nothing.
import { createHmac, timingSafeEqual } from 'node:crypto';
import express, { type RequestHandler } from 'express';

/** How far a request timestamp may be from now, either way (Slack's replay window). */
const maxClockSkewSeconds = 5 * 60;

/** The largest body read, as Bolt's receiver allows. */
const bodyLimit = 4 * 1024 * 1024;

/** True when `signature` is Slack's v0 signature of `body` sent at `timestamp`, and the timestamp is fresh. */
export function isSignedBySlack(
  secret: string,
  timestamp: string | undefined,
  signature: string | undefined,
  body: Buffer,
  nowMs: number,
): boolean {
  if (!timestamp || !signature || !/^\d{1,12}$/.test(timestamp)) return false;
  if (Math.abs(nowMs / 1000 - Number(timestamp)) > maxClockSkewSeconds) return false;
  const expected = Buffer.from(
    `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:`).update(body).digest('hex')}`,
  );
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * Reads the body, answers 401 (and nothing else happens) unless Slack signed it, and hands the bytes on as
 * `rawBody`, which Bolt's receiver parses instead of reading the stream again. Run Bolt's receiver with
 * `signatureVerification: false` behind this.
 */
export function verifySlackRequests(secret: string, now: () => number = Date.now): RequestHandler {
  const readBody = express.raw({ type: () => true, limit: bodyLimit });
  return (req, res, next) => {
    const timestamp = req.header('x-slack-request-timestamp');
    const signature = req.header('x-slack-signature');
    // Refuse what can never pass before reading a byte of the body.
    if (!timestamp || !signature) {
      res.status(401).send();
      return;
    }
    readBody(req, res, (error?: unknown) => {
      if (error) {
        const status = (error as { status?: number }).status;
        res.status(status === 413 ? 413 : 400).send();
        return;
      }
      const body: Buffer = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      if (!isSignedBySlack(secret, timestamp, signature, body, now())) {
        res.status(401).send();
        return;
      }
      Object.assign(req, { rawBody: body, body: undefined });
      next();
    });
  };
}
