// The local web channel: the chat page, its JSON API (POST /api/chat) and the knowledge-base article pages.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type Router } from 'express';
import { z } from 'zod';
import type { App } from '../../src/app.ts';
import { actionSchema, formSubmissionSchema } from '../../src/messages/incoming.ts';
import { articlePage } from './article-page.ts';
import { escapeHtml, page } from './html.ts';

const publicDir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'public');

/** The body of POST /api/chat: a user id and exactly one of text, a button's action, or a form submission. */
export const chatRequestSchema = z
  .object({
    userId: z
      .string()
      .trim()
      .min(1, 'userId is required')
      .max(100)
      .regex(/^[\w.@-]+$/, 'userId may use letters, digits, . _ @ -'),
    userName: z.string().trim().max(100).optional(),
    text: z.string().max(200_000).optional(),
    action: actionSchema.optional(),
    form: formSubmissionSchema.optional(),
  })
  .refine((b) => [b.text, b.action, b.form].filter((v) => v !== undefined).length === 1, {
    message: 'send exactly one of text, action or form',
  });

/** Mounts the web channel on a router. */
export function webRoutes(app: App): Router {
  const router = express.Router();
  router.use('/static', express.static(publicDir, { maxAge: '1h' }));
  router.get('/', (_req, res) => {
    res.sendFile(path.join(publicDir, 'index.html'));
  });

  router.post('/api/chat', express.json({ limit: '300kb' }), async (req, res) => {
    const parsed = chatRequestSchema.safeParse(req.body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      res
        .status(400)
        .json({ error: `${issue?.path.join('.') || 'body'}: ${issue?.message ?? 'invalid request'}` });
      return;
    }
    const body = parsed.data;
    const replies = await app.bot.handle({
      platform: 'web',
      user: { id: body.userId, ...(body.userName ? { name: body.userName } : {}) },
      conversation: { id: `web:${body.userId}`, kind: 'personal' },
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
