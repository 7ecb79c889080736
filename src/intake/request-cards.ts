// The neutral replies of intake: the questions, the summary to confirm, the card IT triages from, status
// cards and the requester's direct messages. Every user-typed value goes through escapeMarkdown.

import { escapeMarkdown, safeUrl, truncate } from '../messages/markdown.ts';
import { type Button, type Card, type Field, type Reply, reply } from '../messages/replies.ts';
import { formatCalendarDate } from '../time/zoned-time.ts';
import {
  type DraftField,
  type HistoryEntry,
  impactLabel,
  impacts,
  labels,
  priorities,
  type RequestDraft,
  type RequestRecord,
  requestKinds,
  urgencies,
} from './request-schema.ts';

/** Action ids of intake's buttons. */
export const intakeActions = {
  /** Value `field=value`: answers a choice question. */
  set: 'intake.set',
  confirm: 'intake.confirm',
  edit: 'intake.edit',
  cancel: 'intake.cancel',
  /** Value: reference. The requester answers IT's question. */
  reply: 'intake.reply',
  /** Value: reference. Shows the status card. */
  status: 'intake.status',
} as const;

/** Action ids of the triage buttons on the IT card; the value is the reference (priority: `IT-0042 P1`). */
export const triageActions = {
  ack: 'triage.ack',
  assignMe: 'triage.assign_me',
  priority: 'triage.priority',
  ask: 'triage.ask',
  resolve: 'triage.resolve',
  /** Resolves the request by pointing the requester at a knowledge-base article (opens a form). */
  answeredByArticle: 'triage.answered_by_article',
  decline: 'triage.decline',
  close: 'triage.close',
} as const;

/** Form ids. */
export const intakeForms = {
  request: 'intake.request',
  reply: 'intake.reply',
  ask: 'triage.ask',
  decline: 'triage.decline',
  answeredByArticle: 'triage.answered_by_article',
} as const;

const questions: Record<DraftField, string> = {
  description: 'What do you need from IT? Tell me in a sentence or two.',
  kind: 'What kind of request is it?',
  title: 'What short title should IT see for this?',
  businessNeed: 'Why does it matter — what will it let you do, or what is it stopping you from doing?',
  expectedBenefit: 'What benefit do you expect from it?',
  costOrRisk: 'What might it cost, or what are the risks? A rough idea is fine.',
  sponsor: 'Who is the executive sponsor? (Say _not yet_ if there isn’t one.)',
  urgency: 'How urgent is it?',
  impact: 'Who does it affect?',
  neededBy: 'Is there a date you need it by? Write it like 2026-03-31, or say _no date_.',
  affected: 'Who is affected? A person, team or department.',
};

const urgencyHints: Record<(typeof urgencies)[number], string> = {
  low: 'Low',
  medium: 'Medium',
  high: 'High – blocking my work',
  critical: 'Critical – many people blocked',
};

/** The one question for `field`, with buttons where there are few answers. */
export function questionFor(field: DraftField): Reply {
  const set = (f: string, v: string, label: string) => reply.button(label, intakeActions.set, `${f}=${v}`);
  switch (field) {
    case 'kind':
      return reply.choices(
        questions.kind,
        requestKinds.map((k) => set('kind', k, labels.kind[k])),
      );
    case 'urgency':
      return reply.choices(
        questions.urgency,
        urgencies.map((u) => set('urgency', u, urgencyHints[u])),
      );
    case 'impact':
      return reply.choices(
        questions.impact,
        impacts.map((i) => set('impact', i, labels.impact[i])),
      );
    default:
      return reply.text(questions[field]);
  }
}

function value(v: string | null | undefined): string {
  return v ? escapeMarkdown(v) : '—';
}

function detailFields(d: RequestDraft, requesterName?: string): Field[] {
  const fields: Field[] = [
    { label: 'Kind', value: d.kind ? labels.kind[d.kind] : '—' },
    { label: 'Urgency', value: d.urgency ? labels.urgency[d.urgency] : '—' },
    { label: 'Who it affects', value: d.impact ? impactLabel(d.impact, d.affected, requesterName) : '—' },
  ];
  if (d.neededBy) fields.push({ label: 'Needed by', value: escapeMarkdown(formatCalendarDate(d.neededBy)) });
  if (d.affected) fields.push({ label: 'Affected', value: escapeMarkdown(d.affected) });
  return fields;
}

