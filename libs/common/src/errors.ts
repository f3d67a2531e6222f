import { status } from '@grpc/grpc-js';

/**
 * Domain errors (docs/STYLE.md): domain code throws these; one gRPC exception filter maps them
 * to status codes. Messages name the field and the reason: `metric.field_name: required for SUM_AGG`.
 */
export abstract class DomainError extends Error {
  abstract readonly grpcCode: status;
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

export class InvalidArgumentError extends DomainError {
  readonly grpcCode = status.INVALID_ARGUMENT;
}

export class NotFoundError extends DomainError {
  readonly grpcCode = status.NOT_FOUND;
}

export class AlreadyExistsError extends DomainError {
  readonly grpcCode = status.ALREADY_EXISTS;
}

export class FailedPreconditionError extends DomainError {
  readonly grpcCode = status.FAILED_PRECONDITION;
}

export class UnauthenticatedError extends DomainError {
  readonly grpcCode = status.UNAUTHENTICATED;
}

export class UnavailableError extends DomainError {
  readonly grpcCode = status.UNAVAILABLE;
}

/** A gRPC error from another of our services: its code and message pass through unchanged. */
export class UpstreamError extends DomainError {
  constructor(
    readonly grpcCode: status,
    message: string,
  ) {
    super(message);
  }
}
