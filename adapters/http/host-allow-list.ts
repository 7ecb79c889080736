// Answers only requests addressed to a Host name this server is known by (PUBLIC_URL's, ALLOWED_HOSTS, the loopback
// names), so a DNS-rebinding page cannot talk to it under a name of its own.
import type { NextFunction, Request, Response } from 'express';
import { isLoopbackHost } from '../../src/config/web-config.ts';

/** Splits "name:port" or "[v6]:port" into a lower-case name and a port ('' when absent). */
function split(host: string): { name: string; port: string } {
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(host.trim().toLowerCase());
  return m ? { name: m[1] ?? '', port: m[2] ?? '' } : { name: '', port: '' };
}

/** Whether `host` (a Host header) is allowed: PUBLIC_URL's host, an `extra` entry, or a loopback name on any port (0.0.0.0 too). */
export function hostAllowed(host: string | undefined, publicUrl: string, extra: readonly string[]): boolean {
  if (!host) return false;
  const given = split(host);
  if (!given.name) return false;
  // The unspecified addresses reach this machine too (a server on HOST=0.0.0.0 prints its URL that way); a request
  // naming them, like one naming 127.0.0.1, is not a rebound name of someone else's.
  if (isLoopbackHost(given.name) || given.name === '0.0.0.0' || given.name === '[::]') return true;
  const url = new URL(publicUrl);
  const defaultPort = url.protocol === 'https:' ? '443' : '80';
  const samePort = (a: string, b: string) => (a || defaultPort) === (b || defaultPort);
  if (given.name === url.hostname.toLowerCase() && samePort(given.port, url.port)) return true;
  return extra.some((entry) => {
    const allowed = split(entry);
    return allowed.name === given.name && (!allowed.port || samePort(given.port, allowed.port));
  });
}

/** Express middleware: 421 Misdirected Request for any other Host. */
export function hostAllowList(publicUrl: string, extra: readonly string[]) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (hostAllowed(req.get('host'), publicUrl, extra)) {
      next();
      return;
    }
    res
      .status(421)
      .type('text/plain')
      .send('This server does not answer to that host name. Use the address in PUBLIC_URL.');
  };
}
