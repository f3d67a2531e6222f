import { InvalidArgumentError } from '../../common/src/errors';

/** A position in a list ordered by (created_at, id): created_at in microseconds since the epoch. */
export interface Cursor {
  createdAtUs: string;
  id: string;
}

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;

export function pageSize(requested: number | undefined): number {
  const size = requested ?? 0;
  if (size < 0 || size > MAX_PAGE_SIZE)
    throw new InvalidArgumentError(`page_size: must be from 0 to ${MAX_PAGE_SIZE}`);
  return size === 0 ? DEFAULT_PAGE_SIZE : size;
}

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(`${cursor.createdAtUs}:${cursor.id}`).toString('base64url');
}

export function decodeCursor(token: string | undefined): Cursor | null {
  if (!token) return null;
  const match = /^(\d{1,20}):([0-9a-f-]{36})$/.exec(Buffer.from(token, 'base64url').toString());
  if (!match) throw new InvalidArgumentError('page_token: not a token this service issued');
  return { createdAtUs: match[1], id: match[2] };
}

/** SQL pieces for keyset pagination; the caller numbers the two parameters. */
export const CURSOR_COLUMN = `(extract(epoch from created_at) * 1000000)::bigint::text AS cursor_us`;
export function cursorCondition(usParam: number, idParam: number): string {
  return `(created_at, id) > (to_timestamp(0) + $${usParam}::bigint * interval '1 microsecond', $${idParam}::uuid)`;
}

/** Fetches one more row than asked to know whether a next page exists. */
export function page<T extends { cursorUs: string; id: string }>(
  rows: T[],
  size: number,
): { items: T[]; nextPageToken: string } {
  const items = rows.slice(0, size);
  const last = items[items.length - 1];
  const nextPageToken =
    rows.length > size && last ? encodeCursor({ createdAtUs: last.cursorUs, id: last.id }) : '';
  return { items, nextPageToken };
}
