import type { MetricDefinition } from '../../../libs/common/src/domain';
import { InvalidArgumentError, NotFoundError } from '../../../libs/common/src/errors';
import { decodeCursor, page, pageSize } from '../../../libs/postgres/src/pagination';
import type { MetricRepository } from './metric.repository';
import { validateMetric, type MetricInput } from './metric.validation';

export interface MetricPage {
  metrics: MetricDefinition[];
  nextPageToken: string;
}

function notFound(code: string): NotFoundError {
  return new NotFoundError(`code: no billable metric "${code}"`);
}

function requireCode(code: string | undefined): string {
  if (!code) throw new InvalidArgumentError('code: required');
  return code;
}

/** Billable metric rules (SPEC §2.1); SQL lives in the repository. */
export class MetricService {
  constructor(private readonly metrics: MetricRepository) {}

  create(organizationId: string, input: MetricInput | null | undefined): Promise<MetricDefinition> {
    return this.metrics.create(organizationId, validateMetric(input));
  }

  async get(organizationId: string, code: string | undefined): Promise<MetricDefinition> {
    const metric = await this.metrics.findByCode(organizationId, requireCode(code));
    if (!metric) throw notFound(code!);
    return metric;
  }

  async list(
    organizationId: string,
    requestedSize: number | undefined,
    pageToken: string | undefined,
  ): Promise<MetricPage> {
    const size = pageSize(requestedSize);
    const rows = await this.metrics.list(organizationId, decodeCursor(pageToken), size + 1);
    const { items, nextPageToken } = page(rows, size);
    return { metrics: items, nextPageToken };
  }

  async update(
    organizationId: string,
    code: string | undefined,
    input: MetricInput | null | undefined,
  ): Promise<MetricDefinition> {
    const current = requireCode(code);
    const metric = await this.metrics.update(organizationId, current, validateMetric(input));
    if (!metric) throw notFound(current);
    return metric;
  }

  async delete(organizationId: string, code: string | undefined): Promise<MetricDefinition> {
    const metric = await this.metrics.softDelete(organizationId, requireCode(code));
    if (!metric) throw notFound(code!);
    return metric;
  }
}