function detailSections(d: RequestDraft): Card['sections'] {
  const sections: Card['sections'] = [{ heading: 'What', text: value(d.description) }];
  if (d.businessNeed) sections.push({ heading: 'Why it matters', text: escapeMarkdown(d.businessNeed) });
  if (d.kind === 'project' || d.expectedBenefit || d.costOrRisk || d.sponsor) {
    sections.push({
      heading: 'Project',
      fields: [
        { label: 'Expected benefit', value: value(d.expectedBenefit) },
        { label: 'Cost or risk', value: value(d.costOrRisk) },
        { label: 'Executive sponsor', value: value(d.sponsor) },
      ],
    });
  }
  return sections;
}

/** The summary the requester confirms before anything is saved. */
export function confirmCard(draft: RequestDraft): Card {
  return {
    type: 'card',
    kind: 'request',
    title: draft.title ? escapeMarkdown(draft.title) : 'Your request',
    subtitle: 'Here is what I will send to IT. Anything to change?',
    sections: [...detailSections(draft), { fields: detailFields(draft) }],
    actions: [
      reply.button('Confirm', intakeActions.confirm, undefined, 'primary'),
      reply.button('Edit as form', intakeActions.edit),
      reply.button('Cancel', intakeActions.cancel, undefined, 'danger'),
    ],
    footer: 'You can also tell me a change, like _actually it’s urgent_ or _change the title to …_',
  };
}

