// Trial sign-in (WEB_TRIAL_SIGNIN=true): on this machine only, a person picks the web identity to try triage and
// publishing with. Configuration refuses it in production and off loopback; each request is checked again here.
import express, { type Request, type Router } from 'express';
import type { App } from '../../src/app.ts';
import { isLoopbackHost } from '../../src/config/web-config.ts';
import { sameSiteOnly } from '../http/cross-site.ts';
import { escapeHtml, page } from './html.ts';
import { peerAddress, safeNextPath, signedInIdPattern, type WebSessions } from './web-sessions.ts';

/** True when the request reached us directly from this machine (not through a proxy in front of us). */
function fromThisMachine(req: Request): boolean {
  return (
    isLoopbackHost(peerAddress(req)) &&
    !req.get('x-forwarded-for') &&
    !req.get('forwarded') &&
    isLoopbackHost((req.get('host') ?? '').replace(/:\d+$/, ''))
  );
}

function formPage(message = '', next = '/'): string {
  return page(
    'Trial sign-in',
    `<h1>Trial sign-in</h1>
<div class="notice notice-warning"><p>This is for trying IT Buddy on this machine: anyone here can pick any name. Real deployments sign people in with single sign-on or OpenID Connect.</p></div>
${message ? `<p class="field-error">${escapeHtml(message)}</p>` : ''}
<form method="post" action="/auth/trial" class="card form-card">
<input type="hidden" name="next" value="${escapeHtml(next)}">
<div class="form-field"><label class="field-label" for="user">Web user id (as in IT_STAFF, LIAISONS or ADMINS, e.g. alice for web:alice)</label>
<input class="field-control" id="user" name="user" required maxlength="100" pattern="[A-Za-z0-9_.@+\\-]+"></div>
<div class="form-field"><label class="field-label" for="name">Display name (optional)</label>
<input class="field-control" id="name" name="name" maxlength="100"></div>
<div class="actions card-actions"><button type="submit" class="button button-primary">Sign in</button></div>
</form>
<p><a href="/">Back to IT Buddy</a></p>`,
  );
}

/** Mounts GET and POST /auth/trial. Only called when trial sign-in is configured. */
export function trialSignIn(app: App, sessions: WebSessions): Router {
  const router = express.Router();
  const parse = [express.urlencoded({ extended: false, limit: '4kb' }), express.json({ limit: '4kb' })];

  router.get('/auth/trial', (req, res) => {
    if (!fromThisMachine(req)) {
      res
        .status(403)
        .type('html')
        .send(page('Trial sign-in', '<p>Trial sign-in works on this machine only.</p>'));
      return;
    }
    const next = safeNextPath(req.query.next);
    res.set('Cache-Control', 'no-store').type('html').send(formPage('', next));
  });

  router.post('/auth/trial', sameSiteOnly, ...parse, (req, res) => {
    if (!fromThisMachine(req)) {
      res.status(403).json({ error: 'Trial sign-in works on this machine only' });
      return;
    }
    const body = (req.body ?? {}) as Record<string, unknown>;
    const user = typeof body.user === 'string' ? body.user.trim() : '';
    const name = typeof body.name === 'string' ? body.name.trim().slice(0, 100) : '';
    const next = safeNextPath(body.next);
    if (!signedInIdPattern.test(user)) {
      res
        .status(400)
        .type('html')
        .send(formPage('Use letters, digits and . _ @ + - only (up to 100).', next));
      return;
    }
    app.logger.info(
      { userKey: `web:${user}` },
      'Trial sign-in: a person on this machine picked a web identity',
    );
    sessions.signIn(res, { id: user, via: 'trial', ...(name ? { name } : {}) });
    res.redirect(303, next);
  });
  return router;
}
