import { credentials } from '@grpc/grpc-js';
import { unary } from '../../libs/testing/src/clients';
import {
  IngestionServiceClient,
  ListEventsRequest,
} from '../../libs/contract/src/generated/client/metering/v1/ingestion';
import { latency, type Latency } from '../stats';
import type { PhaseContext } from './phases';

/** ListEvents latencies of one kind of page, and what the pages held. */
export interface ListEventsFigures {
  latencyMs: Latency;
  errors: number;
  errorSamples: string[];
  eventsPerPage: number;
}

/** Pages read per walk: page 1 is the newest; page DEPTH shows that a deep token costs no more. */
const DEPTH = 10;
const PAGE_SIZE = 100;

/**
 * ListEvents on the preloaded table, sequential calls from this process (latency, not throughput):
 * - `subscriptionFirstPage`: the newest 100 events of the hot subscription (SPEC: cost grows with the
 *   page, not the history, when a subscription is given);
 * - `subscriptionDeepPage`: page 10 of that list, reached through the tokens;
 * - `organizationFirstPage`: the newest 100 of the whole organization, no filter (cost grows with
 *   the organization's history: shown for contrast, no target).
 */
export async function listEventsPhase(
  address: string,
  apiKey: string,
  subscription: string,
  ctx: PhaseContext,
): Promise<Record<string, ListEventsFigures>> {
  const { warmup, runs } = ctx.config.usage;
  const client = new IngestionServiceClient(address, credentials.createInsecure());
  const list = (request: Partial<ListEventsRequest>) =>
    unary(client, 'listEvents', ListEventsRequest.fromPartial({ pageSize: PAGE_SIZE, ...request }), apiKey);
  const measure = async (
    name: string,
    call: () => Promise<number>,
    calls = runs,
  ): Promise<ListEventsFigures> => {
    const latencies: number[] = [];
    const errorSamples: string[] = [];
    let errors = 0;
    let eventsPerPage = 0;
    for (let i = 0; i < warmup + calls; i++) {
      const started = performance.now();
      try {
        eventsPerPage = await call();
        if (i >= warmup) latencies.push(performance.now() - started);
      } catch (error) {
        errors += 1;
        if (errorSamples.length < 5) errorSamples.push((error as Error).message);
      }
    }
    const figures = { latencyMs: latency(latencies), errors, errorSamples, eventsPerPage };
    ctx.log(
      `  ListEvents ${name}: p50 ${figures.latencyMs.p50} ms, p99 ${figures.latencyMs.p99} ms, ${eventsPerPage} events/page, errors ${errors}`,
    );
    return figures;
  };
  try {
    ctx.log(`ListEvents: 3 kinds of page × (${warmup} warm-up + ${runs} measured) calls`);
    let deepToken = '';
    for (let page = 1; page < DEPTH; page++) {
      deepToken = (await list({ externalSubscriptionId: subscription, pageToken: deepToken })).nextPageToken;
    }
    return {
      subscriptionFirstPage: await measure(
        'subscription, first page',
        async () => (await list({ externalSubscriptionId: subscription })).events.length,
      ),
      subscriptionDeepPage: await measure(
        `subscription, page ${DEPTH}`,
        async () =>
          (await list({ externalSubscriptionId: subscription, pageToken: deepToken })).events.length,
      ),
      // It reads every pointer of the organization: 20 calls at most keep the full run short.
      organizationFirstPage: await measure(
        'organization, first page',
        async () => (await list({})).events.length,
        Math.min(runs, 20),
      ),
    };
  } finally {
    client.close();
  }
}
