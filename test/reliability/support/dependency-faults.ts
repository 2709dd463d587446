import { InternalServerError, ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { KMSInternalException, KMSServiceException } from '@aws-sdk/client-kms';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Cipher, EncryptionContext } from '../../../shared/ports/cipher';
import { figures } from './report';

/**
 * Faults in the product's own dependencies, injected where the test stack builds them — a
 * middleware on the one DynamoDB document client, a wrapper around the cipher — never in product
 * code paths. Each fault fails the n-th call of a kind counted from the moment it is armed, the way
 * AWS fails a call: throttled (nothing happened), failed on the service's side (nothing happened),
 * or, for a write, done but its answer lost (the item is written, the caller sees an error).
 */

/** How a DynamoDB call fails. `lost-answer` writes and then throws, as a timeout after the write. */
export type DynamoFaultKind = 'throttle' | 'internal' | 'lost-answer';

/** DynamoDB's operation names as the SDK's context carries them: `PutItem`, `TransactWriteItems`, ... */
export type DynamoOperation = string;

const WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'TransactWriteItems', 'BatchWriteItem']);
export const isWrite = (operation: DynamoOperation): boolean => WRITES.has(operation);

const dynamoError = (kind: DynamoFaultKind): Error => {
  const $metadata = { httpStatusCode: kind === 'throttle' ? 400 : 500, requestId: 'injected' };
  if (kind === 'throttle')
    return new ProvisionedThroughputExceededException({
      message: 'Rate of requests exceeds the allowed throughput (injected).',
      $metadata,
    });
  if (kind === 'internal')
    return new InternalServerError({ message: 'Internal server error (injected).', $metadata });
  return Object.assign(new Error('socket hang up (injected after the write)'), {
    name: 'TimeoutError',
    code: 'ECONNRESET',
  });
};

interface ArmedDynamoFault {
  /** Only calls of this operation count (any operation when absent). */
  operation?: DynamoOperation;
  /** The call to fail, 1-based, counted from arming. */
  nth: number;
  kind: DynamoFaultKind;
  /** How many consecutive matching calls fail (default 1). */
  times: number;
  seen: number;
  fired: number;
}

/** One DynamoDB call as the test saw it pass. */
export interface DynamoCall {
  operation: DynamoOperation;
  failed?: DynamoFaultKind;
}

export class DynamoFaults {
  private armed?: ArmedDynamoFault;
  private recording?: DynamoCall[];

  /** Adds the injection point to a document client (once). */
  install(db: DynamoDBDocumentClient): void {
    db.middlewareStack.add(
      (next, context) => async (args) => {
        const operation = String(context.commandName ?? 'unknown').replace(/Command$/, '');
        const call: DynamoCall = { operation };
        this.recording?.push(call);
        const fault = this.armed;
        const matches = fault && (fault.operation === undefined || fault.operation === operation);
        if (!fault || !matches) return next(args);
        fault.seen += 1;
        if (fault.seen < fault.nth || fault.fired >= fault.times) return next(args);
        fault.fired += 1;
        figures.dependencyFaultsInjected += 1;
        call.failed = fault.kind;
        if (fault.kind === 'lost-answer') {
          await next(args);
          throw dynamoError('lost-answer');
        }
        throw dynamoError(fault.kind);
      },
      { step: 'initialize', name: 'reliabilityDynamoFault', priority: 'high' },
    );
  }

  arm(spec: { operation?: DynamoOperation; nth?: number; kind: DynamoFaultKind; times?: number }): void {
    this.armed = {
      operation: spec.operation,
      nth: spec.nth ?? 1,
      kind: spec.kind,
      times: spec.times ?? 1,
      seen: 0,
      fired: 0,
    };
  }

  /** Whether the armed fault has fired at least once. */
  get fired(): boolean {
    return (this.armed?.fired ?? 0) > 0;
  }

  disarm(): void {
    this.armed = undefined;
  }

  /** Runs `work` and answers the DynamoDB calls it made, in order (the steps of a flow). */
  async record<T>(work: () => Promise<T>): Promise<{ value: T; calls: DynamoCall[] }> {
    const calls: DynamoCall[] = [];
    this.recording = calls;
    try {
      return { value: await work(), calls };
    } finally {
      this.recording = undefined;
    }
  }
}

/** How a KMS call fails: throttled (ThrottlingException) or KMS failing on its side. */
export type KmsFaultKind = 'throttle' | 'internal';

const kmsError = (kind: KmsFaultKind): Error =>
  kind === 'throttle'
    ? new KMSServiceException({
        name: 'ThrottlingException',
        $fault: 'client',
        message: 'Rate exceeded (injected).',
        $metadata: { httpStatusCode: 400 },
      })
    : new KMSInternalException({
        message: 'KMS internal failure (injected).',
        $metadata: { httpStatusCode: 500 },
      });

export type CipherOperation = 'encrypt' | 'decrypt';

/** The cipher (the local stand-in for KMS) with a fault that can be armed, as KMS throttling or failing. */
export class FaultyCipher implements Cipher {
  private armed?: {
    operation?: CipherOperation;
    nth: number;
    kind: KmsFaultKind;
    times: number;
    seen: number;
    fired: number;
  };
  private recording?: { operation: CipherOperation; purpose?: string }[];

  constructor(private readonly inner: Cipher) {}

  arm(spec: { operation?: CipherOperation; nth?: number; kind: KmsFaultKind; times?: number }): void {
    this.armed = {
      operation: spec.operation,
      nth: spec.nth ?? 1,
      kind: spec.kind,
      times: spec.times ?? 1,
      seen: 0,
      fired: 0,
    };
  }

  get fired(): boolean {
    return (this.armed?.fired ?? 0) > 0;
  }

  disarm(): void {
    this.armed = undefined;
  }

  async record<T>(
    work: () => Promise<T>,
  ): Promise<{ value: T; calls: { operation: CipherOperation; purpose?: string }[] }> {
    const calls: { operation: CipherOperation; purpose?: string }[] = [];
    this.recording = calls;
    try {
      return { value: await work(), calls };
    } finally {
      this.recording = undefined;
    }
  }

  private check(operation: CipherOperation, context: EncryptionContext): void {
    this.recording?.push({ operation, purpose: context.purpose });
    const fault = this.armed;
    if (!fault || (fault.operation !== undefined && fault.operation !== operation)) return;
    fault.seen += 1;
    if (fault.seen < fault.nth || fault.fired >= fault.times) return;
    fault.fired += 1;
    figures.dependencyFaultsInjected += 1;
    throw kmsError(fault.kind);
  }

  async encrypt(plaintext: string, context: EncryptionContext): Promise<string> {
    this.check('encrypt', context);
    return this.inner.encrypt(plaintext, context);
  }

  async decrypt(ciphertext: string, context: EncryptionContext): Promise<string> {
    this.check('decrypt', context);
    return this.inner.decrypt(ciphertext, context);
  }
}
