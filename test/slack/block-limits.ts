// An independent check of Slack's Block Kit limits (from the Block Kit reference), so tests can say "every block
// Slack would accept" without trusting the renderer's own constants.

type Loose = Record<string, unknown>;

const textOf = (t: unknown) => String((t as Loose | undefined)?.text ?? '');

/** Every limit a message (or a view, with `maxBlocks: 100`) breaks; empty when Slack would accept it. */
export function blockViolations(blocks: unknown[], maxBlocks = 50): string[] {
  const problems: string[] = [];
  if (blocks.length > maxBlocks) problems.push(`${blocks.length} blocks (max ${maxBlocks})`);
  const actionIds = new Set<string>();
  // Slack's reference: 12,000 characters across all markdown blocks of one payload.
  const markdownChars = blocks
    .filter((b) => (b as Loose).type === 'markdown')
    .reduce((n: number, b) => n + String((b as Loose).text ?? '').length, 0);
  if (markdownChars > 12_000) problems.push(`${markdownChars} markdown characters (max 12000)`);
  // Slack's table block reference: one table per message, at most 100 rows of at most 20 cells.
  const tables = blocks.filter((b) => (b as Loose).type === 'table').length;
  if (tables > 1) problems.push(`${tables} table blocks (only_one_table_allowed)`);
  blocks.forEach((raw, i) => {
    const b = raw as Loose;
    const at = `block ${i} (${String(b.type)})`;
    switch (b.type) {
      case 'header':
        if (textOf(b.text).length > 150) problems.push(`${at}: header over 150`);
        if ((b.text as Loose).type !== 'plain_text') problems.push(`${at}: header must be plain_text`);
        break;
      case 'section': {
        if (!b.text && !b.fields) problems.push(`${at}: section without text or fields`);
        if (b.text && textOf(b.text).length > 3000)
          problems.push(`${at}: section text ${textOf(b.text).length} > 3000`);
        if (b.text && textOf(b.text).length === 0) problems.push(`${at}: empty section text`);
        const fields = (b.fields as unknown[] | undefined) ?? [];
        if (fields.length > 10) problems.push(`${at}: ${fields.length} fields > 10`);
        for (const f of fields) if (textOf(f).length > 2000) problems.push(`${at}: field over 2000`);
        break;
      }
      case 'context': {
        const elements = (b.elements as unknown[]) ?? [];
        if (elements.length === 0 || elements.length > 10)
          problems.push(`${at}: ${elements.length} context elements`);
        for (const e of elements) if (textOf(e).length > 3000) problems.push(`${at}: context text over 3000`);
        break;
      }
      case 'actions': {
        const elements = (b.elements as Loose[]) ?? [];
        if (elements.length === 0 || elements.length > 25)
          problems.push(`${at}: ${elements.length} action elements`);
        for (const e of elements) {
          const id = String(e.action_id ?? '');
          if (!id || id.length > 255) problems.push(`${at}: bad action_id ${id}`);
          if (actionIds.has(id)) problems.push(`${at}: duplicate action_id ${id}`);
          actionIds.add(id);
          if (e.type === 'button') {
            if (textOf(e.text).length > 75 || textOf(e.text).length === 0)
              problems.push(`${at}: button text length ${textOf(e.text).length}`);
            if (typeof e.value === 'string' && e.value.length > 2000)
              problems.push(`${at}: button value over 2000`);
            if (typeof e.url === 'string' && e.url.length > 3000)
              problems.push(`${at}: button url over 3000`);
          }
        }
        break;
      }
      case 'input': {
        if (textOf(b.label).length > 2000) problems.push(`${at}: label over 2000`);
        if (String(b.block_id ?? '').length > 255) problems.push(`${at}: block_id over 255`);
        const el = b.element as Loose;
        if (el.placeholder && textOf(el.placeholder).length > 150)
          problems.push(`${at}: placeholder over 150`);
        if (typeof el.max_length === 'number' && el.max_length > 3000)
          problems.push(`${at}: max_length over 3000`);
        const options = (el.options as Loose[] | undefined) ?? [];
        if (options.length > 100) problems.push(`${at}: over 100 options`);
        for (const o of options) {
          if (textOf(o.text).length > 75) problems.push(`${at}: option text over 75`);
          if (String(o.value).length > 150) problems.push(`${at}: option value over 150`);
        }
        break;
      }
      case 'context_actions': {
        // Slack's reference: at most 5 elements, each feedback_buttons or icon_button.
        const elements = (b.elements as Loose[]) ?? [];
        if (elements.length === 0 || elements.length > 5)
          problems.push(`${at}: ${elements.length} context_actions elements`);
        for (const e of elements) {
          if (e.type !== 'feedback_buttons' && e.type !== 'icon_button')
            problems.push(`${at}: ${String(e.type)} not allowed in context_actions`);
          for (const side of ['positive_button', 'negative_button']) {
            const button = e[side] as Loose | undefined;
            if (e.type === 'feedback_buttons' && !button) problems.push(`${at}: ${side} missing`);
            if (button && String(button.value ?? '').length > 2000)
              problems.push(`${at}: ${side} value over 2000`);
            if (button && String(button.accessibility_label ?? '').length > 75)
              problems.push(`${at}: ${side} accessibility_label over 75`);
          }
        }
        break;
      }
      case 'markdown':
        if (String(b.text ?? '').length === 0) problems.push(`${at}: empty markdown block`);
        break;
      case 'table': {
        const rows = (b.rows as Loose[][] | undefined) ?? [];
        if (rows.length === 0 || rows.length > 100) problems.push(`${at}: ${rows.length} rows`);
        for (const row of rows) {
          if (row.length === 0 || row.length > 20) problems.push(`${at}: a row of ${row.length} cells`);
          for (const cell of row) {
            if (cell.type === 'raw_text' && String(cell.text ?? '').length === 0)
              problems.push(`${at}: empty raw_text cell`);
            if (cell.type !== 'raw_text' && cell.type !== 'rich_text' && cell.type !== 'raw_number')
              problems.push(`${at}: ${String(cell.type)} cell`);
          }
        }
        const settings = (b.column_settings as unknown[] | undefined) ?? [];
        if (settings.length > 20) problems.push(`${at}: ${settings.length} column_settings`);
        break;
      }
      case 'divider':
        break;
      default:
        problems.push(`${at}: unexpected block type`);
    }
  });
  return problems;
}

/** Every limit a modal view breaks. */
export function modalViolations(view: Loose): string[] {
  const problems = blockViolations(view.blocks as unknown[], 100);
  if (textOf(view.title).length > 24) problems.push('title over 24');
  if (textOf(view.submit).length > 24) problems.push('submit over 24');
  if (textOf(view.close).length > 24) problems.push('close over 24');
  if (String(view.private_metadata ?? '').length > 3000) problems.push('private_metadata over 3000');
  return problems;
}
