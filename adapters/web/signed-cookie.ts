// Signed cookie values (HMAC-SHA256 over a JSON payload), reading a Cookie header and writing Set-Cookie values.
import { createHmac, timingSafeEqual } from 'node:crypto';

/** Signs `payload` for a cookie: base64url(JSON) "." base64url(HMAC). `purpose` keeps one cookie from passing as another. */
export function signValue(secret: string, purpose: string, payload: object): string {
  const body = Buffer.from(JSON.stringify({ ...payload, p: purpose })).toString('base64url');
  return `${body}.${mac(secret, body)}`;
}

/** The payload of a value signed for `purpose`, or undefined when forged, altered, for another purpose or expired. */
export function verifyValue(
  secret: string,
  purpose: string,
  value: string | undefined,
  now = Date.now(),
): Record<string, unknown> | undefined {
  if (!value || value.length > 4096) return undefined;
  const dot = value.indexOf('.');
  if (dot < 1) return undefined;
  const body = value.slice(0, dot);
  const given = Buffer.from(value.slice(dot + 1), 'base64url');
  const expected = Buffer.from(mac(secret, body), 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  try {
    const payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Record<string, unknown>;
    if (payload.p !== purpose) return undefined;
    if (typeof payload.exp !== 'number' || payload.exp < now) return undefined;
    return payload;
  } catch {
    return undefined;
  }
}

function mac(secret: string, body: string): string {
  return createHmac('sha256', secret).update(body).digest('base64url');
}

/** The value of cookie `name` in a Cookie header. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/**
 * The name a cookie goes by: over HTTPS with the `__Host-` prefix, which browsers accept only from this exact host
 * with Secure, Path=/ and no Domain. So a neighbouring subdomain cannot plant a session of its choosing (a login
 * CSRF); over plain HTTP (loopback trials) browsers refuse the prefix, so the bare name is used.
 */
export function cookieName(base: string, secure: boolean): string {
  return secure ? `__Host-${base}` : base;
}

/** Attributes of a cookie only this server reads: HttpOnly, Path=/, SameSite=Lax, Secure over HTTPS. */
export interface CookieOptions {
  maxAgeSeconds: number;
  secure: boolean;
}

/** A Set-Cookie header value. Lax, not Strict: a sign-in provider's redirect back must still carry it. */
export function cookieHeader(name: string, value: string, options: CookieOptions): string {
  return [
    `${name}=${value}`,
    'Path=/',
    `Max-Age=${Math.max(0, Math.floor(options.maxAgeSeconds))}`,
    'HttpOnly',
    'SameSite=Lax',
    ...(options.secure ? ['Secure'] : []),
  ].join('; ');
}
