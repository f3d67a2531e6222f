import { unary, type MeteringClients } from '../../libs/testing/src/clients';
import { GetUsageRequest } from '../../libs/contract/src/generated/client/metering/v1/aggregation';
import type { UsageCodeResult, UsageResult, UsageTask } from './protocol';

/** GetUsage, one call at a time, for each code in turn: the same question as the raw SQL baseline. */
export async function usageLoop(clients: MeteringClients, task: UsageTask): Promise<UsageResult> {
  const perCode: Record<string, UsageCodeResult> = {};
  for (const code of task.codes) perCode[code] = await usageOfCode(clients, task, code);
  return { kind: 'usage', perCode };
}

async function usageOfCode(
  clients: MeteringClients,
  task: UsageTask,
  code: string,
): Promise<UsageCodeResult> {
  const result: UsageCodeResult = {
    latenciesMs: [],
    errors: 0,
    errorSamples: [],
    value: '',
    eventsCount: '',
  };
  const request = GetUsageRequest.fromPartial({
    externalSubscriptionId: task.subscription,
    code,
    from: new Date(task.window.from),
    to: new Date(task.window.to),
  });
  for (let i = 0; i < task.warmup + task.runs; i++) {
    const started = performance.now();
    try {
      const usage = await unary(clients.aggregation, 'getUsage', request, task.apiKey);
      if (i >= task.warmup) result.latenciesMs.push(performance.now() - started);
      result.value = usage.value;
      result.eventsCount = usage.eventsCount;
    } catch (error) {
      result.errors += 1;
      if (result.errorSamples.length < 5) result.errorSamples.push((error as Error).message);
    }
  }
  return result;
}
