// Saving and changing requests, and queueing what must be sent because of it.
//
// Order of writes, so a crash can never produce a post without a record: the outbox jobs are written first,
// then the record. Jobs carry no content; the worker renders each one from the record when it delivers, and
// holds back (then abandons) a job whose record never appeared. A failed record write removes the jobs it
// queued, so a store failure leaves neither.
import { randomUUID } from 'node:crypto';
import type { ChannelRegistry } from '../channels/channel-adapter.ts';
import type { Logger } from '../logging/logger.ts';
import type { DocumentStore } from '../store/document-store.ts';
import { newJob, type OutboxJob, type OutboxRepository } from '../store/repositories/outbox.ts';
import type { RequestRepository } from '../store/repositories/requests.ts';
import {
  type ArticleLink,
  formatReference,
  type HistoryEntry,
  priorityOf,
  type RequestDetails,
  type Requester,
  type RequestRecord,
  type RequestSource,
  type RequestStatus,
} from './request-schema.ts';
import { destinationsFor, type Routing } from './routing.ts';

/** Who made a change. */
export interface Actor {
  /** `platform:userId`. */
  key: string;
  name: string;
}

/** What a change does to a request, decided against its current state. */
export type ChangeDecision =
  | { refuse: string }
  | {
      action: HistoryEntry['action'];
      note?: string | null;
      toStatus?: RequestStatus | null;
      patch?: Partial<Pick<RequestRecord, 'assignee' | 'priority'>>;
      /** The article the change points at (an 'answered' change). */
      article?: ArticleLink;
      /** Send the requester a direct message about it. */
      notify: boolean;
    };

export type ChangeOutcome =
  | { kind: 'changed'; record: RequestRecord; entry: HistoryEntry }
  | { kind: 'refused'; message: string; record: RequestRecord }
  | { kind: 'missing' }
  | { kind: 'conflict' };

export interface RequestService {
  /** Numbers, stores and queues a new request. Resolves only once the record is stored. */
  create(input: {
    details: RequestDetails;
    requester: Requester;
    source: RequestSource;
    secretsMasked: boolean;
    now: Date;
  }): Promise<RequestRecord>;
  /** Applies a change with optimistic concurrency, re-deciding against the latest record on a conflict. */
  change(
    reference: string,
    actor: Actor,
    now: Date,
    decide: (current: RequestRecord) => ChangeDecision,
  ): Promise<ChangeOutcome>;
}

export interface RequestServiceDeps {
  store: DocumentStore;
  requests: RequestRepository;
  outbox: OutboxRepository;
  routing: Routing;
  channels: ChannelRegistry;
  logger: Logger;
  /** Wakes the outbox worker after jobs were written. */
  kick: () => void;
}

/** The request service over repositories. */
export function createRequestService(deps: RequestServiceDeps): RequestService {
  const { requests, outbox, logger } = deps;

  /** Writes jobs one by one; if one fails, removes the ones written and rethrows. */
  async function enqueueAll(jobs: OutboxJob[]): Promise<string[]> {
    const added: string[] = [];
    try {
      for (const job of jobs) added.push(...(await outbox.enqueue([job])));
      return added;
    } catch (error) {
      await undo(added);
      throw error;
    }
  }

  async function undo(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await outbox.remove(ids).catch((error: unknown) => {
      // Left behind, they are abandoned by the worker because their record never appears.
      logger.warn({ err: error, jobs: ids.length }, 'Could not remove outbox jobs of an unsaved change');
    });
  }

  return {
    async create({ details, requester, source, secretsMasked, now }) {
      const reference = formatReference(await deps.store.nextSequence('request'));
      const at = now.toISOString();
      const requesterKey = `${requester.platform}:${requester.userId}`;
      const record: RequestRecord = {
        reference,
        ...details,
        priority: priorityOf(details.urgency, details.impact),
        status: 'new',
        requester,
        requesterKey,
        department: requester.department ?? null,
        source,
        assignee: null,
        history: [
          {
            id: randomUUID(),
            at,
            by: requester.name,
            byKey: requesterKey,
            action: 'created',
            note: null,
            toStatus: 'new',
          },
        ],
        secretsMasked,
        createdAt: at,
        updatedAt: at,
        acknowledgedAt: null,
        resolvedAt: null,
        version: 1,
      };
      const destinations = destinationsFor(deps.routing, record);
      const jobs = destinations.map((d) =>
        newJob(
          {
            id: `${reference}|post|${d.platform}:${d.id}`,
            kind: 'post',
            subject: reference,
            platform: d.platform,
            destination: d.id,
          },
          now,
        ),
      );
      const added = await enqueueAll(jobs);
      try {
        await requests.insert(record);
      } catch (error) {
        await undo(added);
        throw error;
      }
      if (destinations.length === 0)
        logger.warn({ reference }, 'No IT_DESTINATIONS: the request is stored but posted nowhere');
      deps.kick();
      return record;
    },

    async change(reference, actor, now, decide) {
      for (let attempt = 0; attempt < 3; attempt++) {
        const current = await requests.get(reference);
        if (!current) return { kind: 'missing' };
        const decision = decide(current);
        if ('refuse' in decision) return { kind: 'refused', message: decision.refuse, record: current };
        const at = now.toISOString();
        const toStatus = decision.toStatus ?? null;
        const entry: HistoryEntry = {
          id: randomUUID(),
          at,
          by: actor.name,
          byKey: actor.key,
          action: decision.action,
          note: decision.note ?? null,
          toStatus,
          ...(decision.article ? { article: decision.article } : {}),
        };
        const status = toStatus ?? current.status;
        const next: RequestRecord = {
          ...current,
          ...decision.patch,
          status,
          history: [...current.history, entry],
          updatedAt: at,
          acknowledgedAt: current.acknowledgedAt ?? (status !== 'new' ? at : null),
          resolvedAt: toStatus === 'resolved' ? at : current.resolvedAt,
          version: current.version + 1,
        };

        const jobs: OutboxJob[] = [];
        for (const post of await outbox.bySubject(reference)) {
          if (post.kind !== 'post' || post.status === 'failed') continue;
          jobs.push(
            newJob(
              {
                id: `${reference}|update|${post.id}|${entry.id}`,
                kind: 'update',
                subject: reference,
                platform: post.platform,
                destination: post.id,
              },
              now,
            ),
          );
        }
        if (decision.notify) {
          if (deps.channels.get(current.requester.platform)) {
            jobs.push(
              newJob(
                {
                  id: `${reference}|direct|${entry.id}`,
                  kind: 'direct',
                  subject: reference,
                  platform: current.requester.platform,
                  destination: current.requester.userId,
                  detail: entry.id,
                },
                now,
              ),
            );
          } else
            logger.info(
              { reference, platform: current.requester.platform },
              'No channel to message the requester on',
            );
        }
        const added = await enqueueAll(jobs);
        let stored: boolean;
        try {
          stored = await requests.replace(next, current.version);
        } catch (error) {
          await undo(added);
          throw error;
        }
        if (stored) {
          deps.kick();
          return { kind: 'changed', record: next, entry };
        }
        await undo(added);
      }
      return { kind: 'conflict' };
    },
  };
}
