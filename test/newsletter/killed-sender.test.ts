// A newsletter sender killed with SIGKILL half-way through its fan-out: the next process on the same embedded
// store resumes at once (the dead process's leases are provably dead), posts every remaining channel, and does
// not post again where the dead one's post had gone out.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ChannelRegistry, type PostedMessage } from '../../src/channels/channel-adapter.ts';
import { openEmbeddedStore } from '../../src/store/embedded/sqlite-store.ts';
import { destinationList, FakeChannel, newsletterConfig, newsletterModule } from './newsletter-harness.ts';

const slot = '2026-11-23T09:00:00.000Z';
const n = 10;
const k = 4;

describe('a newsletter sender killed mid fan-out', () => {
  it('is resumed at once by the next process, which posts exactly the channels still missing', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'itbuddy-killed-sender-'));
    const destinations = destinationList('slack', n);
    const harness = new URL('./newsletter-harness.ts', import.meta.url).href;
    const registry = new URL('../../src/channels/channel-adapter.ts', import.meta.url).href;
    const store = new URL('../../src/store/embedded/sqlite-store.ts', import.meta.url).href;
    // The sender: the real newsletter module with its default (45 s) leases; after k posts every post hangs.
    const script = `
      const h = await import(${JSON.stringify(harness)});
      const { ChannelRegistry } = await import(${JSON.stringify(registry)});
      const { openEmbeddedStore } = await import(${JSON.stringify(store)});
      const store = openEmbeddedStore(${JSON.stringify(dir)});
      const config = h.newsletterConfig({ NEWSLETTER_DESTINATIONS: ${JSON.stringify(destinations.join(','))} });
      const channel = new h.FakeChannel('slack');
      channel.script = (_d, _attempt, call) => (call <= ${k} ? 'ok' : 'hang');
      const post = channel.post.bind(channel);
      channel.post = async (destination, replies) => {
        const posted = await post(destination, replies);
        process.stdout.write('posted ' + destination + '\\n');
        return posted;
      };
      const channels = new ChannelRegistry();
      channels.register(channel);
      const module = h.newsletterModule(store, { config, channels, owner: 'sender' });
      void module.service.runSlot(new Date(${JSON.stringify(slot)}), 'schedule');
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    const postedByDead = new Set<string>();
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (c: Buffer) => {
          for (const m of c.toString().matchAll(/posted (\S+)/g)) postedByDead.add(m[1]!);
          if (postedByDead.size >= k) resolve();
        });
        void exited.then(() => reject(new Error(`the sender exited: ${stderr}`)));
      });
      child.kill('SIGKILL');
      await exited;

      const reopened = openEmbeddedStore(dir);
      try {
        // The platform has whatever the dead sender posted, whether or not it lived to record it.
        const healthy = new FakeChannel('slack');
        const lookups: string[] = [];
        Object.assign(healthy, {
          findPosted: async (destination: string): Promise<PostedMessage | undefined> => {
            lookups.push(destination);
            return postedByDead.has(destination)
              ? { platform: 'slack', destination, messageId: 'from-before' }
              : undefined;
          },
        });
        const channels = new ChannelRegistry();
        channels.register(healthy);
        const config = newsletterConfig({ NEWSLETTER_DESTINATIONS: destinations.join(',') });
        const fresh = newsletterModule(reopened, { config, channels, owner: 'restarted' });
        // One resume, no waiting: the sender's 45-second leases do not hold a process that is gone.
        await fresh.kick();
        expect((await fresh.service.issue('2026-W48'))?.status).toBe('sent');
        const all = destinations.map((d) => d.slice('slack:'.length));
        expect(healthy.posts.map((p) => p.destination).sort()).toEqual(
          all.filter((d) => !postedByDead.has(d)).sort(),
        );
        // Deliveries the dead sender left "sending" were looked up before anything was posted there.
        expect(lookups.length).toBeGreaterThan(0);
        await fresh.stop();
      } finally {
        await reopened.close();
      }
    } finally {
      child.kill('SIGKILL');
      await exited;
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
