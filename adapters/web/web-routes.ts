// The web channel: the chat page, its JSON API (POST /api/chat, GET /api/me, POST /auth/logout) and the
// knowledge-base article pages. Who is chatting comes from the session (web-sessions.ts), never from the body.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type Router } from 'express';
import { z } from 'zod';
import type { App } from '../../src/app.ts';
import { actionSchema, formSubmissionSchema } from '../../src/messages/incoming.ts';
import { sameSiteOnly } from '../http/cross-site.ts';
import { articlePage } from './article-page.ts';
import { escapeHtml, page } from './html.ts';
import type { WebIdentity, WebSessions } from './web-sessions.ts';

const publicDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'public');

/**
 * The body of POST /api/chat: exactly one of text, a button's action, or a form submission. Any other field
 * (such as the `userId` and `userName` older pages sent) is dropped: the session says who is chatting.
 */
export const chatRequestSchema = z
  .object({
    text: z.string().max(200_000).optional(),
    action: actionSchema.optional(),
    form: formSubmissionSchema.optional(),
  })
  .refine((b) => [b.text, b.action, b.form].filter((v) => v !== undefined).length === 1, {
    message: 'send exactly one of text, action or form',
  });

/** What the chat page may show about the session: who this is and which sign-in methods exist. */
export interface SessionInfo {
  id: string;
  via: string;
  name?: string;
  signedIn: boolean;
  signIn: { sso: boolean; oidc: boolean; trial: boolean };
}

/** Mounts the web channel on a router. */
export function webRoutes(app: App, sessions: WebSessions): Router {
  const router = express.Router();
  router.use('/static', express.static(publicDir, { maxAge: '1h' }));
  router.get('/', (req, res) => {
    // The session starts with the page, so the page's first message already carries it.
    sessions.identify(req, res);
    res.sendFile(path.join(publicDir, 'index.html'));
  });

  router.get('/api/me', (req, res) => {
    const who = sessions.identify(req, res);
    const web = app.config.web;
    const info: SessionInfo = {
      id: who.id,
      via: who.via,
      ...(who.name ? { name: who.name } : {}),
      signedIn: who.via !== 'anonymous',
      signIn: { sso: Boolean(web.sso), oidc: Boolean(web.oidc), trial: web.trialSignIn },
    };
    res.set('Cache-Control', 'no-store').json(info);
  });

  router.post('/auth/logout', sameSiteOnly, (_req, res) => {
    sessions.signOut(res);
    res.redirect(303, '/');
  });

  router.post('/api/chat', sameSiteOnly, express.json({ limit: '300kb' }), async (req, res) => {
    const parsed = chatRequestSchema.safeParse(req.body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      res
        .status(400)
        .json({ error: `${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid request'}` });
      return;
    }
    const body = parsed.data;
    const who = sessions.identify(req, res);
    const replies = await app.bot.handle({
      platform: 'web',
      user: { id: who.id, ...(displayName(who) ? { name: displayName(who) } : {}) },
      conversation: { id: `web:${who.id}`, kind: 'personal' },
      ...(body.text !== undefined ? { text: body.text } : {}),
      ...(body.action ? { action: body.action } : {}),
      ...(body.form ? { form: body.form } : {}),
    });
    res.json({ replies });
  });

  router.get('/kb/:id', (req, res) => {
    const article = app.kb.current().get(req.params.id);
    if (!article) {
      res
        .status(404)
        .type('html')
        .send(
          page(
            'Not found',
            `<h1>We couldn't find that article</h1><p>It may have moved. <a href="/">Ask IT Buddy</a> instead.</p><p class="meta">${escapeHtml(req.params.id)}</p>`,
          ),
        );
      return;
    }
    res.type('html').send(articlePage(article));
  });
  return router;
}

// IT reads "Anonymous web user …4BvWg" on a request card rather than a session id; the end of the id still tells
// two anonymous people apart.
function displayName(who: WebIdentity): string | undefined {
  if (who.name) return who.name;
  return who.via === 'anonymous' ? `Anonymous web user …${who.id.slice(-5)}` : undefined;
}