function whenText(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

function historyLine(e: HistoryEntry): string {
  const what = {
    created: 'created the request',
    acknowledged: 'acknowledged it',
    assigned: 'took it on',
    priority_changed: 'changed the priority',
    asked: 'asked a question',
    replied: 'replied',
    resolved: 'resolved it',
    answered: 'answered it with an article',
    declined: 'declined it',
    closed: 'closed it',
  }[e.action];
  const article = e.article ? ` [${escapeMarkdown(e.article.title)}](${e.article.url})` : '';
  const note = e.note ? `: ${escapeMarkdown(truncate(e.note, 300))}` : '';
  return `- ${whenText(e.at)} · ${escapeMarkdown(e.by)} ${what}${article}${note}`;
}

/** The buttons IT sees for a request in its current status. */
export function triageButtons(record: RequestRecord): Button[] {
  const ref = record.reference;
  const b = (label: string, id: string, style?: Button['style']) => reply.button(label, id, ref, style);
  switch (record.status) {
    case 'new':
      return [
        b('Acknowledge', triageActions.ack, 'primary'),
        b('Assign to me', triageActions.assignMe),
        b('Priority', triageActions.priority),
        b('Ask requester', triageActions.ask),
        b('Resolve', triageActions.resolve),
        b('Answered by article', triageActions.answeredByArticle),
        b('Decline', triageActions.decline, 'danger'),
      ];
    case 'acknowledged':
    case 'in_progress':
    case 'waiting_on_requester':
      return [
        b('Assign to me', triageActions.assignMe),
        b('Priority', triageActions.priority),
        ...(record.status === 'waiting_on_requester' ? [] : [b('Ask requester', triageActions.ask)]),
        b('Resolve', triageActions.resolve, 'primary'),
        b('Answered by article', triageActions.answeredByArticle),
        b('Decline', triageActions.decline, 'danger'),
      ];
    case 'resolved':
      return [b('Close', triageActions.close)];
    default:
      return [];
  }
}

/** A known issue (an announced outage or maintenance) an incident request is about, as the IT card links it. */
export interface LinkedKnownIssue {
  title: string;
  url: string | undefined;
}

/** The structured summary posted to IT channels and updated in place as it changes, with matching known issues. */
export function summaryCard(record: RequestRecord, knownIssues: readonly LinkedKnownIssue[] = []): Card {
  const fields: Field[] = [
    { label: 'Status', value: labels.status[record.status] },
    { label: 'Priority', value: record.priority },
    { label: 'Requester', value: `${escapeMarkdown(record.requester.name)} (${record.requester.platform})` },
    { label: 'Department', value: value(record.department) },
    { label: 'Assignee', value: record.assignee ? escapeMarkdown(record.assignee.name) : 'Nobody yet' },
    ...detailFields(record, record.requester.name),
  ];
  const recent = record.history.slice(-5);
  return {
    type: 'card',
    kind: 'request',
    title: `${record.reference} · ${escapeMarkdown(record.title)}`,
    subtitle: `${labels.kind[record.kind]} · ${record.priority} · ${labels.status[record.status]}`,
    sections: [
      ...(knownIssues.length > 0
        ? [
            {
              heading: 'Known issue',
              text: knownIssues
                .map((k) =>
                  k.url && /^https?:\/\//i.test(k.url)
                    ? `[${escapeMarkdown(k.title)}](${safeUrl(k.url)})`
                    : `**${escapeMarkdown(k.title)}**`,
                )
                .map((line) => `- ${line} was announced for this service when the request came in.`)
                .join('\n'),
            },
          ]
        : []),
      ...detailSections(record),
      { fields },
      { heading: 'History', text: recent.map(historyLine).join('\n') },
    ],
    actions: triageButtons(record),
    ...(record.source.sourceUrl && /^https?:\/\//i.test(record.source.sourceUrl)
      ? { link: { label: 'Open the conversation', url: record.source.sourceUrl } }
      : {}),
    footer: `Raised ${whenText(record.createdAt)}${record.secretsMasked ? ' · something that looked like a secret was hidden' : ''}`,
  };
}

/** The requester's view of one request: status, priority and the latest history. */
export function statusCard(record: RequestRecord): Card {
  return {
    type: 'card',
    kind: 'request',
    title: `${record.reference} · ${escapeMarkdown(record.title)}`,
    subtitle: `${labels.status[record.status]} · ${record.priority}`,
    sections: [
      {
        fields: [
          { label: 'Status', value: labels.status[record.status] },
          { label: 'Kind', value: labels.kind[record.kind] },
          {
            label: 'Assignee',
            value: record.assignee ? escapeMarkdown(record.assignee.name) : 'Not assigned yet',
          },
        ],
      },
      { heading: 'Latest', text: record.history.slice(-3).map(historyLine).join('\n') },
    ],
    ...(record.status === 'waiting_on_requester'
      ? { actions: [reply.button('Reply to IT', intakeActions.reply, record.reference, 'primary')] }
      : {}),
  };
}

/** The requester's requests as one list card. */
export function myRequestsCard(records: RequestRecord[]): Card {
  return {
    type: 'card',
    kind: 'list',
    title: 'Your requests',
    sections: [
      {
        text: records
          .map(
            (r) =>
              `- **${r.reference}** ${escapeMarkdown(truncate(r.title, 80))} — ${labels.status[r.status]}, updated ${r.updatedAt.slice(0, 10)}`,
          )
          .join('\n'),
      },
    ],
    footer: 'Say _status IT-0042_ (with your reference) for the details of one.',
  };
}

/** The direct message a requester gets when IT changes their request. */
export function directMessage(record: RequestRecord, entry: HistoryEntry): Reply[] {
  const head = `**${record.reference}** · ${escapeMarkdown(truncate(record.title, 100))}`;
  const by = escapeMarkdown(entry.by);
  const note = entry.note ? escapeMarkdown(entry.note) : '';
  switch (entry.action) {
    case 'asked':
      return [
        reply.text(`${head}\n${by} from IT has a question for you:\n${note}`),
        reply.choices('Reply when you can — your request waits for you.', [
          reply.button('Reply to IT', intakeActions.reply, record.reference, 'primary'),
        ]),
      ];
    case 'declined':
      return [reply.text(`${head}\n${by} from IT declined this request.${note ? `\nReason: ${note}` : ''}`)];
    case 'answered':
      return [
        reply.text(
          `${head}\n${by} from IT says this article answers it: ${
            entry.article
              ? `[${escapeMarkdown(entry.article.title)}](${entry.article.url})`
              : 'see the knowledge base'
          }${note ? `\n${note}` : ''}\nIf it doesn't sort it out, tell me and I'll help you raise it again.`,
        ),
      ];
    case 'resolved':
      return [
        reply.text(
          `${head}\n${by} from IT marked this as resolved.${note ? `\n${note}` : ''}\nIf it isn't sorted, tell me and I'll help you raise it again.`,
        ),
      ];
    default: {
      const status = entry.toStatus ? labels.status[entry.toStatus] : labels.status[record.status];
      return [
        reply.text(
          `${head}\nUpdate from IT: it's now **${status}**${entry.action === 'assigned' ? ` — ${by} is on it` : ''}.`,
        ),
      ];
    }
  }
}

/** The priority choices offered to IT. */
export function priorityChoices(record: RequestRecord): Reply {
  return reply.choices(
    `Priority for ${record.reference} (now ${record.priority}):`,
    priorities.map((p) => reply.button(p, triageActions.priority, `${record.reference} ${p}`)),
  );
}
