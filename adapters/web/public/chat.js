// The IT Buddy web chat: sends what people type to POST /api/chat and renders the neutral replies.
// Every string from the user or the server reaches the page through textContent or attributes set one by one,
// never through HTML parsing, so a reply cannot inject markup or scripts.

const networkError = "I couldn't reach IT Buddy. Check your connection and try again.";
/** Buttons that rate an answer: once one is pressed, the card's rating buttons are done. */
const feedbackActions = new Set(['answer.helped', 'answer.not_helped']);
const markdownLinkPattern = /^(https?:\/\/|mailto:)[^\s<>"]+$/i;

const transcript = /** @type {HTMLElement} */ (document.getElementById('transcript'));
const chat = /** @type {HTMLElement} */ (document.getElementById('chat'));
const typing = /** @type {HTMLElement} */ (document.getElementById('typing'));
const status = /** @type {HTMLElement} */ (document.getElementById('status'));
const composer = /** @type {HTMLFormElement} */ (document.getElementById('composer'));
const input = /** @type {HTMLTextAreaElement} */ (document.getElementById('message'));
const helpButton = /** @type {HTMLButtonElement} */ (document.getElementById('help-button'));

let idCounter = 0;
let pending = 0;
/** Requests run one after another so replies always appear in the order the user asked. */
let queue = Promise.resolve();
/**
 * The action buttons of IT Buddy's latest turn, numbered from 1 in the order shown (as the terminal chat numbers
 * them): typing just a number presses that button. A link opens nothing when a number is typed.
 */
let numberedButtons = [];

// ── Identity ────────────────────────────────────────────────────────────────────────────────────────────
// The server knows who is chatting from its session cookie (HttpOnly, so this script never sees it): the page
// sends only what was typed or pressed, and `same-origin` credentials carry the cookie.

function uniqueId(prefix) {
  idCounter += 1;
  return `${prefix}-${idCounter}`;
}

// ── IT Buddy markdown (the same rules as src/messages/markdown.ts) ─────────────────────────────────────────

/** Splits one line into inline tokens: text, bold, italic, code and http(s)/mailto links; honours backslash escapes. */
function parseInline(line) {
  const tokens = [];
  let buf = '';
  const flush = () => {
    if (buf) tokens.push({ kind: 'text', text: buf });
    buf = '';
  };
  let i = 0;
  while (i < line.length) {
    const c = line[i];
    if (c === '\\' && i + 1 < line.length) {
      buf += line[i + 1];
      i += 2;
      continue;
    }
    if (c === '*' && line[i + 1] === '*') {
      const end = findClosing(line, '**', i + 2);
      if (end > i + 2) {
        flush();
        tokens.push({ kind: 'bold', text: unescapeMarks(line.slice(i + 2, end)) });
        i = end + 2;
        continue;
      }
    }
    if (c === '_' && (i === 0 || /\s|\(/.test(line[i - 1]))) {
      const end = findClosing(line, '_', i + 1);
      if (end > i + 1 && (end + 1 >= line.length || /[\s.,;:!?)]/.test(line[end + 1]))) {
        flush();
        tokens.push({ kind: 'italic', text: unescapeMarks(line.slice(i + 1, end)) });
        i = end + 1;
        continue;
      }
    }
    if (c === '`') {
      const end = line.indexOf('`', i + 1);
      if (end > i + 1) {
        flush();
        tokens.push({ kind: 'code', text: line.slice(i + 1, end) });
        i = end + 1;
        continue;
      }
    }
    if (c === '[') {
      const close = findClosing(line, ']', i + 1);
      if (close > i && line[close + 1] === '(') {
        const urlEnd = line.indexOf(')', close + 2);
        const url = urlEnd > 0 ? line.slice(close + 2, urlEnd).trim() : '';
        if (markdownLinkPattern.test(url)) {
          flush();
          tokens.push({ kind: 'link', text: unescapeMarks(line.slice(i + 1, close)), url });
          i = urlEnd + 1;
          continue;
        }
      }
    }
    buf += c;
    i += 1;
  }
  flush();
  return tokens;
}

function findClosing(line, marker, from) {
  let i = from;
  while (i < line.length) {
    if (line[i] === '\\') {
      i += 2;
      continue;
    }
    if (line.startsWith(marker, i)) return i;
    i += 1;
  }
  return -1;
}

function unescapeMarks(text) {
  return text.replace(/\\(.)/g, '$1');
}

/** Tags each line as a paragraph line, a bullet or a numbered item. */
function parseBlocks(markdown) {
  return markdown.split('\n').map((raw) => {
    const bullet = /^\s*[-*•]\s+(.*)$/.exec(raw);
    if (bullet) return { kind: 'bullet', text: bullet[1] };
    const numbered = /^\s*(\d{1,3})[.)]\s+(.*)$/.exec(raw);
    if (numbered) return { kind: 'numbered', number: Number(numbered[1]), text: numbered[2] };
    return { kind: 'para', text: raw };
  });
}

