// An announcement: the one zod schema for what liaisons publish, and the form that is derived from it.
//
// The schema is the source of truth: stored documents extend it, form submissions are validated by it (its
// messages become the form's field errors), and the form's fields are listed against its keys.
import { z } from 'zod';
import type { Form, FormField } from '../messages/replies.ts';
import { formatLocalInput, parseLocalDateTime } from '../time/zoned-time.ts';

export const announcementCategories = ['change', 'coming_up', 'maintenance', 'tip', 'success'] as const;
export type AnnouncementCategory = (typeof announcementCategories)[number];

/** How each category is named to people. */
export const categoryLabels: Record<AnnouncementCategory, string> = {
  change: 'A change',
  coming_up: 'Coming up',
  maintenance: 'Maintenance or outage',
  tip: 'A tip',
  success: 'A success story',
};

export const announcementStatuses = ['draft', 'scheduled', 'sent', 'withdrawn'] as const;
export type AnnouncementStatus = (typeof announcementStatuses)[number];

const keyword = z
  .string()
  .trim()
  .toLowerCase()
  .min(2, 'each keyword needs at least 2 characters')
  .max(40, 'keep each keyword under 40 characters');

/** What an announcement says: the fields a liaison fills in. */
export const announcementContentSchema = z
  .object({
    title: z
      .string({ error: 'give it a short title' })
      .trim()
      .min(3, 'give it a short title (at least 3 characters)')
      .max(120, 'keep the title under 120 characters'),
    what: z
      .string({ error: 'say what is changing' })
      .trim()
      .min(10, 'say what is changing in a sentence or two')
      .max(1000, 'keep it under 1,000 characters; link to the details'),
    who: z
      .string({ error: 'say who is affected' })
      .trim()
      .min(2, 'say who is affected, e.g. "everyone" or "Finance"')
      .max(200, 'keep it under 200 characters'),
    startsAt: z.iso.datetime({ error: 'use a date like 2026-11-30 or 2026-11-30 09:00' }),
    endsAt: z.iso.datetime({ error: 'use a date like 2026-11-30 14:00' }).nullable(),
    category: z.enum(announcementCategories, { error: 'pick a category' }),
    link: z
      .url({ protocol: /^https$/, hostname: z.regexes.domain, error: 'use a full https:// link' })
      .max(500, 'keep the link under 500 characters')
      .nullable(),
    keywords: z.array(keyword).max(10, 'use at most 10 keywords'),
  })
  .superRefine((a, ctx) => {
    if (a.endsAt && a.endsAt <= a.startsAt) {
      ctx.addIssue({ code: 'custom', path: ['endsAt'], message: 'the end must be after the start' });
    }
    if (a.category === 'maintenance' && !a.endsAt) {
      ctx.addIssue({
        code: 'custom',
        path: ['endsAt'],
        message: 'maintenance needs an end time, so the known-issue notice stops on time',
      });
    }
    if (a.category === 'maintenance' && a.keywords.length === 0) {
      ctx.addIssue({
        code: 'custom',
        path: ['keywords'],
        message: 'name the affected service (e.g. vpn) so questions about it get the notice',
      });
    }
  });
export type AnnouncementContent = z.infer<typeof announcementContentSchema>;

/** A stored announcement: its content plus who wrote it and where it stands. */
export const announcementSchema = z.object({
  id: z.string().min(1),
  ...announcementContentSchema.shape,
  authorKey: z.string().min(1),
  authorName: z.string().max(200).nullable(),
  status: z.enum(announcementStatuses),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  /** The newsletter issue that carried it, once sent. */
  sentInIssue: z.string().nullable(),
});
export type Announcement = z.infer<typeof announcementSchema>;

/** How far back an announcement without an end still counts as current, and how far ahead upcoming ones show. */
export const announcementWindow = { recentMs: 14 * 86_400_000, aheadMs: 60 * 86_400_000 } as const;

/**
 * The announcements in effect at `now` (started, not ended; without an end, started in the last two weeks), newest
 * first, then the upcoming ones (starting in the next two months), soonest first — whether or not a newsletter has
 * carried them yet.
 */
export function currentAndUpcoming(
  announcements: readonly Announcement[],
  now: Date,
): { current: Announcement[]; upcoming: Announcement[] } {
  const nowIso = now.toISOString();
  const recent = new Date(now.getTime() - announcementWindow.recentMs).toISOString();
  const ahead = new Date(now.getTime() + announcementWindow.aheadMs).toISOString();
  const published = announcements.filter((a) => a.status === 'scheduled' || a.status === 'sent');
  const current = published
    .filter((a) => a.startsAt <= nowIso && (a.endsAt ? a.endsAt > nowIso : a.startsAt >= recent))
    .sort((a, b) => b.startsAt.localeCompare(a.startsAt));
  const upcoming = published
    .filter((a) => a.startsAt > nowIso && a.startsAt <= ahead)
    .sort((a, b) => a.startsAt.localeCompare(b.startsAt));
  return { current, upcoming };
}

/** The form id adapters render as a Slack modal, a Teams card or an HTML form. */
export const announceFormId = 'announce.create';

type FormFieldName =
  | 'title'
  | 'what'
  | 'who'
  | 'starts'
  | 'ends'
  | 'category'
  | 'link'
  | 'keywords'
  | 'publish';

