// The chat page in a real browser (Chromium through playwright-core) against the real server: asking, rating,
// rendering every reply type, staying inert under injection attempts, and keeping typed text when offline.
import { existsSync } from 'node:fs';
import { mkdtemp, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Browser, chromium, type Page, type Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const haveChromium = existsSync(chromiumPath);
const missing = `Chromium was not found at ${chromiumPath}. Install it (Debian/Ubuntu: apt-get install -y chromium) or set CHROMIUM_PATH to a Chromium binary.`;

if (!haveChromium && process.env.CI) {
  describe('chat page (browser)', () => {
    it('needs Chromium in CI', () => {
      throw new Error(missing);
    });
  });
} else if (!haveChromium) {
  process.stderr.write(`\n⚠️  SKIPPING the chat page browser tests: ${missing}\n\n`);
}

type ReplyJson = Record<string, unknown>;

describe.skipIf(!haveChromium)('chat page (browser)', { timeout: 60_000 }, () => {
  let server: TestServer;
  let browser: Browser;
  let shotsDir: string;

  beforeAll(async () => {
    server = await startTestServer();
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: [
        '--no-sandbox',
        '--disable-background-networking',
        '--disable-gpu',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
    shotsDir = await mkdtemp(path.join(tmpdir(), 'itbuddy-shots-'));
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  /** Opens the chat page; collects any JavaScript dialog (alert) and page error so tests can assert none. */
  async function openChat(options: { user?: string; width?: number } = {}) {
    const width = options.width ?? 1280;
    const page = await browser.newPage({
      viewport: { width, height: width < 600 ? 844 : 860 },
      reducedMotion: 'reduce',
    });
    page.setDefaultTimeout(15_000);
    const dialogs: string[] = [];
    const errors: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    page.on('pageerror', (error) => errors.push(error.message));
    if (options.user) {
      // A named user signs in the way a person trying IT Buddy would: the trial sign-in page, back to the chat.
      await page.goto(`${server.url}/auth/trial`);
      await page.getByLabel(/Web user id/).fill(options.user);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(`${server.url}/`);
    } else {
      await page.goto(`${server.url}/`);
    }
    await page.getByText("Hi! I'm IT Buddy").waitFor();
    return { page, dialogs, errors };
  }

  /** Makes POST /api/chat answer `replies` and records the bodies the page sent. */
  async function fakeReplies(page: Page, replies: ReplyJson[] | ((body: ReplyJson) => ReplyJson[])) {
    const sent: ReplyJson[] = [];
    await page.route('**/api/chat', async (route) => {
      const body = (route.request() as Request).postDataJSON() as ReplyJson;
      sent.push(body);
      await route.fulfill({ json: { replies: typeof replies === 'function' ? replies(body) : replies } });
    });
    return sent;
  }

  async function ask(page: Page, text: string) {
    const box = page.getByRole('textbox', { name: 'Message IT Buddy' });
    await box.fill(text);
    await box.press('Enter');
  }

  it('answers a typed question and stores "That helped" in the question log', async () => {
    const { page, dialogs, errors } = await openChat({ user: 'e2e-alice' });
    await page.getByText('Signed in as e2e-alice').waitFor();
    await ask(page, 'how do I reset my password?');

    const card = page.getByRole('article', { name: 'Reset a forgotten password' });
    await card.getByRole('heading', { name: 'Reset a forgotten password' }).waitFor();
    await expect(page.getByRole('textbox', { name: 'Message IT Buddy' }).inputValue()).resolves.toBe('');
    await expect(
      card.getByRole('link', { name: /Read the whole article/ }).getAttribute('href'),
    ).resolves.toBe(`${server.url}/kb/reset-password`);

    await card.getByRole('button', { name: /That helped/ }).click();
    await page.getByText("Thanks for telling me! I'm glad that helped.").waitFor();

    const logged = (await server.app.questions.since('2000-01-01T00:00:00.000Z')).filter(
      (q) => q.userKey === 'web:e2e-alice',
    );
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({ articleId: 'reset-password', feedback: 'helped' });

    // The card's rating buttons are done; asking IT stays possible.
    await expect(card.getByRole('button', { name: /That helped/ }).isDisabled()).resolves.toBe(true);
    await expect(card.getByRole('button', { name: /Didn't help/ }).isDisabled()).resolves.toBe(true);
    await expect(card.getByRole('button', { name: 'Ask IT' }).isEnabled()).resolves.toBe(true);

    // Signing out is a same-origin POST from the page; the chat is anonymous again afterwards.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByText('You are chatting anonymously').waitFor();
    expect(dialogs).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('keeps one anonymous session per browser in an HttpOnly cookie the page cannot read', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${server.url}/`);
    await page.getByText("Hi! I'm IT Buddy").waitFor();
    const session = (await context.cookies()).find((c) => c.name === 'itbuddy_session');
    expect(session).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
    await expect(page.evaluate('document.cookie')).resolves.not.toContain('itbuddy_session');
    await expect(page.evaluate(() => localStorage.length)).resolves.toBe(0);
    const me = () =>
      page.evaluate(async () => ((await (await fetch('/api/me')).json()) as { id: string }).id);
    const first = await me();
    expect(first).toMatch(/^anon:/);
    await page.getByText('You are chatting anonymously').waitFor();
    await expect(page.getByRole('link', { name: 'Trial sign-in' }).getAttribute('href')).resolves.toBe(
      '/auth/trial',
    );
    await page.reload();
    await page.getByText("Hi! I'm IT Buddy").waitFor();
    await expect(me()).resolves.toBe(first);

    await ask(page, 'how do I reset my password?');
    await page.getByRole('article', { name: 'Reset a forgotten password' }).waitFor();
    const mine = (await server.app.questions.since('2000-01-01T00:00:00.000Z')).filter(
      (q) => q.userKey === `web:${first}`,
    );
    expect(mine).toHaveLength(1);

    // Another browser is someone else.
    const other = await browser.newContext();
    const otherPage = await other.newPage();
    await otherPage.goto(`${server.url}/`);
    const otherId = await otherPage.evaluate(
      async () => ((await (await fetch('/api/me')).json()) as { id: string }).id,
    );
    expect(otherId).toMatch(/^anon:/);
    expect(otherId).not.toBe(first);
    await other.close();
    await context.close();
  });

  it('shows what the user typed as inert text, never as markup or a link', async () => {
    const { page, dialogs, errors } = await openChat({ user: 'e2e-mallory' });
    await ask(page, '<img src=x onerror=alert(1)>');
    await ask(page, '[click](javascript:alert(1))');
    const bubbles = page.locator('.msg-user');
    await bubbles.nth(1).waitFor();
    // Wait for IT Buddy's answer to the second message, so any rendering of it is on the page too.
    await page.locator('.msg-bot').nth(2).waitFor();

    await expect(bubbles.nth(0).textContent()).resolves.toContain('<img src=x onerror=alert(1)>');
    await expect(bubbles.nth(1).textContent()).resolves.toContain('[click](javascript:alert(1))');
    await expect(page.locator('#transcript img').count()).resolves.toBe(0);
    await expect(page.locator('#transcript a[href^="javascript" i]').count()).resolves.toBe(0);
    expect(dialogs).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('renders hostile server text safely while keeping real formatting and links', async () => {
    const { page, dialogs, errors } = await openChat({ user: 'e2e-hostile' });
    await fakeReplies(page, [
      {
        type: 'text',
        text: 'Try **this** `cmd` <img src=x onerror=alert(1)> [bad](javascript:alert(1)) [good](https://it.example/help) \\*not bold\\*',
      },
      {
        type: 'card',
        title: '<script>alert(1)</script> title',
        sections: [{ heading: '<b>head</b>', text: '- <svg onload=alert(1)>' }],
        link: { label: 'evil', url: 'javascript:alert(1)' },
        actions: [{ label: 'evil link', url: 'javascript:alert(1)' }],
      },
    ]);
    await ask(page, 'anything');
    const text = page.locator('.bubble-bot').last();
    await text.getByRole('link', { name: 'good' }).waitFor();

    await expect(text.locator('strong').textContent()).resolves.toBe('this');
    await expect(text.locator('code').textContent()).resolves.toBe('cmd');
    await expect(text.textContent()).resolves.toContain(
      '<img src=x onerror=alert(1)> [bad](javascript:alert(1))',
    );
    await expect(text.textContent()).resolves.toContain('*not bold*');
    await expect(text.getByRole('link', { name: 'good' }).getAttribute('rel')).resolves.toBe(
      'noopener noreferrer',
    );
    await expect(
      page.getByRole('heading', { name: '<script>alert(1)</script> title' }).count(),
    ).resolves.toBe(1);
    await expect(
      page.locator('#transcript script, #transcript img, #transcript svg, #transcript b').count(),
    ).resolves.toBe(0);
    await expect(page.locator('#transcript a[href^="javascript" i]').count()).resolves.toBe(0);
    await expect(page.getByRole('link', { name: /evil/ }).count()).resolves.toBe(0);
    expect(dialogs).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('shows an answer whose article section has a table as an HTML table', async () => {
    const { page, errors } = await openChat({ user: 'e2e-table' });
    await ask(page, 'how do I mirror my screen on a mac');
    const table = page.locator('.card table.md-table').last();
    await table.waitFor();
    await expect(table.locator('thead th').allTextContents()).resolves.toEqual([
      'To do this',
      'On Windows',
      'On a Mac',
    ]);
    await expect(table.locator('thead th').first().getAttribute('scope')).resolves.toBe('col');
    await expect(table.locator('tbody tr').count()).resolves.toBe(4);
    await expect(table.locator('tbody tr').last().locator('td strong').last().textContent()).resolves.toBe(
      'Command + F1',
    );
    expect(errors).toEqual([]);
    await page.close();
  });

  it('renders hostile table cells as text, never as markup', async () => {
    const { page, dialogs, errors } = await openChat({ user: 'e2e-table-hostile' });
    await fakeReplies(page, [
      {
        type: 'card',
        title: 'Table',
        sections: [
          {
            table: {
              columns: [{ label: '<img src=x onerror=alert(1)>' }, { label: 'B', align: 'right' }],
              rows: [['<svg onload=alert(1)>', '[bad](javascript:alert(1)) **ok**']],
            },
          },
        ],
      },
    ]);
    await ask(page, 'anything');
    const table = page.locator('.card table.md-table').last();
    await table.waitFor();
    await expect(table.locator('th').first().textContent()).resolves.toBe('<img src=x onerror=alert(1)>');
    await expect(table.locator('td').first().textContent()).resolves.toBe('<svg onload=alert(1)>');
    await expect(table.locator('td strong').textContent()).resolves.toBe('ok');
    await expect(table.locator('td.align-right').count()).resolves.toBe(1);
    await expect(
      page.locator('#transcript img, #transcript svg, #transcript a[href^="javascript" i]').count(),
    ).resolves.toBe(0);
    expect(dialogs).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('renders notices, cards, choices and forms, and sends button actions and form values back', async () => {
    const { page, errors } = await openChat({ user: 'e2e-forms' });
    const sent = await fakeReplies(page, (body) => {
      if (body.form) return [{ type: 'notice', tone: 'success', text: 'Request **R-7** is with IT.' }];
      if (body.action) return [{ type: 'text', text: `You picked ${(body.action as { id: string }).id}` }];
      return [
        { type: 'notice', tone: 'warning', text: 'The **VPN** is down tonight.' },
        {
          type: 'card',
          kind: 'request',
          title: 'Request R-7',
          subtitle: 'Opened just now',
          sections: [{ heading: 'Details', fields: [{ label: 'Urgency', value: 'High' }] }],
          actions: [{ label: 'Open portal', url: 'https://it.example/r/7' }],
          footer: 'Service Desk queue',
        },
        {
          type: 'choices',
          prompt: 'Shall I pass it on?',
          options: [
            { label: 'Yes', action: { id: 'intake.yes', value: 'q-1' }, style: 'primary' },
            { label: 'No', action: { id: 'intake.no' } },
          ],
        },
        {
          type: 'form',
          id: 'intake.request',
          title: 'Ask IT for something',
          submitLabel: 'Send to IT',
          state: 'opaque-state',
          fields: [
            {
              name: 'summary',
              label: 'What do you need?',
              kind: 'text',
              required: true,
              hint: 'One line is enough.',
            },
            { name: 'details', label: 'Details', kind: 'textarea', required: false },
            {
              name: 'urgency',
              label: 'How urgent is it?',
              kind: 'select',
              required: true,
              options: [
                { value: 'low', label: 'Whenever' },
                { value: 'high', label: 'Today' },
              ],
            },
            { name: 'needed_by', label: 'Needed by', kind: 'date', required: false },
          ],
          values: { summary: 'Visio', details: 'For the floor plan' },
          errors: { urgency: 'Pick how urgent it is.' },
        },
      ];
    });
    await ask(page, 'show me everything');
    await page.getByRole('heading', { name: 'Ask IT for something' }).waitFor();
    // A reply taller than the view scrolls the conversation, never the page: the header stays put.
    await expect(page.locator('.topbar').boundingBox()).resolves.toMatchObject({ y: 0 });

    await expect(page.locator('.notice[data-tone="warning"]').textContent()).resolves.toContain(
      'The VPN is down tonight.',
    );
    const card = page.getByRole('article', { name: 'Request R-7' });
    await expect(card.locator('dt').textContent()).resolves.toBe('Urgency');
    await expect(card.locator('dd').textContent()).resolves.toBe('High');
    await expect(card.getByRole('link', { name: 'Open portal' }).getAttribute('href')).resolves.toBe(
      'https://it.example/r/7',
    );

    // The form: labelled fields, prefilled values, the hint and the server's error tied to their fields.
    const summary = page.getByLabel('What do you need?');
    await expect(summary.inputValue()).resolves.toBe('Visio');
    await expect(page.getByLabel('Details').inputValue()).resolves.toBe('For the floor plan');
    const urgency = page.getByLabel('How urgent is it?');
    await expect(urgency.getAttribute('aria-invalid')).resolves.toBe('true');
    const describedBy = (await urgency.getAttribute('aria-describedby')) ?? '';
    await expect(page.locator(`[id="${describedBy}"]`).textContent()).resolves.toBe('Pick how urgent it is.');
    const summaryHint = (await summary.getAttribute('aria-describedby')) ?? '';
    await expect(page.locator(`[id="${summaryHint}"]`).textContent()).resolves.toBe('One line is enough.');
    await expect(page.locator('label[for] .required-mark').count()).resolves.toBe(2);

    // A required field left empty is caught before anything is sent.
    await summary.fill('');
    await page.getByRole('button', { name: 'Send to IT' }).click();
    await expect(summary.getAttribute('aria-invalid')).resolves.toBe('true');
    expect(sent).toHaveLength(1);

    await summary.fill('Visio licence');
    await urgency.selectOption('high');
    await page.getByLabel('Needed by').fill('2026-03-01');
    await page.getByRole('button', { name: 'Send to IT' }).click();
    await page.getByText('is with IT.').waitFor();
    expect(sent[1]).toEqual({
      form: {
        formId: 'intake.request',
        values: {
          summary: 'Visio licence',
          details: 'For the floor plan',
          urgency: 'high',
          needed_by: '2026-03-01',
        },
        state: 'opaque-state',
      },
    });

    // A choice sends its action once, then the choices are settled.
    await page.getByRole('button', { name: 'Yes', exact: true }).click();
    await page.getByText('You picked intake.yes').waitFor();
    expect(sent[2]).toEqual({ action: { id: 'intake.yes', value: 'q-1' } });
    await expect(page.getByRole('button', { name: 'No', exact: true }).isDisabled()).resolves.toBe(true);
    expect(errors).toEqual([]);
    await page.close();
  });

  it("presses the latest reply's button when its number is typed, as the terminal chat does", async () => {
    const { page, errors } = await openChat({ user: 'e2e-numbers' });
    const posted: ReplyJson[] = [];
    page.on('request', (r) => {
      if (r.url().endsWith('/api/chat') && r.method() === 'POST') posted.push(r.postDataJSON() as ReplyJson);
    });
    // No buttons on screen yet: a number is sent as words.
    await ask(page, '2');
    await page.locator('.msg-bot').nth(1).waitFor();
    expect(posted[0]).toEqual({ text: '2' });

    await ask(page, 'The door buzzer at reception stopped working');
    await page.getByText('Since when has it been happening?').waitFor();
    await ask(page, 'this morning');
    const affects = page.getByRole('group', { name: 'Who does it affect?' });
    await affects.waitFor();
    // The numbers are shown on the buttons without changing their names.
    await expect(
      affects.getByRole('button', { name: 'My team', exact: true }).getAttribute('data-number'),
    ).resolves.toBe('2');
    await ask(page, '2');
    await page.getByRole('group', { name: 'How urgent is it?' }).waitFor();
    await expect(affects.getByRole('button', { name: 'My team', exact: true }).isDisabled()).resolves.toBe(
      true,
    );
    // Only the latest reply's buttons are numbered.
    await expect(affects.locator('[data-number]').count()).resolves.toBe(0);
    await ask(page, '3');
    const summary = page.getByRole('article').filter({ hasText: 'Here is what I will send to IT' });
    await summary.waitFor();
    await ask(page, '1');
    await page.getByText(/Saved as IT-\d{4,}/).waitFor();
    expect(posted.slice(3)).toEqual([
      { action: { id: 'intake.set', value: 'impact=team' } },
      { action: { id: 'intake.set', value: 'urgency=high' } },
      { action: { id: 'intake.confirm' } },
    ]);
    const [record] = await server.app.requests.byRequester('web:e2e-numbers');
    expect(record).toMatchObject({ kind: 'incident', impact: 'team', urgency: 'high' });
    // The typed number shows as the button it pressed.
    await expect(page.locator('.msg-user').last().textContent()).resolves.toContain('Confirm');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('keeps the typed text and says so kindly when IT Buddy cannot be reached', async () => {
    const { page } = await openChat({ user: 'e2e-offline' });
    await page.route('**/api/chat', (route) => route.abort('internetdisconnected'));
    await ask(page, 'my printer is on fire');
    await page.getByText("I couldn't reach IT Buddy. Check your connection and try again.").waitFor();
    await expect(page.getByRole('textbox', { name: 'Message IT Buddy' }).inputValue()).resolves.toBe(
      'my printer is on fire',
    );
    await expect(page.locator('.msg-failed').textContent()).resolves.toContain('Not sent');

    await page.unroute('**/api/chat');
    await page.getByRole('textbox', { name: 'Message IT Buddy' }).press('Enter');
    await page.locator('.msg-user').nth(1).waitFor();
    await page.locator('.msg-bot').nth(2).waitFor();
    await expect(page.getByRole('textbox', { name: 'Message IT Buddy' }).inputValue()).resolves.toBe('');
    await page.close();
  });

  it('is usable from the keyboard: Shift+Enter adds a line, Tab reaches the send button', async () => {
    const { page } = await openChat({ user: 'e2e-keys' });
    const box = page.getByRole('textbox', { name: 'Message IT Buddy' });
    await box.focus();
    await page.keyboard.type('first line');
    await page.keyboard.press('Shift+Enter');
    await page.keyboard.type('second line');
    await expect(box.inputValue()).resolves.toBe('first line\nsecond line');
    await expect(page.locator('.msg-user').count()).resolves.toBe(0);
    await page.keyboard.press('Tab');
    await expect(page.evaluate('document.activeElement?.getAttribute("aria-label")')).resolves.toBe(
      'Send message',
    );
    await page.keyboard.press('Enter');
    await page.locator('.msg-user').waitFor();
    await expect(page.locator('.msg-user').textContent()).resolves.toContain('first line\nsecond line');
    await expect(page.locator('#transcript').getAttribute('aria-live')).resolves.toBe('polite');
    await page.close();
  });

  it.each([1280, 390])('looks right at %i pixels wide (screenshot)', async (width) => {
    const { page } = await openChat({ user: `e2e-shot-${width}`, width });
    await ask(page, 'how do I reset my password?');
    await page.getByRole('article', { name: 'Reset a forgotten password' }).waitFor();
    const file = path.join(shotsDir, `chat-${width}.png`);
    await page.screenshot({ path: file });
    expect((await stat(file)).size).toBeGreaterThan(10_000);
    // The header and the message box stay in view around a long answer; only the conversation scrolls.
    await expect(page.locator('.topbar').boundingBox()).resolves.toMatchObject({ y: 0 });
    const viewportHeight = page.viewportSize()?.height ?? 0;
    const composer = await page.locator('.composer').boundingBox();
    expect((composer?.y ?? Number.POSITIVE_INFINITY) + (composer?.height ?? 0)).toBeLessThanOrEqual(
      viewportHeight,
    );
    const topbar = await page.locator('.topbar').boundingBox();
    const title = await page.getByRole('heading', { name: 'Reset a forgotten password' }).boundingBox();
    expect(title?.y).toBeGreaterThanOrEqual((topbar?.y ?? 0) + (topbar?.height ?? 0));
    expect(title?.y).toBeLessThan(composer?.y ?? 0);
    // No sideways scrolling at any width.
    await expect(page.evaluate('document.documentElement.scrollWidth')).resolves.toBeLessThanOrEqual(width);
    console.log(`chat page screenshot: ${file}`);
    await page.close();
  });
});