/** Appends the inline tokens of `line` to `parent` as text, strong, em, code and a elements. */
function appendInline(parent, line) {
  for (const token of parseInline(line)) {
    if (token.kind === 'text') {
      parent.append(token.text);
    } else if (token.kind === 'link') {
      const a = el('a', { text: token.text });
      a.href = token.url;
      if (!token.url.toLowerCase().startsWith('mailto:')) {
        a.target = '_blank';
        a.rel = 'noopener noreferrer';
      }
      parent.append(a);
    } else {
      const tag = token.kind === 'bold' ? 'strong' : token.kind === 'italic' ? 'em' : 'code';
      parent.append(el(tag, { text: token.text }));
    }
  }
}

/** Renders IT Buddy markdown as paragraphs (lines joined by breaks), bullet lists and numbered lists. */
function renderMarkdown(markdown, className = 'md') {
  const root = el('div', { className });
  let paragraph = null;
  let list = null;
  for (const block of parseBlocks(String(markdown ?? ''))) {
    if (block.kind === 'para') {
      list = null;
      if (!block.text.trim()) {
        paragraph = null;
        continue;
      }
      if (paragraph) paragraph.append(el('br'));
      else {
        paragraph = el('p');
        root.append(paragraph);
      }
      appendInline(paragraph, block.text);
      continue;
    }
    paragraph = null;
    const tag = block.kind === 'bullet' ? 'ul' : 'ol';
    if (!list || list.tagName.toLowerCase() !== tag) {
      list = el(tag);
      if (tag === 'ol' && block.number && block.number !== 1) list.start = block.number;
      root.append(list);
    }
    const item = el('li');
    appendInline(item, block.text);
    list.append(item);
  }
  return root;
}

/**
 * A neutral table ({ columns: [{ label, align }], rows: [[cell]] }) as an HTML table in a scrolling box. Cells
 * are inline markdown built with DOM nodes (textContent), so nothing in them is ever parsed as HTML.
 */
function renderTable(table) {
  const columns = Array.isArray(table?.columns) ? table.columns : [];
  if (columns.length === 0) return undefined;
  const alignOf = (i) =>
    ['left', 'center', 'right'].includes(columns[i]?.align) ? columns[i].align : undefined;
  const cell = (tag, markdown, i, attrs = {}) => {
    const align = alignOf(i);
    const node = el(tag, { ...(align ? { className: `align-${align}` } : {}), attrs });
    appendInline(node, String(markdown ?? '').replace(/\s*\n\s*/g, ' '));
    return node;
  };
  const head = el('thead', {}, [
    el(
      'tr',
      {},
      columns.map((c, i) => cell('th', c?.label, i, { scope: 'col' })),
    ),
  ]);
  const rows = Array.isArray(table.rows) ? table.rows : [];
  const body = el(
    'tbody',
    {},
    rows.map((row) =>
      el(
        'tr',
        {},
        columns.map((_, i) => cell('td', Array.isArray(row) ? row[i] : '', i)),
      ),
    ),
  );
  return el('div', { className: 'table-scroll', attrs: { tabindex: '0' } }, [
    el('table', { className: 'md-table' }, [head, body]),
  ]);
}