/** The form's fields, in order. Names map to schema keys through `fieldFor` below. */
const formFields: (FormField & { name: FormFieldName })[] = [
  {
    name: 'title',
    label: 'Title',
    kind: 'text',
    required: true,
    maxLength: 120,
    placeholder: 'VPN maintenance',
  },
  {
    name: 'what',
    label: 'What is changing',
    kind: 'textarea',
    required: true,
    maxLength: 1000,
    placeholder: 'The VPN will be unavailable while we upgrade it.',
  },
  {
    name: 'who',
    label: 'Who is affected',
    kind: 'text',
    required: true,
    maxLength: 200,
    placeholder: 'Everyone working remotely',
  },
  {
    name: 'starts',
    label: 'When it takes effect',
    kind: 'text',
    required: true,
    placeholder: '2026-11-30 09:00',
    hint: 'A date, or a date and time (24-hour), in the organisation’s time zone.',
  },
  {
    name: 'ends',
    label: 'Until (optional)',
    kind: 'text',
    required: false,
    placeholder: '2026-11-30 14:00',
    hint: 'Required for maintenance and outages.',
  },
  {
    name: 'category',
    label: 'Category',
    kind: 'select',
    required: true,
    options: announcementCategories.map((value) => ({ value, label: categoryLabels[value] })),
  },
  {
    name: 'link',
    label: 'Link (optional)',
    kind: 'text',
    required: false,
    maxLength: 500,
    placeholder: 'https://…',
  },
  {
    name: 'keywords',
    label: 'Services or topics (optional)',
    kind: 'text',
    required: false,
    placeholder: 'vpn, remote access',
    hint: 'Comma-separated. Questions mentioning these get the notice while maintenance is under way.',
  },
  {
    name: 'publish',
    label: 'Publish',
    kind: 'select',
    required: true,
    options: [
      { value: 'scheduled', label: 'Include in the next newsletter' },
      { value: 'draft', label: 'Save as a draft' },
    ],
  },
];

/** Which form field shows the error for a schema key. */
const fieldFor: Record<keyof AnnouncementContent, FormFieldName> = {
  title: 'title',
  what: 'what',
  who: 'who',
  startsAt: 'starts',
  endsAt: 'ends',
  category: 'category',
  link: 'link',
  keywords: 'keywords',
};

/** The announcement form, optionally filled in and with field errors from the last submission. */
export function announcementForm(options: {
  values?: Record<string, string>;
  errors?: Record<string, string>;
  /** The announcement being edited, if any. */
  editing?: string;
  intro?: string;
}): Form {
  return {
    type: 'form',
    id: announceFormId,
    title: options.editing ? 'Edit announcement' : 'New announcement',
    intro:
      options.intro ??
      'It goes into the next IT newsletter. Maintenance in progress is also shown to anyone asking about the affected service.',
    submitLabel: options.editing ? 'Save changes' : 'Publish',
    fields: formFields,
    ...(options.values ? { values: options.values } : {}),
    ...(options.errors && Object.keys(options.errors).length > 0 ? { errors: options.errors } : {}),
    ...(options.editing ? { state: options.editing } : {}),
  };
}

/** The form values that show an existing announcement. */
export function formValuesOf(a: Announcement, timeZone: string): Record<string, string> {
  return {
    title: a.title,
    what: a.what,
    who: a.who,
    starts: formatLocalInput(new Date(a.startsAt), timeZone),
    ends: a.endsAt ? formatLocalInput(new Date(a.endsAt), timeZone) : '',
    category: a.category,
    link: a.link ?? '',
    keywords: a.keywords.join(', '),
    publish: a.status === 'draft' ? 'draft' : 'scheduled',
  };
}

/** The outcome of reading a submitted form: valid content, or one message per field at fault. */
export type ParsedAnnouncement =
  | { ok: true; content: AnnouncementContent; publish: 'scheduled' | 'draft' }
  | { ok: false; errors: Record<string, string> };

/**
 * Reads submitted form values: times are read in `timeZone`, keywords split on commas, then everything is
 * validated by `announcementContentSchema`. Errors are keyed by form field name.
 */
export function parseAnnouncementForm(values: Record<string, string>, timeZone: string): ParsedAnnouncement {
  const errors: Record<string, string> = {};
  const text = (name: string) => (values[name] ?? '').trim();
  const when = (name: 'starts' | 'ends') => {
    const raw = text(name);
    if (!raw) return null;
    const parsed = parseLocalDateTime(raw, timeZone);
    if (!parsed) {
      errors[name] = 'use a date like 2026-11-30 or a date and time like 2026-11-30 14:00';
      return undefined;
    }
    return parsed.toISOString();
  };
  const startsAt = when('starts');
  const endsAt = when('ends');
  if (startsAt === null) errors.starts = 'say when it takes effect, e.g. 2026-11-30 09:00';
  const candidate = {
    title: text('title'),
    what: text('what'),
    who: text('who'),
    startsAt: startsAt ?? '',
    endsAt: endsAt ?? null,
    category: text('category'),
    link: text('link') || null,
    keywords: text('keywords')
      .split(',')
      .map((k) => k.trim())
      .filter(Boolean),
  };
  const parsed = announcementContentSchema.safeParse(candidate);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const key = issue.path[0] as keyof AnnouncementContent | undefined;
      const field = key ? fieldFor[key] : undefined;
      if (field && !errors[field]) errors[field] = issue.message;
    }
  }
  const publish = text('publish') || 'scheduled';
  if (publish !== 'scheduled' && publish !== 'draft')
    errors.publish = 'pick whether to publish or save a draft';
  if (Object.keys(errors).length > 0 || !parsed.success) return { ok: false, errors };
  return { ok: true, content: parsed.data, publish: publish as 'scheduled' | 'draft' };
}
