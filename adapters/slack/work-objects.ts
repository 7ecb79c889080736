// Links to IT requests (`<PUBLIC_URL>/requests/IT-0042`) as Slack Work Objects: a Task entity for chat.unfurl and
// the details flexpane (entity.presentDetails). Slack's "Work Objects overview": an unfurl is visible to everyone
// in the conversation, so it names the request only when the requester shared their own link, or IT staff shared
// it in an IT channel; anywhere else it is a plain "IT request". The flexpane is asked for, and checked, per viewer.
import type { types } from '@slack/bolt';
import { labels, type RequestRecord } from '../../src/intake/request-schema.ts';

/** The request reference a URL points at, when it is one of this server's request links. */
export function requestReferenceOf(url: string, publicUrl: string): string | undefined {
  const base = publicUrl.replace(/\/+$/, '');
  if (!url.startsWith(`${base}/requests/`)) return undefined;
  const match = /^\/requests\/(IT-\d{4,})\/?(?:[?#].*)?$/.exec(url.slice(base.length));
  return match?.[1];
}

/** Who may see a request's details: its requester, and IT staff or admins. */
export function maySee(record: RequestRecord, viewerKey: string, canTriage: boolean): boolean {
  return record.requesterKey === viewerKey || canTriage;
}

/**
 * Whether an unfurl, which everyone in the conversation sees, may show the request: when the requester shares
 * their own request, or when IT staff share it in a channel where IT requests are posted (IT_DESTINATIONS and
 * IT_ROUTES). An IT person pasting someone's request into another channel must not show it to that channel.
 */
export function unfurlShowsRequest(
  record: RequestRecord,
  sharer: { key: string; canTriage: boolean },
  channel: string | undefined,
  itChannels: ReadonlySet<string>,
): boolean {
  if (record.requesterKey === sharer.key) return true;
  return sharer.canTriage && channel !== undefined && itChannels.has(channel);
}

type EntityMetadata = types.EntityMetadata;

const entityType = 'slack#/entities/task';
const seconds = (iso: string) => Math.floor(Date.parse(iso) / 1000);

/** The Work Object of a request someone may see: title, status, priority and assignee (and, in detail, more). */
export function requestEntity(
  record: RequestRecord,
  link: { posted: string; canonical: string },
  detail = false,
): EntityMetadata {
  const assignee = record.assignee;
  const slackAssignee = assignee?.key.startsWith('slack:') ? assignee.key.slice('slack:'.length) : undefined;
  return {
    entity_type: entityType,
    app_unfurl_url: link.posted,
    url: link.canonical,
    external_ref: { id: record.reference, type: 'it_request' },
    entity_payload: {
      attributes: {
        title: { text: `${record.reference} · ${record.title}`.slice(0, 200) },
        display_type: 'IT request',
        display_id: record.reference,
        product_name: 'IT Buddy',
      },
      fields: {
        status: { value: labels.status[record.status], label: 'Status' },
        priority: { value: record.priority, label: 'Priority' },
        ...(assignee
          ? {
              assignee: {
                type: 'slack#/types/user',
                label: 'Assignee',
                user: slackAssignee ? { user_id: slackAssignee } : { text: assignee.name },
              },
            }
          : {}),
        date_created: { value: seconds(record.createdAt), label: 'Opened' },
        date_updated: { value: seconds(record.updatedAt), label: 'Updated' },
        ...(detail && record.description
          ? { description: { value: record.description.slice(0, 2000), label: 'Description', long: true } }
          : {}),
      },
    },
  };
}

/** The Work Object anyone else sees: that it is an IT request, nothing about it. */
export function plainRequestEntity(
  reference: string,
  link: { posted: string; canonical: string },
): EntityMetadata {
  return {
    entity_type: entityType,
    app_unfurl_url: link.posted,
    url: link.canonical,
    external_ref: { id: reference, type: 'it_request' },
    entity_payload: {
      attributes: { title: { text: 'IT request' }, display_type: 'IT request', product_name: 'IT Buddy' },
    },
  };
}
