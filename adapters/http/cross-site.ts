// Refuses state-changing browser requests sent from other sites: the session cookie is SameSite=Lax, and this
// checks Sec-Fetch-Site and Origin too, so a page elsewhere cannot act with someone's session.
import type { NextFunction, Request, Response } from 'express';

/** True when a browser says the request came from another site (or hides where it came from). */
export function isCrossSite(req: Request): boolean {
  const site = req.get('sec-fetch-site');
  if (site) return site !== 'same-origin' && site !== 'none';
  const origin = req.get('origin');
  // No Origin and no Sec-Fetch-Site: not a browser (curl, a script), which cannot borrow anyone's cookie.
  if (origin === undefined) return false;
  if (origin === 'null') return true;
  try {
    return new URL(origin).host !== req.get('host');
  } catch {
    return true;
  }
}

/** Express middleware: 403 for cross-site requests. */
export function sameSiteOnly(req: Request, res: Response, next: NextFunction): void {
  if (isCrossSite(req)) {
    res.status(403).json({ error: 'Cross-site requests are not accepted' });
    return;
  }
  next();
}
