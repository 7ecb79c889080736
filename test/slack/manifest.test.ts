// The Slack app manifest stays in step with the code: every slash command, event, shortcut and Web API method the
// adapter uses is declared with the scope it needs, no scope is there without a reason, and each says why.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isMap, isScalar, isSeq, parse, parseDocument } from 'yaml';
import { slackEventsPath } from '../../adapters/slack/slack-adapter.ts';
import { createRequestShortcut } from '../../adapters/slack/slack-listeners.ts';
import { slashCommand } from '../../adapters/slack/slash-command.ts';

const manifestPath = path.resolve('manifests/slack/manifest.yaml');

interface Manifest {
  display_information: { name: string; description: string };
  features: {
    app_home: { home_tab_enabled: boolean; messages_tab_enabled: boolean };
    bot_user: { display_name: string };
    slash_commands: { command: string; url: string; usage_hint: string }[];
    shortcuts: { callback_id: string; type: string }[];
  };
  oauth_config: { scopes: { bot: string[] } };
  settings: {
    event_subscriptions: { request_url: string; bot_events: string[] };
    interactivity: { is_enabled: boolean; request_url: string };
    socket_mode_enabled: boolean;
  };
}

/** The scope each Web API method needs (Slack's method reference); null when none is needed. */
const methodScopes: Record<string, string | null> = {
  'auth.test': null,
  'chat.postMessage': 'chat:write',
  'chat.update': 'chat:write',
  'chat.startStream': 'chat:write',
  'chat.appendStream': 'chat:write',
  'chat.stopStream': 'chat:write',
  'assistant.threads.setStatus': 'assistant:write',
  'assistant.threads.setSuggestedPrompts': 'assistant:write',
  'assistant.threads.setTitle': 'assistant:write',
  'chat.unfurl': 'links:write',
  // Answers an entity_details_requested event with its trigger id; needs no scope of its own.
  'entity.presentDetails': null,
  'chat.getPermalink': null,
  'conversations.open': 'im:write',
  // The crash-recovery lookup of an IT-channel post; a private IT channel needs groups:history as well.
  'conversations.history': 'channels:history',
  'conversations.replies': 'channels:history',
  'users.info': 'users:read',
  'views.open': null,
  'views.publish': null,
};

/** The manifest event and scope behind each event the code listens to. */
const eventDeclarations: Record<string, { event: string; scope: string | null }> = {
  message: { event: 'message.im', scope: 'im:history' },
  app_mention: { event: 'app_mention', scope: 'app_mentions:read' },
  app_home_opened: { event: 'app_home_opened', scope: null },
  assistant_thread_started: { event: 'assistant_thread_started', scope: 'assistant:write' },
  link_shared: { event: 'link_shared', scope: 'links:read' },
  entity_details_requested: { event: 'entity_details_requested', scope: 'links:read' },
};

async function adapterSource(): Promise<string> {
  const dir = path.resolve('adapters/slack');
  const files = (await readdir(dir)).filter((f) => f.endsWith('.ts'));
  return (await Promise.all(files.map((f) => readFile(path.join(dir, f), 'utf8')))).join('\n');
}

describe('manifests/slack/manifest.yaml', async () => {
  const text = await readFile(manifestPath, 'utf8');
  const manifest = parse(text) as Manifest;
  const source = await adapterSource();

  it('declares the app: name, bot user, Home tab and Messages tab', () => {
    expect(manifest.display_information.name).toBe('IT Buddy');
    expect(manifest.features.bot_user.display_name).toBe('IT Buddy');
    expect(manifest.features.app_home).toMatchObject({ home_tab_enabled: true, messages_tab_enabled: true });
    expect(manifest.settings.socket_mode_enabled).toBe(false);
  });

  it('declares the slash command with a usage hint, on the one events endpoint', () => {
    const command = manifest.features.slash_commands.find((c) => c.command === slashCommand);
    expect(command?.usage_hint).toMatch(/ask/);
    expect(new URL(command!.url).pathname).toBe(slackEventsPath);
    expect(new URL(manifest.settings.event_subscriptions.request_url).pathname).toBe(slackEventsPath);
    expect(manifest.settings.interactivity).toMatchObject({ is_enabled: true });
    expect(new URL(manifest.settings.interactivity.request_url).pathname).toBe(slackEventsPath);
    expect(source).toContain('bolt.command(slashCommand');
  });

  it('declares the message shortcut the code listens for', () => {
    expect(source).toContain('bolt.shortcut(createRequestShortcut');
    expect(manifest.features.shortcuts).toContainEqual(
      expect.objectContaining({ callback_id: createRequestShortcut, type: 'message' }),
    );
  });

  it('subscribes to every event the code listens to, and to nothing else', () => {
    const listened = [...source.matchAll(/bolt\.event\('([\w.]+)'/g)].map((m) => m[1]!);
    expect(listened.length).toBeGreaterThan(0);
    for (const event of listened)
      expect(eventDeclarations[event], `unknown event ${event}: add it to the table`).toBeDefined();
    const expected = listened.map((e) => eventDeclarations[e]!.event).sort();
    expect([...manifest.settings.event_subscriptions.bot_events].sort()).toEqual(expected);
  });

  it('asks for exactly the scopes the code needs', () => {
    const methods = [
      ...new Set(
        [
          ...source.matchAll(
            /client\s*\.\s*(auth|chat|conversations|users|views|entity|assistant\s*\.\s*threads)\s*\.\s*(\w+)\(/g,
          ),
        ].map((m) => `${m[1]!.replace(/\s+/g, '')}.${m[2]}`),
      ),
    ];
    for (const method of methods)
      expect(methodScopes, `unknown Web API method ${method}: add it to the table`).toHaveProperty([method]);
    const listened = [...source.matchAll(/bolt\.event\('([\w.]+)'/g)].map((m) => m[1]!);
    const needed = new Set<string>(['commands']);
    for (const m of methods) if (methodScopes[m]) needed.add(methodScopes[m]);
    for (const e of listened) if (eventDeclarations[e]?.scope) needed.add(eventDeclarations[e].scope);
    // The requester's email comes from users.info's profile.email, which needs users:read.email.
    if (/profile\.email/.test(source)) needed.add('users:read.email');
    if (needed.has('channels:history')) needed.add('groups:history');
    expect([...manifest.oauth_config.scopes.bot].sort()).toEqual([...needed].sort());
  });

  it('justifies every scope with a comment', () => {
    const doc = parseDocument(text);
    const scopes = doc.getIn(['oauth_config', 'scopes', 'bot'], true);
    expect(isSeq(scopes)).toBe(true);
    if (!isSeq(scopes)) return;
    scopes.items.forEach((item, i) => {
      expect(isScalar(item)).toBe(true);
      // The parser hangs the first item's comment on the list itself.
      const comment = isScalar(item)
        ? (item.commentBefore ?? (i === 0 ? scopes.commentBefore : undefined))
        : undefined;
      expect(comment?.trim(), `scope ${String(isScalar(item) ? item.value : i)} has no comment`).toBeTruthy();
    });
    expect(isMap(doc.contents)).toBe(true);
  });
});
