import { loadSync, type Options } from '@grpc/proto-loader';
import type { PackageDefinition } from '@grpc/proto-loader';
import { Reader } from 'protobufjs';
import { repoPath } from '../../common/src/repo-path';
import { FILE_DESCRIPTOR_SET_BASE64 } from './generated/descriptor';
// Importing the NestJS-mode modules registers ts-proto's protobufjs wrappers (Timestamp <-> Date,
// Struct <-> plain object) before any type is set up by the loader below.
import './generated/nest/metering/v1/common';
import './generated/nest/metering/v1/registry';
import './generated/nest/metering/v1/ingestion';
import './generated/nest/metering/v1/aggregation';
import { installStrictTimestamps } from './timestamp';

// After the generated modules: a Timestamp with nanos out of range decodes to an InvalidTimestamp.
installStrictTimestamps();

/**
 * The two halves of one contract, kept in one file so they cannot disagree:
 * - buf.gen.yaml runs ts-proto with `forceLong=string, snakeToCamel=true, stringEnums=true,
 *   useDate=true`, so the generated TypeScript types say: int64 is a string, fields are camelCase,
 *   enums are their names, Timestamps are Dates;
 * - NestJS decodes requests with proto-loader at run time, not with ts-proto's codecs, so the loader
 *   must be told the same: keepCase false, longs String, enums String. `defaults: true` fills unset
 *   scalars like proto3 does; `oneofs: true` tells whether an `optional` field was set.
 */
export const LOADER_OPTIONS = {
  keepCase: false,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
} satisfies Options;

export const PROTO_PACKAGE = 'metering.v1';

export const SERVICE_NAMES = {
  registry: 'metering.v1.MetricRegistryService',
  ingestion: 'metering.v1.IngestionService',
  aggregation: 'metering.v1.AggregationService',
} as const;

export const HEALTH_SERVICE_NAME = 'grpc.health.v1.Health';

export function fileDescriptorSet(): Buffer {
  return Buffer.from(FILE_DESCRIPTOR_SET_BASE64, 'base64');
}

/**
 * The encoded FileDescriptorProtos of the set, one per .proto file, as written by `buf build`.
 * Server reflection is given these, not the descriptors proto-loader re-derives (those merge files
 * by package and break every lookup across imports).
 */
export function fileDescriptorProtos(): Buffer[] {
  const reader = Reader.create(fileDescriptorSet());
  const files: Buffer[] = [];
  while (reader.pos < reader.len) {
    const tag = reader.uint32();
    // FileDescriptorSet { repeated FileDescriptorProto file = 1; }
    if (tag >>> 3 === 1 && (tag & 7) === 2) files.push(Buffer.from(reader.bytes()));
    else reader.skipType(tag & 7);
  }
  return files;
}

export const PROTO_FILES = [
  'metering/v1/registry.proto',
  'metering/v1/ingestion.proto',
  'metering/v1/aggregation.proto',
];

/**
 * The package definition NestJS serves, parsed from proto/ (descriptor sets would skip keepCase:
 * protobufjs keeps snake_case names when it reads descriptors).
 */
export function loadPackageDefinition(): PackageDefinition {
  return loadSync(PROTO_FILES, { ...LOADER_OPTIONS, includeDirs: [repoPath('proto')] });
}