/** Inline markdown only (titles, labels), in an element of the given tag. */
function renderInline(tag, markdown, className) {
  const node = el(tag, className ? { className } : {});
  appendInline(node, String(markdown ?? '').replace(/\s*\n\s*/g, ' '));
  return node;
}

/** Links the page may open: http(s), mailto, and paths on this site. */
function safeHref(url) {
  if (typeof url !== 'string') return undefined;
  const trimmed = url.trim();
  if (markdownLinkPattern.test(trimmed)) return trimmed;
  if (/^\/(?!\/)[^\s<>"]*$/.test(trimmed)) return trimmed;
  return undefined;
}

// ── DOM building ────────────────────────────────────────────────────────────────────────────────────────

/** Creates an element; `text` is set as textContent, never parsed. */
function el(tag, options = {}, children = []) {
  const node = document.createElement(tag);
  if (options.className) node.className = options.className;
  if (options.text !== undefined) node.textContent = options.text;
  for (const [name, value] of Object.entries(options.attrs ?? {})) {
    if (value !== undefined && value !== null && value !== false)
      node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

function srOnly(text) {
  return el('span', { className: 'visually-hidden', text });
}

// ── Transcript ──────────────────────────────────────────────────────────────────────────────────────────

/** Appends a row from IT Buddy holding the given reply elements. */
function addBotRow(children) {
  const body = el('div', { className: 'msg-body' }, children);
  const row = el('div', { className: 'msg msg-bot' }, [
    el('span', { className: 'avatar', attrs: { 'aria-hidden': 'true' } }),
    srOnly('IT Buddy said: '),
    body,
  ]);
  transcript.append(row);
  reveal(row);
  return row;
}

/** Appends the user's own message as plain text (never markdown: what they typed is what they see). */
function addUserRow(text) {
  const bubble = el('div', { className: 'bubble bubble-user' });
  bubble.append(srOnly('You said: '), text);
  const row = el('div', { className: 'msg msg-user' }, [bubble]);
  transcript.append(row);
  reveal(row);
  return row;
}

/**
 * Scrolls the conversation so the new row shows: to the bottom, or to the row's top when it is taller than the
 * view. Only the conversation scrolls (scrollIntoView would also move the page and push the header out of view).
 */
function reveal(row) {
  const behavior = window.matchMedia('(prefers-reduced-motion: reduce)').matches ? 'auto' : 'smooth';
  const tall = row.offsetHeight > chat.clientHeight * 0.8;
  chat.scrollTo({ top: tall ? row.offsetTop - 12 : chat.scrollHeight, behavior });
}

function setTyping(on) {
  typing.hidden = !on;
  status.textContent = on ? 'IT Buddy is typing…' : '';
  if (on) chat.scrollTo({ top: chat.scrollHeight });
}

// ── Replies ─────────────────────────────────────────────────────────────────────────────────────────────

const toneLabels = { info: 'Note', success: 'Done', warning: 'Heads up', error: 'Problem' };

/** Renders one neutral reply; unknown types are skipped rather than breaking the conversation. */
function renderReply(item) {
  switch (item?.type) {
    case 'text':
      return el('div', { className: 'bubble bubble-bot' }, [renderMarkdown(item.text)]);
    case 'notice':
      return renderNotice(item.tone, item.text);
    case 'card':
      return renderCard(item);
    case 'choices':
      return renderChoices(item);
    case 'form':
      return renderForm(item);
    default:
      return undefined;
  }
}

function renderNotice(tone, text) {
  const known = tone in toneLabels ? tone : 'info';
  return el('div', { className: `notice notice-${known}`, attrs: { 'data-tone': known } }, [
    el('span', { className: 'notice-icon', attrs: { 'aria-hidden': 'true' } }),
    srOnly(`${toneLabels[known]}: `),
    renderMarkdown(text, 'md notice-text'),
  ]);
}

function renderCard(card) {
  const titleId = uniqueId('card-title');
  const node = el('article', {
    className: `card${card.kind ? ` card-${card.kind}` : ''}`,
    attrs: { 'aria-labelledby': titleId, 'data-kind': card.kind },
  });
  const header = el('header', { className: 'card-header' });
  const title = renderInline('h2', card.title, 'card-title');
  title.id = titleId;
  header.append(title);
  if (card.subtitle) header.append(renderInline('p', card.subtitle, 'card-subtitle'));
  node.append(header);

  for (const section of card.sections ?? []) {
    const part = el('section', { className: 'card-section' });
    if (section.heading) part.append(renderInline('h3', section.heading, 'card-heading'));
    if (section.text) part.append(renderMarkdown(section.text));
    if (section.table) {
      const table = renderTable(section.table);
      if (table) part.append(table);
    }
    if (section.fields?.length) {
      const list = el('dl', { className: 'fields' });
      for (const field of section.fields) {
        const term = renderInline('dt', field.label);
        const value = el('dd', {}, [renderMarkdown(field.value, 'md md-compact')]);
        list.append(el('div', { className: 'field' }, [term, value]));
      }
      part.append(list);
    }
    node.append(part);
  }

  const href = safeHref(card.link?.url);
  if (href) {
    const link = el('a', { className: 'card-link', text: card.link.label || 'Open' });
    link.href = href;
    link.target = '_blank';
    link.rel = 'noopener noreferrer';
    link.append(el('span', { attrs: { 'aria-hidden': 'true' }, text: ' →' }));
    node.append(el('p', { className: 'card-link-row' }, [link]));
  }

  if (card.actions?.length) {
    const group = el('div', {
      className: 'actions card-actions',
      attrs: { role: 'group', 'aria-label': `Actions for ${textOf(card.title)}` },
    });
    for (const button of card.actions) {
      const control = renderButton(button, (pressed) => {
        if (!feedbackActions.has(button.action?.id)) return { only: pressed };
        return { group: Array.from(group.querySelectorAll('[data-feedback]')) };
      });
      if (control && feedbackActions.has(button.action?.id)) control.dataset.feedback = 'true';
      if (control) group.append(control);
    }
    node.append(group);
  }

  if (card.footer) node.append(renderInline('p', card.footer, 'card-footer'));
  return node;
}

function renderChoices(choices) {
  const promptId = uniqueId('choices');
  const prompt = renderMarkdown(choices.prompt, 'md choices-prompt');
  prompt.id = promptId;
  const group = el('div', { className: 'actions', attrs: { role: 'group', 'aria-labelledby': promptId } });
  for (const option of choices.options ?? []) {
    // A choice is answered once: pressing one settles the whole group.
    const control = renderButton(option, () => ({ group: Array.from(group.querySelectorAll('button')) }));
    if (control) group.append(control);
  }
  return el('div', { className: 'choices' }, [prompt, group]);
}

/**
 * A button: a link when it has a URL, otherwise a button that sends its action. `settles(control)` names what a
 * press disables: just this button, or a group (the card's rating buttons, a set of choices).
 */
function renderButton(button, settles) {
  const styleClass = button.style ? ` button-${button.style}` : '';
  if (button.url !== undefined) {
    const href = safeHref(button.url);
    if (!href) return undefined;
    const link = el('a', { className: `button${styleClass}`, text: textOf(button.label) });
    link.href = href;
    link.target = '_blank';
    link.rel = 'noopener noreferrer';
    return link;
  }
  if (!button.action?.id) return undefined;
  const control = el('button', {
    className: `button${styleClass}`,
    text: textOf(button.label),
    attrs: { type: 'button', 'data-action': button.action.id },
  });
  control.addEventListener('click', async () => {
    const scope = settles(control);
    const affected = scope.group ?? [scope.only ?? control];
    for (const b of affected) b.disabled = true;
    control.setAttribute('aria-busy', 'true');
    addUserRow(textOf(button.label));
    const action = { id: button.action.id };
    if (typeof button.action.value === 'string') action.value = button.action.value;
    const ok = await send({ action });
    control.removeAttribute('aria-busy');
    if (ok) {
      control.classList.add('chosen');
      control.setAttribute('aria-pressed', 'true');
      if (!scope.group) control.disabled = false;
    } else {
      for (const b of affected) b.disabled = false;
    }
  });
  return control;
}

/** Plain text of inline markdown, for labels that must stay text (buttons, aria-labels). */
function textOf(markdown) {
  return parseInline(String(markdown ?? ''))
    .map((t) => t.text)
    .join('');
}

function renderForm(form) {
  const titleId = uniqueId('form-title');
  const node = el('form', {
    className: 'card form-card',
    attrs: { 'aria-labelledby': titleId, novalidate: true },
  });
  const title = renderInline('h2', form.title, 'card-title');
  title.id = titleId;
  node.append(el('header', { className: 'card-header' }, [title]));
  if (form.intro) node.append(renderMarkdown(form.intro, 'md form-intro'));
  const fieldset = el('fieldset', { className: 'form-fields' });
  fieldset.append(el('legend', { className: 'visually-hidden', text: textOf(form.title) }));
  const controls = new Map();

  for (const field of form.fields ?? []) {
    const id = uniqueId(`field-${String(field.name).replace(/[^\w-]/g, '')}`);
    const hintId = `${id}-hint`;
    const errorId = `${id}-error`;
    const label = el('label', { className: 'field-label', attrs: { for: id } });
    label.append(textOf(field.label));
    if (field.required) {
      label.append(el('span', { className: 'required-mark', text: ' *', attrs: { 'aria-hidden': 'true' } }));
      label.append(srOnly(' (required)'));
    }
    const control = createControl(field, id);
    const value = form.values?.[field.name];
    if (typeof value === 'string') control.value = value;
    const hint = field.hint ? renderInline('p', field.hint, 'field-hint') : undefined;
    if (hint) hint.id = hintId;
    const error = el('p', { className: 'field-error', attrs: { id: errorId } });
    error.hidden = true;
    const wrapper = el('div', { className: 'form-field' }, [label, hint, control, error]);
    controls.set(field.name, { control, error, field, hintId: hint ? hintId : undefined, errorId });
    setFieldError(controls.get(field.name), form.errors?.[field.name]);
    fieldset.append(wrapper);
  }
  node.append(fieldset);

  const submit = el('button', {
    className: 'button button-primary',
    text: textOf(form.submitLabel) || 'Send',
    attrs: { type: 'submit' },
  });
  const formStatus = el('p', { className: 'form-status', attrs: { role: 'status' } });
  node.append(el('div', { className: 'actions card-actions form-actions' }, [submit, formStatus]));

  node.addEventListener('submit', async (event) => {
    event.preventDefault();
    let firstInvalid;
    for (const entry of controls.values()) {
      const missing = entry.field.required && !entry.control.value.trim();
      setFieldError(entry, missing ? 'Please fill this in.' : undefined);
      if (missing && !firstInvalid) firstInvalid = entry.control;
    }
    if (firstInvalid) {
      firstInvalid.focus();
      return;
    }
    const values = {};
    for (const [name, entry] of controls) values[name] = entry.control.value;
    const submission = { formId: form.id, values };
    if (typeof form.state === 'string') submission.state = form.state;
    fieldset.disabled = true;
    submit.disabled = true;
    formStatus.textContent = 'Sending…';
    const ok = await send({ form: submission });
    if (ok) {
      node.classList.add('submitted');
      formStatus.textContent = 'Sent';
    } else {
      // Nothing typed is lost: the form stays as it was, ready to send again.
      fieldset.disabled = false;
      submit.disabled = false;
      formStatus.textContent = '';
    }
  });
  return node;
}

function createControl(field, id) {
  let control;
  if (field.kind === 'textarea') {
    control = el('textarea', { attrs: { rows: 4 } });
  } else if (field.kind === 'select') {
    control = el('select');
    control.append(
      el('option', { text: field.required ? 'Choose one…' : 'Choose (optional)…', attrs: { value: '' } }),
    );
    for (const option of field.options ?? []) {
      const item = el('option', { text: textOf(option.label) });
      item.value = option.value;
      control.append(item);
    }
  } else {
    control = el('input', { attrs: { type: field.kind === 'date' ? 'date' : 'text' } });
  }
  control.id = id;
  control.name = field.name;
  control.className = 'field-control';
  if (field.required) {
    control.required = true;
    control.setAttribute('aria-required', 'true');
  }
  if (field.placeholder && field.kind !== 'select') control.placeholder = field.placeholder;
  if (Number.isInteger(field.maxLength) && field.kind !== 'select') control.maxLength = field.maxLength;
  return control;
}

/** Shows (or clears) a field's error next to it, and points the control at its hint and error. */
function setFieldError(entry, message) {
  const { control, error, hintId, errorId } = entry;
  error.textContent = message ?? '';
  error.hidden = !message;
  const describedBy = [hintId, message ? errorId : undefined].filter(Boolean).join(' ');
  if (describedBy) control.setAttribute('aria-describedby', describedBy);
  else control.removeAttribute('aria-describedby');
  if (message) control.setAttribute('aria-invalid', 'true');
  else control.removeAttribute('aria-invalid');
}

// ── Talking to the server ───────────────────────────────────────────────────────────────────────────────

/** Sends one message (text, action or form) and renders the replies. Resolves to false when it failed. */
function send(payload) {
  const run = queue.then(() => post(payload));
  queue = run.then(
    () => undefined,
    () => undefined,
  );
  return run;
}

async function post(payload) {
  pending += 1;
  setTyping(true);
  try {
    let response;
    try {
      response = await fetch('/api/chat', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        credentials: 'same-origin',
        body: JSON.stringify(payload),
      });
    } catch {
      addBotRow([renderNotice('error', networkError)]);
      return false;
    }
    const data = await response.json().catch(() => undefined);
    if (!response.ok || !Array.isArray(data?.replies)) {
      addBotRow([renderNotice('error', failureText(response.status, data?.error))]);
      return false;
    }
    const rendered = data.replies.map(renderReply).filter(Boolean);
    if (rendered.length > 0) addBotRow(rendered);
    numberButtons(rendered);
    return true;
  } finally {
    pending -= 1;
    if (pending === 0) setTyping(false);
  }
}

function failureText(status, error) {
  if (status === 413) return 'That message is too long for me. Could you shorten it and try again?';
  if (status >= 400 && status < 500 && typeof error === 'string') {
    return `I couldn't take that message (${error.replace(/[\\`*_[\]()]/g, '\\$&')}). Please try again.`;
  }
  return 'Sorry, something went wrong on my side. Please try again in a moment.';
}

/** Numbers the action buttons of the turn just shown, and takes the numbers off the turn before. */
function numberButtons(nodes) {
  for (const old of numberedButtons) delete old.dataset.number;
  numberedButtons = nodes.flatMap((node) => Array.from(node.querySelectorAll('button[data-action]')));
  numberedButtons.forEach((control, i) => {
    control.dataset.number = String(i + 1);
  });
}

/** The latest turn's button that a typed number names and that can still be pressed, or undefined. */
function buttonForNumber(text) {
  const m = /^\s*(\d{1,2})\s*$/.exec(text);
  const control = m ? numberedButtons[Number(m[1]) - 1] : undefined;
  return control && !control.disabled ? control : undefined;
}

// ── Composer ────────────────────────────────────────────────────────────────────────────────────────────

async function sendText(text) {
  const row = addUserRow(text);
  const ok = await send({ text });
  if (!ok) {
    row.classList.add('msg-failed');
    row.append(el('p', { className: 'msg-note', text: 'Not sent' }));
    // Give the words back so nobody has to type them again.
    if (!input.value.trim()) {
      input.value = text;
      autosize();
    }
  }
  return ok;
}

function autosize() {
  input.style.height = 'auto';
  input.style.height = `${Math.min(input.scrollHeight, 160)}px`;
}

composer.addEventListener('submit', (event) => {
  event.preventDefault();
  const text = input.value;
  if (!text.trim()) {
    input.focus();
    return;
  }
  input.value = '';
  autosize();
  input.focus();
  // "2" after a reply with buttons presses button 2, exactly as a click would (the server checks it the same way).
  const numbered = buttonForNumber(text);
  if (numbered) numbered.click();
  else void sendText(text);
});

input.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
    event.preventDefault();
    composer.requestSubmit();
  }
});
input.addEventListener('input', autosize);

helpButton.addEventListener('click', () => {
  void sendText('help');
});

// ── Session line ────────────────────────────────────────────────────────────────────────────────────────

/** Says who the chat knows you as, with the way to sign in or out. Without an answer the line stays hidden. */
async function showSession() {
  const line = /** @type {HTMLElement} */ (document.getElementById('session-line'));
  let me;
  try {
    const response = await fetch('/api/me', {
      credentials: 'same-origin',
      headers: { accept: 'application/json' },
    });
    me = response.ok ? await response.json() : undefined;
  } catch {
    return;
  }
  if (!me || typeof me.id !== 'string') return;
  if (me.signedIn) {
    line.append(`Signed in as ${typeof me.name === 'string' && me.name ? me.name : me.id}`);
    // A single-sign-on proxy decides sessions itself; the others end with a same-origin POST.
    if (me.via !== 'sso') {
      const form = el('form', { attrs: { method: 'post', action: '/auth/logout' } }, [
        el('button', { text: 'Sign out', attrs: { type: 'submit' } }),
      ]);
      line.append(' · ', form);
    }
  } else if (me.signIn?.oidc) {
    line.append(
      'You are chatting anonymously · ',
      el('a', { text: 'Sign in', attrs: { href: '/auth/login' } }),
    );
  } else if (me.signIn?.trial) {
    line.append(
      'You are chatting anonymously · ',
      el('a', { text: 'Trial sign-in', attrs: { href: '/auth/trial' } }),
    );
  } else {
    return;
  }
  line.hidden = false;
}

// ── Welcome ─────────────────────────────────────────────────────────────────────────────────────────────

function welcome() {
  const suggestions = [
    'How do I reset my password?',
    'Connect to the VPN',
    'Add a printer',
    'My laptop is slow',
  ];
  const chips = el('div', {
    className: 'suggestions',
    attrs: { role: 'group', 'aria-label': 'Suggested questions' },
  });
  for (const text of suggestions) {
    const chip = el('button', { className: 'chip', text, attrs: { type: 'button' } });
    chip.addEventListener('click', () => void sendText(text));
    chips.append(chip);
  }
  addBotRow([
    el('div', { className: 'bubble bubble-bot' }, [
      renderMarkdown(
        "Hi! I'm **IT Buddy** 👋\nAsk me how to do something, like _how do I connect to the VPN?_, or tell me what you need from IT.",
      ),
    ]),
    chips,
  ]);
}

welcome();
void showSession();
if (window.matchMedia('(pointer: fine)').matches) input.focus();
